// ISO 20022 payment messages, pure functions over plain objects (no database):
//  - pain.001.001.09 CustomerCreditTransferInitiation: the payment order ГК sends to a bank
//    (buildPain001) and its reading back for tests and verification (parsePain001);
//  - pain.002.001.03–.10 CustomerPaymentStatusReport: a bank's report of credits it could not
//    make, read into the rows of the `returns` import (parsePain002), and a builder for fixtures
//    (buildPain002, always pain.002.001.10).
//
// Amounts stay decimal strings (big.js for the control sums). The XML is written by hand, so
// the output is byte-identical for the same input; it is read with fast-xml-parser, with an
// entity decoder of our own that knows only XML's five entities and character references.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { Iso20022FormatError } from '../kernel/errors.ts';
import { todayInAlmaty, isValidDate } from '../kernel/dates.ts';
import { isValidBik, isValidIinBin, isValidKzIban } from '../kernel/identifiers.ts';
import { formatAmount, isAmount, parseAmount, ZERO } from '../kernel/money.ts';

export const PAIN001_NAMESPACE = 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.09';
export const PAIN002_NAMESPACE = 'urn:iso:std:iso:20022:tech:xsd:pain.002.001.10';
const PAIN002_NAMESPACE_RE = /^urn:iso:std:iso:20022:tech:xsd:pain\.002\.001\.(0[3-9]|10)$/;

export { Iso20022FormatError };

// ---------------------------------------------------------------------------------------------
// Types

export interface Pain001Party {
  name: string;
  /** БИН, 12 digits. */
  bin: string;
}

export interface Pain001Debtor extends Pain001Party {
  iban: string;
  /** БИК, 8 characters. */
  bik: string;
}

export interface Pain001Creditor {
  name: string;
  /** ИИН or БИН, 12 digits. */
  idNumber: string;
  iban: string;
  bik: string;
  /** КБе: residency digit + economic-sector digit, e.g. "19". */
  kbe: string;
}

export interface Pain001Transaction {
  /** The line's end-to-end reference, quoted back by a bank return. */
  endToEndId: string;
  /** Decimal string, e.g. "120000.50". */
  amount: string;
  creditor: Pain001Creditor;
  /** Free text of the payment purpose; the codes "КНП 010 КБе 19" are appended to it. */
  remittance: string;
  /** КНП, 3 digits. */
  knp: string;
}

export interface Pain001Message {
  messageId: string;
  /** ISO date-time, e.g. "2025-02-17T10:00:00+05:00". */
  createdAt: string;
  initiatingParty: Pain001Party;
  debtor: Pain001Debtor;
  paymentInfoId: string;
  /** YYYY-MM-DD. */
  requestedExecutionDate: string;
  /** КНП of the whole instruction (PmtTpInf/CtgyPurp/Prtry), 3 digits. */
  purposeKnp: string;
  transactions: Pain001Transaction[];
}

/** A pain.001 read back: the message plus the control figures exactly as the XML states them. */
export interface ParsedPain001 extends Pain001Message {
  control: {
    groupNbOfTxs: string;
    groupCtrlSum: string;
    paymentNbOfTxs: string;
    paymentCtrlSum: string;
  };
}

/** One rejected transaction of a pain.002, in the columns of the CSV `returns` import. */
export interface Pain002ReturnRow {
  /** Ordinal of the TxInfAndSts in the document, from 1 (shared with `skipped`). */
  rowNo: number;
  payment_ref: string;
  amount: string;
  returned_on: string;
  reason_code: string;
  reason_text: string;
}

/** A transaction of a pain.002 that is not a rejection (ACSC, ACCP, PDNG…): reported, not taken. */
export interface Pain002Skipped {
  rowNo: number;
  payment_ref: string;
  /** The effective status: TxSts, else the payment-information status, else the group status. */
  status: string;
}

export interface Pain002Report {
  /** Namespace of the document, e.g. "urn:iso:std:iso:20022:tech:xsd:pain.002.001.03". */
  namespace: string;
  messageId: string;
  originalMessageId: string;
  rows: Pain002ReturnRow[];
  skipped: Pain002Skipped[];
}

export interface Pain002Transaction {
  endToEndId: string;
  /** TxSts; RJCT unless given. */
  status?: string;
  /** Written exactly as given into OrgnlTxRef/Amt/InstdAmt (omitted when undefined). */
  amount?: string;
  currency?: string;
  /** AccptncDtTm (omitted when undefined). */
  acceptedAt?: string;
  /** StsRsnInf/Rsn/Cd, e.g. AC01, AC04, AC06, BE01 (omitted when undefined). */
  reasonCode?: string;
  /** StsRsnInf/AddtlInf: one element per array item; a longer string is cut at spaces into ≤105 characters. */
  reasonText?: string | string[];
}

export interface Pain002Message {
  messageId: string;
  createdAt: string;
  originalMessageId: string;
  /** Default "pain.001.001.09". */
  originalMessageNameId?: string;
  /** Default: originalMessageId. */
  originalPaymentInfoId?: string;
  /** GrpSts; default: the common status of the transactions, PART when they differ. */
  groupStatus?: string;
  transactions: Pain002Transaction[];
}

// ---------------------------------------------------------------------------------------------
// Writing XML

/**
 * Whether the text holds a character XML 1.0 cannot carry at all: C0 controls other than tab,
 * LF and CR, U+FFFE, U+FFFF, or an unpaired surrogate.
 */
function hasForbiddenXmlChar(text: string): boolean {
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

function escapeXml(text: string, what: string): string {
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
class XmlWriter {
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

// ---------------------------------------------------------------------------------------------
// pain.001 — building

const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?$/;

/** Length in characters (code points), as the ISO text types count it. */
function length(text: string): number {
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

function requireText(value: unknown, max: number, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new Iso20022FormatError(`${what}: значение не задано`);
  if (length(value) > max) {
    throw new Iso20022FormatError(`${what}: длиннее ${max} символов («${value}»)`);
  }
  return value;
}

function requireMatch(value: unknown, ok: (s: string) => boolean, what: string, expected: string): string {
  if (typeof value !== 'string' || !ok(value)) {
    throw new Iso20022FormatError(`${what}: «${String(value)}» — ${expected}`);
  }
  return value;
}

const DIGITS_RE = { 2: /^\d{2}$/, 3: /^\d{3}$/ };
const isDigits = (n: 2 | 3) => (s: string) => DIGITS_RE[n].test(s);

function codesText(knp: string, kbe: string): string {
  return `КНП ${knp} КБе ${kbe}`;
}

/** RmtInf/Ustrd: the free text followed by the codes, "… КНП 010 КБе 19". */
function unstructuredRemittance(remittance: string, knp: string, kbe: string): string {
  return remittance === '' ? codesText(knp, kbe) : `${remittance} ${codesText(knp, kbe)}`;
}

/** "ИИН" when the 5th digit is 0–3 (a birth date), "БИН" when it is 4–6 (a legal-entity type). */
function isBin(idNumber: string): boolean {
  return /^\d{4}[4-6]/.test(idNumber);
}

function writeOrgId(w: XmlWriter, bin: string, what: string): void {
  w.open('Id').open('OrgId').open('Othr');
  w.leaf('Id', bin, what).open('SchmeNm').leaf('Cd', 'TXID', what).close('SchmeNm');
  w.close('Othr').close('OrgId').close('Id');
}

function writeCreditorId(w: XmlWriter, idNumber: string, what: string): void {
  const choice = isBin(idNumber) ? 'OrgId' : 'PrvtId';
  w.open('Id').open(choice).open('Othr');
  w.leaf('Id', idNumber, what).open('SchmeNm').leaf('Cd', 'TXID', what).close('SchmeNm');
  w.close('Othr').close(choice).close('Id');
}

/** A transaction as checked: what its CdtTrfTxInf says. */
interface CheckedTransaction {
  endToEndId: string;
  amount: string;
  name: string;
  idNumber: string;
  iban: string;
  bik: string;
  knp: string;
  ustrd: string;
}

/**
 * Checks transaction `i` of a pain.001 (throws Iso20022FormatError naming the field); with `seen`,
 * also that its EndToEndId is not one of those (and adds it).
 */
function checkTransaction(tx: Pain001Transaction, i: number, seen?: Set<string>): CheckedTransaction {
  const at = `pain.001, операция ${i + 1}`;
  const endToEndId = requireText(tx.endToEndId, 35, `${at}: EndToEndId`);
  if (seen) {
    if (seen.has(endToEndId)) throw new Iso20022FormatError(`${at}: EndToEndId «${endToEndId}» повторяется`);
    seen.add(endToEndId);
  }
  const amountText = requireMatch(tx.amount, isAmount, `${at}: сумма`, 'ожидается сумма с точкой и не более чем двумя знаками');
  const amount = parseAmount(amountText);
  if (amount.lte(0)) throw new Iso20022FormatError(`${at}: сумма должна быть больше нуля («${amountText}»)`);
  const c = tx.creditor;
  const knp = requireMatch(tx.knp, isDigits(3), `${at}: КНП`, 'ожидается три цифры');
  const kbe = requireMatch(c?.kbe, isDigits(2), `${at}: КБе`, 'ожидается две цифры');
  if (typeof tx.remittance !== 'string') throw new Iso20022FormatError(`${at}: назначение платежа не задано`);
  const ustrd = unstructuredRemittance(tx.remittance, knp, kbe);
  if (length(ustrd) > 140) {
    throw new Iso20022FormatError(`${at}: назначение платежа с кодами длиннее 140 символов («${ustrd}»)`);
  }
  return {
    endToEndId,
    amount: formatAmount(amount),
    name: requireText(c?.name, 140, `${at}: наименование получателя`),
    idNumber: requireMatch(c?.idNumber, isValidIinBin, `${at}: ИИН/БИН получателя`, 'некорректный ИИН/БИН'),
    iban: requireMatch(c?.iban, isValidKzIban, `${at}: IBAN получателя`, 'некорректный IBAN'),
    bik: requireMatch(c?.bik, isValidBik, `${at}: БИК получателя`, 'некорректный БИК'),
    knp,
    ustrd,
  };
}

/**
 * The pain.001.001.09 payment order: one PmtInf (credit transfer, one debtor account) with a
 * CdtTrfTxInf per line. Validates the input (identifiers with their checksums, codes, dates,
 * lengths of the ISO text types, positive amounts, unique end-to-end references) and throws
 * Iso20022FormatError with the field named. Same input → byte-identical XML.
 */
export function buildPain001(msg: Pain001Message): string {
  const parts: string[] = [];
  writePain001(msg, (xml) => parts.push(xml));
  return parts.join('');
}

/**
 * buildPain001 handed out in pieces, in order, to `write` (e.g. a file): every transaction is
 * checked before the first piece, and only one transaction's XML is held at a time, so an order
 * of thousands of lines never sits in memory whole.
 */
export function writePain001(msg: Pain001Message, write: (xml: string) => void): void {
  const messageId = requireText(msg.messageId, 35, 'pain.001: MsgId');
  const createdAt = requireMatch(msg.createdAt, (s) => DATETIME_RE.test(s), 'pain.001: CreDtTm', 'ожидается дата и время ISO 8601');
  const initName = requireText(msg.initiatingParty?.name, 140, 'pain.001: наименование инициатора');
  const initBin = requireMatch(msg.initiatingParty?.bin, isValidIinBin, 'pain.001: БИН инициатора', 'некорректный БИН');
  const debtorName = requireText(msg.debtor?.name, 140, 'pain.001: наименование плательщика');
  const debtorBin = requireMatch(msg.debtor?.bin, isValidIinBin, 'pain.001: БИН плательщика', 'некорректный БИН');
  const debtorIban = requireMatch(msg.debtor?.iban, isValidKzIban, 'pain.001: IBAN плательщика', 'некорректный IBAN');
  const debtorBik = requireMatch(msg.debtor?.bik, isValidBik, 'pain.001: БИК плательщика', 'некорректный БИК');
  const paymentInfoId = requireText(msg.paymentInfoId, 35, 'pain.001: PmtInfId');
  const execDate = requireMatch(msg.requestedExecutionDate, isValidDate, 'pain.001: дата исполнения', 'ожидается ГГГГ-ММ-ДД');
  const purposeKnp = requireMatch(msg.purposeKnp, isDigits(3), 'pain.001: КНП платежа', 'ожидается три цифры');
  if (!Array.isArray(msg.transactions) || msg.transactions.length === 0) {
    throw new Iso20022FormatError('pain.001: в платёжном поручении нет ни одной операции');
  }

  // First pass: every transaction checked, the count and control sum that head the document.
  const seen = new Set<string>();
  let total = ZERO;
  msg.transactions.forEach((tx, i) => {
    total = total.plus(checkTransaction(tx, i, seen).amount);
  });
  const nbOfTxs = String(msg.transactions.length);
  const ctrlSum = formatAmount(total);

  const w = new XmlWriter();
  w.open('Document', ` xmlns="${PAIN001_NAMESPACE}"`).open('CstmrCdtTrfInitn');

  w.open('GrpHdr');
  w.leaf('MsgId', messageId, 'MsgId').leaf('CreDtTm', createdAt, 'CreDtTm');
  w.leaf('NbOfTxs', nbOfTxs, 'NbOfTxs').leaf('CtrlSum', ctrlSum, 'CtrlSum');
  w.open('InitgPty').leaf('Nm', initName, 'наименование инициатора');
  writeOrgId(w, initBin, 'БИН инициатора');
  w.close('InitgPty');
  w.close('GrpHdr');

  w.open('PmtInf');
  w.leaf('PmtInfId', paymentInfoId, 'PmtInfId').leaf('PmtMtd', 'TRF', 'PmtMtd');
  w.leaf('NbOfTxs', nbOfTxs, 'NbOfTxs').leaf('CtrlSum', ctrlSum, 'CtrlSum');
  w.open('PmtTpInf').open('CtgyPurp').leaf('Prtry', purposeKnp, 'КНП').close('CtgyPurp').close('PmtTpInf');
  w.open('ReqdExctnDt').leaf('Dt', execDate, 'дата исполнения').close('ReqdExctnDt');
  w.open('Dbtr').leaf('Nm', debtorName, 'наименование плательщика');
  writeOrgId(w, debtorBin, 'БИН плательщика');
  w.close('Dbtr');
  w.open('DbtrAcct').open('Id').leaf('IBAN', debtorIban, 'IBAN').close('Id').leaf('Ccy', 'KZT', 'Ccy').close('DbtrAcct');
  w.open('DbtrAgt').open('FinInstnId').leaf('BICFI', debtorBik, 'БИК').close('FinInstnId').close('DbtrAgt');
  write(w.take());

  // Second pass: each transaction written as it is checked again (the checks are cheap; holding
  // the checked transactions of a large order is not).
  msg.transactions.forEach((tx, i) => {
    const t = checkTransaction(tx, i);
    const what = `операция ${t.endToEndId}`;
    w.open('CdtTrfTxInf');
    w.open('PmtId').leaf('EndToEndId', t.endToEndId, what).close('PmtId');
    w.open('Amt').leaf('InstdAmt', t.amount, what, ' Ccy="KZT"').close('Amt');
    w.open('CdtrAgt').open('FinInstnId').leaf('BICFI', t.bik, what).close('FinInstnId').close('CdtrAgt');
    w.open('Cdtr').leaf('Nm', t.name, `${what}: наименование получателя`);
    writeCreditorId(w, t.idNumber, what);
    w.close('Cdtr');
    w.open('CdtrAcct').open('Id').leaf('IBAN', t.iban, what).close('Id').close('CdtrAcct');
    w.open('Purp').leaf('Prtry', t.knp, what).close('Purp');
    w.open('RmtInf').leaf('Ustrd', t.ustrd, `${what}: назначение платежа`).close('RmtInf');
    w.close('CdtTrfTxInf');
    write(w.take());
  });

  w.close('PmtInf');
  w.close('CstmrCdtTrfInitn').close('Document');
  write(w.take());
}

// ---------------------------------------------------------------------------------------------
// Reading XML

type XmlNode = string | XmlElement;
interface XmlElement {
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
function readDocument(xml: string, kind: string): { document: XmlElement; namespace: string } {
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
function children(node: XmlNode | undefined, name: string): XmlNode[] {
  if (node === undefined || typeof node === 'string') return [];
  const v = node[name];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  return children(node, name)[0];
}

function at(node: XmlNode | undefined, ...path: string[]): XmlNode | undefined {
  let cur = node;
  for (const name of path) cur = child(cur, name);
  return cur;
}

/** Text content of an element ('' when absent), untrimmed. */
function rawText(node: XmlNode | undefined): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node;
  const t = node['#text'];
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === 'string').join('');
  return '';
}

function textAt(node: XmlNode | undefined, ...path: string[]): string {
  return rawText(at(node, ...path)).trim();
}

function attr(node: XmlNode | undefined, name: string): string | undefined {
  if (node === undefined || typeof node === 'string') return undefined;
  const v = node[`@_${name}`];
  return typeof v === 'string' ? v.trim() : undefined;
}

// ---------------------------------------------------------------------------------------------
// pain.001 — reading back

function requiredAt(node: XmlNode | undefined, what: string, ...path: string[]): string {
  const n = at(node, ...path);
  if (n === undefined) throw new Iso20022FormatError(`pain.001: нет элемента ${what}${path.join('/')}`);
  return rawText(n);
}

/**
 * Reads a pain.001.001.09 back into the message (for tests and verification). The control
 * figures are returned as written, not checked; the КНП in RmtInf/Ustrd must agree with Purp.
 */
export function parsePain001(xml: string): ParsedPain001 {
  const { document, namespace } = readDocument(xml, 'pain.001');
  if (namespace !== PAIN001_NAMESPACE) {
    throw new Iso20022FormatError(
      `pain.001: неизвестное пространство имён «${namespace}», ожидается ${PAIN001_NAMESPACE}`,
    );
  }
  const root = child(document, 'CstmrCdtTrfInitn');
  if (root === undefined) throw new Iso20022FormatError('pain.001: нет элемента CstmrCdtTrfInitn');
  const grp = child(root, 'GrpHdr');
  const pmtInfs = children(root, 'PmtInf');
  if (pmtInfs.length !== 1) {
    throw new Iso20022FormatError(`pain.001: ожидается один блок PmtInf, найдено ${pmtInfs.length}`);
  }
  const pmt = pmtInfs[0];

  const transactions = children(pmt, 'CdtTrfTxInf').map((tx, i): Pain001Transaction => {
    const where = `CdtTrfTxInf[${i + 1}]/`;
    const amountNode = at(tx, 'Amt', 'InstdAmt');
    const ccy = attr(amountNode, 'Ccy');
    if (ccy !== 'KZT') throw new Iso20022FormatError(`pain.001: операция ${i + 1}: валюта «${ccy ?? ''}», ожидается KZT`);
    const id = child(tx, 'Cdtr');
    const idChoice = at(id, 'Id', 'OrgId') ?? at(id, 'Id', 'PrvtId');
    const ustrd = requiredAt(tx, where, 'RmtInf', 'Ustrd');
    const knp = requiredAt(tx, where, 'Purp', 'Prtry');
    const m = /^(?:([\s\S]*) )?КНП (\d{3}) КБе (\d{2})$/.exec(ustrd);
    if (!m) throw new Iso20022FormatError(`pain.001: операция ${i + 1}: в назначении платежа нет кодов «КНП … КБе …»`);
    if (m[2] !== knp) {
      throw new Iso20022FormatError(`pain.001: операция ${i + 1}: КНП в назначении (${m[2]}) не совпадает с Purp (${knp})`);
    }
    return {
      endToEndId: requiredAt(tx, where, 'PmtId', 'EndToEndId'),
      amount: rawText(amountNode),
      creditor: {
        name: requiredAt(tx, where, 'Cdtr', 'Nm'),
        idNumber: requiredAt(idChoice, `${where}Cdtr/Id/(OrgId|PrvtId)/`, 'Othr', 'Id'),
        iban: requiredAt(tx, where, 'CdtrAcct', 'Id', 'IBAN'),
        bik: requiredAt(tx, where, 'CdtrAgt', 'FinInstnId', 'BICFI'),
        kbe: m[3],
      },
      remittance: m[1] ?? '',
      knp,
    };
  });

  return {
    messageId: requiredAt(grp, 'GrpHdr/', 'MsgId'),
    createdAt: requiredAt(grp, 'GrpHdr/', 'CreDtTm'),
    initiatingParty: {
      name: requiredAt(grp, 'GrpHdr/', 'InitgPty', 'Nm'),
      bin: requiredAt(grp, 'GrpHdr/', 'InitgPty', 'Id', 'OrgId', 'Othr', 'Id'),
    },
    debtor: {
      name: requiredAt(pmt, 'PmtInf/', 'Dbtr', 'Nm'),
      bin: requiredAt(pmt, 'PmtInf/', 'Dbtr', 'Id', 'OrgId', 'Othr', 'Id'),
      iban: requiredAt(pmt, 'PmtInf/', 'DbtrAcct', 'Id', 'IBAN'),
      bik: requiredAt(pmt, 'PmtInf/', 'DbtrAgt', 'FinInstnId', 'BICFI'),
    },
    paymentInfoId: requiredAt(pmt, 'PmtInf/', 'PmtInfId'),
    requestedExecutionDate: requiredAt(pmt, 'PmtInf/', 'ReqdExctnDt', 'Dt'),
    purposeKnp: requiredAt(pmt, 'PmtInf/', 'PmtTpInf', 'CtgyPurp', 'Prtry'),
    transactions,
    control: {
      groupNbOfTxs: requiredAt(grp, 'GrpHdr/', 'NbOfTxs'),
      groupCtrlSum: requiredAt(grp, 'GrpHdr/', 'CtrlSum'),
      paymentNbOfTxs: requiredAt(pmt, 'PmtInf/', 'NbOfTxs'),
      paymentCtrlSum: requiredAt(pmt, 'PmtInf/', 'CtrlSum'),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// pain.002 — reading

const LOCAL_DATETIME_RE = /^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}:\d{2}(\.\d+)?)?$/;
const ZONED_DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The calendar date of a status time-stamp: as written when it carries no offset, the date in
 * Asia/Almaty when it does. Anything else is passed through unchanged for the row check to refuse.
 */
function statusDate(dateTime: string): string {
  const local = LOCAL_DATETIME_RE.exec(dateTime);
  if (local) return local[1];
  if (ZONED_DATETIME_RE.test(dateTime)) {
    const instant = new Date(dateTime);
    if (!Number.isNaN(instant.getTime())) return todayInAlmaty(instant);
  }
  return dateTime;
}

function statusReason(tx: XmlNode): { code: string; text: string } {
  const infos = children(tx, 'StsRsnInf');
  let code = '';
  for (const info of infos) {
    code = textAt(info, 'Rsn', 'Cd') || textAt(info, 'Rsn', 'Prtry');
    if (code) break;
  }
  const text = infos
    .map((info) => children(info, 'AddtlInf').map((n) => rawText(n).trim()).filter(Boolean).join(' '))
    .filter(Boolean)
    .join('; ');
  return { code, text };
}

/**
 * Reads a pain.002 CustomerPaymentStatusReport (pain.002.001.03 to .10). Every TxInfAndSts whose
 * status (TxSts, else PmtInfSts, else GrpSts) is RJCT becomes a row of the `returns` import;
 * the others are listed in `skipped`. Field values are passed as written (trimmed) for the
 * import's row checks; missing ones are ''. Throws Iso20022FormatError on anything that is not
 * such a report, on a currency other than KZT and on a rejection that names no transaction.
 */
export function parsePain002(xml: string): Pain002Report {
  const { document, namespace } = readDocument(xml, 'pain.002');
  if (!PAIN002_NAMESPACE_RE.test(namespace)) {
    const shown = namespace === '' ? 'пространство имён не указано' : `неизвестное пространство имён «${namespace}»`;
    throw new Iso20022FormatError(
      `pain.002: ${shown}; ожидается отчёт о статусе платежей ISO 20022 pain.002.001.03–pain.002.001.10`,
    );
  }
  const report = child(document, 'CstmrPmtStsRpt');
  if (report === undefined || typeof report === 'string') {
    throw new Iso20022FormatError('pain.002: нет элемента CstmrPmtStsRpt (отчёт о статусе платежей)');
  }
  const createdAt = textAt(report, 'GrpHdr', 'CreDtTm');
  const groupStatus = textAt(report, 'OrgnlGrpInfAndSts', 'GrpSts');

  const rows: Pain002ReturnRow[] = [];
  const skipped: Pain002Skipped[] = [];
  let rowNo = 0;
  const pmtInfs = children(report, 'OrgnlPmtInfAndSts');
  if (pmtInfs.length === 0 && groupStatus === 'RJCT') {
    throw new Iso20022FormatError(
      'pain.002: сообщение отклонено целиком (GrpSts RJCT) без сведений по операциям; возвраты по нему не определить',
    );
  }
  for (const pmtInf of pmtInfs) {
    const pmtInfStatus = textAt(pmtInf, 'PmtInfSts');
    const txs = children(pmtInf, 'TxInfAndSts');
    if (txs.length === 0 && (pmtInfStatus || groupStatus) === 'RJCT') {
      throw new Iso20022FormatError(
        `pain.002: блок платежей «${textAt(pmtInf, 'OrgnlPmtInfId')}» отклонён целиком без сведений по операциям; возвраты по нему не определить`,
      );
    }
    for (const tx of txs) {
      rowNo++;
      const paymentRef = textAt(tx, 'OrgnlEndToEndId');
      const status = textAt(tx, 'TxSts') || pmtInfStatus || groupStatus;
      if (status !== 'RJCT') {
        skipped.push({ rowNo, payment_ref: paymentRef, status });
        continue;
      }
      const amountNode = at(tx, 'OrgnlTxRef', 'Amt', 'InstdAmt');
      const ccy = attr(amountNode, 'Ccy');
      if (amountNode !== undefined && ccy !== undefined && ccy !== 'KZT') {
        throw new Iso20022FormatError(
          `pain.002: операция ${rowNo} («${paymentRef}»): валюта ${ccy}, ожидается KZT`,
        );
      }
      const stamp = textAt(tx, 'AccptncDtTm') || createdAt;
      const reason = statusReason(tx);
      rows.push({
        rowNo,
        payment_ref: paymentRef,
        amount: rawText(amountNode).trim(),
        returned_on: stamp === '' ? '' : statusDate(stamp),
        reason_code: reason.code,
        reason_text: reason.text,
      });
    }
  }
  return {
    namespace,
    messageId: textAt(report, 'GrpHdr', 'MsgId'),
    originalMessageId: textAt(report, 'OrgnlGrpInfAndSts', 'OrgnlMsgId'),
    rows,
    skipped,
  };
}

// ---------------------------------------------------------------------------------------------
// pain.002 — building (fixtures and tests)

/** Cuts a text at spaces into pieces of at most `max` characters (a longer word is cut hard). */
function wrap(text: string, max: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (length(candidate) <= max) {
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

/**
 * A pain.002.001.10 status report for fixtures and tests: one OrgnlPmtInfAndSts with a
 * TxInfAndSts per transaction (RJCT unless another status is given). Values are written as
 * given (escaped), so a fixture can also carry a wrong amount or an unknown reference.
 */
export function buildPain002(msg: Pain002Message): string {
  const statuses = msg.transactions.map((t) => t.status ?? 'RJCT');
  const groupStatus =
    msg.groupStatus ?? (statuses.length === 0 ? undefined : statuses.every((s) => s === statuses[0]) ? statuses[0] : 'PART');

  const w = new XmlWriter();
  w.open('Document', ` xmlns="${PAIN002_NAMESPACE}"`).open('CstmrPmtStsRpt');
  w.open('GrpHdr');
  w.leaf('MsgId', msg.messageId, 'MsgId').leaf('CreDtTm', msg.createdAt, 'CreDtTm');
  w.close('GrpHdr');
  w.open('OrgnlGrpInfAndSts');
  w.leaf('OrgnlMsgId', msg.originalMessageId, 'OrgnlMsgId');
  w.leaf('OrgnlMsgNmId', msg.originalMessageNameId ?? 'pain.001.001.09', 'OrgnlMsgNmId');
  if (groupStatus !== undefined) w.leaf('GrpSts', groupStatus, 'GrpSts');
  w.close('OrgnlGrpInfAndSts');
  if (msg.transactions.length > 0) {
    w.open('OrgnlPmtInfAndSts');
    w.leaf('OrgnlPmtInfId', msg.originalPaymentInfoId ?? msg.originalMessageId, 'OrgnlPmtInfId');
    msg.transactions.forEach((t, i) => {
      const what = `pain.002, операция ${i + 1}`;
      w.open('TxInfAndSts');
      w.leaf('OrgnlEndToEndId', t.endToEndId, what);
      w.leaf('TxSts', statuses[i], what);
      const lines = t.reasonText === undefined ? [] : Array.isArray(t.reasonText) ? t.reasonText : wrap(t.reasonText, 105);
      if (t.reasonCode !== undefined || lines.length > 0) {
        w.open('StsRsnInf');
        if (t.reasonCode !== undefined) w.open('Rsn').leaf('Cd', t.reasonCode, what).close('Rsn');
        for (const line of lines) w.leaf('AddtlInf', line, what);
        w.close('StsRsnInf');
      }
      if (t.acceptedAt !== undefined) w.leaf('AccptncDtTm', t.acceptedAt, what);
      if (t.amount !== undefined) {
        w.open('OrgnlTxRef').open('Amt');
        w.leaf('InstdAmt', t.amount, what, ` Ccy="${escapeXml(t.currency ?? 'KZT', what)}"`);
        w.close('Amt').close('OrgnlTxRef');
      }
      w.close('TxInfAndSts');
    });
    w.close('OrgnlPmtInfAndSts');
  }
  w.close('CstmrPmtStsRpt').close('Document');
  return w.toString();
}

