// The ceiling of the next transfer from a МИО (DOMAIN.md §3, "Decision on funding": the demand
// is the ceiling). Money, not rows: what the МИО's demands formed by the transfer's date asked
// for, less every transfer already received from it. A transfer above it is refused and recorded
// nowhere. (Not to be confused with the unfunded rest of one demand, pipeline/rules/demand-funding.ts,
// which counts the rows the pool has funded: money received and still waiting in the pool counts
// here, not there.)
import type { Knex } from 'knex';
import { max, money, ZERO, type Money } from '../kernel/money.ts';

type Q = Knex | Knex.Transaction;

async function sumOf(q: Knex.QueryBuilder): Promise<Money> {
  const [r] = (await q) as { total: string | null }[];
  return money(r?.total ?? '0');
}

/** Σ transfers received from the МИО (all recorded transfers). */
export async function receivedAmount(q: Q, mioBin: string): Promise<Money> {
  return sumOf(q('transfers').where({ mio_bin: mioBin }).sum({ total: 'amount' }));
}

export interface TransferCeiling {
  /** Σ amounts of the МИО's demands formed on or before the date. */
  demanded: Money;
  /** Σ transfers already received from the МИО. */
  received: Money;
  /** demanded − received, never below zero: the most the next transfer may bring. */
  ceiling: Money;
}

/** The ceiling of a transfer from the МИО dated `asOf`, with the two sums it comes from. */
export async function transferCeiling(q: Q, mioBin: string, asOf: string): Promise<TransferCeiling> {
  const demanded = await sumOf(q('demands').where({ mio_bin: mioBin }).andWhere('formed_on', '<=', asOf).sum({ total: 'amount' }));
  const received = await receivedAmount(q, mioBin);
  return { demanded, received, ceiling: max(ZERO, demanded.minus(received)) };
}
