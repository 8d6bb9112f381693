// Numbers and references of ГК's payment orders (DOMAIN.md §3): order numbers are gapless per
// calendar year, taken under a row lock that a rollback gives back; every line carries an
// end-to-end reference, built from its order's number, that a bank return quotes.
import type { Knex } from 'knex';

/** The end-to-end reference of a line: "GK2025-000123-00001" (≤ 35 characters, unique). */
export function lineRef(year: number, number: number, seq: number): string {
  return `GK${year}-${String(number).padStart(6, '0')}-${String(seq).padStart(5, '0')}`;
}

/** `String(expr).padStart(width, '0')` in SQL (lpad would cut a longer value). */
function padSql(expr: string, width: number): string {
  return `(case when length((${expr})::text) >= ${width} then (${expr})::text else lpad((${expr})::text, ${width}, '0') end)`;
}

/**
 * lineRef in SQL: `prefix` the SQL of "GK<year>-" (a binding), `number` and `seq` SQL integer
 * expressions of the order number and the line's place in it.
 */
export function lineRefSql(prefix: string, number: string, seq: string): string {
  return `${prefix} || ${padSql(number, 6)} || '-' || ${padSql(seq, 5)}`;
}

/** The message id of an order's pain.001: "GK2025-000123". */
export function orderMessageId(year: number, number: number): string {
  return `GK${year}-${String(number).padStart(6, '0')}`;
}

/**
 * Takes `n` consecutive order numbers of `year`: the year's counter row is created if missing
 * and incremented in one upsert, which locks it until the transaction ends — a concurrent
 * numberer waits, and a rollback gives the numbers back, so the sequence has no gaps.
 */
export async function takeOrderNumbers(trx: Knex.Transaction, year: number, n: number): Promise<number> {
  const { rows } = await trx.raw(
    `insert into order_counters (year, last_number) values (?, ?)
     on conflict (year) do update set last_number = order_counters.last_number + excluded.last_number
     returning last_number`,
    [year, n],
  );
  return Number(rows[0].last_number) - n + 1;
}
