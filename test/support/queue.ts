// Queue tests: a real Redis (127.0.0.1:6379 unless TEST_REDIS_URL) under a key prefix of their
// own, removed afterwards. Skipped with a printed reason when Redis is down, unless
// REQUIRE_SERVICES=1 (then its absence fails the run).
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Queue } from 'bullmq';
import { openQueue, type StepJobData, type StepJobResult } from '../../jobs/queue.ts';
import { REDIS_URL, redisAvailable, servicesRequired } from './services.ts';

export { REDIS_URL };

/** True when the queue tests can run; prints why they are skipped otherwise. */
export async function queueTestsCanRun(file: string): Promise<boolean> {
  if (await redisAvailable()) return true;
  if (servicesRequired) throw new Error(`REQUIRE_SERVICES=1 but Redis is not reachable at ${REDIS_URL}`);
  console.warn(`[skip] ${file}: Redis is not reachable at ${REDIS_URL}; the queue tests need a real Redis.`);
  return false;
}

export function uniquePrefix(): string {
  return `payouts-test-${process.pid}-${randomBytes(4).toString('hex')}`;
}

export function testQueue(prefix: string): Queue<StepJobData, StepJobResult> {
  return openQueue({ url: REDIS_URL, prefix });
}

export interface TestQueue {
  prefix: string;
  queue: Queue<StepJobData, StepJobResult>;
  /** Empties and closes the queue and deletes every key under its prefix. */
  drop(): Promise<void>;
}

/** A queue of the test's own, under a fresh prefix. */
export function openTestQueue(): TestQueue {
  const prefix = uniquePrefix();
  const queue = testQueue(prefix);
  return {
    prefix,
    queue,
    drop: async () => {
      await queue.obliterate({ force: true });
      await queue.close();
      await dropPrefix(prefix);
    },
  };
}

/** Deletes every key under the prefix. */
export async function dropPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Waits until the job reaches one of the states (polling), or throws after `timeoutMs`. */
export async function waitForState(
  queue: Queue<StepJobData, StepJobResult>,
  jobId: string,
  states: string[],
  timeoutMs = 20_000,
): Promise<string> {
  const until = Date.now() + timeoutMs;
  let last = 'missing';
  while (Date.now() < until) {
    const job = await queue.getJob(jobId);
    last = job ? await job.getState() : 'missing';
    if (states.includes(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`job ${jobId} did not reach ${states.join('/')} in ${timeoutMs} ms (last state ${last})`);
}
