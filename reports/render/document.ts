// The shared document model of every form (Appendices 1–4 and the other reports) and the
// helpers both renderers use. A form module builds a FormDocument from plain data and hands it
// to renderXlsx / renderPdf; nothing in here knows about a particular form.
//
// Values: amounts are decimal strings ("1234567.89", at most two decimals, optional minus);
// counts are integers (number or digit string); dates "YYYY-MM-DD"; months "YYYY-MM"; text is
// anything printable (a number is shown as is). null or a missing key is an empty cell.
import Big from 'big.js';
import { formatAmount } from '../../pipeline/kernel/money.ts';

export type CellType = 'text' | 'amount' | 'count' | 'date' | 'month';
export type CellValue = string | number | null;
/** A row: cell values by column key; a boolean is only read as a row's mark (Section.marks). */
export type Row = Readonly<Record<string, CellValue | boolean | undefined>>;

export interface Column {
  /** Key of the value in each row and in `totals`. Unique within a section. */
  key: string;
  /** Header text; '\n' forces a line break. */
  header: string;
  type: CellType;
  /** Width in characters (Excel column width); the PDF treats it as the preferred width. */
  width?: number;
  /**
   * A header spanning adjacent columns that carry the same group, drawn as an extra header row
   * above theirs (Appendix 4: «Перечислено …» over «количество получателей» and «сумма»).
   */
  group?: string;
}

/** The totals row. `label` («Итого», «Всего:») goes into the leading columns that have no total. */
export type Totals = Record<string, CellValue> & { label?: string };

export interface SignatureBlock {
  /** Who signs, e.g. «НАО "Государственная корпорация "Правительство для граждан"». */
  title: string;
  /** Lines under the title: «______________», «(фамилия, имя, отчество …)». */
  lines: string[];
}

export interface Section {
  /** Sheet name in XLSX (made unique and Excel-safe), caption in the PDF when `heading` is empty. */
  name: string;
  /** Lines above the table: «Подразделение: …», «Месяц на выплату: …». */
  heading: string[];
  columns: Column[];
  /** A row with the column numbers 1…N under the header, as the official forms have. */
  numberRow?: boolean;
  /** Amounts as decimal strings. Consumed once, in order; may be async (a DB cursor). */
  rows: Iterable<Row> | AsyncIterable<Row>;
  /**
   * How many rows `rows` yields, when known and `rows` is not an array. Lets the PDF renderer
   * plan its volumes without first spooling the rows to a temporary file. Checked.
   */
  rowCount?: number;
  /**
   * Amount and count totals must equal the sum of the column (checked, big.js): the XLSX writes
   * them as SUM formulas with the given value as the cached result.
   */
  totals?: Totals;
  /** Lines after the table, e.g. «Всего: Сто двадцать три тысячи … тенге 45 тиын». */
  footer?: string[];
  /** Signature blocks, side by side, after the footer. */
  signatures?: SignatureBlock[];
  /**
   * Rows whose `key` is `true` get `sign` beside the value of their first column (a footnote sign
   * in the row-number cell; the footnote itself is a footer line). The cell keeps its value.
   */
  marks?: { key: string; sign: string };
}

/** Where rowCells puts a row's mark (see Section.marks): never a column key. */
export const MARK_KEY = '\u0000mark';

export interface FormDocument {
  /**
   * Which form: an approved form's appendix label as the appendix prints it («Приложение 1\nк
   * Алгоритму взаимодействия …», top right, '\n' breaks the line), or a plain caption of one of
   * the pipeline's own documents.
   */
  form: string;
  /** The word under the appendix label, «Форма», on the approved forms. */
  formWord?: string;
  title: string;
  /**
   * A line under the title, e.g. «Отчетный период: март 2025 года»; '' when the form has none
   * (Appendix 1 puts «Месяц на выплату» after «Подразделение», among the heading lines).
   */
  period: string;
  /**
   * A remark outside the form (PDF page footer, XLSX print footer), e.g. that the figures are
   * preliminary: the approved form itself carries nothing the appendix lacks.
   */
  note?: string;
  orientation: 'portrait' | 'landscape';
  sections: Section[];
}

export interface RenderOptions {
  /** The file holds personal data (ИИН, names): create it with mode 0600. */
  personalData?: boolean;
}

export class RenderError extends Error {
  override name = 'RenderError';
}

// ---------------------------------------------------------------------------------------------
// Values

const AMOUNT_RE = /^-?\d{1,16}(\.\d{1,2})?$/;
const COUNT_RE = /^-?\d{1,15}$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_RE = /^(\d{4})-(\d{2})$/;

/** A cell value checked against its column type, ready for either renderer. */
export type Cell =
  | { type: 'empty' }
  | { type: 'text'; text: string }
  | { type: 'amount'; amount: string } // canonical decimal string, two decimals: "1234.50"
  | { type: 'count'; count: number }
  | { type: 'date'; year: number; month: number; day: number }
  | { type: 'month'; text: string }; // as printed: «январь 2025 г.»

const EMPTY: Cell = { type: 'empty' };

const MONTH_NAMES = ['январь', 'февраль', 'март', 'апрель', 'май', 'июнь', 'июль', 'август', 'сентябрь', 'октябрь', 'ноябрь', 'декабрь'];

function badCell(column: Column, value: CellValue, where: () => string, what: string): never {
  throw new RenderError(`${where()}, column "${column.key}": ${what}: ${JSON.stringify(value)}`);
}

export function toCell(column: Column, value: CellValue | undefined, where: () => string): Cell {
  if (value === null || value === undefined) return EMPTY;
  switch (column.type) {
    case 'text':
      if (typeof value === 'number') {
        if (!Number.isFinite(value)) badCell(column, value, where, 'not a finite number');
        return { type: 'text', text: String(value) };
      }
      return value === '' ? EMPTY : { type: 'text', text: value };
    case 'amount':
      // A JavaScript number never holds an amount: refuse it rather than guess its decimals.
      if (typeof value !== 'string') return badCell(column, value, where, 'an amount must be a decimal string');
      if (!AMOUNT_RE.test(value)) return badCell(column, value, where, 'not an amount');
      return { type: 'amount', amount: formatAmount(value) };
    case 'count': {
      const text = typeof value === 'number' ? String(value) : value.trim();
      if (!COUNT_RE.test(text)) return badCell(column, value, where, 'not an integer count');
      const count = Number(text);
      if (!Number.isSafeInteger(count)) return badCell(column, value, where, 'count out of range');
      return { type: 'count', count };
    }
    case 'date': {
      const m = typeof value === 'string' ? DATE_RE.exec(value) : null;
      if (!m) return badCell(column, value, where, 'not a date YYYY-MM-DD');
      const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
      const d = new Date(Date.UTC(year, month - 1, day));
      if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) {
        badCell(column, value, where, 'no such date');
      }
      return { type: 'date', year, month, day };
    }
    case 'month': {
      const m = typeof value === 'string' ? MONTH_RE.exec(value) : null;
      if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) return badCell(column, value, where, 'not a month YYYY-MM');
      // Months are printed in words (DOMAIN §6): "2025-01" → «январь 2025 г.».
      return { type: 'month', text: `${MONTH_NAMES[Number(m[2]) - 1]} ${m[1]} г.` };
    }
    default:
      return badCell(column, value, where, `unknown column type "${String(column.type)}"`);
  }
}

const NBSP = '\u00a0';

/** "1234567.89" → "1 234 567,89" (no-break spaces, decimal comma): amounts as printed. */
export function formatAmountText(amount: string): string {
  const fixed = new Big(amount).toFixed(2);
  const negative = fixed.startsWith('-');
  const [int, frac] = (negative ? fixed.slice(1) : fixed).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
  return `${negative ? '-' : ''}${grouped},${frac}`;
}

/** How a cell reads on paper (and how wide it is for the XLSX column estimate). */
export function cellText(cell: Cell): string {
  switch (cell.type) {
    case 'empty':
      return '';
    case 'text':
    case 'month':
      return cell.text;
    case 'amount':
      return formatAmountText(cell.amount);
    case 'count':
      return String(cell.count);
    case 'date':
      return `${pad2(cell.day)}.${pad2(cell.month)}.${cell.year}`;
  }
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

// ---------------------------------------------------------------------------------------------
// Sections, rows, totals

/** Checks the parts of a section that do not depend on its rows. Throws RenderError. */
export function checkSection(section: Section, index: number): void {
  const where = `section ${index + 1} "${section.name}"`;
  if (section.columns.length === 0) throw new RenderError(`${where}: no columns`);
  const keys = new Set<string>();
  for (const c of section.columns) {
    if (keys.has(c.key)) throw new RenderError(`${where}: duplicate column key "${c.key}"`);
    keys.add(c.key);
    if (c.width !== undefined && !(c.width > 0 && c.width <= 255)) {
      throw new RenderError(`${where}: column "${c.key}" width must be in (0, 255]`);
    }
  }
  if (section.rowCount !== undefined && !(Number.isSafeInteger(section.rowCount) && section.rowCount >= 0)) {
    throw new RenderError(`${where}: rowCount must be a non-negative integer`);
  }
  if (section.totals) {
    for (const key of Object.keys(section.totals)) {
      if (key !== 'label' && !keys.has(key)) throw new RenderError(`${where}: totals key "${key}" is not a column`);
    }
    if (keys.has('label')) throw new RenderError(`${where}: a column keyed "label" collides with totals.label`);
    const first = section.columns[0];
    if (section.totals.label !== undefined && section.totals[first.key] != null) {
      throw new RenderError(`${where}: totals label and a total in the first column "${first.key}" collide`);
    }
  }
}

/** Rows of a section as one async stream, whether the caller gave an array, a generator or a cursor. */
export async function* iterateRows(rows: Section['rows']): AsyncGenerator<Row> {
  for await (const row of rows) yield row;
}

export function isArrayRows(rows: Section['rows']): rows is readonly Row[] {
  return Array.isArray(rows);
}

/**
 * Sums the amount and count columns that have a total, as the rows go by, and checks the caller's
 * totals against them at the end: a SUM formula in the XLSX must agree with the printed figure.
 */
export class TotalsCheck {
  private readonly sums = new Map<string, Big>();

  constructor(private readonly section: Section, private readonly where: string) {
    for (const c of section.columns) {
      const t = section.totals?.[c.key];
      if ((c.type === 'amount' || c.type === 'count') && t !== null && t !== undefined) {
        this.sums.set(c.key, new Big(0));
      }
    }
  }

  add(cells: Map<string, Cell>): void {
    for (const [key, total] of this.sums) {
      const cell = cells.get(key);
      if (cell?.type === 'amount') this.sums.set(key, total.plus(cell.amount));
      else if (cell?.type === 'count') this.sums.set(key, total.plus(cell.count));
    }
  }

  /** The checked totals cells, keyed by column. */
  finish(): Map<string, Cell> {
    const out = new Map<string, Cell>();
    const totals = this.section.totals;
    if (!totals) return out;
    for (const c of this.section.columns) {
      const cell = toCell(c, totals[c.key], () => `${this.where}, totals`);
      const sum = this.sums.get(c.key);
      if (sum) {
        const given = cell.type === 'amount' ? new Big(cell.amount) : cell.type === 'count' ? new Big(cell.count) : null;
        if (!given || !given.eq(sum)) {
          throw new RenderError(
            `${this.where}: totals "${c.key}" is ${JSON.stringify(totals[c.key])} but the rows sum to ${
              c.type === 'amount' ? sum.toFixed(2) : sum.toFixed(0)
            }`,
          );
        }
      }
      out.set(c.key, cell);
    }
    return out;
  }
}

/** The cells of one row, checked. */
export function rowCells(columns: Column[], row: Row, where: () => string, marks?: Section['marks']): Map<string, Cell> {
  if (row === null || typeof row !== 'object') throw new RenderError(`${where()}: a row must be an object`);
  const cells = new Map<string, Cell>();
  for (const c of columns) cells.set(c.key, toCell(c, cellValueOf(c, row[c.key], where), where));
  if (marks && (row as Record<string, unknown>)[marks.key] === true) cells.set(MARK_KEY, { type: 'text', text: marks.sign });
  return cells;
}

function cellValueOf(column: Column, value: CellValue | boolean | undefined, where: () => string): CellValue | undefined {
  if (typeof value === 'boolean') throw new RenderError(`${where()}, column "${column.key}": a boolean is not a cell value`);
  return value;
}

/** The mark of a row (Section.marks), or ''. */
export function rowMark(cells: Map<string, Cell>): string {
  const m = cells.get(MARK_KEY);
  return m?.type === 'text' ? m.text : '';
}

/** Index of the first column holding a total: the label spans the columns before it. */
export function totalsLabelSpan(section: Section): number {
  const totals = section.totals;
  if (!totals) return 0;
  const i = section.columns.findIndex((c) => totals[c.key] !== null && totals[c.key] !== undefined);
  return i < 0 ? section.columns.length : Math.max(1, i);
}

export const DEFAULT_TOTALS_LABEL = 'Итого';

/** Runs of adjacent columns with the same `group`: [start, length, group text or null]. */
export function headerGroups(columns: Column[]): { start: number; span: number; group: string | null }[] {
  const out: { start: number; span: number; group: string | null }[] = [];
  for (let i = 0; i < columns.length; i++) {
    const g = columns[i].group ?? null;
    const last = out[out.length - 1];
    if (g !== null && last && last.group === g && last.start + last.span === i) last.span++;
    else out.push({ start: i, span: 1, group: g });
  }
  return out;
}

export function hasGroups(columns: Column[]): boolean {
  return columns.some((c) => c.group !== undefined);
}

// ---------------------------------------------------------------------------------------------
// Excel sheet names

// eslint-disable-next-line no-control-regex -- control characters are exactly what must go
const FORBIDDEN_SHEET_CHARS = /[\\/?*[\]:\u0000-\u001f]/g;

/**
 * Excel-safe, unique sheet names: no \ / ? * [ ] :, not starting or ending with an apostrophe,
 * at most 31 characters, unique ignoring case, never the reserved "History".
 */
export function sheetNames(names: string[]): string[] {
  const used = new Set<string>();
  return names.map((raw, i) => {
    let base = raw.replace(FORBIDDEN_SHEET_CHARS, '_').replace(/\s+/g, ' ').trim().replace(/^'+|'+$/g, '').trim();
    if (base === '') base = `Лист ${i + 1}`;
    if (base.toLowerCase() === 'history') base = `${base}_`;
    base = truncate(base, 31);
    let name = base;
    for (let n = 2; used.has(name.toUpperCase()); n++) {
      const suffix = ` (${n})`;
      name = truncate(base, 31 - suffix.length).trimEnd().replace(/'+$/, '') + suffix;
    }
    used.add(name.toUpperCase());
    return name;
  });
}

function truncate(s: string, max: number): string {
  const chars = Array.from(s);
  return chars.length <= max ? s : chars.slice(0, max).join('');
}
