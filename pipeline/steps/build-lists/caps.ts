// build-lists, the caps (DOMAIN.md §2): ОПВ, ОСМС and СО bases are capped per person and month
// in МЗП; under the 8-hours-a-day limit they cannot bind for one assistant's month, so the list
// refuses to be built, with the acts named, rather than compute a wrong figure. Only the
// (assistant, service month) pairs that could come near a cap are checked exactly, with what
// earlier lists already took.
import type { Trx } from '../../kernel/db.ts';
import type { IsoMonth } from '../../kernel/dates.ts';
import { BusinessRuleError } from '../../kernel/errors.ts';
import { maskIdentifier } from '../../kernel/identifiers.ts';
import { money, ZERO, type Money } from '../../kernel/money.ts';
import { ratesForMonth } from '../../kernel/rates.ts';
import type { YearRates } from '../../kernel/reference-files.ts';
import { capCheck, personContributions } from '../../kernel/split.ts';
import { CANDIDATES, readCandidates } from './staging.ts';
import { SPLIT_JOIN, SPLITS_SQL, type ListRowDraft, type SplitCache } from './splits.ts';

/** Tenge below a cap from which a pair is checked exactly. */
const NEAR_MARGIN = 1000;

/** An assistant's monthly bases that earlier lists took, with their acts. */
type ListedBases = Map<string, { opv: Money; osms: Money; so: Money; acts: string[] }>;

/**
 * Refuses the whole run (all or nothing) when a cap would bind for an assistant's service month,
 * counting what earlier lists took. `splitsJson` is the split table of the run.
 */
export async function checkCaps(trx: Trx, month: IsoMonth, splitsJson: string, splits: SplitCache, rates: YearRates[]): Promise<void> {
  const near = await pairsNearCaps(trx, month, splitsJson, rates);
  if (near.length === 0) return;
  const rows = (
    await readCandidates(trx, `not held and (assistant_iin, service_month) in (select * from json_to_recordset(:pairs::json) as p(iin bpchar, sm bpchar))`, {
      pairs: JSON.stringify(near),
    })
  ).map((act) => ({ act, computed: splits.of(act) }));
  refuseBindingCaps(rows, await readListedBases(trx, month, near, rates), rates);
}

/**
 * Contribution bases already listed (lists of earlier months) for the (assistant, service month)
 * pairs that get new rows now. The pairs travel as one JSON parameter.
 */
async function readListedBases(
  trx: Trx,
  month: IsoMonth,
  pairs: { iin: string; sm: string }[],
  rates: YearRates[],
): Promise<ListedBases> {
  if (pairs.length === 0) return new Map();
  const { rows } = await trx.raw(
    `select a.assistant_iin, lr.service_month, lr.provider_kind, lr.opv_exempt, lr.osms_exempt, lr.so_exempt,
            lr.guaranteed::text as guaranteed, lr.opv::text as opv, a.provider_id, a.act_no
       from json_to_recordset(:pairs::json) as c(iin text, sm text)
       join acts a on a.assistant_iin = c.iin and a.service_month = c.sm
       join list_rows lr on lr.act_id = a.id
       join lists l on l.id = lr.list_id and l.month < :month`,
    { pairs: JSON.stringify(pairs), month },
  );
  const out: ListedBases = new Map();
  for (const r of rows as Record<string, string | boolean>[]) {
    const y = ratesForMonth(String(r.service_month), rates);
    const withholds = (y.withholding_kinds as string[]).includes(String(r.provider_kind));
    const g = money(String(r.guaranteed));
    const key = `${r.assistant_iin}|${r.service_month}`;
    const acc = out.get(key) ?? { opv: ZERO, osms: ZERO, so: ZERO, acts: [] };
    if (withholds && !r.opv_exempt) acc.opv = acc.opv.plus(g);
    if (withholds && !r.osms_exempt) acc.osms = acc.osms.plus(g);
    if (withholds && !r.so_exempt) acc.so = acc.so.plus(g.minus(String(r.opv)));
    acc.acts.push(`${maskIdentifier(String(r.provider_id))}/${r.act_no}`);
    out.set(key, acc);
  }
  return out;
}

/** Refuses the run when a cap would bind for an assistant's monthly total (the pairs near a cap). */
function refuseBindingCaps(
  rows: ListRowDraft[],
  listed: ListedBases,
  rates: YearRates[],
): void {
  const totals = new Map<string, { iin: string; month: string; opv: Money; osms: Money; so: Money; acts: string[] }>();
  // The person's acts per list (one list per МИО): the СО base is Σ G − the person's ОПВ there.
  const persons = new Map<string, ListRowDraft[]>();
  for (const { act, computed } of rows) {
    const { split } = computed;
    if (split.bases.opv.eq(0) && split.bases.osms.eq(0) && split.bases.so.eq(0)) continue;
    const key = `${act.assistant_iin}|${act.service_month}`;
    let t = totals.get(key);
    if (!t) {
      const prior = listed.get(key);
      t = {
        iin: act.assistant_iin,
        month: act.service_month,
        opv: prior?.opv ?? ZERO,
        osms: prior?.osms ?? ZERO,
        so: prior?.so ?? ZERO,
        acts: prior ? prior.acts.map((a) => `${a} (в прежнем списке)`) : [],
      };
      totals.set(key, t);
    }
    t.opv = t.opv.plus(split.bases.opv);
    t.osms = t.osms.plus(split.bases.osms);
    t.acts.push(`${maskIdentifier(act.provider_id)}/${act.act_no}`);
    const personKey = [key, act.mio_bin, act.kind, act.opv_exempt, act.osms_exempt, act.so_exempt].join('|');
    persons.set(personKey, [...(persons.get(personKey) ?? []), { act, computed }]);
  }
  for (const group of persons.values()) {
    const { act } = group[0];
    const person = personContributions(
      group.map((r) => ({ guaranteed: r.computed.split.guaranteed })),
      { providerKind: act.kind, exempt: { opv: act.opv_exempt, osms: act.osms_exempt, so: act.so_exempt }, rates: ratesForMonth(act.service_month, rates) },
    );
    const t = totals.get(`${act.assistant_iin}|${act.service_month}`)!;
    t.so = t.so.plus(person.bases.so);
  }
  const problems: string[] = [];
  for (const t of totals.values()) {
    const breaches = capCheck({ opvBase: t.opv, osmsBase: t.osms, soBase: t.so }, ratesForMonth(t.month, rates));
    if (breaches.length === 0) continue;
    const acts = t.acts.slice(0, 5).join(', ') + (t.acts.length > 5 ? ` и ещё ${t.acts.length - 5}` : '');
    problems.push(`помощник ${maskIdentifier(t.iin)} за ${t.month}: ${breaches.map((b) => b.message).join('; ')} (актов ${t.acts.length}: ${acts})`);
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 5);
    const more = problems.length > shown.length ? `; и ещё ${problems.length - shown.length} помощник(ов)` : '';
    throw new BusinessRuleError(
      'contribution-cap',
      `Списки не сформированы: предельная база взносов была бы превышена (помощников: ${problems.length}): ` +
        `${shown.join('; ')}${more}. Проверьте акты помощников; ничего не записано.`,
    );
  }
}

/**
 * The (assistant, service month) pairs whose monthly bases could reach a cap: this run's bases
 * plus, as an upper bound of what earlier lists took, their guaranteed sums. Only these pairs are
 * checked exactly (checkCaps); the others cannot bind.
 */
async function pairsNearCaps(trx: Trx, month: IsoMonth, splits: string, rates: YearRates[]): Promise<{ iin: string; sm: string }[]> {
  const caps = rates.map((r) => {
    const mzp = money(r.mzp);
    // The СО base per person (Σ G − the person's ОПВ) may differ from the per-act bases summed
    // here by the rounding of ОПВ: the pairs within a margin of the cap are checked exactly.
    const near = (capMzp: string) => mzp.times(capMzp).minus(NEAR_MARGIN).toFixed();
    return { year: r.year, opv: near(r.opv_cap_mzp), osms: near(r.osms_cap_mzp), so: near(r.so_cap_mzp) };
  });
  const { rows } = await trx.raw(
    `with fresh as (
       select c.assistant_iin, c.service_month, sum(s.opv_base) as opv, sum(s.osms_base) as osms, sum(s.so_base) as so
         from ${CANDIDATES} c join ${SPLITS_SQL} on ${SPLIT_JOIN}
        where not c.held and s.has_base
        group by c.assistant_iin, c.service_month),
     prior as (
       select a.assistant_iin, a.service_month, sum(lr.guaranteed) as g
         from fresh f
         join acts a on a.assistant_iin = f.assistant_iin and a.service_month = f.service_month
         join list_rows lr on lr.act_id = a.id
         join lists l on l.id = lr.list_id and l.month < :month
        group by a.assistant_iin, a.service_month)
     select f.assistant_iin as iin, f.service_month as sm
       from fresh f
       left join prior p on p.assistant_iin = f.assistant_iin and p.service_month = f.service_month
       join json_to_recordset(:caps::json) as k(year int, opv numeric, osms numeric, so numeric)
         on k.year = substr(f.service_month, 1, 4)::int
      where f.opv + coalesce(p.g, 0) > k.opv or f.osms + coalesce(p.g, 0) > k.osms or f.so + coalesce(p.g, 0) > k.so`,
    { splits, month, caps: JSON.stringify(caps) },
  );
  return (rows as { iin: string; sm: string }[]).map((r) => ({ iin: String(r.iin), sm: String(r.sm) }));
}
