// The embedded default: the in-process runner walks the planner's days through a month with the
// real steps on a real database (PostgreSQL, or PGlite when it is down).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Calendar } from '../pipeline/kernel/calendar.ts';
import { addDays } from '../pipeline/kernel/dates.ts';
import { BusinessRuleError } from '../pipeline/kernel/errors.ts';
import { trialBalance } from '../pipeline/ledger.ts';
import { dueOn, monthlyItems, plan, type PlanItem } from '../jobs/planner.ts';
import { exitCodeOf, runItems, type ItemResult } from '../jobs/runner.ts';
import { stepFunction, type StepResolver } from '../jobs/steps.ts';
import { count, freshDb, type TestDb } from './support/db.ts';
import { fundDemand, seedWorld, WORLD } from './support/one-month-world.ts';

const cal = Calendar.fromReferenceFiles();
let out: string;

beforeAll(() => {
  out = mkdtempSync(path.join(os.tmpdir(), 'payouts-jobs-runner-'));
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

function brief(rs: ItemResult[]): string[] {
  return rs.map((r) => `${r.item.step}@${r.item.key}:${r.status}`);
}

describe('in-process runner over March 2025', () => {
  let t: TestDb;
  let mioBin: string;
  beforeAll(async () => {
    t = await freshDb();
    mioBin = (await seedWorld(t.db)).mio_bin;
  });
  afterAll(async () => t?.drop());

  it('runs each day\'s planned steps; lists, demand, funding and payment follow the calendar', async () => {
    const all: ItemResult[] = [];
    for (let d = '2025-03-13'; d <= '2025-03-19'; d = addDays(d, 1)) {
      // The МИО's transfer arrives on Monday 17 March, during the day (an import, not a step).
      if (d === WORLD.transferOn) await fundDemand(t.db, { mio_bin: mioBin });
      all.push(...(await runItems(t.db, dueOn(cal, d), { operator: 'runner-test', outDir: out })));
    }
    expect(brief(all)).toEqual([
      'pay@2025-03-13:done',
      'check-deadlines@2025-03-13:done',
      'build-lists@2025-03:done',
      'pay@2025-03-14:done',
      'check-deadlines@2025-03-14:done',
      'form-demand@2025-03:done', // Saturday 15th: the demand is formed on its calendar date
      'pay@2025-03-17:done',
      'check-deadlines@2025-03-17:done',
      'pay@2025-03-18:done',
      'check-deadlines@2025-03-18:done',
      'pay@2025-03-19:done',
      'check-deadlines@2025-03-19:done',
    ]);
    expect(exitCodeOf(all)).toBe(0);
    // The 15th was a Saturday: formed that day, the request is due the next working day.
    const [demand] = await t.db('demands').select('formed_on', 'request_due', 'amount');
    expect(demand).toMatchObject({ formed_on: '2025-03-15', request_due: '2025-03-17', amount: WORLD.demand });
    // Funded on the 17th, so pay of the 17th already paid everything (as of the 17th, the
    // transfer was received that day); the 18th and 19th had nothing left.
    const lines = await t.db('payment_lines as l').join('payment_orders as o', 'o.id', 'l.order_id').select('o.order_date', 'l.amount').orderBy('l.amount');
    expect(lines).toEqual(WORLD.providerSums.map((amount) => ({ order_date: '2025-03-17', amount })));
    expect((await trialBalance(t.db)).balanced).toBe(true);
  });

  it('running the same days again changes nothing and says so', async () => {
    const before = await count(t.db, 'step_runs');
    const again = await runItems(t.db, plan(cal, '2025-03-14', '2025-03-18'), { operator: 'someone-else', outDir: out });
    expect(new Set(again.map((r) => r.status))).toEqual(new Set(['already-done']));
    expect(await count(t.db, 'step_runs')).toBe(before);
    expect(await count(t.db, 'payment_lines')).toBe(3);
  });
});

describe('in-process runner: prerequisites, refusals, dry runs', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDb();
    await seedWorld(t.db);
  });
  afterAll(async () => t?.drop());

  it('a demand whose month has no lists yet is skipped with the reason, nothing written', async () => {
    const [demand] = monthlyItems('2025-03', Calendar.fromReferenceFiles()).filter((i) => i.step === 'form-demand');
    const rs = await runItems(t.db, [demand], { operator: 'runner-test' });
    expect(rs[0].status).toBe('skipped');
    expect(rs[0].message).toBe('сначала должен быть выполнен шаг build-lists за 2025-03');
    expect(exitCodeOf(rs)).toBe(4);
    expect(await count(t.db, 'step_runs')).toBe(0);
  });

  it('a dry run writes nothing, and a step after a dry-run prerequisite is not computed on a false basis', async () => {
    const items = monthlyItems('2025-03', Calendar.fromReferenceFiles()).slice(0, 2);
    const rs = await runItems(t.db, items, { operator: 'runner-test', dryRun: true });
    expect(brief(rs)).toEqual(['build-lists@2025-03:dry-run', 'form-demand@2025-03:skipped']);
    expect(rs[1].message).toMatch(/build-lists за 2025-03 выполнен только пробно/);
    expect(rs[0].summary).toBeTruthy();
    expect(await count(t.db, 'step_runs')).toBe(0);
    expect(await count(t.db, 'lists')).toBe(0);
  });

  it('a refused step does not stop the steps that do not depend on it; order is the planner\'s', async () => {
    const calls: string[] = [];
    const resolve: StepResolver = async (step) => {
      const real = await stepFunction(step);
      return async (db, opts) => {
        calls.push(step);
        if (step === 'build-lists') throw new BusinessRuleError('test-refusal', 'Отказ для проверки');
        return real(db, opts);
      };
    };
    // Given out of order on purpose: the runner sorts by the planner's order.
    const items: PlanItem[] = [...dueOn(cal, '2025-03-14')].reverse();
    const rs = await runItems(t.db, items, { operator: 'runner-test', resolve, outDir: out });
    expect(calls).toEqual(['build-lists', 'pay', 'check-deadlines']);
    expect(brief(rs)).toEqual(['build-lists@2025-03:refused', 'pay@2025-03-14:done', 'check-deadlines@2025-03-14:done']);
    expect(rs[0]).toMatchObject({ rule: 'test-refusal', message: 'Отказ для проверки' });
    expect(exitCodeOf(rs)).toBe(4);
  });

  it('a lost database connection stops the rest of the run', async () => {
    const resolve: StepResolver = async (step) => {
      if (step !== 'pay') return stepFunction(step);
      return async () => {
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      };
    };
    const rs = await runItems(t.db, dueOn(cal, '2025-03-31'), { operator: 'runner-test', resolve, outDir: out });
    expect(brief(rs)).toEqual(['pay@2025-03-31:failed', 'refund-unsent@2025-03-31:skipped', 'check-deadlines@2025-03-31:skipped']);
    expect(rs[0].message).toMatch(/^нет связи с базой данных/);
    expect(rs[1].message).toMatch(/^не запускался: нет связи/);
    expect(exitCodeOf(rs)).toBe(1);
  });
});
