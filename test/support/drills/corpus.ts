// The bad-input corpus (issue 7.4): fixtures/bad/manifest.json names every file, the import kind
// and what it must give — the exit code of `payouts import`, and either the message on stderr
// (a file refused as a whole) or the rejected rows (row, field, part of the reason). The corpus
// runs against the world of the drill scenario (fixtures/drills), in manifest order, as of
// 2025-04-28 unless an entry says otherwise.
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import ExcelJS from 'exceljs';
import path from 'node:path';
import { importExitCode } from '../../../bin/commands/import.ts';
import type { Db } from '../../../pipeline/kernel/db.ts';
import { PayoutsError } from '../../../pipeline/kernel/errors.ts';
import { runImport, type ImportReport } from '../../../pipeline/imports/run-import.ts';
import { REPO, tempDir } from '../files.ts';
import { fingerprint } from './runner.ts';
import { SCENARIO, workspace } from './scenario.ts';

export const BAD_DIR = path.join(REPO, 'fixtures', 'bad');
export const CORPUS_AS_OF = '2025-04-28';

export interface ManifestEntry {
  file: string;
  kind: string;
  exit: number;
  /** What is wrong with the file, in a few words. */
  what?: string;
  strict?: boolean;
  as_of?: string;
  /** Exit 2 (and 1, 4): a part of the one line on stderr. */
  stderr_contains?: string;
  /** Exit 0 and 3: every rejected row, in row order (with `value`: the field's value as reported). */
  rejected?: { row: number; field: string | null; reason_contains: string; value?: string }[];
  accepted?: number;
  duplicates?: number;
  /** Text a cell of the rejected-rows workbook must contain (e.g. a formula, shown as text). */
  rejected_file_contains?: string[];
}

export function loadManifest(): ManifestEntry[] {
  return JSON.parse(readFileSync(path.join(BAD_DIR, 'manifest.json'), 'utf8'));
}

export interface EntryOutcome {
  exit: number;
  /** What the CLI writes to stderr (the error line), '' when the import ran. */
  stderr: string;
  report: ImportReport | null;
  rejectedFile: string | null;
}

/** The text cells of a workbook (the rejected-rows file), a tab between cells, a line per row; formulas marked «=». */
async function workbookText(file: string): Promise<string> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const lines: string[] = [];
  for (const ws of wb.worksheets) {
    ws.eachRow((row) => {
      const cells: string[] = [];
      row.eachCell({ includeEmpty: true }, (c) => cells.push(c.formula ? `=${c.formula}` : c.text));
      lines.push(cells.join('\t'));
    });
  }
  return lines.join('\n');
}

/** A scratch copy of the corpus: the rejected-rows files land there, never in fixtures/. */
export function corpusCopy(): string {
  const dir = tempDir('payouts-bad-');
  for (const e of loadManifest()) copyFileSync(path.join(BAD_DIR, e.file), path.join(dir, e.file));
  return dir;
}

/**
 * Imports one corpus file in-process and maps the outcome to the CLI's exit code and stderr the
 * way `payouts import` does: importExitCode for a report; an expected failure (PayoutsError)
 * gives its own code and «Ошибка: <message>»; anything else is 1 (bin/payouts.ts).
 */
export async function importEntry(db: Db, dir: string, e: ManifestEntry): Promise<EntryOutcome> {
  const file = path.join(dir, e.file);
  try {
    const report = await runImport(db, { kind: e.kind, file, strict: !!e.strict, asOf: e.as_of ?? CORPUS_AS_OF, operator: 'corpus' });
    const rejectedFile = report.rejected_file && existsSync(report.rejected_file) ? await workbookText(report.rejected_file) : null;
    return { exit: importExitCode(report), stderr: '', report, rejectedFile };
  } catch (err) {
    if (err instanceof PayoutsError) return { exit: err.exitCode, stderr: `Ошибка: ${err.message}\n`, report: null, rejectedFile: null };
    return { exit: 1, stderr: `Непредвиденная ошибка: ${(err as Error).message}\n`, report: null, rejectedFile: null };
  }
}

/** What differs between the manifest's expectation and the outcome (empty: as expected). */
export function checkEntry(e: ManifestEntry, o: { exit: number; stderr: string; report: ImportReport | null; rejectedFile: string | null }): string[] {
  const problems: string[] = [];
  if (o.exit !== e.exit) problems.push(`exit ${o.exit}, expected ${e.exit}`);
  if (e.stderr_contains !== undefined) {
    if (!o.stderr.includes(e.stderr_contains)) problems.push(`stderr ${JSON.stringify(o.stderr)} lacks ${JSON.stringify(e.stderr_contains)}`);
    if (o.stderr && !/^(Ошибка|Непредвиденная ошибка): [^\n]+\n$/.test(o.stderr)) problems.push(`stderr is not one line: ${JSON.stringify(o.stderr)}`);
  } else if (o.stderr) {
    problems.push(`unexpected error: ${o.stderr.trim()}`);
  }
  if (e.rejected !== undefined) {
    const got = o.report?.errors ?? [];
    if (got.length !== e.rejected.length) {
      problems.push(`${got.length} rejected rows, expected ${e.rejected.length}: ${JSON.stringify(got)}`);
    }
    e.rejected.forEach((want, i) => {
      const r = got[i];
      const valueDiffers = want.value !== undefined && r?.value !== want.value;
      if (!r || r.row !== want.row || r.field !== want.field || !r.reason.includes(want.reason_contains) || valueDiffers) {
        problems.push(`rejected[${i}]: expected ${JSON.stringify(want)}, got ${JSON.stringify(r ?? null)}`);
      }
    });
  }
  if (e.accepted !== undefined && o.report?.accepted !== e.accepted) problems.push(`accepted ${o.report?.accepted}, expected ${e.accepted}`);
  if (e.duplicates !== undefined && o.report?.duplicates !== e.duplicates) problems.push(`duplicates ${o.report?.duplicates}, expected ${e.duplicates}`);
  for (const text of e.rejected_file_contains ?? []) {
    if (!o.rejectedFile?.includes(text)) problems.push(`the rejected-rows file lacks ${JSON.stringify(text)}`);
  }
  return problems;
}

/** Tables an import writes whatever it takes: its batch, its rejected rows, its audit event. */
const BOOKKEEPING = new Set(['import_batches', 'rejected_rows', 'audit_events']);

export interface CorpusResult {
  name: string;
  ok: boolean;
  detail: string;
}

/**
 * Runs the whole manifest in order on `db` (which must hold the drill world, see
 * buildCorpusWorld; `dir` is a corpusCopy()): each entry's outcome against the manifest, and what it left behind — a file
 * refused as a whole (exit 2) changes nothing at all, an import that took no row changes nothing
 * but its own bookkeeping.
 */
export async function runCorpus(db: Db, dir: string): Promise<CorpusResult[]> {
  const results: CorpusResult[] = [];
  for (const e of loadManifest()) {
    const before = await fingerprint(db);
    const outcome = await importEntry(db, dir, e);
    const problems = checkEntry(e, outcome);
    const after = await fingerprint(db);
    const changed = Object.keys(after).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    if (outcome.exit === 2 && changed.length) problems.push(`refused, yet changed ${changed.join(', ')}`);
    if (outcome.report && outcome.report.accepted === 0) {
      const data = changed.filter((k) => !BOOKKEEPING.has(k));
      if (data.length) problems.push(`took no row, yet changed ${data.join(', ')}`);
    }
    results.push({ name: `${e.file} (${e.kind}${e.strict ? ', --strict' : ''}) → exit ${e.exit}`, ok: problems.length === 0, detail: problems.join('; ') });
  }
  return results;
}

/** The world the corpus is written against: the whole drill scenario, in-process. */
export async function buildCorpusWorld(db: Db): Promise<void> {
  const ws = workspace('payouts-bad-world-');
  try {
    for (const step of SCENARIO) {
      const r = await step.run(db, ws);
      if (r.kind === 'import' && r.report.rejected) throw new Error(`corpus world: ${step.id} rejected ${JSON.stringify(r.report.errors)}`);
    }
  } finally {
    rmSync(ws.dir, { recursive: true, force: true });
  }
}
