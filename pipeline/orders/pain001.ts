// A payment order as an ISO 20022 pain.001.001.09 message, built from its database rows only
// (the same rows give the same bytes): debtor ГК (its account of the site requisites in force,
// pipeline/requisites/), one transaction per line in reference order, the КНП of the
// reimbursement or of the return to the МИО, the recipient's КБе (DOMAIN §7: sector from the
// provider) and a purpose naming the act, the service month and the ЛСИ's initials (DOMAIN §6),
// so that two acts of one provider give two visibly different lines. Built from sample
// requisites, the initiating party says «ОБРАЗЕЦ — НЕ ИСПОЛНЯТЬ»: a bank rejects such a file
// rather than pays it.
import type { Knex } from 'knex';
import { buildPain001, type Pain001Message, type Pain001Transaction } from '../iso20022/pain001-writer.ts';
import { fitText, NAME_MAX, textLength } from '../iso20022/xml.ts';
import { formatAmount } from '../kernel/money.ts';
import { knpCode } from '../kernel/reference.ts';
import { requisitesInForce, SAMPLE_MARK, type RequisitesAccount } from '../requisites/index.ts';
import type { LineKind, OrderKind } from './issuing.ts';
import { orderMessageId } from './numbering.ts';

type Q = Knex | Knex.Transaction;

export type Recipient = 'assistant' | 'entrepreneur' | 'legal_entity' | 'mio';

/** The sector of a legal-entity provider that names none: a non-profit serving households (DOMAIN §7). */
export const DEFAULT_LEGAL_ENTITY_SECTOR = 8;

/**
 * КБе of the recipient (DOMAIN §7): a natural person or an ИП is a household (19), a legal entity
 * carries its sector (default 8: 18), a МИО is local government (12).
 */
export function kbeOf(recipient: Recipient, sector?: number | string | null): string {
  switch (recipient) {
    case 'assistant':
    case 'entrepreneur':
      return '19';
    case 'legal_entity':
      return `1${sector == null || sector === '' ? DEFAULT_LEGAL_ENTITY_SECTOR : Number(sector)}`;
    case 'mio':
      return '12';
  }
}

/** "Иванова Айгуль Маратовна" → "И.А.М." (the ЛСИ named without the full name). */
export function initialsOf(name: string): string {
  return name
    .split(/[\s-]+/)
    .filter(Boolean)
    .map((w) => `${[...w][0].toUpperCase()}.`)
    .join('');
}

/** Room for the purpose text: RmtInf/Ustrd is 140 characters with " КНП 119 КБе 19" appended. */
const PURPOSE_ROOM = 140 - ' КНП 000 КБе 00'.length;

/**
 * The payment purpose of a line: what it pays, the act, the service month and the ЛСИ's initials.
 * Never longer than the room the codes leave in RmtInf/Ustrd (issue 13.1): a long act number is
 * cut with «…», and what still does not fit (the initials of a name of many words) is cut at a
 * character boundary, so the payment-orders report shows exactly what the file says.
 */
export function purposeText(kind: LineKind, line: { service_month: string; provider_id: string; act_no?: string | null; pwd_name?: string | null }): string {
  const period = `${line.service_month.slice(5, 7)}.${line.service_month.slice(0, 4)}`;
  const [head, tail] = (() => {
    switch (kind) {
      case 'payout':
        return ['Возмещение стоимости услуг индивидуального помощника', `за ${period}, ЛСИ ${initialsOf(line.pwd_name ?? '')}`];
      case 'repayment':
        return ['Повторная выплата возмещения услуг индивидуального помощника', `за ${period}, ЛСИ ${initialsOf(line.pwd_name ?? '')}`];
      case 'to_mio':
        return ['Возврат невыплаченного возмещения', `за ${period}, поставщик ${line.provider_id}`];
    }
  })();
  if (!line.act_no) return fitText(`${head} ${tail}`, PURPOSE_ROOM);
  const room = PURPOSE_ROOM - textLength(head) - textLength(tail) - ' по акту № '.length - 1;
  const chars = [...line.act_no];
  const act = chars.length <= room ? line.act_no : `${chars.slice(0, Math.max(1, room - 1)).join('')}…`;
  return fitText(`${head} по акту № ${act} ${tail}`, PURPOSE_ROOM);
}

/** A timestamp as ISO 8601 in Kazakhstan time (UTC+5): "2025-02-19T09:30:00+05:00". */
function almatyDateTime(value: Date | string): string {
  const instant = value instanceof Date ? value : new Date(value);
  const shifted = new Date(instant.getTime() + 5 * 3_600_000);
  return `${shifted.toISOString().slice(0, 19)}+05:00`;
}

/** An order's row with what its pain.001 needs of the step run and the МИО. */
export type OrderRow = Record<string, string | number> & { id: number | string; kind: OrderKind; year: number; number: number };
export interface OrderLineRow {
  order_id: string;
  ref: string;
  kind: string;
  provider_id: string;
  bik: string;
  iban: string;
  service_month: string;
  amount: string;
  provider_name: string;
  provider_kind: string;
  provider_sector: string | null;
  /** The act the line pays and its ЛСИ (null only for a line whose act cannot be traced). */
  act_no: string | null;
  pwd_name: string | null;
}

/** The orders' rows (payment_orders with the run's time and the МИО's name and account). */
export function orderHeaders(db: Q): Knex.QueryBuilder {
  return db('payment_orders as o')
    .join('step_runs as r', 'r.id', 'o.run_id')
    .join('mios as m', 'm.mio_bin', 'o.mio_bin')
    .select('o.*', 'r.created_at as run_created_at', 'm.name as mio_name', 'm.bik as mio_bik', 'm.iban as mio_iban');
}

/**
 * The act a line pays and its ЛСИ: a payout's through its demand row and list row; a repayment's
 * or a sum sent back's through the returned line it repays (and that one's, when it was itself a
 * repayment), back to the payout of the act.
 */
const LINE_ACT_SQL = `left join lateral (
    with recursive chain(demand_row_id, return_id, depth) as (
      select l.demand_row_id, l.return_id, 0
      union all
      select pl.demand_row_id, pl.return_id, c.depth + 1
        from chain c join returns rt on rt.id = c.return_id join payment_lines pl on pl.id = rt.payment_line_id
       where c.demand_row_id is null and c.depth < 32
    )
    select a.act_no, a.pwd_name
      from chain c join demand_rows dr on dr.id = c.demand_row_id
      join list_rows lr on lr.id = dr.list_row_id join acts a on a.id = lr.act_id
     limit 1
  ) act on true`;

/** The lines' rows with their provider's name, kind and sector, the act they pay and its ЛСИ. */
export function orderLines(db: Q): Knex.QueryBuilder {
  return db('payment_lines as l')
    .join('providers as p', 'p.provider_id', 'l.provider_id')
    .joinRaw(LINE_ACT_SQL)
    .select(
      'l.order_id',
      'l.ref',
      'l.kind',
      'l.provider_id',
      'l.bik',
      'l.iban',
      'l.service_month',
      'l.amount',
      'p.name as provider_name',
      'p.kind as provider_kind',
      db.raw('p.sector::text as provider_sector'),
      'act.act_no',
      'act.pwd_name',
    );
}

/** The КНП of an order's kind: of the reimbursement, or of a sum sent back to the МИО. */
export function orderKnp(db: Q, kind: OrderKind): Promise<string> {
  return knpCode(db, kind === 'to_mio' ? 'to_mio' : 'reimbursement');
}

/** The КБе of a line's recipient: the МИО for a sum sent back, else the provider. */
export function lineKbe(l: OrderLineRow): string {
  return l.kind === 'to_mio' ? kbeOf('mio') : kbeOf(l.provider_kind as Recipient, l.provider_sector);
}

/** The initiating party of a file built from sample requisites: a bank rejects it rather than pays. */
export function sampleParty(name: string): string {
  return fitText(`${SAMPLE_MARK} — НЕ ИСПОЛНЯТЬ. ${name}`, NAME_MAX);
}

/** The pain.001 message of an order from its rows (lines in reference order). */
export function pain001Of(order: OrderRow, lines: OrderLineRow[], gk: RequisitesAccount, knp: string, sample = false): Pain001Message {
  const transactions: Pain001Transaction[] = lines.map((l) => {
    const toMio = l.kind === 'to_mio';
    return {
      endToEndId: l.ref,
      amount: formatAmount(l.amount),
      creditor: toMio
        ? { name: String(order.mio_name), idNumber: String(order.mio_bin), iban: l.iban, bik: l.bik, kbe: lineKbe(l) }
        : { name: l.provider_name, idNumber: l.provider_id, iban: l.iban, bik: l.bik, kbe: lineKbe(l) },
      remittance: purposeText(l.kind as LineKind, l),
      knp,
    };
  });
  const messageId = orderMessageId(order.year, order.number);
  const msg: Pain001Message = {
    messageId,
    createdAt: almatyDateTime(order.run_created_at as unknown as Date | string),
    initiatingParty: { name: sample ? sampleParty(gk.name) : gk.name, bin: gk.bin },
    debtor: { name: gk.name, bin: gk.bin, iban: gk.iban, bik: gk.bik },
    paymentInfoId: messageId,
    requestedExecutionDate: String(order.order_date),
    purposeKnp: knp,
    transactions,
  };
  return msg;
}

/** The pain.001.001.09 of one order, from its database rows. */
export async function orderPain001(db: Q, orderId: number): Promise<string> {
  const order = (await orderHeaders(db).where('o.id', orderId).first()) as OrderRow | undefined;
  if (!order) throw new Error(`payment order ${orderId} not found`);
  const lines = (await orderLines(db).where('l.order_id', orderId).orderBy('l.ref')) as OrderLineRow[];
  const site = await requisitesInForce(db);
  return buildPain001(pain001Of(order, lines, site.requisites.state_corporation, await orderKnp(db, order.kind), site.sample));
}
