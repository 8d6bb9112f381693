// The BullMQ queue of steps. One job per (step, key), with a deterministic job id, so two
// schedulers, a repeated tick or an operator's enqueue put each step on the queue once; the
// database (step_runs) still guarantees that a step runs once even if a job ran twice.
import { Queue, type JobsOptions } from 'bullmq';
import { isStepName, type PlanItem, type StepName } from './planner.ts';
import { redisConnection } from './settings.ts';

export const QUEUE_NAME = 'payouts-steps';
export const DEFAULT_PREFIX = 'payouts';

export interface QueueConfig {
  /** redis://[user:password@]host:port[/db] */
  url: string;
  /** Redis key prefix (tests use one of their own). */
  prefix?: string;
}

/** What a job carries: enough to run the step without anything else. */
export interface StepJobData {
  step: StepName;
  month?: string;
  key: string;
  /** The as-of date the step runs with. */
  asOf: string;
  operator: string;
  /** Who put it there: the scheduler's tick, `payouts enqueue` or `payouts run nightly`. */
  source: 'scheduler' | 'enqueue' | 'nightly';
}

/** The result a completed job stores. */
export interface StepJobResult {
  status: 'done' | 'already-done';
  runId: number;
  summary: Record<string, unknown>;
}

/**
 * The job id of a (step, key): `pay@2025-03-14`, `build-lists@2025-03`. (BullMQ 5 reserves ':'
 * in custom ids for its own key separator, so the `step:key` of the issue is written with '@'.)
 */
export function jobIdOf(step: StepName, key: string): string {
  return `${step}@${key}`;
}

export function parseJobId(id: string): { step: StepName; key: string } | null {
  const at = id.indexOf('@');
  if (at < 0) return null;
  const step = id.slice(0, at);
  return isStepName(step) ? { step, key: id.slice(at + 1) } : null;
}

export interface RetryPolicy {
  /** Attempts in all (the first and the retries) for transient failures. */
  attempts: number;
  /** First backoff delay (ms), doubled each time. */
  backoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, backoffMs: 15_000 };

export function jobOptions(jobId: string, retry: RetryPolicy = DEFAULT_RETRY): JobsOptions {
  return {
    jobId,
    attempts: retry.attempts,
    backoff: { type: 'exponential', delay: retry.backoffMs },
    // Completed jobs are kept (their ids keep a late duplicate out); failed ones stay until
    // someone looks at them.
    removeOnComplete: { age: 90 * 24 * 3600 },
    removeOnFail: false,
  };
}

export function openQueue(config: QueueConfig): Queue<StepJobData, StepJobResult> {
  return new Queue<StepJobData, StepJobResult>(QUEUE_NAME, {
    connection: redisConnection(config.url),
    prefix: config.prefix ?? DEFAULT_PREFIX,
  });
}

export type EnqueueOutcome =
  | { jobId: string; outcome: 'added' }
  | { jobId: string; outcome: 'exists'; state: string }
  | { jobId: string; outcome: 'retried' };

/**
 * Puts one item on the queue under its deterministic id. An existing job is left as it is
 * (waiting, running, done); a failed one is retried only when `retryFailed` (an operator's
 * enqueue), never by the scheduler's tick.
 */
export async function enqueueItem(
  queue: Queue<StepJobData, StepJobResult>,
  it: PlanItem,
  opts: { operator: string; source: StepJobData['source']; retryFailed?: boolean; retry?: RetryPolicy },
): Promise<EnqueueOutcome> {
  const jobId = jobIdOf(it.step, it.key);
  const existing = await queue.getJob(jobId);
  if (existing) {
    const state = await existing.getState();
    if (state === 'failed' && opts.retryFailed) {
      await existing.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      return { jobId, outcome: 'retried' };
    }
    return { jobId, outcome: 'exists', state };
  }
  const data: StepJobData = { step: it.step, key: it.key, asOf: it.date, operator: opts.operator, source: opts.source };
  if (it.month) data.month = it.month;
  // Atomic in Redis: of two concurrent adds with the same id, one job exists afterwards.
  await queue.add(it.step, data, jobOptions(jobId, opts.retry));
  return { jobId, outcome: 'added' };
}

export interface QueueSnapshot {
  counts: Record<'waiting' | 'active' | 'delayed' | 'failed' | 'completed' | 'prioritized' | 'waiting-children', number>;
  jobs: { id: string; step: string; key: string; asOf: string; state: string; attempts: number; reason?: string; finishedOn?: string }[];
}

/** Queued, running, delayed and failed jobs (and a count of completed ones) for `payouts status`. */
export async function snapshot(queue: Queue<StepJobData, StepJobResult>, limit = 50): Promise<QueueSnapshot> {
  const counts = (await queue.getJobCounts(
    'waiting',
    'active',
    'delayed',
    'failed',
    'completed',
    'prioritized',
    'waiting-children',
  )) as QueueSnapshot['counts'];
  const jobs: QueueSnapshot['jobs'] = [];
  for (const state of ['active', 'waiting', 'prioritized', 'delayed', 'failed'] as const) {
    const list = await queue.getJobs([state], 0, limit - 1, true);
    for (const j of list) {
      if (!j) continue;
      jobs.push({
        id: String(j.id),
        step: j.data.step,
        key: j.data.key,
        asOf: j.data.asOf,
        state,
        attempts: j.attemptsMade,
        reason: j.failedReason || undefined,
        finishedOn: j.finishedOn ? new Date(j.finishedOn).toISOString() : undefined,
      });
    }
  }
  return { counts, jobs };
}
