// The reconciliation act (акт сверки), 002 §21–22, Appendix 3, DOMAIN.md §5.
//
// Per МИО and month M: every transfer received from the МИО in M (line code, МИО БИН, МИО name,
// payment-order number and date, sum) and the total (the report adds it in words); and, beyond the form,
// the balance of the money ГК holds for the МИО, read from the ledger account gk_funds:<БИН>
// by entry source (pipeline/ledger.ts):
//   opening   balance of entries dated before M
//   received  'transfer'      (debit)   — equals the form's total, checked
//   paid      'payout_order'  (credit)  — payouts and repayments
//   returned  'return'        (debit)   — sums the banks sent back to ГК
//   sent_back 'to_mio_order'  (credit)  — unsent returns paid back to the МИО
//   closing   balance of entries dated up to the end of M
// opening + received − paid + returned − sent_back = closing holds by construction; any other
// source moving gk_funds is refused as an unknown movement, so the act and the ledger cannot
// drift apart.
//
// Line code (column 1 of the form): the ordinal of the row in the act, "1", "2", … in the order
// of the payment orders (date, number). The form gives no code table; the total row "Всего"
// carries no code.
//
// `reconcile` freezes the acts of M (table reconciliations, data jsonb): a month already
// reconciled does not change when later months happen, and a re-run after its inputs changed
// (e.g. a late return dated in M) is refused by the step runner. Reports show the frozen act
// where it exists and compute the act live otherwise.
import type { Knex } from 'knex';
import type { Db } from '../../kernel/db.ts';
import { addMonths, assertMonth, compareDates, firstDayOfMonth, lastDayOfMonth } from '../../kernel/dates.ts';
import { BusinessRuleError, MonthRequired } from '../../kernel/errors.ts';
import { formatAmount, money, sum, ZERO, type Money } from '../../kernel/money.ts';
import { runStep, type StepOptions, type StepOutcome } from '../../kernel/step-run.ts';
import { faultPoint } from '../../kernel/faults.ts';

type Q = Knex | Knex.Transaction;

export interface ReconciliationRow {
  line_code: string;
  mio_bin: string;
  mio_name: string;
  pp_no: string;
  pp_date: string;
  amount: string;
}

export interface ReconciliationBalance {
  opening: string;
  received: string;
  paid: string;
  returned: string;
  sent_back: string;
  closing: string;
}

export interface ReconciliationAct {
  month: string;
  mio_bin: string;
  mio_name: string;
  rows: ReconciliationRow[];
  total: string;
  balance: ReconciliationBalance;
}

const GK_FUNDS_PREFIX = 'gk_funds:';
const BALANCE_SOURCES = ['transfer', 'payout_order', 'return', 'to_mio_order'] as const;

export class ReconciliationMismatchError extends Error {}

interface Movement {
  opening: Money;
  bySource: Map<string, Money>;
}

/** gk_funds movements per МИО: the balance before M and the movement in M by entry source. */
async function gkFundsMovements(db: Q, month: string, mioBin?: string): Promise<Map<string, Movement>> {
  const from = firstDayOfMonth(month);
  const to = lastDayOfMonth(month);
  const q = db('ledger_postings as p')
    .join('ledger_entries as e', 'e.id', 'p.entry_id')
    .where('e.entry_date', '<=', to)
    .select('p.account', 'e.source', db.raw('(e.entry_date < ?) as is_before', [from]))
    .sum({ debit: 'p.debit', credit: 'p.credit' })
    .groupBy('p.account', 'e.source', 'is_before');
  if (mioBin) q.where('p.account', `${GK_FUNDS_PREFIX}${mioBin}`);
  else q.where('p.account', 'like', `${GK_FUNDS_PREFIX}%`);
  const rows = (await q) as unknown as { account: string; source: string; is_before: boolean; debit: string; credit: string }[];
  const out = new Map<string, Movement>();
  for (const r of rows) {
    const bin = r.account.slice(GK_FUNDS_PREFIX.length);
    const m = out.get(bin) ?? { opening: ZERO, bySource: new Map<string, Money>() };
    const net = money(r.debit).minus(money(r.credit));
    if (r.is_before) m.opening = m.opening.plus(net);
    else m.bySource.set(r.source, (m.bySource.get(r.source) ?? ZERO).plus(net));
    out.set(bin, m);
  }
  return out;
}

/** The acts of month M computed from the current data: one per МИО with money at ГК or moving in M. */
export async function computeReconciliationActs(db: Q, month: string, mioBin?: string): Promise<ReconciliationAct[]> {
  assertMonth(month);
  const from = firstDayOfMonth(month);
  const to = lastDayOfMonth(month);
  const movements = await gkFundsMovements(db, month, mioBin);
  const tq = db('transfers as t')
    .join('mios as m', 'm.mio_bin', 't.mio_bin')
    .whereBetween('t.pp_date', [from, to])
    .select('t.mio_bin', 'm.name as mio_name', 't.pp_no', 't.pp_date', 't.amount')
    .orderBy([{ column: 't.mio_bin' }, { column: 't.pp_date' }, { column: 't.pp_no' }, { column: 't.id' }]);
  if (mioBin) tq.where('t.mio_bin', mioBin);
  const transfers: { mio_bin: string; mio_name: string; pp_no: string; pp_date: string; amount: string }[] = await tq;

  const bins = [...new Set([...movements.keys(), ...transfers.map((t) => t.mio_bin)])].sort();
  if (bins.length === 0) return [];
  const names = new Map<string, string>(
    (await db('mios').whereIn('mio_bin', bins).select('mio_bin', 'name')).map((m: { mio_bin: string; name: string }) => [m.mio_bin, m.name]),
  );

  const acts = bins.map((bin) => {
    const mioName = names.get(bin) ?? '';
    const rows: ReconciliationRow[] = transfers
      .filter((t) => t.mio_bin === bin)
      .map((t, i) => ({
        line_code: String(i + 1),
        mio_bin: bin,
        mio_name: mioName,
        pp_no: t.pp_no,
        pp_date: t.pp_date,
        amount: formatAmount(t.amount),
      }));
    const total = sum(rows.map((r) => r.amount));
    const m = movements.get(bin) ?? { opening: ZERO, bySource: new Map<string, Money>() };
    const unknown = [...m.bySource.keys()].filter((s) => !(BALANCE_SOURCES as readonly string[]).includes(s));
    if (unknown.length) {
      throw new ReconciliationMismatchError(
        `gk_funds:${bin} moved in ${month} by unexpected ledger sources: ${unknown.join(', ')}`,
      );
    }
    const net = (source: string) => m.bySource.get(source) ?? ZERO;
    const received = net('transfer');
    const paid = net('payout_order').times(-1);
    const returned = net('return');
    const sentBack = net('to_mio_order').times(-1);
    const closing = m.opening.plus(received).minus(paid).plus(returned).minus(sentBack);
    if (!received.eq(total)) {
      throw new ReconciliationMismatchError(
        `gk_funds:${bin} received ${formatAmount(received)} in ${month} by the ledger, but the transfers total ${formatAmount(total)}`,
      );
    }
    return {
      month,
      mio_bin: bin,
      mio_name: mioName,
      rows,
      total: formatAmount(total),
      balance: {
        opening: formatAmount(m.opening),
        received: formatAmount(received),
        paid: formatAmount(paid),
        returned: formatAmount(returned),
        sent_back: formatAmount(sentBack),
        closing: formatAmount(closing),
      },
    };
  });
  // A МИО with nothing at ГК and nothing moving in M has nothing to reconcile.
  return acts.filter((a) => a.rows.length > 0 || Object.values(a.balance).some((v) => !money(v).eq(0)));
}

export interface StoredAct extends ReconciliationAct {
  /** True when the act comes from a `reconcile` run (frozen), false when computed now. */
  frozen: boolean;
  /** The business date of the run that froze it. */
  reconciled_on: string | null;
}

/** The acts of month M as the report shows them: frozen where reconciled, else live. */
export async function reconciliationActs(db: Q, month: string, mioBin?: string): Promise<StoredAct[]> {
  const fq = db('reconciliations as r')
    .join('step_runs as s', 's.id', 'r.run_id')
    .where('r.month', month)
    .select('r.mio_bin', 'r.data', 's.as_of')
    .orderBy('r.mio_bin');
  if (mioBin) fq.where('r.mio_bin', mioBin);
  const frozen: { mio_bin: string; data: ReconciliationAct | string; as_of: string }[] = await fq;
  const byBin = new Map<string, StoredAct>();
  for (const f of frozen) {
    const data = typeof f.data === 'string' ? (JSON.parse(f.data) as ReconciliationAct) : f.data;
    byBin.set(f.mio_bin, { ...data, frozen: true, reconciled_on: f.as_of });
  }
  for (const act of await computeReconciliationActs(db, month, mioBin)) {
    if (!byBin.has(act.mio_bin)) byBin.set(act.mio_bin, { ...act, frozen: false, reconciled_on: null });
  }
  return [...byBin.values()].sort((a, b) => (a.mio_bin < b.mio_bin ? -1 : a.mio_bin > b.mio_bin ? 1 : 0));
}

export interface ReconcileResult {
  month: string;
  acts: ReconciliationAct[];
}

/** `payouts run reconcile --month M`: computes and freezes the act of every МИО for M. */
export async function reconcile(
  db: Db,
  opts: StepOptions,
): Promise<StepOutcome<ReconcileResult>> {
  if (!opts.month) throw new MonthRequired('Для сверки укажите отчётный месяц (--month ГГГГ-ММ)');
  const month = assertMonth(opts.month);
  const opensOn = firstDayOfMonth(addMonths(month, 1));
  if (compareDates(opts.asOf, opensOn) < 0) {
    throw new BusinessRuleError(
      'reconciliation-month-open',
      `Акт сверки за ${month} составляется после окончания месяца: не ранее ${opensOn}, рабочая дата ${opts.asOf}`,
    );
  }
  return runStep<ReconciliationAct[], ReconcileResult>(db, {
    step: 'reconcile',
    key: month,
    asOf: opts.asOf,
    operator: opts.operator,
    dryRun: opts.dryRun,
    // The step writes no money and no transfers: the live acts are exactly what it acts on.
    inputs: (trx) => computeReconciliationActs(trx, month),
    async apply({ trx, runId }, acts) {
      for (const [i, act] of acts.entries()) {
        await trx('reconciliations').insert({ month, mio_bin: act.mio_bin, data: JSON.stringify(act), run_id: runId });
        if (i === 0) faultPoint('reconcile.after-first-act');
      }
      faultPoint('reconcile.after-acts');
      return { month, acts };
    },
    summarize: (r) => ({
      month: r.month,
      acts: r.acts.length,
      transfers: r.acts.reduce((n, a) => n + a.rows.length, 0),
      received: formatAmount(sum(r.acts.map((a) => a.total))),
      closing: formatAmount(sum(r.acts.map((a) => a.balance.closing))),
    }),
  });
}
