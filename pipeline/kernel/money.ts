// Money in KZT with two decimals (tiyn). big.js only; amounts cross every boundary as
// decimal strings. A JavaScript number never holds an amount.
import Big from 'big.js';

export type Money = Big;
export type RoundingUnit = 'tiyn' | 'tenge';

const AMOUNT_RE = /^\d{1,16}(\.\d{1,2})?$/;

export class MoneyFormatError extends Error {}

/** Parses a decimal string with a dot and at most two decimals, e.g. "1234.5". */
export function parseAmount(text: string): Money {
  const s = text.trim();
  if (!AMOUNT_RE.test(s)) throw new MoneyFormatError(`not an amount: "${text}"`);
  return new Big(s);
}

export function isAmount(text: string): boolean {
  return AMOUNT_RE.test(text.trim());
}

/** Reads an amount as it comes from the database or a trusted report ("123.40", "0"). */
export function money(value: string | Big): Money {
  return value instanceof Big ? value : new Big(value);
}

export const ZERO: Money = new Big(0);

/** Non-negative, no leading zeros, exactly two decimals: "0.00", "47196.16". */
const CANONICAL_AMOUNT_RE = /^(0|[1-9]\d*)\.\d\d$/;

/** Two decimals, dot, no grouping: "1234.50". The form of every amount at a boundary. */
export function formatAmount(value: Money | string): string {
  // Already in its canonical form (as numeric(18,2) comes out of PostgreSQL): big.js would give
  // back the same text, so the decimal is not parsed and printed again.
  if (typeof value === 'string' && CANONICAL_AMOUNT_RE.test(value)) return value;
  return money(value).toFixed(2, Big.roundHalfUp);
}

/** Half-up to the tiyn (0.01) or to the whole tenge. */
export function roundHalfUp(value: Money, unit: RoundingUnit = 'tiyn'): Money {
  return value.round(unit === 'tiyn' ? 2 : 0, Big.roundHalfUp);
}

/** value × percent / 100, rounded half-up to the unit. */
export function percentOf(value: Money, percent: Money | string, unit: RoundingUnit = 'tiyn'): Money {
  return roundHalfUp(money(value).times(percent).div(100), unit);
}

export function sum(values: Iterable<Money | string>): Money {
  let total = ZERO;
  for (const v of values) total = total.plus(money(v));
  return total;
}

export function min(a: Money, b: Money): Money {
  return a.lte(b) ? a : b;
}

export function max(a: Money, b: Money): Money {
  return a.gte(b) ? a : b;
}

/**
 * Splits a total into parts: every part but the last is given, the last is the remainder,
 * so the parts always add up to the total exactly. Refuses a negative remainder.
 */
export function splitWithRemainder(total: Money, parts: Money[]): { parts: Money[]; remainder: Money } {
  const remainder = total.minus(sum(parts));
  if (remainder.lt(0)) throw new Error(`split exceeds total: ${formatAmount(total)}`);
  return { parts, remainder };
}
