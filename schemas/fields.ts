// Field types of the input files (INTERFACE.md "Input files"): how one cell becomes a normalized
// string, and the Russian reason when it cannot. A cell arrives as the reader saw it:
//  - CSV: always a string;
//  - JSON: string, number, boolean or null (a nested value is refused);
//  - XLSX: string, ExcelNumber (a cell Excel typed as a number), Date (a date-formatted cell,
//    UTC midnight), boolean, CellError (#N/A and the like), or null.
// Every field trims strings and treats an empty string as a missing value; a value with a character
// that never belongs in a file (schemas/characters.ts: NUL, control characters, line separators…)
// is rejected whatever the field. Finance staff's own forms are read and stored canonically:
// dates ДД.ММ.ГГГГ → YYYY-MM-DD, months ММ.ГГГГ → YYYY-MM, amounts `50 000,00` → 50000.00, да/нет.
// Amounts and decimals never pass through a JavaScript number on the way in, except the
// unavoidable XLSX number cell, which is converted back to the text Excel shows (15 significant
// digits) before any check.
import Big from 'big.js';
import { z } from 'zod';
import { isValidDate, isValidMonth } from '../pipeline/kernel/dates.ts';
import { isValidBik, isValidIinBin, isValidKzIban } from '../pipeline/kernel/identifiers.ts';
import { describeChar, firstUnsafe, visible } from './characters.ts';

/** A cell that Excel stored as a number. Kept apart from a JSON number on purpose. */
export class ExcelNumber {
  constructor(readonly value: number) {}
}

/** An error value of a spreadsheet cell (#N/A, #REF!…) or a formula without a cached result. */
export class CellError {
  constructor(readonly code: string) {}
}

export type RawValue = string | number | boolean | Date | ExcelNumber | CellError | null | undefined;

/**
 * The decimal text Excel shows for a number cell: at most 15 significant digits (Excel's own
 * precision), in plain notation. So 1234.56 → "1234.56", 0.1 + 0.2 → "0.3", 50240001238 →
 * "50240001238". Null when the number cannot be shown exactly (not finite, or 16+ integer digits).
 */
export function excelNumberText(n: number): string | null {
  if (!Number.isFinite(n) || Math.abs(n) >= 1e15) return null;
  const text = new Big(n.toPrecision(15)).toFixed();
  return text === '-0' ? '0' : text;
}

/** The UTC calendar date of a date cell (exceljs reads Excel dates as UTC midnight). */
export function excelDateText(d: Date): string | null {
  if (Number.isNaN(d.getTime())) return null;
  const y = d.getUTCFullYear();
  if (y < 1 || y > 9999) return null;
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(y, 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** A raw value as text, exactly (an Excel cell as Excel shows it). */
export function rawText(v: RawValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof ExcelNumber) return excelNumberText(v.value) ?? String(v.value);
  if (v instanceof CellError) return v.code;
  if (v instanceof Date) return excelDateText(v) ?? String(v);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** A field of an input file: its Russian label, whether it may be left empty, and its parser. */
export interface Field<T> {
  label: string;
  optional: boolean;
  schema: z.ZodType<T, unknown>;
}

type Issue = (why: string) => never;

class FieldIssue extends Error {}

/** Rejects the value being parsed (one function for all: no closure per row and field). */
const issue: Issue = (why) => {
  throw new FieldIssue(why);
};

/** Spaces around a value (a plain or a no-break space): trimmed before the character check. A tab is not padding: it is rejected anywhere. */
const PADDING = /^[ \u00a0]+|[ \u00a0]+$/g;

/** Empty: no value, or only spaces (a value of nothing but a line separator or NUL is not empty: it is rejected). */
function isBlank(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  return typeof v === 'string' && v.trim() === '' && firstUnsafe(v.replace(PADDING, '')) === null;
}

/** A value as a message quotes it: unsafe characters visible, at most 60 characters. */
function shown(v: unknown): string {
  const s = visible(rawText(v as RawValue));
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

/**
 * Builds a field from a parser of a present (non-blank) value. The parser throws through
 * `issue(why)`; the message becomes "<label>: <why>".
 */
function field<T>(label: string, parse: (v: unknown, issue: Issue) => T): Field<T> {
  const schema = z.unknown().optional().transform((v, ctx): T => {
    try {
      if (isBlank(v)) issue('не заполнено');
      if (v instanceof CellError) issue(`ошибка в ячейке Excel (${v.code})`);
      if (typeof v === 'object' && !(v instanceof ExcelNumber) && !(v instanceof Date)) {
        issue('вложенный объект или массив вместо значения');
      }
      if (typeof v === 'string') {
        const bad = firstUnsafe(v.replace(PADDING, ''));
        if (bad) {
          issue(`недопустимый символ ${describeChar(bad.cp)} на ${bad.position}-й позиции; такие символы в значениях не допускаются`);
        }
      }
      return parse(typeof v === 'string' ? v.trim() : v, issue);
    } catch (err) {
      if (!(err instanceof FieldIssue)) throw err;
      const why = err.message;
      ctx.addIssue({ code: 'custom', message: why.startsWith('«') ? `${label} ${why}` : `${label}: ${why}` });
      return z.NEVER;
    }
  });
  return { label, optional: false, schema };
}

/** The same field, but an empty cell (or an absent column) gives null. */
export function optional<T>(f: Field<T>): Field<T | null> {
  const schema = z.unknown().optional().transform((v, ctx): T | null => {
    if (isBlank(v)) return null;
    const r = f.schema.safeParse(v);
    if (r.success) return r.data;
    for (const i of r.error.issues) ctx.addIssue({ code: 'custom', message: i.message });
    return z.NEVER;
  });
  return { label: f.label, optional: true, schema };
}

/** Free text (names, numbers of acts and orders). A number cell is taken as the digits it shows. */
export function text(label: string, maxLength = 500): Field<string> {
  return field(label, (v: unknown, issue: Issue) => {
    let s: string;
    if (typeof v === 'string') s = v;
    else if (v instanceof ExcelNumber || typeof v === 'number') {
      const t = excelNumberText(v instanceof ExcelNumber ? v.value : v);
      if (t === null) issue(`число «${shown(v)}» не записать текстом; введите значение как текст`);
      s = t;
    } else if (v instanceof Date) {
      issue(`Excel превратил значение в дату (${shown(v)}); отформатируйте столбец как текст`);
    } else issue(`ожидается текст, получено «${shown(v)}»`);
    // Characters, not UTF-16 units: a letter outside the basic plane (an emoji) counts once, as
    // the ISO 20022 schemas count it. A longer value is refused here; a shorter one that is still
    // longer than a bank file's field is fitted by that file's writer (a pain.001 Nm: 140).
    if (s.length > maxLength && [...s].length > maxLength) issue(`длиннее ${maxLength} символов`);
    return s;
  });
}

/** ИИН or БИН: 12 digits with a valid check digit (DOMAIN §7). */
export function idNumber(label: string): Field<string> {
  return field(label, (v: unknown, issue: Issue) => {
    if (v instanceof ExcelNumber || typeof v === 'number') {
      const t = excelNumberText(v instanceof ExcelNumber ? v.value : v);
      const where = v instanceof ExcelNumber ? 'в Excel' : 'в JSON';
      if (t !== null && /^\d{1,11}$/.test(t)) {
        issue(
          `записан ${where} числом и потерял ведущий ноль (${t}, ${t.length} цифр вместо 12); ` +
            `отформатируйте столбец как текст и введите все 12 цифр`,
        );
      }
      if (t === null || !/^\d{12}$/.test(t)) issue(`«${shown(v)}»: ожидается 12 цифр`);
      v = t;
    }
    if (typeof v !== 'string') issue(`ожидается 12 цифр, получено «${shown(v)}»`);
    const s = v as string;
    if (!/^\d{12}$/.test(s)) issue(`«${shown(s)}»: ожидается ровно 12 цифр`);
    if (!isValidIinBin(s)) issue(`«${s}»: неверная контрольная цифра ИИН/БИН`);
    return s;
  });
}

/** IBAN KZ: spaces are dropped and letters upper-cased, then format and mod-97 are checked. */
export function iban(label: string): Field<string> {
  return field(label, (v: unknown, issue: Issue) => {
    if (typeof v !== 'string') issue(`ожидается IBAN, получено «${shown(v)}»`);
    const s = (v as string).replace(/\s+/g, '').toUpperCase();
    if (!s.startsWith('KZ')) issue(`«${shown(v)}»: IBAN должен начинаться с KZ`);
    if (s.length !== 20) issue(`«${shown(v)}»: в IBAN KZ 20 символов, здесь ${s.length}`);
    if (!/^KZ\d{2}\d{3}[A-Z0-9]{13}$/.test(s)) {
      issue(`«${shown(v)}»: ожидается KZ, 2 контрольные цифры, 3 цифры кода банка и 13 букв или цифр`);
    }
    if (!isValidKzIban(s)) issue(`«${s}»: неверные контрольные цифры IBAN (проверка mod 97)`);
    return s;
  });
}

/** БИК: 8 characters like GCVPKZ2A; letters upper-cased. */
export function bik(label: string): Field<string> {
  return field(label, (v: unknown, issue: Issue) => {
    if (typeof v !== 'string') issue(`ожидается БИК, получено «${shown(v)}»`);
    const s = (v as string).toUpperCase();
    if (!isValidBik(s)) issue(`«${shown(v)}»: ожидается БИК из 8 символов, например GCVPKZ2A`);
    return s;
  });
}

/** Decimal text from a cell: the string itself, or the text Excel shows for a number cell. */
function decimalText(v: unknown, issue: Issue, what: string): string {
  if (v instanceof ExcelNumber) {
    const t = excelNumberText(v.value);
    if (t === null) issue(`число в ячейке Excel «${shown(v)}» не записать точно; введите ${what} как текст`);
    return t;
  }
  if (typeof v === 'number') issue(`в JSON ${what} пишется строкой, например "1234.50", а не числом ${String(v)}`);
  if (typeof v !== 'string') issue(`ожидается ${what}, получено «${shown(v)}»`);
  return v as string;
}

/** A space that may group thousands: a plain space, a no-break space (Excel), a narrow one. */
const GROUP = '[ \\u00a0\\u202f]';
const GROUPED = new RegExp(`^\\d{1,3}(?:${GROUP}\\d{3})+$`);
const HAS_GROUP = new RegExp(GROUP);

/**
 * A non-negative decimal as finance staff write it: 1234.50, 1234,50, 50 000,00, 50 000.00 (the
 * thousands grouped by a space or a no-break space, in threes). A point or a comma is the
 * decimal separator, never a thousands separator: 50,000.00 and 1.234,56 are refused as
 * ambiguous. (In a comma-separated CSV a value with a decimal comma is quoted, "50 000,00", as
 * CSV quotes any value holding its separator; unquoted, it splits the row — see csv-reader.ts.)
 */
function checkDecimal(s: string, scale: number, issue: Issue): Big {
  if (/^[-\u2212]/.test(s)) issue(`«${shown(s)}»: отрицательное значение`);
  const separators: string[] = s.match(/[.,]/g) ?? [];
  if (separators.includes('.') && separators.includes(',')) {
    issue(
      `«${shown(s)}»: в числе и точка, и запятая — непонятно, что отделяет дробную часть; ` +
        'разряды отделяются только пробелом, дробная часть — точкой или запятой: 50000.00 или 50 000,00',
    );
  }
  if (separators.length > 1) {
    issue(`«${shown(s)}»: несколько знаков «${separators[0]}»; разряды отделяются только пробелом, например 1 234 567,50`);
  }
  const sep = separators[0];
  const [whole, fraction] = sep ? s.split(sep) : [s, undefined];
  if (HAS_GROUP.test(whole) && GROUPED.test(whole) === false && /^[\d \u00a0\u202f]+$/.test(whole)) {
    issue(`«${shown(s)}»: пробел допустим только между группами по три цифры, например 50 000,00`);
  }
  const digits = whole.replace(new RegExp(GROUP, 'g'), '');
  if (!/^\d{1,16}$/.test(digits) || (fraction !== undefined && !/^\d+$/.test(fraction))) {
    issue(`«${shown(s)}»: ожидается число, например 1234.50 или 1 234,50`);
  }
  if (fraction !== undefined && fraction.length > scale) {
    issue(`«${shown(s)}»: не больше ${scale} знаков после ${sep === ',' ? 'запятой' : 'точки'}`);
  }
  return new Big(fraction === undefined ? digits : `${digits}.${fraction}`);
}

/** Amount in KZT: at most two decimals (see checkDecimal for the forms); normalized to "1234.50". */
export function amount(label: string, opts: { positive?: boolean } = {}): Field<string> {
  return field(label, (v: unknown, issue: Issue) => {
    const s = decimalText(v, issue, 'сумма');
    const b = checkDecimal(s, 2, issue);
    if (opts.positive && b.lte(0)) issue(`«${s}»: сумма должна быть больше нуля`);
    return b.toFixed(2);
  });
}

/** A non-negative decimal with up to `scale` decimals (hours, percents); normalized to that scale. */
export function decimal(label: string, scale: number): Field<string> {
  return field(label, (v: unknown, issue: Issue) => {
    const s = decimalText(v, issue, 'число');
    return checkDecimal(s, scale, issue).toFixed(scale);
  });
}

/** ДД.ММ.ГГГГ (a day and month of one or two digits) as YYYY-MM-DD, or null. */
function russianDate(s: string): string | null {
  const m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(s);
  return m ? `${m[3]}-${m[2].padStart(2, '0')}-${m[1].padStart(2, '0')}` : null;
}

/** A date that exists: 'YYYY-MM-DD' or 'ДД.ММ.ГГГГ' (or an Excel date cell); stored as YYYY-MM-DD. */
export function date(label: string): Field<string> {
  return field(label, (v: unknown, issue: Issue) => {
    if (v instanceof Date) {
      const t = excelDateText(v);
      if (t === null) issue('дата в ячейке Excel вне допустимого диапазона');
      return t;
    }
    if (typeof v !== 'string') issue(`ожидается дата ДД.ММ.ГГГГ или ГГГГ-ММ-ДД, получено «${shown(v)}»`);
    const s = v as string;
    const iso = /^\d{4}-\d{2}-\d{2}$/.test(s) ? s : russianDate(s);
    if (iso === null) {
      if (/^\d{1,2}\.\d{1,2}\.\d{2}$/.test(s)) issue(`«${s}»: год записан двумя цифрами; ожидается ДД.ММ.ГГГГ`);
      if (/^\d{1,4}\/\d{1,2}\/\d{1,4}$/.test(s)) {
        issue(`«${s}»: дата через «/» неоднозначна (день и месяц можно спутать); ожидается ДД.ММ.ГГГГ или ГГГГ-ММ-ДД`);
      }
      issue(`«${shown(s)}»: ожидается дата в виде ДД.ММ.ГГГГ или ГГГГ-ММ-ДД`);
    }
    if (!isValidDate(iso)) issue(`даты «${s}» не существует`);
    return iso;
  });
}

/**
 * A month: 'YYYY-MM' or 'ММ.ГГГГ' (or an Excel date cell on the 1st, which is what Excel makes of
 * "2025-01"); stored as YYYY-MM.
 */
export function month(label: string): Field<string> {
  return field(label, (v: unknown, issue: Issue) => {
    if (v instanceof Date) {
      const t = excelDateText(v);
      if (t === null || !t.endsWith('-01')) issue(`ожидается месяц ММ.ГГГГ, в ячейке Excel дата ${t ?? ''}`);
      return t.slice(0, 7);
    }
    if (typeof v !== 'string') issue(`ожидается месяц ММ.ГГГГ или ГГГГ-ММ, получено «${shown(v)}»`);
    const s = v as string;
    const russian = /^(\d{1,2})\.(\d{4})$/.exec(s);
    const iso = /^\d{4}-\d{2}$/.test(s) ? s : russian ? `${russian[2]}-${russian[1].padStart(2, '0')}` : null;
    if (iso === null) issue(`«${shown(s)}»: ожидается месяц в виде ММ.ГГГГ или ГГГГ-ММ`);
    if (!isValidMonth(iso)) issue(`месяца «${s}» не существует`);
    return iso;
  });
}

const TRUE_WORDS = new Set(['true', 'да', 'истина']);
const FALSE_WORDS = new Set(['false', 'нет', 'ложь']);

/**
 * да / нет, true / false (any letter case, as Excel writes TRUE/FALSE), ИСТИНА / ЛОЖЬ (what a
 * Russian Excel writes for a boolean cell into a CSV), or a boolean cell.
 */
export function bool(label: string): Field<boolean> {
  return field(label, (v: unknown, issue: Issue) => {
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string') {
      const s = v.toLowerCase();
      if (TRUE_WORDS.has(s)) return true;
      if (FALSE_WORDS.has(s)) return false;
    }
    return issue(`«${shown(v)}»: ожидается да или нет (true или false)`);
  });
}

/** One of the listed values. */
export function oneOf<const T extends string>(label: string, values: readonly T[]): Field<T> {
  return field(label, (v: unknown, issue: Issue) => {
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
      issue(`«${shown(v)}»: допустимо ${values.join(', ')}`);
    }
    return v as T;
  });
}

// ---------------------------------------------------------------------------------------------
// A whole file kind: its columns (in the order of INTERFACE.md), the row schema, the natural key.

export type Columns = Record<string, Field<unknown>>;
export type RowOf<C extends Columns> = { [K in keyof C]: C[K] extends Field<infer T> ? T : never };

export interface RowRefinement<R> {
  /** Reports a problem of a whole row on one of its fields. */
  (row: R, issue: (column: keyof R & string, message: string) => void): void;
}

export interface ImportSchema<R> {
  /** All columns in the order of INTERFACE.md. */
  columns: string[];
  required: string[];
  optional: string[];
  labels: Record<string, string>;
  /** The natural key columns (INTERFACE.md). */
  key: (keyof R & string)[];
  row: z.ZodType<R, unknown>;
}

export function importSchema<C extends Columns>(
  columns: C,
  key: (keyof C & string)[],
  refine?: RowRefinement<RowOf<C>>,
): ImportSchema<RowOf<C>> {
  const shape = Object.fromEntries(Object.entries(columns).map(([k, f]) => [k, f.schema]));
  let row = z.object(shape) as unknown as z.ZodType<RowOf<C>, unknown>;
  if (refine) {
    row = row.superRefine((r, ctx) =>
      refine(r, (column, message) => ctx.addIssue({ code: 'custom', path: [column], message })),
    ) as unknown as z.ZodType<RowOf<C>, unknown>;
  }
  const names = Object.keys(columns);
  return {
    columns: names,
    required: names.filter((n) => !columns[n].optional),
    optional: names.filter((n) => columns[n].optional),
    labels: Object.fromEntries(names.map((n) => [n, columns[n].label])),
    key,
    row,
  };
}
