// Field types of the input files (INTERFACE.md "Input files"): how one cell becomes a normalized
// string, and the Russian reason when it cannot. A cell arrives as the reader saw it:
//  - CSV: always a string;
//  - JSON: string, number, boolean or null (a nested value is refused);
//  - XLSX: string, ExcelNumber (a cell Excel typed as a number), Date (a date-formatted cell,
//    UTC midnight), boolean, CellError (#N/A and the like), or null.
// Every field trims strings and treats an empty string as a missing value. Amounts and decimals
// never pass through a JavaScript number on the way in, except the unavoidable XLSX number cell,
// which is converted back to the text Excel shows (15 significant digits) before any check.
import Big from 'big.js';
import { z } from 'zod';
import { isValidDate, isValidMonth } from '../pipeline/kernel/dates.ts';
import { isValidBik, isValidIinBin, isValidKzIban } from '../pipeline/kernel/identifiers.ts';

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

/** How a raw value is shown in a message or written back to the rejected-rows file. */
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

/** A control character (a line break included): never part of a name or a number. */
function hasControlChar(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

function isBlank(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
}

function shown(v: unknown): string {
  const s = rawText(v as RawValue);
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
    if (hasControlChar(s)) issue('текст содержит перевод строки или управляющие символы');
    if (s.length > maxLength) issue(`длиннее ${maxLength} символов`);
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

function checkDecimal(s: string, scale: number, issue: Issue): Big {
  if (/^-?\d+,\d*$/.test(s)) issue(`«${s}»: десятичный разделитель — точка, не запятая`);
  if (/\s/.test(s)) issue(`«${s}»: без пробелов и разделителей разрядов`);
  if (s.startsWith('-')) issue(`«${s}»: отрицательное значение`);
  const m = /^(\d{1,16})(?:\.(\d+))?$/.exec(s);
  if (!m) issue(`«${s}»: ожидается число с точкой, например 1234.50`);
  if (m![2] !== undefined && m![2].length > scale) {
    issue(`«${s}»: не больше ${scale} знаков после точки`);
  }
  return new Big(s);
}

/** Amount in KZT: decimal with a dot, at most two decimals; normalized to "1234.50". */
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

/** A date that exists, 'YYYY-MM-DD' (or an Excel date cell). */
export function date(label: string): Field<string> {
  return field(label, (v: unknown, issue: Issue) => {
    if (v instanceof Date) {
      const t = excelDateText(v);
      if (t === null) issue('дата в ячейке Excel вне допустимого диапазона');
      return t;
    }
    if (typeof v !== 'string') issue(`ожидается дата ГГГГ-ММ-ДД, получено «${shown(v)}»`);
    const s = v as string;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) issue(`«${shown(s)}»: ожидается дата в виде ГГГГ-ММ-ДД`);
    if (!isValidDate(s)) issue(`даты «${s}» не существует`);
    return s;
  });
}

/** A month 'YYYY-MM' (or an Excel date cell on the 1st, which is what Excel makes of "2025-01"). */
export function month(label: string): Field<string> {
  return field(label, (v: unknown, issue: Issue) => {
    if (v instanceof Date) {
      const t = excelDateText(v);
      if (t === null || !t.endsWith('-01')) issue(`ожидается месяц ГГГГ-ММ, в ячейке Excel дата ${t ?? ''}`);
      return t.slice(0, 7);
    }
    if (typeof v !== 'string') issue(`ожидается месяц ГГГГ-ММ, получено «${shown(v)}»`);
    const s = v as string;
    if (!/^\d{4}-\d{2}$/.test(s)) issue(`«${shown(s)}»: ожидается месяц в виде ГГГГ-ММ`);
    if (!isValidMonth(s)) issue(`месяца «${s}» не существует`);
    return s;
  });
}

/** true / false (any letter case, as Excel writes TRUE/FALSE), or a boolean cell. */
export function bool(label: string): Field<boolean> {
  return field(label, (v: unknown, issue: Issue) => {
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string') {
      const s = v.toLowerCase();
      if (s === 'true') return true;
      if (s === 'false') return false;
    }
    return issue(`«${shown(v)}»: ожидается true или false`);
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
