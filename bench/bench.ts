// The pipeline benchmark (`npm run bench [-- --acts N] [-- --db URL] [-- --keep]`): generates N
// acts over 20 МИО and 10 banks (bench/generate.ts), runs one cycle on REAL PostgreSQL through the
// same functions the CLI uses, and measures each step:
//
//   import banks, mios, providers, acts (runImport) → build-lists → form-demand → funding (a
//   transfer per МИО covering its demand, runImport of a funding CSV → applyTransfers) → pay →
//   the Appendix 1 list as XLSX, one file per МИО (renderXlsx, rows paged from the database).
//
// Then the floor, in the same run and on the same server: every row the database steps wrote
// (acts, providers, bank details, list rows, demand rows, allocations, payment lines and their
// events, notifications, ledger) copied out of PostgreSQL and back into tables of the same
// shape (columns, checks, unique indexes) with COPY — the least any pipeline could spend moving
// those rows through the database. ratio = db_s / floor_s, where db_s is the time of the
// database steps (imports, build-lists, form-demand, funding, pay).
//
// Prints one line per step, then one JSON line:
//   {"acts", "total_s", "db_s", "floor_s", "ratio", "peak_rss_mb", "steps": {step: {s, rows, rows_per_s, peak_rss_mb}}, ...}
//
// Without --db a fresh database is created on the server of PAYOUTS_BENCH_ADMIN_URL (else
// TEST_PG_ADMIN_URL, else postgres://postgres@127.0.0.1:5432/postgres) and dropped at the end.
// Targets (2 cores): 100 000 acts ≤ 30 s in all, database steps ≤ 3× the floor; 1 000 000 acts
// ≤ 5 min at ≤ 512 MB peak RSS.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { connect, type Db } from '../pipeline/kernel/db.ts';
import { migrate } from '../pipeline/kernel/migrate.ts';
import { runImport, type ImportReport } from '../pipeline/imports/run-import.ts';
import { buildLists } from '../pipeline/steps/build-lists/index.ts';
import { formDemand } from '../pipeline/steps/form-demand/index.ts';
import { pay } from '../pipeline/steps/pay/index.ts';
import { approveOrders } from '../pipeline/orders/approval.ts';
import { trialBalance } from '../pipeline/ledger.ts';
import { reportBuilders } from '../reports/registry.ts';
import { listForm } from '../reports/forms/list.ts';
import { renderXlsx } from '../reports/render/xlsx.ts';
import { generateDataset, type GeneratedDataset } from './generate.ts';
import { measureCliStart } from './cli-start.ts';

// ---------------------------------------------------------------------------------------------
// Arguments

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const ACTS = Number(arg('--acts') ?? 100_000);
const DB_URL = arg('--db');
const KEEP = process.argv.includes('--keep');
const XLSX_WORKERS = Number(arg('--xlsx-workers') ?? 0);
const ADMIN_URL =
  process.env.PAYOUTS_BENCH_ADMIN_URL ?? process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const OPERATOR = 'bench';
// The benchmark's world is synthetic, on the sample requisites of reference/: allowed here
// explicitly, as in the demo and the tests, so that `pay` writes (and the bench measures) its files.
process.env.PAYOUTS_ALLOW_SAMPLE_REQUISITES = '1';

if (isMainThread && (!Number.isSafeInteger(ACTS) || ACTS < 1)) {
  process.stderr.write(`--acts: ожидается целое положительное число, получено «${arg('--acts')}»\n`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Measuring

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

interface StepResult {
  s: number;
  /** CPU seconds of this process (user + system) during the step: the rest is the database, I/O. */
  cpu_s: number;
  rows: number;
  rows_per_s: number;
  peak_rss_mb: number;
}

/** Samples the RSS while a step runs: the peak of that step (maxRSS only ever grows). */
class RssSampler {
  private peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => this.sample(), 20);
    this.timer.unref();
  }

  sample(): void {
    this.peak = Math.max(this.peak, process.memoryUsage.rss());
  }

  /** The peak since the last reset, and a new window from the current RSS. */
  reset(): number {
    this.sample();
    const p = this.peak;
    this.peak = process.memoryUsage.rss();
    return p;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

const sampler = isMainThread ? new RssSampler() : (null as unknown as RssSampler);

/**
 * --trace: the time of each query shape (SQL text with its values left out) per step, printed
 * after the step: where a database step spends its time, as the client sees it.
 */
const TRACE = process.argv.includes('--trace');
const queryTimes = new Map<string, { n: number; ms: number }>();
const queryStart = new Map<string, number>();

function traceQueries(db: Db): void {
  if (!TRACE) return;
  db.on('query', (q: { __knexQueryUid: string }) => queryStart.set(q.__knexQueryUid, performance.now()));
  db.on('query-response', (_r: unknown, q: { __knexQueryUid: string; sql: string }) => {
    const t0 = queryStart.get(q.__knexQueryUid);
    queryStart.delete(q.__knexQueryUid);
    if (t0 === undefined) return;
    const shape = q.sql.replace(/\s+/g, ' ').replace(/\((\$\d+|\?)(, (\$\d+|\?))*\)(, \((\$\d+|\?)(, (\$\d+|\?))*\))*/g, '(…)').slice(0, 160);
    const e = queryTimes.get(shape) ?? { n: 0, ms: 0 };
    e.n++;
    e.ms += performance.now() - t0;
    queryTimes.set(shape, e);
  });
}

function printTrace(): void {
  if (!TRACE) return;
  const top = [...queryTimes.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 8);
  for (const [shape, e] of top) process.stdout.write(`    ${(e.ms / 1000).toFixed(2).padStart(7)} s ${String(e.n).padStart(6)}× ${shape}\n`);
  queryTimes.clear();
}
const steps: Record<string, StepResult> = {};

async function measure<T>(name: string, body: () => Promise<T>, rowsOf: (r: T) => number): Promise<T> {
  sampler.reset();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const result = await body();
  const s = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  const rows = rowsOf(result);
  const peak = mb(sampler.reset());
  steps[name] = { s: round(s), cpu_s: round(cpu), rows, rows_per_s: Math.round(rows / Math.max(s, 1e-6)), peak_rss_mb: peak };
  process.stdout.write(
    `${name.padEnd(16)} ${s.toFixed(2).padStart(8)} s (ЦП ${cpu.toFixed(2).padStart(6)} s) ${String(rows).padStart(9)} строк ` +
      `${String(steps[name].rows_per_s).padStart(9)} строк/с  RSS ${peak} МБ\n`,
  );
  printTrace();
  return result;
}

function fail(message: string): never {
  throw new Error(`bench: ${message}`);
}

// ---------------------------------------------------------------------------------------------
// The database

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function createDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `payouts_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  await admin(`create database ${name}`);
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) };
}

async function count(db: Db, table: string): Promise<number> {
  const [r] = await db(table).count<{ n: number }[]>({ n: '*' });
  return Number(r.n);
}

function checkImport(r: ImportReport, expected: number): number {
  if (r.rejected > 0 || r.accepted !== expected) {
    const errs = r.errors.slice(0, 5).map((e) => `строка ${e.row}: ${e.reason}`).join('; ');
    fail(`import ${r.kind}: принято ${r.accepted} из ${expected}, отклонено ${r.rejected}${errs ? ` (${errs})` : ''}`);
  }
  return r.total_rows;
}

// ---------------------------------------------------------------------------------------------
// The list as XLSX: Appendix 1 per МИО, through the same report builder (reports/registry.ts),
// form (reports/forms/list.ts) and renderer (reports/render/xlsx.ts) as `payouts report list
// --month M --mio BIN --format xlsx`, in worker threads (one database connection each): the
// divisions are independent files, and the renderer is CPU-bound.

interface ListWorkerData {
  url: string;
  month: string;
  asOf: string;
  bins: string[];
  outDir: string;
}

async function renderListsInWorker(data: ListWorkerData): Promise<{ rows: number; files: number }> {
  const db = connect({ url: data.url });
  let rows = 0;
  let files = 0;
  try {
    for (const mio of data.bins) {
      const doc = await reportBuilders.list(db, { month: data.month, mio, asOf: data.asOf });
      for (const d of doc.divisions) rows += d.rows.length;
      for (const f of listForm(doc, { baseName: `list_${data.month}_${mio}` })) {
        await renderXlsx(f.document, path.join(data.outDir, `${f.baseName}.xlsx`), { personalData: f.personalData });
        files++;
      }
    }
  } finally {
    await db.destroy();
  }
  return { rows, files };
}

async function renderLists(url: string, data: GeneratedDataset, outDir: string, workers: number): Promise<number> {
  await mkdir(outDir, { recursive: true });
  if (workers < 1) {
    // In this thread: no second isolate to start and to hold in memory.
    const r = await renderListsInWorker({ url, month: data.listMonth, asOf: data.payOn, bins: data.mioBins, outDir });
    if (r.files !== data.mioBins.length) fail(`list-xlsx: файлов ${r.files} из ${data.mioBins.length}`);
    return r.rows;
  }
  const groups: string[][] = Array.from({ length: Math.max(1, Math.min(workers, data.mioBins.length)) }, () => []);
  data.mioBins.forEach((bin, i) => groups[i % groups.length].push(bin));
  // A worker thread does not inherit the tsx loader: its first script registers it, then loads this file.
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); });`;
  const results = await Promise.all(
    groups.map(
      (bins) =>
        new Promise<{ rows: number; files: number }>((resolve, reject) => {
          const workerData: ListWorkerData = { url, month: data.listMonth, asOf: data.payOn, bins, outDir };
          const w = new Worker(boot, { eval: true, workerData });
          w.once('message', resolve);
          w.once('error', reject);
          w.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`list worker exited with ${code}`))));
        }),
    ),
  );
  const files = results.reduce((a, r) => a + r.files, 0);
  if (files !== data.mioBins.length) fail(`list-xlsx: файлов ${files} из ${data.mioBins.length}`);
  return results.reduce((a, r) => a + r.rows, 0);
}

// ---------------------------------------------------------------------------------------------
// The floor: COPY of the same rows out of PostgreSQL and back in

/** The tables the database steps wrote, whose rows the floor moves. */
const FLOOR_TABLES = [
  'providers',
  'bank_details',
  'acts',
  'list_rows',
  'notifications',
  'demand_rows',
  'allocations',
  'payment_lines',
  'payment_line_events',
  'ledger_entries',
  'ledger_postings',
  'audit_events',
];

function psql(url: string, script: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`psql exited ${code}: ${stderr.trim()}`))));
    child.stdin.end(script);
  });
}

/**
 * Copies every row of FLOOR_TABLES out to a file and into `floor_<table>`, a table of the same
 * definition (LIKE … INCLUDING ALL: columns, defaults, checks, indexes; and the same foreign
 * keys). Through psql's \copy (COPY … TO STDOUT / FROM STDIN: the rows travel through the client
 * as with pg-copy-streams). Returns the seconds of the copies alone and the rows moved.
 */
async function measureFloor(url: string, dir: string): Promise<{ s: number; rows: number; method: string }> {
  // The same schema as the real tables: LIKE … INCLUDING ALL (columns, defaults, checks, indexes)
  // plus the same foreign keys, to the real referenced rows.
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const setup: string[] = [];
  try {
    for (const t of FLOOR_TABLES) {
      setup.push(`drop table if exists floor_${t}; create table floor_${t} (like ${t} including all);`);
      const { rows } = await client.query(`select pg_get_constraintdef(oid) as def from pg_constraint where conrelid = $1::regclass and contype = 'f'`, [t]);
      for (const r of rows) setup.push(`alter table floor_${t} add ${r.def};`);
    }
  } finally {
    await client.end();
  }
  await psql(url, setup.join('\n'));
  const file = (t: string) => path.join(dir, `floor_${t}.copy`).replace(/'/g, "''");
  const script = FLOOR_TABLES.map((t) => `\\copy ${t} to '${file(t)}'\n\\copy floor_${t} from '${file(t)}'`).join('\n');
  const t0 = performance.now();
  await psql(url, script);
  const s = (performance.now() - t0) / 1000;
  const check = new pg.Client({ connectionString: url });
  await check.connect();
  let rows = 0;
  try {
    for (const t of FLOOR_TABLES) {
      const { rows: r } = await check.query(`select count(*)::int as n from floor_${t}`);
      rows += Number(r[0].n);
    }
    await check.query(FLOOR_TABLES.map((t) => `drop table floor_${t}`).join(';'));
  } finally {
    await check.end();
  }
  for (const t of FLOOR_TABLES) await rm(path.join(dir, `floor_${t}.copy`), { force: true });
  return { s, rows, method: 'psql \\copy' };
}

// ---------------------------------------------------------------------------------------------
// The run

async function runCycle(db: Db, data: GeneratedDataset, dir: string): Promise<void> {
  const n = data.counts;
  const imp = (kind: string, file: string, asOf: string) => runImport(db, { kind, file, asOf, operator: OPERATOR });
  await measure('import-banks', () => imp('banks', data.files.banks, data.listOn), (r) => checkImport(r, n.banks));
  await measure('import-mios', () => imp('mios', data.files.mios, data.listOn), (r) => checkImport(r, n.mios));
  await measure('import-providers', () => imp('providers', data.files.providers, data.listOn), (r) => checkImport(r, n.providers));
  await measure('import-acts', () => imp('acts', data.files.acts, data.listOn), (r) => checkImport(r, n.acts));

  const lists = await measure(
    'build-lists',
    () => buildLists(db, { month: data.listMonth, asOf: data.listOn, operator: OPERATOR }),
    (o) => (o.status === 'done' ? o.result.rows : fail(`build-lists: ${o.status}`)),
  );
  if (lists.status !== 'done' || lists.result.rows !== n.acts || lists.result.held.length !== 0) {
    fail(`build-lists: строк ${lists.status === 'done' ? lists.result.rows : '?'} из ${n.acts}`);
  }

  const demand = await measure(
    'form-demand',
    () => formDemand(db, { month: data.listMonth, asOf: data.demandOn, operator: OPERATOR }),
    (o) => (o.status === 'done' ? o.result.rows : fail(`form-demand: ${o.status}`)),
  );
  if (demand.status !== 'done' || demand.result.rows !== n.acts) fail('form-demand: не все строки списков востребованы');

  // One transfer per МИО, exactly its demand.
  const fundingFile = path.join(dir, 'funding.csv');
  await writeFile(
    fundingFile,
    ['mio_bin,pp_no,pp_date,amount', ...demand.result.demands.map((d, i) => `${d.mio_bin},${1000 + i},${data.fundingOn},${d.amount}`)].join('\n') + '\n',
  );
  await measure(
    'funding',
    async () => {
      const r = await imp('funding', fundingFile, data.fundingOn);
      checkImport(r, demand.result.demands.length);
      return count(db, 'allocations');
    },
    (allocated) => (allocated === n.acts ? allocated : fail(`funding: профинансировано строк ${allocated} из ${n.acts}`)),
  );

  const paid = await measure(
    'pay',
    () => pay(db, { asOf: data.payOn, operator: OPERATOR, outDir: path.join(dir, 'payment-orders') }),
    (o) => (o.status === 'done' ? o.result.payouts.count : fail(`pay: ${o.status}`)),
  );
  if (paid.status !== 'done' || paid.result.payouts.count !== n.acts || paid.result.waiting.length !== 0) fail('pay: не все строки выплачены');
  // Four eyes: a second operator approves the prepared orders; the ledger posts them and the files are written.
  await measure(
    'orders-approve',
    () => approveOrders(db, { date: data.payOn, asOf: data.payOn, operator: `${OPERATOR}-approver`, outDir: path.join(dir, 'payment-orders') }),
    (a) => a.approved.reduce((acc, o) => acc + o.count, 0),
  );

  const tb = await trialBalance(db);
  if (!tb.balanced) fail(`ledger out of balance: debit ${tb.debit} credit ${tb.credit}`);
}

const DB_STEPS = ['import-banks', 'import-mios', 'import-providers', 'import-acts', 'build-lists', 'form-demand', 'funding', 'pay', 'orders-approve'];

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'payouts-bench-'));
  let dropDb: (() => Promise<void>) | null = null;
  let db: Db | null = null;
  let floor = { s: 0, rows: 0, method: '' };
  let runS = 0;
  // The CLI's start first, on a machine not yet busy with the run.
  const cliStart = await measureCliStart();
  process.stdout.write(
    `cli-start (${cliStart.compiled ? 'dist/' : 'tsx'}): --help ${cliStart.help_ms} ms (CPU ${cliStart.help_cpu_ms} ms), ` +
      `usage error ${cliStart.usage_error_ms} ms (CPU ${cliStart.usage_error_cpu_ms} ms)\n`,
  );
  try {
    const data = await measure('generate', () => generateDataset({ acts: ACTS, dir }), (d) => d.counts.acts);

    let url = DB_URL;
    if (!url) {
      const created = await createDatabase();
      url = created.url;
      dropDb = created.drop;
    }
    db = connect({ url });
    traceQueries(db);
    const conn = db;
    await measure('migrate', () => migrate(conn), () => 0);
    if ((await count(db, 'acts')) > 0 || (await count(db, 'step_runs')) > 0) {
      fail('база данных для замера должна быть пустой (без --db создаётся новая)');
    }

    await runCycle(db, data, dir);
    await measure('list-xlsx', () => renderLists(url, data, path.join(dir, 'lists'), XLSX_WORKERS), (r) => r);
    // The run is its steps: creating and migrating the database is set-up, not the pipeline.
    runS = Object.entries(steps).reduce((a, [k, v]) => (k === 'migrate' ? a : a + v.s), 0);
    await db.destroy();
    db = null;

    const f = await measure('floor', () => measureFloor(url, dir), (r) => r.rows);
    floor = f;
    steps.floor.s = round(f.s);
    steps.floor.rows_per_s = Math.round(f.rows / Math.max(f.s, 1e-6));
  } finally {
    if (db) await db.destroy();
    if (dropDb && !KEEP) await dropDb();
    if (!KEEP) await rm(dir, { recursive: true, force: true });
    else process.stderr.write(`kept: ${dir}\n`);
    sampler.stop();
  }

  const dbS = DB_STEPS.reduce((a, k) => a + (steps[k]?.s ?? 0), 0);
  const result = {
    acts: ACTS,
    total_s: round(runS),
    db_s: round(dbS),
    floor_s: round(floor.s),
    ratio: round(dbS / floor.s),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    floor_rows: floor.rows,
    floor_method: floor.method,
    cli_start: cliStart,
    steps,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (isMainThread) {
  main().catch((err: Error) => {
    process.stderr.write(`${err.stack ?? err.message}\n`);
    process.exit(1);
  });
} else {
  parentPort!.postMessage(await renderListsInWorker(workerData as ListWorkerData));
}
