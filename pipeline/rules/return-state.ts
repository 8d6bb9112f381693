// What became of a sum a bank returned (DOMAIN.md §4, 002 §17–20). A return is settled by one
// payment line that quotes it: a 'repayment' to the provider's new bank details (repaid) or a
// 'to_mio' line that sends the sum back to the МИО (sent back); until then it is pending. The
// database lets only one such line exist per return (payment_lines_return_once), so a sum is
// never both. A line of a rejected order (four eyes) settles nothing: the sum is pending again. A sum sent back and later demanded again stays 'sent_back'; the payout of its
// re-demand row is reported as its repaid_ref / repaid_on.
//
// pay repays pending returns, refund-unsent sends back the pending ones past their day,
// form-demand demands the sent-back ones again, the deadline check and the reports show them.
import type { Knex } from 'knex';
import { formatAmount } from '../kernel/money.ts';

type Q = Knex | Knex.Transaction;

export type ReturnStatus = 'pending' | 'repaid' | 'sent_back';

export interface ReturnStateOptions {
  /** Only lines of orders dated on or before this date settle (the SQL of a date, e.g. ':asOf'): the state on a past date. */
  asOf?: string;
  /** Lines of this step run do not settle (the SQL of a run id): a re-run stages what its first run did. */
  exceptRun?: string;
}

/**
 * SQL of a relation (return_id, status, settled_ref, settled_on): every return with its status,
 * and the reference and order date of the line that settled it (null while pending). Without
 * `asOf` every line counts, whatever its date: a step acts on what exists, and a sum settled by
 * a later-dated order must not be paid again when an earlier date is re-run.
 */
export function returnStateSql(opts: ReturnStateOptions = {}): string {
  const dated = opts.asOf === undefined ? '' : ` and o.order_date <= ${opts.asOf}`;
  const notRun = opts.exceptRun === undefined ? '' : ` and o.run_id <> ${opts.exceptRun}`;
  return `select r.id as return_id,
                 case s.kind when 'repayment' then 'repaid' when 'to_mio' then 'sent_back' else 'pending' end as status,
                 s.ref as settled_ref, s.order_date as settled_on
            from returns r
            left join (select pl.return_id, pl.kind, pl.ref, o.order_date
                         from payment_lines pl join payment_orders o on o.id = pl.order_id
                        where pl.kind in ('repayment', 'to_mio') and not pl.rejected${dated}${notRun}) s on s.return_id = r.id`;
}

export interface ReturnState {
  id: number;
  ref: string;
  lineId: number;
  lineKind: 'payout' | 'repayment';
  mioBin: string;
  providerId: string;
  bankDetailId: number | null;
  bik: string;
  serviceMonth: string;
  amount: string;
  returnedOn: string;
  reasonCode: string;
  reasonText: string;
  status: ReturnStatus;
  /** The repayment line (status repaid), or the payout that paid the sum demanded again after it was sent back. */
  repaidRef: string | null;
  repaidOn: string | null;
  sentBackRef: string | null;
  sentBackOn: string | null;
}

export interface ReturnFilter {
  /** Only events (repayments, sums sent back) dated on or before this date count, and returns up to it. */
  asOf?: string;
  /** Returns with returned_on in [from, to]. */
  from?: string;
  to?: string;
  mioBin?: string;
}

/** Every return with its status as of a date (all lines when no date), by return date and reference. */
export async function returnStates(db: Q, filter: ReturnFilter = {}): Promise<ReturnState[]> {
  const dated = filter.asOf ? 'and o.order_date <= ?' : '';
  const q = db('returns as r')
    .join('payment_lines as l', 'l.id', 'r.payment_line_id')
    .join(db.raw(`(${returnStateSql(filter.asOf ? { asOf: '?' } : {})}) as st`, filter.asOf ? [filter.asOf] : []), 'st.return_id', 'r.id')
    .leftJoin(
      db.raw(
        `(select dr.return_id, pl.ref, o.order_date from demand_rows dr
            join payment_lines pl on pl.demand_row_id = dr.id and pl.kind = 'payout'
            join payment_orders o on o.id = pl.order_id
           where dr.return_id is not null ${dated}) as redemand`,
        filter.asOf ? [filter.asOf] : [],
      ),
      'redemand.return_id',
      'r.id',
    )
    .select(
      'r.id',
      'r.ref',
      'r.payment_line_id',
      'l.kind as line_kind',
      'l.mio_bin',
      'l.provider_id',
      'l.bank_detail_id',
      'l.bik',
      'l.service_month',
      'r.amount',
      'r.returned_on',
      'r.reason_code',
      'r.reason_text',
      'st.status',
      'st.settled_ref',
      'st.settled_on',
      'redemand.ref as redemand_ref',
      'redemand.order_date as redemand_date',
    )
    .orderBy([{ column: 'r.returned_on' }, { column: 'r.ref' }]);
  if (filter.asOf) q.where('r.returned_on', '<=', filter.asOf);
  if (filter.from) q.where('r.returned_on', '>=', filter.from);
  if (filter.to) q.where('r.returned_on', '<=', filter.to);
  if (filter.mioBin) q.where('l.mio_bin', filter.mioBin);
  const rows = await q;
  return rows.map((r: Record<string, string | number | null>) => {
    const status = r.status as ReturnStatus;
    const repaid = status === 'repaid';
    const sentBack = status === 'sent_back';
    return {
      id: Number(r.id),
      ref: String(r.ref),
      lineId: Number(r.payment_line_id),
      lineKind: r.line_kind as 'payout' | 'repayment',
      mioBin: String(r.mio_bin),
      providerId: String(r.provider_id),
      bankDetailId: r.bank_detail_id == null ? null : Number(r.bank_detail_id),
      bik: String(r.bik),
      serviceMonth: String(r.service_month),
      amount: formatAmount(String(r.amount)),
      returnedOn: String(r.returned_on),
      reasonCode: String(r.reason_code),
      reasonText: String(r.reason_text),
      status,
      repaidRef: repaid ? String(r.settled_ref) : r.redemand_ref == null ? null : String(r.redemand_ref),
      repaidOn: repaid ? String(r.settled_on) : r.redemand_date == null ? null : String(r.redemand_date),
      sentBackRef: sentBack ? String(r.settled_ref) : null,
      sentBackOn: sentBack ? String(r.settled_on) : null,
    } satisfies ReturnState;
  });
}
