// pay, staging: the plan of `pay` on a date in a temporary table — every funded, unpaid demand
// row and every pending return, with the provider's bank details in force and whether the line
// can be paid now — digested for the run's inputs hash, read for what waits, summed for what is
// paid. Set-based: the rows never travel to the application.
import type { Knex } from 'knex';
import { formatAmount } from '../../kernel/money.ts';
import { digestRowsBy } from '../../kernel/input-digest.ts';
import type { OrderLineSource } from '../../orders/issuing.ts';
import { bankDetailsInForce } from '../../rules/bank-details-in-force.ts';
import { returnStateSql } from '../../rules/return-state.ts';

export interface WaitingItem {
  kind: 'payout' | 'repayment';
  /** demand row id (payout) or return id (repayment). */
  id: number;
  mioBin: string;
  providerId: string;
  amount: string;
  reason: 'details-incorrect' | 'no-details' | 'no-new-details';
}

/** What a pay run paid, as counts and sums (the lines themselves are in the database). */
export interface PaidTotals {
  count: number;
  amount: string;
}

/** The digest of what `pay` acts on: per kind the count and a sha256 of "id|amount|details" lines. */
export interface PayInputs {
  date: string;
  payouts: { count: number; sha256: string };
  repayments: { count: number; sha256: string };
}

/** The temporary table (dropped at commit) in which `pay` stages its plan. */
const PLAN = 'pay_plan';

/**
 * Stages in the temporary table pay_plan what `pay` on `date` would pay and what waits: every
 * funded, unpaid demand row and every returned, unrepaid sum, with the provider's current
 * details and whether the line can be paid now (`actionable`). Lines of the run `ownRunId` (a
 * previous run of the same date) do not count as payments, so an unchanged world stages the same
 * plan again. Set-based: the rows never travel to the application.
 */
export async function stagePayPlan(trx: Knex.Transaction, date: string, ownRunId: number | null): Promise<void> {
  const notOwn = ownRunId === null ? '' : 'and po.run_id <> :own';
  await trx.raw(`drop table if exists ${PLAN}`);
  await trx.raw(
    `create temp table ${PLAN} on commit drop as
     with funded as (
       select dr.id, d.mio_bin, lr.provider_id, dr.service_month, dr.amount, a.amount as allocated
         from demand_rows dr
         join demands d on d.id = dr.demand_id
         join allocations a on a.demand_row_id = dr.id
         join list_rows lr on lr.id = dr.list_row_id
        where a.funded_on <= :date
          and not exists (select 1 from payment_lines pl join payment_orders po on po.id = pl.order_id
                           where pl.demand_row_id = dr.id and pl.kind = 'payout' and not pl.rejected ${notOwn})),
     returned as (
       select r.id, r.amount, pl.mio_bin, pl.provider_id, pl.service_month, pl.bank_detail_id
         from returns r
         join (${returnStateSql(ownRunId === null ? {} : { exceptRun: ':own' })}) st on st.return_id = r.id and st.status = 'pending'
         join payment_lines pl on pl.id = r.payment_line_id
        where r.returned_on <= :date and pl.kind in ('payout', 'repayment')),
     fv as (${bankDetailsInForce(':date', 'select provider_id from funded')}),
     rv as (${bankDetailsInForce(':date', 'select provider_id from returned')})
     select 'payout'::text as kind, f.id as demand_row_id, null::bigint as return_id, f.mio_bin, f.provider_id,
            f.service_month, f.amount, f.allocated, v.id as bank_detail_id, v.bik, v.iban,
            (v.id is not null and not v.incorrect) as actionable,
            case when v.id is null then 'no-details' when v.incorrect then 'details-incorrect' end as reason
       from funded f left join fv v on v.provider_id = f.provider_id
     union all
     select 'repayment', null, r.id, r.mio_bin, r.provider_id, r.service_month, r.amount, r.amount, v.id, v.bik, v.iban,
            coalesce(not v.incorrect and v.id <> r.bank_detail_id, false),
            case when v.incorrect then 'details-incorrect' else 'no-new-details' end
       from returned r left join rv v on v.provider_id = r.provider_id`,
    { date, ...(ownRunId === null ? {} : { own: ownRunId }) },
  );
  const { rows: bad } = await trx.raw(`select demand_row_id, amount::text, allocated::text from ${PLAN} where amount <> allocated limit 1`);
  if (bad.length > 0) {
    throw new Error(`demand row ${bad[0].demand_row_id}: allocated ${bad[0].allocated} differs from the row amount ${bad[0].amount}`);
  }
}

/** The inputs runStep hashes: only what pay acts on (rows, amounts, the details paid to). */
export async function planDigest(trx: Knex.Transaction, date: string): Promise<PayInputs> {
  const byKind = await digestRowsBy(trx, {
    from: PLAN,
    fields: ['coalesce(demand_row_id, return_id)', 'amount::text', 'bank_detail_id'],
    orderBy: 'coalesce(demand_row_id, return_id)',
    where: 'actionable',
    groupBy: 'kind',
  });
  const of = (kind: string) => byKind.get(kind) ?? { count: 0, sha256: '' };
  return { date, payouts: of('payout'), repayments: of('repayment') };
}

/** What waits for new bank details: payouts by demand row, then repayments by return. */
export async function waitingItems(trx: Knex.Transaction): Promise<WaitingItem[]> {
  const { rows } = await trx.raw(
    `select kind, coalesce(demand_row_id, return_id) as id, mio_bin, provider_id, amount::text as amount, reason
       from ${PLAN} where not actionable
      order by kind = 'repayment', coalesce(demand_row_id, return_id)`,
  );
  return (rows as Record<string, unknown>[]).map((r) => ({
    kind: r.kind as WaitingItem['kind'],
    id: Number(r.id),
    mioBin: String(r.mio_bin),
    providerId: String(r.provider_id),
    amount: formatAmount(String(r.amount)),
    reason: r.reason as WaitingItem['reason'],
  }));
}

export async function paidTotals(trx: Knex.Transaction): Promise<{ payouts: PaidTotals; repayments: PaidTotals }> {
  const { rows } = await trx.raw(`select kind, count(*)::int as n, sum(amount)::text as amount from ${PLAN} where actionable group by kind`);
  const of = (kind: string): PaidTotals => {
    const r = (rows as { kind: string; n: number; amount: string }[]).find((x) => x.kind === kind);
    return r ? { count: Number(r.n), amount: formatAmount(r.amount) } : { count: 0, amount: '0.00' };
  };
  return { payouts: of('payout'), repayments: of('repayment') };
}

/** The lines `pay` issues orders for: the plan's actionable lines. */
export const ACTIONABLE_LINES: OrderLineSource = { sql: `(select * from ${PLAN} where actionable)`, bindings: [] };
