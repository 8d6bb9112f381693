// Payment orders of the State Corporation (ГК): one order per (МИО, bank БИК, date, kind), each
// line with its end-to-end reference (pipeline/orders/numbering.ts). `issueOrders` is the one way
// an order comes into being — `pay` issues the provider orders (payouts and repayments),
// `refund-unsent` the `to_mio` orders that send unsent sums back to the МИО — and posts the
// ledger entry of each order. The bank files are written after the commit, from the rows
// (pipeline/orders/files.ts).
import type { Knex } from 'knex';
import { BusinessRuleError } from '../kernel/errors.ts';
import { faultPoint } from '../kernel/faults.ts';
import { account, accountMovement, post, type Entry } from '../ledger.ts';
import { formatAmount, isAmount, money, type Money } from '../kernel/money.ts';
import { yearOf } from '../kernel/dates.ts';
import type { Db } from '../kernel/db.ts';
import { loadCalendar } from '../kernel/reference.ts';
import { lineRefSql, takeOrderNumbers } from './numbering.ts';

export type OrderKind = 'provider' | 'to_mio';
export type LineKind = 'payout' | 'repayment' | 'to_mio';

/** One line to put on a payment order. Amounts are decimal strings. */
export interface OrderLineInput {
  kind: LineKind;
  mioBin: string;
  providerId: string;
  /** The provider's bank-details version paid to; null for a `to_mio` line. */
  bankDetailId: number | null;
  /** Where the money goes: the provider's bank and account, or the МИО's own for `to_mio`. */
  bik: string;
  iban: string;
  serviceMonth: string;
  amount: string;
  /** The demand row paid (kind `payout` only). */
  demandRowId?: number | null;
  /** The return repaid (`repayment`) or sent back to the МИО (`to_mio`). */
  returnId?: number | null;
}

export interface IssuedLine {
  id: number;
  ref: string;
  kind: LineKind;
  providerId: string;
  amount: string;
  demandRowId: number | null;
  returnId: number | null;
}

/** An order as issued, without its lines. */
export interface IssuedOrderHeader {
  id: number;
  year: number;
  number: number;
  date: string;
  mioBin: string;
  bik: string;
  kind: OrderKind;
  total: string;
  count: number;
}

/** An issued order as a step's result records it. */
export interface OrderResult {
  id: number;
  year: number;
  number: number;
  mio_bin: string;
  bik: string;
  count: number;
  total: string;
}

export function orderResult(o: IssuedOrderHeader): OrderResult {
  return { id: o.id, year: o.year, number: o.number, mio_bin: o.mioBin, bik: o.bik, count: o.count, total: o.total };
}

export interface IssuedOrder extends IssuedOrderHeader {
  lines: IssuedLine[];
}

export interface IssueOrdersInput {
  /** The order date (a working day; the caller checks it). */
  date: string;
  /** The step run that issues the orders (payment_orders.run_id). */
  runId: number;
  kind: OrderKind;
  lines: OrderLineInput[];
  /**
   * True (the default): the orders are approved as they are issued — the ledger entry is posted
   * and their files may be written (refund-unsent; pay when four eyes are off). False: they are
   * only prepared and wait for a second operator (pipeline/orders/approval.ts).
   */
  approve?: boolean;
}

/**
 * Where issueOrdersFrom takes its lines: a relation (a table, or a query in parentheses with an
 * alias) with the columns kind, mio_bin, provider_id, bank_detail_id, bik, iban, service_month,
 * amount (numeric), demand_row_id, return_id — e.g. the plan a step staged in a temporary table.
 */
export interface OrderLineSource {
  sql: string;
  bindings: Knex.RawBinding[];
}

const LINE_KINDS_OF: Record<OrderKind, LineKind[]> = { provider: ['payout', 'repayment'], to_mio: ['to_mio'] };

function checkLine(kind: OrderKind, l: OrderLineInput, i: number): void {
  const at = `issueOrders: line ${i + 1}`;
  if (!LINE_KINDS_OF[kind].includes(l.kind)) throw new Error(`${at}: a ${l.kind} line cannot go on a ${kind} order`);
  if (!isAmount(l.amount) || money(l.amount).lte(0)) throw new Error(`${at}: amount must be a positive decimal string, got "${l.amount}"`);
  if (l.kind === 'payout' && (l.demandRowId == null || l.returnId != null)) {
    throw new Error(`${at}: a payout line needs demandRowId and no returnId`);
  }
  if (l.kind !== 'payout' && (l.returnId == null || l.demandRowId != null)) {
    throw new Error(`${at}: a ${l.kind} line needs returnId and no demandRowId`);
  }
  if (l.kind !== 'to_mio' && l.bankDetailId == null) throw new Error(`${at}: a ${l.kind} line needs the bank-details version`);
}

/**
 * The order of lines on an order, in SQL: payouts, repayments, sums sent back; then service
 * month, provider, demand row, return. Byte order ("C") of the fixed-format month and ИИН/БИН.
 */
const LINE_ORDER_SQL =
  `case l.kind when 'payout' then 0 when 'repayment' then 1 else 2 end, l.service_month collate "C", ` +
  `l.provider_id collate "C", coalesce(l.demand_row_id, 0), coalesce(l.return_id, 0)`;

/**
 * Orders are dated on working days only: refuses `date` when it is not one, saying `why` (what
 * is not done on such a day) and which working day comes next.
 */
export async function assertWorkingDay(db: Db, date: string, why: string): Promise<void> {
  const calendar = await loadCalendar(db);
  if (calendar.isWorkingDay(date)) return;
  throw new BusinessRuleError(
    'non-working-day',
    `${date} — нерабочий день: ${why}. Ближайший рабочий день — ${calendar.nextWorkingDay(date)}.`,
  );
}

/**
 * Issues payment orders for the lines: groups them per (МИО, БИК of the line), numbers the
 * orders gaplessly in the year of `date` (in МИО, БИК order), gives every line its reference,
 * records the 'issued' event of each line, and posts the ledger entry of each order
 * ('payout_order' for kind provider, 'to_mio_order' for kind to_mio — the caller posts nothing
 * more for them). Refuses a date earlier than an order already issued (numbers follow dates) and
 * a payment that would take more than ГК holds for a МИО. Unique indexes make a second payment
 * of the same demand row or return impossible. Must run inside the caller's step transaction.
 */
export async function issueOrders(trx: Knex.Transaction, input: IssueOrdersInput): Promise<IssuedOrder[]> {
  const { kind } = input;
  input.lines.forEach((l, i) => checkLine(kind, l, i));
  if (input.lines.length === 0) return [];
  const rows = input.lines.map((l) => ({
    kind: l.kind,
    mio_bin: l.mioBin,
    provider_id: l.providerId,
    bank_detail_id: l.bankDetailId,
    bik: l.bik,
    iban: l.iban,
    service_month: l.serviceMonth,
    amount: formatAmount(l.amount),
    demand_row_id: l.demandRowId ?? null,
    return_id: l.returnId ?? null,
  }));
  const source: OrderLineSource = {
    sql:
      `(select * from json_to_recordset(?::json) as x(kind text, mio_bin text, provider_id text, bank_detail_id bigint, ` +
      `bik text, iban text, service_month text, amount numeric, demand_row_id bigint, return_id bigint))`,
    bindings: [JSON.stringify(rows)],
  };
  const orders = await issueOrdersFrom(trx, { date: input.date, runId: input.runId, kind }, source);
  const lines: (IssuedLine & { orderId: number })[] = (
    await trx('payment_lines')
      .whereRaw('order_id = any(?::bigint[])', [orders.map((o) => o.id)])
      .orderBy([{ column: 'order_id' }, { column: 'ref' }])
      .select('id', 'order_id', 'ref', 'kind', 'provider_id', trx.raw('amount::text as amount'), 'demand_row_id', 'return_id')
  ).map((r: Record<string, unknown>) => ({
    id: Number(r.id),
    orderId: Number(r.order_id),
    ref: String(r.ref),
    kind: r.kind as LineKind,
    providerId: String(r.provider_id),
    amount: formatAmount(String(r.amount)),
    demandRowId: r.demand_row_id == null ? null : Number(r.demand_row_id),
    returnId: r.return_id == null ? null : Number(r.return_id),
  }));
  return orders.map((o) => ({
    ...o,
    lines: lines.filter((l) => l.orderId === o.id).map(({ orderId: _orderId, ...l }) => l),
  }));
}

/**
 * issueOrders for lines that are already in the database (a step's staged plan): the same
 * orders, numbers, references, events and ledger entries, set-based — the lines never travel
 * to the application, so a million lines cost a few statements. Returns the orders without
 * their lines, in number order.
 */
export async function issueOrdersFrom(
  trx: Knex.Transaction,
  input: Omit<IssueOrdersInput, 'lines'>,
  source: OrderLineSource,
): Promise<IssuedOrderHeader[]> {
  const { date, runId, kind } = input;
  const approve = input.approve ?? true;
  const groups = await orderGroups(trx, kind, source);
  if (groups.length === 0) return [];
  await assertNoLaterOrder(trx, date);
  const run = await trx('step_runs').where({ id: runId }).first('operator');
  const operator = String(run?.operator ?? 'unknown');

  const year = yearOf(date);
  const first = await takeOrderNumbers(trx, year, groups.length);
  faultPoint('orders.numbered');
  const orders = await insertOrders(trx, { date, runId, kind, year, first }, groups);
  await insertLines(trx, orders, source);
  await recordOrderEvents(trx, orders.map((o) => o.id), 'prepared', date, operator);
  faultPoint('orders.half-written'); // lines and their events written; no ledger entry yet

  if (approve) {
    await recordOrderEvents(trx, orders.map((o) => o.id), 'approved', date, operator);
    await post(trx, orders.map((o) => orderEntry(o, runId, date)));
  }
  await assertFundsHeld(trx, orders.map((o) => o.mioBin), date);
  return orders;
}

/** An order's audit event (payment_order_events): prepared, approved or rejected, with who and when. */
export async function recordOrderEvents(
  trx: Knex.Transaction,
  orderIds: number[],
  status: 'prepared' | 'approved' | 'rejected',
  date: string,
  operator: string,
  reason = '',
): Promise<void> {
  if (orderIds.length === 0) return;
  await trx('payment_order_events').insert(orderIds.map((id) => ({ order_id: id, status, event_date: date, operator, reason })));
}

/**
 * SQL of the orders prepared and not yet decided (neither approved nor rejected): the ones that
 * wait for a second operator. Columns of payment_orders, alias `o`.
 */
export const AWAITING_APPROVAL_SQL = `exists (select 1 from payment_order_events pe where pe.order_id = o.id and pe.status = 'prepared')
   and not exists (select 1 from payment_order_events de where de.order_id = o.id and de.status in ('approved', 'rejected'))`;

/** SQL: the order `o` was approved (its bank file may be written, its lines are paid). */
export const APPROVED_SQL = `exists (select 1 from payment_order_events ae where ae.order_id = o.id and ae.status = 'approved')`;

/** One order to be: the lines of a (МИО, БИК), their count and total. */
interface OrderGroup {
  mio_bin: string;
  bik: string;
  n: number;
  total: string;
}

/**
 * The orders the lines make, one per (МИО, БИК) in byte order, after checking every line in SQL
 * as checkLine does (a line that cannot go on an order of `kind` is a bug of the caller).
 */
async function orderGroups(trx: Knex.Transaction, kind: OrderKind, source: OrderLineSource): Promise<OrderGroup[]> {
  const groups = (
    await trx.raw(
      `select l.mio_bin::text as mio_bin, l.bik::text as bik, count(*)::int as n, sum(l.amount)::text as total,
              count(*) filter (where not (l.kind = any(?::text[]))
                                  or l.amount is null or l.amount <= 0
                                  or (l.kind = 'payout') <> (l.demand_row_id is not null)
                                  or (l.kind = 'payout') = (l.return_id is not null)
                                  or (l.kind <> 'to_mio' and l.bank_detail_id is null))::int as bad
         from ${source.sql} l
        group by l.mio_bin, l.bik
        order by l.mio_bin collate "C", l.bik collate "C"`,
      [LINE_KINDS_OF[kind], ...source.bindings],
    )
  ).rows as (OrderGroup & { bad: number })[];
  if (groups.some((g) => g.bad > 0)) throw new Error(`issueOrders: lines that cannot go on a ${kind} order`);
  return groups;
}

/** Numbers follow dates: no order may be dated before one already issued. */
async function assertNoLaterOrder(trx: Knex.Transaction, date: string): Promise<void> {
  const later = await trx('payment_orders').where('order_date', '>', date).orderBy('order_date', 'desc').first();
  if (later) {
    throw new BusinessRuleError(
      'order-date-backdated',
      `Нельзя выписать платёжное поручение датой ${date}: уже выписано поручение № ${later.number} от ${later.order_date}. ` +
        `Номера поручений идут по датам без пропусков; выплата войдёт в поручения ближайшего рабочего дня.`,
    );
  }
}

/** The order rows, numbered from `first` in the groups' order. */
async function insertOrders(
  trx: Knex.Transaction,
  at: { date: string; runId: number; kind: OrderKind; year: number; first: number },
  groups: OrderGroup[],
): Promise<IssuedOrderHeader[]> {
  const { date, runId, kind, year, first } = at;
  const inserted: { id: number | string; number: number }[] = await trx('payment_orders')
    .insert(
      groups.map((g, i) => ({
        year,
        number: first + i,
        order_date: date,
        mio_bin: g.mio_bin,
        bik: g.bik,
        kind,
        total: formatAmount(g.total),
        line_count: g.n,
        run_id: runId,
      })),
    )
    .returning(['id', 'number']);
  const idByNumber = new Map(inserted.map((r) => [Number(r.number), Number(r.id)]));
  return groups.map((g, i) => ({
    id: idByNumber.get(first + i)!,
    year,
    number: first + i,
    date,
    mioBin: g.mio_bin,
    bik: g.bik,
    kind,
    total: formatAmount(g.total),
    count: g.n,
  }));
}

/**
 * The lines, numbered within their order, and the 'issued' event of each: one statement for all
 * of them (the lines are not read back to give them their events).
 */
async function insertLines(trx: Knex.Transaction, orders: IssuedOrderHeader[], source: OrderLineSource): Promise<void> {
  const { year, date } = orders[0];
  const seq = `row_number() over (partition by o.id order by ${LINE_ORDER_SQL})`;
  const { rowCount } = await trx.raw(
    `with issued as (
       insert into payment_lines (order_id, ref, kind, demand_row_id, return_id, mio_bin, provider_id, bank_detail_id, bik, iban, service_month, amount)
       select o.id, ${lineRefSql('?', 'o.number', seq)},
              l.kind, l.demand_row_id, l.return_id, l.mio_bin, l.provider_id, l.bank_detail_id, l.bik, l.iban, l.service_month, l.amount
         from ${source.sql} l
         join json_to_recordset(?::json) as o(id bigint, number int, mio_bin text, bik text)
           on o.mio_bin = l.mio_bin and o.bik = l.bik
        order by o.id, ${seq}
       returning id)
     insert into payment_line_events (line_id, status, event_date)
     select id, 'issued', ?::date from issued order by id`,
    [
      `GK${year}-`,
      ...source.bindings,
      JSON.stringify(orders.map((o) => ({ id: o.id, number: o.number, mio_bin: o.mioBin, bik: o.bik }))),
      date,
    ],
  );
  const expected = orders.reduce((a, o) => a + o.count, 0);
  if (Number(rowCount) !== expected) throw new Error(`issueOrders: wrote ${rowCount} lines of ${expected}`);
}

/**
 * ГК pays out of what it holds for the МИО: never more, as of `date` — what the ledger shows
 * held, less the orders prepared and still waiting for approval (not yet posted).
 */
export async function assertFundsHeld(trx: Knex.Transaction, mioBins: string[], date: string): Promise<void> {
  for (const mioBin of [...new Set(mioBins)].sort()) {
    const posted = await accountMovement(trx, account.gkFunds(mioBin), { to: date });
    const { rows } = await trx.raw(
      `select coalesce(sum(o.total), 0)::text as total from payment_orders o where o.mio_bin = ? and ${AWAITING_APPROVAL_SQL}`,
      [mioBin],
    );
    const held = posted.minus(money(String(rows[0].total)));
    if (held.lt(0)) {
      throw new BusinessRuleError(
        'gk-funds-insufficient',
        `Платёжные поручения от ${date} по МИО ${mioBin} превышают средства МИО в Госкорпорации на ${formatAmount(held.abs())} тенге. ` +
          `Выплата не выполнена.`,
      );
    }
  }
}

/**
 * The ledger entry of one order (DOMAIN rules at the top of pipeline/ledger.ts), dated `postedOn`:
 * the day it was approved (the order date when the step approved it itself).
 */
export function orderEntry(o: Pick<IssuedOrderHeader, 'id' | 'number' | 'date' | 'mioBin' | 'bik' | 'kind' | 'total'>, runId: number | null, postedOn: string): Entry {
  const total: Money = money(o.total);
  if (o.kind === 'to_mio') {
    return {
      date: postedOn,
      source: 'to_mio_order',
      sourceId: String(o.id),
      description: `Платёжное поручение № ${o.number} от ${o.date}: возврат невыплаченных сумм МИО ${o.mioBin}`,
      runId,
      postings: [
        { account: account.mioBudget(o.mioBin), debit: total },
        { account: account.gkFunds(o.mioBin), credit: total },
      ],
    };
  }
  return {
    date: postedOn,
    source: 'payout_order',
    sourceId: String(o.id),
    description: `Платёжное поручение № ${o.number} от ${o.date}: выплата поставщикам МИО ${o.mioBin} через ${o.bik}`,
    runId,
    postings: [
      { account: account.bankClearing(o.bik), debit: total },
      { account: account.gkFunds(o.mioBin), credit: total },
      { account: account.providerPayable(o.mioBin), debit: total },
      { account: account.bankClearing(o.bik), credit: total },
    ],
  };
}
