// The split of one act (DOMAIN.md §2): guaranteed sum G, co-payment, ОПВ, ОСМС, the provider's
// sum inside G, and СО over G. Pure; every figure is a big.js value.
import Big from 'big.js';
import { formatAmount, min, money, percentOf, roundHalfUp, splitWithRemainder, sum, ZERO, isAmount, parseAmount, type Money, type RoundingUnit } from './money.ts';
import { hourlyRate } from './rates.ts';
import type { ProviderKind, YearRates } from './reference-files.ts';

export class SplitError extends Error {}

export interface Exemptions {
  opv: boolean;
  osms: boolean;
  so: boolean;
}

export interface SplitInput {
  /** Decimal string, at most two decimals, e.g. "176" or "7.5". */
  hours: string;
  /** The act's claimed amount, if any (decimal string). */
  claimedAmount?: string | null;
  providerKind: ProviderKind;
  /** Exemptions in force on the last day of the service month (the caller looks them up). */
  exempt: Exemptions;
  /** The rates of the service month's year. */
  rates: YearRates;
}

export interface Split {
  hourlyRate: Money;
  /** G = hours × hourly rate, half-up to the tiyn. */
  fullGuaranteed: Money;
  /** What is reimbursed: the claimed amount when it is below G, else G. */
  guaranteed: Money;
  /** Claimed − G when the claim exceeds G (reported, never paid), else 0. */
  coPayment: Money;
  opv: Money;
  osms: Money;
  /** guaranteed − ОПВ − ОСМС, exactly. */
  providerSum: Money;
  /** Social contributions, paid by the МИО over G. */
  so: Money;
  /** The bases the contributions were computed on (0 where none was computed), for the cap check. */
  bases: { opv: Money; osms: Money; so: Money };
}

const HOURS_RE = /^\d{1,4}(\.\d{1,2})?$/;

export function computeSplit(input: SplitInput): Split {
  const { rates, exempt } = input;
  if (!HOURS_RE.test(input.hours)) throw new SplitError(`Некорректное количество часов: «${input.hours}»`);
  const rate = hourlyRate(rates);
  const fullGuaranteed = roundHalfUp(new Big(input.hours).times(rate), 'tiyn');

  let guaranteed = fullGuaranteed;
  let coPayment = ZERO;
  if (input.claimedAmount != null) {
    if (!isAmount(input.claimedAmount)) throw new SplitError(`Некорректная заявленная сумма: «${input.claimedAmount}»`);
    const claimed = parseAmount(input.claimedAmount);
    guaranteed = min(claimed, fullGuaranteed);
    if (claimed.gt(fullGuaranteed)) coPayment = claimed.minus(fullGuaranteed);
  }

  const withholds = rates.withholding_kinds.includes(input.providerKind);
  const opvBase = withholds && !exempt.opv ? guaranteed : ZERO;
  const osmsBase = withholds && !exempt.osms ? guaranteed : ZERO;
  const opv = percentOf(opvBase, rates.opv_percent, rates.rounding);
  const osms = percentOf(osmsBase, rates.osms_percent, rates.rounding);

  let providerSum: Money;
  try {
    providerSum = splitWithRemainder(guaranteed, [opv, osms]).remainder;
  } catch {
    throw new SplitError(`Взносы ОПВ ${formatAmount(opv)} и ОСМС ${formatAmount(osms)} превышают сумму ${formatAmount(guaranteed)}`);
  }

  const soBase = withholds && !exempt.so ? guaranteed.minus(opv) : ZERO;
  const so = percentOf(soBase, rates.so_percent, rates.rounding);

  return {
    hourlyRate: rate,
    fullGuaranteed,
    guaranteed,
    coPayment,
    opv,
    osms,
    providerSum,
    so,
    bases: { opv: opvBase, osms: osmsBase, so: soBase },
  };
}

/**
 * The largest-remainder method: allocates `total` (a multiple of the unit) over the exact shares.
 * Each share gets its exact value floored to the unit; the units left over go one each to the
 * largest remainders, ties by position (list-row order). The parts add up to `total` exactly.
 * Refuses a total the floors cannot reach with at most one extra unit per share.
 */
export function allocateLargestRemainder(exact: Money[], total: Money, unit: RoundingUnit): Money[] {
  const dp = unit === 'tiyn' ? 2 : 0;
  const step = new Big(unit === 'tiyn' ? '0.01' : '1');
  const floors = exact.map((x) => {
    if (x.lt(0)) throw new SplitError(`Отрицательная доля при распределении: ${x.toFixed()}`);
    return x.round(dp, Big.roundDown);
  });
  const leftover = total.minus(sum(floors)).div(step);
  if (!leftover.eq(leftover.round(0)) || leftover.lt(0) || leftover.gt(exact.length)) {
    throw new SplitError(`Сумма ${formatAmount(total)} не распределяется по долям (остаток ${leftover.toFixed()} ед.)`);
  }
  const order = exact
    .map((x, i) => ({ i, rest: x.minus(floors[i]) }))
    .sort((a, b) => b.rest.cmp(a.rest) || a.i - b.i);
  const parts = [...floors];
  for (let k = 0; k < leftover.toNumber(); k++) parts[order[k].i] = parts[order[k].i].plus(step);
  return parts;
}

/** One act of a person in a list: what it reimburses (G, or the claim below it). */
export interface PersonAct {
  guaranteed: Money | string;
}

export interface PersonActSplit {
  opv: Money;
  osms: Money;
  /** guaranteed − ОПВ − ОСМС, exactly. */
  providerSum: Money;
  so: Money;
}

export interface PersonSplit {
  /** Per act, in the order given. */
  acts: PersonActSplit[];
  /** The person's contributions: each rounded once on the person's total (DOMAIN §2). */
  opv: Money;
  osms: Money;
  so: Money;
  /** The person's bases (ОПВ, ВОСМС on Σ G; СО on Σ G − ОПВ), for the cap check. */
  bases: { opv: Money; osms: Money; so: Money };
}

/**
 * Contributions per person, not per act (DOMAIN.md §2): for one assistant's acts of one service
 * month in one list (same provider kind and exemptions), ОПВ = round(rate × Σ G), ОСМС likewise,
 * СО = round(rate × (Σ G − ОПВ)), each allocated to the acts by the largest remainder of the
 * exact shares (rate × G, rate × (G − ОПВ of the act)). Every act still adds up to its G. With one
 * act this is exactly computeSplit's figures.
 */
export function personContributions(
  acts: PersonAct[],
  opts: { providerKind: ProviderKind; exempt: Exemptions; rates: YearRates },
): PersonSplit {
  const { rates, exempt } = opts;
  const withholds = rates.withholding_kinds.includes(opts.providerKind);
  const g = acts.map((a) => money(a.guaranteed));
  const allocate = (bases: Money[], percent: string): { total: Money; parts: Money[]; base: Money } => {
    const base = sum(bases);
    const total = percentOf(base, percent, rates.rounding);
    const exact = bases.map((b) => b.times(percent).div(100));
    return { total, parts: allocateLargestRemainder(exact, total, rates.rounding), base };
  };
  const opv = allocate(g.map((x) => (withholds && !exempt.opv ? x : ZERO)), rates.opv_percent);
  const osms = allocate(g.map((x) => (withholds && !exempt.osms ? x : ZERO)), rates.osms_percent);
  const so = allocate(g.map((x, i) => (withholds && !exempt.so ? x.minus(opv.parts[i]) : ZERO)), rates.so_percent);
  const split = g.map((x, i) => {
    const providerSum = x.minus(opv.parts[i]).minus(osms.parts[i]);
    if (providerSum.lt(0)) {
      throw new SplitError(`Взносы ОПВ ${formatAmount(opv.parts[i])} и ОСМС ${formatAmount(osms.parts[i])} превышают сумму ${formatAmount(x)}`);
    }
    return { opv: opv.parts[i], osms: osms.parts[i], providerSum, so: so.parts[i] };
  });
  return { acts: split, opv: opv.total, osms: osms.total, so: so.total, bases: { opv: opv.base, osms: osms.base, so: so.base } };
}

export type CapKind = 'opv' | 'osms' | 'so';

export interface CapTotals {
  opvBase: Money | string;
  osmsBase: Money | string;
  soBase: Money | string;
}

export interface CapBreach {
  kind: CapKind;
  base: Money;
  cap: Money;
  /** Russian, for the refusal message. */
  message: string;
}

const CAP_LABEL: Record<CapKind, string> = { opv: 'ОПВ', osms: 'ВОСМС', so: 'СО' };

/**
 * Caps per person per month: ОПВ base ≤ opv_cap_mzp × МЗП, ВОСМС base ≤ osms_cap_mzp × МЗП,
 * СО base ≤ so_cap_mzp × МЗП. Returns the caps that would bind (base strictly above the cap);
 * an empty list means the computed figures stand. The list builder refuses when it is not empty.
 */
export function capCheck(totals: CapTotals, rates: YearRates): CapBreach[] {
  const mzp = money(rates.mzp);
  const checks: [CapKind, Money | string, string][] = [
    ['opv', totals.opvBase, rates.opv_cap_mzp],
    ['osms', totals.osmsBase, rates.osms_cap_mzp],
    ['so', totals.soBase, rates.so_cap_mzp],
  ];
  const breaches: CapBreach[] = [];
  for (const [kind, baseValue, capMzp] of checks) {
    const base = money(baseValue);
    const cap = mzp.times(capMzp);
    if (base.gt(cap)) {
      breaches.push({
        kind,
        base,
        cap,
        message:
          `База ${CAP_LABEL[kind]} ${formatAmount(base)} за месяц превышает предел ${capMzp} МЗП = ${formatAmount(cap)} ` +
          `(${rates.year} год); расчёт с ограничением базы не поддерживается`,
      });
    }
  }
  return breaches;
}
