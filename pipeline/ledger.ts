// Double-entry ledger. Every movement of money posts an entry whose debits equal its credits;
// an entry is keyed by what caused it (source, source_id), so a re-run cannot post twice.
import type { Knex } from 'knex';
import { formatAmount, money, sum, ZERO, type Money } from './kernel/money.ts';
import { faultPoint } from './kernel/faults.ts';

type Q = Knex | Knex.Transaction;

/*
 * Posting rules (source, source_id) — every step posts exactly these, dated with the business
 * date of the movement, so the trial balance as of any date is meaningful:
 *
 *  'list'         list id, built_on. Per list (one МИО): Dr mio_expense (Σ guaranteed + Σ СО);
 *                 Cr provider_payable Σ provider sum; Cr enpf_payable Σ ОПВ; Cr fsms_payable Σ ОСМС;
 *                 Cr gfss_payable Σ СО.
 *  'transfer'     transfer id, pp_date. Dr gk_funds / Cr mio_budget (the МИО funds ГК).
 *  'payout_order' payment order id (kind provider: payouts and repayments), order date.
 *                 Dr bank_clearing:BIK / Cr gk_funds (ГК pays the bank) and
 *                 Dr provider_payable / Cr bank_clearing:BIK (the bank credits the providers).
 *  'return'       return id, returned_on. Dr gk_funds / Cr bank_clearing:BIK and
 *                 Dr bank_clearing:BIK / Cr provider_payable (the provider is owed again).
 *  'to_mio_order' payment order id (kind to_mio), order date. Dr mio_budget / Cr gk_funds (sent
 *                 back; the provider stays owed until the sum is demanded and paid again).
 *
 * So for every МИО the balance of gk_funds is what ГК holds:
 * received − paid + returned − sent back, and the reconciliation balance reads it by source.
 */

/** Account codes. One МИО's money is kept apart from another's; banks clear per БИК. */
export const account = {
  /** The МИО's budget: credited when it funds ГК, debited when ГК sends money back. */
  mioBudget: (bin: string) => `mio_budget:${bin}`,
  /** The МИО's reimbursement expense accrued by the lists (guaranteed sum and СО). */
  mioExpense: (bin: string) => `mio_expense:${bin}`,
  /** Money ГК holds for the МИО. Its balance is what the reconciliation act proves. */
  gkFunds: (bin: string) => `gk_funds:${bin}`,
  /** What is owed to the providers of that МИО's lists. */
  providerPayable: (bin: string) => `provider_payable:${bin}`,
  enpfPayable: (bin: string) => `enpf_payable:${bin}`,
  fsmsPayable: (bin: string) => `fsms_payable:${bin}`,
  gfssPayable: (bin: string) => `gfss_payable:${bin}`,
  /** Money handed to a bank and not yet credited or returned. */
  bankClearing: (bik: string) => `bank_clearing:${bik}`,
};

const ACCOUNT_NAMES: Record<string, string> = {
  mio_budget: 'Бюджет МИО',
  mio_expense: 'Расходы МИО на возмещение',
  gk_funds: 'Средства МИО в Госкорпорации',
  provider_payable: 'Расчёты с поставщиками',
  enpf_payable: 'ОПВ к перечислению в ЕНПФ',
  fsms_payable: 'ВОСМС к перечислению в ФСМС',
  gfss_payable: 'СО к перечислению в ГФСС',
  bank_clearing: 'Расчёты с уполномоченной организацией',
};

export function accountName(code: string): string {
  const [kind, id] = code.split(':');
  return `${ACCOUNT_NAMES[kind] ?? kind}${id ? ` ${id}` : ''}`;
}

export interface Posting {
  account: string;
  debit?: Money;
  credit?: Money;
}

export interface Entry {
  date: string;
  source: string;
  sourceId: string;
  description: string;
  runId?: number | null;
  batchId?: number | null;
  postings: Posting[];
}

export class UnbalancedEntryError extends Error {}

function checkEntry(e: Entry): void {
  const debit = sum(e.postings.map((p) => p.debit ?? ZERO));
  const credit = sum(e.postings.map((p) => p.credit ?? ZERO));
  if (!debit.eq(credit)) {
    throw new UnbalancedEntryError(
      `entry ${e.source}:${e.sourceId} does not balance: debit ${formatAmount(debit)} credit ${formatAmount(credit)}`,
    );
  }
}

const CHUNK = 1000;

/** Posts entries in chunks (multi-row inserts). Zero postings are dropped; empty entries skipped. */
export async function post(trx: Knex.Transaction, entries: Entry[]): Promise<void> {
  const live = entries
    .map((e) => ({ ...e, postings: e.postings.filter((p) => !(p.debit ?? ZERO).eq(0) || !(p.credit ?? ZERO).eq(0)) }))
    .filter((e) => e.postings.length > 0);
  live.forEach(checkEntry);
  const codes = [...new Set(live.flatMap((e) => e.postings.map((p) => p.account)))];
  for (let i = 0; i < codes.length; i += CHUNK) {
    await trx('ledger_accounts')
      .insert(codes.slice(i, i + CHUNK).map((code) => ({ code, name: accountName(code) })))
      .onConflict('code')
      .ignore();
  }
  for (let i = 0; i < live.length; i += CHUNK) {
    const chunk = live.slice(i, i + CHUNK);
    const ids: { id: number | string; source_id: string }[] = await trx('ledger_entries')
      .insert(
        chunk.map((e) => ({
          entry_date: e.date,
          source: e.source,
          source_id: e.sourceId,
          description: e.description,
          run_id: e.runId ?? null,
          batch_id: e.batchId ?? null,
        })),
      )
      .returning(['id', 'source_id']);
    const bySource = new Map(ids.map((r) => [`${r.source_id}`, r.id]));
    const postings = chunk.flatMap((e) =>
      e.postings.map((p) => ({
        entry_id: bySource.get(e.sourceId),
        account: p.account,
        debit: formatAmount(p.debit ?? ZERO),
        credit: formatAmount(p.credit ?? ZERO),
      })),
    );
    for (let j = 0; j < postings.length; j += CHUNK) {
      await trx('ledger_postings').insert(postings.slice(j, j + CHUNK));
    }
    faultPoint('ledger.post.chunk');
  }
}

export interface AccountBalance {
  account: string;
  debit: string;
  credit: string;
  balance: string;
}

/** Trial balance as of a date (entries dated on or before it); balance = debit − credit. */
export async function trialBalance(
  db: Q,
  asOf?: string,
): Promise<{ accounts: AccountBalance[]; balanced: boolean; debit: string; credit: string }> {
  const q = db('ledger_postings as p')
    .join('ledger_entries as e', 'e.id', 'p.entry_id')
    .select('p.account')
    .sum({ debit: 'p.debit', credit: 'p.credit' })
    .groupBy('p.account')
    .orderBy('p.account');
  if (asOf) q.where('e.entry_date', '<=', asOf);
  const rows = (await q) as unknown as { account: string; debit: string | null; credit: string | null }[];
  const accounts = rows.map((r) => {
    const d = money(r.debit ?? '0');
    const c = money(r.credit ?? '0');
    return { account: r.account, debit: formatAmount(d), credit: formatAmount(c), balance: formatAmount(d.minus(c)) };
  });
  const debit = sum(accounts.map((a) => a.debit));
  const credit = sum(accounts.map((a) => a.credit));
  return { accounts, balanced: debit.eq(credit), debit: formatAmount(debit), credit: formatAmount(credit) };
}

/** Balance (debit − credit) of one account over entries dated within [from, to] (either open). */
export async function accountMovement(
  db: Q,
  code: string,
  opts: { from?: string; to?: string; sources?: string[]; side?: 'debit' | 'credit' } = {},
): Promise<Money> {
  const q = db('ledger_postings as p')
    .join('ledger_entries as e', 'e.id', 'p.entry_id')
    .where('p.account', code)
    .sum({ debit: 'p.debit', credit: 'p.credit' });
  if (opts.from) q.where('e.entry_date', '>=', opts.from);
  if (opts.to) q.where('e.entry_date', '<=', opts.to);
  if (opts.sources) q.whereIn('e.source', opts.sources);
  const [r] = (await q) as { debit: string | null; credit: string | null }[];
  const d = money(r?.debit ?? '0');
  const c = money(r?.credit ?? '0');
  if (opts.side === 'debit') return d;
  if (opts.side === 'credit') return c;
  return d.minus(c);
}

export async function assertLedgerBalanced(db: Q): Promise<void> {
  const tb = await trialBalance(db);
  if (!tb.balanced) throw new UnbalancedEntryError(`ledger out of balance: debit ${tb.debit} credit ${tb.credit}`);
}
