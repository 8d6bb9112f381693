// A payment order as an ISO 20022 pain.001.001.09 message, built from its database rows only
// (the same rows give the same bytes): debtor ГК (pipeline/orders/state-corporation.ts), one
// transaction per line in reference order, the КНП of the reimbursement or of the return to the
// МИО, the recipient's КБе and a purpose naming the service month.
import type { Knex } from 'knex';
import { buildPain001, type Pain001Message, type Pain001Transaction } from '../iso20022/pain001-writer.ts';
import { formatAmount } from '../kernel/money.ts';
import { knpCode } from '../kernel/reference.ts';
import type { LineKind, OrderKind } from './issuing.ts';
import { orderMessageId } from './numbering.ts';
import { loadStateCorporation, type StateCorporation } from './state-corporation.ts';

type Q = Knex | Knex.Transaction;

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
export type OrderRow = Record<string, string | number> & { id: number | string; kind: OrderKind; year: number; number: number };
export type OrderLineRow = Record<string, string>;

/** The orders' rows (payment_orders with the run's time and the МИО's name and account). */
export function orderHeaders(db: Q): Knex.QueryBuilder {
  return db('payment_orders as o')
    .join('step_runs as r', 'r.id', 'o.run_id')
    .join('mios as m', 'm.mio_bin', 'o.mio_bin')
    .select('o.*', 'r.created_at as run_created_at', 'm.name as mio_name', 'm.bik as mio_bik', 'm.iban as mio_iban');
}

/** The lines' rows with their provider's name and kind. */
export function orderLines(db: Q): Knex.QueryBuilder {
  return db('payment_lines as l')
    .join('providers as p', 'p.provider_id', 'l.provider_id')
    .select('l.order_id', 'l.ref', 'l.kind', 'l.provider_id', 'l.bik', 'l.iban', 'l.service_month', 'l.amount', 'p.name as provider_name', 'p.kind as provider_kind');
}

/** The КНП of an order's kind: of the reimbursement, or of a sum sent back to the МИО. */
export function orderKnp(db: Q, kind: OrderKind): Promise<string> {
  return knpCode(db, kind === 'to_mio' ? 'to_mio' : 'reimbursement');
}

/** The pain.001 message of an order from its rows (lines in reference order). */
export function pain001Of(order: OrderRow, lines: OrderLineRow[], gk: StateCorporation, knp: string): Pain001Message {
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

/** The pain.001.001.09 of one order, from its database rows. */
export async function orderPain001(db: Q, orderId: number): Promise<string> {
  const order = (await orderHeaders(db).where('o.id', orderId).first()) as OrderRow | undefined;
  if (!order) throw new Error(`payment order ${orderId} not found`);
  const lines = (await orderLines(db).where('l.order_id', orderId).orderBy('l.ref')) as OrderLineRow[];
  return buildPain001(pain001Of(order, lines, loadStateCorporation(), await orderKnp(db, order.kind)));
}
