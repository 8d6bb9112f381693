// The scheduler: a node-cron tick every night at 01:00 Asia/Almaty puts the steps due on the
// business day that has just ended onto the BullMQ queue, under deterministic job ids.
//
// Decision (which day a tick closes): the 01:00 tick of calendar day T runs the plan of T−1.
// The day's inputs are in by then — acts accepted on the 14th are in the list built "on the
// 14th" (DOMAIN.md §3: every act accepted on or before that day), a provider who fixed its bank
// details on the last working day is paid again that day rather than sent back, transfers
// received on D are paid as of D. Each step still runs as of its planned date (time is an
// argument), so a tick is a pure function of the business date: tick(db, queue, date).
//
// Every tick is recorded in scheduler_ticks after its jobs are on the queue. At start and at
// every cron tick the scheduler ticks every date after the last recorded one up to the closed
// business day, so a night missed while it was down is caught up; the job ids make a repeated
// tick, or two schedulers, enqueue each step once. A gap longer than maxCatchUpDays is refused
// with the reason: backdating weeks of payment orders is a decision for a person.
import cron, { type ScheduledTask } from 'node-cron';
import type { Queue } from 'bullmq';
import type { Db } from '../pipeline/kernel/db.ts';
import { addDays, assertDate, daysBetween, todayInAlmaty, type IsoDate } from '../pipeline/kernel/dates.ts';
import { BusinessRuleError } from '../pipeline/kernel/errors.ts';
import type { Logger } from '../pipeline/kernel/logger.ts';
import { loadCalendar } from '../pipeline/kernel/reference.ts';
import { dueOn, type PlanItem } from './planner.ts';
import { DEFAULT_MAX_CATCH_UP_DAYS, NIGHTLY_CRON, TIME_ZONE } from './settings.ts';
import { enqueueItem, type EnqueueOutcome, type RetryPolicy, type StepJobData, type StepJobResult } from './queue.ts';


type StepQueue = Queue<StepJobData, StepJobResult>;

export interface TickOptions {
  operator: string;
  retry?: RetryPolicy;
}

export interface TickResult {
  date: IsoDate;
  items: PlanItem[];
  jobs: EnqueueOutcome[];
}

/** The business day a tick at `now` closes: yesterday in Asia/Almaty. */
export function closedBusinessDate(now: Date = new Date()): IsoDate {
  return addDays(todayInAlmaty(now), -1);
}

/** Enqueues the steps due on `date` (in the planner's order) and records the tick. */
export async function tick(db: Db, queue: StepQueue, date: IsoDate, opts: TickOptions): Promise<TickResult> {
  assertDate(date);
  const calendar = await loadCalendar(db);
  const items = dueOn(calendar, date);
  const jobs: EnqueueOutcome[] = [];
  for (const it of items) jobs.push(await enqueueItem(queue, it, { operator: opts.operator, source: 'scheduler', retry: opts.retry }));
  // Recorded only once its jobs are on the queue: a crash in between re-ticks the date, which
  // the job ids make harmless.
  await db('scheduler_ticks').insert({ tick_date: date }).onConflict('tick_date').ignore();
  return { date, items, jobs };
}

export async function lastTick(db: Db): Promise<IsoDate | null> {
  const row = await db('scheduler_ticks').max('tick_date as last').first();
  return (row?.last as string | null | undefined) ?? null;
}

/** Ticks every date after the last recorded tick up to `through` (only `through` on a first start). */
export async function catchUp(
  db: Db,
  queue: StepQueue,
  through: IsoDate,
  opts: TickOptions & { maxCatchUpDays?: number },
): Promise<TickResult[]> {
  const last = await lastTick(db);
  if (last !== null && last >= through) return [];
  const from = last === null ? through : addDays(last, 1);
  const days = daysBetween(from, through) + 1;
  const max = opts.maxCatchUpDays ?? DEFAULT_MAX_CATCH_UP_DAYS;
  if (days > max) {
    throw new BusinessRuleError(
      'scheduler-gap',
      `Планировщик не работал с ${last}: пропущено ${days} дн. (${from} — ${through}), больше допустимых ${max}. ` +
        `Автоматически такие шаги не догоняются (платёжные поручения были бы датированы прошлыми днями). ` +
        `Просмотрите пропущенное (payouts schedule --from ${from} --to ${through}), выполните нужное вручную ` +
        `или разрешите догнать: payouts scheduler --max-catch-up-days ${days}.`,
    );
  }
  const results: TickResult[] = [];
  for (let d = from; d <= through; d = addDays(d, 1)) results.push(await tick(db, queue, d, opts));
  return results;
}

export interface SchedulerOptions extends TickOptions {
  db: Db;
  queue: StepQueue;
  logger?: Logger;
  maxCatchUpDays?: number;
  cronExpression?: string;
  /** The clock (tests move it). */
  now?: () => Date;
}

export interface RunningScheduler {
  task: ScheduledTask;
  /** What the start caught up. */
  caughtUp: TickResult[];
  stop(): Promise<void>;
}

function logTicks(log: Logger | undefined, results: TickResult[]): void {
  for (const r of results) {
    log?.info(
      { date: r.date, jobs: r.jobs.map((j) => `${j.jobId}:${j.outcome}`) },
      r.items.length ? 'tick enqueued the day\'s steps' : 'tick: nothing due',
    );
  }
}

export async function startScheduler(opts: SchedulerOptions): Promise<RunningScheduler> {
  const now = opts.now ?? (() => new Date());
  const run = async () => {
    const results = await catchUp(opts.db, opts.queue, closedBusinessDate(now()), opts);
    logTicks(opts.logger, results);
    return results;
  };
  const caughtUp = await run();
  const task = cron.schedule(
    opts.cronExpression ?? NIGHTLY_CRON,
    async () => {
      try {
        await run();
      } catch (err) {
        opts.logger?.error({ err }, 'scheduler tick failed; the next tick catches up');
      }
    },
    { timezone: TIME_ZONE, name: 'payouts-nightly', noOverlap: true },
  );
  return {
    task,
    caughtUp,
    async stop() {
      await task.stop();
      await task.destroy();
    },
  };
}
