// `pay` on a working day D (DOMAIN.md §3 "Decision on payment orders", §4.3): payment orders dated
// D for
//  (a) every demand row funded by a transfer received on or before D and not yet paid — a
//      'payout' line to the provider's current bank details (latest version changed on or before
//      D); details marked incorrect are not paid to: the row waits for new details;
//  (b) every returned sum not yet repaid or sent back whose provider's current bank details (the
//      latest version changed on or before D) are not the version the returned line went to and
//      are not marked incorrect — a 'repayment' line from the money ГК already holds, no new
//      demand. When the new details are dated does not matter: a provider who moved banks (new
//      details dated after the payment) and closed the old account, whose payment the bank then
//      returned, is repaid to the new account although the details predate the return. If the
//      current version is the returned one, or is itself marked incorrect, the sum waits rather
//      than going to the returned or to an older, superseded account.
// What cannot be paid is not lost: it is listed in the summary as waiting for new details.
// One order per (МИО, bank БИК, D); numbers gapless per year; pain.001 files written after commit.
//
// Idempotence: the step is keyed by D. A re-run on an unchanged world is a no-op (and rewrites
// the same files). A re-run after the world changed for D — e.g. a transfer dated D that arrived
// after the run — is refused loudly; the next working day's `pay` takes those rows.
import type { Knex } from 'knex';
import type { Db, Trx } from '../../kernel/db.ts';
import { BusinessRuleError } from '../../kernel/errors.ts';
import { faultPoint } from '../../kernel/faults.ts';
import { formatAmount, sum } from '../../kernel/money.ts';
import { loadCalendar } from '../../kernel/reference.ts';
import { runStep, type StepOutcome } from '../../kernel/step-run.ts';
import { issueOrdersFrom, orderResult, type OrderResult } from '../../orders/issuing.ts';
import { orderFileName, writeRunOrderFiles } from '../../orders/files.ts';
import { assertDate } from '../../kernel/dates.ts';
import { digestRowsBy } from '../../kernel/input-digest.ts';
import { bankDetailsInForce } from '../../rules/bank-details-in-force.ts';
import { returnStateSql } from '../../rules/return-state.ts';

export interface PayOptions {
  month?: string;
  asOf: string;
  operator: string;
  dryRun?: boolean;
  /** Where the pain.001 files go (default out/payment-orders). */
  outDir?: string;
}

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

export interface PayResult {
  date: string;
  orders: OrderResult[];
  payouts: PaidTotals;
  repayments: PaidTotals;
  waiting: WaitingItem[];
}

export type PayOutcome = StepOutcome<PayResult> & { files: string[] };

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
                           where pl.demand_row_id = dr.id and pl.kind = 'payout' ${notOwn})),
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
async function planDigest(trx: Knex.Transaction, date: string): Promise<PayInputs> {
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
async function waitingItems(trx: Knex.Transaction): Promise<WaitingItem[]> {
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

async function paidTotals(trx: Knex.Transaction): Promise<{ payouts: PaidTotals; repayments: PaidTotals }> {
  const { rows } = await trx.raw(`select kind, count(*)::int as n, sum(amount)::text as amount from ${PLAN} where actionable group by kind`);
  const of = (kind: string): PaidTotals => {
    const r = (rows as { kind: string; n: number; amount: string }[]).find((x) => x.kind === kind);
    return r ? { count: Number(r.n), amount: formatAmount(r.amount) } : { count: 0, amount: '0.00' };
  };
  return { payouts: of('payout'), repayments: of('repayment') };
}

async function assertWorkingDay(db: Db, date: string): Promise<void> {
  const calendar = await loadCalendar(db);
  if (calendar.isWorkingDay(date)) return;
  throw new BusinessRuleError(
    'non-working-day',
    `${date} — нерабочий день: платёжные поручения в нерабочий день не выписываются. ` +
      `Ближайший рабочий день — ${calendar.nextWorkingDay(date)}.`,
  );
}

function summarize(r: PayResult): Record<string, unknown> {
  return {
    date: r.date,
    orders: r.orders.map((o) => ({
      number: o.number,
      mio_bin: o.mio_bin,
      bik: o.bik,
      count: o.count,
      total: o.total,
      file: orderFileName(o.year, o.number),
    })),
    payouts: r.payouts,
    repayments: r.repayments,
    total: formatAmount(sum([r.payouts.amount, r.repayments.amount])),
    waiting_for_details: {
      count: r.waiting.length,
      amount: formatAmount(sum(r.waiting.map((w) => w.amount))),
      items: r.waiting.map((w) => ({
        kind: w.kind,
        [w.kind === 'payout' ? 'demand_row_id' : 'return_id']: w.id,
        mio_bin: w.mioBin,
        provider_id: w.providerId,
        amount: w.amount,
        reason: w.reason,
      })),
    },
  };
}

/**
 * `payouts run pay`: payment orders dated `asOf` (a working day) for funded rows and for returns
 * whose bank details were fixed. After the commit (and on an already-done re-run) the orders'
 * pain.001 files are (re)written to `outDir`; their paths come back in `files`.
 */
export async function pay(db: Db, opts: PayOptions): Promise<PayOutcome> {
  const date = assertDate(opts.asOf);
  await assertWorkingDay(db, date);
  const outcome = await runStep<PayInputs, PayResult>(db, {
    step: 'pay',
    key: date,
    asOf: date,
    operator: opts.operator,
    dryRun: opts.dryRun,
    // Only what pay acts on is hashed: a change in what merely waits does not refuse a re-run.
    // The plan staged here (under the pipeline lock) is the one apply pays.
    inputs: async (trx: Trx, ownRunId) => {
      await stagePayPlan(trx, date, ownRunId);
      return planDigest(trx, date);
    },
    summarize,
    apply: async ({ trx, runId }) => {
      // A first run (apply never runs again under the same key), so the staged plan counts no own lines.
      faultPoint('pay.planned');
      const orders = await issueOrdersFrom(trx, { date, runId, kind: 'provider' }, { sql: `(select * from ${PLAN} where actionable)`, bindings: [] });
      faultPoint('pay.orders-issued');
      return {
        date,
        orders: orders.map(orderResult),
        ...(await paidTotals(trx)),
        waiting: await waitingItems(trx),
      };
    },
  });
  const files = await writeRunOrderFiles(db, outcome, 'provider', opts.outDir, 'pay.committed');
  return Object.assign(outcome, { files });
}
