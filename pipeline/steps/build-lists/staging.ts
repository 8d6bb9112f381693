// build-lists, reading: the candidate acts staged in a temporary table, read back only where a
// decision needs them in TypeScript, and digested for the run's inputs hash.
import type { Trx } from '../../kernel/db.ts';
import type { IsoDate, IsoMonth } from '../../kernel/dates.ts';
import type { ProviderKind } from '../../kernel/reference-files.ts';
import { digestRows, type RowsDigest } from '../../kernel/input-digest.ts';
import { bankDetailsInForce } from '../../rules/bank-details-in-force.ts';

/** A candidate act as the list reads it: everything the split and the holds depend on. */
export interface CandidateAct {
  id: number;
  provider_id: string;
  act_no: string;
  mio_bin: string;
  assistant_iin: string;
  service_month: string;
  hours: string;
  claimed_amount: string | null;
  accepted_on: string;
  kind: ProviderKind;
  registered_on: string;
  deregistered_on: string | null;
  deregistration_reason: string | null;
  opv_exempt: boolean;
  osms_exempt: boolean;
  so_exempt: boolean;
  bank_detail_id: number | null;
  bank_detail_incorrect: boolean;
}

/** The last day of the service month, computed in SQL from the 'YYYY-MM' text. */
const SERVICE_MONTH_END = `(to_date(a.service_month, 'YYYY-MM') + interval '1 month' - interval '1 day')::date`;

/** The temporary table (dropped at commit) in which a run stages its candidate acts. */
export const CANDIDATES = 'list_candidates';

/**
 * Stages the candidates in list_candidates: acts accepted on or before as-of and not listed by a
 * list of an earlier month, with the provider, the exemption flags and the bank-details version
 * resolved, and a `held` mark (false until the holds are decided). (Lists are built in month
 * order, so at the first run of M no later list exists; at a repeated run the acts its own run
 * listed are still candidates, and the inputs hash the same.) The acts stay in the database: a
 * million of them never travel to the application.
 */
export async function stageCandidates(trx: Trx, month: IsoMonth, asOf: IsoDate): Promise<void> {
  await trx.raw(`drop table if exists ${CANDIDATES}`);
  await trx.raw(
    `create temp table ${CANDIDATES} on commit drop as
     select a.id, a.provider_id, a.act_no, a.mio_bin, a.assistant_iin, a.service_month,
            a.hours::text as hours, a.claimed_amount::text as claimed_amount, a.accepted_on,
            p.kind, p.registered_on, p.deregistered_on, p.deregistration_reason,
            coalesce(ex.opv_exempt, false) as opv_exempt,
            coalesce(ex.osms_exempt, false) as osms_exempt,
            coalesce(ex.so_exempt, false) as so_exempt,
            bd.id as bank_detail_id, coalesce(bd.incorrect, false) as bank_detail_incorrect,
            false as held
       from acts a
       join providers p on p.provider_id = a.provider_id
       left join lateral (
         select e.opv_exempt, e.osms_exempt, e.so_exempt
           from exemptions e
          where e.iin = a.assistant_iin
            and e.valid_from <= ${SERVICE_MONTH_END}
            and (e.valid_to is null or e.valid_to >= ${SERVICE_MONTH_END})
          order by e.valid_from desc
          limit 1) ex on true
       left join (${bankDetailsInForce(':asOf')}) bd on bd.provider_id = a.provider_id
      where a.accepted_on <= :asOf
        and not exists (
          select 1 from list_rows lr join lists l on l.id = lr.list_id
           where lr.act_id = a.id and l.month < :month)`,
    { asOf, month },
  );
}

/** Staged candidates matching `where` (SQL over list_candidates), in act id order. */
export async function readCandidates(trx: Trx, where: string, bindings: Record<string, unknown> = {}): Promise<CandidateAct[]> {
  const { rows } = await trx.raw(`select * from ${CANDIDATES} where ${where} order by id`, bindings);
  return (rows as Record<string, unknown>[]).map((r) => ({
    id: Number(r.id),
    provider_id: String(r.provider_id),
    act_no: String(r.act_no),
    mio_bin: String(r.mio_bin),
    assistant_iin: String(r.assistant_iin),
    service_month: String(r.service_month),
    hours: String(r.hours),
    claimed_amount: r.claimed_amount == null ? null : String(r.claimed_amount),
    accepted_on: String(r.accepted_on),
    kind: r.kind as ProviderKind,
    registered_on: String(r.registered_on),
    deregistered_on: r.deregistered_on == null ? null : String(r.deregistered_on),
    deregistration_reason: r.deregistration_reason == null ? null : String(r.deregistration_reason),
    opv_exempt: Boolean(r.opv_exempt),
    osms_exempt: Boolean(r.osms_exempt),
    so_exempt: Boolean(r.so_exempt),
    bank_detail_id: r.bank_detail_id == null ? null : Number(r.bank_detail_id),
    bank_detail_incorrect: Boolean(r.bank_detail_incorrect),
  }));
}

/** A compact digest of the staged candidates: what the list depends on, one line per act in id order. */
export function digestCandidates(trx: Trx): Promise<RowsDigest> {
  return digestRows(trx, {
    from: CANDIDATES,
    fields: [
      'id', 'provider_id', 'act_no', 'mio_bin', 'assistant_iin', 'service_month', 'hours', "coalesce(claimed_amount, '')", 'accepted_on',
      'kind', 'registered_on', "coalesce(deregistered_on::text, '')", 'opv_exempt', 'osms_exempt', 'so_exempt',
      "coalesce(bank_detail_id::text, '')",
    ],
    orderBy: 'id',
  });
}

/** The years of the staged candidates' service months, ascending. */
export async function candidateYears(trx: Trx): Promise<number[]> {
  const { rows } = await trx.raw(`select distinct substr(service_month, 1, 4)::int as year from ${CANDIDATES} order by 1`);
  return (rows as { year: number }[]).map((r) => Number(r.year));
}
