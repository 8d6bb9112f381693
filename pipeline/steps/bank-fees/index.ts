// Bank fees, 002 §23, Appendix 4, DOMAIN.md §5: per МИО, authorized organization (bank БИК) and
// month M, the payment lines dated in M (payouts and repayments; sums sent back to the МИО are
// not the bank's service) are "transferred"; those of them returned as of the report date are
// "returned"; the rest are "paid". The МИО pays each bank its tariff on what was paid:
//   fee = paid count × fee_per_payment + paid sum × fee_percent / 100,
//   raised to fee_min and cut to fee_max where they are set, rounded half-up to the tiyn.
// The form counts recipients (INTERFACE `bank-fees`): `count` is the number of distinct recipients
// (provider and account) and `lines` the payment lines beside it; the fee is per line, so it comes
// from `paid.lines` and `paid.amount`. Decisions: `paid.count` is the recipients of the lines not
// returned (a recipient with two lines, one returned, was still paid: the counts of recipients do
// not subtract, the lines and amounts do); a bank with nothing paid in the month owes no fee (the
// minimum applies to a service rendered, not to an idle month); a tariff column left empty
// contributes nothing. A report frozen before `lines` existed counted lines as `count`: it is read
// with `lines` = that count.
//
// `computeBankFees` (the step `bank-fees`, key M) freezes the figures of every МИО in
// bank_fee_reports as of its run date: that is what the МИО is asked to pay. `report bank-fees`
// shows the frozen figures for a МИО where the run happened (with frozen: true and the run's
// as_of, so a return received after it does not move the signed figures), and computes them
// live as of the report date otherwise. A late return appears in `report returns`.
import { APPROVED_SQL } from '../../orders/issuing.ts';
import type { Knex } from 'knex';
import type { Db } from '../../kernel/db.ts';
import { addMonths, assertMonth, compareDates, firstDayOfMonth, lastDayOfMonth } from '../../kernel/dates.ts';
import { BusinessRuleError, MonthRequired } from '../../kernel/errors.ts';
import { formatAmount, max, min, money, roundHalfUp, sum, ZERO, type Money } from '../../kernel/money.ts';
import { runStep, type StepOptions, type StepOutcome } from '../../kernel/step-run.ts';
import { faultPoint } from '../../kernel/faults.ts';

type Q = Knex | Knex.Transaction;

export interface Tariff {
  fee_per_payment: string | null;
  fee_percent: string | null;
  fee_min: string | null;
  fee_max: string | null;
}

/** The fee a bank's tariff yields on what it paid (see the file header). */
export function bankFee(tariff: Tariff, paidCount: number, paidSum: Money | string): Money {
  if (!Number.isInteger(paidCount) || paidCount < 0) throw new RangeError(`bankFee: bad count ${paidCount}`);
  if (paidCount === 0) return ZERO;
  let fee = ZERO;
  if (tariff.fee_per_payment != null) fee = fee.plus(money(tariff.fee_per_payment).times(paidCount));
  if (tariff.fee_percent != null) fee = fee.plus(money(paidSum).times(tariff.fee_percent).div(100));
  if (tariff.fee_min != null) fee = max(fee, money(tariff.fee_min));
  if (tariff.fee_max != null) fee = min(fee, money(tariff.fee_max));
  return roundHalfUp(fee, 'tiyn');
}

export interface CountAmount {
  /** Distinct recipients (provider and account). */
  count: number;
  /** Payment lines. */
  lines: number;
  amount: string;
}

export interface BankFeeRow {
  bik: string;
  name: string;
  transferred: CountAmount;
  returned: CountAmount;
  paid: CountAmount;
  fee: string;
  tariff: Tariff;
}

export interface BankFeeReport {
  month: string;
  mio_bin: string;
  mio_name: string;
  /** The date the returns were counted up to. */
  as_of: string;
  rows: BankFeeRow[];
  total: { transferred: CountAmount; returned: CountAmount; paid: CountAmount; fee: string };
}

function totalOf(parts: CountAmount[]): CountAmount {
  return {
    count: parts.reduce((n, p) => n + p.count, 0),
    lines: parts.reduce((n, p) => n + p.lines, 0),
    amount: formatAmount(sum(parts.map((p) => p.amount))),
  };
}

/** One МИО's lines of the month with one bank, as the query sums them. */
interface BankMonthRow {
  mio_bin: string;
  mio_name: string;
  bik: string;
  bank_name: string | null;
  fee_per_payment: string | null;
  fee_percent: string | null;
  fee_min: string | null;
  fee_max: string | null;
  transferred_count: number | string;
  transferred_lines: number | string;
  transferred_amount: string;
  returned_count: number | string;
  returned_lines: number | string;
  returned_amount: string;
  paid_count: number | string;
}

/** The Appendix 4 row of a bank: transferred, returned, paid = transferred − returned, the fee on paid. */
function feeRowOf(r: BankMonthRow): BankFeeRow {
  const tariff: Tariff = { fee_per_payment: r.fee_per_payment, fee_percent: r.fee_percent, fee_min: r.fee_min, fee_max: r.fee_max };
  const transferred = { count: Number(r.transferred_count), lines: Number(r.transferred_lines), amount: formatAmount(r.transferred_amount) };
  const returned = { count: Number(r.returned_count), lines: Number(r.returned_lines), amount: formatAmount(r.returned_amount) };
  const paidSum = money(transferred.amount).minus(returned.amount);
  const paid = { count: Number(r.paid_count), lines: transferred.lines - returned.lines, amount: formatAmount(paidSum) };
  return {
    bik: r.bik,
    name: r.bank_name ?? r.bik,
    transferred,
    returned,
    paid,
    fee: formatAmount(bankFee(tariff, paid.lines, paidSum)),
    tariff,
  };
}

/** Appendix 4 of month M computed from the current data, returns counted up to asOf. */
export async function computeBankFeeReports(db: Q, month: string, asOf: string, mioBin?: string): Promise<BankFeeReport[]> {
  assertMonth(month);
  const q = db('payment_lines as l')
    .join('payment_orders as o', 'o.id', 'l.order_id')
    .join('mios as m', 'm.mio_bin', 'l.mio_bin')
    .leftJoin('banks as b', 'b.bik', 'l.bik')
    .leftJoin('returns as r', function joinReturn() {
      this.on('r.payment_line_id', '=', 'l.id').andOn('r.returned_on', '<=', db.raw('?', [asOf]));
    })
    .whereIn('l.kind', ['payout', 'repayment'])
    // Four eyes: only lines that left ГК — their order approved, the line not rejected.
    .where('l.rejected', false)
    .whereRaw(APPROVED_SQL)
    .whereBetween('o.order_date', [firstDayOfMonth(month), lastDayOfMonth(month)])
    .where('o.order_date', '<=', asOf)
    .groupBy('l.mio_bin', 'm.name', 'l.bik', 'b.name', 'b.fee_per_payment', 'b.fee_percent', 'b.fee_min', 'b.fee_max')
    .select(
      'l.mio_bin',
      'm.name as mio_name',
      'l.bik',
      'b.name as bank_name',
      'b.fee_per_payment',
      'b.fee_percent',
      'b.fee_min',
      'b.fee_max',
      db.raw('count(distinct (l.provider_id, l.iban)) as transferred_count'),
      db.raw('count(*) as transferred_lines'),
      db.raw('sum(l.amount) as transferred_amount'),
      db.raw('count(distinct (l.provider_id, l.iban)) filter (where r.id is not null) as returned_count'),
      db.raw('count(r.id) as returned_lines'),
      db.raw('coalesce(sum(r.amount), 0) as returned_amount'),
      db.raw('count(distinct (l.provider_id, l.iban)) filter (where r.id is null) as paid_count'),
    )
    .orderBy([{ column: 'l.mio_bin' }, { column: 'l.bik' }]);
  if (mioBin) q.where('l.mio_bin', mioBin);
  const rows = (await q) as unknown as BankMonthRow[];

  const reports = new Map<string, BankFeeReport>();
  for (const r of rows) {
    const row = feeRowOf(r);
    const report = reports.get(r.mio_bin) ?? {
      month,
      mio_bin: r.mio_bin,
      mio_name: r.mio_name,
      as_of: asOf,
      rows: [],
      total: { transferred: { count: 0, lines: 0, amount: '0.00' }, returned: { count: 0, lines: 0, amount: '0.00' }, paid: { count: 0, lines: 0, amount: '0.00' }, fee: '0.00' },
    };
    report.rows.push(row);
    reports.set(r.mio_bin, report);
  }
  for (const report of reports.values()) {
    report.total = {
      transferred: totalOf(report.rows.map((r) => r.transferred)),
      returned: totalOf(report.rows.map((r) => r.returned)),
      paid: totalOf(report.rows.map((r) => r.paid)),
      fee: formatAmount(sum(report.rows.map((r) => r.fee))),
    };
  }
  return [...reports.values()];
}

export interface StoredBankFeeReport extends BankFeeReport {
  frozen: boolean;
}

/** A part frozen before `lines` existed: its `count` was the number of lines. */
function partWithLines(p: CountAmount | Omit<CountAmount, 'lines'>): CountAmount {
  return 'lines' in p && typeof p.lines === 'number' ? p : { ...p, lines: p.count };
}

function withLines(r: BankFeeReport): BankFeeReport {
  const parts = <T extends { transferred: CountAmount; returned: CountAmount; paid: CountAmount }>(x: T): T => ({
    ...x,
    transferred: partWithLines(x.transferred),
    returned: partWithLines(x.returned),
    paid: partWithLines(x.paid),
  });
  return { ...r, rows: r.rows.map(parts), total: parts(r.total) };
}

/** Appendix 4 of month M as the report shows it: frozen where the step ran, else live as of asOf. */
export async function bankFeeReports(db: Q, month: string, asOf: string, mioBin?: string): Promise<StoredBankFeeReport[]> {
  const fq = db('bank_fee_reports').where('month', month).select('mio_bin', 'data').orderBy('mio_bin');
  if (mioBin) fq.where('mio_bin', mioBin);
  const frozen: { mio_bin: string; data: BankFeeReport | string }[] = await fq;
  const byBin = new Map<string, StoredBankFeeReport>();
  for (const f of frozen) {
    const data = typeof f.data === 'string' ? (JSON.parse(f.data) as BankFeeReport) : f.data;
    byBin.set(f.mio_bin, { ...withLines(data), frozen: true });
  }
  for (const live of await computeBankFeeReports(db, month, asOf, mioBin)) {
    if (!byBin.has(live.mio_bin)) byBin.set(live.mio_bin, { ...live, frozen: false });
  }
  return [...byBin.values()].sort((a, b) => (a.mio_bin < b.mio_bin ? -1 : a.mio_bin > b.mio_bin ? 1 : 0));
}

export interface BankFeesResult {
  month: string;
  reports: BankFeeReport[];
}

/** `payouts run bank-fees --month M`: Appendix 4 and the fees per МИО and bank, frozen. */
export async function computeBankFees(
  db: Db,
  opts: StepOptions,
): Promise<StepOutcome<BankFeesResult>> {
  if (!opts.month) throw new MonthRequired('Для расчёта комиссий банков укажите месяц (--month ГГГГ-ММ)');
  const month = assertMonth(opts.month);
  const opensOn = firstDayOfMonth(addMonths(month, 1));
  if (compareDates(opts.asOf, opensOn) < 0) {
    throw new BusinessRuleError(
      'bank-fees-month-open',
      `Сведения по уполномоченным организациям за ${month} составляются после окончания месяца: не ранее ${opensOn}, рабочая дата ${opts.asOf}`,
    );
  }
  return runStep<Omit<BankFeeReport, 'as_of'>[], BankFeesResult>(db, {
    step: 'bank-fees',
    key: month,
    asOf: opts.asOf,
    operator: opts.operator,
    dryRun: opts.dryRun,
    // The lines of M, their returns up to as-of and the tariffs; the step itself writes none of them.
    // The as-of date itself is left out so that an unchanged world re-run later is a no-op.
    inputs: async (trx) => (await computeBankFeeReports(trx, month, opts.asOf)).map(({ as_of: _asOf, ...rest }) => rest),
    async apply({ trx, runId }, inputs) {
      const reports: BankFeeReport[] = inputs.map((r) => ({ ...r, as_of: opts.asOf }));
      for (const [i, report] of reports.entries()) {
        await trx('bank_fee_reports').insert({ month, mio_bin: report.mio_bin, data: JSON.stringify(report), run_id: runId });
        if (i === 0) faultPoint('bank-fees.after-first-report');
      }
      faultPoint('bank-fees.after-reports');
      return { month, reports };
    },
    summarize: (r) => ({
      month: r.month,
      mios: r.reports.length,
      banks: r.reports.reduce((n, x) => n + x.rows.length, 0),
      transferred: formatAmount(sum(r.reports.map((x) => x.total.transferred.amount))),
      returned: formatAmount(sum(r.reports.map((x) => x.total.returned.amount))),
      paid: formatAmount(sum(r.reports.map((x) => x.total.paid.amount))),
      fee: formatAmount(sum(r.reports.map((x) => x.total.fee))),
    }),
  });
}
