// Characters that never belong in a value of an input file: whatever the field, a value holding
// one is rejected (the row, with the field named), never stored. They are invisible or break
// what later reads the value: NUL (PostgreSQL refuses it), the other C0 and C1 control characters
// (tab, line breaks, escape…), DEL, a lone UTF-16 surrogate (broken Unicode: JSON can carry one),
// the noncharacters U+FFFE/U+FFFF and the like, the Unicode line and paragraph separators
// U+2028/U+2029 (a line break to some readers: rejected, not normalized, so that a value is never
// silently changed), the bidirectional-text controls (they reorder what a person sees: a name or
// an account could be shown other than it is), invisible format characters (zero-width space and
// joiners, soft hyphen, word joiner, tag characters: a name that looks like another) and a
// byte-order mark inside a value.
//
// Messages and files show such a character as [U+XXXX], so that a message stays one line and the
// rejected-rows file and the database can hold what was read.

/** The character at `i` (a code point; a lone surrogate as itself). */
function codePointAt(s: string, i: number): number {
  return s.codePointAt(i)!;
}

function isUnsafe(cp: number): boolean {
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return true;
  if (cp >= 0xd800 && cp <= 0xdfff) return true; // only a lone one gets here (codePointAt pairs them)
  if (cp >= 0xfdd0 && cp <= 0xfdef) return true;
  if ((cp & 0xfffe) === 0xfffe) return true; // U+FFFE, U+FFFF, U+1FFFE…
  if (cp === 0x2028 || cp === 0x2029 || cp === 0xfeff) return true;
  if (cp === 0x061c || cp === 0x200e || cp === 0x200f) return true;
  if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) return true;
  return isInvisible(cp);
}

/** Invisible format characters: a name holding one looks like another and differs in the bank's file. */
function isInvisible(cp: number): boolean {
  return (
    cp === 0x00ad || // soft hyphen
    cp === 0x180e || // Mongolian vowel separator
    (cp >= 0x200b && cp <= 0x200d) || // zero-width space, non-joiner, joiner
    (cp >= 0x2060 && cp <= 0x2064) || // word joiner, invisible operators
    (cp >= 0xfff9 && cp <= 0xfffb) || // interlinear annotation
    (cp >= 0xe0000 && cp <= 0xe007f) // tag characters
  );
}

const NAMES: Record<number, string> = {
  0x00: 'NUL, нулевой байт',
  0x09: 'табуляция',
  0x0a: 'перевод строки',
  0x0d: 'возврат каретки',
  0x1b: 'ESC',
  0x7f: 'DEL',
  0x2028: 'разделитель строк',
  0x2029: 'разделитель абзацев',
  0xfeff: 'метка порядка байтов, BOM',
};

export function codeOf(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** A Russian description of an unsafe character: «U+0000 (NUL, нулевой байт)». */
export function describeChar(cp: number): string {
  let name = NAMES[cp];
  if (!name) {
    if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) name = 'управляющий символ';
    else if (cp >= 0xd800 && cp <= 0xdfff) name = 'половина суррогатной пары, испорченный Юникод';
    else if (cp >= 0xfdd0 && ((cp & 0xfffe) === 0xfffe || cp <= 0xfdef)) name = 'не символ Юникода';
    else if (isInvisible(cp)) name = 'невидимый символ';
    else name = 'управление направлением текста';
  }
  return `${codeOf(cp)} (${name})`;
}

/** The first unsafe character of `s`: its code point and position (1-based, in characters), or null. */
export function firstUnsafe(s: string): { cp: number; position: number } | null {
  let position = 0;
  for (let i = 0; i < s.length; i++) {
    position++;
    const cp = codePointAt(s, i);
    if (cp > 0xffff) i++;
    if (isUnsafe(cp)) return { cp, position };
  }
  return null;
}

/** True when `s` holds no unsafe character (the common case, checked fast). */
export function isSafeText(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff\ufdd0-\ufdef\ufeff\ufffe\uffff]/.test(s) || firstUnsafe(s) === null;
}

/** `s` with every unsafe character written as [U+XXXX]: one line, storable, shown as it was. */
export function visible(s: string): string {
  if (isSafeText(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const cp = codePointAt(s, i);
    const width = cp > 0xffff ? 2 : 1;
    out += isUnsafe(cp) ? `[${codeOf(cp)}]` : s.slice(i, i + width);
    i += width - 1;
  }
  return out;
}
