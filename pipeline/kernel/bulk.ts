// Bulk inserts in chunks: one round trip per chunk, never one per row. Each chunk travels as a
// single JSON parameter expanded by json_populate_recordset into the table's own column types,
// so a chunk of thousands of rows is one short statement (no 65 535-parameter ceiling, no
// per-value binding cost). Amounts stay decimal strings in the JSON and become numeric in SQL.
import type { Trx } from './db.ts';
import { faultPoint } from './faults.ts';

export const INSERT_CHUNK = 5000;

const IDENT_RE = /^[a-z_][a-z0-9_]*$/;

/**
 * Inserts rows (all with the same keys, named after the table's columns) in chunks. Values are
 * strings, booleans, integers (ids, counts), null, or objects for json/jsonb columns. When
 * `point` is given, that fault point (crash drills) fires once, right after the chunk that
 * completes the first half of the rows.
 */
export async function insertInChunks(
  trx: Trx,
  table: string,
  rows: Record<string, unknown>[],
  point?: string,
): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]);
  for (const c of [table, ...columns]) if (!IDENT_RE.test(c)) throw new Error(`insertInChunks: bad identifier ${c}`);
  const list = columns.join(', ');
  const sql = `insert into ${table} (${list}) select ${list} from json_populate_recordset(null::${table}, ?::json)`;
  const half = Math.floor(rows.length / 2);
  let fired = false;
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await trx.raw(sql, [JSON.stringify(rows.slice(i, i + INSERT_CHUNK))]);
    if (point && !fired && i + INSERT_CHUNK >= half) {
      fired = true;
      faultPoint(point);
    }
  }
}
