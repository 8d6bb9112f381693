// ISO calendar dates ('YYYY-MM-DD') and months ('YYYY-MM') as plain strings.
// All arithmetic goes through a day number (days since 1970-01-01, UTC), so the local time
// zone of the machine never matters. A malformed date or month is an InvalidDate or InvalidMonth
// (exit 2, pipeline/kernel/errors.ts), raised here for every caller.
import { InvalidDate, InvalidMonth } from './errors.ts';

export type IsoDate = string;
export type IsoMonth = string;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_RE = /^(\d{4})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function monthLength(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

export function isValidMonth(s: string): boolean {
  const m = MONTH_RE.exec(s);
  if (!m) return false;
  const month = Number(m[2]);
  return Number(m[1]) >= 1 && month >= 1 && month <= 12;
}

export function isValidDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m || !isValidMonth(`${m[1]}-${m[2]}`)) return false;
  const day = Number(m[3]);
  return day >= 1 && day <= monthLength(Number(m[1]), Number(m[2]));
}

export function assertDate(s: string): IsoDate {
  if (!isValidDate(s)) throw new InvalidDate(`Некорректная дата: «${s}» (ожидается ГГГГ-ММ-ДД)`);
  return s;
}

export function assertMonth(s: string): IsoMonth {
  if (!isValidMonth(s)) throw new InvalidMonth(`Некорректный месяц: «${s}» (ожидается ГГГГ-ММ)`);
  return s;
}

function parts(date: IsoDate): [number, number, number] {
  assertDate(date);
  return [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];
}

function monthParts(month: IsoMonth): [number, number] {
  assertMonth(month);
  return [Number(month.slice(0, 4)), Number(month.slice(5, 7))];
}

function toDayNumber(date: IsoDate): number {
  const [y, m, d] = parts(date);
  const dt = new Date(0);
  dt.setUTCFullYear(y, m - 1, d); // setUTCFullYear keeps years < 100 literal, unlike Date.UTC
  return Math.round(dt.getTime() / MS_PER_DAY);
}

function fromDayNumber(n: number): IsoDate {
  const dt = new Date(n * MS_PER_DAY);
  return `${pad(dt.getUTCFullYear(), 4)}-${pad(dt.getUTCMonth() + 1, 2)}-${pad(dt.getUTCDate(), 2)}`;
}

/** The year of a date or a month. */
export function yearOf(dateOrMonth: IsoDate | IsoMonth): number {
  if (!isValidDate(dateOrMonth) && !isValidMonth(dateOrMonth)) {
    throw new InvalidDate(`Некорректная дата или месяц: «${dateOrMonth}»`);
  }
  return Number(dateOrMonth.slice(0, 4));
}

export function monthOf(date: IsoDate): IsoMonth {
  return assertDate(date).slice(0, 7);
}

export function daysInMonth(month: IsoMonth): number {
  const [y, m] = monthParts(month);
  return monthLength(y, m);
}

export function firstDayOfMonth(month: IsoMonth): IsoDate {
  return `${assertMonth(month)}-01`;
}

export function lastDayOfMonth(month: IsoMonth): IsoDate {
  return `${month}-${pad(daysInMonth(month), 2)}`;
}

/** date + n calendar days (n may be negative). */
export function addDays(date: IsoDate, n: number): IsoDate {
  if (!Number.isInteger(n)) throw new RangeError(`addDays: not an integer: ${n}`);
  return fromDayNumber(toDayNumber(date) + n);
}

/** month + n months (n may be negative). */
export function addMonths(month: IsoMonth, n: number): IsoMonth {
  if (!Number.isInteger(n)) throw new RangeError(`addMonths: not an integer: ${n}`);
  const [y, m] = monthParts(month);
  const index = y * 12 + (m - 1) + n;
  const year = Math.floor(index / 12);
  if (year < 1) throw new InvalidMonth(`Месяц вне допустимого диапазона: ${month} + ${n}`);
  return `${pad(year, 4)}-${pad((index % 12) + 1, 2)}`;
}

/** Number of calendar days from a to b (b − a); negative when b is before a. */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return toDayNumber(b) - toDayNumber(a);
}

/** -1, 0 or 1, like a sort comparator. */
export function compareDates(a: IsoDate, b: IsoDate): -1 | 0 | 1 {
  assertDate(a);
  assertDate(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** -1, 0 or 1, like a sort comparator. */
export function compareMonths(a: IsoMonth, b: IsoMonth): -1 | 0 | 1 {
  assertMonth(a);
  assertMonth(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** ISO 8601 day of the week: 1 = Monday … 7 = Sunday. */
export function dayOfWeek(date: IsoDate): number {
  // 1970-01-01 was a Thursday (4).
  return ((((toDayNumber(date) + 3) % 7) + 7) % 7) + 1;
}

export function isWeekend(date: IsoDate): boolean {
  return dayOfWeek(date) >= 6;
}

const ALMATY_FORMAT = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Almaty',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The calendar date in Asia/Almaty at the instant `now`. Only the CLI and the scheduler call this. */
export function todayInAlmaty(now: Date = new Date()): IsoDate {
  const p = Object.fromEntries(ALMATY_FORMAT.formatToParts(now).map((x) => [x.type, x.value]));
  return assertDate(`${p.year}-${p.month}-${p.day}`);
}
