// build-lists, contributions per person (DOMAIN.md §2): ОПВ, ОСМС and СО are computed on an
// assistant's total guaranteed sum in one list — per (list, МИО, assistant ИИН, service month) —
// and allocated to the acts by the largest remainder (personContributions). The rows are written
// with the per-act split first; a person with a single act already has the person's figures, so
// only the persons with two or more withheld acts in a list are staged, read back a page at a time
// and rewritten, in one update per chunk. Every row still adds up to its G.
import type { Trx } from '../../kernel/db.ts';
import { BusinessRuleError } from '../../kernel/errors.ts';
import { maskIdentifier } from '../../kernel/identifiers.ts';
import { formatAmount } from '../../kernel/money.ts';
import { ratesForMonth } from '../../kernel/rates.ts';
import type { ProviderKind, YearRates } from '../../kernel/reference-files.ts';
import { personContributions, SplitError } from '../../kernel/split.ts';

interface PersonRow {
  id: string;
  list_id: string;
  row_no: number;
  act_no: string;
  assistant_iin: string;
  service_month: string;
  provider_kind: ProviderKind;
  guaranteed: string;
  opv: string;
  osms: string;
  so: string;
  opv_exempt: boolean;
  osms_exempt: boolean;
  so_exempt: boolean;
  grp: string | number;
}

const CHUNK = 5000;
/** Persons read and rewritten at a time. */
const PAGE = 20000;
/** The temporary table (dropped at commit) of the rows to reallocate. */
const PERSON_ROWS = 'list_person_rows';

/**
 * Rewrites the contributions of the rows of this run's lists that belong to a person with more
 * than one withheld act in the same list and service month. Returns how many rows changed.
 */
export async function allocatePerPerson(trx: Trx, runId: number, rates: YearRates[]): Promise<number> {
  const kinds = [...new Set(rates.flatMap((r) => r.withholding_kinds))];
  if (kinds.length === 0) return 0;
  // The rows of the persons with two or more withheld acts in a list, numbered by person (grp),
  // staged once; then read a page of persons at a time, so memory stays bounded.
  await trx.raw(`drop table if exists ${PERSON_ROWS}`);
  await trx.raw(
    `create temp table ${PERSON_ROWS} on commit drop as
     select r.*, dense_rank() over (order by r.list_id, r.assistant_iin, r.service_month, r.provider_kind,
                                             r.opv_exempt, r.osms_exempt, r.so_exempt) as grp
       from (select lr.id, lr.list_id, lr.row_no, a.act_no, a.assistant_iin, lr.service_month, lr.provider_kind,
                    lr.guaranteed::text as guaranteed, lr.opv::text as opv, lr.osms::text as osms, lr.so::text as so,
                    lr.opv_exempt, lr.osms_exempt, lr.so_exempt,
                    count(*) over (partition by lr.list_id, a.assistant_iin, lr.service_month, lr.provider_kind,
                                                lr.opv_exempt, lr.osms_exempt, lr.so_exempt) as n
               from list_rows lr
               join lists l on l.id = lr.list_id
               join acts a on a.id = lr.act_id
              where l.run_id = :runId and lr.provider_kind = any(:kinds::text[])) r
      where r.n > 1`,
    { runId, kinds },
  );
  await trx.raw(`create index on ${PERSON_ROWS} (grp)`);
  const { rows: top } = await trx.raw(`select coalesce(max(grp), 0)::int as groups from ${PERSON_ROWS}`);
  const groupCount = Number(top[0].groups);
  let changedRows = 0;
  for (let from = 1; from <= groupCount; from += PAGE) {
    const { rows } = await trx.raw(`select * from ${PERSON_ROWS} where grp between ? and ? order by grp, row_no`, [from, from + PAGE - 1]);
    changedRows += await rewritePage(trx, rows as PersonRow[], rates);
  }
  return changedRows;
}

/** Computes the persons of one page and writes the rows whose figures change. */
async function rewritePage(trx: Trx, rows: PersonRow[], rates: YearRates[]): Promise<number> {
  const groups = new Map<string, PersonRow[]>();
  for (const r of rows) {
    const key = String(r.grp);
    const g = groups.get(key) ?? [];
    g.push(r);
    groups.set(key, g);
  }
  const changed: { id: string; opv: string; osms: string; so: string; provider_sum: string }[] = [];
  for (const group of groups.values()) {
    const first = group[0];
    let split;
    try {
      split = personContributions(group, {
        providerKind: first.provider_kind,
        exempt: { opv: first.opv_exempt, osms: first.osms_exempt, so: first.so_exempt },
        rates: ratesForMonth(first.service_month, rates),
      });
    } catch (e) {
      if (e instanceof SplitError) {
        throw new BusinessRuleError(
          'split',
          `Помощник ${maskIdentifier(first.assistant_iin)} за ${first.service_month} (акты ${group.map((r) => r.act_no).join(', ')}): ${e.message}`,
        );
      }
      throw e;
    }
    group.forEach((r, i) => {
      const s = split.acts[i];
      const next = { opv: formatAmount(s.opv), osms: formatAmount(s.osms), so: formatAmount(s.so), provider_sum: formatAmount(s.providerSum) };
      if (next.opv !== formatAmount(r.opv) || next.osms !== formatAmount(r.osms) || next.so !== formatAmount(r.so)) {
        changed.push({ id: String(r.id), ...next });
      }
    });
  }
  for (let i = 0; i < changed.length; i += CHUNK) {
    await trx.raw(
      `update list_rows lr
          set opv = c.opv, osms = c.osms, so = c.so, provider_sum = c.provider_sum
         from json_to_recordset(:rows::json) as c(id bigint, opv numeric, osms numeric, so numeric, provider_sum numeric)
        where lr.id = c.id`,
      { rows: JSON.stringify(changed.slice(i, i + CHUNK)) },
    );
  }
  return changed.length;
}
