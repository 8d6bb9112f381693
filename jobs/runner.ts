// The in-process runner (the embedded default, no Redis): runs planned items one after another
// in the planner's order with the same step functions as the CLI and the worker. A refused step
// does not stop the steps that do not depend on it; a step whose prerequisite is not done is
// skipped with the reason; a lost database connection stops the run (the rest would fail too).
import type { Db } from '../pipeline/kernel/db.ts';
import { BusinessRuleError, isTransient } from '../pipeline/kernel/errors.ts';
import { compareItems, prerequisites, type PlanItem } from './planner.ts';
import { stepFunction, type StepResolver } from './steps.ts';

export type ItemStatus =
  | 'done'
  | 'already-done'
  | 'dry-run'
  | 'refused'
  | 'skipped'
  | 'failed'
  | 'not-due';

export interface ItemResult {
  item: PlanItem;
  status: ItemStatus;
  summary?: Record<string, unknown>;
  /** Russian, for people: why it was refused, skipped or failed. */
  message?: string;
  /** The rule of a business refusal. */
  rule?: string;
  runId?: number;
}

export interface RunOptions {
  operator: string;
  dryRun?: boolean;
  /** Where pay and refund-unsent write their pain.001 files. */
  outDir?: string;
  resolve?: StepResolver;
  /** Called before and after each item (progress bars, logs). */
  onStart?(item: PlanItem, index: number, total: number): void;
  onResult?(result: ItemResult, index: number, total: number): void;
}

const OK: ItemStatus[] = ['done', 'already-done', 'dry-run', 'not-due'];

/** Exit code of a composite run (INTERFACE.md): 1 beats 4 beats 0. */
export function exitCodeOf(results: ItemResult[]): number {
  if (results.some((r) => r.status === 'failed')) return 1;
  if (results.some((r) => r.status === 'refused' || r.status === 'skipped')) return 4;
  return 0;
}

export async function isStepDone(db: Db, step: string, key: string): Promise<boolean> {
  return !!(await db('step_runs').where({ step, run_key: key }).first('id'));
}

/** Why an item may not run yet (Russian), or null when its prerequisites are done. */
async function blockedBy(db: Db, it: PlanItem, earlier: ItemResult[]): Promise<string | null> {
  for (const p of prerequisites(it)) {
    const here = earlier.find((r) => r.item.step === p.step && r.item.key === p.key);
    if (here && here.status === 'dry-run') {
      return `шаг ${p.step} за ${p.key} выполнен только пробно, а ${it.step} считается после него`;
    }
    if (here && !OK.includes(here.status)) {
      return `не выполнен предшествующий шаг ${p.step} за ${p.key}: ${here.message ?? here.status}`;
    }
    if (!(await isStepDone(db, p.step, p.key))) {
      return `сначала должен быть выполнен шаг ${p.step} за ${p.key}`;
    }
  }
  return null;
}

export async function runItems(db: Db, items: PlanItem[], opts: RunOptions): Promise<ItemResult[]> {
  const resolve = opts.resolve ?? stepFunction;
  const ordered = [...items].sort(compareItems);
  const results: ItemResult[] = [];
  let stopped: string | null = null;
  for (const [i, it] of ordered.entries()) {
    opts.onStart?.(it, i, ordered.length);
    const result = await runOne(db, it, results, stopped, opts, resolve);
    if (result.status === 'failed' && result.message && stopped === null && result.rule === 'transient') {
      stopped = result.message;
    }
    results.push(result);
    opts.onResult?.(result, i, ordered.length);
  }
  return results;
}

async function runOne(
  db: Db,
  it: PlanItem,
  earlier: ItemResult[],
  stopped: string | null,
  opts: RunOptions,
  resolve: StepResolver,
): Promise<ItemResult> {
  if (stopped) return { item: it, status: 'skipped', message: `не запускался: ${stopped}` };
  try {
    const blocked = await blockedBy(db, it, earlier);
    if (blocked) return { item: it, status: 'skipped', message: blocked, rule: 'prerequisite' };
    const fn = await resolve(it.step);
    const outcome = await fn(db, { month: it.month, asOf: it.date, operator: opts.operator, dryRun: opts.dryRun, outDir: opts.outDir });
    return {
      item: it,
      status: outcome.status,
      summary: outcome.summary,
      runId: outcome.status === 'dry-run' ? undefined : outcome.runId,
    };
  } catch (err) {
    if (err instanceof BusinessRuleError) return { item: it, status: 'refused', message: err.message, rule: err.rule };
    const message = (err as Error).message ?? String(err);
    if (isTransient(err)) {
      return { item: it, status: 'failed', rule: 'transient', message: `нет связи с базой данных: ${message}` };
    }
    return { item: it, status: 'failed', message: `непредвиденная ошибка: ${message}` };
  }
}
