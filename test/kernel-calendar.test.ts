import { describe, expect, it } from 'vitest';
import { Calendar } from '../pipeline/kernel/calendar.ts';
import { CalendarError } from '../pipeline/kernel/errors.ts';

const cal = Calendar.fromReferenceFiles();

describe('calendar (reference files 2024–2026)', () => {
  it('covers 2024–2026 only', () => {
    expect(cal.coveredYears()).toEqual([2024, 2025, 2026]);
    expect(cal.covers(2025)).toBe(true);
    expect(cal.covers(2027)).toBe(false);
  });

  it('holidays and transfers of 2025', () => {
    expect(cal.isWorkingDay('2025-03-21')).toBe(false); // Nauryz, Friday
    expect(cal.isWorkingDay('2025-03-24')).toBe(false); // Monday, moved from Saturday 22 Mar
    expect(cal.isWorkingDay('2025-03-25')).toBe(false); // moved from Sunday 23 Mar
    expect(cal.isWorkingDay('2025-03-26')).toBe(true);
    expect(cal.isWorkingDay('2025-01-05')).toBe(true); // Sunday worked for Friday 3 Jan
    expect(cal.isWorkingDay('2025-01-03')).toBe(false);
    expect(cal.isWorkingDay('2025-01-04')).toBe(false); // plain Saturday
    expect(cal.isWorkingDay('2025-06-06')).toBe(false); // Kurban Ait
    expect(cal.isWorkingDay('2025-03-20')).toBe(true);
  });

  it('holidays of 2024 and 2026', () => {
    expect(cal.isWorkingDay('2024-03-25')).toBe(false);
    expect(cal.isWorkingDay('2024-07-08')).toBe(false);
    expect(cal.isWorkingDay('2024-01-08')).toBe(true); // 7 Jan on a Sunday is not moved
    expect(cal.isWorkingDay('2026-05-27')).toBe(false);
    expect(cal.isWorkingDay('2026-03-23')).toBe(false);
    expect(cal.isWorkingDay('2026-03-26')).toBe(true);
  });

  it('next working day and working day on or after', () => {
    expect(cal.nextWorkingDay('2025-03-20')).toBe('2025-03-26'); // Fri 21, Sat, Sun, Mon 24, Tue 25 off
    expect(cal.nextWorkingDay('2025-03-26')).toBe('2025-03-27');
    expect(cal.nextWorkingDay('2025-01-03')).toBe('2025-01-05');
    expect(cal.nextWorkingDay('2024-12-31')).toBe('2025-01-05'); // 1–3 Jan off, 4 Jan Saturday
    expect(cal.workingDayOnOrAfter('2025-03-26')).toBe('2025-03-26');
    expect(cal.workingDayOnOrAfter('2025-03-22')).toBe('2025-03-26');
  });

  it('adds working days', () => {
    expect(cal.addWorkingDays('2025-03-20', 0)).toBe('2025-03-20');
    expect(cal.addWorkingDays('2025-03-20', 1)).toBe('2025-03-26');
    expect(cal.addWorkingDays('2025-03-20', 2)).toBe('2025-03-27');
    // Saturday 15 Mar: 17, 18, 19, 20, (21–25 off), 26, 27, 28 → the 7th is Friday 28 Mar
    expect(cal.addWorkingDays('2025-03-15', 7)).toBe('2025-03-28');
    expect(cal.addWorkingDays('2025-03-15', 8)).toBe('2025-03-31');
    expect(() => cal.addWorkingDays('2025-03-20', -1)).toThrow(RangeError);
  });

  it('last working day of a month', () => {
    expect(cal.lastWorkingDayOfMonth('2025-03')).toBe('2025-03-31');
    expect(cal.lastWorkingDayOfMonth('2026-12')).toBe('2026-12-31');
    expect(cal.lastWorkingDayOfMonth('2025-05')).toBe('2025-05-30');
    expect(cal.lastWorkingDayOfMonth('2025-08')).toBe('2025-08-29'); // 30–31 Aug weekend
    expect(cal.lastWorkingDayOfMonth('2026-08')).toBe('2026-08-28'); // 31 Aug 2026 off
  });

  it('working days between (days late)', () => {
    expect(cal.workingDaysBetween('2025-03-20', '2025-03-20')).toBe(0);
    expect(cal.workingDaysBetween('2025-03-26', '2025-03-20')).toBe(0);
    expect(cal.workingDaysBetween('2025-03-20', '2025-03-25')).toBe(0);
    expect(cal.workingDaysBetween('2025-03-20', '2025-03-26')).toBe(1);
    // March 2025: 3–7 (5), 11–14 (4, 10 off), 17–20 (4, 21 off), 26–28 (3, 24–25 off), 31 (1) = 17
    expect(cal.workingDaysBetween('2025-03-01', '2025-03-31')).toBe(17);
    expect(cal.workingDaysBetween('2024-12-31', '2025-01-06')).toBe(2); // 5 Jan (Sunday, working) and 6 Jan
  });

  it('a year that is not loaded is an error', () => {
    expect(() => cal.isWorkingDay('2027-01-04')).toThrow(CalendarError);
    expect(() => cal.isWorkingDay('2027-01-04')).toThrow('Календарь рабочих дней не загружен для 2027 года');
    expect(() => cal.nextWorkingDay('2026-12-31')).toThrow('Календарь рабочих дней не загружен для 2027 года');
    expect(() => cal.lastWorkingDayOfMonth('2027-01')).toThrow(CalendarError);
    expect(() => cal.workingDaysBetween('2026-12-01', '2027-01-10')).toThrow(CalendarError);
    expect(() => cal.isWorkingDay('2023-12-29')).toThrow('Календарь рабочих дней не загружен для 2023 года');
  });

  it('a duplicated year is refused', () => {
    expect(() => new Calendar([{ year: 2025, off: [], work: [] }, { year: 2025, off: [], work: [] }])).toThrow(CalendarError);
  });

  it('invalid dates are refused', () => {
    expect(() => cal.isWorkingDay('2025-02-30')).toThrow(/Некорректная дата/);
  });
});
