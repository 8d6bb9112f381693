// Payment orders of the State Corporation (ГК): one order per (МИО, bank БИК, date, kind),
// numbered gaplessly per calendar year, each line with an end-to-end reference that a bank
// return quotes. `issueOrders` is the one way an order comes into being — `pay` issues the
// provider orders (payouts and repayments), the returns work issues the `to_mio` orders that send
// unsent sums back to the МИО. Each order also exists as an ISO 20022 pain.001.001.09 document,
// built deterministically from the database rows (`orderPain001`).
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import { z } from 'zod';
import { BusinessRuleError } from '../kernel/errors.ts';
import { faultPoint } from '../kernel/faults.ts';
import { isValidBik, isValidIinBin, isValidKzIban } from '../kernel/identifiers.ts';
import { buildPain001, writePain001, type Pain001Message, type Pain001Transaction } from '../iso20022/index.ts';
import { account, accountMovement, post, type Entry } from '../ledger.ts';
import { formatAmount, isAmount, money, type Money } from '../kernel/money.ts';
import { knpCode } from '../kernel/reference.ts';
import { yearOf } from '../kernel/dates.ts';
import { removeStaleTemps, tempPathFor } from '../kernel/temp-files.ts';

type Q = Knex | Knex.Transaction;

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

/** `String(expr).padStart(width, '0')` in SQL (lpad would cut a longer value). */
function padSql(expr: string, width: number): string {
  return `(case when length((${expr})::text) >= ${width} then (${expr})::text else lpad((${expr})::text, ${width}, '0') end)`;
}

/** The message id of an order's pain.001: "GK2025-000123". */
export function orderMessageId(year: number, number: number): string {
  return `GK${year}-${String(number).padStart(6, '0')}`;
}

/** The file an order's pain.001 is written to. */
export function orderFileName(year: number, number: number): string {
  return `payment-order_${year}-${number}.xml`;
}

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
 * Takes `n` consecutive order numbers of `year`: the year's counter row is created if missing
 * and incremented in one upsert, which locks it until the transaction ends — a concurrent
 * numberer waits, and a rollback gives the numbers back, so the sequence has no gaps.
 */
export async function takeOrderNumbers(trx: Knex.Transaction, year: number, n: number): Promise<number> {
  const { rows } = await trx.raw(
    `insert into order_counters (year, last_number) values (?, ?)
     on conflict (year) do update set last_number = order_counters.last_number + excluded.last_number
     returning last_number`,
    [year, n],
  );
  return Number(rows[0].last_number) - n + 1;
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
  ).rows as { mio_bin: string; bik: string; n: number; total: string; bad: number }[];
  if (groups.length === 0) return [];
  if (groups.some((g) => g.bad > 0)) throw new Error(`issueOrders: lines that cannot go on a ${kind} order`);

  const later = await trx('payment_orders').where('order_date', '>', date).orderBy('order_date', 'desc').first();
  if (later) {
    throw new BusinessRuleError(
      'order-date-backdated',
      `Нельзя выписать платёжное поручение датой ${date}: уже выписано поручение № ${later.number} от ${later.order_date}. ` +
        `Номера поручений идут по датам без пропусков; выплата войдёт в поручения ближайшего рабочего дня.`,
    );
  }

  const year = yearOf(date);
  const first = await takeOrderNumbers(trx, year, groups.length);
  faultPoint('orders.numbered');

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
  const orders: IssuedOrderHeader[] = groups.map((g, i) => ({
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

  // The lines, numbered within their order, and the 'issued' event of each: one statement for all
  // of them (the lines are not read back to give them their events).
  const seq = `row_number() over (partition by o.id order by ${LINE_ORDER_SQL})`;
  const { rowCount } = await trx.raw(
    `with issued as (
       insert into payment_lines (order_id, ref, kind, demand_row_id, return_id, mio_bin, provider_id, bank_detail_id, bik, iban, service_month, amount)
       select o.id, ? || ${padSql('o.number', 6)} || '-' || ${padSql(seq, 5)},
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
  faultPoint('orders.half-written'); // lines and their events written; no ledger entry yet

  await post(trx, orders.map((o) => orderEntry(o, runId)));

  // ГК pays out of what it holds for the МИО: never more, as of the order date.
  for (const mioBin of [...new Set(orders.map((o) => o.mioBin))].sort()) {
    const held = await accountMovement(trx, account.gkFunds(mioBin), { to: date });
    if (held.lt(0)) {
      throw new BusinessRuleError(
        'gk-funds-insufficient',
        `Платёжные поручения от ${date} по МИО ${mioBin} превышают средства МИО в Госкорпорации на ${formatAmount(held.abs())} тенге. ` +
          `Выплата не выполнена.`,
      );
    }
  }
  return orders;
}

/** The ledger entry of one order (DOMAIN rules at the top of pipeline/ledger.ts). */
function orderEntry(o: IssuedOrderHeader, runId: number): Entry {

  const total: Money = money(o.total);
  if (o.kind === 'to_mio') {
    return {
      date: o.date,
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
    date: o.date,
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

// ---------------------------------------------------------------------------------------------
// The State Corporation's requisites (reference/state-corporation.json)

export const STATE_CORPORATION_FILE = fileURLToPath(new URL('../../reference/state-corporation.json', import.meta.url));

const stateCorporationSchema = z.strictObject({
  name: z.string().min(1),
  bin: z.string().refine(isValidIinBin, { message: 'некорректный БИН' }),
  iban: z.string().refine(isValidKzIban, { message: 'некорректный IBAN' }),
  bik: z.string().refine(isValidBik, { message: 'некорректный БИК' }),
  kod: z.string().regex(/^\d{2}$/),
  synthetic: z.boolean(),
  note: z.string().optional(),
});
export type StateCorporation = z.infer<typeof stateCorporationSchema>;

export function loadStateCorporation(file: string = STATE_CORPORATION_FILE): StateCorporation {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`Не удалось прочитать реквизиты Госкорпорации ${file}: ${(e as Error).message}`);
  }
  const parsed = stateCorporationSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `Некорректные реквизиты Госкорпорации ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------
// pain.001 of an order

/** КБе of the recipient: a natural person or an ИП is a household (19), a company 17, a МИО 12. */
export function kbeOf(recipient: 'assistant' | 'entrepreneur' | 'legal_entity' | 'mio'): string {
  switch (recipient) {
    case 'assistant':
    case 'entrepreneur':
      return '19';
    case 'legal_entity':
      return '17';
    case 'mio':
      return '12';
  }
}

function remittanceText(kind: LineKind, serviceMonth: string, providerId: string): string {
  const period = `${serviceMonth.slice(5, 7)}.${serviceMonth.slice(0, 4)}`;
  switch (kind) {
    case 'payout':
      return `Возмещение стоимости услуг индивидуального помощника за ${period}`;
    case 'repayment':
      return `Повторная выплата возмещения услуг индивидуального помощника за ${period}`;
    case 'to_mio':
      return `Возврат невыплаченного возмещения за ${period}, поставщик ${providerId}`;
  }
}

/** A timestamp as ISO 8601 in Kazakhstan time (UTC+5): "2025-02-19T09:30:00+05:00". */
function almatyDateTime(value: Date | string): string {
  const instant = value instanceof Date ? value : new Date(value);
  const shifted = new Date(instant.getTime() + 5 * 3_600_000);
  return `${shifted.toISOString().slice(0, 19)}+05:00`;
}

/** An order's row with what its pain.001 needs of the step run and the МИО. */
type OrderRow = Record<string, string | number> & { id: number | string; kind: OrderKind; year: number; number: number };
type OrderLineRow = Record<string, string>;

function orderHeaders(db: Q): Knex.QueryBuilder {
  return db('payment_orders as o')
    .join('step_runs as r', 'r.id', 'o.run_id')
    .join('mios as m', 'm.mio_bin', 'o.mio_bin')
    .select('o.*', 'r.created_at as run_created_at', 'm.name as mio_name', 'm.bik as mio_bik', 'm.iban as mio_iban');
}

function orderLines(db: Q): Knex.QueryBuilder {
  return db('payment_lines as l')
    .join('providers as p', 'p.provider_id', 'l.provider_id')
    .select('l.order_id', 'l.ref', 'l.kind', 'l.provider_id', 'l.bik', 'l.iban', 'l.service_month', 'l.amount', 'p.name as provider_name', 'p.kind as provider_kind');
}

/** The pain.001 message of an order from its rows (lines in reference order). */
function pain001Of(order: OrderRow, lines: OrderLineRow[], gk: StateCorporation, knp: string): Pain001Message {
  const transactions: Pain001Transaction[] = lines.map((l) => {
    const toMio = l.kind === 'to_mio';
    return {
      endToEndId: l.ref,
      amount: formatAmount(l.amount),
      creditor: toMio
        ? { name: String(order.mio_name), idNumber: String(order.mio_bin), iban: l.iban, bik: l.bik, kbe: kbeOf('mio') }
        : { name: l.provider_name, idNumber: l.provider_id, iban: l.iban, bik: l.bik, kbe: kbeOf(l.provider_kind as 'assistant') },
      remittance: remittanceText(l.kind as LineKind, l.service_month, l.provider_id),
      knp,
    };
  });
  const messageId = orderMessageId(order.year, order.number);
  const msg: Pain001Message = {
    messageId,
    createdAt: almatyDateTime(order.run_created_at as unknown as Date | string),
    initiatingParty: { name: gk.name, bin: gk.bin },
    debtor: { name: gk.name, bin: gk.bin, iban: gk.iban, bik: gk.bik },
    paymentInfoId: messageId,
    requestedExecutionDate: String(order.order_date),
    purposeKnp: knp,
    transactions,
  };
  return msg;
}

/**
 * The pain.001.001.09 of one order, built from its database rows only (same rows → the same
 * bytes): debtor ГК, one transaction per line in reference order, КНП of the reimbursement (or of
 * the return to the МИО) in the payment type and in every line's purpose and remittance.
 */
export async function orderPain001(db: Q, orderId: number): Promise<string> {
  const order = (await orderHeaders(db).where('o.id', orderId).first()) as OrderRow | undefined;
  if (!order) throw new Error(`payment order ${orderId} not found`);
  const lines = (await orderLines(db).where('l.order_id', orderId).orderBy('l.ref')) as OrderLineRow[];
  const knp = await knpCode(db, order.kind === 'to_mio' ? 'to_mio' : 'reimbursement');
  return buildPain001(pain001Of(order, lines, loadStateCorporation(), knp));
}

/** Characters gathered per write call: an order's document goes to its file in pieces of this size. */
const FILE_WRITE_CHARS = 1 << 16;

/**
 * Writes the pain.001 of an order into a new file, mode `mode`, in pieces: a large order never
 * sits in memory as one string (writePain001 checks every line before the first piece).
 */
function writePain001File(file: string, msg: Pain001Message, mode: number): void {
  const fd = openSync(file, 'wx', mode);
  try {
    let pending = '';
    writePain001(msg, (xml) => {
      pending += xml;
      if (pending.length >= FILE_WRITE_CHARS) {
        writeSync(fd, pending);
        pending = '';
      }
    });
    writeSync(fd, pending);
  } finally {
    closeSync(fd);
  }
}

/** Lines read per query when writing the files: whole orders, about this many lines at a time. */
const FILE_LINES_PER_READ = 5_000;

/**
 * Writes the pain.001 of each order to `outDir` as payment-order_<year>-<number>.xml, mode 0600
 * (the files carry personal data), through a temporary file and a rename so a reader never sees
 * half a file. Rewriting gives the same bytes. Returns the paths in order-number order. The lines
 * are read for several orders at once (bounded), not one query per order, one read ahead.
 */
export async function writeOrderFiles(db: Q, orderIds: number[], outDir: string): Promise<string[]> {
  if (orderIds.length === 0) return [];
  const orders = (await orderHeaders(db)
    .whereRaw('o.id = any(?::bigint[])', [orderIds])
    .orderBy([{ column: 'o.year' }, { column: 'o.number' }])) as OrderRow[];
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  const gk = loadStateCorporation();
  const knp = new Map<string, string>();
  for (const kind of new Set(orders.map((o) => o.kind))) knp.set(kind, await knpCode(db, kind === 'to_mio' ? 'to_mio' : 'reimbursement'));
  // Whole orders per read, about FILE_LINES_PER_READ lines; the next read runs in the database
  // while this one's documents are built and written.
  const batches: OrderRow[][] = [];
  for (let i = 0; i < orders.length; ) {
    const batch: OrderRow[] = [];
    let lines = 0;
    while (i < orders.length && (batch.length === 0 || lines + Number(orders[i].line_count) <= FILE_LINES_PER_READ)) {
      lines += Number(orders[i].line_count);
      batch.push(orders[i++]);
    }
    batches.push(batch);
  }
  const readLines = (batch: OrderRow[]) => {
    const read = orderLines(db)
      .whereRaw('l.order_id = any(?::bigint[])', [batch.map((o) => Number(o.id))])
      .orderBy([{ column: 'l.order_id' }, { column: 'l.ref' }])
      .then((rows) => rows as OrderLineRow[]);
    read.catch(() => {}); // awaited below; a failure while the previous batch is written is not lost
    return read;
  };
  const files: string[] = [];
  let next = readLines(batches[0]);
  for (let b = 0; b < batches.length; b++) {
    const rows = await next;
    if (b + 1 < batches.length) next = readLines(batches[b + 1]);
    const byOrder = new Map<number, OrderLineRow[]>();
    for (const r of rows) {
      const list = byOrder.get(Number(r.order_id));
      if (list) list.push(r);
      else byOrder.set(Number(r.order_id), [r]);
    }
    for (const o of batches[b]) {
      const msg = pain001Of(o, byOrder.get(Number(o.id)) ?? [], gk, knp.get(o.kind)!);
      const file = path.join(outDir, orderFileName(o.year, o.number));
      const tmp = tempPathFor(file);
      try {
        writePain001File(tmp, msg, 0o600);
      } catch (err) {
        rmSync(tmp, { force: true });
        throw err;
      }
      faultPoint('orders.file-written'); // the temporary file written, not yet renamed
      renameSync(tmp, file);
      files.push(file);
    }
  }
  removeStaleTemps(...files);
  return files;
}
