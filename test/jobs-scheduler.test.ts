// The scheduler at simulated dates: each tick enqueues exactly the planner's steps of its date,
// a repeated tick or a second scheduler adds nothing, missed nights are caught up from
// scheduler_ticks, and a long gap is refused instead of backdating weeks of payments.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Queue } from 'bullmq';
import { Calendar } from '../pipeline/kernel/calendar.ts';
import { BusinessRuleError } from '../pipeline/kernel/errors.ts';
import { plan } from '../jobs/planner.ts';
import { jobIdOf, type StepJobData, type StepJobResult } from '../jobs/queue.ts';
import { catchUp, closedBusinessDate, lastTick, startScheduler, tick } from '../jobs/scheduler.ts';
import { freshDb, type TestDb } from './support/db.ts';
import { queueTestsCanRun, testQueue, openTestQueue, type TestQueue } from './support/queue.ts';

const canRun = await queueTestsCanRun('test/jobs-scheduler.test.ts');
const cal = Calendar.fromReferenceFiles();

/** Every job id on the queue (no worker runs here, so all are waiting), oldest first. */
async function queuedIds(queue: Queue<StepJobData, StepJobResult>): Promise<string[]> {
  const jobs = await queue.getJobs(['waiting'], 0, -1, true);
  expect(await queue.getJobCountByTypes('active', 'delayed', 'completed', 'failed', 'prioritized')).toBe(0);
  return jobs.map((j) => String(j.id));
}

describe('closedBusinessDate (no Redis needed)', () => {
  it('the 01:00 tick in Almaty closes the previous calendar day', () => {
    expect(closedBusinessDate(new Date('2025-03-14T20:00:00Z'))).toBe('2025-03-14'); // 01:00 on the 15th in Almaty
    expect(closedBusinessDate(new Date('2025-03-14T18:59:00Z'))).toBe('2025-03-13'); // 23:59 on the 14th
    expect(closedBusinessDate(new Date('2025-12-31T20:00:00Z'))).toBe('2025-12-31'); // 01:00 on 1 Jan 2026
  });
});

describe.skipIf(!canRun)('scheduler ticks (real Redis, real database)', () => {
  let t: TestDb;
  let prefix: string;
  let queue: Queue<StepJobData, StepJobResult>;

  beforeAll(async () => {
    t = await freshDb();
  });
  afterEach(async () => {
    await opened?.drop();
    opened = undefined;
    await t.db('scheduler_ticks').delete();
  });
  afterAll(async () => t?.drop());

  let opened: TestQueue | undefined;
  function newQueue() {
    opened = openTestQueue();
    ({ prefix, queue } = opened);
    return queue;
  }

  it('ticks from 13 March to 1 April 2025 enqueue exactly the planner\'s steps, in its order', async () => {
    newQueue();
    const dates: string[] = [];
    for (let d = new Date('2025-03-13T00:00:00Z'); d <= new Date('2025-04-01T00:00:00Z'); d.setUTCDate(d.getUTCDate() + 1)) {
      dates.push(d.toISOString().slice(0, 10));
    }
    for (const d of dates) {
      const r = await tick(t.db, queue, d, { operator: 'cron' });
      expect(r.items).toEqual(plan(cal, d, d));
      expect(r.jobs.every((j) => j.outcome === 'added')).toBe(true);
    }
    const expected = plan(cal, '2025-03-13', '2025-04-01').map((i) => jobIdOf(i.step, i.key));
    expect(await queuedIds(queue)).toEqual(expected);
    // Spot checks by hand: the 14th (Friday), the 15th (Saturday), the 20th (Thursday: the act of 2025-02, as 21, 24 and 25
    // March are off — DOMAIN §5), the 25th (Tuesday, off: bank fees), the 31st (Monday, last working day).
    expect(expected).toEqual(expect.arrayContaining(['build-lists@2025-03', 'form-demand@2025-03', 'reconcile@2025-02', 'bank-fees@2025-02', 'refund-unsent@2025-03-31']));
    expect(expected).not.toContain('pay@2025-03-15');
    expect(expected).not.toContain('pay@2025-03-25');
    expect(expected.slice(expected.indexOf('pay@2025-03-31'), expected.indexOf('pay@2025-03-31') + 3)).toEqual([
      'pay@2025-03-31',
      'refund-unsent@2025-03-31',
      'check-deadlines@2025-03-31',
    ]);
    const job = await queue.getJob('reconcile@2025-02');
    expect(job?.data).toEqual({ step: 'reconcile', month: '2025-02', key: '2025-02', asOf: '2025-03-20', operator: 'cron', source: 'scheduler' });
    expect(await t.db('scheduler_ticks').orderBy('tick_date').pluck('tick_date')).toEqual(dates);
  });

  it('a repeated tick and a second scheduler at the same time enqueue each step once', async () => {
    newQueue();
    const other = testQueue(prefix);
    await tick(t.db, queue, '2025-03-14', { operator: 'a' });
    const [again, concurrent] = await Promise.all([
      tick(t.db, queue, '2025-03-14', { operator: 'b' }),
      tick(t.db, other, '2025-03-14', { operator: 'c' }),
    ]);
    await other.close();
    expect(again.jobs.map((j) => j.outcome)).toEqual(['exists', 'exists', 'exists']);
    expect(concurrent.jobs.map((j) => j.outcome)).toEqual(['exists', 'exists', 'exists']);
    expect(await queuedIds(queue)).toEqual(['build-lists@2025-03', 'pay@2025-03-14', 'check-deadlines@2025-03-14']);
    expect((await queue.getJob('pay@2025-03-14'))?.data.operator).toBe('a');
    expect(await t.db('scheduler_ticks').pluck('tick_date')).toEqual(['2025-03-14']);
  });

  it('catches up the nights missed since the last recorded tick, and only those', async () => {
    newQueue();
    await tick(t.db, queue, '2025-03-20', { operator: 'cron' });
    const before = await queuedIds(queue);
    // Down from the night of the 21st; started again on the 26th at 09:00 (closes the 25th).
    const results = await catchUp(t.db, queue, '2025-03-25', { operator: 'cron' });
    expect(results.map((r) => r.date)).toEqual(['2025-03-21', '2025-03-22', '2025-03-23', '2025-03-24', '2025-03-25']);
    const added = (await queuedIds(queue)).slice(before.length);
    // 21 (Nauryz), 22–23 (weekend), 24–25 (off): no payments, only the bank fees of February on the 25th (the act of
    // period 2025-02 was due on the 20th, its date, and queued by that night's tick).
    expect(added).toEqual(plan(cal, '2025-03-21', '2025-03-25').map((i) => jobIdOf(i.step, i.key)));
    expect(added).toEqual(['bank-fees@2025-02']);
    expect(before).toContain('reconcile@2025-02');
    expect(await lastTick(t.db)).toBe('2025-03-25');
    // Nothing left to catch up.
    expect(await catchUp(t.db, queue, '2025-03-25', { operator: 'cron' })).toEqual([]);
  });

  it('a first start ticks only the closed day; a gap longer than allowed is refused and enqueues nothing', async () => {
    newQueue();
    const first = await catchUp(t.db, queue, '2025-03-14', { operator: 'cron' });
    expect(first.map((r) => r.date)).toEqual(['2025-03-14']);
    const before = await queuedIds(queue);
    const refusal = await catchUp(t.db, queue, '2025-04-14', { operator: 'cron' }).catch((e) => e);
    expect(refusal).toBeInstanceOf(BusinessRuleError);
    expect(refusal.rule).toBe('scheduler-gap');
    expect(refusal.message).toMatch(/пропущено 31 дн\. \(2025-03-15 — 2025-04-14\)/);
    expect(await queuedIds(queue)).toEqual(before);
    // Allowed explicitly, it catches up the whole gap.
    const all = await catchUp(t.db, queue, '2025-04-14', { operator: 'cron', maxCatchUpDays: 31 });
    expect(all).toHaveLength(31);
  });

  it('startScheduler catches up at start (its clock is an argument) and stops cleanly', async () => {
    newQueue();
    await tick(t.db, queue, '2025-03-12', { operator: 'cron' });
    const s = await startScheduler({
      db: t.db,
      queue,
      operator: 'cron',
      now: () => new Date('2025-03-15T04:00:00Z'), // 09:00 on the 15th in Almaty: the 14th is closed
    });
    try {
      expect(s.caughtUp.map((r) => r.date)).toEqual(['2025-03-13', '2025-03-14']);
      expect(s.task.getNextRun()?.toISOString()).toMatch(/T20:00:00\.000Z$/); // next 01:00 Asia/Almaty
    } finally {
      await s.stop();
    }
  });
});
