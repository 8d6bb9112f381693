// The reconciliation act's dates for reporting period M (DOMAIN.md §5, §9; Алгоритм … (приказ
// № 277 / № 459/НҚ), п. 21–22). «Отчетный период» is the service month M:
//   window      (25th of M, 25th of M+1]: the transfers and other facts the act counts
//   act_date    the 25th of M+1, or the last working day before it (an act is signed on a
//               working day); the planner runs `reconcile` on this date
//   signed_due  ГК's signature by the 25th of M+1 (п. 21), moved to the next working day when
//               that is not one (a calendar-date deadline)
//   copies_due  the МИО's two signed paper copies by the 10th of M+2 (п. 22), moved likewise
import type { Calendar } from '../kernel/calendar.ts';
import { addMonths, assertMonth, type IsoDate, type IsoMonth } from '../kernel/dates.ts';

export const ACT_DAY = 25;
export const COPIES_DAY = 10;

export interface ActWindow {
  month: IsoMonth;
  /** Exclusive start of the window: the 25th of M. */
  after: IsoDate;
  /** Inclusive end of the window: the 25th of M+1. */
  through: IsoDate;
  act_date: IsoDate;
}

export interface ActDeadlines {
  signed_due: IsoDate;
  copies_due: IsoDate;
}

const day = (month: IsoMonth, d: number): IsoDate => `${month}-${String(d).padStart(2, '0')}`;

/** The window's bounds only (no calendar needed). */
export function windowBounds(month: IsoMonth): { after: IsoDate; through: IsoDate } {
  assertMonth(month);
  return { after: day(month, ACT_DAY), through: day(addMonths(month, 1), ACT_DAY) };
}

export function actWindow(calendar: Calendar, month: IsoMonth): ActWindow {
  const { after, through } = windowBounds(month);
  return {
    month,
    after,
    through,
    act_date: calendar.workingDayOnOrBefore(through),
  };
}

/** The signing deadlines (a calendar date on a non-working day moves to the next working day). */
export function actDeadlines(calendar: Calendar, month: IsoMonth): ActDeadlines {
  const { through } = windowBounds(month);
  return {
    signed_due: calendar.workingDayOnOrAfter(through),
    copies_due: calendar.workingDayOnOrAfter(day(addMonths(month, 2), COPIES_DAY)),
  };
}
