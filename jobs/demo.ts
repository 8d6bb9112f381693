// `payouts demo`: a whole two-month cycle on the bundled fixtures, in a fresh embedded database,
// driven day by day by the planner, with every report written to ./out.
//
// Timeline (payout months February and March 2025; service months January and February):
//   2025-02-13  master data and January's acts imported (fixtures/imports/*.csv)
//   2025-02-14  build-lists 2025-02 (planner)       2025-02-15 (Sat) form-demand 2025-02
//   2025-02-18  the МИО transfer: the largest demand half-funded (whole rows only, the rest
//               waits), the others in full; pay       2025-02-19 the rest of the largest; pay
//   2025-02-20  a bank returns two credits (pain.002, RJCT): wrong account, closed account
//   2025-02-25  reconcile / bank-fees 2025-01 (nothing that month)
//   2025-03-03  one provider gives new bank details; pay pays the returned sum again
//   2025-03-12  February's acts accepted             2025-03-14 / 15 lists and demand 2025-03
//   2025-03-18  funding of March; pay                2025-03-25 reconcile / bank-fees 2025-02
//   2025-03-31  last working day of March: the other return, never fixed, goes back to its МИО
//   2025-04-25  reconcile / bank-fees 2025-03; the end
// Every day the planner's steps for that date run after the day's inputs (the nightly run closes
// the day). What the outside world does (the МИО's transfers, the bank's returns, the provider's
// new details, February's acts) is simulated from what is in the database and written as
// ordinary input files under out/demo/inputs/, imported with the same importer as
// `payouts import`. Everything the demo prints is read back from the database.
//
// Everything goes under out/demo/ (reports, payment-orders/, inputs/), which is wiped first:
// the demo never overwrites a real report or pain.001 file in out/.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Big from 'big.js';
import { connect, type Db } from '../pipeline/kernel/db.ts';
import { PayoutsError, UsageError } from '../pipeline/kernel/errors.ts';
import { addDays, addMonths, type IsoDate } from '../pipeline/kernel/dates.ts';
import { makeKzIban } from '../pipeline/kernel/identifiers.ts';
import { buildPain002 } from '../pipeline/iso20022/index.ts';
import { trialBalance } from '../pipeline/ledger.ts';
import { migrate } from '../pipeline/kernel/migrate.ts';
import { formatAmount, money } from '../pipeline/kernel/money.ts';
import { orderMessageId } from '../pipeline/orders/numbering.ts';
import { loadCalendar } from '../pipeline/kernel/reference.ts';
import { runImport, type ImportReport } from '../pipeline/imports/run-import.ts';
import { FORMS, reportBuilders, type FormName } from '../reports/registry.ts';
import { renderReportFiles } from '../reports/render-report.ts';
import { dueOn } from './planner.ts';
import { dbStatus, type DbStatus } from './status.ts';
import { runItems, type ItemResult } from './runner.ts';

export const DEMO_START = '2025-02-13';
export const DEMO_END = '2025-04-25';
export const DEMO_MONTHS = ['2025-02', '2025-03'];
export const DEFAULT_DEMO_DB_DIR = path.resolve('var', 'demo');
export const DEFAULT_DEMO_OUT_DIR = path.resolve('out', 'demo');
/** Marks a folder as the demo's own, so a later demo may wipe it. */
export const DEMO_MARKER = '.payouts-demo';
export const FIXTURES_DIR = path.resolve(import.meta.dirname, '..', 'fixtures', 'imports');

export interface DemoOptions {
  /** The embedded database's directory: wiped first. */
  dbDir?: string;
  /** Reports, pain.001 files (payment-orders/) and the simulated inputs (inputs/) go here; wiped first. */
  outDir?: string;
  operator: string;
  formats?: ('json' | 'xlsx' | 'pdf')[];
  /** Progress: called once per simulated day. */
  onDay?(date: IsoDate, index: number, total: number): void;
}

export interface DemoImport {
  date: IsoDate;
  kind: string;
  file: string;
  accepted: number;
  duplicates: number;
  rejected: number;
  status: string;
}

export interface DemoFile {
  form: string;
  month?: string;
  format: string;
  file: string;
}

export interface DemoMonthRow {
  month: string;
  mio_bin: string;
  mio_name: string;
  list_rows: number;
  guaranteed: string;
  provider_sum: string;
  opv: string;
  osms: string;
  so: string;
  demand: string;
  received: string;
  paid_count: number;
  paid: string;
  returned_count: number;
  returned: string;
  repaid: string;
  sent_back: string;
  bank_fee: string;
  closing: string | null;
}

export interface DemoResult {
  db_dir: string;
  out_dir: string;
  from: IsoDate;
  to: IsoDate;
  days: number;
  imports: DemoImport[];
  steps: ItemResult[];
  files: DemoFile[];
  notes: string[];
  months: DemoMonthRow[];
  /** The deadline check as of the last day (from the deadlines report). */
  deadlines: { counts: Record<string, number>; not_met: { rule: string; object: string; due: string; status: string; days_late: number }[] };
  /** What is still open at the end (as `payouts status` shows it). */
  open: Pick<DbStatus, 'open_demands' | 'unpaid_funded' | 'pending_returns'>;
  totals: { step_runs: number; payment_orders: number; payment_lines: number; returns: number; ledger_balanced: boolean; ledger_debit: string };
  exit_code: number;
  elapsed_ms: number;
}

type Row = Record<string, unknown>;

function csv(header: string[], rows: (string | number | null)[][]): string {
  const cell = (v: string | number | null) => {
    const s = v === null ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header.join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n') + '\n';
}

class DemoWorld {
  readonly imports: DemoImport[] = [];
  readonly notes: string[] = [];
  private readonly inputs: string;

  constructor(
    private readonly db: Db,
    outDir: string,
    private readonly operator: string,
  ) {
    this.inputs = path.join(outDir, 'inputs');
    mkdirSync(this.inputs, { recursive: true });
  }

  private async importFile(date: IsoDate, kind: string, file: string): Promise<ImportReport> {
    const r = await runImport(this.db, { kind, file, asOf: date, operator: this.operator });
    this.imports.push({
      date,
      kind,
      file: path.relative(process.cwd(), file),
      accepted: r.accepted,
      duplicates: r.duplicates,
      rejected: r.rejected,
      status: r.status,
    });
    if (r.rejected) {
      // The demo's inputs are meant to be clean: a rejected row means the fixtures and the
      // pipeline disagree, and the rest of the cycle would show nothing meaningful.
      throw new PayoutsError(
        `Демонстрация остановлена: импорт ${kind} из ${path.relative(process.cwd(), file)} на ${date} отклонил строк: ${r.rejected} — ` +
          r.errors.map((e) => `строка ${e.row}${e.field ? ` (${e.field})` : ''}: ${e.reason}`).join('; '),
        1,
        'demo-input-rejected',
      );
    }
    return r;
  }

  private write(name: string, text: string): string {
    const file = path.join(this.inputs, name);
    writeFileSync(file, text);
    return file;
  }

  /** What happens outside the pipeline during `date`, before the night's steps. */
  async day(date: IsoDate): Promise<void> {
    switch (date) {
      case '2025-02-13':
        for (const kind of ['banks', 'mios', 'providers', 'exemptions', 'acts']) {
          await this.importFile(date, kind, path.join(FIXTURES_DIR, `${kind}.csv`));
        }
        return;
      case '2025-02-18':
        return this.fundMonth(date, '2025-02', 'first');
      case '2025-02-19':
        return this.fundMonth(date, '2025-02', 'rest');
      case '2025-02-20':
        return this.bankReturns(date);
      case '2025-03-03':
        return this.newBankDetails(date);
      case '2025-03-12':
        return this.februaryActs(date);
      case '2025-03-18':
        return this.fundMonth(date, '2025-03', 'all');
      default:
        return;
    }
  }

  /**
   * The МИО answer the demand request. 'first': the largest demand is half-funded (rounded down
   * to the tenge; transfers fund whole rows, the rest waits), the others in full; 'rest': the
   * remainder of the largest; 'all': every demand of the month in full.
   */
  private async fundMonth(date: IsoDate, month: string, part: 'first' | 'rest' | 'all'): Promise<void> {
    const demands: { mio_bin: string; amount: string }[] = await this.db('demands').where({ month }).orderBy('amount', 'desc').select('mio_bin', 'amount');
    if (!demands.length) {
      this.notes.push(`Потребность за ${month} не сформирована: финансировать нечего`);
      return;
    }
    const rows: (string | number)[][] = [];
    demands.forEach((d, i) => {
      const total = money(d.amount);
      const half = total.div(2).round(0, Big.roundDown);
      const ppNo = `${month.slice(5)}${String(i + 1).padStart(2, '0')}${part === 'rest' ? '2' : '1'}`;
      if (part === 'all') rows.push([d.mio_bin, ppNo, date, formatAmount(total)]);
      else if (part === 'first') rows.push([d.mio_bin, ppNo, date, formatAmount(i === 0 && demands.length > 0 ? half : total)]);
      else if (i === 0) rows.push([d.mio_bin, ppNo, date, formatAmount(total.minus(half))]);
    });
    if (!rows.length) return;
    const file = this.write(`funding_${date}.csv`, csv(['mio_bin', 'pp_no', 'pp_date', 'amount'], rows));
    await this.importFile(date, 'funding', file);
  }

  /** Two payout lines of February come back from their banks (a pain.002 per payment order). */
  private async bankReturns(date: IsoDate): Promise<void> {
    const lines: Row[] = await this.db('payment_lines as l')
      .join('payment_orders as o', 'o.id', 'l.order_id')
      .join('providers as p', 'p.provider_id', 'l.provider_id')
      .where('l.kind', 'payout')
      .orderBy('l.ref')
      .select('l.ref', 'l.amount', 'l.provider_id', 'l.bik', 'p.kind', 'o.year', 'o.number');
    // One assistant (paid as a person) whose account turns out closed, and one other provider
    // with a wrong account number; different providers, so one can fix its details and the other not.
    const first = lines.find((l) => l.kind === 'assistant');
    const second = lines.find((l) => l.provider_id !== first?.provider_id && l.bik !== first?.bik) ?? lines.find((l) => l.provider_id !== first?.provider_id);
    if (!first || !second) {
      this.notes.push('Выплаченных строк меньше двух: возвраты банков не смоделированы');
      return;
    }
    const returns = [
      { line: first, code: 'AC04', text: 'Счёт получателя закрыт' },
      { line: second, code: 'AC01', text: 'Неверный номер счёта получателя' },
    ];
    for (const [i, r] of returns.entries()) {
      const original = orderMessageId(Number(r.line.year), Number(r.line.number));
      const xml = buildPain002({
        messageId: `RET-${date.replace(/-/g, '')}-${i + 1}`,
        createdAt: `${date}T11:00:00+05:00`,
        originalMessageId: original,
        transactions: [
          { endToEndId: String(r.line.ref), amount: String(r.line.amount), reasonCode: r.code, reasonText: r.text, acceptedAt: `${date}T11:00:00+05:00` },
        ],
      });
      await this.importFile(date, 'returns', this.write(`returns_${date}_${i + 1}.xml`, xml));
    }
  }

  /** The provider of the first return gives new details at another bank. */
  private async newBankDetails(date: IsoDate): Promise<void> {
    const ret: Row | undefined = await this.db('returns as r')
      .join('payment_lines as l', 'l.id', 'r.payment_line_id')
      .where('r.reason_code', 'AC04')
      .first('l.provider_id', 'l.bik');
    if (!ret) {
      this.notes.push('Возврата со сменой реквизитов нет: повторная выплата не смоделирована');
      return;
    }
    const other: Row | undefined = await this.db('bank_details').whereNot('bik', String(ret.bik)).orderBy('id').first('bik', 'iban');
    const bik = String(other?.bik ?? ret.bik);
    const bankCode = String(other?.iban ?? 'KZ00601').slice(4, 7);
    const iban = makeKzIban(bankCode, `DEMO${String(ret.provider_id).slice(-9)}`);
    const file = this.write(`bank-details_${date}.csv`, csv(['provider_id', 'bik', 'iban', 'changed_on'], [[String(ret.provider_id), bik, iban, date]]));
    await this.importFile(date, 'bank-details', file);
  }

  /** February's acts: the same orders as January's, received on 4 March, accepted on the 12th. */
  private async februaryActs(date: IsoDate): Promise<void> {
    const january: Row[] = await this.db('acts').where({ service_month: '2025-01' }).orderBy(['provider_id', 'act_no']);
    if (!january.length) {
      this.notes.push('Актов за январь нет: акты за февраль не смоделированы');
      return;
    }
    const header = [
      'act_no', 'order_no', 'decision_no', 'provider_id', 'mio_bin', 'oblast', 'region', 'pwd_iin', 'pwd_name',
      'assistant_iin', 'assistant_name', 'service_month', 'hours', 'claimed_amount', 'received_on', 'accepted_on',
    ];
    const rows = january.map((a) => {
      // February 2025 has 20 working days; an assistant at most 8 hours a day of 28.
      const hours = Big(String(a.hours)).gt(160) ? '160' : Big(String(a.hours)).toString();
      return [
        `${a.act_no}/02`, String(a.order_no), String(a.decision_no), String(a.provider_id), String(a.mio_bin), String(a.oblast),
        String(a.region), String(a.pwd_iin), String(a.pwd_name), String(a.assistant_iin), String(a.assistant_name), '2025-02',
        hours, a.claimed_amount === null ? null : String(a.claimed_amount), '2025-03-04', date,
      ];
    });
    await this.importFile(date, 'acts', this.write(`acts_${date}.csv`, csv(header, rows)));
  }
}

async function writeReports(db: Db, outDir: string, asOf: IsoDate, formats: DemoOptions['formats'], notes: string[]): Promise<DemoFile[]> {
  const files: DemoFile[] = [];
  const plainNotes = new Set<string>();
  const missingFormats = new Map<string, { forms: string[]; message: string }>();
  const jobs: { form: FormName; month?: string }[] = [];
  for (const form of FORMS) {
    if (form === 'deadlines' || form === 'ledger') jobs.push({ form });
    else for (const month of DEMO_MONTHS) jobs.push({ form, month });
  }
  // The documents are built one by one from the database; the Excel and PDF renderings then run
  // a few at a time (PDF volumes are laid out in worker threads, so they use the other cores).
  const renders: { form: FormName; month?: string; format: 'xlsx' | 'pdf'; doc: Record<string, unknown>; base: string }[] = [];
  for (const { form, month } of jobs) {
    const builder = reportBuilders[form];
    if (!builder) {
      plainNotes.add(`Форма ${form} в этой сборке не реализована: отчёт не записан`);
      continue;
    }
    const doc = await builder(db, { month, asOf });
    const base = [form, month ?? asOf].join('_');
    const json = path.join(outDir, `${base}.json`);
    writeFileSync(json, `${JSON.stringify(doc, null, 2)}\n`);
    files.push({ form, month, format: 'json', file: json });
    for (const format of formats ?? ['json', 'xlsx', 'pdf']) {
      if (format !== 'json') renders.push({ form, month, format, doc, base });
    }
  }
  const rendered: DemoFile[][] = new Array(renders.length);
  let next = 0;
  const lane = async () => {
    while (next < renders.length) {
      const i = next++;
      const { form, month, format, doc, base } = renders[i];
      try {
        rendered[i] = (await renderReportFiles(form, doc, format, outDir, base, { db, month, asOf })).map((file) => ({ form, month, format, file }));
      } catch (err) {
        const message = (err as Error).message;
        if (!/не реализован|not implemented/i.test(message)) throw err;
        rendered[i] = [];
        const m = missingFormats.get(format) ?? { forms: [], message };
        if (!m.forms.includes(form)) m.forms.push(form);
        missingFormats.set(format, m);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(2, Math.min(4, os.availableParallelism())) }, lane));
  for (const r of rendered) files.push(...(r ?? []));
  for (const [format, m] of missingFormats) {
    plainNotes.add(`${format.toUpperCase()} не записан для форм ${m.forms.join(', ')}: рендерер сообщает «${m.message}»`);
  }
  notes.push(...plainNotes);
  return files;
}

/** The demo's summary per payout month and МИО, read back from the database and the reports. */
async function monthRows(db: Db, asOf: IsoDate): Promise<DemoMonthRow[]> {
  const out: DemoMonthRow[] = [];
  const mios: { mio_bin: string; name: string }[] = await db('mios').orderBy('mio_bin').select('mio_bin', 'name');
  const fees = reportBuilders['bank-fees'];
  const recon = reportBuilders.reconciliation;
  for (const month of DEMO_MONTHS) {
    const feeDoc = fees ? ((await fees(db, { month, asOf })) as { mios?: { mio_bin: string; total: { fee: string } }[] }) : undefined;
    const reconDoc = recon ? ((await recon(db, { month, asOf })) as { acts?: { mio_bin: string; balance: { closing: string } }[] }) : undefined;
    const from = `${month}-01`;
    const to = `${addMonths(month, 1)}-01`;
    for (const m of mios) {
      const list = (await db.raw(
        `select count(*)::int as n, coalesce(sum(r.guaranteed),0)::numeric(18,2)::text as g, coalesce(sum(r.provider_sum),0)::numeric(18,2)::text as p,
                coalesce(sum(r.opv),0)::numeric(18,2)::text as opv, coalesce(sum(r.osms),0)::numeric(18,2)::text as osms, coalesce(sum(r.so),0)::numeric(18,2)::text as so
           from list_rows r join lists l on l.id = r.list_id where l.month = ? and l.mio_bin = ?`,
        [month, m.mio_bin],
      )).rows[0];
      const demand = (await db.raw(`select coalesce(sum(amount),0)::numeric(18,2)::text as a from demands where month = ? and mio_bin = ?`, [month, m.mio_bin])).rows[0];
      const received = (await db.raw(
        `select coalesce(sum(amount),0)::numeric(18,2)::text as a from transfers where mio_bin = ? and pp_date >= ? and pp_date < ?`,
        [m.mio_bin, from, to],
      )).rows[0];
      const lines = (await db.raw(
        `select count(*) filter (where l.kind <> 'to_mio')::int as paid_n,
                coalesce(sum(l.amount) filter (where l.kind <> 'to_mio'),0)::numeric(18,2)::text as paid,
                coalesce(sum(l.amount) filter (where l.kind = 'repayment'),0)::numeric(18,2)::text as repaid,
                coalesce(sum(l.amount) filter (where l.kind = 'to_mio'),0)::numeric(18,2)::text as sent_back
           from payment_lines l join payment_orders o on o.id = l.order_id
          where l.mio_bin = ? and o.order_date >= ? and o.order_date < ?`,
        [m.mio_bin, from, to],
      )).rows[0];
      const returned = (await db.raw(
        `select count(*)::int as n, coalesce(sum(r.amount),0)::numeric(18,2)::text as a
           from returns r join payment_lines l on l.id = r.payment_line_id
          where l.mio_bin = ? and r.returned_on >= ? and r.returned_on < ?`,
        [m.mio_bin, from, to],
      )).rows[0];
      out.push({
        month,
        mio_bin: m.mio_bin,
        mio_name: m.name,
        list_rows: list.n,
        guaranteed: list.g,
        provider_sum: list.p,
        opv: list.opv,
        osms: list.osms,
        so: list.so,
        demand: demand.a,
        received: received.a,
        paid_count: lines.paid_n,
        paid: lines.paid,
        returned_count: returned.n,
        returned: returned.a,
        repaid: lines.repaid,
        sent_back: lines.sent_back,
        bank_fee: feeDoc?.mios?.find((x) => x.mio_bin === m.mio_bin)?.total.fee ?? '0.00',
        closing: reconDoc?.acts?.find((x) => x.mio_bin === m.mio_bin)?.balance.closing ?? null,
      });
    }
  }
  return out;
}

export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
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
    const world = new DemoWorld(db, outDir, opts.operator);
    const steps: ItemResult[] = [];
    const total = Math.round((Date.parse(DEMO_END) - Date.parse(DEMO_START)) / 86_400_000) + 1;
    let i = 0;
    for (let d = DEMO_START; d <= DEMO_END; d = addDays(d, 1), i++) {
      opts.onDay?.(d, i, total);
      await world.day(d);
      steps.push(...(await runItems(db, dueOn(calendar, d), { operator: opts.operator, outDir: path.join(outDir, 'payment-orders') })));
    }
    const notes = [...world.notes];
    const files = await writeReports(db, outDir, DEMO_END, opts.formats, notes);
    const count = async (table: string) => Number((await db(table).count({ n: '*' }).first())?.n ?? 0);
    const tb = await trialBalance(db, DEMO_END);
    const deadlinesBuilder = reportBuilders.deadlines;
    const deadlineDoc = deadlinesBuilder
      ? ((await deadlinesBuilder(db, { asOf: DEMO_END })) as { items?: DemoResult['deadlines']['not_met'] })
      : { items: [] };
    const deadlineCounts: Record<string, number> = {};
    for (const it of deadlineDoc.items ?? []) deadlineCounts[it.status] = (deadlineCounts[it.status] ?? 0) + 1;
    const status = await dbStatus(db);
    const problems = steps.filter((s) => !['done', 'already-done', 'dry-run', 'not-due'].includes(s.status));
    for (const p of problems) notes.push(`Шаг ${p.item.step} за ${p.item.key}: ${p.status} — ${p.message ?? ''}`);
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
      months: await monthRows(db, DEMO_END),
      deadlines: {
        counts: deadlineCounts,
        not_met: (deadlineDoc.items ?? [])
          .filter((x) => x.status !== 'met')
          .map(({ rule, object, due, status: st, days_late }) => ({ rule, object, due, status: st, days_late })),
      },
      open: { open_demands: status.open_demands, unpaid_funded: status.unpaid_funded, pending_returns: status.pending_returns },
      totals: {
        step_runs: await count('step_runs'),
        payment_orders: await count('payment_orders'),
        payment_lines: await count('payment_lines'),
        returns: await count('returns'),
        ledger_balanced: tb.balanced,
        ledger_debit: tb.debit,
      },
      // The demo shows a clean cycle: a refused step, a rejected row or an unbalanced ledger is a failure.
      exit_code: problems.length || !tb.balanced ? 1 : 0,
      elapsed_ms: Date.now() - started,
    };
  } finally {
    await db.destroy();
  }
}
