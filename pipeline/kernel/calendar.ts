// Kazakhstan's working-day calendar (DOMAIN.md §8). Data per year: weekdays that are off and
// weekend days that are working. A date in a year that is not loaded is an error, never a guess:
// CalendarYearMissing (exit 4), raised here, so no caller translates it.
import { CalendarInvalid, CalendarYearMissing } from './errors.ts';
import { addDays, assertDate, assertMonth, isWeekend, lastDayOfMonth, yearOf, type IsoDate, type IsoMonth } from './dates.ts';
import { readReferenceFiles, type CalendarYear } from './reference-files.ts';

interface YearDays {
  off: Set<IsoDate>;
  work: Set<IsoDate>;
}

export class Calendar {
  private readonly years = new Map<number, YearDays>();

  constructor(years: CalendarYear[]) {
    for (const y of years) {
      if (this.years.has(y.year)) throw new CalendarInvalid(`Календарь рабочих дней на ${y.year} год задан дважды`);
      this.years.set(y.year, { off: new Set(y.off), work: new Set(y.work) });
    }
  }

  /** The calendar of the shipped reference files (reference/calendar/*.json). */
  static fromReferenceFiles(dir?: string): Calendar {
    return new Calendar(readReferenceFiles(dir).calendars);
  }

  covers(year: number): boolean {
    return this.years.has(year);
  }

  /** Years loaded, ascending. */
  coveredYears(): number[] {
    return [...this.years.keys()].sort((a, b) => a - b);
  }

  private yearDays(date: IsoDate): YearDays {
    const year = yearOf(assertDate(date));
    const days = this.years.get(year);
    if (!days) throw new CalendarYearMissing(year);
    return days;
  }

  isWorkingDay(date: IsoDate): boolean {
    const { off, work } = this.yearDays(date);
    if (work.has(date)) return true;
    if (off.has(date)) return false;
    return !isWeekend(date);
  }

  /** The first working day strictly after `date`. */
  nextWorkingDay(date: IsoDate): IsoDate {
    return this.workingDayOnOrAfter(addDays(date, 1));
  }

  /** `date` itself if it is a working day, else the next working day. */
  workingDayOnOrAfter(date: IsoDate): IsoDate {
    let d = date;
    while (!this.isWorkingDay(d)) d = addDays(d, 1);
    return d;
  }

  /** `date` itself if it is a working day, else the last working day before it. */
  workingDayOnOrBefore(date: IsoDate): IsoDate {
    let d = date;
    while (!this.isWorkingDay(d)) d = addDays(d, -1);
    return d;
  }

  /** The n-th working day after `date` (n ≥ 0; n = 0 gives `date` itself, checked to be covered). */
  addWorkingDays(date: IsoDate, n: number): IsoDate {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`addWorkingDays: n must be a non-negative integer, got ${n}`);
    this.yearDays(date);
    let d = date;
    for (let i = 0; i < n; i++) d = this.nextWorkingDay(d);
    return d;
  }

  lastWorkingDayOfMonth(month: IsoMonth): IsoDate {
    const first = `${assertMonth(month)}-01`;
    let d = lastDayOfMonth(month);
    while (!this.isWorkingDay(d)) {
      if (d === first) throw new CalendarInvalid(`Календарь рабочих дней: в месяце ${month} нет ни одного рабочего дня`);
      d = addDays(d, -1);
    }
    return d;
  }

  /**
   * Working days after `from` up to and including `to`; 0 when `to` ≤ `from`.
   * "Days late" of a deadline `due` on date `asOf` is workingDaysBetween(due, asOf).
   */
  workingDaysBetween(from: IsoDate, to: IsoDate): number {
    this.yearDays(from);
    this.yearDays(to);
    let count = 0;
    for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) {
      if (this.isWorkingDay(d)) count++;
    }
    return count;
  }
}
