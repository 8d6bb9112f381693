// The XML both ways, for the ISO 20022 codecs of this folder. Writing: by hand, elements on their
// own lines, two-space indent, LF, so the same input gives the same bytes; text escaped, and a
// character XML 1.0 cannot carry refused (Iso20022FormatError, exit 2). Reading: fast-xml-parser
// with an entity decoder of our own that knows only XML's five entities and character
// references, namespace prefixes dropped, a DOCTYPE refused.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { Iso20022FormatError } from '../kernel/errors.ts';
import { todayInAlmaty } from '../kernel/dates.ts';

// ---------------------------------------------------------------------------------------------
// Writing

/**
 * Whether the text holds a character XML 1.0 cannot carry at all: C0 controls other than tab,
 * LF and CR, U+FFFE, U+FFFF, or an unpaired surrogate.
 */
export function hasForbiddenXmlChar(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return true;
    if (c === 0xfffe || c === 0xffff) return true;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return true;
    }
  }
  return false;
}

/** Whether the text has a character to escape, or one XML may not carry (the slow path decides). */
function needsAttention(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20) {
      if (c !== 0x09 && c !== 0x0a) return true; // a control character, or CR (escaped)
    } else if (c === 0x26 || c === 0x3c || c === 0x3e || c === 0x22 || c === 0x27) {
      return true; // & < > " '
    } else if ((c >= 0xd800 && c <= 0xdfff) || c >= 0xfffe) {
      return true; // half of a surrogate pair, U+FFFE, U+FFFF
    }
  }
  return false;
}

export function escapeXml(text: string, what: string): string {
  if (!needsAttention(text)) return text; // most names, numbers and references: as they are
  if (hasForbiddenXmlChar(text)) {
    throw new Iso20022FormatError(`${what}: недопустимый управляющий символ в тексте «${text}»`);
  }
  return text.replace(/[&<>"'\r]/g, (ch) => {
    switch (ch) {
      case '&': return '&amp;';
      case '<': return '&lt;';
      case '>': return '&gt;';
      case '"': return '&quot;';
      case "'": return '&apos;';
      default: return '&#13;';
    }
  });
}

/** A tiny writer: elements on their own lines, two-space indent, LF, no trailing spaces. */
export class XmlWriter {
  private out = '<?xml version="1.0" encoding="UTF-8"?>\n';
  private depth = 0;

  open(tag: string, attrs = ''): this {
    this.out += `${indent(this.depth)}<${tag}${attrs}>\n`;
    this.depth++;
    return this;
  }

  close(tag: string): this {
    this.depth--;
    this.out += `${indent(this.depth)}</${tag}>\n`;
    return this;
  }

  /** An element with text; `what` names the field in an error message. */
  leaf(tag: string, text: string, what: string, attrs = ''): this {
    this.out += `${indent(this.depth)}<${tag}${attrs}>${escapeXml(text, what)}</${tag}>\n`;
    return this;
  }

  toString(): string {
    return this.out;
  }

  /** What was written since the last take (the declaration included at first); the depth stays. */
  take(): string {
    const xml = this.out;
    this.out = '';
    return xml;
  }
}

const INDENTS = Array.from({ length: 16 }, (_v, i) => '  '.repeat(i));
const indent = (depth: number) => INDENTS[depth] ?? '  '.repeat(depth);

/** Length in characters (code points), as the ISO text types count it. */
export function textLength(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) n--; // a surrogate pair is one character
    }
  }
  return n;
}

/**
 * The text cut to at most `max` characters (code points, as the XSD counts a Max140Text: a
 * surrogate pair is one character and never split), trailing spaces of the cut dropped. The
 * deterministic fit of a free-text value longer than its ISO 20022 field (issue 13.1): the same
 * text always gives the same cut, and the full value stays in the database and the reports. A
 * text that fits is returned as it is.
 */
export function fitText(text: string, max: number): string {
  if (text.length <= max) return text; // at most `max` UTF-16 units: at most `max` characters
  const chars = [...text];
  if (chars.length <= max) return text;
  return chars.slice(0, max).join('').trimEnd();
}

/** The ISO 20022 party name field (Nm, Max140Text). */
export const NAME_MAX = 140;

// ---------------------------------------------------------------------------------------------
// Reading

export type XmlNode = string | XmlElement;
export interface XmlElement {
  [key: string]: XmlNode | XmlNode[];
}

// XML's own entities and character references; anything else (HTML entities, entities declared
// in a DTD) makes the document unusable.
const xmlEntityDecoder = {
  setExternalEntities(): void {},
  addInputEntities(): void {},
  reset(): void {},
  setXmlVersion(): void {},
  decode(text: string): string {
    if (!text.includes('&')) return text;
    return text.replace(/&([^;&\s]*);?/g, (match, name: string) => {
      if (!match.endsWith(';')) throw new XmlEntityError(`знак «&» без ссылки на сущность: «${text}»`);
      switch (name) {
        case 'amp': return '&';
        case 'lt': return '<';
        case 'gt': return '>';
        case 'quot': return '"';
        case 'apos': return "'";
      }
      const m = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(name);
      if (m) {
        const code = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2], 10);
        if (code <= 0x10ffff) {
          const ch = String.fromCodePoint(code);
          if (!hasForbiddenXmlChar(ch)) return ch;
        }
      }
      throw new XmlEntityError(`неизвестная или недопустимая сущность «${match}»`);
    });
  },
};

class XmlEntityError extends Error {}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  entityDecoder: xmlEntityDecoder,
});

function localName(key: string): string {
  const i = key.indexOf(':');
  return i < 0 ? key : key.slice(i + 1);
}

/** Drops namespace prefixes from element names (attributes keep theirs). */
function stripPrefixes(node: XmlNode | XmlNode[]): XmlNode | XmlNode[] {
  if (Array.isArray(node)) return node.map((n) => stripPrefixes(n) as XmlNode);
  if (typeof node !== 'object' || node === null) return node;
  const out: XmlElement = {};
  for (const [key, value] of Object.entries(node)) {
    const name = key.startsWith('@_') || key === '#text' ? key : localName(key);
    const stripped = stripPrefixes(value);
    const existing = out[name];
    if (existing === undefined) {
      out[name] = stripped;
    } else {
      out[name] = [...(Array.isArray(existing) ? existing : [existing]), ...(Array.isArray(stripped) ? stripped : [stripped])];
    }
  }
  return out;
}

/** Parses a document and returns its Document element (prefixes dropped) and its namespace. */
export function readDocument(xml: string, kind: string): { document: XmlElement; namespace: string } {
  if (typeof xml !== 'string') throw new Iso20022FormatError(`${kind}: ожидается текст XML`);
  const text = xml.replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new Iso20022FormatError(`${kind}: файл пуст`);
  if (/<!DOCTYPE/i.test(text)) {
    throw new Iso20022FormatError(`${kind}: объявление DOCTYPE в сообщении ISO 20022 не допускается`);
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const where = valid.err.line ? ` (строка ${valid.err.line}${valid.err.col ? `, позиция ${valid.err.col}` : ''})` : '';
    throw new Iso20022FormatError(`${kind}: файл не является корректным XML${where}: ${valid.err.msg}`);
  }
  let parsed: XmlElement;
  try {
    parsed = parser.parse(text) as XmlElement;
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    throw new Iso20022FormatError(`${kind}: файл не является корректным XML: ${detail}`);
  }
  const roots = Object.keys(parsed).filter((k) => !k.startsWith('?') && k !== '#text');
  const rootKey = roots.length === 1 ? roots[0] : undefined;
  const root = rootKey === undefined ? undefined : parsed[rootKey];
  if (roots.length > 1 || Array.isArray(root)) {
    throw new Iso20022FormatError(`${kind}: в файле больше одного корневого элемента, ожидается один Document`);
  }
  if (rootKey === undefined || localName(rootKey) !== 'Document' || typeof root !== 'object') {
    throw new Iso20022FormatError(`${kind}: в файле нет корневого элемента Document сообщения ISO 20022`);
  }
  const prefix = rootKey.includes(':') ? rootKey.slice(0, rootKey.indexOf(':')) : '';
  const nsAttr = root[prefix ? `@_xmlns:${prefix}` : '@_xmlns'];
  const namespace = typeof nsAttr === 'string' ? nsAttr.trim() : '';
  return { document: stripPrefixes(root) as XmlElement, namespace };
}

/** All children of that name (a repeated element comes as an array, a single one as a value). */
export function children(node: XmlNode | undefined, name: string): XmlNode[] {
  if (node === undefined || typeof node === 'string') return [];
  const v = node[name];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  return children(node, name)[0];
}

export function at(node: XmlNode | undefined, ...path: string[]): XmlNode | undefined {
  let cur = node;
  for (const name of path) cur = child(cur, name);
  return cur;
}

/** Text content of an element ('' when absent), untrimmed. */
export function rawText(node: XmlNode | undefined): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node;
  const t = node['#text'];
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === 'string').join('');
  return '';
}

export function textAt(node: XmlNode | undefined, ...path: string[]): string {
  return rawText(at(node, ...path)).trim();
}

export function attr(node: XmlNode | undefined, name: string): string | undefined {
  if (node === undefined || typeof node === 'string') return undefined;
  const v = node[`@_${name}`];
  return typeof v === 'string' ? v.trim() : undefined;
}

const LOCAL_DATETIME_RE = /^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}:\d{2}(\.\d+)?)?$/;
const ZONED_DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The calendar date of an ISO 20022 time-stamp: as written when it carries no offset, the date in
 * Asia/Almaty when it does. Anything else is passed through unchanged for the row check to refuse.
 */
export function statusDate(dateTime: string): string {
  const local = LOCAL_DATETIME_RE.exec(dateTime);
  if (local) return local[1];
  if (ZONED_DATETIME_RE.test(dateTime)) {
    const instant = new Date(dateTime);
    if (!Number.isNaN(instant.getTime())) return todayInAlmaty(instant);
  }
  return dateTime;
}

/** Cuts a text at spaces into pieces of at most `max` characters (a longer word is cut hard). */
export function wrapText(text: string, max: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (textLength(candidate) <= max) {
      line = candidate;
      continue;
    }
    if (line !== '') out.push(line);
    let rest = [...word];
    while (rest.length > max) {
      out.push(rest.slice(0, max).join(''));
      rest = rest.slice(max);
    }
    line = rest.join('');
  }
  if (line !== '') out.push(line);
  return out;
}
