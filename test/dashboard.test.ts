// The on-call dashboard (bull-board on 127.0.0.1) seen in a real headless Chromium: the step
// queue with its failed job and the refusal's reason, and a waiting job.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queue } from 'bullmq';
import { startDashboard, type RunningDashboard } from '../jobs/dashboard.ts';
import { manualItem } from '../jobs/planner.ts';
import { enqueueItem, type StepJobData, type StepJobResult } from '../jobs/queue.ts';
import { startWorker } from '../jobs/worker.ts';
import { freshDb, type TestDb } from './support/db.ts';
import { fundedWorld, WORLD } from './support/one-month-world.ts';
import { pay } from '../pipeline/steps/pay/index.ts';
import { ordersAwaitingApproval } from '../pipeline/orders/approval.ts';
import { tempDir } from './support/files.ts';
import { chromiumAvailable, CHROMIUM, HeadlessPage } from './support/chromium.ts';
import { queueTestsCanRun, REDIS_URL, waitForState, openTestQueue, type TestQueue } from './support/queue.ts';

const redisOk = await queueTestsCanRun('test/dashboard.test.ts');
const chromiumOk = chromiumAvailable();
if (!chromiumOk) {
  console.warn(`[skip] test/dashboard.test.ts: no Chromium at ${CHROMIUM} (Debian: apt-get install -y chromium); the dashboard is not checked in a browser.`);
}

describe.skipIf(!redisOk || !chromiumOk)('payouts dashboard in a headless browser', () => {
  let t: TestDb;
  let prefix: string;
  let queue: Queue<StepJobData, StepJobResult>;
  let opened: TestQueue | undefined;
  let dashboard: RunningDashboard;
  let page: HeadlessPage;

  beforeAll(async () => {
    t = await freshDb();
    opened = openTestQueue();
    ({ prefix, queue } = opened);
    // A real refusal: pay on Saturday 22 March 2025.
    await enqueueItem(queue, manualItem('pay', { asOf: '2025-03-22' }), { operator: 'dashboard-test', source: 'enqueue' });
    const worker = await startWorker({ url: REDIS_URL, prefix, db: t.db });
    await waitForState(queue, 'pay@2025-03-22', ['failed']);
    await worker.close();
    // And one that waits for a worker.
    await enqueueItem(queue, manualItem('build-lists', { month: '2025-04', asOf: '2025-04-14' }), { operator: 'dashboard-test', source: 'enqueue' });
    // Orders waiting for a second operator: the one-month world paid by «кассир», not approved.
    await fundedWorld(t.db);
    await pay(t.db, { asOf: WORLD.payOn, operator: 'кассир', outDir: tempDir('payouts-dashboard-') });
    dashboard = await startDashboard({ url: REDIS_URL, prefix, port: 0, awaitingApproval: () => ordersAwaitingApproval(t.db) });
    page = await HeadlessPage.open();
  });
  afterAll(async () => {
    await page?.close();
    await dashboard?.close();
    await opened?.drop();
    await t?.drop();
  });

  it('listens on 127.0.0.1 only', () => {
    expect(dashboard.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('shows the failed job with the reason of the refusal', async () => {
    const reason = (await queue.getJob('pay@2025-03-22'))!.failedReason;
    expect(reason).toMatch(/^Отказ по правилу/);
    await page.goto(`${dashboard.url}queue/payouts-steps?status=failed`);
    await page.waitForText(['Шаги цикла выплат', 'pay@2025-03-22']);
    expect(await page.click('Error')).toBe(true);
    await page.waitForText([reason]);
  });

  it('shows the times in Asia/Almaty (24-hour), whatever the browser\'s time zone', async () => {
    const job = (await queue.getJob('pay@2025-03-22'))!;
    const almaty = (ms: number) =>
      new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Almaty', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(ms);
    await page.goto(`${dashboard.url}queue/payouts-steps?status=failed`);
    const shown = await page.waitForText(['pay@2025-03-22']);
    const times = [job.timestamp, job.processedOn!, job.finishedOn!].map(almaty);
    expect(times.some((t) => shown.includes(t)), `${times.join(', ')} in:\n${shown}`).toBe(true);
  });

  it('shows the waiting job with its data', async () => {
    await page.goto(`${dashboard.url}queue/payouts-steps?status=waiting`);
    await page.waitForText(['build-lists@2025-04', '"month": "2025-04"', '"asOf": "2025-04-14"']);
  });

  it('links the orders waiting for approval from the board and lists them with their sums (four eyes)', async () => {
    await page.goto(dashboard.url);
    await page.waitForText(['Ждут утверждения']);
    await page.goto(`${dashboard.url}approvals`);
    const shown = await page.waitForText(['Платёжные поручения, ожидающие утверждения', 'кассир', 'payouts orders approve']);
    for (const total of WORLD.providerSums) expect(shown).toContain(total);
    expect(shown).not.toMatch(/\b\d{12}\b/); // БИН masked as everywhere the on-call engineer reads
  });
});
