// `payouts demo`: a whole two-month cycle on the bundled fixtures, in a fresh embedded database,
// driven day by day by the planner, with every report written to ./out.
//
// Timeline (payout months February and March 2025; service months January and February):
//   2025-02-13  master data and January's acts imported (fixtures/imports/*.csv)
//   2025-02-14  build-lists 2025-02 (planner)       2025-02-15 (Sat) form-demand 2025-02
//   2025-02-18  the МИО transfer: the largest demand half-funded (whole rows only, the rest
//               waits), the others in full; pay       2025-02-19 the rest of the largest; pay
//   2025-02-20  a bank returns two credits: wrong account, closed account (one announced by a
//               pain.002 RJCT first, the other known only from the statement)
//   2025-02-25  reconcile 2025-01 (the act of January's services: the February transfers and
//               payments), signed that day; bank-fees 2025-01 (nothing that month)
//   2025-03-03  one provider gives new bank details; pay pays the returned sum again
//   2025-03-12  February's acts accepted             2025-03-14 / 15 lists and demand 2025-03
//   2025-03-18  funding of March; pay                2025-03-20 reconcile 2025-02, signed (the
//               act's date: 21, 24 and 25 March are holidays)    2025-03-25 bank-fees 2025-02
//   2025-03-31  last working day of March: the other return, never fixed, goes back to its МИО
//   2025-04-25  reconcile 2025-03, signed; bank-fees 2025-03; the end
// ГК's officer signs each act on its date (`payouts reconcile sign --signed-on`), and the МИО's
// two signed paper copies come back 5 working days later (`--copies-received-on`), well before
// the 10th of the month after (DOMAIN.md §5).
// The money moves on ГК's account: on every working day with movements the simulated bank
// (pipeline/statements/simulated-bank.ts) writes the day's statement — the МИО's transfers and
// the returned credits of the day, the debits of ГК's orders of earlier days — in camt.053, MT940
// and 1CClientBankExchange in turn, and the demo imports it as `payouts import statement` does;
// there are no funding files. `report statement` is written for both months with the others.
// Every day the planner's steps for that date run after the day's inputs (the nightly run closes
// the day), as `payouts run nightly` runs them. What the outside world does is simulated in
// world.ts and written as ordinary input files under out/demo/inputs/, imported as `payouts
// import` imports them; the reports are written as `payouts report --out` writes them; the
// summary (summary.ts) is read back through the reports, the ledger and `payouts status`.
//
// Everything goes under out/demo/ (reports, payment-orders/, inputs/), which is wiped first:
// the demo never overwrites a real report or pain.001 file in out/.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeReport } from '../../reports/write-report.ts';
import { connect } from '../../pipeline/kernel/db.ts';
import type { Db } from '../../pipeline/kernel/db.ts';
import { UsageError } from '../../pipeline/kernel/errors.ts';
import { addDays, type IsoDate } from '../../pipeline/kernel/dates.ts';
import { migrate } from '../../pipeline/kernel/migrate.ts';
import { loadCalendar } from '../../pipeline/kernel/reference.ts';
import { FORMS, MONTHLY_FORMS, reportBuilders, type FormName } from '../../reports/registry.ts';
import { dueOn } from '../planner.ts';
import { signAct } from '../../pipeline/steps/reconcile/sign.ts';
import { runItems, type ItemResult } from '../runner.ts';
import { stepFunction, type StepResolver } from '../steps.ts';
import { approveOrders } from '../../pipeline/orders/approval.ts';
import { demoSummary, type DemoSummary } from './summary.ts';
import { DemoWorld, type DemoImport } from './world.ts';
import { ALLOW_SAMPLE_ENV } from '../../pipeline/requisites/index.ts';

export type { DemoImport } from './world.ts';
export type { DemoMonthRow } from './summary.ts';

export const DEMO_START = '2025-02-13';
export const DEMO_END = '2025-04-25';
export const DEMO_MONTHS = ['2025-02', '2025-03'];
export const DEFAULT_DEMO_DB_DIR = path.resolve('var', 'demo');
export const DEFAULT_DEMO_OUT_DIR = path.resolve('out', 'demo');
/** The demo's second operator: approves the orders its nightly pay prepared (four eyes). */
export const DEMO_APPROVER = 'контролёр (демо)';

/**
 * The nightly steps of the demo, with one addition: after `pay` prepared orders, a second
 * operator (DEMO_APPROVER) approves them the same day and their pain.001 files are written, as
 * `payouts orders approve --operator …` does. Each approval is noted.
 */
function withApproval(outDir: string, notes: string[]): StepResolver {
  return async (step) => {
    const fn = await stepFunction(step);
    if (step !== 'pay') return fn;
    return async (db, opts) => {
      const outcome = await fn(db, opts);
      if (outcome.status !== 'done' || !outcome.summary.awaiting_approval) return outcome;
      const approved = await approveOrders(db, { date: opts.asOf, asOf: opts.asOf, operator: DEMO_APPROVER, outDir });
      notes.push(
        `${opts.asOf}: платёжные поручения № ${approved.approved.map((o) => o.number).join(', ')} подготовил ${opts.operator}, ` +
          `утвердил второй сотрудник «${DEMO_APPROVER}» (принцип «четырёх глаз»)`,
      );
      return outcome;
    };
  };
}

/** Marks a folder as the demo's own, so a later demo may wipe it. */
export const DEMO_MARKER = '.payouts-demo';

type Format = 'json' | 'xlsx' | 'pdf';

export interface DemoOptions {
  /** The embedded database's directory: wiped first. */
  dbDir?: string;
  /** Reports, pain.001 files (payment-orders/) and the simulated inputs (inputs/) go here; wiped first. */
  outDir?: string;
  operator: string;
  formats?: Format[];
  /** Progress: called once per simulated day. */
  onDay?(date: IsoDate, index: number, total: number): void;
}

export interface DemoFile {
  form: string;
  month?: string;
  format: string;
  file: string;
}

export interface DemoResult extends DemoSummary {
  db_dir: string;
  out_dir: string;
  from: IsoDate;
  to: IsoDate;
  days: number;
  imports: DemoImport[];
  steps: ItemResult[];
  files: DemoFile[];
  notes: string[];
  /** The approvals of the second operator (four eyes), one line per pay day with orders. */
  approvals: string[];
  exit_code: number;
  elapsed_ms: number;
}

/**
 * Every form for each demo month (deadlines and ledger as of the last day), in every format, as
 * `payouts report FORM --month M --format F --out DIR` writes them: JSON first, then Excel and
 * PDF, a few at a time (PDF volumes are laid out in worker threads, so they use the other cores).
 */
async function writeReports(db: Db, outDir: string, asOf: IsoDate, formats: Format[]): Promise<DemoFile[]> {
  const reports: { form: FormName; month?: string }[] = FORMS.flatMap((form) =>
    MONTHLY_FORMS.includes(form) ? DEMO_MONTHS.map((month) => ({ form, month })) : [{ form }],
  );
  const jobs = (['json', 'xlsx', 'pdf'] as const)
    .filter((format) => formats.includes(format))
    .flatMap((format) => reports.map((r) => ({ ...r, format })));
  const written: DemoFile[][] = new Array(jobs.length);
  let next = 0;
  const lane = async () => {
    while (next < jobs.length) {
      const i = next++;
      const { form, month, format } = jobs[i];
      written[i] = (await writeReport(db, { form, month, asOf }, format, outDir)).map((file) => ({ form, month, format, file }));
    }
  };
  await Promise.all(Array.from({ length: Math.max(2, Math.min(4, os.availableParallelism())) }, lane));
  return written.flat();
}

export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  // The demo runs on the sample requisites of reference/: allowed here explicitly, every document
  // built from them is marked «ОБРАЗЕЦ» (pipeline/requisites/).
  process.env[ALLOW_SAMPLE_ENV] = '1';
  const dbDir = path.resolve(opts.dbDir ?? DEFAULT_DEMO_DB_DIR);
  const outDir = path.resolve(opts.outDir ?? DEFAULT_DEMO_OUT_DIR);
  // Wiped only when it is empty or an earlier demo's (its marker file): never someone's reports.
  if (existsSync(outDir) && readdirSync(outDir).length > 0 && !existsSync(path.join(outDir, DEMO_MARKER))) {
    throw new UsageError(
      `Папка ${outDir} не пуста и создана не демонстрацией: демонстрация очищает свою папку, выберите другую (--out) или пустую`,
    );
  }
  if (existsSync(dbDir) && readdirSync(dbDir).length > 0 && !existsSync(path.join(dbDir, 'PG_VERSION'))) {
    throw new UsageError(`Папка ${dbDir} не пуста и не похожа на встроенную базу: демонстрация её не удаляет`);
  }
  rmSync(dbDir, { recursive: true, force: true });
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, DEMO_MARKER), 'Папка создана командой payouts demo и очищается при следующем запуске.\n');
  // Always the embedded database: a demo never touches DATABASE_URL's.
  const db = connect({ url: '', pgliteDir: dbDir });
  try {
    await migrate(db);
    const calendar = await loadCalendar(db);
    const world = new DemoWorld(db, outDir, opts.operator, DEMO_START, calendar);
    const steps: ItemResult[] = [];
    const copies: { month: string; mioBin: string; on: IsoDate }[] = [];
    const total = Math.round((Date.parse(DEMO_END) - Date.parse(DEMO_START)) / 86_400_000) + 1;
    let i = 0;
    const approvals: string[] = [];
    const resolve = withApproval(path.join(outDir, 'payment-orders'), approvals);
    for (let d = DEMO_START; d <= DEMO_END; d = addDays(d, 1), i++) {
      opts.onDay?.(d, i, total);
      await world.day(d);
      // The acts built today are signed today, before the day's deadline check (the last step);
      // their copies come back 5 working days later.
      const due = dueOn(calendar, d);
      const run = (items: typeof due) => runItems(db, items, { operator: opts.operator, outDir: path.join(outDir, 'payment-orders'), resolve });
      const ran = await run(due.filter((it) => it.step !== 'check-deadlines'));
      steps.push(...ran);
      for (const month of ran.filter((r) => r.item.step === 'reconcile' && r.status === 'done').map((r) => r.item.month!)) {
        for (const { mio_bin } of (await reportBuilders.reconciliation(db, { month, asOf: d })).acts) {
          await signAct(db, { month, mioBin: mio_bin, signedOn: d, asOf: d, operator: opts.operator });
          copies.push({ month, mioBin: mio_bin, on: calendar.addWorkingDays(d, 5) });
        }
      }
      for (const c of copies.filter((x) => x.on === d)) {
        await signAct(db, { month: c.month, mioBin: c.mioBin, copiesReceivedOn: d, asOf: d, operator: opts.operator });
      }
      steps.push(...(await run(due.filter((it) => it.step === 'check-deadlines'))));
    }
    const notes = [...world.notes];
    const files = await writeReports(db, outDir, DEMO_END, opts.formats ?? ['json', 'xlsx', 'pdf']);
    const problems = steps.filter((s) => !['done', 'already-done', 'dry-run', 'not-due'].includes(s.status));
    for (const p of problems) notes.push(`Шаг ${p.item.step} за ${p.item.key}: ${p.status} — ${p.message ?? ''}`);
    const summary = await demoSummary(db, {
      mios: world.mios,
      months: DEMO_MONTHS,
      from: DEMO_START,
      to: DEMO_END,
      stepRuns: steps.filter((s) => s.status === 'done').length,
    });
    return {
      db_dir: dbDir,
      out_dir: outDir,
      from: DEMO_START,
      to: DEMO_END,
      days: total,
      imports: world.imports,
      steps,
      files,
      notes,
      approvals,
      ...summary,
      // The demo shows a clean cycle: a refused step, a rejected row or an unbalanced ledger is a failure.
      exit_code: problems.length || !summary.totals.ledger_balanced ? 1 : 0,
      elapsed_ms: Date.now() - started,
    };
  } finally {
    await db.destroy();
  }
}
