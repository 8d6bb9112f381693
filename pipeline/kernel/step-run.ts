// The one way a step of the cycle runs: a single transaction that takes the pipeline lock,
// records a run under its business key (step, month or date) with a hash of its inputs,
// applies the step, checks the ledger, and commits. A second identical run is a no-op; a
// re-run whose inputs changed is refused; --dry-run computes everything and rolls back.
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { Db, Trx } from './db.ts';
import { assertDate, assertMonth, monthOf, type IsoDate, type IsoMonth } from './dates.ts';
import { BusinessRuleError, MonthRequired, StepBackdated, UsageError } from './errors.ts';
import { assertLedgerBalanced } from '../ledger.ts';
import { faultPoint } from './faults.ts';

/** Every writer of money state takes this lock, so steps and money imports serialize. */
export const PIPELINE_LOCK = 7_406_221;

export async function lockPipeline(trx: Knex.Transaction): Promise<void> {
  await trx.raw('select pg_advisory_xact_lock(?)', [PIPELINE_LOCK]);
}

export interface StepContext {
  trx: Trx;
  asOf: string;
  operator: string;
  runId: number;
  dryRun: boolean;
}

export interface StepDefinition<I, R> {
  step: string;
  /** The business key: a month 'YYYY-MM' or a date 'YYYY-MM-DD'. */
  key: string;
  asOf: string;
  operator: string;
  dryRun?: boolean;
  /**
   * Reads what the step would act on, as a plain JSON-able value. `ownRunId` is the id of a
   * previous run under the same key, if any: the inputs must not count that run's own effects,
   * so that an unchanged world gives the same hash again.
   */
  inputs(trx: Trx, ownRunId: number | null): Promise<I>;
  apply(ctx: StepContext, inputs: I): Promise<R>;
  /** A short JSON summary stored with the run and shown by a repeated run. */
  summarize(result: R): Record<string, unknown>;
}

export type StepOutcome<R> =
  | { status: 'done'; runId: number; result: R; summary: Record<string, unknown> }
  | { status: 'dry-run'; result: R; summary: Record<string, unknown> }
  | { status: 'already-done'; runId: number; summary: Record<string, unknown>; ranOn: string; operator: string };

class DryRunRollback<R> extends Error {
  constructor(readonly result: R) {
    super('dry run');
  }
}

/** Stable JSON: object keys sorted, so equal inputs always hash equally. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .sort()
    .filter((k) => obj[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`)
    .join(',')}}`;
}

/**
 * sha256 of stableStringify(value), fed to the hash piece by piece: the same digest, without
 * building one string of the whole input (a step's inputs may list a million rows).
 */
export function hashInputs(value: unknown): string {
  const hash = createHash('sha256');
  let buffer = '';
  const put = (s: string) => {
    buffer += s;
    if (buffer.length >= 1 << 16) {
      hash.update(buffer);
      buffer = '';
    }
  };
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object') {
      put(JSON.stringify(v) ?? ''); // as in stableStringify: undefined (in an array) leaves nothing
      return;
    }
    if (Array.isArray(v)) {
      put('[');
      v.forEach((item, i) => {
        if (i > 0) put(',');
        walk(item);
      });
      put(']');
      return;
    }
    const obj = v as Record<string, unknown>;
    put('{');
    let first = true;
    for (const k of Object.keys(obj).sort()) {
      if (obj[k] === undefined) continue;
      if (!first) put(',');
      first = false;
      put(`${JSON.stringify(k)}:`);
      walk(obj[k]);
    }
    put('}');
  };
  walk(value);
  hash.update(buffer);
  return hash.digest('hex');
}

export async function runStep<I, R>(db: Db, def: StepDefinition<I, R>): Promise<StepOutcome<R>> {
  try {
    return await db.transaction(async (trx) => {
      await lockPipeline(trx);
      const existing = await trx('step_runs').where({ step: def.step, run_key: def.key }).first();
      const inputs = await def.inputs(trx, existing ? Number(existing.id) : null);
      const hash = hashInputs(inputs);
      if (existing) {
        if (existing.input_hash === hash) {
          return {
            status: 'already-done' as const,
            runId: Number(existing.id),
            summary: existing.summary,
            ranOn: existing.as_of,
            operator: existing.operator,
          };
        }
        throw new BusinessRuleError(
          'rerun-changed-inputs',
          `Шаг ${def.step} за ${def.key} уже выполнен ${existing.as_of} (оператор ${existing.operator}), ` +
            `а входные данные с тех пор изменились. Повторный запуск с другими данными запрещён: ` +
            `новые данные войдут в следующий период.`,
        );
      }
      const [run] = await trx('step_runs')
        .insert({ step: def.step, run_key: def.key, input_hash: hash, operator: def.operator, as_of: def.asOf })
        .returning('id');
      const runId = Number(run.id);
      faultPoint(`${def.step}.start`);
      const result = await def.apply({ trx, asOf: def.asOf, operator: def.operator, runId, dryRun: !!def.dryRun }, inputs);
      const summary = def.summarize(result);
      await trx('step_runs').where({ id: runId }).update({ summary: JSON.stringify(summary) });
      await trx('audit_events').insert({
        as_of: def.asOf,
        operator: def.operator,
        action: `run ${def.step}`,
        object: def.key,
        details: JSON.stringify({ run_id: runId, dry_run: !!def.dryRun, ...summary }),
      });
      await assertLedgerBalanced(trx);
      faultPoint(`${def.step}.before-commit`);
      if (def.dryRun) throw new DryRunRollback(result);
      return { status: 'done' as const, runId, result, summary };
    });
  } catch (err) {
    if (err instanceof DryRunRollback) {
      const result = err.result as R;
      return { status: 'dry-run', result, summary: def.summarize(result) };
    }
    throw err;
  }
}

/**
 * The key of the first run of `step` under a key after `key`, or null. Monthly steps that must
 * run in month order (build-lists, form-demand) refuse a month once a later one has run.
 */
export async function laterRunKey(trx: Trx, step: string, key: string): Promise<string | null> {
  const later = await trx('step_runs').where({ step }).andWhere('run_key', '>', key).orderBy('run_key').first('run_key');
  return later ? String(later.run_key) : null;
}

/**
 * A dated step (key 'YYYY-MM-DD') that is not a re-run of its own date is refused when a run of
 * the same step under a later date has committed (StepBackdated, exit 4): its effects would be
 * dated before effects that exist. `what` names the step's effect in Russian.
 */
export async function assertNotBackdated(trx: Trx, step: string, date: string, ownRunId: number | null, what: string): Promise<void> {
  if (ownRunId !== null) return;
  const later = await laterRunKey(trx, step, date);
  if (later) throw new StepBackdated(step, date, later, what);
}

/** The options of a monthly step (build-lists, form-demand) as the CLI and the jobs give them. */
export interface StepOptions {
  month?: string;
  asOf: string;
  operator: string;
  dryRun?: boolean;
}

/**
 * The month and run date of a monthly step that runs inside its own month; usage errors (exit 2)
 * name the missing month or the date outside it in the step's own words.
 */
export function monthStepDates(
  opts: StepOptions,
  missingMonth: string,
  outsideMonth: (month: IsoMonth, asOf: IsoDate) => string,
): { month: IsoMonth; asOf: IsoDate } {
  if (!opts.month) throw new MonthRequired(missingMonth);
  const month = assertMonth(opts.month);
  const asOf = assertDate(opts.asOf);
  if (monthOf(asOf) !== month) throw new UsageError(outsideMonth(month, asOf));
  return { month, asOf };
}
