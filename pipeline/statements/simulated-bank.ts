// The demo's simulated bank (and the tests'): the statement of ГК's account for one day, in any of
// the three formats, written with the real writers — what the bank would say about that day:
//   - credits from the МИО that transferred money (their account from `mios`, the payment-order
//     number as the instruction id);
//   - debits of ГК's payment orders (by default every order dated that day; an order a statement
//     already showed as debited is left out), with the message id, number and date;
//   - credits of sums the providers' banks sent back, quoting the paid line's end-to-end reference
//     and the reason;
//   - the bank's own fees.
// The opening balance is the closing balance of the latest statement of the account imported
// before that day (else `opening`, default 0.00): the chain a real bank keeps. Nothing is written
// to the database; importing the file is the caller's step, as with a real bank's file.
import type { Knex } from 'knex';
import { daysBetween, type IsoDate } from '../kernel/dates.ts';
import { formatAmount, money } from '../kernel/money.ts';
import { orderMessageId } from '../orders/numbering.ts';
import { statementFileName, writeStatement } from './codecs.ts';
import { gkAccounts } from './gk-account.ts';
import { emptyAttributes, entriesMovement, formatSigned, signedAmount, type EntryAttributes, type Statement, type StatementEntry, type StatementFormat } from './model.ts';

type Q = Knex | Knex.Transaction;

export interface BankDay {
  date: IsoDate;
  /** Transfers the МИО make to ГК that day. */
  transfers?: { mioBin: string; ppNo: string; amount: string }[];
  /** Credits the providers' banks return that day: the paid line's reference and the reason. */
  returns?: { ref: string; reasonCode: string; reasonText: string }[];
  /** The dates of the orders the bank debits that day; default [date]. */
  debitOrdersDated?: IsoDate[];
  /** Message ids of orders of those dates the bank does not debit that day (debited later, or never). */
  skipOrders?: string[];
  /** The bank's own fees. */
  fees?: { amount: string; text: string }[];
}

export interface SimulatedStatement {
  statement: Statement;
  /** The file's bytes (1C in Windows-1251, the others UTF-8). */
  bytes: Buffer;
  /** statement_<date>.xml | .sta | .txt */
  fileName: string;
}

/** The bank's transaction codes of the simulated entries, per format. */
const TX_CODES: Record<StatementFormat, Record<'transfer' | 'return' | 'debit' | 'fee', string>> = {
  camt053: { transfer: 'PMNT/RCDT/ESCT', return: 'PMNT/ICDT/RRTN', debit: 'PMNT/ICDT/ESCT', fee: 'ACMT/MDOP/CHRG' },
  mt940: { transfer: 'NTRF', return: 'NRTI', debit: 'NTRF', fee: 'NCHG' },
  onec: { transfer: '01', return: '01', debit: '01', fee: '' },
};

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** The statement of ГK's account for `day` (see the file header). */
export async function simulatedStatement(db: Q, day: BankDay, format: StatementFormat, opts: { opening?: string } = {}): Promise<SimulatedStatement> {
  const [account] = await gkAccounts(db);
  const date = day.date;
  const codes = TX_CODES[format];
  const compact = date.replace(/-/g, '');
  const entries: StatementEntry[] = [];
  const add = (direction: 'credit' | 'debit', amount: string, attributes: Partial<EntryAttributes>) => {
    const seq = entries.length + 1;
    entries.push({
      seq,
      direction,
      amount: formatAmount(amount),
      bookingDate: date,
      valueDate: date,
      reversal: false,
      transactions: 1,
      attributes: { ...emptyAttributes(), bankReference: `${compact.slice(2)}-${pad(seq, 4)}`, ...attributes },
    });
  };

  for (const t of day.transfers ?? []) {
    const mio = await db('mios').where({ mio_bin: t.mioBin }).first('mio_bin', 'name', 'iban');
    if (!mio) throw new Error(`simulated bank: no МИО ${t.mioBin}`);
    add('credit', t.amount, {
      instructionId: t.ppNo,
      counterpartyIban: mio.iban,
      counterpartyName: mio.name,
      counterpartyId: mio.mio_bin,
      purpose: `Перечисление средств на возмещение стоимости услуг индивидуального помощника, п/п № ${t.ppNo}`,
      bankTxCode: codes.transfer,
    });
  }
  for (const r of day.returns ?? []) {
    const line = await db('payment_lines as l').leftJoin('banks as b', 'b.bik', 'l.bik').where('l.ref', r.ref).first('l.amount', 'l.bik', 'b.name as bank_name');
    if (!line) throw new Error(`simulated bank: no payment line ${r.ref}`);
    add('credit', String(line.amount), {
      endToEndId: r.ref,
      counterpartyName: line.bank_name ?? line.bik,
      purpose: `Возврат платежа ${r.ref}`,
      reasonCode: r.reasonCode,
      reasonText: r.reasonText,
      bankTxCode: codes.return,
    });
  }
  const orders: Record<string, unknown>[] = await db('payment_orders as o')
    .join('mios as m', 'm.mio_bin', 'o.mio_bin')
    .leftJoin('banks as b', 'b.bik', 'o.bik')
    .whereIn('o.order_date', day.debitOrdersDated ?? [date])
    .whereNotExists(db('payment_order_events as ev').whereRaw('ev.order_id = o.id').andWhere('ev.status', 'debited'))
    .orderBy([{ column: 'o.year' }, { column: 'o.number' }])
    .select('o.year', 'o.number', 'o.order_date', 'o.kind', 'o.total', 'o.bik', 'm.mio_bin', 'm.name as mio_name', 'm.iban as mio_iban', 'b.name as bank_name');
  for (const o of orders) {
    if (day.skipOrders?.includes(orderMessageId(Number(o.year), Number(o.number)))) continue;
    const toMio = o.kind === 'to_mio';
    add('debit', String(o.total), {
      messageId: orderMessageId(Number(o.year), Number(o.number)),
      documentNumber: String(o.number),
      documentDate: String(o.order_date),
      counterpartyIban: toMio ? String(o.mio_iban) : '',
      counterpartyName: toMio ? String(o.mio_name) : String(o.bank_name ?? o.bik),
      counterpartyId: toMio ? String(o.mio_bin) : '',
      purpose: toMio
        ? `Возврат невыплаченного возмещения МИО, п/п № ${o.number} от ${o.order_date}`
        : `Выплата возмещения стоимости услуг индивидуального помощника, п/п № ${o.number} от ${o.order_date}`,
      bankTxCode: codes.debit,
    });
  }
  for (const f of day.fees ?? []) add('debit', f.amount, { purpose: f.text, bankTxCode: codes.fee });

  const previous = await db('statements').where({ account_iban: account.iban }).andWhere('period_to', '<', date).orderBy('period_to', 'desc').first('closing');
  const opening = previous ? signedAmount(String(previous.closing))! : signedAmount(opts.opening ?? '0')!;
  const { net } = entriesMovement(entries);
  const dayOfYear = daysBetween(`${date.slice(0, 4)}-01-01`, date) + 1;
  const statement: Statement = {
    format,
    statementNo: format === 'onec' ? '' : `${pad(dayOfYear, 5)}/001`,
    createdAt: `${date}T23:59:59+05:00`,
    account: { iban: account.iban, currency: 'KZT' },
    servicerBic: '',
    from: date,
    to: date,
    statementDate: date,
    opening,
    closing: formatSigned(money(opening).plus(net)),
    entries,
  };
  const bytes = writeStatement(statement, format, { owner: { name: account.name, id: account.bin }, sender: 'Имитация банка (демонстрация)' });
  return { statement, bytes, fileName: statementFileName(format, date) };
}
