// The failure drills (issue 7.3). One clean in-process replay of the drill scenario is the
// baseline (every report as JSON, every pain.001 file). Then the scenario is replayed through
// the CLI on a fresh PostgreSQL database, and before each step's real run its drills hit it:
//
//  - crash: the command is started with PAYOUTS_CRASH_AT=<point> and must die by SIGKILL there;
//    nothing of it may be left in the database (a count of every table is unchanged). For the
//    points after the commit (`*.committed`) the effect is there but the files are not, and the
//    run that follows must say "already done" and write them.
//  - drop: the command pauses at the point (PAYOUTS_PAUSE_AT) with its transaction open; the
//    drill terminates that backend (pg_terminate_backend from another connection) and lets it
//    go on: it must fail with exit 1 and one Russian line, and leave nothing.
//  - concurrent: the step's real run is two CLI processes started together: one effect (one
//    "done" and one "already-done"; for an import, one takes the rows, the other finds them
//    duplicates).
// A step with a drill is then run again through the CLI (steps without one run in-process: the
// same call, without the cost of a process). At the end every report equals the baseline's, the
// pain.001 files are byte for byte the same, no demand row or return is paid twice, order
// numbers are gapless and the ledger balances.
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { connect, type Db } from '../../../pipeline/kernel/db.ts';
import { trialBalance } from '../../../pipeline/ledger.ts';
import { migrate } from '../../../pipeline/kernel/migrate.ts';
import { startCli as startPayouts, type CliProcess, type CliRun } from '../cli.ts';
import { counts, createPostgresDatabase } from '../db.ts';
import { REPO } from '../files.ts';
import {
  allReports,
  OPERATOR,
  orderFiles,
  SCENARIO,
  stepById,
  workspace,
  type DrillStep,
  type StepResult,
  type Workspace,
} from './scenario.ts';

export type DrillMode = 'crash' | 'drop';

export interface Drill {
  step: string;
  point: string;
  mode: DrillMode;
}

export interface DrillPlan {
  name: string;
  drills: Drill[];
  /** Steps whose real run is two concurrent processes. */
  concurrent: string[];
  /**
   * After the scenario: an import with rejected rows killed just before its commit, when its
   * rejected-rows file is written to a temporary name; after the re-run only the input and its
   * rejected-rows file may be in the folder.
   */
  rejectedFileCrash?: boolean;
}

/** Points reached after the step's transaction committed (before its files are written). */
const AFTER_COMMIT = new Set(['pay.committed', 'refund-unsent.committed', 'orders.file-written', 'orders.approved']);

const crash = (step: string, ...points: string[]): Drill[] => points.map((point) => ({ step, point, mode: 'crash' as const }));
const drop = (step: string, point: string): Drill => ({ step, point, mode: 'drop' });

const S = {
  banks: 'import banks banks.csv',
  mios: 'import mios mios.csv',
  providers: 'import providers providers.csv',
  exemptions: 'import exemptions exemptions.csv',
  acts1: 'import acts acts-2025-01.csv',
  lists2: 'build-lists 2025-02',
  demand2: 'form-demand 2025-02',
  funding18: 'import funding funding-2025-02-18.csv',
  pay18: 'pay 2025-02-18',
  approve18: 'approve 2025-02-18',
  approve19: 'approve 2025-02-19',
  approve0318: 'approve 2025-03-18',
  funding19: 'import funding funding-2025-02-19.csv',
  pay19: 'pay 2025-02-19',
  pain002: 'import returns returns-2025-02-20.pain002.xml',
  returnsCsv: 'import returns returns-2025-02-21.csv',
  details: 'import bank-details bank-details-2025-03-03.csv',
  pay0303: 'pay 2025-03-03',
  acts2: 'import acts acts-2025-02.csv',
  lists3: 'build-lists 2025-03',
  demand3: 'form-demand 2025-03',
  funding0318: 'import funding funding-2025-03-18.csv',
  pay0318: 'pay 2025-03-18',
  reconcile2: 'reconcile 2025-02',
  fees2: 'bank-fees 2025-02',
  refund: 'refund-unsent 2025-03-31',
  reconcile3: 'reconcile 2025-03',
  fees3: 'bank-fees 2025-03',
  deadlines: 'check-deadlines 2025-04-25',
};

/** The short set `npm test` runs: a handful of points, well under a minute. */
export const SHORT_PLAN: DrillPlan = {
  name: 'short',
  drills: [
    ...crash(S.acts1, 'import.acts.chunk'),
    drop(S.demand2, 'form-demand.after-demands'),
    ...crash(S.funding18, 'funding.transfer-applied'),
    ...crash(S.pay18, 'orders.half-written'),
    ...crash(S.pay19, 'pay.committed'),
    // Four eyes: the approval committed, its files not yet written (issue 13.1).
    ...crash(S.approve19, 'orders.approved'),
  ],
  concurrent: [S.acts1, S.funding18, S.pay18],
};

/** The full set `npm run drills` runs: every fault point of the steps and imports, every step twice at once. */
export const FULL_PLAN: DrillPlan = {
  name: 'full',
  drills: [
    ...crash(S.banks, 'import.banks.chunk'),
    ...crash(S.mios, 'import.mios.chunk'),
    ...crash(S.providers, 'import.providers.chunk', 'import.before-commit'),
    ...crash(S.exemptions, 'import.exemptions.chunk'),
    ...crash(S.acts1, 'import.acts.chunk'),
    drop(S.acts1, 'import.before-commit'),
    ...crash(S.lists2, 'build-lists.start', 'build-lists.rows-half', 'build-lists.after-rows', 'build-lists.before-ledger', 'ledger.post.chunk', 'build-lists.before-commit'),
    drop(S.lists2, 'build-lists.after-rows'),
    ...crash(S.demand2, 'form-demand.start', 'form-demand.after-demands', 'form-demand.rows-half', 'form-demand.after-requests', 'form-demand.before-commit'),
    drop(S.demand2, 'form-demand.after-demands'),
    ...crash(S.funding18, 'funding.transfer-inserted', 'funding.allocations-chunk', 'ledger.post.chunk', 'funding.transfer-applied#2', 'import.funding.chunk'),
    drop(S.funding18, 'funding.transfer-applied#1'),
    ...crash(S.pay18, 'pay.start', 'pay.planned', 'orders.numbered', 'orders.half-written', 'pay.orders-issued', 'pay.before-commit'),
    ...crash(S.approve18, 'orders.approve-start', 'ledger.post.chunk', 'orders.approved'),
    drop(S.pay18, 'orders.half-written'),
    ...crash(S.pay19, 'pay.committed'),
    ...crash(S.pain002, 'returns.apply.after-returns', 'returns.apply.before-ledger', 'import.returns.chunk'),
    ...crash(S.returnsCsv, 'returns.apply.before-ledger'),
    drop(S.returnsCsv, 'returns.apply.after-returns'),
    ...crash(S.details, 'import.bank-details.chunk'),
    ...crash(S.pay0303, 'orders.half-written', 'pay.before-commit'),
    ...crash(S.acts2, 'import.before-commit'),
    ...crash(S.lists3, 'build-lists.rows-half', 'build-lists.before-commit'),
    ...crash(S.demand3, 'form-demand.rows-half'),
    ...crash(S.pay0318, 'pay.orders-issued'),
    ...crash(S.approve0318, 'orders.file-written'),
    ...crash(S.reconcile2, 'reconcile.start', 'reconcile.after-first-act', 'reconcile.after-acts', 'reconcile.before-commit'),
    drop(S.reconcile2, 'reconcile.after-first-act'),
    ...crash(S.fees2, 'bank-fees.start', 'bank-fees.after-first-report', 'bank-fees.after-reports', 'bank-fees.before-commit'),
    ...crash(S.refund, 'refund-unsent.start', 'refund-unsent.planned', 'orders.half-written', 'refund-unsent.orders-issued', 'refund-unsent.before-commit'),
    drop(S.refund, 'refund-unsent.orders-issued'),
    ...crash(S.refund, 'refund-unsent.committed'),
    ...crash(S.reconcile3, 'reconcile.after-acts'),
    ...crash(S.fees3, 'bank-fees.after-first-report'),
    ...crash(S.deadlines, 'check-deadlines.start', 'check-deadlines.computed', 'check-deadlines.rows-half', 'check-deadlines.before-commit'),
    drop(S.deadlines, 'check-deadlines.rows-half'),
  ],
  concurrent: SCENARIO.map((s) => s.id),
  rejectedFileCrash: true,
};

// ---------------------------------------------------------------------------------------------
// Child processes

/** Starts `payouts` on the drill database, as of the step's date, with --json. */
export function startCli(url: string, ws: Workspace, step: DrillStep, env: Record<string, string> = {}, timeoutMs = 90_000): CliProcess {
  return startPayouts(['--json', ...step.args(ws)], { db: url, asOf: step.asOf, operator: OPERATOR, cwd: ws.dir, env, timeoutMs });
}

// ---------------------------------------------------------------------------------------------
// What the database holds

const TABLES_SQL = `select table_name from information_schema.tables
  where table_schema = 'public' and table_type = 'BASE TABLE' and table_name not like 'knex_%' order by table_name`;

/** Rows per table, the order counters and the trial balance: what a half-written step would change. */
export async function fingerprint(db: Db): Promise<Record<string, unknown>> {
  const tables = ((await db.raw(TABLES_SQL)).rows as { table_name: string }[]).map((r) => r.table_name);
  const out: Record<string, unknown> = await counts(db, tables);
  out.order_counters_rows = await db('order_counters').orderBy('year').select('year', 'last_number');
  const tb = await trialBalance(db);
  out.ledger = { debit: tb.debit, credit: tb.credit, balanced: tb.balanced };
  return out;
}

function diffKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.filter((k) => !isDeepStrictEqual(a[k], b[k])).map((k) => `${k}: ${JSON.stringify(a[k])} → ${JSON.stringify(b[k])}`);
}

/** The invariants of money that no failure may break. Returns the violations. */
export async function moneyInvariants(db: Db): Promise<string[]> {
  const problems: string[] = [];
  const twice = async (what: string, column: string, kind: string) => {
    const rows = await db('payment_lines').where({ kind, rejected: false }).whereNotNull(column).groupBy(column).havingRaw('count(*) > 1').select(column);
    if (rows.length) problems.push(`${what} paid more than once: ${JSON.stringify(rows)}`);
  };
  await twice('demand row', 'demand_row_id', 'payout');
  await twice('return (repayment)', 'return_id', 'repayment');
  await twice('return (sent back)', 'return_id', 'to_mio');
  const orders = await db('payment_orders').orderBy(['year', 'number']).select('year', 'number');
  const byYear = new Map<number, number[]>();
  for (const o of orders) byYear.set(Number(o.year), [...(byYear.get(Number(o.year)) ?? []), Number(o.number)]);
  const counters = new Map((await db('order_counters').select('year', 'last_number')).map((c) => [Number(c.year), Number(c.last_number)]));
  for (const [year, numbers] of byYear) {
    const expected = numbers.map((_, i) => i + 1);
    if (!isDeepStrictEqual(numbers, expected)) problems.push(`order numbers of ${year} are not gapless: ${numbers.join(', ')}`);
    if (counters.get(year) !== numbers.length) problems.push(`order counter of ${year} is ${counters.get(year)}, orders ${numbers.length}`);
  }
  const runs = await db('step_runs').groupBy('step', 'run_key').havingRaw('count(*) > 1').select('step', 'run_key');
  if (runs.length) problems.push(`steps recorded twice: ${JSON.stringify(runs)}`);
  const tb = await trialBalance(db);
  if (!tb.balanced) problems.push(`ledger not balanced: debit ${tb.debit}, credit ${tb.credit}`);
  return problems;
}

// ---------------------------------------------------------------------------------------------
// The baseline

export interface Baseline {
  results: Map<string, StepResult>;
  reports: Record<string, unknown>;
  files: Record<string, string>;
  ms: number;
}

/** One clean in-process replay on a fresh database: the figures every drill must end with. */
export async function cleanBaseline(): Promise<Baseline> {
  const started = Date.now();
  const created = await createPostgresDatabase();
  const db = connect({ url: created.url });
  const ws = workspace('payouts-drill-baseline-');
  try {
    await migrate(db);
    const results = new Map<string, StepResult>();
    for (const step of SCENARIO) {
      const r = await step.run(db, ws);
      if (r.kind === 'import' && r.report.rejected > 0) {
        throw new Error(`baseline: ${step.id} rejected rows: ${JSON.stringify(r.report.errors)}`);
      }
      results.set(step.id, r);
    }
    const invariants = await moneyInvariants(db);
    if (invariants.length) throw new Error(`baseline breaks the invariants: ${invariants.join('; ')}`);
    return { results, reports: await allReports(db), files: orderFiles(ws), ms: Date.now() - started };
  } finally {
    await db.destroy();
    await created.drop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// The drilled replay

export interface DrillResult {
  name: string;
  ok: boolean;
  detail: string;
  ms: number;
}

export interface DrillReport {
  plan: string;
  results: DrillResult[];
  ok: boolean;
  ms: number;
}

const drillName = (d: Drill) => `${d.mode} at ${d.point} in «${d.step}»`;

async function waitFor(file: string, child: CliProcess, timeoutMs: number): Promise<boolean> {
  let exited = false;
  void child.done.then(() => (exited = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !exited) {
    if (existsSync(file)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return existsSync(file);
}

/** One line of what a child said, for a failure message. */
function said(r: CliRun): string {
  return `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}; stderr: ${r.stderr.trim().slice(0, 400) || '—'}; stdout: ${r.stdout.trim().slice(0, 300) || '—'}`;
}

/** Checks that a real run of the step gave the baseline's effect. */
function checkRun(step: DrillStep, base: StepResult, r: CliRun, expectStatus: string[]): string | null {
  if (r.code !== 0) return `run failed: ${said(r)}`;
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    return `run printed no JSON document: ${said(r)}`;
  }
  if (step.kind === 'step') return expectStatus.includes(String(doc.status)) ? null : `status ${String(doc.status)}, expected ${expectStatus.join(' or ')}`;
  if (base.kind !== 'import') return 'baseline is not an import';
  return null;
}

/** Two imports of the same file at once: together they took the rows once. */
function checkImportPair(base: StepResult, docs: Record<string, number>[]): string | null {
  if (base.kind !== 'import') return 'baseline is not an import';
  const b = base.report;
  const accepted = docs.map((d) => d.accepted).sort((x, y) => x - y);
  const rejected = docs.map((d) => d.rejected);
  const seen = docs.map((d) => d.accepted + d.duplicates);
  if (!isDeepStrictEqual(accepted, [0, b.accepted].sort((x, y) => x - y))) return `accepted ${accepted.join(' + ')}, expected ${b.accepted} once`;
  if (!rejected.every((n) => n === b.rejected)) return `rejected ${rejected.join(', ')}, expected ${b.rejected}`;
  if (!seen.every((n) => n === b.accepted + b.duplicates)) return `accepted + duplicates ${seen.join(', ')}, expected ${b.accepted + b.duplicates}`;
  return null;
}

/** See DrillPlan.rejectedFileCrash. Returns the problem, or null. */
async function rejectedFileCrash(url: string, ws: Workspace, db: Db): Promise<string | null> {
  const dir = path.join(ws.dir, 'rejected-file-drill');
  mkdirSync(dir);
  const file = path.join(dir, 'acts-hours.csv');
  copyFileSync(path.join(REPO, 'fixtures', 'bad', 'acts-hours.csv'), file);
  const step: DrillStep = {
    id: 'import acts acts-hours.csv',
    kind: 'import',
    asOf: '2025-04-28',
    args: () => ['import', 'acts', file],
    run: () => Promise.reject(new Error('CLI only')),
  };
  const before = await fingerprint(db);
  const crashed = await startCli(url, ws, step, { PAYOUTS_CRASH_AT: 'import.before-commit' }).done;
  if (crashed.signal !== 'SIGKILL') return `the process was not killed at the point: ${said(crashed)}`;
  const changed = diffKeys(before, await fingerprint(db));
  if (changed.length) return `half-written: ${changed.join('; ')}`;
  const again = await startCli(url, ws, step).done;
  if (again.code !== 3) return `the re-run: ${said(again)}`;
  const left = readdirSync(dir).sort();
  const want = ['acts-hours.csv', 'acts-hours.csv.rejected.xlsx'];
  return isDeepStrictEqual(left, want) ? null : `the folder holds ${left.join(', ')}; expected ${want.join(', ')} (a stale temporary rejected-rows file, with personal data, is never removed)`;
}

export interface RunOptions {
  /** Called as each drill finishes (the `npm run drills` progress). */
  onResult?(r: DrillResult): void;
  baseline?: Baseline;
}

export async function runDrills(plan: DrillPlan, opts: RunOptions = {}): Promise<DrillReport> {
  const started = Date.now();
  const results: DrillResult[] = [];
  const record = (name: string, t0: number, problem: string | null) => {
    const r = { name, ok: problem === null, detail: problem ?? '', ms: Date.now() - t0 };
    results.push(r);
    opts.onResult?.(r);
  };
  for (const d of plan.drills) stepById(d.step);
  for (const c of plan.concurrent) stepById(c);
  // After a drill past the commit the step is done: a later drill of the same step could not reach its point.
  for (const [i, d] of plan.drills.entries()) {
    if (AFTER_COMMIT.has(d.point) && plan.drills.slice(i + 1).some((x) => x.step === d.step)) {
      throw new Error(`drill plan ${plan.name}: ${drillName(d)} must be the last drill of its step`);
    }
  }

  let t0 = Date.now();
  const baseline = opts.baseline ?? (await cleanBaseline());
  if (!opts.baseline) record('clean baseline (in-process)', t0, null);

  const created = await createPostgresDatabase();
  const db = connect({ url: created.url });
  const ws = workspace();
  try {
    await migrate(db);
    for (const step of SCENARIO) {
      const drills = plan.drills.filter((d) => d.step === step.id);
      const base = baseline.results.get(step.id)!;
      let committed = false;
      for (const d of drills) {
        t0 = Date.now();
        const before = await fingerprint(db);
        const filesBefore = Object.keys(orderFiles(ws));
        let problem: string | null = null;
        if (d.mode === 'crash') {
          const r = await startCli(created.url, ws, step, { PAYOUTS_CRASH_AT: d.point }).done;
          if (r.signal !== 'SIGKILL') problem = `the process was not killed at the point (never reached?): ${said(r)}`;
        } else {
          const marker = path.join(ws.dir, `pause-${Date.now()}.json`);
          const child = startCli(created.url, ws, step, { PAYOUTS_PAUSE_AT: d.point, PAYOUTS_PAUSE_MARKER: marker, PAYOUTS_PAUSE_TIMEOUT_MS: '30000' });
          if (!(await waitFor(marker, child, 30_000))) {
            problem = `the process never paused at the point: ${said(await child.done)}`;
          } else {
            const killed = (
              await db.raw(
                `select pid, pg_terminate_backend(pid) as terminated from pg_stat_activity
                  where datname = current_database() and pid <> pg_backend_pid() and state like 'idle in transaction%'`,
              )
            ).rows as { pid: number; terminated: boolean }[];
            rmSync(marker, { force: true });
            const r = await child.done;
            if (killed.length !== 1 || !killed[0].terminated) problem = `expected to cut one backend in a transaction, cut ${JSON.stringify(killed)}`;
            else if (r.code !== 1) problem = `expected exit 1 after the connection was cut: ${said(r)}`;
            else if (!/^Ошибка: нет соединения с базой данных .+\n$/.test(r.stderr) || /\n\s+at /.test(r.stderr)) {
              problem = `expected one Russian line without a stack trace on stderr: ${JSON.stringify(r.stderr.slice(0, 600))}`;
            }
          }
        }
        const after = await fingerprint(db);
        const filesAfter = Object.keys(orderFiles(ws));
        if (!problem && AFTER_COMMIT.has(d.point)) {
          committed = true;
          if (isDeepStrictEqual(before, after)) problem = 'the step was expected to have committed before the point';
          else if (!isDeepStrictEqual(filesBefore, filesAfter)) problem = `files were written before the point: ${filesAfter.join(', ')}`;
        } else if (!problem) {
          const changed = diffKeys(before, after);
          if (changed.length) problem = `half-written: ${changed.join('; ')}`;
        }
        record(drillName(d), t0, problem);
      }

      // The step's real run: two processes at once, one process after a drill, else in-process.
      t0 = Date.now();
      const expect = committed ? ['already-done'] : ['done'];
      if (plan.concurrent.includes(step.id)) {
        const pair = await Promise.all([startCli(created.url, ws, step).done, startCli(created.url, ws, step).done]);
        let problem: string | null = null;
        for (const r of pair) problem ??= checkRun(step, base, r, ['done', 'already-done']);
        if (!problem && step.kind === 'step') {
          const statuses = pair.map((r) => String(JSON.parse(r.stdout).status)).sort();
          const want = committed ? ['already-done', 'already-done'] : ['already-done', 'done'];
          if (!isDeepStrictEqual(statuses, want)) problem = `statuses ${statuses.join(', ')}, expected ${want.join(', ')}`;
        }
        if (!problem && step.kind === 'import') problem = checkImportPair(base, pair.map((r) => JSON.parse(r.stdout)));
        record(`two concurrent runs of «${step.id}»: one effect`, t0, problem);
      } else if (drills.length) {
        const r = await startCli(created.url, ws, step).done;
        let problem = checkRun(step, base, r, expect);
        if (!problem && step.kind === 'import' && base.kind === 'import') {
          const doc = JSON.parse(r.stdout);
          if (doc.accepted !== base.report.accepted || doc.rejected !== base.report.rejected) {
            problem = `accepted ${doc.accepted}, rejected ${doc.rejected}; the clean run: ${base.report.accepted}, ${base.report.rejected}`;
          }
        }
        record(`re-run of «${step.id}» after its drills`, t0, problem);
      } else {
        // Recorded only when it goes wrong: these steps are not drilled, they carry the scenario on.
        try {
          const r = await step.run(db, ws);
          if (r.kind === 'step' && r.status !== 'done') record(`«${step.id}» in-process`, t0, `status ${r.status}`);
          if (r.kind === 'import' && base.kind === 'import' && r.report.accepted !== base.report.accepted) {
            record(`«${step.id}» in-process`, t0, `accepted ${r.report.accepted}, the clean run ${base.report.accepted}`);
          }
        } catch (err) {
          record(`«${step.id}» in-process`, t0, `failed: ${(err as Error).message}`);
        }
      }
    }

    if (plan.rejectedFileCrash) {
      t0 = Date.now();
      record('crash at import.before-commit with rejected rows: no temporary file left', t0, await rejectedFileCrash(created.url, ws, db));
    }

    t0 = Date.now();
    const reports = await allReports(db);
    const differing = Object.keys(baseline.reports).filter((k) => !isDeepStrictEqual(reports[k], baseline.reports[k]));
    record(
      'every report equals the clean run',
      t0,
      differing.length
        ? `reports differ: ${differing
            .map((k) => `${k}\n  clean:   ${JSON.stringify(baseline.reports[k]).slice(0, 800)}\n  drilled: ${JSON.stringify(reports[k]).slice(0, 800)}`)
            .join('\n')}`
        : null,
    );
    t0 = Date.now();
    const files = orderFiles(ws);
    const names = Object.keys(files);
    const badFiles = [...new Set([...names, ...Object.keys(baseline.files)])].filter((n) => files[n] !== baseline.files[n]);
    record('every pain.001 file equals the clean run', t0, badFiles.length ? `differ or missing: ${badFiles.join(', ')}` : null);
    if (plan.drills.some((d) => d.point === 'orders.file-written')) {
      t0 = Date.now();
      const leftovers = readdirSync(ws.orders).filter((n) => !n.endsWith('.xml'));
      record(
        'no temporary pain.001 file left in the orders folder',
        t0,
        leftovers.length ? `left: ${leftovers.join(', ')} (a full copy of a payment order beside the real one, never removed)` : null,
      );
    }
    t0 = Date.now();
    const broken = await moneyInvariants(db);
    record('no line paid twice, gapless order numbers, balanced ledger', t0, broken.length ? broken.join('; ') : null);
  } finally {
    await db.destroy();
    await created.drop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
  return { plan: plan.name, results, ok: results.every((r) => r.ok), ms: Date.now() - started };
}
