// The error table (pipeline/kernel/errors.ts): each refusal is one class with one exit code and
// one rule id, raised where the fact is known, whichever step or command meets it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from './support/db.ts';
import {
  BusinessRuleError,
  CalendarInvalid,
  CalendarYearMissing,
  InvalidDate,
  InvalidMonth,
  isConnectionFailure,
  isTransient,
  MonthRequired,
  UsageError,
} from '../pipeline/kernel/errors.ts';
import { addMonths, assertDate, assertMonth, lastDayOfMonth } from '../pipeline/kernel/dates.ts';
import { Calendar } from '../pipeline/kernel/calendar.ts';
import { buildLists } from '../pipeline/steps/build-lists/index.ts';
import { formDemand } from '../pipeline/steps/form-demand/index.ts';
import { payApproved as pay } from './support/approve.ts';
import { refundUnsent } from '../pipeline/steps/refund-unsent/index.ts';
import { reconcile } from '../pipeline/steps/reconcile/index.ts';
import { computeBankFees } from '../pipeline/steps/bank-fees/index.ts';
import type { Db } from '../pipeline/kernel/db.ts';

const OP = 'errors-test';

describe('the date parser raises the usage errors of a bad month or date (exit 2)', () => {
  it.each([
    ['assertMonth', () => assertMonth('2025-13'), InvalidMonth, 'invalid-month'],
    ['lastDayOfMonth', () => lastDayOfMonth('2025-3'), InvalidMonth, 'invalid-month'],
    ['addMonths', () => addMonths('0001-01', -1), InvalidMonth, 'invalid-month'],
    ['assertDate', () => assertDate('2025-02-30'), InvalidDate, 'invalid-date'],
  ] as const)('%s', (_name, fn, cls, rule) => {
    expect(fn).toThrow(cls);
    expect(fn).toThrow(UsageError);
    try {
      fn();
    } catch (e) {
      expect(e).toMatchObject({ exitCode: 2, rule });
    }
  });
});

describe('the calendar raises its own refusals (exit 4)', () => {
  const cal = Calendar.fromReferenceFiles();

  it('a year it does not cover: calendar-year-missing, with what to do', () => {
    const err = (() => {
      try {
        cal.nextWorkingDay('2027-06-01');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(CalendarYearMissing);
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect(err).toMatchObject({ exitCode: 4, rule: 'calendar-year-missing', year: 2027 });
    expect((err as Error).message).toMatch(/^Календарь рабочих дней не загружен для 2027 года: .*reference\/calendar\/2027\.json/);
  });

  it('data that contradict themselves: calendar-invalid', () => {
    const twice = () => new Calendar([{ year: 2025, off: [], work: [] }, { year: 2025, off: [], work: [] }]);
    expect(twice).toThrow(CalendarInvalid);
    const allOff = new Calendar([{ year: 2025, off: ['2025-02-03', '2025-02-04', '2025-02-05', '2025-02-06', '2025-02-07',
      '2025-02-10', '2025-02-11', '2025-02-12', '2025-02-13', '2025-02-14', '2025-02-17', '2025-02-18', '2025-02-19',
      '2025-02-20', '2025-02-21', '2025-02-24', '2025-02-25', '2025-02-26', '2025-02-27', '2025-02-28'], work: [] }]);
    expect(() => allOff.lastWorkingDayOfMonth('2025-02')).toThrow(CalendarInvalid);
    expect(() => allOff.lastWorkingDayOfMonth('2025-02')).toThrow(expect.objectContaining({ exitCode: 4, rule: 'calendar-invalid' }));
  });
});

describe('every monthly step without its month: month-required, exit 2', () => {
  // The check comes before any query: no database is needed to be refused.
  const noDb = undefined as unknown as Db;
  it.each([
    ['build-lists', () => buildLists(noDb, { asOf: '2025-02-14', operator: OP })],
    ['form-demand', () => formDemand(noDb, { asOf: '2025-02-15', operator: OP })],
    ['reconcile', () => reconcile(noDb, { asOf: '2025-03-25', operator: OP })],
    ['bank-fees', () => computeBankFees(noDb, { asOf: '2025-03-25', operator: OP })],
  ] as const)('%s', async (_step, run) => {
    const err = await run().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MonthRequired);
    expect(err).toMatchObject({ exitCode: 2, rule: 'month-required' });
  });

  it('a malformed month is invalid-month, exit 2, in every monthly step', async () => {
    for (const run of [
      () => buildLists(noDb, { month: '2025-13', asOf: '2025-02-14', operator: OP }),
      () => formDemand(noDb, { month: '2025-13', asOf: '2025-02-15', operator: OP }),
      () => reconcile(noDb, { month: '2025-13', asOf: '2025-03-25', operator: OP }),
      () => computeBankFees(noDb, { month: '2025-13', asOf: '2025-03-25', operator: OP }),
    ]) {
      await expect(run()).rejects.toMatchObject({ exitCode: 2, rule: 'invalid-month' });
    }
  });
});

describe('a date outside the calendar refuses the working-day steps the same way', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDb();
  });
  afterAll(async () => {
    await t?.drop();
  });

  it.each([
    ['pay', () => pay(t.db, { asOf: '2027-03-02', operator: OP, dryRun: true })],
    ['refund-unsent', () => refundUnsent(t.db, { asOf: '2027-03-02', operator: OP, dryRun: true })],
  ] as const)('%s', async (_step, run) => {
    await expect(run()).rejects.toBeInstanceOf(CalendarYearMissing);
    await expect(run()).rejects.toMatchObject({ exitCode: 4, rule: 'calendar-year-missing' });
  });
});

describe('connection failures: one classification for the CLI and the jobs', () => {
  const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

  it('a lost or refused connection, also when wrapped', () => {
    for (const err of [
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('connection failure', '08006'),
      withCode('sorry, too many clients already', '53300'),
      new Error('Connection terminated unexpectedly'),
      new Error('Client has encountered a connection error and is not queryable'),
      new Error('Knex: Timeout acquiring a connection. The pool is probably full.'),
      new Error('wrapped', { cause: withCode('reset', 'ECONNRESET') }),
      new AggregateError([withCode('x', 'EHOSTUNREACH')], 'all failed'),
    ]) {
      expect(isConnectionFailure(err), err.message).toBe(true);
      expect(isTransient(err), err.message).toBe(true);
    }
  });

  it('a retry-me SQLSTATE is transient but not a lost connection', () => {
    for (const code of ['40001', '40P01', '55P03']) {
      const err = withCode('could not serialize access', code);
      expect(isConnectionFailure(err)).toBe(false);
      expect(isTransient(err)).toBe(true);
    }
  });

  it('refusals, bad data and bugs are neither', () => {
    for (const err of [
      new BusinessRuleError('non-working-day', 'нерабочий день'),
      new MonthRequired('укажите месяц'),
      withCode('duplicate key value violates unique constraint', '23505'),
      new TypeError("Cannot read properties of undefined (reading 'id')"),
    ]) {
      expect(isConnectionFailure(err)).toBe(false);
      expect(isTransient(err)).toBe(false);
    }
  });
});
