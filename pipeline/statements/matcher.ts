// Which fact of the cycle each statement entry is, by the rules of issue 15 — one matcher for
// every format, over the attributes the mapping named (mapping.ts):
//   - a credit from a МИО's account (the counterparty's IBAN is the МИО's account in `mios`) is a
//     transfer: pp_no = the instruction id, pp_date = the booking date;
//   - a credit quoting a paid line's end-to-end reference is a return of that line;
//   - a debit naming a payment order of ГК — by its message id (pain.001 MsgId, "GK2025-000123")
//     or by its number, date and total — is that order's debit;
//   - anything else is unmatched with the reason: the bank's fee (by the mapping), a reversal, a
//     batch of several payments in one entry, no fact at all, or several (nothing is guessed).
// An entry matches at most one fact, and a fact at most one entry: a second entry of the same
// statement for a fact already taken is unmatched. This module reads, it writes nothing; the
// import (import.ts) applies the plan under the money rules.
import type { Knex } from 'knex';
import { formatAmount, money } from '../kernel/money.ts';
import { isBankFee, type Mapping } from './mapping.ts';
import type { StatementEntry } from './model.ts';

type Q = Knex | Knex.Transaction;

export type MatchKind = 'transfer' | 'order_debit' | 'return';
export type UnmatchedCode = 'bank_fee' | 'no_match' | 'ambiguous' | 'refused' | 'already_matched' | 'batch' | 'reversal';

/** Unmatched codes that need an officer's look (the bank's fee is expected and listed only). */
export const NEEDS_ATTENTION: readonly UnmatchedCode[] = ['no_match', 'ambiguous', 'refused', 'already_matched', 'batch', 'reversal'];

export interface OrderRef {
  id: number;
  year: number;
  number: number;
  date: string;
  mioBin: string;
  total: string;
}

export type Candidate =
  | { kind: 'transfer'; key: string; mioBin: string; ppNo: string; ppDate: string }
  | { kind: 'return'; key: string; ref: string }
  | { kind: 'order_debit'; key: string; order: OrderRef };

export interface Unmatched {
  code: UnmatchedCode;
  reason: string;
}

export type EntryPlan = { entry: StatementEntry; candidate: Candidate } | { entry: StatementEntry; unmatched: Unmatched };

/** "GK2025-000123" → year and number: the inverse of orderMessageId (pipeline/orders/numbering.ts). */
export function parseOrderMessageId(id: string): { year: number; number: number } | null {
  const m = /^GK(\d{4})-(\d{6,9})$/.exec(id.trim());
  return m ? { year: Number(m[1]), number: Number(m[2]) } : null;
}

/** What a fact is called in a message and in the report. */
export function describeCandidate(c: Candidate): string {
  switch (c.kind) {
    case 'transfer':
      return `поступление от МИО ${c.mioBin}, п/п № ${c.ppNo || '—'} от ${c.ppDate}`;
    case 'return':
      return `возврат платежа ${c.ref}`;
    case 'order_debit':
      return `платёжное поручение ГК № ${c.order.number} от ${c.order.date} на ${formatAmount(c.order.total)}`;
  }
}

export interface Lookups {
  /** МИО by their account. */
  miosByIban: Map<string, string[]>;
  /** Paid lines by reference. */
  lineRefs: Set<string>;
  ordersByYearNumber: Map<string, OrderRef>;
  /** Orders by number and date (a 1C export names a document by them). */
  ordersByNumberDate: Map<string, OrderRef[]>;
}

const yearNumber = (year: number, number: number) => `${year}/${number}`;
const numberDate = (number: number, date: string) => `${number}|${date}`;

function orderNumberOf(documentNumber: string): number | null {
  return /^\d{1,9}$/.test(documentNumber) ? Number(documentNumber) : null;
}

function toOrder(r: Record<string, unknown>): OrderRef {
  return {
    id: Number(r.id),
    year: Number(r.year),
    number: Number(r.number),
    date: String(r.order_date),
    mioBin: String(r.mio_bin),
    total: formatAmount(String(r.total)),
  };
}

/** Reads what the entries may refer to: МИО accounts, paid lines, payment orders. */
export async function loadLookups(db: Q, entries: readonly StatementEntry[]): Promise<Lookups> {
  const credits = entries.filter((e) => e.direction === 'credit');
  const debits = entries.filter((e) => e.direction === 'debit');
  const ibans = [...new Set(credits.map((e) => e.attributes.counterpartyIban).filter(Boolean))];
  const refs = [...new Set(credits.map((e) => e.attributes.endToEndId).filter(Boolean))];
  const messages = debits.map((e) => parseOrderMessageId(e.attributes.messageId)).filter((m) => m !== null);
  const numbers = [...new Set(debits.map((e) => orderNumberOf(e.attributes.documentNumber)).filter((n) => n !== null))];

  const miosByIban = new Map<string, string[]>();
  if (ibans.length) {
    const rows: { mio_bin: string; iban: string }[] = await db('mios').whereIn('iban', ibans).orderBy('mio_bin').select('mio_bin', 'iban');
    for (const r of rows) miosByIban.set(r.iban, [...(miosByIban.get(r.iban) ?? []), r.mio_bin]);
  }
  const lineRefs = new Set<string>();
  for (let i = 0; i < refs.length; i += 1000) {
    const rows: { ref: string }[] = await db('payment_lines').whereIn('ref', refs.slice(i, i + 1000)).select('ref');
    for (const r of rows) lineRefs.add(r.ref);
  }
  const ordersByYearNumber = new Map<string, OrderRef>();
  const ordersByNumberDate = new Map<string, OrderRef[]>();
  const wanted = [...new Set([...messages.map((m) => m.number), ...numbers])];
  if (wanted.length) {
    const rows: Record<string, unknown>[] = await db('payment_orders')
      .whereRaw('number = any(?::int[])', [wanted])
      .orderBy(['year', 'number'])
      .select('id', 'year', 'number', 'order_date', 'mio_bin', 'total');
    for (const o of rows.map(toOrder)) {
      ordersByYearNumber.set(yearNumber(o.year, o.number), o);
      const k = numberDate(o.number, o.date);
      ordersByNumberDate.set(k, [...(ordersByNumberDate.get(k) ?? []), o]);
    }
  }
  return { miosByIban, lineRefs, ordersByYearNumber, ordersByNumberDate };
}

function candidatesOf(e: StatementEntry, l: Lookups): { candidates: Candidate[]; hints: string[] } {
  const a = e.attributes;
  const out: Candidate[] = [];
  const hints: string[] = [];
  if (e.direction === 'credit') {
    for (const mioBin of l.miosByIban.get(a.counterpartyIban) ?? []) {
      out.push({ kind: 'transfer', key: `transfer:${mioBin}:${a.instructionId}:${e.bookingDate}`, mioBin, ppNo: a.instructionId, ppDate: e.bookingDate });
    }
    if (a.endToEndId !== '' && l.lineRefs.has(a.endToEndId)) out.push({ kind: 'return', key: `return:${a.endToEndId}`, ref: a.endToEndId });
    else if (a.endToEndId !== '') hints.push(`референс ${a.endToEndId} не найден среди проведённых платежей`);
  } else {
    const msg = parseOrderMessageId(a.messageId);
    if (msg) {
      const o = l.ordersByYearNumber.get(yearNumber(msg.year, msg.number));
      if (o) out.push({ kind: 'order_debit', key: `order:${o.id}`, order: o });
      else hints.push(`платёжного поручения с номером сообщения ${a.messageId} нет`);
    } else if (a.messageId !== '') {
      hints.push(`номер сообщения ${a.messageId} — не номер поручения Госкорпорации`);
    }
    const number = orderNumberOf(a.documentNumber);
    if (number !== null && a.documentDate !== '') {
      for (const o of l.ordersByNumberDate.get(numberDate(number, a.documentDate)) ?? []) {
        if (money(o.total).eq(money(e.amount))) out.push({ kind: 'order_debit', key: `order:${o.id}`, order: o });
        else hints.push(`поручение № ${o.number} от ${o.date} выписано на ${o.total}, списано ${formatAmount(e.amount)}`);
      }
    }
  }
  const unique = out.filter((c, i) => out.findIndex((x) => x.key === c.key) === i);
  return { candidates: unique, hints };
}

function noMatch(e: StatementEntry, hints: string[]): Unmatched {
  const a = e.attributes;
  const why =
    e.direction === 'credit'
      ? `Поступление не сопоставлено: счёт плательщика ${a.counterpartyIban || '(не указан)'} не принадлежит ни одному МИО, ` +
        'ссылки на проведённый платёж Госкорпорации нет'
      : 'Списание не сопоставлено: ни номер сообщения, ни номер, дата и сумма не указывают на платёжное поручение Госкорпорации';
  return { code: 'no_match', reason: hints.length ? `${why} (${hints.join('; ')})` : why };
}

/**
 * The plan of a statement: for each entry (in order) its one candidate fact, or why it has none.
 * A later entry of the same statement for a fact an earlier one took is unmatched.
 */
export function planMatches(entries: readonly StatementEntry[], lookups: Lookups, mapping: Mapping): EntryPlan[] {
  const taken = new Map<string, number>();
  return entries.map((entry): EntryPlan => {
    if (entry.reversal) {
      return {
        entry,
        unmatched: { code: 'reversal', reason: 'Сторно (отмена) ранее проведённой операции: с фактами цикла не сопоставляется, нужна проверка' },
      };
    }
    const { candidates, hints } = candidatesOf(entry, lookups);
    if (entry.transactions > 1 && !(candidates.length === 1 && candidates[0].kind === 'order_debit')) {
      return {
        entry,
        unmatched: {
          code: 'batch',
          reason: `Операция объединяет ${entry.transactions} платежей (пакет): один факт ей не сопоставить, нужна ручная проверка`,
        },
      };
    }
    if (candidates.length > 1) {
      return {
        entry,
        unmatched: {
          code: 'ambiguous',
          reason: `Операция подходит к нескольким фактам: ${candidates.map(describeCandidate).join('; ')}. Не сопоставлена: ничего не угадывается`,
        },
      };
    }
    if (candidates.length === 0) {
      if (isBankFee(entry.attributes, mapping)) {
        return {
          entry,
          unmatched: { code: 'bank_fee', reason: 'Комиссия банка: не факт цикла выплат (услуги уполномоченных организаций оплачивает МИО из местного бюджета)' },
        };
      }
      return { entry, unmatched: noMatch(entry, hints) };
    }
    const candidate = candidates[0];
    const earlier = taken.get(candidate.key);
    if (earlier !== undefined) {
      return {
        entry,
        unmatched: {
          code: 'already_matched',
          reason: `Тот же факт (${describeCandidate(candidate)}), что и у операции № ${earlier} этой выписки: повтор не сопоставляется, нужна проверка`,
        },
      };
    }
    taken.set(candidate.key, entry.seq);
    return { entry, candidate };
  });
}

/** The fact of a stored entry in words (the row joined with its transfer, order or return). */
export function factText(r: Record<string, unknown>): string | null {
  switch (r.match_kind) {
    case 'transfer':
      return describeCandidate({ kind: 'transfer', key: '', mioBin: String(r.t_mio), ppNo: String(r.t_pp), ppDate: String(r.t_date) });
    case 'return':
      return describeCandidate({ kind: 'return', key: '', ref: String(r.r_ref) });
    case 'order_debit':
      return describeCandidate({
        kind: 'order_debit',
        key: '',
        order: { id: 0, year: 0, number: Number(r.o_number), date: String(r.o_date), mioBin: '', total: formatAmount(String(r.o_total)) },
      });
    default:
      return null;
  }
}
