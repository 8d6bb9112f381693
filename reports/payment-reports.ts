// JSON report builders (see reports/registry.ts): `payment-orders` (orders dated in month M) and
// `ledger` (trial balance as of the date). Field names and row order as INTERFACE.md states.
import type { Knex } from 'knex';
import { firstDayOfMonth, lastDayOfMonth } from '../pipeline/kernel/dates.ts';
import { MonthRequired } from '../pipeline/kernel/errors.ts';
import { accountName, trialBalance } from '../pipeline/ledger.ts';
import { formatAmount } from '../pipeline/kernel/money.ts';
import { lineKbe, orderKnp, orderLines, purposeText, type OrderLineRow } from '../pipeline/orders/pain001.ts';
import type { LineKind } from '../pipeline/orders/issuing.ts';
import { requireDocumentRequisites } from '../pipeline/requisites/index.ts';
import type { LedgerReport, PaymentOrder, PaymentOrderLine, PaymentOrdersReport } from '../schemas/reports/index.ts';
import type { ReportOptions } from './registry.ts';
import { showOrders, type ShownOrder } from '../pipeline/orders/approval.ts';

type Q = Knex | Knex.Transaction;

interface OrderQueryRow {
  id: number | string;
  year: number | string;
  number: number | string;
  order_date: string;
  mio_bin: string;
  mio_name: string;
  bik: string;
  kind: PaymentOrder['order_kind'];
  total: string;
  line_count: number | string;
  bank_name: string | null;
}

/**
 * Orders dated in month M (one МИО with `mio`), by year and number; lines by reference. Each order
 * names its payer (ГК's account of the site requisites in force) and КНП, each line its act, КБе
 * and the purpose exactly as its pain.001 carries them (pipeline/orders/pain001.ts). The register
 * leaves ГК: with sample requisites it is built only where samples are allowed, and marked.
 */
export async function paymentOrdersReport(db: Q, opts: ReportOptions): Promise<PaymentOrdersReport> {
  if (!opts.month) throw new MonthRequired('Для формы payment-orders укажите --month ГГГГ-ММ');
  const month = opts.month;
  const site = await requireDocumentRequisites(db, 'Реестры платёжных поручений');
  const gk = site.requisites.state_corporation;
  const payer = { name: gk.name, bin: gk.bin, bik: gk.bik, iban: gk.iban };
  const knp = new Map<string, string>();
  for (const kind of ['provider', 'to_mio'] as const) knp.set(kind, await orderKnp(db, kind));
  const q = db('payment_orders as o')
    .join('mios as mi', 'mi.mio_bin', 'o.mio_bin')
    .leftJoin('banks as b', 'b.bik', 'o.bik')
    .whereBetween('o.order_date', [firstDayOfMonth(month), lastDayOfMonth(month)])
    .orderBy([{ column: 'o.year' }, { column: 'o.number' }])
    .select('o.id', 'o.year', 'o.number', 'o.order_date', 'o.mio_bin', 'mi.name as mio_name', 'o.bik', 'o.kind', 'o.total', 'o.line_count', 'b.name as bank_name');
  if (opts.mio) q.where('o.mio_bin', opts.mio);
  const orders: OrderQueryRow[] = await q;
  const ids = orders.map((o) => Number(o.id));
  const lines: OrderLineRow[] = ids.length ? await orderLines(db).whereIn('l.order_id', ids).orderBy('l.ref') : [];
  // Four eyes: each order's state and who prepared and decided it; lines the approver should look at.
  const shown = new Map<number, ShownOrder>();
  for (const date of [...new Set(orders.map((o) => o.order_date))]) {
    for (const o of (await showOrders(db, { date, mioBin: opts.mio })).orders) shown.set(o.id, o);
  }
  const marks = new Map([...shown.values()].flatMap((o) => o.lines.map((l) => [l.ref, l] as const)));
  const byOrder = new Map<number, PaymentOrderLine[]>();
  for (const l of lines) {
    const list = byOrder.get(Number(l.order_id)) ?? [];
    list.push({
      ref: l.ref,
      provider_id: l.provider_id,
      provider_name: l.provider_name,
      iban: l.iban,
      amount: formatAmount(l.amount),
      service_month: l.service_month,
      kind: l.kind as LineKind,
      act_no: l.act_no,
      kbe: lineKbe(l),
      purpose: purposeText(l.kind as LineKind, l),
      new_details: marks.get(l.ref)?.new_details ?? false,
      returned_before: marks.get(l.ref)?.returned_before ?? false,
    });
    byOrder.set(Number(l.order_id), list);
  }
  return {
    form: 'payment-orders',
    month,
    sample: site.sample,
    orders: orders.map((o): PaymentOrder => ({
      number: Number(o.number),
      year: Number(o.year),
      date: o.order_date,
      mio_bin: o.mio_bin,
      mio_name: o.mio_name,
      bik: o.bik,
      bank_name: o.bank_name ?? null,
      order_kind: o.kind,
      payer,
      knp: knp.get(o.kind)!,
      total: formatAmount(o.total),
      count: Number(o.line_count),
      state: shown.get(Number(o.id))?.state ?? 'approved',
      prepared_by: shown.get(Number(o.id))?.prepared_by ?? '',
      decided_by: shown.get(Number(o.id))?.decided_by ?? null,
      decided_on: shown.get(Number(o.id))?.decided_on ?? null,
      lines: byOrder.get(Number(o.id)) ?? [],
    })),
  };
}

/** Trial balance as of the date: every account's debits, credits and balance (debit − credit). */
export async function ledgerReport(db: Q, opts: ReportOptions): Promise<LedgerReport> {
  const tb = await trialBalance(db, opts.asOf);
  return {
    form: 'ledger',
    as_of: opts.asOf,
    accounts: tb.accounts.map((a) => ({ account: a.account, name: accountName(a.account), debit: a.debit, credit: a.credit, balance: a.balance })),
    balanced: tb.balanced,
    totals: { debit: tb.debit, credit: tb.credit },
  };
}

export const paymentReports = {
  'payment-orders': paymentOrdersReport,
  ledger: ledgerReport,
};
