// What the form modules share: Russian periods and dates, the State Corporation's name,
// signature blocks, totals with big.js.
//
// A form module turns the JSON document a report builder returned (reports/registry.ts), typed
// by its schema (schemas/reports/), into one or more FormDocuments (reports/render/document.ts);
// the renderers do the rest. The JSON document is the single source: a form module reads no
// database and never recomputes a figure the document already holds, it only adds the totals
// the document leaves to the reader (checked again by the renderer against the rows) and the
// amount in words.
import type { Column, FormDocument, SignatureBlock } from '../render/document.ts';
import { RenderError } from '../render/document.ts';
import { formatAmount, sum } from '../../pipeline/kernel/money.ts';
import { amountInWords } from '../amount-words.ts';

/** One file a form yields: its base name (no extension) and the document. */
export interface FormFile {
  baseName: string;
  document: FormDocument;
  /** ИИН, names, accounts of persons: the file is written with mode 0600. */
  personalData: boolean;
}

export interface FormInput {
  /** The report's base name, `<form>_<month>[_<mio_bin>]`. */
  baseName: string;
}

export const GK_NAME = 'НАО «Государственная корпорация «Правительство для граждан»»';
/** ГК's name as the appendices of the Algorithm print it (their quotation marks). */
export const GK_NAME_FORM = 'НАО "Государственная корпорация "Правительство для граждан"';

/**
 * The label of an approved form, as the Algorithm's appendices print it top right (the Algorithm
 * of the joint order No. 277 / No. 459/НҚ, Appendices 1–4), and the word «Форма» under it.
 */
export function appendixLabel(n: 1 | 2 | 3 | 4): string {
  return (
    `Приложение ${n}\nк Алгоритму взаимодействия центральных государственных и местных исполнительных органов ` +
    'городов Астана и Алматы, Акмолинской области, информационных систем и организаций при реализации ' +
    'пилотного проекта по возмещению стоимости услуг индивидуального помощника местными исполнительными ' +
    'органами через некоммерческое акционерное общество "Государственная корпорация "Правительство для граждан"'
  );
}
export const FORM_WORD = 'Форма';

/** The caption under a blank the appendix fills with the МИО's name. */
export const MIO_NAME_CAPTION = '(наименование МИО)';

export const SIGNATURE_LINE = '________________________________________';
export const SIGNATURE_CAPTION = '(фамилия, имя, отчество (при его наличии), должность и подпись ответственного лица)';
/** The caption under a signature line, as Appendices 3 and 4 print it (no comma). */
export const FORM_SIGNATURE_CAPTION = '(фамилия, имя, отчество (при его наличии) должность и подпись ответственного лица)';

export function signature(title: string, caption: string = SIGNATURE_CAPTION): SignatureBlock {
  return { title, lines: [SIGNATURE_LINE, caption] };
}

const MONTHS = [
  'январь',
  'февраль',
  'март',
  'апрель',
  'май',
  'июнь',
  'июль',
  'август',
  'сентябрь',
  'октябрь',
  'ноябрь',
  'декабрь',
];

/** "2025-02" → "февраль 2025". */
export function monthText(month: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  const i = m ? Number(m[2]) - 1 : -1;
  if (!m || i < 0 || i > 11) throw new RenderError(`not a month YYYY-MM: ${JSON.stringify(month)}`);
  return `${MONTHS[i]} ${m[1]}`;
}

const MONTHS_IN = [
  'январе',
  'феврале',
  'марте',
  'апреле',
  'мае',
  'июне',
  'июле',
  'августе',
  'сентябре',
  'октябре',
  'ноябре',
  'декабре',
];

/** "2025-02" → "февраль 2025 года": a month on the approved forms. */
export function monthYearText(month: string): string {
  return `${monthText(month)} года`;
}

/** "2025-02" → "в феврале 2025 г.". */
export function inMonthText(month: string): string {
  const [name, year] = monthText(month).split(' ');
  return `в ${MONTHS_IN[MONTHS.indexOf(name)]} ${year} г.`;
}

/** "2025-02-15" → "15.02.2025". */
export function dateText(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RenderError(`not a date YYYY-MM-DD: ${JSON.stringify(date)}`);
  return `${m[3]}.${m[2]}.${m[1]}`;
}

/** "1234567.8" → "1 234 567,80" with ordinary spaces (for running text). */
export function amountText(amount: string): string {
  const [int, frac] = formatAmount(amount).split('.');
  const negative = int.startsWith('-');
  const digits = negative ? int.slice(1) : int;
  return `${negative ? '-' : ''}${digits.replace(/\B(?=(\d{3})+(?!\d))/g, ' ')},${frac}`;
}

/** "Всего: 149 311,49 (Сто сорок девять тысяч триста одиннадцать тенге 49 тиын)". */
export function totalInWordsLine(label: string, amount: string, words: string = amountInWords(formatAmount(amount))): string {
  return `${label} ${amountText(amount)} (${words})`;
}

/**
 * The width (Excel characters) of a free-text column that fits its longest value, between `min`
 * and `max`: Excel does not wrap data cells, so a column narrower than its text cuts it off.
 */
export function fitWidth(values: Iterable<string | null | undefined>, min = 12, max = 100): number {
  let longest = 0;
  for (const v of values) if (v) longest = Math.max(longest, ...v.split('\n').map((line) => [...line].length));
  return Math.min(max, Math.max(min, longest + 2));
}

/** The columns with the free-text ones named in `keys` as wide as their longest value in `rows`. */
export function widened(columns: Column[], rows: readonly Record<string, unknown>[], keys: string[]): Column[] {
  return columns.map((c) => (keys.includes(c.key) ? { ...c, width: fitWidth(rows.map((r) => r[c.key] as string | null)) } : c));
}

/** Σ of decimal strings, two decimals. */
export function total(amounts: Iterable<string>): string {
  return formatAmount(sum(amounts));
}

/** A МИО as a heading line: «ГУ «…» (БИН 123456789012)». */
export function mioLabel(bin: string, name: string): string {
  return `${name} (БИН ${bin})`;
}

/** A document that contradicts itself (a bug of its builder): nothing is printed. */
export function fail(form: string, what: string): never {
  throw new RenderError(`report "${form}": ${what}`);
}

/**
 * The base name of a separate document a report writes beside its form: `list_2025-02` →
 * `list-held_2025-02` (the `<form>` prefix replaced, month and МИО kept).
 */
export function siblingBaseName(baseName: string, form: string, sibling: string): string {
  return baseName.startsWith(`${form}_`) ? `${sibling}${baseName.slice(form.length)}` : `${sibling}_${baseName}`;
}

/** `<base>_<БИН>` unless the base already names the МИО (`--mio`). */
export function perMioBaseName(baseName: string, bin: string): string {
  return baseName.endsWith(`_${bin}`) ? baseName : `${baseName}_${bin}`;
}
