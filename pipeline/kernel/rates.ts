// Yearly rates (DOMAIN.md §2): the row of the service month's year, and the hourly rate.
import { yearOf, assertMonth, type IsoMonth } from './dates.ts';
import { percentOf, money, type Money } from './money.ts';
import type { YearRates } from './reference-files.ts';

export type { YearRates } from './reference-files.ts';

export class RatesError extends Error {}

export function ratesForYear(year: number, rates: YearRates[]): YearRates {
  const found = rates.filter((r) => r.year === year);
  if (found.length === 0) {
    throw new RatesError(`Показатели (МРП, МЗП, ставки взносов) не загружены для ${year} года`);
  }
  if (found.length > 1) throw new RatesError(`Показатели на ${year} год заданы более одного раза`);
  return found[0];
}

/** The rates of the year of the service month. */
export function ratesForMonth(serviceMonth: IsoMonth, rates: YearRates[]): YearRates {
  return ratesForYear(yearOf(assertMonth(serviceMonth)), rates);
}

/** МРП × hourly_rate_percent (13.64 %), half-up to the tiyn. */
export function hourlyRate(r: YearRates): Money {
  return percentOf(money(r.mrp), r.hourly_rate_percent, 'tiyn');
}
