// build-lists, the split (DOMAIN.md §2): computed in TypeScript with big.js (computeSplit) once
// per distinct (year, hours, claim, kind, exemptions) — the acts of a month repeat the same few
// hour counts — and joined back to the candidates in SQL as one JSON table, so a million acts
// cost a few hundred splits.
import type { Trx } from '../../kernel/db.ts';
import { BusinessRuleError } from '../../kernel/errors.ts';
import { formatAmount } from '../../kernel/money.ts';
import { ratesForMonth, RatesError } from '../../kernel/rates.ts';
import type { YearRates } from '../../kernel/reference-files.ts';
import { computeSplit, SplitError, type Split } from '../../kernel/split.ts';
import { CANDIDATES, readCandidates, type CandidateAct } from './staging.ts';

/** The split of an act with the figures as they are written to the list row. */
export interface ComputedSplit {
  split: Split;
  cols: SplitColumns;
}

/** The figures of a split as a list row stores them. */
interface SplitColumns {
  hourly_rate: string;
  full_guaranteed: string;
  guaranteed: string;
  co_payment: string;
  provider_sum: string;
  opv: string;
  osms: string;
  so: string;
}

export interface ListRowDraft {
  act: CandidateAct;
  computed: ComputedSplit;
}

/**
 * The split of each act, memoized on what it depends on (year, hours, claim, kind, exemptions):
 * computeSplit is pure, and the acts of a month repeat the same few hour counts.
 */
export class SplitCache {
  private readonly cache = new Map<string, ComputedSplit>();

  constructor(private readonly rates: YearRates[]) {}

  of(act: CandidateAct): ComputedSplit {
    const key = [act.service_month.slice(0, 4), act.hours, act.claimed_amount ?? '', act.kind, act.opv_exempt, act.osms_exempt, act.so_exempt].join('|');
    let hit = this.cache.get(key);
    if (!hit) {
      const split = splitAct(act, this.rates);
      hit = {
        split,
        cols: {
          hourly_rate: formatAmount(split.hourlyRate),
          full_guaranteed: formatAmount(split.fullGuaranteed),
          guaranteed: formatAmount(split.guaranteed),
          co_payment: formatAmount(split.coPayment),
          provider_sum: formatAmount(split.providerSum),
          opv: formatAmount(split.opv),
          osms: formatAmount(split.osms),
          so: formatAmount(split.so),
        },
      };
      this.cache.set(key, hit);
    }
    return hit;
  }
}

function splitAct(act: CandidateAct, rates: YearRates[]): Split {
  let yearRates: YearRates;
  try {
    yearRates = ratesForMonth(act.service_month, rates);
  } catch (e) {
    if (e instanceof RatesError) {
      throw new BusinessRuleError('rates-missing', `${e.message}: акт ${act.act_no} поставщика ${act.provider_id} за ${act.service_month}`);
    }
    throw e;
  }
  try {
    return computeSplit({
      hours: act.hours,
      claimedAmount: act.claimed_amount,
      providerKind: act.kind,
      exempt: { opv: act.opv_exempt, osms: act.osms_exempt, so: act.so_exempt },
      rates: yearRates,
    });
  } catch (e) {
    if (e instanceof SplitError) {
      throw new BusinessRuleError('split', `Акт ${act.act_no} поставщика ${act.provider_id}: ${e.message}`);
    }
    throw e;
  }
}

/** The split of one key (year, hours, claim, kind, exemptions) as the set-based insert joins it. */
export interface SplitRow extends SplitColumns {
  year: number;
  hours: string;
  claimed_amount: string;
  kind: string;
  opv_exempt: boolean;
  osms_exempt: boolean;
  so_exempt: boolean;
  opv_base: string;
  osms_base: string;
  so_base: string;
  has_base: boolean;
}

/** The SQL of the split table (one JSON parameter) and its join to a candidate `c`. */
export const SPLITS_SQL = `json_to_recordset(:splits::json) as s(year int, hours text, claimed_amount text, kind text,
  opv_exempt boolean, osms_exempt boolean, so_exempt boolean, hourly_rate numeric, full_guaranteed numeric, guaranteed numeric,
  co_payment numeric, provider_sum numeric, opv numeric, osms numeric, so numeric, opv_base numeric, osms_base numeric,
  so_base numeric, has_base boolean)`;
export const SPLIT_JOIN = `s.year = substr(c.service_month, 1, 4)::int and s.hours = c.hours
  and s.claimed_amount = coalesce(c.claimed_amount, '') and s.kind = c.kind
  and s.opv_exempt = c.opv_exempt and s.osms_exempt = c.osms_exempt and s.so_exempt = c.so_exempt`;

/**
 * The split table of the candidates the list takes: one row per distinct (year, hours, claim,
 * kind, exemptions), computed for its first act by id (which names the act when a split cannot
 * be made), with the contribution bases the cap check sums.
 */
export async function splitTable(trx: Trx, splits: SplitCache): Promise<SplitRow[]> {
  const representatives = await readCandidates(
    trx,
    `not held and id in (select min(id) from ${CANDIDATES} where not held
                          group by substr(service_month, 1, 4), hours, claimed_amount, kind, opv_exempt, osms_exempt, so_exempt)`,
  );
  return representatives.map((act) => {
    const { split, cols } = splits.of(act);
    return {
      year: Number(act.service_month.slice(0, 4)),
      hours: act.hours,
      claimed_amount: act.claimed_amount ?? '',
      kind: act.kind,
      opv_exempt: act.opv_exempt,
      osms_exempt: act.osms_exempt,
      so_exempt: act.so_exempt,
      ...cols,
      opv_base: formatAmount(split.bases.opv),
      osms_base: formatAmount(split.bases.osms),
      so_base: formatAmount(split.bases.so),
      has_base: !(split.bases.opv.eq(0) && split.bases.osms.eq(0) && split.bases.so.eq(0)),
    };
  });
}
