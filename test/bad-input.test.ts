// The bad-input corpus (issue 7.4): every file of fixtures/bad/manifest.json, imported into the
// drill world, gives exactly the exit code and the message or rejected rows the manifest states,
// and leaves nothing behind when it takes nothing. Most files run in-process through runImport
// with the CLI's own exit-code mapping (importExitCode; PayoutsError.exitCode); a few run as real
// `payouts import` processes to hold that mapping to the CLI itself.
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportReport } from '../pipeline/imports/run-import.ts';
import { freshDb, type TestDb } from './support/db.ts';
import { BAD_DIR, buildCorpusWorld, checkEntry, corpusCopy, loadManifest, runCorpus, type ManifestEntry } from './support/drills/corpus.ts';
import { cli } from './support/cli.ts';
import { postgresAvailable } from './support/services.ts';

const manifest = loadManifest();
const pgUp = await postgresAvailable();
if (!pgUp) console.warn('[bad-input] PostgreSQL is down: the corpus runs in-process on PGlite; the CLI round is skipped.');
let t: TestDb;
let dir: string;

beforeAll(async () => {
  t = await freshDb();
  await buildCorpusWorld(t.db);
  dir = corpusCopy();
});
afterAll(async () => {
  await t?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** `payouts import` of a corpus file, as the manifest entry says. */
function importCli(url: string, e: ManifestEntry) {
  const args = ['--json', 'import', e.kind, path.join(dir, e.file), ...(e.strict ? ['--strict'] : [])];
  return cli(args, { db: url, asOf: e.as_of ?? '2025-04-28', operator: 'corpus-cli' });
}

describe('the bad-input corpus', () => {
  it('has at least 40 files, each in the manifest once, with an exit code and what to expect', () => {
    const files = readdirSync(BAD_DIR).filter((f) => f !== 'manifest.json' && f !== 'make.ts' && !/\.rejected\.(csv|xlsx)$/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(40);
    expect(manifest.map((e) => e.file).sort()).toEqual(files.sort());
    for (const e of manifest) {
      expect([0, 2, 3], e.file).toContain(e.exit);
      expect(e.exit === 2 ? typeof e.stderr_contains : Array.isArray(e.rejected), e.file).toBe(e.exit === 2 ? 'string' : true);
    }
    // The kinds of trouble the issue names are all there.
    const exits = (files: string[]) => files.map((f) => manifest.find((e) => e.file === f)?.exit);
    expect(exits(['acts-utf16.csv', 'acts-mixed-encoding.csv', 'acts-duplicate-header.csv', 'acts-empty.csv', 'acts-header-only.csv'])).toEqual([2, 2, 2, 2, 2]);
    // Russian Excel's files are read; hostile characters are rejected rows, never a crash.
    expect(exits(['mios-cp1251.csv', 'banks-semicolon.csv', 'acts-russian-excel.csv', 'banks-other-program.xlsx'])).toEqual([0, 0, 0, 0]);
    expect(exits(['acts-nul-each-field.csv', 'providers-hostile-text.csv', 'mios-hostile.json'])).toEqual([3, 3, 3]);
    expect(exits(['returns-foreign-namespace.xml', 'returns-malformed.xml', 'banks-not-array.json', 'acts-unknown-column.csv', 'acts-missing-column.csv'])).toEqual([2, 2, 2, 2, 2]);
    expect(exits(['banks-bom.csv', 'acts-excel-numbers.xlsx', 'funding-numbers.json', 'providers-formula-names.csv', 'returns-bad.csv'])).toEqual([0, 3, 3, 3, 3]);
  });

  it('every file gives the manifest\'s exit code and message or rejected rows, and a file that takes nothing leaves nothing', async () => {
    const results = await runCorpus(t.db, dir);
    expect(results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.detail}`)).toEqual([]);
    expect(results).toHaveLength(manifest.length);
    // What was taken: the BOM file's bank, the formula-named provider (verbatim), one act.
    expect(await t.db('banks').where({ bik: 'TSTBKZKA' }).first()).toMatchObject({ name: 'АО «Тестовый банк»', fee_per_payment: '30.00' });
    expect(await t.db('providers').where('name', 'like', '=HYPERLINK%').pluck('name')).toEqual(['=HYPERLINK("http://example.invalid","Жми")']);
    expect(await t.db('acts').where('act_no', 'like', 'Б-%').orderBy('act_no').pluck('act_no')).toEqual(['Б-371', 'Б-501']);
    // Russian Excel's forms are stored canonically.
    expect(await t.db('acts').where({ act_no: 'Б-501' }).first()).toMatchObject({
      service_month: '2025-02',
      hours: '100.50',
      claimed_amount: '50000.00',
      received_on: '2025-03-03',
      accepted_on: '2025-03-07',
      pwd_name: 'Сидорова Алия Маратовна',
    });
    expect(await t.db('banks').where({ bik: 'TSTCKZKA' }).first()).toMatchObject({ name: 'АО «Второй тестовый банк»', fee_per_payment: '25.50', fee_percent: '0.1000' });
    expect(await t.db('banks').where({ bik: 'TSTDKZKA' }).first()).toMatchObject({ name: 'АО «Третий тестовый банк»', fee_per_payment: '1025.50', fee_percent: '0.2500' });
    // --strict refused the whole returns file: its valid return was not taken either.
    expect(await t.db('returns').where({ ref: 'GK2025-000006-00001' })).toEqual([]);
    expect(await t.db('import_batches').where({ file_name: 'returns-strict.csv' }).select('status', 'accepted', 'rejected')).toEqual([
      { status: 'refused', accepted: 0, rejected: 1 },
    ]);
  });

  it.skipIf(!pgUp)('the CLI itself gives the same exit codes and messages (a few files, one round of processes)', async () => {
    const names = ['mios-cp1251.csv', 'acts-nul-each-field.csv', 'returns-foreign-namespace.xml', 'acts-empty.csv', 'acts-hours.csv', 'funding-over-demand.csv'];
    const entries = names.map((n) => manifest.find((e) => e.file === n)!);
    const runs = await Promise.all(entries.map((e) => importCli(t.url!, e)));
    const problems = entries.flatMap((e, i) => {
      const r = runs[i];
      let report: ImportReport | null = null;
      if (r.code === 0 || r.code === 3) report = JSON.parse(r.stdout);
      return checkEntry({ ...e, accepted: undefined, duplicates: undefined }, { exit: r.code ?? 1, stderr: r.stderr, report, rejectedFile: null }).map(
        (p) => `${e.file}: ${p}`,
      );
    });
    expect(problems).toEqual([]);
    // An expected failure is one Russian line, never a stack trace.
    for (const r of runs.filter((x) => x.code === 2)) expect(r.stderr).toMatch(/^Ошибка: [^\n]+\n$/);
  });
});
