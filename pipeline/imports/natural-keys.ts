// Natural keys make re-imports idempotent (INTERFACE.md): the same row again is a duplicate and
// changes nothing; a different row under the same key is rejected as a conflict naming the key.
// Rows are compared in normalized form (amounts "100" and "100.00" are the same). Set-based:
// one query fetches the existing records of a whole chunk, one insert writes the new (the rows
// travel as one JSON parameter, pipeline/kernel/bulk.ts: no per-value binding).
import type { Knex } from 'knex';
import { insertInChunks } from '../kernel/bulk.ts';
import type { ChunkOutcome, ImportContext, RowRejection, ValidRow } from './kind.ts';

export type DbRecord = Record<string, string | boolean | null>;

export interface KeyedTable<R> {
  table: string;
  /** Natural key columns, e.g. ['provider_id', 'act_no']. */
  key: string[];
  /** Their PostgreSQL types, e.g. ['bpchar', 'text'] (so the key lookup uses the unique index). */
  keyTypes: string[];
  /** The record as inserted (normalized values, no batch_id). */
  toRecord(row: R): DbRecord;
  /** The columns that must be equal for a duplicate; defaults to every column of the record. */
  compare?: string[];
  /** What a record is called in messages: «Акт», «МИО»… (with grammatical gender for «загружен»). */
  noun: string;
  loadedWord?: string;
  /**
   * Fetches the existing records for these keys (one query); defaults to the table itself. Each
   * must carry the key columns, the compared columns and batch_id.
   */
  fetchExisting?(trx: Knex.Transaction, keys: string[][]): Promise<Record<string, unknown>[]>;
  /**
   * A check of a row that would be inserted (after the key check), against data the kind
   * fetched for the chunk; returns a rejection or null. Called in file order.
   */
  check?(item: ValidRow<R>, record: DbRecord): Omit<RowRejection, 'index'> | null;
  /**
   * A controlled change of an existing record that is not a conflict (a provider's
   * de-registration: an empty deregistered_on getting a date). `allows` says whether the
   * differing columns are such a change; `apply` writes the changes and their audit trail.
   */
  amend?: {
    allows(now: Record<string, unknown>, record: DbRecord, diff: string[]): boolean;
    apply(trx: Knex.Transaction, items: { item: ValidRow<R>; record: DbRecord; was: Record<string, unknown> }[], ctx: ImportContext): Promise<void>;
  };
  /** Inserts the new records (defaults to one multi-row insert into `table`). */
  insert?(trx: Knex.Transaction, items: { item: ValidRow<R>; record: DbRecord }[], ctx: ImportContext): Promise<void>;
}

function norm(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  return String(v).trim();
}

export function keyOf(record: Record<string, unknown>, key: string[]): string {
  return key.map((k) => norm(record[k])).join('\u0001');
}

export function keyLabel(record: Record<string, unknown>, key: string[]): string {
  return key.map((k) => `${k}=${norm(record[k])}`).join(', ');
}

function differences(a: Record<string, unknown>, b: Record<string, unknown>, columns: string[]): string[] {
  return columns.filter((c) => norm(a[c]) !== norm(b[c]));
}

const show = (v: unknown) => (norm(v) === '' ? 'пусто' : `«${norm(v)}»`);

/**
 * Classifies a chunk of valid rows by natural key against the database and the rows before them
 * in the file, runs the kind's row check on the new ones and inserts those that pass.
 */
export async function insertByNaturalKey<R>(
  trx: Knex.Transaction,
  spec: KeyedTable<R>,
  rows: ValidRow<R>[],
  ctx: ImportContext,
): Promise<ChunkOutcome> {
  const outcome: ChunkOutcome = { accepted: 0, duplicates: 0, rejected: [] };
  if (rows.length === 0) return outcome;
  const items = rows.map((item) => ({ item, record: spec.toRecord(item.row) }));
  const compare = spec.compare ?? Object.keys(items[0].record);

  const distinct = new Map<string, string[]>();
  for (const { record } of items) distinct.set(keyOf(record, spec.key), spec.key.map((k) => norm(record[k])));
  const keys = [...distinct.values()];
  const existingRows = spec.fetchExisting
    ? await spec.fetchExisting(trx, keys)
    : await trx(spec.table).where(keysIn(trx, spec.key, spec.keyTypes, keys));

  // What each key stands for now: the stored record, or the first accepted row of this chunk.
  const current = new Map<string, { record: Record<string, unknown>; batchId: unknown; rowNo?: number }>();
  for (const e of existingRows) current.set(keyOf(e, spec.key), { record: e, batchId: e.batch_id });

  const fresh: typeof items = [];
  const amended: { item: ValidRow<R>; record: DbRecord; was: Record<string, unknown> }[] = [];
  for (const entry of items) {
    const { item, record } = entry;
    const k = keyOf(record, spec.key);
    const now = current.get(k);
    if (now) {
      const diff = differences(now.record, record, compare);
      if (diff.length === 0) {
        outcome.duplicates++;
        continue;
      }
      if (now.rowNo === undefined && spec.amend?.allows(now.record, record, diff)) {
        amended.push({ item, record, was: now.record });
        current.set(k, { record, batchId: ctx.batchId, rowNo: item.index });
        continue;
      }
      const where =
        now.rowNo !== undefined
          ? `в строке ${now.rowNo} этого файла`
          : Number(now.batchId) === ctx.batchId
            ? 'выше в этом файле'
            : now.batchId !== null && now.batchId !== undefined
              ? `(пакет импорта № ${now.batchId})`
              : '';
      const shownDiff = diff
        .slice(0, 4)
        .map((c) => `${c}: было ${show(now.record[c])}, в файле ${show(record[c])}`)
        .join('; ');
      outcome.rejected.push({
        index: item.index,
        field: diff[0],
        reason:
          `Конфликт по ключу ${keyLabel(record, spec.key)}: ${spec.noun} уже ${spec.loadedWord ?? 'загружен'} ${where} ` +
          `с другими данными (${shownDiff}${diff.length > 4 ? '; …' : ''}). Изменение таким импортом не допускается`,
      });
      continue;
    }
    const problem = spec.check?.(item, record);
    if (problem) {
      outcome.rejected.push({ index: item.index, ...problem });
      continue;
    }
    current.set(k, { record, batchId: ctx.batchId, rowNo: item.index });
    fresh.push(entry);
  }
  if (fresh.length) {
    if (spec.insert) await spec.insert(trx, fresh, ctx);
    else await insertInChunks(trx, spec.table, fresh.map(({ record }) => ({ ...record, batch_id: ctx.batchId })));
  }
  if (amended.length) await spec.amend!.apply(trx, amended, ctx);
  outcome.accepted = fresh.length + amended.length;
  return outcome;
}

/**
 * A where-clause `(c1, c2…) in (select * from unnest($1::t1[], $2::t2[]…))`: one parameter per
 * column whatever the number of keys, and a plan that uses the unique index (a long list of
 * row-value literals makes PostgreSQL compare every row with every tuple).
 */
export function keysIn(
  trx: Knex.Transaction,
  columns: string[],
  types: string[],
  tuples: string[][],
  alias?: string,
): Knex.Raw {
  const cols = columns.map((c) => (alias ? `${alias}.${c}` : c));
  const arrays = columns.map((_, i) => tuples.map((t) => t[i]));
  return trx.raw(
    `(${cols.map(() => '??').join(', ')}) in (select * from unnest(${types.map((ty) => `?::${ty}[]`).join(', ')}))`,
    [...cols, ...arrays],
  );
}

/** The values of `column` (from the given set) that exist in `table`: one query. */
export async function existingValues(
  trx: Knex.Transaction,
  table: string,
  column: string,
  values: Iterable<string>,
): Promise<Set<string>> {
  const list = [...new Set(values)];
  if (list.length === 0) return new Set();
  // One array parameter, not one binding per value.
  const rows: Record<string, unknown>[] = await trx(table).whereRaw('?? = any(?)', [column, list]).select(column);
  return new Set(rows.map((r) => norm(r[column])));
}
