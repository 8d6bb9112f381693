// `payouts import KIND FILE [--strict]`: one file, one transaction.
//
//  1. The file is opened and its header checked before anything is written: an unusable file
//     (unknown extension, empty, not UTF-8, not parseable, unknown / missing / repeated columns,
//     no data rows) is UsageError — exit 2, nothing written, not even a batch row.
//  2. In one transaction (imports lock; money kinds also the pipeline lock): an import_batches
//     row, then the rows in chunks of CHUNK: each row is parsed with the kind's zod schema, the
//     valid ones go to the kind's `apply` (set-based checks and multi-row inserts), the rejected
//     ones to a spool. Accepted + duplicates + rejected always equals the rows read. Chunks are
//     applied strictly in order; the next chunk is read and parsed while one is applied.
//  3. --strict: the data is written inside a savepoint; if any row was rejected the savepoint is
//     rolled back (nothing taken), the batch is recorded with status 'refused' and its rejected
//     rows kept, so the officer sees why (exit 3).
//  4. rejected_rows, the batch counts and status, an audit event; for money kinds the ledger is
//     checked. `<file>.rejected.xlsx` (mode 0600) is written under a temporary name and moved
//     into place after the commit; a stale one from an earlier import of the same file is removed.
//     Where: --out when given, else beside the input; a folder that cannot be written is passed
//     over for the next — beside the input, then ./out/rejected/ — and when none can be written
//     the rejected rows are in the database only (they always are in rejected_rows) and the
//     report carries all of them. The good rows are never lost for want of a writable folder; the
//     report says where the rejected rows are and why not beside the input.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import type { Db } from '../kernel/db.ts';
import { UsageError } from '../kernel/errors.ts';
import { faultPoint } from '../kernel/faults.ts';
import { assertLedgerBalanced } from '../ledger.ts';
import { lockPipeline } from '../kernel/step-run.ts';
import { openCsv } from './csv-reader.ts';
import { openJson } from './json-reader.ts';
import { openPain002 } from './pain002-reader.ts';
import { openXlsx } from './xlsx-reader.ts';
import { IMPORT_KINDS, type ChunkOutcome, type ImportKind, type ImportKindName, type ValidRow } from './kind.ts';
import { importKinds } from './kinds.ts';
import { rejectedEntry, rejectedFolders, RejectSpool, writeRejectedSomewhere, type RejectedEntry, type RejectedPlacement } from './rejected.ts';
import { visible } from '../../schemas/characters.ts';
import { removeStaleTemps, tempPathFor } from '../kernel/temp-files.ts';
import type { Source, SourceRow } from './source.ts';

/** Serializes imports with each other (set-based checks then inserts must not interleave). */
export const IMPORT_LOCK = 7_406_222;

/** Rows per chunk: one set of queries and one insert per chunk. */
export const CHUNK = 5000;

/** How many errors the report carries (the rejected-rows file and table have all of them). */
export const REPORT_ERRORS = 1000;

export interface ImportRequest {
  kind: string;
  file: string;
  strict?: boolean;
  asOf: string;
  operator: string;
  /** Where the rejected-rows file goes (default: beside the input). */
  out?: string;
  /** The folder whose out/rejected/ is the last resort (default: the process's working directory). */
  cwd?: string;
}

/** One rejected row as the report gives it. */
export interface ImportError {
  row: number;
  field: string | null;
  /** The value of the field as read (unsafe characters as [U+XXXX]); null when no field is named. */
  value: string | null;
  reason: string;
}

export interface ImportReport {
  kind: ImportKindName;
  file: string;
  batch_id: number;
  /** 'done' all taken, 'partial' some rows rejected, 'refused' --strict and some rows rejected. */
  status: 'done' | 'partial' | 'refused';
  strict: boolean;
  format: Source['format'];
  /** CSV: the detected encoding and column separator; null for other formats. */
  encoding: 'utf-8' | 'windows-1251' | null;
  delimiter: ',' | ';' | null;
  total_rows: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  /** With --strict and status 'refused': rows that would have been taken. */
  valid: number;
  /** pain.002 transactions that are not rejections (ACSC, PDNG…), reported, not imported. */
  skipped: { row: number; ref: string; status: string }[];
  /** The rejected-rows workbook; null when nothing was rejected or no folder could be written. */
  rejected_file: string | null;
  /** Where the rejected rows are besides rejected_rows: in a file, or in the database only. */
  rejected_in: 'file' | 'database' | null;
  /** The folders tried before (or instead of) the file's, that could not be written, with why. */
  rejected_unwritable: string[];
  /** The rejected rows (up to REPORT_ERRORS; all of them when they are in the database only). */
  errors: ImportError[];
  errors_truncated: boolean;
}

export function isImportKind(kind: string): kind is ImportKindName {
  return (IMPORT_KINDS as readonly string[]).includes(kind);
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function openSource(def: ImportKind<unknown>, file: string, fileLabel: string): Promise<Source> {
  const ext = path.extname(file).toLowerCase();
  switch (ext) {
    case '.csv':
      return openCsv(file, fileLabel, def.kind, def.schema);
    case '.xlsx':
      return openXlsx(file, fileLabel, def.kind, def.schema);
    case '.json':
      return openJson(file, fileLabel, def.kind, def.schema);
    case '.xml':
      if (def.acceptsPain002) return openPain002(file, fileLabel);
      throw new UsageError(`Файл ${fileLabel}: XML (pain.002) принимается только для returns; для ${def.kind} — .csv, .xlsx или .json`);
    default:
      throw new UsageError(
        `Файл ${fileLabel}: неизвестный формат «${ext || 'без расширения'}»; ожидается .csv, .xlsx или .json` +
          (def.acceptsPain002 ? ' (или pain.002 .xml)' : ''),
      );
  }
}

class StrictRefusal extends Error {}

/** A chunk parsed with the kind's schema: the valid rows for `apply`, the rejected entries so far. */
interface ParsedChunk {
  valid: ValidRow<unknown>[];
  rejected: RejectedEntry[];
  byRow: Map<number, SourceRow>;
}

/** Parses one chunk with the kind's zod schema (CPU only, no database). */
function parseChunk(def: ImportKind<unknown>, chunk: SourceRow[]): ParsedChunk {
  const rejected: RejectedEntry[] = [];
  const valid: ValidRow<unknown>[] = [];
  const byRow = new Map<number, SourceRow>();
  for (const src of chunk) {
    byRow.set(src.rowNo, src);
    if (src.problem) {
      rejected.push(rejectedEntry(src.rowNo, src.problem.field, src.problem.reason, src.values));
      continue;
    }
    const input: Record<string, unknown> = {};
    for (const c of def.schema.columns) input[c] = src.values[c];
    const parsed = def.schema.row.safeParse(input);
    if (parsed.success) {
      valid.push({ index: src.rowNo, row: parsed.data });
    } else {
      const issues = parsed.error.issues;
      const fields = [...new Set(issues.map((i) => (i.path.length ? String(i.path[0]) : null)))];
      rejected.push(rejectedEntry(src.rowNo, fields.filter((f) => f !== null).join(', ') || null, issues.map((i) => i.message).join('; '), src.values));
    }
  }
  return { valid, rejected, byRow };
}

/** Applies the valid rows of a parsed chunk and returns the outcome with all its rejected entries. */
async function applyChunk(
  trx: Knex.Transaction,
  def: ImportKind<unknown>,
  { valid, rejected, byRow }: ParsedChunk,
  ctx: { batchId: number; asOf: string; operator: string },
): Promise<{ accepted: number; duplicates: number; rejected: RejectedEntry[] }> {
  let outcome: ChunkOutcome = { accepted: 0, duplicates: 0, rejected: [] };
  if (valid.length) outcome = await def.apply(trx, valid, ctx);

  // Nothing lost, nothing invented: every valid row has exactly one answer.
  const given = new Set(valid.map((v) => v.index));
  const answered = new Set<number>();
  for (const r of outcome.rejected) {
    if (!given.has(r.index) || answered.has(r.index)) {
      throw new Error(`import ${def.kind}: apply answered row ${r.index} that it was not given, or twice`);
    }
    answered.add(r.index);
  }
  if (outcome.accepted + outcome.duplicates + outcome.rejected.length !== valid.length) {
    throw new Error(
      `import ${def.kind}: apply accounted for ${outcome.accepted + outcome.duplicates + outcome.rejected.length} ` +
        `of ${valid.length} rows`,
    );
  }
  for (const r of outcome.rejected) {
    rejected.push(rejectedEntry(r.index, r.field, r.reason, byRow.get(r.index)!.values));
  }
  rejected.sort((a, b) => a.row - b.row);
  return { accepted: outcome.accepted, duplicates: outcome.duplicates, rejected };
}

export async function runImport(db: Db, req: ImportRequest): Promise<ImportReport> {
  if (!isImportKind(req.kind)) {
    throw new UsageError(`Неизвестный вид импорта «${visible(req.kind)}»; допустимо: ${IMPORT_KINDS.join(', ')}`);
  }
  const def = importKinds[req.kind];
  // Messages quote the name with any control character made visible (one line, always).
  const fileLabel = visible(path.basename(req.file));
  const info = await stat(req.file).catch(() => null);
  if (!info) throw new UsageError(`Файл ${visible(req.file)} не найден`);
  if (!info.isFile()) throw new UsageError(`${visible(req.file)} — не файл`);
  if (info.size === 0) throw new UsageError(`Файл ${fileLabel} пуст`);
  const fileHash = await sha256(req.file).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EACCES' || err.code === 'EPERM') throw new UsageError(`Файл ${fileLabel} не прочитать: нет прав на чтение`);
    throw err;
  });
  const strict = !!req.strict;

  const source = await openSource(def, req.file, fileLabel);
  const folders = rejectedFolders(req.file, { out: req.out, cwd: req.cwd });
  const inputDir = path.dirname(path.resolve(req.file));
  let placed: { placement: RejectedPlacement | null; passedOver: string[] } = { placement: null, passedOver: [] };
  let allErrors: ImportError[] | null = null;
  const spool = await RejectSpool.create();
  const errors: ImportReport['errors'] = [];
  const counts = { total: 0, accepted: 0, duplicates: 0, rejected: 0 };
  let refused = false;
  let batchId = 0;

  try {
    await db.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(?)', [IMPORT_LOCK]);
      if (def.movesMoney) await lockPipeline(trx);
      const [batch] = await trx('import_batches')
        .insert({
          kind: def.kind,
          file_name: fileLabel,
          file_sha256: fileHash,
          operator: req.operator,
          as_of: req.asOf,
          strict,
          status: 'done',
        })
        .returning('id');
      batchId = Number(batch.id);
      const ctx = { batchId, asOf: req.asOf, operator: req.operator };

      const take = async (data: Knex.Transaction) => {
        let chunk: SourceRow[] = [];
        // Chunks are applied one after another, in file order; while the database applies one,
        // the next is read and parsed (CPU and database work overlap). A chunk's failure is
        // seen at the next await of `applying`, never lost (the no-op catch only keeps Node
        // from calling it unhandled in between).
        let applying: Promise<void> = Promise.resolve();
        const flush = async () => {
          const rows = chunk;
          chunk = [];
          const parsed = parseChunk(def, rows);
          await applying;
          applying = (async () => {
            const r = await applyChunk(data, def, parsed, ctx);
            counts.total += rows.length;
            counts.accepted += r.accepted;
            counts.duplicates += r.duplicates;
            counts.rejected += r.rejected.length;
            for (const e of r.rejected) {
              if (errors.length < REPORT_ERRORS) errors.push({ row: e.row, field: e.field, value: e.value, reason: e.reason });
            }
            await spool.add(r.rejected);
            faultPoint(`import.${def.kind}.chunk`);
          })();
          applying.catch(() => {});
        };
        for await (const row of source.rows) {
          chunk.push(row);
          if (chunk.length >= CHUNK) await flush();
        }
        if (chunk.length) await flush();
        await applying;
        if (counts.total === 0 && source.skipped.length === 0) {
          throw new UsageError(`Файл ${fileLabel}: нет ни одной строки данных (только заголовок)`);
        }
        if (strict && counts.rejected > 0) throw new StrictRefusal();
      };
      try {
        await trx.transaction(take);
      } catch (err) {
        if (!(err instanceof StrictRefusal)) throw err;
        refused = true;
      }

      for await (const batchRows of spool.batches(CHUNK)) {
        await trx('rejected_rows').insert(
          batchRows.map((e) => ({ batch_id: batchId, row_no: e.row, field: e.field, reason: e.reason, raw: JSON.stringify(e.raw) })),
        );
      }
      const status = refused ? 'refused' : counts.rejected > 0 ? 'partial' : 'done';
      await trx('import_batches')
        .where({ id: batchId })
        .update({
          total_rows: counts.total,
          accepted: refused ? 0 : counts.accepted,
          duplicates: counts.duplicates,
          rejected: counts.rejected,
          status,
        });
      await trx('audit_events').insert({
        as_of: req.asOf,
        operator: req.operator,
        action: `import ${def.kind}`,
        object: fileLabel,
        details: JSON.stringify({
          batch_id: batchId,
          sha256: fileHash,
          format: source.format,
          strict,
          status,
          total_rows: counts.total,
          accepted: refused ? 0 : counts.accepted,
          duplicates: counts.duplicates,
          rejected: counts.rejected,
          skipped: source.skipped.length,
        }),
      });
      if (def.movesMoney) await assertLedgerBalanced(trx);
      if (counts.rejected > 0) {
        placed = await writeRejectedSomewhere(spool, source.columns.map(visible), folders, tempPathFor, inputDir);
      }
      faultPoint('import.before-commit');
    });
  } catch (err) {
    if (placed.placement) await rm(placed.placement.temp, { force: true });
    await spool.remove();
    throw err;
  } finally {
    await source.close().catch(() => {});
  }

  let rejectedFile: string | null = null;
  try {
    if (placed.placement) {
      try {
        await rename(placed.placement.temp, placed.placement.target);
        rejectedFile = placed.placement.target;
      } catch (err) {
        await rm(placed.placement.temp, { force: true }).catch(() => undefined);
        placed.passedOver.push(`${visible(path.dirname(placed.placement.target))} (${visible((err as Error).message)})`);
      }
    }
    if (counts.rejected > 0 && !rejectedFile) {
      // In the database only: the report carries every rejected row (the officer's only copy
      // outside the database).
      allErrors = [];
      for await (const batch of spool.batches(CHUNK)) {
        for (const e of batch) allErrors.push({ row: e.row, field: e.field, value: e.value, reason: e.reason });
      }
    }
  } finally {
    await spool.remove();
  }
  // A stale workbook (or the .csv of earlier versions) of an earlier import of the same file goes.
  const targets = folders.dirs.map((d) => path.join(d, folders.name));
  for (const t of [...targets, `${path.join(inputDir, path.basename(req.file))}.rejected.csv`]) {
    if (t !== rejectedFile) await rm(t, { force: true }).catch(() => undefined);
  }
  removeStaleTemps(...targets);

  return {
    kind: def.kind,
    file: req.file,
    batch_id: batchId,
    status: refused ? 'refused' : counts.rejected > 0 ? 'partial' : 'done',
    strict,
    format: source.format,
    encoding: source.encoding ?? null,
    delimiter: source.delimiter ?? null,
    total_rows: counts.total,
    accepted: refused ? 0 : counts.accepted,
    duplicates: counts.duplicates,
    rejected: counts.rejected,
    valid: counts.accepted,
    skipped: source.skipped.map((s) => ({ row: s.rowNo, ref: s.ref, status: s.status })),
    rejected_file: rejectedFile,
    rejected_in: counts.rejected === 0 ? null : rejectedFile ? 'file' : 'database',
    rejected_unwritable: counts.rejected > 0 ? placed.passedOver : [],
    errors: allErrors ?? errors,
    errors_truncated: counts.rejected > (allErrors ?? errors).length,
  };
}
