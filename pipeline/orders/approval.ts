// Four eyes (issue 16): `pay` prepares payment orders; a second operator approves them — the
// ledger posts the payment on the approval date and the pain.001 files are written — or rejects
// them, and their rows are paid again by a later `pay` (the rejected order keeps its number, so
// numbers stay gapless). Every transition is an event of payment_order_events with its operator
// (append-only) and an audit event. `orders export` (re)writes the files of approved orders at
// any time, byte for byte the same: the way to finish when writing failed after a commit.
import type { Knex } from 'knex';
import type { Db } from '../kernel/db.ts';
import { assertDate } from '../kernel/dates.ts';
import { BusinessRuleError, UsageError } from '../kernel/errors.ts';
import { faultPoint } from '../kernel/faults.ts';
import { formatAmount, money, sum } from '../kernel/money.ts';
import { lockPipeline } from '../kernel/step-run.ts';
import { assertLedgerBalanced, post } from '../ledger.ts';
import { assertOutDir, checkOrderFiles, DEFAULT_ORDERS_DIR, orderFileName, writeCommittedOrderFiles, writeOrderFiles } from './files.ts';
import { assertFundsHeld, assertWorkingDay, orderEntry, recordOrderEvents, type OrderKind } from './issuing.ts';

type Q = Knex | Knex.Transaction;

export type OrderState = 'prepared' | 'approved' | 'rejected';

/** Which orders a command acts on: the orders dated `date`, of one МИО, or one by its number. */
export interface OrderSelection {
  date: string;
  mioBin?: string;
  number?: number;
}

/** An order as the four-eyes commands see it. */
export interface OrderView {
  id: number;
  year: number;
  number: number;
  date: string;
  mio_bin: string;
  bik: string;
  kind: OrderKind;
  total: string;
  count: number;
  state: OrderState;
  prepared_by: string;
  decided_by: string | null;
  decided_on: string | null;
  reason: string;
  file: string;
}

/** SQL of an order's state from its events (alias `o`). */
const STATE_SQL = `coalesce((select de.status from payment_order_events de where de.order_id = o.id and de.status in ('approved', 'rejected') limit 1), 'prepared')`;

async function selectOrders(q: Q, sel: OrderSelection): Promise<OrderView[]> {
  const date = assertDate(sel.date);
  const query = q('payment_orders as o')
    .where('o.order_date', date)
    .select(
      'o.id',
      'o.year',
      'o.number',
      'o.order_date',
      'o.mio_bin',
      'o.bik',
      'o.kind',
      q.raw('o.total::text as total'),
      'o.line_count',
      q.raw(`${STATE_SQL} as state`),
      q.raw(`(select pe.operator from payment_order_events pe where pe.order_id = o.id and pe.status = 'prepared' limit 1) as prepared_by`),
      q.raw(`(select de.operator from payment_order_events de where de.order_id = o.id and de.status in ('approved', 'rejected') limit 1) as decided_by`),
      q.raw(`(select de.event_date from payment_order_events de where de.order_id = o.id and de.status in ('approved', 'rejected') limit 1) as decided_on`),
      q.raw(`coalesce((select de.reason from payment_order_events de where de.order_id = o.id and de.status = 'rejected' limit 1), '') as reason`),
    )
    .orderBy([{ column: 'o.year' }, { column: 'o.number' }]);
  if (sel.mioBin) query.where('o.mio_bin', sel.mioBin);
  if (sel.number !== undefined) query.where('o.number', sel.number);
  const rows = (await query) as Record<string, unknown>[];
  return rows.map((r) => ({
    id: Number(r.id),
    year: Number(r.year),
    number: Number(r.number),
    date: String(r.order_date),
    mio_bin: String(r.mio_bin),
    bik: String(r.bik),
    kind: r.kind as OrderKind,
    total: formatAmount(String(r.total)),
    count: Number(r.line_count),
    state: r.state as OrderState,
    prepared_by: String(r.prepared_by ?? ''),
    decided_by: r.decided_by == null ? null : String(r.decided_by),
    decided_on: r.decided_on == null ? null : String(r.decided_on),
    reason: String(r.reason ?? ''),
    file: orderFileName(Number(r.year), Number(r.number)),
  }));
}

function describeSelection(sel: OrderSelection): string {
  return [`от ${sel.date}`, sel.mioBin ? `МИО ${sel.mioBin}` : '', sel.number !== undefined ? `№ ${sel.number}` : ''].filter(Boolean).join(', ');
}

async function selected(trx: Knex.Transaction, sel: OrderSelection): Promise<OrderView[]> {
  const orders = await selectOrders(trx, sel);
  if (orders.length === 0) {
    throw new BusinessRuleError('orders-none', `Платёжных поручений ${describeSelection(sel)} нет. Ничего не изменено.`);
  }
  return orders;
}

const sameOperator = (a: string, b: string) => a.trim().toLocaleLowerCase('ru') === b.trim().toLocaleLowerCase('ru');

export interface ApproveOptions extends OrderSelection {
  /** The approval date: the ledger posts the payment on it. */
  asOf: string;
  operator: string;
  outDir?: string;
}

export interface ApproveOutcome {
  date: string;
  /** Orders this command approved. */
  approved: OrderView[];
  /** Orders of the selection approved before (their files are written again). */
  already: OrderView[];
  files: string[];
  /** Files still to be written after a failed write: `payouts orders export` writes them. */
  pendingFiles: string[];
  fileError: string | null;
  /** Why no file was written (sample requisites where samples are not allowed); the approval stands. */
  filesRefused: string | null;
}

/**
 * `payouts orders approve`: the prepared orders of the selection become approved by `operator`
 * on `asOf` — never by the operator who prepared them (four eyes: BusinessRuleError, nothing
 * changed). The ledger posts each order on `asOf` (funds held are checked again); then the
 * pain.001 files of every approved order of the selection are written (again). Approving what is
 * already approved changes nothing and rewrites the same files.
 */
export async function approveOrders(db: Db, opts: ApproveOptions): Promise<ApproveOutcome> {
  const asOf = assertDate(opts.asOf);
  const outDir = opts.outDir ?? DEFAULT_ORDERS_DIR;
  assertOutDir(outDir);
  const { approved, already } = await db.transaction(async (trx) => {
    await lockPipeline(trx);
    // A day without orders has nothing to approve (cron may call approve every day); a named order must exist.
    const orders = opts.number === undefined ? await selectOrders(trx, opts) : await selected(trx, opts);
    const rejected = orders.filter((o) => o.state === 'rejected');
    if (opts.number !== undefined && rejected.length > 0) {
      throw new BusinessRuleError(
        'order-rejected',
        `Платёжное поручение № ${rejected[0].number} от ${rejected[0].date} отклонено ${rejected[0].decided_on} (${rejected[0].decided_by}): утвердить его нельзя. Его строки войдут в следующий pay.`,
      );
    }
    const prepared = orders.filter((o) => o.state === 'prepared');
    const own = prepared.filter((o) => sameOperator(o.prepared_by, opts.operator));
    if (own.length > 0) {
      throw new BusinessRuleError(
        'four-eyes-same-operator',
        `Оператор ${opts.operator} подготовил платёжные поручения № ${own.map((o) => o.number).join(', ')} от ${opts.date} ` +
          `и не может сам их утвердить: по принципу «четырёх глаз» утверждает другой сотрудник (укажите его в --operator). Ничего не изменено.`,
      );
    }
    const early = prepared.find((o) => asOf < o.date);
    if (early) {
      throw new BusinessRuleError(
        'approve-before-order',
        `Платёжное поручение № ${early.number} датировано ${early.date}: утвердить его датой ${asOf} (раньше поручения) нельзя. Ничего не изменено.`,
      );
    }
    if (prepared.length > 0) {
      // The payment is posted on the approval date: a day the banks work, as for pay itself.
      await assertWorkingDay(trx as unknown as Db, asOf, 'платёжные поручения в нерабочий день не утверждаются (оплата проводится датой утверждения)');
      faultPoint('orders.approve-start');
      await recordOrderEvents(trx, prepared.map((o) => o.id), 'approved', asOf, opts.operator);
      await post(
        trx,
        prepared.map((o) => orderEntry({ id: o.id, number: o.number, date: o.date, mioBin: o.mio_bin, bik: o.bik, kind: o.kind, total: o.total }, null, asOf)),
      );
      await assertFundsHeld(trx, prepared.map((o) => o.mio_bin), asOf);
      await trx('audit_events').insert({
        as_of: asOf,
        operator: opts.operator,
        action: 'orders approve',
        object: opts.date,
        details: JSON.stringify({
          orders: prepared.map((o) => ({ number: o.number, mio_bin: o.mio_bin, bik: o.bik, total: o.total, prepared_by: o.prepared_by })),
          total: formatAmount(sum(prepared.map((o) => o.total))),
        }),
      });
      await assertLedgerBalanced(trx);
      // The files are written after the commit: every one checked before it (issue 13.1).
      await checkOrderFiles(trx, prepared.map((o) => o.id));
    }
    const approvedNow = prepared.map((o) => ({ ...o, state: 'approved' as const, decided_by: opts.operator, decided_on: asOf }));
    return { approved: approvedNow, already: orders.filter((o) => o.state === 'approved') };
  });
  const ids = [...approved, ...already].sort((a, b) => a.year - b.year || a.number - b.number).map((o) => o.id);
  const written = await writeCommittedOrderFiles(db, ids, outDir, 'orders.approved');
  return { date: opts.date, approved, already, files: written.files, pendingFiles: written.pending, fileError: written.error, filesRefused: written.refused };
}

export interface RejectOptions extends OrderSelection {
  asOf: string;
  operator: string;
  reason: string;
}

export interface RejectOutcome {
  date: string;
  rejected: OrderView[];
  /** The lines returned to be paid again: payouts (funded rows) and repayments (pending returns). */
  lines: number;
  amount: string;
}

/**
 * `payouts orders reject`: the prepared orders of the selection become rejected (with the reason
 * and the operator); their lines are marked rejected, so their rows are funded and unpaid again
 * and the next `pay` pays them on new lines. An approved order cannot be rejected: its file may be
 * at the bank.
 */
export async function rejectOrders(db: Db, opts: RejectOptions): Promise<RejectOutcome> {
  const asOf = assertDate(opts.asOf);
  const reason = opts.reason.trim();
  if (reason === '') throw new UsageError('Укажите причину отклонения: --reason ТЕКСТ');
  return db.transaction(async (trx) => {
    await lockPipeline(trx);
    const orders = await selected(trx, opts);
    const approved = orders.filter((o) => o.state === 'approved');
    if (opts.number !== undefined && approved.length > 0) {
      throw new BusinessRuleError(
        'order-approved',
        `Платёжное поручение № ${approved[0].number} от ${approved[0].date} уже утверждено ${approved[0].decided_on} (${approved[0].decided_by}) ` +
          `и передано в банк: отклонить его нельзя. Ничего не изменено.`,
      );
    }
    const prepared = orders.filter((o) => o.state === 'prepared');
    if (prepared.length === 0) {
      throw new BusinessRuleError(
        'orders-none-prepared',
        `Платёжных поручений ${describeSelection(opts)}, ожидающих утверждения, нет: отклонять нечего. Ничего не изменено.`,
      );
    }
    const ids = prepared.map((o) => o.id);
    await recordOrderEvents(trx, ids, 'rejected', asOf, opts.operator, reason);
    const marked = await trx('payment_lines').whereRaw('order_id = any(?::bigint[])', [ids]).update({ rejected: true }, ['id']);
    await trx.raw(
      `insert into payment_line_events (line_id, status, event_date)
       select id, 'rejected', ?::date from payment_lines where order_id = any(?::bigint[]) order by id`,
      [asOf, ids],
    );
    const rejected = prepared.map((o) => ({ ...o, state: 'rejected' as const, decided_by: opts.operator, decided_on: asOf, reason }));
    const amount = formatAmount(sum(prepared.map((o) => o.total)));
    await trx('audit_events').insert({
      as_of: asOf,
      operator: opts.operator,
      action: 'orders reject',
      object: opts.date,
      details: JSON.stringify({ reason, orders: rejected.map((o) => ({ number: o.number, mio_bin: o.mio_bin, bik: o.bik, total: o.total })), amount }),
    });
    return { date: opts.date, rejected, lines: (marked as unknown[]).length, amount };
  });
}

export interface ExportOutcome {
  date: string;
  orders: OrderView[];
  files: string[];
}

/**
 * `payouts orders export`: (re)writes the pain.001 files of the approved orders dated `date`
 * (of one МИО or one number when asked), byte for byte the files approval wrote. Prepared and
 * rejected orders get no file. Idempotent; read-only for the database.
 */
export async function exportOrders(db: Db, opts: OrderSelection & { outDir?: string }): Promise<ExportOutcome> {
  const outDir = opts.outDir ?? DEFAULT_ORDERS_DIR;
  assertOutDir(outDir);
  const orders = (await selectOrders(db, opts)).filter((o) => o.state === 'approved');
  const files = await writeOrderFiles(db, orders.map((o) => o.id), outDir);
  return { date: opts.date, orders, files };
}

/** A line as the approver sees it, with what deserves a second look. */
export interface ShownLine {
  ref: string;
  kind: string;
  provider_id: string;
  provider_name: string;
  bik: string;
  iban: string;
  service_month: string;
  amount: string;
  /** The provider was paid before to other bank details: these are new since the last payment. */
  new_details: boolean;
  /** A bank returned a payment to this provider before (its details were marked incorrect). */
  returned_before: boolean;
}

export interface ShownOrder extends OrderView {
  lines: ShownLine[];
}

export interface ShowOutcome {
  date: string;
  orders: ShownOrder[];
  /** Totals of the orders waiting for approval per МИО and bank. */
  awaiting: { mio_bin: string; bik: string; orders: number; lines: number; total: string }[];
}

/**
 * `payouts orders show`: the orders dated `date` with their state and lines; lines to new bank
 * details since the provider's last payment and lines to a provider a bank returned a payment of
 * before are marked; the orders waiting for approval are totalled per МИО and bank.
 */
export async function showOrders(db: Q, opts: OrderSelection): Promise<ShowOutcome> {
  const orders = await selectOrders(db, opts);
  const ids = orders.map((o) => o.id);
  const { rows } = ids.length
    ? await db.raw(
        `select l.order_id, l.ref, l.kind, l.provider_id, p.name as provider_name, l.bik, l.iban, l.service_month, l.amount::text as amount,
                coalesce((select prev.bank_detail_id is distinct from l.bank_detail_id
                            from payment_lines prev join payment_orders po on po.id = prev.order_id
                           where prev.provider_id = l.provider_id and prev.kind in ('payout', 'repayment') and not prev.rejected
                             and po.order_date < o.order_date
                             and exists (select 1 from payment_order_events ae where ae.order_id = po.id and ae.status = 'approved')
                           order by po.order_date desc, prev.id desc limit 1), false) as new_details,
                exists (select 1 from bank_detail_events be join bank_details bd on bd.id = be.bank_detail_id
                         where bd.provider_id = l.provider_id and be.event_date <= o.order_date) as returned_before
           from payment_lines l
           join payment_orders o on o.id = l.order_id
           join providers p on p.provider_id = l.provider_id
          where l.order_id = any(?::bigint[])
          order by l.order_id, l.ref`,
        [ids],
      )
    : { rows: [] };
  const byOrder = new Map<number, ShownLine[]>();
  for (const r of rows as Record<string, unknown>[]) {
    const line: ShownLine = {
      ref: String(r.ref),
      kind: String(r.kind),
      provider_id: String(r.provider_id),
      provider_name: String(r.provider_name),
      bik: String(r.bik),
      iban: String(r.iban),
      service_month: String(r.service_month),
      amount: formatAmount(String(r.amount)),
      new_details: r.kind !== 'to_mio' && Boolean(r.new_details),
      returned_before: r.kind !== 'to_mio' && Boolean(r.returned_before),
    };
    const list = byOrder.get(Number(r.order_id));
    if (list) list.push(line);
    else byOrder.set(Number(r.order_id), [line]);
  }
  const awaiting = new Map<string, { mio_bin: string; bik: string; orders: number; lines: number; total: string }>();
  for (const o of orders.filter((x) => x.state === 'prepared')) {
    const key = `${o.mio_bin}|${o.bik}`;
    const a = awaiting.get(key) ?? { mio_bin: o.mio_bin, bik: o.bik, orders: 0, lines: 0, total: '0.00' };
    a.orders++;
    a.lines += o.count;
    a.total = formatAmount(money(a.total).plus(money(o.total)));
    awaiting.set(key, a);
  }
  return {
    date: opts.date,
    orders: orders.map((o) => ({ ...o, lines: byOrder.get(o.id) ?? [] })),
    awaiting: [...awaiting.values()].sort((a, b) => (a.mio_bin + a.bik < b.mio_bin + b.bik ? -1 : 1)),
  };
}

/**
 * Orders waiting for approval, for the status, the dashboard and the deadline check: now, or as
 * of a date (prepared by then and neither approved nor rejected by then).
 */
export async function ordersAwaitingApproval(
  q: Q,
  asOf?: string,
): Promise<{ number: number; date: string; mio_bin: string; bik: string; total: string; count: number; prepared_by: string }[]> {
  const waiting =
    asOf === undefined
      ? `${STATE_SQL} = 'prepared'`
      : `o.order_date <= :asOf and not exists (select 1 from payment_order_events de
           where de.order_id = o.id and de.status in ('approved', 'rejected') and de.event_date <= :asOf)`;
  const { rows } = await q.raw(
    `select o.number, o.order_date, o.mio_bin, o.bik, o.total::text as total, o.line_count,
            (select pe.operator from payment_order_events pe where pe.order_id = o.id and pe.status = 'prepared' limit 1) as prepared_by
       from payment_orders o
      where ${waiting}
      order by o.year, o.number`,
    asOf === undefined ? {} : { asOf },
  );
  return (rows as Record<string, unknown>[]).map((r) => ({
    number: Number(r.number),
    date: String(r.order_date),
    mio_bin: String(r.mio_bin),
    bik: String(r.bik),
    total: formatAmount(String(r.total)),
    count: Number(r.line_count),
    prepared_by: String(r.prepared_by ?? ''),
  }));
}
