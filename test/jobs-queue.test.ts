// The BullMQ queue and worker against a real Redis and a real database: deterministic job ids,
// one run per job, transient failures retried with backoff, business refusals failed at once
// with their reason, prerequisites waited for.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Queue } from 'bullmq';
import { manualItem } from '../jobs/planner.ts';
import { enqueueItem, jobIdOf, parseJobId, snapshot, type StepJobData, type StepJobResult } from '../jobs/queue.ts';
import { startWorker, type RunningWorker } from '../jobs/worker.ts';
import { stepFunction, type StepResolver } from '../jobs/steps.ts';
import { trialBalance } from '../pipeline/ledger.ts';
import { count, freshDb, type TestDb } from './support/db.ts';
import { fundedWorld, WORLD } from './support/one-month-world.ts';
import { queueTestsCanRun, REDIS_URL, testQueue, waitForState, openTestQueue, type TestQueue } from './support/queue.ts';

const canRun = await queueTestsCanRun('test/jobs-queue.test.ts');
const FAST_RETRY = { attempts: 4, backoffMs: 100 };

describe.skipIf(!canRun)('step queue (BullMQ, real Redis)', () => {
  let t: TestDb;
  let prefix: string;
  let queue: Queue<StepJobData, StepJobResult>;
  let worker: RunningWorker | undefined;
  let out: string;
  const calls: string[] = [];

  /** The real steps, counted (instrumentation only: every call runs the real step). */
  const counted: StepResolver = async (step) => {
    const real = await stepFunction(step);
    return async (db, opts) => {
      calls.push(`${step}@${opts.month ?? opts.asOf}`);
      return real(db, opts);
    };
  };

  async function work(resolve: StepResolver = counted): Promise<RunningWorker> {
    worker = await startWorker({ url: REDIS_URL, prefix, db: t.db, resolve, outDir: out, prerequisiteWaitMs: 100 });
    return worker;
  }

  beforeAll(async () => {
    t = await freshDb();
    await fundedWorld(t.db);
    out = mkdtempSync(path.join(os.tmpdir(), 'payouts-jobs-queue-'));
  });
  afterEach(async () => {
    await worker?.close();
    worker = undefined;
    await opened?.drop();
    opened = undefined;
  });
  afterAll(async () => {
    await t?.drop();
    rmSync(out, { recursive: true, force: true });
  });

  let opened: TestQueue | undefined;
  function newQueue() {
    opened = openTestQueue();
    ({ prefix, queue } = opened);
    return queue;
  }

  it('job ids are deterministic: step@month or step@date', () => {
    expect(jobIdOf('build-lists', '2025-03')).toBe('build-lists@2025-03');
    expect(jobIdOf('pay', '2025-03-18')).toBe('pay@2025-03-18');
    expect(parseJobId('refund-unsent@2025-03-31')).toEqual({ step: 'refund-unsent', key: '2025-03-31' });
    expect(parseJobId('nonsense@x')).toBeNull();
  });

  it('a job enqueued twice (and by two schedulers at once) is on the queue once and runs once', async () => {
    newQueue();
    const it1 = manualItem('pay', { asOf: WORLD.payOn });
    const first = await enqueueItem(queue, it1, { operator: 'a', source: 'enqueue' });
    const second = await enqueueItem(queue, it1, { operator: 'b', source: 'enqueue' });
    const other = testQueue(prefix);
    const racing = await Promise.all([
      enqueueItem(other, it1, { operator: 'c', source: 'scheduler' }),
      enqueueItem(queue, it1, { operator: 'd', source: 'scheduler' }),
    ]);
    await other.close();
    expect(first).toEqual({ jobId: 'pay@2025-03-18', outcome: 'added' });
    expect(second).toEqual({ jobId: 'pay@2025-03-18', outcome: 'exists', state: 'waiting' });
    expect(racing.map((r) => r.jobId)).toEqual(['pay@2025-03-18', 'pay@2025-03-18']);
    expect((await queue.getJobCounts('waiting')).waiting).toBe(1);

    calls.length = 0;
    await work();
    await waitForState(queue, 'pay@2025-03-18', ['completed']);
    // Enqueued again after it ran: still the same finished job, not a second run.
    expect(await enqueueItem(queue, it1, { operator: 'e', source: 'enqueue' })).toEqual({
      jobId: 'pay@2025-03-18',
      outcome: 'exists',
      state: 'completed',
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(calls).toEqual(['pay@2025-03-18']);
    const job = await queue.getJob('pay@2025-03-18');
    expect(job?.attemptsMade).toBe(1);
    expect(job?.data.operator).toBe('a');
    expect(job?.returnvalue).toMatchObject({ status: 'done', summary: { payouts: { count: 3, amount: WORLD.demand } } });
    expect(await count(t.db, 'step_runs', { step: 'pay' })).toBe(1);
    const lines = await t.db('payment_lines').orderBy('amount').pluck('amount');
    expect(lines).toEqual(WORLD.providerSums);
    expect((await trialBalance(t.db)).balanced).toBe(true);
  });

  it('a business refusal fails the job at once with its reason, and the job stays visible', async () => {
    newQueue();
    // Saturday 22 March 2025: pay refuses a non-working day.
    await enqueueItem(queue, manualItem('pay', { asOf: '2025-03-22' }), { operator: 'op', source: 'enqueue', retry: FAST_RETRY });
    await work();
    await waitForState(queue, 'pay@2025-03-22', ['failed']);
    const job = await queue.getJob('pay@2025-03-22');
    expect(job?.attemptsMade).toBe(1); // not retried, though 4 attempts were allowed
    expect(job?.failedReason).toMatch(/^Отказ по правилу /);
    expect(job?.failedReason).toMatch(/2025-03-22/);
    const snap = await snapshot(queue);
    expect(snap.counts.failed).toBe(1);
    expect(snap.jobs).toEqual([expect.objectContaining({ id: 'pay@2025-03-22', state: 'failed', reason: job?.failedReason })]);
    // An operator's enqueue of a failed job retries it (here it fails again for the same reason).
    expect(await enqueueItem(queue, manualItem('pay', { asOf: '2025-03-22' }), { operator: 'op', source: 'enqueue', retryFailed: true })).toEqual({
      jobId: 'pay@2025-03-22',
      outcome: 'retried',
    });
    await waitForState(queue, 'pay@2025-03-22', ['failed']);
  });

  it('a dropped database connection is retried with backoff and then succeeds', async (ctx) => {
    if (t.kind !== 'postgres') ctx.skip(); // needs a server connection to drop
    newQueue();
    let attempt = 0;
    const resolve: StepResolver = async (step) => {
      const real = await stepFunction(step);
      return async (db, opts) => {
        attempt++;
        // The first attempt loses its connection as a server restart would (SQLSTATE 57P01).
        if (attempt === 1) await db.transaction((trx) => trx.raw('select pg_terminate_backend(pg_backend_pid())'));
        return real(db, opts);
      };
    };
    await enqueueItem(queue, manualItem('check-deadlines', { asOf: '2025-03-19' }), { operator: 'op', source: 'enqueue', retry: FAST_RETRY });
    await work(resolve);
    await waitForState(queue, 'check-deadlines@2025-03-19', ['completed', 'failed']);
    const job = await queue.getJob('check-deadlines@2025-03-19');
    expect(await job?.getState()).toBe('completed');
    // The first attempt's reason stays on the job for the record.
    expect(job?.failedReason).toMatch(/Connection terminated unexpectedly/);
    expect(job?.attemptsMade).toBe(2);
    expect(attempt).toBe(2);
    expect(await count(t.db, 'step_runs', { step: 'check-deadlines', run_key: '2025-03-19' })).toBe(1);
  });

  it('refund-unsent waits for the day\'s pay still on the queue, then runs after it', async () => {
    newQueue();
    calls.length = 0;
    // Put on the queue in the wrong order on purpose.
    await enqueueItem(queue, manualItem('refund-unsent', { asOf: '2025-03-31' }), { operator: 'op', source: 'enqueue' });
    await enqueueItem(queue, manualItem('pay', { asOf: '2025-03-31' }), { operator: 'op', source: 'enqueue' });
    await work();
    await waitForState(queue, 'refund-unsent@2025-03-31', ['completed', 'failed']);
    expect(await (await queue.getJob('refund-unsent@2025-03-31'))?.getState()).toBe('completed');
    expect(calls).toEqual(['pay@2025-03-31', 'refund-unsent@2025-03-31']);
    const runs = await t.db('step_runs').whereIn('step', ['pay', 'refund-unsent']).where({ as_of: '2025-03-31' }).orderBy('id').pluck('step');
    expect(runs).toEqual(['pay', 'refund-unsent']);
  });

  it('a step whose prerequisite is neither done nor queued fails with what to do', async () => {
    newQueue();
    await enqueueItem(queue, manualItem('refund-unsent', { asOf: '2025-04-30' }), { operator: 'op', source: 'enqueue' });
    await work();
    await waitForState(queue, 'refund-unsent@2025-04-30', ['failed']);
    const job = await queue.getJob('refund-unsent@2025-04-30');
    expect(job?.failedReason).toBe(
      'Шаг refund-unsent за 2025-04-30 не выполнен: сначала должен быть выполнен шаг pay за 2025-04-30 ' +
        '(его нет в очереди и в журнале запусков). Выполните его (payouts enqueue pay) и повторите этот шаг (payouts enqueue refund-unsent).',
    );
    expect(await t.db('step_runs').where({ step: 'refund-unsent', run_key: '2025-04-30' }).first()).toBeUndefined();
  });
});
