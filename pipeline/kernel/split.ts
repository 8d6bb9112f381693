// The split of one act (DOMAIN.md §2): guaranteed sum G, co-payment, ОПВ, ОСМС, the provider's
// sum inside G, and СО over G. Pure; every figure is a big.js value.
import Big from 'big.js';
import { formatAmount, min, money, percentOf, roundHalfUp, splitWithRemainder, ZERO, isAmount, parseAmount, type Money } from './money.ts';
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
