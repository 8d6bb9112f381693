// The planner against DOMAIN.md §8 (the 2025 and 2026 calendars), by hand-picked dates whose
// weekday and holiday status were checked on a printed calendar, and by invariants over both years.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Calendar } from '../pipeline/kernel/calendar.ts';
import { addDays, daysBetween } from '../pipeline/kernel/dates.ts';
import { BusinessRuleError } from '../pipeline/kernel/errors.ts';
import {
  compareItems,
  dueOn,
  manualItem,
  monthlyItems,
  plan,
  prerequisites,
  scheduledDate,
  STEP_ORDER,
  type PlanItem,
} from '../jobs/planner.ts';

const cal = Calendar.fromReferenceFiles();

/** "step" or "step:month" per item, in order. */
function names(items: PlanItem[]): string[] {
  return items.map((i) => (i.month ? `${i.step}:${i.month}` : i.step));
}

describe('planner: hand-picked days of 2025 and 2026 (DOMAIN.md §8)', () => {
  const cases: [string, string, string[]][] = [
    // date, what the day is, steps due
    ['2025-01-14', 'Tuesday, working', ['build-lists:2025-01', 'pay', 'check-deadlines']],
    ['2025-01-15', 'Wednesday, working', ['form-demand:2025-01', 'pay', 'check-deadlines']],
    // The act of period M is dated the 25th of M+1 or the last working day before it (DOMAIN §5):
    // reconcile runs on that date; bank-fees keeps the 25th.
    ['2025-01-24', 'Friday before Saturday 25th: the act of December 2024', ['pay', 'reconcile:2024-12', 'check-deadlines']],
    ['2025-01-25', 'Saturday: bank fees of December 2024 on a weekend', ['bank-fees:2024-12']],
    ['2025-01-03', 'Friday, off (1–3 Jan)', []],
    ['2025-01-04', 'plain Saturday', []],
    ['2025-01-05', 'Sunday worked for 3 Jan', ['pay', 'check-deadlines']],
    ['2025-01-31', 'Friday, last working day of January', ['pay', 'refund-unsent', 'check-deadlines']],
    ['2025-02-15', 'Saturday 15th', ['form-demand:2025-02']],
    ['2025-02-25', 'Tuesday 25th, working', ['pay', 'reconcile:2025-01', 'bank-fees:2025-01', 'check-deadlines']],
    ['2025-03-14', 'Friday 14th', ['build-lists:2025-03', 'pay', 'check-deadlines']],
    ['2025-03-15', 'Saturday 15th', ['form-demand:2025-03']],
    ['2025-03-20', 'Thursday, the last working day before the 25th (21, 24, 25 off)', ['pay', 'reconcile:2025-02', 'check-deadlines']],
    ['2025-03-21', 'Friday, Nauryz', []],
    ['2025-03-25', 'Tuesday 25th, off (Nauryz moved from Sunday)', ['bank-fees:2025-02']],
    ['2025-03-28', 'Friday, not the last working day', ['pay', 'check-deadlines']],
    ['2025-03-31', 'Monday, last working day of March', ['pay', 'refund-unsent', 'check-deadlines']],
    ['2025-05-23', 'Friday before Sunday 25th', ['pay', 'reconcile:2025-04', 'check-deadlines']],
    ['2025-05-25', 'Sunday 25th', ['bank-fees:2025-04']],
    ['2025-05-30', 'Friday, last working day of May (31st a Saturday)', ['pay', 'refund-unsent', 'check-deadlines']],
    ['2025-06-06', 'Friday, Kurban Ait', []],
    ['2025-06-14', 'Saturday 14th', ['build-lists:2025-06']],
    ['2025-06-15', 'Sunday 15th', ['form-demand:2025-06']],
    ['2025-08-29', 'Friday, last working day of August', ['pay', 'refund-unsent', 'check-deadlines']],
    ['2025-09-01', 'Monday off (30 Aug moved)', []],
    ['2025-09-14', 'Sunday 14th', ['build-lists:2025-09']],
    ['2025-09-15', 'Monday 15th', ['form-demand:2025-09', 'pay', 'check-deadlines']],
    ['2025-12-16', 'Tuesday, Independence Day', []],
    ['2025-12-14', 'Sunday 14th', ['build-lists:2025-12']],
    ['2025-12-31', 'Wednesday, last working day of 2025', ['pay', 'refund-unsent', 'check-deadlines']],
    ['2026-01-30', 'Friday, last working day of January', ['pay', 'refund-unsent', 'check-deadlines']],
    ['2026-03-14', 'Saturday 14th', ['build-lists:2026-03']],
    ['2026-03-15', 'Sunday 15th', ['form-demand:2026-03']],
    ['2026-03-20', 'Friday, the last working day before the 25th (23–25 off)', ['pay', 'reconcile:2026-02', 'check-deadlines']],
    ['2026-03-25', 'Wednesday 25th, off (Nauryz)', ['bank-fees:2026-02']],
    ['2026-03-31', 'Tuesday, last working day of March', ['pay', 'refund-unsent', 'check-deadlines']],
    ['2026-05-27', 'Wednesday, Kurban Ait', []],
    ['2026-08-28', 'Friday, last working day of August (31st off)', ['pay', 'refund-unsent', 'check-deadlines']],
    ['2026-08-31', 'Monday off', []],
    ['2026-11-30', 'Monday, last working day of November', ['pay', 'refund-unsent', 'check-deadlines']],
    ['2026-12-14', 'Monday 14th', ['build-lists:2026-12', 'pay', 'check-deadlines']],
    ['2026-12-25', 'Friday 25th', ['pay', 'reconcile:2026-11', 'bank-fees:2026-11', 'check-deadlines']],
    ['2026-12-31', 'Thursday, last working day of 2026', ['pay', 'refund-unsent', 'check-deadlines']],
  ];
  it.each(cases)('%s (%s)', (date, _what, expected) => {
    expect(names(dueOn(cal, date))).toEqual(expected);
  });

  it('a month step on a non-working day keeps its calendar date as its as-of and key; the act moves back to a working day', () => {
    const [item] = dueOn(cal, '2025-09-14');
    expect(item).toEqual({ date: '2025-09-14', step: 'build-lists', month: '2025-09', key: '2025-09' });
    expect(dueOn(cal, '2025-03-25')).toEqual([{ date: '2025-03-25', step: 'bank-fees', month: '2025-02', key: '2025-02' }]);
    expect(dueOn(cal, '2025-03-20').find((i) => i.step === 'reconcile')).toEqual({ date: '2025-03-20', step: 'reconcile', month: '2025-02', key: '2025-02' });
    expect(dueOn(cal, '2025-03-31').find((i) => i.step === 'refund-unsent')).toEqual({
      date: '2025-03-31',
      step: 'refund-unsent',
      key: '2025-03-31',
    });
  });

  it('a date whose year has no calendar is refused, not guessed', () => {
    expect(() => dueOn(cal, '2027-01-14')).toThrow(BusinessRuleError);
    expect(() => dueOn(cal, '2027-01-14')).toThrow(/2027/);
    expect(() => plan(cal, '2026-12-30', '2027-01-02')).toThrow(/2027/);
  });
});

describe('planner: all of 2025 and 2026', () => {
  for (const year of [2025, 2026]) {
    const items = plan(cal, `${year}-01-01`, `${year}-12-31`);
    const count = (step: string) => items.filter((i) => i.step === step).length;

    it(`${year}: twelve of each month step, one refund-unsent a month, pay and checks on the 246 working days`, () => {
      // 2025: 261 weekdays − 16 weekday holidays + Sunday 5 Jan worked = 246.
      // 2026: 261 weekdays − 15 weekday holidays = 246.
      expect(count('build-lists')).toBe(12);
      expect(count('form-demand')).toBe(12);
      expect(count('reconcile')).toBe(12);
      expect(count('bank-fees')).toBe(12);
      expect(count('refund-unsent')).toBe(12);
      expect(count('pay')).toBe(246);
      expect(count('check-deadlines')).toBe(246);
      expect(items.length).toBe(12 * 5 + 246 * 2);
    });

    it(`${year}: each item on its rule's day, keys unique, in the planner's order`, () => {
      const keys = new Set(items.map((i) => `${i.step}@${i.key}`));
      expect(keys.size).toBe(items.length);
      expect([...items].sort(compareItems)).toEqual(items);
      for (const i of items) {
        const day = Number(i.date.slice(8));
        if (i.step === 'build-lists') expect([day, i.month]).toEqual([14, i.date.slice(0, 7)]);
        if (i.step === 'form-demand') expect([day, i.month]).toEqual([15, i.date.slice(0, 7)]);
        if (i.step === 'bank-fees') expect(day).toBe(25);
        if (i.step === 'reconcile') {
          // The last working day on or before the 25th of the month after the period.
          expect(cal.isWorkingDay(i.date)).toBe(true);
          expect(day).toBeLessThanOrEqual(25);
          for (let d = addDays(i.date, 1); Number(d.slice(8)) <= 25 && d.slice(0, 7) === i.date.slice(0, 7); d = addDays(d, 1)) {
            expect(cal.isWorkingDay(d)).toBe(false);
          }
        }
        if (i.step === 'reconcile' || i.step === 'bank-fees') expect(scheduledDate(i.step, i.month!, cal)).toBe(i.date);
        if (i.step === 'pay' || i.step === 'check-deadlines' || i.step === 'refund-unsent') {
          expect(cal.isWorkingDay(i.date)).toBe(true);
          expect(i.key).toBe(i.date);
        }
        if (i.step === 'refund-unsent') {
          // No working day after it in its month.
          for (let d = addDays(i.date, 1); d.slice(0, 7) === i.date.slice(0, 7); d = addDays(d, 1)) {
            expect(cal.isWorkingDay(d)).toBe(false);
          }
        }
      }
    });
  }

  it('any day of 2025–2026: pay and check-deadlines exactly on working days, steps in the fixed order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: daysBetween('2025-01-01', '2026-12-31') }), (n) => {
        const date = addDays('2025-01-01', n);
        const items = dueOn(cal, date);
        const steps = items.map((i) => i.step);
        const order = steps.map((s) => STEP_ORDER.indexOf(s));
        expect(order).toEqual([...order].sort((a, b) => a - b));
        expect(steps.includes('pay')).toBe(cal.isWorkingDay(date));
        expect(steps.includes('check-deadlines')).toBe(cal.isWorkingDay(date));
        if (steps.includes('refund-unsent')) expect(steps.indexOf('pay')).toBeLessThan(steps.indexOf('refund-unsent'));
        for (const i of items) expect(i.date).toBe(date);
      }),
      { numRuns: 300 },
    );
  });
});

describe('planner: composites and prerequisites', () => {
  it('monthly --month M: lists on the 14th, demand on the 15th, the act of M−1 on its date, bank fees of M−1 on the 25th', () => {
    expect(monthlyItems('2025-03', cal)).toEqual([
      { date: '2025-03-14', step: 'build-lists', month: '2025-03', key: '2025-03' },
      { date: '2025-03-15', step: 'form-demand', month: '2025-03', key: '2025-03' },
      { date: '2025-03-20', step: 'reconcile', month: '2025-02', key: '2025-02' },
      { date: '2025-03-25', step: 'bank-fees', month: '2025-02', key: '2025-02' },
    ]);
    expect(monthlyItems('2025-01', cal).slice(2).map((i) => i.month)).toEqual(['2024-12', '2024-12']);
  });

  it('monthly items are the month steps of the month\'s schedule', () => {
    for (const month of ['2025-03', '2025-06', '2026-03', '2026-12']) {
      const planned = plan(cal, `${month}-01`, `${month}-28`).filter((i) => i.month);
      expect(planned).toEqual(monthlyItems(month, cal));
    }
  });

  it('scheduled dates of month steps (the as-of of a hand-run month step)', () => {
    expect(scheduledDate('build-lists', '2025-09', cal)).toBe('2025-09-14');
    expect(scheduledDate('form-demand', '2025-09', cal)).toBe('2025-09-15');
    // 25 January 2026 is a Sunday: the act of December 2025 is dated Friday the 23rd.
    expect(scheduledDate('reconcile', '2025-12', cal)).toBe('2026-01-23');
    expect(scheduledDate('reconcile', '2025-09', cal)).toBe('2025-10-24');
    expect(scheduledDate('bank-fees', '2025-12', cal)).toBe('2026-01-25');
    expect(() => scheduledDate('pay', '2025-12', cal)).toThrow(RangeError);
  });

  it('prerequisites: the month\'s lists before its demand, the day\'s payments before sending returns back', () => {
    expect(prerequisites({ date: '2025-03-15', step: 'form-demand', month: '2025-03', key: '2025-03' })).toEqual([
      { step: 'build-lists', key: '2025-03' },
    ]);
    expect(prerequisites({ date: '2025-03-31', step: 'refund-unsent', key: '2025-03-31' })).toEqual([{ step: 'pay', key: '2025-03-31' }]);
    expect(prerequisites({ date: '2025-03-31', step: 'pay', key: '2025-03-31' })).toEqual([]);
    expect(prerequisites({ date: '2025-03-31', step: 'check-deadlines', key: '2025-03-31' })).toEqual([]);
  });

  it('manual items: month steps keyed by the month, date steps by the date', () => {
    expect(manualItem('reconcile', { month: '2025-02', asOf: '2025-03-26' })).toEqual({
      date: '2025-03-26',
      step: 'reconcile',
      month: '2025-02',
      key: '2025-02',
    });
    expect(manualItem('pay', { asOf: '2025-03-26' })).toEqual({ date: '2025-03-26', step: 'pay', key: '2025-03-26' });
    expect(() => manualItem('build-lists', { asOf: '2025-03-26' })).toThrow(RangeError);
  });

  it('plan refuses a backwards or over-long range', () => {
    expect(() => plan(cal, '2025-03-02', '2025-03-01')).toThrow(RangeError);
    expect(() => plan(cal, '2024-01-01', '2027-12-31')).toThrow(RangeError);
  });
});
