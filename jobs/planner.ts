// The schedule: which step of the monthly cycle is due on which calendar date (Asia/Almaty),
// on the Kazakhstan working-day calendar (DOMAIN.md §3, §4, §5, §8). Pure: a Calendar and a
// date in, the day's items out, in the order they must run. No business rules beyond dates.
//
// The rules:
//   build-lists      the 14th of M, month M                        (key M, as-of the 14th)
//   form-demand      the 15th of M, month M                        (key M, as-of the 15th)
//   pay              every working day                             (key and as-of the date)
//   refund-unsent    the last working day of each month            (key and as-of the date)
//   reconcile        the act's date for reporting period M−1: the 25th of M, or the last
//                    working day before it (DOMAIN.md §5)      (key M−1, as-of that date)
//   bank-fees        the 25th of M, for month M−1                  (key M−1, as-of the 25th)
//   check-deadlines  every working day                             (key and as-of the date)
//
// Decision (the 14th, 15th or the bank-fees' 25th on a non-working day): the step runs on that
// calendar date anyway, with that date as its as-of. These are system steps (Е-Собес builds the lists, ГК
// forms the demand, the acts are produced by the pipeline), not bank operations, so nothing
// stops them on a weekend; DOMAIN.md §3 dates them by calendar day ("14th of M+1", "formed on
// the run's date (the 15th by default)"), and the CLI defaults their as-of to the same dates,
// so a scheduled run and an operator's `payouts run build-lists --month M` are one and the same
// run (same step_runs key, same as-of, same result). Everything that must happen on a working
// day follows from these dates by the working-day calendar inside the steps themselves: the
// demand request is dated the 15th or the next working day, funding is due 2 working days after
// it, and payment orders are only ever issued by `pay`, which runs on working days only. The
// reconciliation act is the exception: it is signed, so it is dated on a working day — the
// 25th or the last working day before it — and `reconcile` runs on that date.
//
// Order within a day: build-lists, form-demand, pay, refund-unsent, reconcile, bank-fees,
// check-deadlines. pay runs before refund-unsent so that a return whose bank details were
// fixed that day is paid again, not sent back to the МИО; check-deadlines runs last so that it
// sees the day's work.
import type { Calendar } from '../pipeline/kernel/calendar.ts';
import { addDays, addMonths, assertDate, assertMonth, daysBetween, monthOf, type IsoDate, type IsoMonth } from '../pipeline/kernel/dates.ts';
import { actWindow } from '../pipeline/rules/act-window.ts';

export const STEP_ORDER = [
  'build-lists',
  'form-demand',
  'pay',
  'refund-unsent',
  'reconcile',
  'bank-fees',
  'check-deadlines',
] as const;
export type StepName = (typeof STEP_ORDER)[number];

/** Steps keyed by a month (the others are keyed by their as-of date). */
export const MONTH_STEPS: readonly StepName[] = ['build-lists', 'form-demand', 'reconcile', 'bank-fees'];

export function isStepName(s: string): s is StepName {
  return (STEP_ORDER as readonly string[]).includes(s);
}

export function takesMonth(step: StepName): boolean {
  return MONTH_STEPS.includes(step);
}

/** One scheduled run of one step. */
export interface PlanItem {
  /** The calendar date it is due on (and its as-of date). */
  date: IsoDate;
  step: StepName;
  /** For month steps: the month it acts on. */
  month?: IsoMonth;
  /** The step_runs key: the month for month steps, the date for the others. */
  key: string;
}

/** Day of the month on which the month steps run. */
export const BUILD_LISTS_DAY = 14;
export const FORM_DEMAND_DAY = 15;
export const CLOSING_DAY = 25;

/** The longest range `plan` accepts, so a typo cannot print a century. */
export const MAX_PLAN_DAYS = 3 * 366;

function dayOfMonth(date: IsoDate): number {
  return Number(date.slice(8, 10));
}

function item(date: IsoDate, step: StepName, month?: IsoMonth): PlanItem {
  return month ? { date, step, month, key: month } : { date, step, key: date };
}

/** The steps due on `date`, in the order they run. */
export function dueOn(calendar: Calendar, date: IsoDate): PlanItem[] {
  assertDate(date);
  const month = monthOf(date);
  const day = dayOfMonth(date);
  const working = calendar.isWorkingDay(date);
  const items: PlanItem[] = [];
  if (day === BUILD_LISTS_DAY) items.push(item(date, 'build-lists', month));
  if (day === FORM_DEMAND_DAY) items.push(item(date, 'form-demand', month));
  if (working) items.push(item(date, 'pay'));
  if (working && calendar.lastWorkingDayOfMonth(month) === date) items.push(item(date, 'refund-unsent'));
  const previous = addMonths(month, -1);
  if (actWindow(calendar, previous).act_date === date) items.push(item(date, 'reconcile', previous));
  if (day === CLOSING_DAY) items.push(item(date, 'bank-fees', previous));
  if (working) items.push(item(date, 'check-deadlines'));
  return items;
}

/** Every item due from `from` to `to` inclusive, by date, then in the day's order. */
export function plan(calendar: Calendar, from: IsoDate, to: IsoDate): PlanItem[] {
  assertDate(from);
  assertDate(to);
  const days = daysBetween(from, to);
  if (days < 0) throw new RangeError(`plan: ${to} is before ${from}`);
  if (days >= MAX_PLAN_DAYS) throw new RangeError(`plan: at most ${MAX_PLAN_DAYS} days, got ${days + 1}`);
  const items: PlanItem[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) items.push(...dueOn(calendar, d));
  return items;
}

/** The date a month step is scheduled on for `month` (its as-of when run by hand without --as-of). */
export function scheduledDate(step: StepName, month: IsoMonth, calendar: Calendar): IsoDate {
  assertMonth(month);
  switch (step) {
    case 'build-lists':
      return `${month}-${BUILD_LISTS_DAY}`;
    case 'form-demand':
      return `${month}-${FORM_DEMAND_DAY}`;
    case 'reconcile':
      return actWindow(calendar, month).act_date;
    case 'bank-fees':
      return `${addMonths(month, 1)}-${CLOSING_DAY}`;
    default:
      throw new RangeError(`scheduledDate: ${step} is not a month step`);
  }
}

/**
 * `payouts run monthly --month M`: the month-keyed steps the planner schedules on dates in M —
 * build-lists for M on the 14th, form-demand for M on the 15th, reconcile for M−1 on its act's
 * date, bank-fees for M−1 on the 25th — each as of its own date. (pay, refund-unsent and check-deadlines belong to
 * the nightly run of their date.)
 */
export function monthlyItems(month: IsoMonth, calendar: Calendar): PlanItem[] {
  assertMonth(month);
  const previous = addMonths(month, -1);
  return [
    item(scheduledDate('build-lists', month, calendar), 'build-lists', month),
    item(scheduledDate('form-demand', month, calendar), 'form-demand', month),
    item(scheduledDate('reconcile', previous, calendar), 'reconcile', previous),
    item(scheduledDate('bank-fees', previous, calendar), 'bank-fees', previous),
  ].sort(compareItems);
}

/** A hand-made item (payouts enqueue): month steps need the month; date steps take the date. */
export function manualItem(step: StepName, opts: { month?: IsoMonth; asOf: IsoDate }): PlanItem {
  if (takesMonth(step)) {
    if (!opts.month) throw new RangeError(`${step} needs a month`);
    return { date: opts.asOf, step, month: opts.month, key: opts.month };
  }
  return item(opts.asOf, step);
}

/**
 * What must have been done (a step_runs row) before an item may run. Only the pairs where
 * running out of order would harm: a demand formed before the month's lists would leave those
 * rows a month late; sending returns back before the day's payments would send back a sum
 * whose bank details were fixed that day.
 */
export function prerequisites(it: PlanItem): { step: StepName; key: string }[] {
  switch (it.step) {
    case 'form-demand':
      return [{ step: 'build-lists', key: it.key }];
    case 'refund-unsent':
      return [{ step: 'pay', key: it.date }];
    default:
      return [];
  }
}

/** Sort key of an item in the planner's order (date, then the day's step order). */
export function compareItems(a: PlanItem, b: PlanItem): number {
  if (a.date !== b.date) return a.date < b.date ? -1 : 1;
  return STEP_ORDER.indexOf(a.step) - STEP_ORDER.indexOf(b.step);
}

/** The JSON shape of `payouts schedule --json` items. */
export function toScheduleJson(it: PlanItem): { date: IsoDate; step: StepName; month?: IsoMonth } {
  return it.month ? { date: it.date, step: it.step, month: it.month } : { date: it.date, step: it.step };
}
