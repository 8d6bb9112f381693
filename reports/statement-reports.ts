// `payouts report statement --month M`: the bank's statements of ГК's account against the
// ledger (see docs/statements.md and schemas/reports/statement.ts). For every account — ГК's own
// and any other a statement of the month was imported for — and every day of M up to the report
// date: the closing balance the statement covering the day gives for its end, the ledger's
// Σ gk_funds at that day's end (the money ГК holds for all МИО), the difference, the day's
// credits and debits and how many entries were matched; the month's entries with what each was
// matched to or why not; and the payment orders no statement showed debited within N working
// days of their date (N = NOT_DEBITED_AFTER). `--mio` narrows the orders to one МИО.
import type { Knex } from 'knex';
import { addDays, firstDayOfMonth, lastDayOfMonth } from '../pipeline/kernel/dates.ts';
import { MonthRequired } from '../pipeline/kernel/errors.ts';
import { formatAmount, money, ZERO, type Money } from '../pipeline/kernel/money.ts';
import { loadCalendar } from '../pipeline/kernel/reference.ts';
import { gkAccounts } from '../pipeline/statements/gk-account.ts';
import { factText } from '../pipeline/statements/matcher.ts';
import { formatSigned } from '../pipeline/statements/model.ts';
import type { StatementReport } from '../schemas/reports/statement.ts';
import type { ReportBuilder } from './registry.ts';

type Q = Knex | Knex.Transaction;

/** N of "orders issued but not debited after N working days" (a debit the next day is usual). */
export const NOT_DEBITED_AFTER = 2;

type Row = Record<string, unknown>;

/** Σ gk_funds (debit − credit) at the end of each day of [from, through]. */
async function ledgerByDay(db: Q, from: string, through: string): Promise<Map<string, Money>> {
  const { rows } = await db.raw(
    `select e.entry_date as day, sum(p.debit - p.credit)::text as net
       from ledger_postings p join ledger_entries e on e.id = p.entry_id
      where p.account like 'gk_funds:%' and e.entry_date <= ?
      group by e.entry_date order by e.entry_date`,
    [through],
  );
  let balance = ZERO;
  const net = new Map<string, Money>();
  for (const r of rows as { day: string; net: string }[]) {
    if (r.day < from) balance = balance.plus(money(r.net));
    else net.set(r.day, money(r.net));
  }
  const out = new Map<string, Money>();
  for (let d = from; d <= through; d = addDays(d, 1)) {
    balance = balance.plus(net.get(d) ?? ZERO);
    out.set(d, balance);
  }
  return out;
}

export const statementReport: ReportBuilder<'statement'> = async (db, opts): Promise<StatementReport> => {
  if (!opts.month) throw new MonthRequired('Для формы statement укажите --month ГГГГ-ММ');
  const month = opts.month;
  const first = firstDayOfMonth(month);
  const monthEnd = lastDayOfMonth(month);
  const through = opts.asOf < monthEnd ? opts.asOf : monthEnd;
  const days: string[] = [];
  for (let d = first; d <= through; d = addDays(d, 1)) days.push(d);

  const statements: Row[] = await db('statements as s')
    .where('s.period_from', '<=', through)
    .andWhere('s.period_to', '>=', first)
    .orderBy([{ column: 's.account_iban' }, { column: 's.period_from' }, { column: 's.id' }])
    .select('s.*');
  const ids = statements.map((s) => Number(s.id));
  const entries: Row[] = ids.length
    ? await db('statement_entries as e')
        .leftJoin('transfers as t', 't.id', 'e.transfer_id')
        .leftJoin('payment_orders as o', 'o.id', 'e.payment_order_id')
        .leftJoin('returns as r', 'r.id', 'e.return_id')
        .whereIn('e.statement_id', ids)
        .orderBy([{ column: 'e.booking_date' }, { column: 'e.statement_id' }, { column: 'e.seq' }])
        .select('e.*', 't.mio_bin as t_mio', 't.pp_no as t_pp', 't.pp_date as t_date', 'o.number as o_number', 'o.order_date as o_date', 'o.total as o_total', 'r.ref as r_ref')
    : [];
  const ledger = days.length ? await ledgerByDay(db, first, through) : new Map<string, Money>();
  const ibans = [...new Set([...(await gkAccounts(db)).map((a) => a.iban), ...statements.map((s) => String(s.account_iban))])].sort();

  const accounts = ibans.map((iban) => {
    const own = statements.filter((s) => s.account_iban === iban);
    const ownEntries = entries.filter((e) => own.some((s) => Number(s.id) === Number(e.statement_id)));
    const byStatement = (s: Row) => ownEntries.filter((e) => Number(e.statement_id) === Number(s.id));
    const signed = (e: Row) => (e.direction === 'credit' ? money(String(e.amount)) : money(String(e.amount)).neg());
    const inMonth = ownEntries.filter((e) => String(e.booking_date) >= first && String(e.booking_date) <= through);
    return {
      iban,
      statements: own.map((s) => {
        const es = byStatement(s);
        const matched = es.filter((e) => e.match_kind !== null).length;
        return {
          statement_no: String(s.statement_no),
          statement_date: String(s.statement_date),
          format: s.format as StatementReport['accounts'][number]['statements'][number]['format'],
          from: String(s.period_from),
          to: String(s.period_to),
          opening: formatSigned(String(s.opening)),
          closing: formatSigned(String(s.closing)),
          credits: formatAmount(String(s.credits)),
          debits: formatAmount(String(s.debits)),
          entries: Number(s.entry_count),
          matched,
          unmatched: es.length - matched,
          file_name: String(s.file_name),
        };
      }),
      days: days.map((d) => {
        const covering = own.find((s) => String(s.period_from) <= d && String(s.period_to) >= d);
        const closing = covering
          ? byStatement(covering)
              .filter((e) => String(e.booking_date) <= d)
              .reduce((b, e) => b.plus(signed(e)), money(String(covering.opening)))
          : null;
        const ledgerBalance = ledger.get(d) ?? ZERO;
        const today = inMonth.filter((e) => e.booking_date === d);
        const sumOf = (dir: string) => formatAmount(today.filter((e) => e.direction === dir).reduce((a, e) => a.plus(money(String(e.amount))), ZERO));
        const matched = today.filter((e) => e.match_kind !== null).length;
        return {
          date: d,
          statement_closing: closing === null ? null : formatSigned(closing),
          ledger_balance: formatSigned(ledgerBalance),
          difference: closing === null ? null : formatSigned(closing.minus(ledgerBalance)),
          credits: sumOf('credit'),
          debits: sumOf('debit'),
          matched,
          unmatched: today.length - matched,
        };
      }),
      entries: inMonth.map((e) => {
        const s = own.find((x) => Number(x.id) === Number(e.statement_id))!;
        return {
          statement_no: String(s.statement_no),
          statement_date: String(s.statement_date),
          seq: Number(e.seq),
          booking_date: String(e.booking_date),
          direction: e.direction as 'credit' | 'debit',
          amount: formatAmount(String(e.amount)),
          counterparty_iban: String(e.counterparty_iban),
          counterparty_name: String(e.counterparty_name),
          reference: String(e.instruction_id || e.end_to_end_id || e.message_id || e.document_number || e.bank_reference),
          match: (e.match_kind ?? null) as StatementReport['accounts'][number]['entries'][number]['match'],
          fact: factText(e),
          unmatched_code: (e.unmatched_code ?? null) as StatementReport['accounts'][number]['entries'][number]['unmatched_code'],
          reason: (e.unmatched_reason ?? null) as string | null,
        };
      }),
    };
  });

  return { form: 'statement', month, as_of: opts.asOf, through, not_debited_after: NOT_DEBITED_AFTER, accounts, orders_not_debited: await ordersNotDebited(db, through, opts.mio) };
}

/** Orders dated up to `through` with no debit by then, more than N working days after their date. */
async function ordersNotDebited(db: Q, through: string, mio: string | undefined): Promise<StatementReport['orders_not_debited']> {
  const q = db('payment_orders as o')
    .where('o.order_date', '<=', through)
    .whereNotExists(db('payment_order_events as ev').whereRaw('ev.order_id = o.id').andWhere('ev.status', 'debited').andWhere('ev.event_date', '<=', through))
    .orderBy([{ column: 'o.order_date' }, { column: 'o.year' }, { column: 'o.number' }])
    .select('o.year', 'o.number', 'o.order_date', 'o.mio_bin', 'o.bik', 'o.kind', 'o.total');
  if (mio) q.where('o.mio_bin', mio);
  const orders: Row[] = await q;
  if (orders.length === 0) return [];
  const calendar = await loadCalendar(db);
  return orders.flatMap((o) => {
    const date = String(o.order_date);
    const due = calendar.addWorkingDays(date, NOT_DEBITED_AFTER);
    if (through <= due) return [];
    return [
      {
        year: Number(o.year),
        number: Number(o.number),
        date,
        mio_bin: String(o.mio_bin),
        bik: String(o.bik),
        kind: o.kind as 'provider' | 'to_mio',
        total: formatAmount(String(o.total)),
        due,
        working_days: calendar.workingDaysBetween(date, through),
      },
    ];
  });
}

export const statementReports = {
  statement: statementReport,
};
