// The neutral statement: what every codec (camt053.ts, mt940.ts, onec.ts) reads a bank statement
// into and writes one from. Amounts are decimal strings (balances signed: a debit balance is
// negative), dates 'YYYY-MM-DD'.
//
// Reading is two steps. A codec's parser gives a RawStatement: the balances, the period and the
// entries with their direction, amount and dates, plus every other field of an entry under the
// name the format gives it (`fields`: camt element paths, MT940 tags and :86: codes, 1C keys).
// The mapping (mapping.ts, reference/statement-mappings.json) then says which field carries the
// instruction id, the end-to-end reference, the reason code… — so a bank's quirks are a new
// mapping, not a code change. A codec's writer takes a Statement (the attributes already named)
// and puts each attribute where the default mapping reads it back.
import { UsageError } from '../kernel/errors.ts';
import { isValidDate } from '../kernel/dates.ts';
import { formatAmount, money, sum, type Money } from '../kernel/money.ts';

export const STATEMENT_FORMATS = ['camt053', 'mt940', 'onec'] as const;
export type StatementFormat = (typeof STATEMENT_FORMATS)[number];

export const FORMAT_LABEL: Record<StatementFormat, string> = {
  camt053: 'ISO 20022 camt.053.001.08',
  mt940: 'SWIFT MT940',
  onec: '1CClientBankExchange',
};

/** A statement file that cannot be used as a whole. Exit 2, nothing changed. */
export class StatementFormatError extends UsageError {}

export type Direction = 'credit' | 'debit';

/** What the matcher reads of an entry; '' where the entry does not say. */
export interface EntryAttributes {
  /** The payer's instruction id (a МИО's payment-order number). */
  instructionId: string;
  /** The end-to-end reference of a payment (a paid line's reference, quoted by a return). */
  endToEndId: string;
  /** The message id of a payment order ГК sent (pain.001 MsgId, "GK2025-000123"). */
  messageId: string;
  /** A document number and date as the client-bank export states them. */
  documentNumber: string;
  /** 'YYYY-MM-DD' or ''. */
  documentDate: string;
  counterpartyIban: string;
  counterpartyName: string;
  /** The counterparty's ИИН/БИН. */
  counterpartyId: string;
  purpose: string;
  /** A return's reason (AC01, AC04…) and its text. */
  reasonCode: string;
  reasonText: string;
  /** The bank's own reference of the entry. */
  bankReference: string;
  /** The bank's transaction code (camt Domain/Family/SubFamily, MT940 type code, 1C ВидОплаты). */
  bankTxCode: string;
}

export const ATTRIBUTE_NAMES = [
  'instructionId',
  'endToEndId',
  'messageId',
  'documentNumber',
  'documentDate',
  'counterpartyIban',
  'counterpartyName',
  'counterpartyId',
  'purpose',
  'reasonCode',
  'reasonText',
  'bankReference',
  'bankTxCode',
] as const satisfies readonly (keyof EntryAttributes)[];

export function emptyAttributes(): EntryAttributes {
  return Object.fromEntries(ATTRIBUTE_NAMES.map((a) => [a, ''])) as unknown as EntryAttributes;
}

export interface EntryCore {
  /** Ordinal of the entry in the file, from 1. */
  seq: number;
  direction: Direction;
  /** Positive, two decimals. */
  amount: string;
  bookingDate: string;
  /** '' when the file gives none. */
  valueDate: string;
  /** A reversal (storno) of an earlier entry. */
  reversal: boolean;
  /** How many payments the entry carries (camt TxDtls); 1 unless the bank booked a batch as one entry. */
  transactions: number;
}

export interface StatementHeader {
  format: StatementFormat;
  /** The bank's number of the statement; '' where the format has none. */
  statementNo: string;
  /** When the bank made the file, as written ('' when not given); not part of the identity. */
  createdAt: string;
  account: { iban: string; currency: string };
  /** The servicing bank's БИК/BIC where the file names it, else ''. */
  servicerBic: string;
  from: string;
  to: string;
  /** The date of the closing balance: the statement's date. */
  statementDate: string;
  /** Signed. */
  opening: string;
  closing: string;
  /** Totals the file declares (camt TxsSummry, 1C ВсегоПоступило/ВсегоСписано), checked when present. */
  declared?: { credits?: string; debits?: string; creditCount?: number; debitCount?: number };
}

export interface RawEntry extends EntryCore {
  /** Every field of the entry under the format's own name. */
  fields: Record<string, string>;
}

export interface RawStatement extends StatementHeader {
  /**
   * The format gives no period, so `from` is the opening balance's date; a bank that dates the
   * opening balance with the previous day says so in its mapping (period_start).
   */
  periodFromOpening: boolean;
  entries: RawEntry[];
  /** Entries the file lists but that are not booked (camt status PDNG, INFO): not part of the balance. */
  skipped: { seq: number; status: string }[];
}

export interface StatementEntry extends EntryCore {
  attributes: EntryAttributes;
}

export interface Statement extends StatementHeader {
  entries: StatementEntry[];
}

// ---------------------------------------------------------------------------------------------
// Amounts

const SIGNED_AMOUNT_RE = /^-?\d{1,16}(\.\d{1,2})?$/;

/** A signed amount in its canonical form: '-12.50', '0.00'. */
export function formatSigned(value: Money | string): string {
  const v = money(value);
  return `${v.lt(0) ? '-' : ''}${formatAmount(v.abs())}`;
}

/** A signed amount as written ('-12.5', '100') → canonical ('-12.50'), or null. */
export function signedAmount(text: string): string | null {
  const s = text.trim();
  return SIGNED_AMOUNT_RE.test(s) ? formatSigned(s) : null;
}

/** The signed sum of the entries: credits − debits. */
export function entriesMovement(entries: readonly EntryCore[]): { credits: Money; debits: Money; net: Money } {
  const credits = sum(entries.filter((e) => e.direction === 'credit').map((e) => e.amount));
  const debits = sum(entries.filter((e) => e.direction === 'debit').map((e) => e.amount));
  return { credits, debits, net: credits.minus(debits) };
}

function amountText(v: Money | string): string {
  const m = money(v);
  return `${m.lt(0) ? '−' : ''}${formatAmount(m.abs())}`;
}

/**
 * The statement agrees with itself: opening + credits − debits = closing to the tiyn, every
 * entry booked inside the period, the declared totals (where given) equal to the entries, the
 * currency KZT. Throws StatementFormatError with a Russian message (exit 2, nothing changed).
 */
export function checkConsistency(s: StatementHeader & { entries: readonly EntryCore[] }, fileLabel: string): void {
  const where = `Выписка ${fileLabel}`;
  if (s.account.currency !== 'KZT') {
    throw new StatementFormatError(`${where}: валюта счёта ${s.account.currency || 'не указана'}, принимаются только выписки в тенге (KZT)`);
  }
  if (!isValidDate(s.from) || !isValidDate(s.to) || s.to < s.from) {
    throw new StatementFormatError(`${where}: неверный период выписки ${s.from || '?'} — ${s.to || '?'}`);
  }
  const { credits, debits, net } = entriesMovement(s.entries);
  const expected = money(s.opening).plus(net);
  if (!expected.eq(money(s.closing))) {
    throw new StatementFormatError(
      `${where}: остатки не сходятся с операциями — входящий остаток ${amountText(s.opening)} + поступления ${formatAmount(credits)} ` +
        `− списания ${formatAmount(debits)} = ${amountText(expected)}, а исходящий остаток в выписке ${amountText(s.closing)} ` +
        `(расхождение ${amountText(money(s.closing).minus(expected))}). Выписка не принята`,
    );
  }
  const outside = s.entries.find((e) => e.bookingDate < s.from || e.bookingDate > s.to);
  if (outside) {
    throw new StatementFormatError(
      `${where}: операция № ${outside.seq} проведена ${outside.bookingDate}, вне периода выписки ${s.from} — ${s.to}. Выписка не принята`,
    );
  }
  const d = s.declared;
  if (d?.credits !== undefined && !money(d.credits).eq(credits)) {
    throw new StatementFormatError(`${where}: в выписке указано поступлений на ${formatAmount(d.credits)}, а по операциям ${formatAmount(credits)}. Выписка не принята`);
  }
  if (d?.debits !== undefined && !money(d.debits).eq(debits)) {
    throw new StatementFormatError(`${where}: в выписке указано списаний на ${formatAmount(d.debits)}, а по операциям ${formatAmount(debits)}. Выписка не принята`);
  }
  const count = (dir: Direction) => s.entries.filter((e) => e.direction === dir).length;
  if (d?.creditCount !== undefined && d.creditCount !== count('credit')) {
    throw new StatementFormatError(`${where}: в выписке указано поступлений ${d.creditCount}, а операций по кредиту ${count('credit')}. Выписка не принята`);
  }
  if (d?.debitCount !== undefined && d.debitCount !== count('debit')) {
    throw new StatementFormatError(`${where}: в выписке указано списаний ${d.debitCount}, а операций по дебету ${count('debit')}. Выписка не принята`);
  }
}

/** The statement's closing balance at the end of each day of its period that has entries. */
export function closingByDay(s: Pick<Statement, 'opening'> & { entries: readonly EntryCore[] }): Map<string, Money> {
  const out = new Map<string, Money>();
  let balance = money(s.opening);
  const sorted = [...s.entries].sort((a, b) => (a.bookingDate < b.bookingDate ? -1 : a.bookingDate > b.bookingDate ? 1 : a.seq - b.seq));
  for (const e of sorted) {
    balance = e.direction === 'credit' ? balance.plus(e.amount) : balance.minus(e.amount);
    out.set(e.bookingDate, balance);
  }
  return out;
}

/** Checks a statement a writer is given (a bug in the caller, not a file problem: plain Error). */
export function checkForWriting(s: Statement): void {
  const problems: string[] = [];
  if (!isValidDate(s.from) || !isValidDate(s.to) || !isValidDate(s.statementDate)) problems.push('dates');
  if (signedAmount(s.opening) === null || signedAmount(s.closing) === null) problems.push('balances');
  s.entries.forEach((e, i) => {
    if (signedAmount(e.amount) === null || money(e.amount).lte(0)) problems.push(`entry ${i + 1}: amount "${e.amount}"`);
    if (!isValidDate(e.bookingDate)) problems.push(`entry ${i + 1}: booking date "${e.bookingDate}"`);
    if (e.valueDate !== '' && !isValidDate(e.valueDate)) problems.push(`entry ${i + 1}: value date "${e.valueDate}"`);
    if (e.attributes.documentDate !== '' && !isValidDate(e.attributes.documentDate)) problems.push(`entry ${i + 1}: document date`);
  });
  const { net } = entriesMovement(s.entries);
  if (!money(s.opening).plus(net).eq(money(s.closing))) problems.push(`opening ${s.opening} + entries ≠ closing ${s.closing}`);
  if (problems.length) throw new Error(`statement writer: ${problems.join('; ')}`);
}
