// The BullMQ worker: takes one step job at a time and runs it with the same step function as
// the CLI. Transient failures (database or Redis unreachable, a dropped connection) are thrown
// back to BullMQ, which retries with exponential backoff; business refusals and anything else
// fail the job at once (UnrecoverableError) with the reason, and the failed job stays in the
// queue for the on-call engineer. A job whose prerequisite (planner.prerequisites) is still
// queued waits for it; one whose prerequisite failed or was never queued fails with that reason.
//
// A worker killed mid-job (SIGKILL, power loss) leaves an open transaction that PostgreSQL rolls
// back and a job lock that expires; another worker's stalled-job check puts the job back and it
// runs again from a clean database. The step_runs key makes a second run of a finished step a
// no-op, so nothing is paid twice.
import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Db } from '../pipeline/kernel/db.ts';
import { BusinessRuleError, isTransient } from '../pipeline/kernel/errors.ts';
import type { Logger } from '../pipeline/kernel/logger.ts';
import { maskText } from '../pipeline/kernel/mask.ts';
import { isStepName, prerequisites, type PlanItem } from './planner.ts';
import {
  DEFAULT_PREFIX,
  jobIdOf,
  QUEUE_NAME,
  type QueueConfig,
  type StepJobData,
  type StepJobResult,
} from './queue.ts';
import { isStepDone } from './runner.ts';
import { stepFunction, type StepResolver } from './steps.ts';
import { redisConnection } from './settings.ts';

export interface WorkerOptions extends QueueConfig {
  db: Db;
  logger?: Logger;
  resolve?: StepResolver;
  /** Where pay and refund-unsent write their pain.001 files. */
  outDir?: string;
  /** How long a job's lock lives without renewal (ms); a dead worker's job is taken back after it. */
  lockDuration?: number;
  /** How often to look for jobs whose worker died (ms). */
  stalledInterval?: number;
  /** How many times a job may be taken back from a dead worker before it is failed. */
  maxStalledCount?: number;
  /** How long a job waits before looking again at a prerequisite that is still queued (ms). */
  prerequisiteWaitMs?: number;
  /** Start taking jobs at once (default true). */
  autorun?: boolean;
}

export interface RunningWorker {
  worker: Worker<StepJobData, StepJobResult>;
  /** Finishes the current job, then stops. */
  close(): Promise<void>;
}

const PENDING = new Set(['waiting', 'delayed', 'active', 'prioritized', 'waiting-children']);

function itemOf(data: StepJobData): PlanItem {
  if (!isStepName(data.step)) throw new UnrecoverableError(`Неизвестный шаг «${data.step}» в задании`);
  return data.month
    ? { date: data.asOf, step: data.step, month: data.month, key: data.key }
    : { date: data.asOf, step: data.step, key: data.key };
}

export async function startWorker(opts: WorkerOptions): Promise<RunningWorker> {
  const connection = redisConnection(opts.url);
  const prefix = opts.prefix ?? DEFAULT_PREFIX;
  const queue = new Queue<StepJobData, StepJobResult>(QUEUE_NAME, { connection, prefix });
  // One step at a time across every worker: the steps serialize on the pipeline lock in the
  // database anyway, and this keeps the queue's order (the planner's) the order they run in.
  await queue.setGlobalConcurrency(1);
  const resolve = opts.resolve ?? stepFunction;
  const log = opts.logger;
  const wait = opts.prerequisiteWaitMs ?? 30_000;

  async function processJob(job: Job<StepJobData, StepJobResult>, token?: string): Promise<StepJobResult> {
    const it = itemOf(job.data);
    for (const p of prerequisites(it)) {
      if (await isStepDone(opts.db, p.step, p.key)) continue;
      const pj = await queue.getJob(jobIdOf(p.step, p.key));
      const state = pj ? await pj.getState() : 'missing';
      if (PENDING.has(state)) {
        log?.info({ job: job.id, waitsFor: jobIdOf(p.step, p.key), state }, 'prerequisite still queued; waiting');
        await job.moveToDelayed(Date.now() + wait, token);
        throw new DelayedError();
      }
      const why =
        state === 'failed'
          ? `он завершился ошибкой: ${pj?.failedReason ?? ''}`
          : 'его нет в очереди и в журнале запусков';
      throw new UnrecoverableError(
        `Шаг ${it.step} за ${it.key} не выполнен: сначала должен быть выполнен шаг ${p.step} за ${p.key} (${why}). ` +
          `Выполните его (payouts enqueue ${p.step}) и повторите этот шаг (payouts enqueue ${it.step}).`,
      );
    }
    const fn = await resolve(it.step);
    log?.info({ job: job.id, step: it.step, key: it.key, asOf: it.date, attempt: job.attemptsMade + 1 }, 'step started');
    try {
      const outcome = await fn(opts.db, { month: it.month, asOf: it.date, operator: job.data.operator, outDir: opts.outDir });
      if (outcome.status === 'dry-run') throw new UnrecoverableError('worker ran a dry run'); // cannot happen: no dryRun passed
      log?.info({ job: job.id, step: it.step, key: it.key, status: outcome.status, runId: outcome.runId }, 'step finished');
      return { status: outcome.status, runId: outcome.runId, summary: outcome.summary };
    } catch (err) {
      if (err instanceof BusinessRuleError) {
        log?.warn({ job: job.id, step: it.step, key: it.key, rule: err.rule, reason: err.message }, 'step refused');
        throw new UnrecoverableError(`Отказ по правилу ${err.rule}: ${err.message}`);
      }
      if (err instanceof UnrecoverableError || err instanceof DelayedError) throw err;
      if (isTransient(err)) {
        log?.warn({ job: job.id, step: it.step, key: it.key, err }, 'transient failure; will retry with backoff');
        throw err;
      }
      log?.error({ job: job.id, step: it.step, key: it.key, err }, 'step failed');
      throw new UnrecoverableError(`Непредвиденная ошибка: ${(err as Error).message ?? String(err)}`);
    }
  }

  // BullMQ keeps a failed job's message (failedReason) and stack in Redis, where the dashboard and
  // `payouts status` show them: every ИИН/БИН in them is masked as in the logs.
  async function processMasked(job: Job<StepJobData, StepJobResult>, token?: string): Promise<StepJobResult> {
    try {
      return await processJob(job, token);
    } catch (err) {
      if (err instanceof Error && !(err instanceof DelayedError)) {
        err.message = maskText(err.message);
        if (err.stack) err.stack = maskText(err.stack);
      }
      throw err;
    }
  }

  const worker = new Worker<StepJobData, StepJobResult>(QUEUE_NAME, processMasked, {
    connection,
    prefix,
    concurrency: 1,
    autorun: opts.autorun ?? true,
    lockDuration: opts.lockDuration ?? 60_000,
    stalledInterval: opts.stalledInterval ?? 30_000,
    maxStalledCount: opts.maxStalledCount ?? 2,
  });
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1) || err instanceof UnrecoverableError;
    log?.[final ? 'error' : 'warn']({ job: job.id, attempts: job.attemptsMade, reason: err.message }, final ? 'job failed' : 'attempt failed');
  });
  worker.on('error', (err) => log?.error({ err }, 'worker error'));
  await worker.waitUntilReady();

  return {
    worker,
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
