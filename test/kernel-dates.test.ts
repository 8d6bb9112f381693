import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  addDays,
  addMonths,
  compareDates,
  compareMonths,
  daysBetween,
  daysInMonth,
  dayOfWeek,
  firstDayOfMonth,
  isValidDate,
  isValidMonth,
  isWeekend,
  lastDayOfMonth,
  monthOf,
  todayInAlmaty,
  yearOf,
} from '../pipeline/kernel/dates.ts';

describe('dates', () => {
  it('validates dates and months', () => {
    expect(isValidDate('2025-02-28')).toBe(true);
    expect(isValidDate('2025-02-29')).toBe(false);
    expect(isValidDate('2024-02-29')).toBe(true);
    expect(isValidDate('2025-02-30')).toBe(false);
    expect(isValidDate('2025-04-31')).toBe(false);
    expect(isValidDate('2025-13-01')).toBe(false);
    expect(isValidDate('2025-00-10')).toBe(false);
    expect(isValidDate('2025-1-10')).toBe(false);
    expect(isValidDate('2025-01-10T00:00')).toBe(false);
    expect(isValidDate('1900-02-29')).toBe(false);
    expect(isValidDate('2000-02-29')).toBe(true);
    expect(isValidMonth('2025-12')).toBe(true);
    expect(isValidMonth('2025-13')).toBe(false);
    expect(isValidMonth('2025-1')).toBe(false);
    expect(isValidMonth('2025-01-01')).toBe(false);
  });

  it('months', () => {
    expect(monthOf('2025-03-24')).toBe('2025-03');
    expect(yearOf('2025-03-24')).toBe(2025);
    expect(yearOf('2026-01')).toBe(2026);
    expect(firstDayOfMonth('2025-03')).toBe('2025-03-01');
    expect(lastDayOfMonth('2025-02')).toBe('2025-02-28');
    expect(lastDayOfMonth('2024-02')).toBe('2024-02-29');
    expect(lastDayOfMonth('2025-12')).toBe('2025-12-31');
    expect(daysInMonth('2025-04')).toBe(30);
    expect(addMonths('2025-12', 1)).toBe('2026-01');
    expect(addMonths('2025-01', -1)).toBe('2024-12');
    expect(addMonths('2025-03', 22)).toBe('2027-01');
    expect(addMonths('2025-03', 0)).toBe('2025-03');
    expect(() => monthOf('2025-02-30')).toThrow(/Некорректная дата/);
    expect(() => lastDayOfMonth('2025-13')).toThrow(/Некорректный месяц/);
  });

  it('day arithmetic across month, year and leap boundaries', () => {
    expect(addDays('2025-01-31', 1)).toBe('2025-02-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addDays('2025-01-01', -1)).toBe('2024-12-31');
    expect(addDays('2025-03-01', 365)).toBe('2026-03-01');
    expect(daysBetween('2025-01-01', '2026-01-01')).toBe(365);
    expect(daysBetween('2024-01-01', '2025-01-01')).toBe(366);
    expect(daysBetween('2025-03-10', '2025-03-01')).toBe(-9);
    expect(compareDates('2025-03-01', '2025-03-02')).toBe(-1);
    expect(compareDates('2025-03-02', '2025-03-02')).toBe(0);
    expect(compareMonths('2026-01', '2025-12')).toBe(1);
  });

  it('day of week is ISO (1 = Monday … 7 = Sunday)', () => {
    expect(dayOfWeek('2025-03-24')).toBe(1); // Monday
    expect(dayOfWeek('2025-01-05')).toBe(7); // Sunday
    expect(dayOfWeek('1970-01-01')).toBe(4); // Thursday
    expect(dayOfWeek('1969-12-28')).toBe(7); // Sunday, before the epoch
    expect(isWeekend('2025-03-22')).toBe(true);
    expect(isWeekend('2025-03-21')).toBe(false);
  });

  it('today in Almaty (UTC+5)', () => {
    expect(todayInAlmaty(new Date('2025-06-01T18:59:59Z'))).toBe('2025-06-01');
    expect(todayInAlmaty(new Date('2025-06-01T19:00:00Z'))).toBe('2025-06-02');
    expect(todayInAlmaty(new Date('2025-12-31T19:00:00Z'))).toBe('2026-01-01');
  });

  it('property: addDays is the inverse of daysBetween and agrees with UTC dates', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60_000 }), fc.integer({ min: -1000, max: 1000 }), (dayNo, n) => {
        const d = new Date(dayNo * 86_400_000).toISOString().slice(0, 10);
        const e = addDays(d, n);
        expect(isValidDate(e)).toBe(true);
        expect(daysBetween(d, e)).toBe(n);
        expect(e).toBe(new Date((dayNo + n) * 86_400_000).toISOString().slice(0, 10));
      }),
    );
  });
});
