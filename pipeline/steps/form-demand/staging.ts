// form-demand, staging: what the demands of month M ask for — list rows not yet demanded and
// sent-back returns demanded again — in a temporary table, digested for the run's inputs hash
// and summed per МИО and service month.
import type { Trx } from '../../kernel/db.ts';
import type { IsoDate, IsoMonth } from '../../kernel/dates.ts';
import { formatAmount, sum } from '../../kernel/money.ts';
import { digestRows, type RowsDigest } from '../../kernel/input-digest.ts';
import { bankDetailsInForce } from '../../rules/bank-details-in-force.ts';
import { returnStateSql } from '../../rules/return-state.ts';

export interface DemandPeriod {
  service_month: string;
  rows: number;
  amount: string;
}

export interface FormedDemand {
  mio_bin: string;
  demand_id: number;
  amount: string;
  rows: number;
  redemanded: number;
  periods: DemandPeriod[];
}

/** The temporary table (dropped at commit) in which a run stages what it demands. */
export const CANDIDATES = 'demand_candidates';

/**
 * Stages in demand_candidates the list rows of lists built on or before as-of that no demand of
 * an earlier month has taken. (Demands are formed in month order, so at the first run of M no
 * later demand exists; at a repeated run the rows its own run demanded are still candidates and
 * hash the same.) Rows with a zero provider sum (a zero claim) need no money and are not
 * demanded. The rows stay in the database: a million of them never travel to the application.
 */
export async function stageListRows(trx: Trx, month: IsoMonth, asOf: IsoDate): Promise<void> {
  await trx.raw(`drop table if exists ${CANDIDATES}`);
  await trx.raw(
    `create temp table ${CANDIDATES} on commit drop as
     select lr.id as list_row_id, null::bigint as return_id, lr.mio_bin, lr.service_month, lr.provider_sum as amount
       from list_rows lr
       join lists l on l.id = lr.list_id
      where l.built_on <= :asOf and l.month <= :month and lr.provider_sum > 0
        and not exists (
          select 1 from demand_rows dr join demands d on d.id = dr.demand_id
           where dr.list_row_id = lr.id and dr.return_id is null and d.month < :month)`,
    { asOf, month },
  );
}

/** The providers of returned lines: whose bank details in force a re-demand looks at. */
const RETURNED_PROVIDERS = 'select pl.provider_id from returns r join payment_lines pl on pl.id = r.payment_line_id';

/**
 * Returns sent back to the МИО (a 'to_mio' line exists for them, ordered on or before as-of)
 * whose provider's current bank details as of as-of (the latest version changed on or before
 * it) are not the version the returned line went to and are not marked incorrect (an
 * 'incorrect' event dated on or before as-of), and that no demand of an earlier month has taken
 * again. When the fix is dated does not matter — after the send-back, the same day, or before it
 * but too late for that day's `pay` — it is the same rule `pay` applies to a pending return.
 * The list row is found by following the returned line back to its payout: a repayment line
 * quotes the earlier return, whose line is followed in turn. Staged in demand_candidates beside
 * the list rows.
 */
export async function stageRedemands(trx: Trx, month: IsoMonth, asOf: IsoDate): Promise<void> {
  await trx.raw(
    `insert into ${CANDIDATES} (list_row_id, return_id, mio_bin, service_month, amount)
     with recursive sent_back as (
       select r.id as return_id, r.amount, r.payment_line_id, rl.mio_bin, rl.service_month
         from returns r
         join (${returnStateSql({ asOf: ':asOf' })}) st on st.return_id = r.id and st.status = 'sent_back'
         join payment_lines rl on rl.id = r.payment_line_id
         join (${bankDetailsInForce(':asOf', RETURNED_PROVIDERS)}) cur on cur.provider_id = rl.provider_id
        where cur.id <> rl.bank_detail_id and not cur.incorrect
          and not exists (select 1 from demand_rows dr join demands d on d.id = dr.demand_id
                           where dr.return_id = r.id and d.month < :month)),
     chain as (
       select s.return_id, s.payment_line_id as line_id, 0 as depth from sent_back s
       union all
       select c.return_id, r2.payment_line_id, c.depth + 1
         from chain c
         join payment_lines pl on pl.id = c.line_id and pl.kind = 'repayment'
         join returns r2 on r2.id = pl.return_id
        where c.depth < 100)
     select dr.list_row_id, s.return_id, s.mio_bin, s.service_month, s.amount
       from sent_back s
       join chain c on c.return_id = s.return_id
       join payment_lines pl on pl.id = c.line_id and pl.kind = 'payout'
       join demand_rows dr on dr.id = pl.demand_row_id
      order by s.return_id`,
    { asOf, month },
  );
}

/** The digest of the staged list rows (or re-demands): count and sha256 of one line per row. */
export function digest(trx: Trx, redemands: boolean): Promise<RowsDigest> {
  return digestRows(trx, {
    from: CANDIDATES,
    fields: ['list_row_id', "coalesce(return_id::text, '')", 'mio_bin', 'service_month', 'amount::text'],
    orderBy: 'coalesce(return_id, list_row_id)',
    where: '(return_id is not null) = ?',
    bindings: [redemands],
  });
}

/** Per МИО: what its demand asks for, by service month, from the staged candidates. */
export async function demandsByMio(trx: Trx): Promise<Omit<FormedDemand, 'demand_id'>[]> {
  const { rows } = await trx.raw(
    `select mio_bin, service_month, count(*)::int as rows, count(return_id)::int as redemanded, sum(amount)::text as amount
       from ${CANDIDATES}
      group by mio_bin, service_month
      order by mio_bin collate "C", service_month collate "C"`,
  );
  const out: Omit<FormedDemand, 'demand_id'>[] = [];
  for (const r of rows as { mio_bin: string; service_month: string; rows: number; redemanded: number; amount: string }[]) {
    let d = out[out.length - 1];
    if (!d || d.mio_bin !== r.mio_bin) {
      d = { mio_bin: String(r.mio_bin), amount: '0.00', rows: 0, redemanded: 0, periods: [] };
      out.push(d);
    }
    d.periods.push({ service_month: String(r.service_month), rows: Number(r.rows), amount: formatAmount(r.amount) });
    d.rows += Number(r.rows);
    d.redemanded += Number(r.redemanded);
    d.amount = formatAmount(sum([d.amount, r.amount]));
  }
  return out;
}
