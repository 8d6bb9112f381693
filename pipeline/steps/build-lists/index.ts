// Е-Собес, the 14th of the list month M (DOMAIN.md §2–3, 002 §6–9): one list (Appendix 1) per
// МИО of every act accepted on or before the as-of date and not yet listed, with the split
// computed per act; accepted acts the list cannot take are held with a reason. The same run
// notifies every provider of its formed sum, queues the Appendix 2 transmission to ЦБД per list
// and posts the 'list' ledger entries.
//
// Set-based: one statement stages the candidate acts (exemption flags and bank-details version
// resolved) in a temporary table; the split is computed (computeSplit, big.js) once per distinct
// (year, hours, claim, kind, exemptions) and joined back in SQL; holds and caps are decided in
// TypeScript over the few acts that could be held or bind a cap. The rows never travel to the
// application, so a million acts cost a handful of statements and little memory.
import type { Db, Trx } from '../../kernel/db.ts';
import { firstDayOfMonth, lastDayOfMonth, type IsoDate, type IsoMonth } from '../../kernel/dates.ts';
import { BusinessRuleError } from '../../kernel/errors.ts';
import { faultPoint } from '../../kernel/faults.ts';
import { account, post, type Entry } from '../../ledger.ts';
import { formatAmount, money, sum, ZERO, type Money } from '../../kernel/money.ts';
import { ratesForMonth, RatesError } from '../../kernel/rates.ts';
import { loadRates } from '../../kernel/reference.ts';
import type { ProviderKind, YearRates } from '../../kernel/reference-files.ts';
import { capCheck, computeSplit, SplitError, type Split } from '../../kernel/split.ts';
import { maskIdentifier } from '../../kernel/identifiers.ts';
import { monthStepDates, runStep, type StepOptions, type StepOutcome } from '../../kernel/step-run.ts';
import { insertInChunks } from '../../kernel/bulk.ts';
import { digestRows, type RowsDigest } from '../../kernel/input-digest.ts';
import { bankDetailsInForce } from '../../rules/bank-details-in-force.ts';

export const BUILD_LISTS_STEP = 'build-lists';

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

/** The split of an act with the figures as they are written to the list row. */
interface ComputedSplit {
  split: Split;
  cols: {
    hourly_rate: string;
    full_guaranteed: string;
    guaranteed: string;
    co_payment: string;
    provider_sum: string;
    opv: string;
    osms: string;
    so: string;
  };
}

export interface ListRowDraft {
  act: CandidateAct;
  computed: ComputedSplit;
}

export interface HoldDraft {
  act_id: number;
  provider_id: string;
  act_no: string;
  reason: string;
}

export interface ListTotals {
  guaranteed: string;
  provider_sum: string;
  opv: string;
  osms: string;
  so: string;
}

export interface BuiltList extends ListTotals {
  mio_bin: string;
  list_id: number;
  rows: number;
}

export interface BuildListsResult {
  month: string;
  built_on: string;
  lists: BuiltList[];
  rows: number;
  held: HoldDraft[];
  totals: ListTotals;
  /** Rows listed with a bank-details version that a bank return marked incorrect. */
  incorrect_bank_details: number;
  providers_notified: number;
}

// ---------------------------------------------------------------------------------------------
// Reading

/** The last day of the service month, computed in SQL from the 'YYYY-MM' text. */
const SERVICE_MONTH_END = `(to_date(a.service_month, 'YYYY-MM') + interval '1 month' - interval '1 day')::date`;

/** The temporary table (dropped at commit) in which a run stages its candidate acts. */
const CANDIDATES = 'list_candidates';

/**
 * Stages the candidates in list_candidates: acts accepted on or before as-of and not listed by a
 * list of an earlier month, with the provider, the exemption flags and the bank-details version
 * resolved, and a `held` mark (false until the holds are decided). (Lists are built in month
 * order, so at the first run of M no later list exists; at a repeated run the acts its own run
 * listed are still candidates, and the inputs hash the same.) The acts stay in the database: a
 * million of them never travel to the application.
 */
async function stageCandidates(trx: Trx, month: IsoMonth, asOf: IsoDate): Promise<void> {
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
async function readCandidates(trx: Trx, where: string, bindings: Record<string, unknown> = {}): Promise<CandidateAct[]> {
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
function digestCandidates(trx: Trx): Promise<RowsDigest> {
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
async function candidateYears(trx: Trx): Promise<number[]> {
  const { rows } = await trx.raw(`select distinct substr(service_month, 1, 4)::int as year from ${CANDIDATES} order by 1`);
  return (rows as { year: number }[]).map((r) => Number(r.year));
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
): Promise<Map<string, { opv: Money; osms: Money; so: Money; acts: string[] }>> {
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
  const out = new Map<string, { opv: Money; osms: Money; so: Money; acts: string[] }>();
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

// ---------------------------------------------------------------------------------------------
// Deciding

/** Why an accepted act is not taken by the list of month M, or null when it is taken. */
export function holdReason(act: CandidateAct, month: IsoMonth, asOf: IsoDate): string | null {
  if (act.deregistered_on !== null && act.deregistered_on < firstDayOfMonth(act.service_month)) {
    const why = act.deregistration_reason ? ` (${act.deregistration_reason})` : '';
    return (
      `Поставщик снят с учёта ${act.deregistered_on}${why}, до начала месяца оказания услуг ${act.service_month}: ` +
      `акт за этот месяц возмещению не подлежит`
    );
  }
  if (act.registered_on > lastDayOfMonth(act.service_month)) {
    return (
      `Месяц оказания услуг ${act.service_month} предшествует регистрации поставщика ${act.registered_on}: ` +
      `акт возмещению не подлежит`
    );
  }
  if (act.service_month >= month) {
    return `Месяц оказания услуг ${act.service_month} ещё не завершён: акт войдёт в список после его окончания`;
  }
  if (act.bank_detail_id === null) {
    return `Нет банковских реквизитов поставщика на ${asOf}: акт войдёт в список после их поступления`;
  }
  return null;
}

/**
 * The split of each act, memoized on what it depends on (year, hours, claim, kind, exemptions):
 * computeSplit is pure, and the acts of a month repeat the same few hour counts.
 */
class SplitCache {
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

/** Refuses the whole run when a cap would bind for an assistant's monthly total. */
function checkCaps(
  rows: ListRowDraft[],
  listed: Map<string, { opv: Money; osms: Money; so: Money; acts: string[] }>,
  rates: YearRates[],
): void {
  const totals = new Map<string, { iin: string; month: string; opv: Money; osms: Money; so: Money; acts: string[] }>();
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
    t.so = t.so.plus(split.bases.so);
    t.acts.push(`${maskIdentifier(act.provider_id)}/${act.act_no}`);
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

// ---------------------------------------------------------------------------------------------
// Writing

async function assertLaterListsAbsent(trx: Trx, month: IsoMonth): Promise<void> {
  const later = await trx('step_runs').where({ step: BUILD_LISTS_STEP }).andWhere('run_key', '>', month).orderBy('run_key').first();
  if (later) {
    throw new BusinessRuleError(
      'lists-in-month-order',
      `Списки за ${month} не могут быть сформированы: уже сформированы списки за более поздний месяц ${later.run_key}. ` +
        `Списки формируются по порядку месяцев; непринятые акты войдут в следующий список.`,
    );
  }
}

function validate(opts: StepOptions): { month: IsoMonth; asOf: IsoDate } {
  return monthStepDates(opts, 'Укажите месяц списка --month ГГГГ-ММ', (month, asOf) =>
    `Список за ${month} формируется в этом же месяце (по умолчанию 14-го числа); дата запуска ${asOf} вне месяца списка`,
  );
}

/** Per-list totals as stored, summed in SQL over the rows this run wrote. */
async function readListTotals(trx: Trx, runId: number): Promise<BuiltList[]> {
  const rows = (await trx('lists as l')
    .join('list_rows as lr', 'lr.list_id', 'l.id')
    .where('l.run_id', runId)
    .groupBy('l.id', 'l.mio_bin')
    .select(
      'l.id as list_id',
      'l.mio_bin',
      trx.raw('count(*)::int as rows'),
      trx.raw('sum(lr.guaranteed)::text as guaranteed'),
      trx.raw('sum(lr.provider_sum)::text as provider_sum'),
      trx.raw('sum(lr.opv)::text as opv'),
      trx.raw('sum(lr.osms)::text as osms'),
      trx.raw('sum(lr.so)::text as so'),
    )
    .orderBy('l.mio_bin')) as Record<string, string | number>[];
  return rows.map((r) => ({
    mio_bin: String(r.mio_bin),
    list_id: Number(r.list_id),
    rows: Number(r.rows),
    guaranteed: formatAmount(String(r.guaranteed)),
    provider_sum: formatAmount(String(r.provider_sum)),
    opv: formatAmount(String(r.opv)),
    osms: formatAmount(String(r.osms)),
    so: formatAmount(String(r.so)),
  }));
}

/**
 * One notification per provider to its cabinet with the sum formed for it in month M's lists
 * (all МИО together), set-based from the rows this run wrote. Returns how many were queued.
 */
async function notifyProviders(trx: Trx, runId: number, month: IsoMonth, asOf: IsoDate): Promise<number> {
  const { rowCount } = await trx.raw(
    `insert into notifications (dedupe_key, channel, recipient, kind, payload, created_on)
     select 'list:' || :month || ':' || lr.provider_id, 'provider_cabinet', lr.provider_id, 'list_sum',
            jsonb_build_object(
              'month', :month::text,
              'provider_id', lr.provider_id,
              'rows', count(*),
              'provider_sum', sum(lr.provider_sum)::text,
              'guaranteed', sum(lr.guaranteed)::text,
              'opv', sum(lr.opv)::text,
              'osms', sum(lr.osms)::text,
              'text', 'Сформирован список на возмещение за ' || :month || ': актов ' || count(*) ||
                      ', сумма к перечислению ' || sum(lr.provider_sum)::text || ' тенге'),
            :asOf::date
       from list_rows lr join lists l on l.id = lr.list_id
      where l.run_id = :runId
      group by lr.provider_id
      order by lr.provider_id`,
    { month, asOf, runId },
  );
  return Number(rowCount ?? 0);
}

/** The split of one key (year, hours, claim, kind, exemptions) as the set-based insert joins it. */
interface SplitRow {
  year: number;
  hours: string;
  claimed_amount: string;
  kind: string;
  opv_exempt: boolean;
  osms_exempt: boolean;
  so_exempt: boolean;
  hourly_rate: string;
  full_guaranteed: string;
  guaranteed: string;
  co_payment: string;
  provider_sum: string;
  opv: string;
  osms: string;
  so: string;
  opv_base: string;
  osms_base: string;
  so_base: string;
  has_base: boolean;
}

/** The SQL of the split table (one JSON parameter) and its join to a candidate `c`. */
const SPLITS_SQL = `json_to_recordset(:splits::json) as s(year int, hours text, claimed_amount text, kind text,
  opv_exempt boolean, osms_exempt boolean, so_exempt boolean, hourly_rate numeric, full_guaranteed numeric, guaranteed numeric,
  co_payment numeric, provider_sum numeric, opv numeric, osms numeric, so numeric, opv_base numeric, osms_base numeric,
  so_base numeric, has_base boolean)`;
const SPLIT_JOIN = `s.year = substr(c.service_month, 1, 4)::int and s.hours = c.hours
  and s.claimed_amount = coalesce(c.claimed_amount, '') and s.kind = c.kind
  and s.opv_exempt = c.opv_exempt and s.osms_exempt = c.osms_exempt and s.so_exempt = c.so_exempt`;

/**
 * The (assistant, service month) pairs whose monthly bases could reach a cap: this run's bases
 * plus, as an upper bound of what earlier lists took, their guaranteed sums. Only these pairs are
 * checked exactly (checkCaps); the others cannot bind.
 */
async function pairsNearCaps(trx: Trx, month: IsoMonth, splits: string, rates: YearRates[]): Promise<{ iin: string; sm: string }[]> {
  const caps = rates.map((r) => {
    const mzp = money(r.mzp);
    return { year: r.year, opv: mzp.times(r.opv_cap_mzp).toFixed(), osms: mzp.times(r.osms_cap_mzp).toFixed(), so: mzp.times(r.so_cap_mzp).toFixed() };
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

/** `payouts run build-lists --month M`: the lists of month M as of the as-of date. */
export async function buildLists(db: Db, opts: StepOptions): Promise<StepOutcome<BuildListsResult>> {
  const { month, asOf } = validate(opts);
  let rates: YearRates[] = [];

  return runStep<Record<string, unknown>, BuildListsResult>(db, {
    step: BUILD_LISTS_STEP,
    key: month,
    asOf,
    operator: opts.operator,
    dryRun: opts.dryRun,
    async inputs(trx) {
      await stageCandidates(trx, month, asOf);
      rates = await loadRates(trx);
      const acts = await digestCandidates(trx);
      // Only the years the candidates use: loading next year's rates must not change a past month.
      const years = await candidateYears(trx);
      return { month, acts, rates: rates.filter((r) => years.includes(r.year)) };
    },
    async apply(ctx) {
      const { trx, runId } = ctx;
      await assertLaterListsAbsent(trx, month);

      // Holds: decided by holdReason over the few candidates that could be held at all.
      const held: HoldDraft[] = [];
      const maybeHeld = await readCandidates(
        trx,
        `deregistered_on is not null or registered_on >= to_date(service_month, 'YYYY-MM') or service_month >= :month or bank_detail_id is null`,
        { month },
      );
      for (const act of maybeHeld) {
        const reason = holdReason(act, month, asOf);
        if (reason) held.push({ act_id: act.id, provider_id: act.provider_id, act_no: act.act_no, reason });
      }
      if (held.length > 0) await trx.raw(`update ${CANDIDATES} set held = true where id = any(?::bigint[])`, [held.map((h) => h.act_id)]);

      // The split of each distinct (year, hours, claim, kind, exemptions), computed once; the
      // first act of each (by id) names the act when a split cannot be made.
      const splits = new SplitCache(rates);
      const splitRows: SplitRow[] = [];
      const representatives = await readCandidates(
        trx,
        `not held and id in (select min(id) from ${CANDIDATES} where not held
                              group by substr(service_month, 1, 4), hours, claimed_amount, kind, opv_exempt, osms_exempt, so_exempt)`,
      );
      for (const act of representatives) {
        const { split, cols } = splits.of(act);
        splitRows.push({
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
        });
      }
      const splitsJson = JSON.stringify(splitRows);

      // Caps per assistant and service month, with what earlier lists already took: all or nothing.
      const near = await pairsNearCaps(trx, month, splitsJson, rates);
      if (near.length > 0) {
        const rows = (
          await readCandidates(trx, `not held and (assistant_iin, service_month) in (select * from json_to_recordset(:pairs::json) as p(iin bpchar, sm bpchar))`, {
            pairs: JSON.stringify(near),
          })
        ).map((act) => ({ act, computed: splits.of(act) }));
        checkCaps(rows, await readListedBases(trx, month, near, rates), rates);
      }

      // One list per МИО, rows numbered by service month, provider, act number (byte order, as in rowOrder).
      const { rows: mioRows } = await trx.raw(`select distinct mio_bin from ${CANDIDATES} where not held order by mio_bin`);
      const mios = (mioRows as { mio_bin: string }[]).map((r) => String(r.mio_bin));
      if (mios.length > 0) {
        await trx('lists').insert(mios.map((mio_bin) => ({ month, mio_bin, built_on: asOf, run_id: runId })));
      }
      const { rowCount } = await trx.raw(
        `insert into list_rows (list_id, row_no, act_id, mio_bin, provider_id, provider_kind, service_month, hours, hourly_rate,
                                full_guaranteed, guaranteed, co_payment, provider_sum, opv, osms, so, opv_exempt, osms_exempt, so_exempt,
                                bank_detail_id)
         select l.id,
                row_number() over (partition by c.mio_bin order by c.service_month collate "C", c.provider_id collate "C", c.act_no collate "C"),
                c.id, c.mio_bin, c.provider_id, c.kind, c.service_month, c.hours::numeric, s.hourly_rate, s.full_guaranteed, s.guaranteed,
                s.co_payment, s.provider_sum, s.opv, s.osms, s.so, c.opv_exempt, c.osms_exempt, c.so_exempt, c.bank_detail_id
           from ${CANDIDATES} c
           join ${SPLITS_SQL} on ${SPLIT_JOIN}
           join lists l on l.run_id = :runId and l.mio_bin = c.mio_bin
          where not c.held`,
        { splits: splitsJson, runId },
      );
      const { rows: counts } = await trx.raw(
        `select count(*) filter (where not held)::int as taken,
                count(*) filter (where not held and bank_detail_incorrect)::int as incorrect
           from ${CANDIDATES}`,
      );
      const taken = Number(counts[0].taken);
      if (Number(rowCount) !== taken) throw new Error(`build-lists: wrote ${rowCount} list rows of ${taken}`);
      faultPoint('build-lists.rows-half');
      await insertInChunks(
        trx,
        'list_holds',
        held.map((h) => ({ month, act_id: h.act_id, reason: h.reason, run_id: runId })),
      );
      faultPoint('build-lists.after-rows');

      // Totals as stored; the ledger, the ЦБД transmission and the summary all read them.
      const lists = await readListTotals(trx, runId);
      const providersNotified = await notifyProviders(trx, runId, month, asOf);
      await insertInChunks(
        trx,
        'notifications',
        lists.map((l) => ({
          dedupe_key: `cbd:list:${month}:${l.mio_bin}`,
          channel: 'cbd',
          recipient: 'АИС «ЦБД»',
          kind: 'transmission',
          payload: { month, mio_bin: l.mio_bin, list_id: l.list_id, rows: l.rows, guaranteed: l.guaranteed, provider_sum: l.provider_sum, opv: l.opv, osms: l.osms },
          created_on: asOf,
        })),
      );
      faultPoint('build-lists.before-ledger');
      await post(
        trx,
        lists.map(
          (l): Entry => ({
            date: asOf,
            source: 'list',
            sourceId: String(l.list_id),
            description: `Список по актам за ${month}, МИО ${l.mio_bin}: ${l.rows} строк`,
            runId,
            postings: [
              { account: account.mioExpense(l.mio_bin), debit: money(l.guaranteed).plus(l.so) },
              { account: account.providerPayable(l.mio_bin), credit: money(l.provider_sum) },
              { account: account.enpfPayable(l.mio_bin), credit: money(l.opv) },
              { account: account.fsmsPayable(l.mio_bin), credit: money(l.osms) },
              { account: account.gfssPayable(l.mio_bin), credit: money(l.so) },
            ],
          }),
        ),
      );

      const total = (k: keyof ListTotals) => formatAmount(sum(lists.map((l) => l[k])));
      return {
        month,
        built_on: asOf,
        lists,
        rows: taken,
        held,
        totals: { guaranteed: total('guaranteed'), provider_sum: total('provider_sum'), opv: total('opv'), osms: total('osms'), so: total('so') },
        incorrect_bank_details: Number(counts[0].incorrect),
        providers_notified: providersNotified,
      };
    },
    summarize(r) {
      return {
        month: r.month,
        built_on: r.built_on,
        lists: r.lists.length,
        rows: r.rows,
        held: r.held.length,
        ...r.totals,
        incorrect_bank_details: r.incorrect_bank_details,
        providers_notified: r.providers_notified,
        mios: r.lists.map((l) => ({ mio_bin: l.mio_bin, rows: l.rows, guaranteed: l.guaranteed, provider_sum: l.provider_sum })),
      };
    },
  });
}
