// A failed job's reason and stack stay in Redis, where `payouts status` and the dashboard show
// them: every ИИН/БИН in them is masked as in the logs (a refusal and an unexpected error alike).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualItem } from '../jobs/planner.ts';
import { enqueueItem } from '../jobs/queue.ts';
import { startWorker } from '../jobs/worker.ts';
import type { StepResolver } from '../jobs/steps.ts';
import { BusinessRuleError } from '../pipeline/kernel/errors.ts';
import { cli } from './support/cli.ts';
import { freshDb, type TestDb } from './support/db.ts';
import { synthIin } from './support/ids.ts';
import { openTestQueue, queueTestsCanRun, REDIS_URL, waitForState, type TestQueue } from './support/queue.ts';

const canRun = await queueTestsCanRun('test/jobs-mask.test.ts');

describe.skipIf(!canRun)('BullMQ failedReason with ИИН masked', () => {
  let t: TestDb;
  let q: TestQueue;
  const iin = synthIin(4242);
  const masked = `${iin.slice(0, 4)}****${iin.slice(8)}`;

  beforeAll(async () => {
    t = await freshDb();
    q = openTestQueue();
  });
  afterAll(async () => {
    await q?.drop();
    await t?.drop();
  });

  it('a refusal and an unexpected error: reason and stack masked, status shows them masked', async () => {
    const resolve: StepResolver = async (step) => async () => {
      if (step === 'pay') throw new BusinessRuleError('test-rule', `Получатель ${iin}: отказ`);
      throw new Error(`broken row for ${iin}`);
    };
    await enqueueItem(q.queue, manualItem('pay', { asOf: '2025-03-18' }), { operator: 'op', source: 'enqueue' });
    await enqueueItem(q.queue, manualItem('check-deadlines', { asOf: '2025-03-18' }), { operator: 'op', source: 'enqueue' });
    const worker = await startWorker({ url: REDIS_URL, prefix: q.prefix, db: t.db, resolve });
    try {
      await waitForState(q.queue, 'pay@2025-03-18', ['failed']);
      await waitForState(q.queue, 'check-deadlines@2025-03-18', ['failed']);
    } finally {
      await worker.close();
    }
    const refused = await q.queue.getJob('pay@2025-03-18');
    const broken = await q.queue.getJob('check-deadlines@2025-03-18');
    expect(refused?.failedReason).toBe(`Отказ по правилу test-rule: Получатель ${masked}: отказ`);
    expect(broken?.failedReason).toBe(`Непредвиденная ошибка: broken row for ${masked}`);
    for (const job of [refused, broken]) {
      expect(JSON.stringify(job?.stacktrace)).not.toContain(iin);
    }
    const status = await cli(['--db', t.url ?? '', 'status'], { env: { REDIS_URL, PAYOUTS_QUEUE_PREFIX: q.prefix } });
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`платёжные поручения (pay@2025-03-18) — завершилось ошибкой`);
    expect(status.stdout).toContain(masked);
    expect(status.stdout).not.toContain(iin);
  });
});
