// The closing summary of `payouts demo`, read back through the functions finance staff use: the
// reports (`payouts report`), the ledger (its movements and trial balance) and `payouts status`.
// Nothing here queries a table of its own.
import { addMonths, lastDayOfMonth, type IsoDate } from '../../pipeline/kernel/dates.ts';
import type { Db } from '../../pipeline/kernel/db.ts';
import { account, accountMovement, trialBalance } from '../../pipeline/ledger.ts';
import { formatAmount, sum } from '../../pipeline/kernel/money.ts';
import { reportBuilders } from '../../reports/registry.ts';
import { DEADLINE_RULE_TEXT, DEADLINE_STATUS_TEXT, deadlineObjectText } from '../../reports/forms/deadlines.ts';
import { dbStatus, type DbStatus } from '../status.ts';
import { bankDetailsInForce } from '../../pipeline/rules/bank-details-in-force.ts';

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

export interface DemoSummary {
  months: DemoMonthRow[];
  /** The deadline check as of the last day (from the deadlines report). */
  deadlines: {
    counts: Record<string, number>;
    /** Every deadline not met on time, with `text`: what it is, in words for a finance officer. */
    not_met: { rule: string; object: string; due: string; status: string; days_late: number; text: string }[];
  };
  /** What is still open at the end (as `payouts status` shows it). */
  open: Pick<DbStatus, 'open_demands' | 'unpaid_funded' | 'pending_returns'>;
  totals: { step_runs: number; payment_orders: number; payment_lines: number; returns: number; ledger_balanced: boolean; ledger_debit: string };
}

/** The months from the first to the last (YYYY-MM), both included. */
function monthsBetween(from: IsoDate, to: IsoDate): string[] {
  const out: string[] = [];
  for (let m = from.slice(0, 7); m <= to.slice(0, 7); m = addMonths(m, 1)) out.push(m);
  return out;
}

const total = (amounts: string[]) => formatAmount(sum(amounts));

/**
 * Per payout month and МИО: the lists (14th) and the demand (15th); the money of the calendar
 * month — received from the МИО (ledger), paid, paid again and sent back (payment orders dated
 * in the month), returned by the banks (returns); the month's bank fee (Appendix 4) and the
 * closing balance of the reconciliation act dated in the month: the act of the reporting period
 * M−1 whose services the month's lists pay (Appendix 3, DOMAIN.md §5).
 */
async function monthRows(db: Db, mios: { mio_bin: string; name: string }[], months: string[], asOf: IsoDate): Promise<DemoMonthRow[]> {
  const out: DemoMonthRow[] = [];
  for (const month of months) {
    const opts = { month, asOf };
    const list = await reportBuilders.list(db, opts);
    const demand = await reportBuilders.demand(db, opts);
    const orders = (await reportBuilders['payment-orders'](db, opts)).orders;
    const returns = (await reportBuilders.returns(db, opts)).returns;
    const fees = await reportBuilders['bank-fees'](db, opts);
    const recon = await reportBuilders.reconciliation(db, { month: addMonths(month, -1), asOf });
    for (const m of mios) {
      const division = list.divisions.find((d) => d.mio_bin === m.mio_bin);
      const lines = orders.filter((o) => o.mio_bin === m.mio_bin).flatMap((o) => o.lines);
      const paid = lines.filter((l) => l.kind !== 'to_mio');
      const returned = returns.filter((r) => r.mio_bin === m.mio_bin);
      const received = await accountMovement(db, account.mioBudget(m.mio_bin), {
        from: `${month}-01`,
        to: lastDayOfMonth(month),
        sources: ['transfer'],
        side: 'credit',
      });
      out.push({
        month,
        mio_bin: m.mio_bin,
        mio_name: m.name,
        list_rows: division?.rows.length ?? 0,
        guaranteed: division?.totals.guaranteed ?? '0.00',
        provider_sum: division?.totals.provider_sum ?? '0.00',
        opv: division?.totals.opv ?? '0.00',
        osms: division?.totals.osms ?? '0.00',
        so: division?.totals.so ?? '0.00',
        demand: total(demand.demands.filter((d) => d.mio_bin === m.mio_bin).map((d) => d.amount)),
        received: formatAmount(received),
        paid_count: paid.length,
        paid: total(paid.map((l) => l.amount)),
        returned_count: returned.length,
        returned: total(returned.map((r) => r.amount)),
        repaid: total(lines.filter((l) => l.kind === 'repayment').map((l) => l.amount)),
        sent_back: total(lines.filter((l) => l.kind === 'to_mio').map((l) => l.amount)),
        bank_fee: fees.mios.find((x) => x.mio_bin === m.mio_bin)?.total.fee ?? '0.00',
        closing: recon.acts.find((x) => x.mio_bin === m.mio_bin)?.balance.closing ?? null,
      });
    }
  }
  return out;
}

/** Orders, lines and returns of the whole run, from the month registers of payment orders and returns. */
async function runTotals(db: Db, from: IsoDate, to: IsoDate): Promise<{ payment_orders: number; payment_lines: number; returns: number }> {
  const t = { payment_orders: 0, payment_lines: 0, returns: 0 };
  for (const month of monthsBetween(from, to)) {
    const orders = (await reportBuilders['payment-orders'](db, { month, asOf: to })).orders;
    t.payment_orders += orders.length;
    t.payment_lines += orders.reduce((n, o) => n + o.lines.length, 0);
    t.returns += (await reportBuilders.returns(db, { month, asOf: to })).returns.length;
  }
  return t;
}

/** A deadline in words: «Нарушен: Выплата поставщику (…) — Потребность …; срок 27.03.2025, просрочка 2 раб. дн.». */
export function deadlineText(d: { rule: keyof typeof DEADLINE_RULE_TEXT; object: string; due: string; status: keyof typeof DEADLINE_STATUS_TEXT; days_late: number }): string {
  const due = d.due.split('-').reverse().join('.');
  const late = d.days_late ? `, просрочка ${d.days_late} раб. дн.` : '';
  return `${DEADLINE_STATUS_TEXT[d.status]}: ${DEADLINE_RULE_TEXT[d.rule]} — ${deadlineObjectText(d.object)}; срок ${due}${late}`;
}

/**
 * Why a funded row could not be paid, in words, when the reason is the provider's: its bank
 * details in force are marked incorrect (a bank returned a payment to them) and no new ones came.
 */
async function unpayableWhy(db: Db, object: string, asOf: IsoDate): Promise<string> {
  const provider = /:act:([^/]+)\//.exec(object)?.[1];
  if (!provider) return '';
  const { rows } = await db.raw(`select incorrect from (${bankDetailsInForce(':asOf', ':provider')}) b`, { asOf, provider });
  return rows[0]?.incorrect ? ' (не выплачено: банк вернул платёж по реквизитам поставщика, они отмечены неверными, новых реквизитов поставщик не подал)' : '';
}

export async function demoSummary(
  db: Db,
  run: { mios: { mio_bin: string; name: string }[]; months: string[]; from: IsoDate; to: IsoDate; stepRuns: number },
): Promise<DemoSummary> {
  const tb = await trialBalance(db, run.to);
  const deadlineDoc = await reportBuilders.deadlines(db, { asOf: run.to });
  const deadlineCounts: Record<string, number> = {};
  for (const it of deadlineDoc.items) deadlineCounts[it.status] = (deadlineCounts[it.status] ?? 0) + 1;
  const status = await dbStatus(db);
  return {
    months: await monthRows(db, run.mios, run.months, run.to),
    deadlines: {
      counts: deadlineCounts,
      not_met: await Promise.all(
        deadlineDoc.items
          .filter((x) => x.status !== 'met')
          .map(async ({ rule, object, due, status: st, days_late }) => {
            const why = rule === 'payment' && st === 'breached' ? await unpayableWhy(db, object, run.to) : '';
            return { rule, object, due, status: st, days_late, text: deadlineText({ rule, object, due, status: st, days_late }) + why };
          }),
      ),
    },
    open: { open_demands: status.open_demands, unpaid_funded: status.unpaid_funded, pending_returns: status.pending_returns },
    totals: {
      step_runs: run.stepRuns,
      ...(await runTotals(db, run.from, run.to)),
      ledger_balanced: tb.balanced,
      ledger_debit: tb.debit,
    },
  };
}
