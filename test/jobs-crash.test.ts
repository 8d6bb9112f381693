// Crash drill: a worker process killed with SIGKILL in the middle of `pay` (half of the payment
// orders written, not committed) leaves its job to BullMQ's stalled-job check; another worker
// process takes it and the result is the one a clean run gives: the same orders, the same lines,
// no line twice, gapless numbers, a balanced ledger. The second worker then stops on SIGTERM.
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queue } from 'bullmq';
import { manualItem } from '../jobs/planner.ts';
import { enqueueItem, type StepJobData, type StepJobResult } from '../jobs/queue.ts';
import { approveDay, payApproved as pay } from './support/approve.ts';
import { trialBalance } from '../pipeline/ledger.ts';
import { startCli, type CliProcess } from './support/cli.ts';
import { count, freshDb, type TestDb } from './support/db.ts';
import { tempDir } from './support/files.ts';
import { fundedWorld, WORLD } from './support/one-month-world.ts';
import { queueTestsCanRun, REDIS_URL, waitForState, openTestQueue, type TestQueue } from './support/queue.ts';
import { postgresAvailable, servicesRequired } from './support/services.ts';

const redisOk = await queueTestsCanRun('test/jobs-crash.test.ts');
const pgOk = await postgresAvailable();
if (!pgOk) {
  if (servicesRequired) throw new Error('REQUIRE_SERVICES=1 but PostgreSQL is not reachable');
  console.warn('[skip] test/jobs-crash.test.ts: worker processes share a database, which needs a PostgreSQL server (PGlite is one process\'s).');
}

/** A `payouts worker` process on the test's queue; killed with SIGKILL (and says so) if it outlives `timeoutMs`. */
function startWorkerProcess(url: string, prefix: string, cwd: string, env: Record<string, string> = {}, timeoutMs = 20_000): CliProcess {
  return startCli(['worker', '--lock-duration', '1000', '--stalled-interval', '500'], {
    db: url,
    cwd,
    env: { REDIS_URL, PAYOUTS_QUEUE_PREFIX: prefix, PAYOUTS_LOG_LEVEL: 'warn', ...env },
    timeoutMs,
  });
}

describe.skipIf(!redisOk || !pgOk)('a worker killed mid-job', () => {
  let t: TestDb;
  let prefix: string;
  let queue: Queue<StepJobData, StepJobResult>;
  let opened: TestQueue | undefined;
  let cwd: string;

  beforeAll(async () => {
    t = await freshDb();
    await fundedWorld(t.db);
    opened = openTestQueue();
    ({ prefix, queue } = opened);
    cwd = tempDir('payouts-jobs-crash-');
  });
  afterAll(async () => {
    await opened?.drop();
    await t?.drop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('is retried by another worker with the result of one clean run, nothing paid twice', async () => {
    // What a clean run would do, computed on the same data and rolled back.
    const clean = await pay(t.db, { asOf: WORLD.payOn, operator: 'drill', dryRun: true });
    expect(clean.status).toBe('dry-run');
    const cleanOrders = (clean.summary.orders as { number: number; bik: string; count: number; total: string }[]).map(
      ({ number, bik, count, total }) => ({ number, bik, count, total }),
    );
    expect(cleanOrders.map((o) => o.number)).toEqual([1, 2, 3]);

    await enqueueItem(queue, manualItem('pay', { asOf: WORLD.payOn }), { operator: 'drill', source: 'enqueue' });
    const jobId = `pay@${WORLD.payOn}`;

    // Worker 1 dies with SIGKILL while writing the second of three orders.
    const first = await startWorkerProcess(t.url!, prefix, cwd, { PAYOUTS_CRASH_AT: 'orders.half-written' }).done;
    expect(first.signal).toBe('SIGKILL');
    expect(first.stderr).not.toMatch(/\[test\] killed after/); // its own crash point, not the timeout
    expect(await (await queue.getJob(jobId))?.getState()).toBe('active'); // its lock has not expired yet
    // Its transaction died with it.
    expect(await count(t.db, 'step_runs', { step: 'pay' })).toBe(0);
    expect(await count(t.db, 'payment_orders')).toBe(0);
    expect(await count(t.db, 'payment_lines')).toBe(0);

    // Worker 2 finds the stalled job, runs it, and stops cleanly on SIGTERM.
    const second = startWorkerProcess(t.url!, prefix, cwd, { PAYOUTS_LOG_LEVEL: 'info' }, 30_000);
    await waitForState(queue, jobId, ['completed', 'failed'], 20_000);
    second.child.kill('SIGTERM');
    const { code, signal, stderr } = await second.done;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(stderr).toMatch(/"msg":"worker stopped"/);

    const job = await queue.getJob(jobId);
    expect(await job?.getState()).toBe('completed');
    expect(job?.returnvalue.status).toBe('done');
    const orders = (job?.returnvalue.summary.orders as { number: number; bik: string; count: number; total: string }[]).map(
      ({ number, bik, count, total }) => ({ number, bik, count, total }),
    );
    expect(orders).toEqual(cleanOrders);

    expect(await count(t.db, 'step_runs', { step: 'pay' })).toBe(1);
    const numbers = await t.db('payment_orders').orderBy('number').pluck('number');
    expect(numbers).toEqual([1, 2, 3]);
    const lines = await t.db('payment_lines').select('demand_row_id', 'amount').orderBy('amount');
    expect(lines.map((l) => l.amount)).toEqual(WORLD.providerSums);
    expect(new Set(lines.map((l) => l.demand_row_id)).size).toBe(3);
    expect((await trialBalance(t.db)).balanced).toBe(true);
    // Four eyes: the queue's job says its orders wait for approval; a second operator approves and the files are written.
    expect(job?.returnvalue.summary.awaiting_approval).toBe(true);
    await approveDay(t.db, WORLD.payOn, { outDir: path.join(cwd, 'out', 'payment-orders') });
    expect(readdirSync(path.join(cwd, 'out', 'payment-orders')).sort()).toEqual([
      'payment-order_2025-1.xml',
      'payment-order_2025-2.xml',
      'payment-order_2025-3.xml',
    ]);
  });
});
