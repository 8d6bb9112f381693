// The big file of the bad-input corpus (issue 7.4): an acts CSV of a given size (200 MB by hand
// in `npm run drills`, 10 MB in `npm test`), generated at test time into a temporary folder —
// never committed — and imported by a real `payouts import` process with a small heap. It must
// stream: the process's peak memory stays far below the file's size, and the outcome is exact
// (every valid row taken, every bad row — one in a thousand, zero hours — rejected and listed).
import { createWriteStream, readFileSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { connect } from '../../../pipeline/kernel/db.ts';
import { migrate } from '../../../pipeline/kernel/migrate.ts';
import { runImport } from '../../../pipeline/imports/run-import.ts';
import { cli, type CliRun } from '../cli.ts';
import { csvText } from '../csv.ts';
import { count, createPostgresDatabase } from '../db.ts';
import { tempDir } from '../files.ts';
import { synthIin } from '../ids.ts';
import { ACT_COLUMNS } from '../imports.ts';
import { DRILL_FIXTURES } from './scenario.ts';

/** Providers of the drill world that may have acts for March 2025, with their МИО. */
const PROVIDERS = [
  { id: '820415300106', mio: '090440003212', oblast: 'г. Астана', assistant: '820415300106', name: 'Абенова Жанар Сериковна' },
  { id: '580601300105', mio: '090440003212', oblast: 'г. Астана', assistant: '580601300105', name: 'Жукова Раиса Ивановна' },
  { id: '150440001200', mio: '090440003212', oblast: 'г. Астана', assistant: '850623600101', name: 'Нурпеисова Асель Каировна' },
  { id: '771102400101', mio: '101140007846', oblast: 'г. Алматы', assistant: '771102400101', name: 'Демидов Арсен Олжасович' },
  { id: '650330500100', mio: '101140007846', oblast: 'г. Алматы', assistant: '931204700109', name: 'Бекова Дана Тимуровна' },
];

/** Every 1000th row is bad (zero hours): rejected, the rest taken. */
export const BAD_EVERY = 1000;
/** Rows written at a time (some 30 KB): the file ends within one block of the size asked for. */
const ROWS_PER_BLOCK = 200;

/**
 * Writes an acts CSV of about `bytes` bytes; returns the number of data rows and of bad ones.
 * `first` numbers the rows (act numbers and ЛСИ), so two files never share an act.
 */
export async function writeBigActs(file: string, bytes: number, first = 0): Promise<{ rows: number; bad: number; bytes: number }> {
  const out = createWriteStream(file);
  let written = 0;
  let rows = 0;
  let bad = 0;
  const write = async (text: string) => {
    written += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(csvText(ACT_COLUMNS, []));
  while (written < bytes) {
    // A block of rows at a time: one CSV writer call per block keeps the generation fast.
    const block: string[][] = [];
    for (let i = 0; i < ROWS_PER_BLOCK; i++) {
      const n = first + rows;
      const p = PROVIDERS[n % PROVIDERS.length];
      const isBad = (rows + 1) % BAD_EVERY === 0;
      const hours = isBad ? '0' : String(40 + (n % 200));
      block.push([
        `БФ-${n + 1}`, `З-2025-${n % 9000}`, `Р-${n % 700}`, p.id, p.mio, p.oblast, `район ${n % 12}`,
        synthIin(n), `Получатель Тестовый ${n + 1}`, p.assistant, p.name, '2025-03', hours, '', '2025-04-02', '2025-04-07',
      ]);
      rows++;
      if (isBad) bad++;
    }
    await write(csvText(ACT_COLUMNS, block, { header: false }));
  }
  out.end();
  await once(out, 'finish');
  return { rows, bad, bytes: statSync(file).size };
}

export interface BigFileResult {
  problems: string[];
  sizeMb: number;
  rows: number;
  /** Peak resident memory of the process importing the big file, and of one importing the base file. */
  peakRssMb: number;
  basePeakRssMb: number;
  importMs: number;
}

/** Heap ceiling of the importing processes: a reader that loaded a 200 MB file would die of it. */
export const HEAP_LIMIT_MB = 192;
/** The peak resident memory allowed, whatever the file's size. */
export const RSS_LIMIT_MB = 400;
/**
 * The file the big one is measured against. Three import chunks' worth of rows (about 13 000), so
 * that both processes are past their first chunk and at the memory level of a streaming import;
 * a file smaller than one chunk peaks 40–70 MB lower and made the comparison fail on a loaded
 * machine without any growth (CI: 226 MB at 10 MB against 158 MB at 1 MB; 3 to 40 MB all peak
 * at 193–203 MB here).
 */
export const BASE_FILE_MB = 3;
/** How much more the big file may take than the base one: it must not grow with the file. */
export const GROWTH_LIMIT_MB = 64;

type ChildImport = CliRun & { peakRssMb: number };

/** `payouts import acts FILE --json` in a process with a small heap that reports its peak RSS. */
async function importInChild(url: string, dir: string, file: string): Promise<ChildImport> {
  const rssFile = `${file}.maxrss`;
  // The child records its own peak RSS (getrusage) as it exits.
  const probe =
    'data:text/javascript,import{writeFileSync}from"node:fs";' +
    'process.on("exit",()=>writeFileSync(process.env.PAYOUTS_MAXRSS_FILE,String(process.resourceUsage().maxRSS)))';
  const r = await cli(['--json', 'import', 'acts', file], {
    db: url,
    asOf: '2025-04-28',
    operator: 'bigfile',
    cwd: dir,
    env: { PAYOUTS_MAXRSS_FILE: rssFile },
    node: [`--max-old-space-size=${HEAP_LIMIT_MB}`, '--import', probe],
  });
  let peakRssMb = NaN;
  try {
    peakRssMb = Number(readFileSync(rssFile, 'utf8')) / 1024;
  } catch {
    // checked by the caller
  }
  return { ...r, peakRssMb };
}

/** The rejected-rows workbook has one row per rejected row (after its heading). */
async function checkRejectedRows(label: string, file: string, gen: { bad: number }): Promise<string[]> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.readFile(`${file}.rejected.xlsx`);
  } catch (err) {
    return [`${label}: the rejected-rows file cannot be read: ${(err as Error).message}`];
  }
  const rows = wb.worksheets[0].actualRowCount - 1;
  return rows === gen.bad ? [] : [`${label}: rejected-rows file has ${rows} rows, expected ${gen.bad}`];
}

/** Checks one import of a generated file: exit 3, exact counts, the first rejected row, the rejected-rows file. */
function checkImport(label: string, file: string, gen: { rows: number; bad: number }, r: ChildImport): string[] {
  const problems: string[] = [];
  if (!Number.isFinite(r.peakRssMb)) problems.push(`${label}: the importing process did not report its peak memory`);
  if (r.code !== 3) return [...problems, `${label}: exit ${r.code}, expected 3 (${gen.bad} rows rejected); stderr: ${r.stderr.slice(0, 500)}`];
  const doc = JSON.parse(r.stdout);
  const want = { total_rows: gen.rows, accepted: gen.rows - gen.bad, duplicates: 0, rejected: gen.bad };
  const got = { total_rows: doc.total_rows, accepted: doc.accepted, duplicates: doc.duplicates, rejected: doc.rejected };
  if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${label}: counts ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
  const first = doc.errors?.[0];
  if (!first || first.row !== BAD_EVERY + 1 || first.field !== 'hours' || !String(first.reason).includes('больше нуля')) {
    problems.push(`${label}: first rejected row ${JSON.stringify(first)}, expected row ${BAD_EVERY + 1}, hours`);
  }
  if (doc.rejected_file !== `${file}.rejected.xlsx`) problems.push(`${label}: rejected-rows file ${doc.rejected_file}, expected ${file}.rejected.xlsx`);
  return problems;
}

/**
 * Generates a base (BASE_FILE_MB) and a `sizeMb` acts file, imports both with `payouts import
 * acts` on a fresh PostgreSQL database that holds the drill world's master data, and checks
 * memory (bounded, and not growing with the file), exit codes, counts and the database.
 */
export async function bigFileDrill(sizeMb: number): Promise<BigFileResult> {
  const dir = tempDir('payouts-bigfile-');
  const created = await createPostgresDatabase();
  const db = connect({ url: created.url });
  const problems: string[] = [];
  try {
    await migrate(db);
    for (const kind of ['banks', 'mios', 'providers']) {
      const r = await runImport(db, { kind, file: path.join(DRILL_FIXTURES, `${kind}.csv`), asOf: '2025-04-28', operator: 'bigfile' });
      if (r.rejected) throw new Error(`big file world: ${kind} rejected ${JSON.stringify(r.errors)}`);
    }
    const baseFile = path.join(dir, 'acts-base.csv');
    const base = await writeBigActs(baseFile, BASE_FILE_MB * 1024 * 1024, 5_000_000);
    const bigFile = path.join(dir, 'acts-big.csv');
    const big = await writeBigActs(bigFile, sizeMb * 1024 * 1024);
    const s = await importInChild(created.url, dir, baseFile);
    problems.push(...checkImport(`${BASE_FILE_MB} MB file`, baseFile, base, s));
    problems.push(...(await checkRejectedRows(`${BASE_FILE_MB} MB file`, baseFile, base)));
    const b = await importInChild(created.url, dir, bigFile);
    problems.push(...checkImport(`${sizeMb} MB file`, bigFile, big, b));
    problems.push(...(await checkRejectedRows(`${sizeMb} MB file`, bigFile, big)));
    if (!(b.peakRssMb < RSS_LIMIT_MB)) problems.push(`peak RSS ${b.peakRssMb.toFixed(0)} MB, limit ${RSS_LIMIT_MB} MB`);
    if (!(b.peakRssMb - s.peakRssMb < GROWTH_LIMIT_MB)) {
      problems.push(
        `peak RSS ${b.peakRssMb.toFixed(0)} MB for ${sizeMb} MB against ${s.peakRssMb.toFixed(0)} MB for ${BASE_FILE_MB} MB: ` +
          `grows with the file (limit +${GROWTH_LIMIT_MB} MB)`,
      );
    }
    const n = await count(db, 'acts');
    const good = base.rows - base.bad + big.rows - big.bad;
    if (n !== good) problems.push(`acts in the database: ${n}, expected ${good}`);
    return { problems, sizeMb: big.bytes / 1048576, rows: big.rows, peakRssMb: b.peakRssMb, basePeakRssMb: s.peakRssMb, importMs: b.ms };
  } finally {
    await db.destroy();
    await created.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
