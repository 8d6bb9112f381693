// The digest of the rows a step stages for runStep to hash (pipeline/kernel/step-run.ts): their
// count and the sha256 of one line per row — the fields joined by '|', lines joined by LF in a
// fixed order — computed in SQL, so a million staged rows never travel to the application. The
// text hashed must stay byte for byte what it is: a step re-run after an upgrade compares its
// digest with the one its first run stored.
import type { Knex } from 'knex';

export interface RowsDigest {
  count: number;
  sha256: string;
}

export interface DigestSpec {
  /** The staged relation (a table name). */
  from: string;
  /** SQL expressions of the fields of a row's line, in order (concat_ws skips nulls). */
  fields: string[];
  /** SQL ordering of the lines. */
  orderBy: string;
  /** SQL condition on the rows, with its bindings. */
  where?: string;
  bindings?: Knex.RawBinding[];
}

function digestColumns(spec: DigestSpec): string {
  return `count(*)::int as count,
          encode(sha256(convert_to(coalesce(string_agg(concat_ws('|', ${spec.fields.join(', ')}), E'\\n' order by ${spec.orderBy}), ''),
                                   'UTF8')), 'hex') as sha256`;
}

const whereOf = (spec: DigestSpec) => (spec.where ? ` where ${spec.where}` : '');

/** The digest of the rows (no rows: count 0 and the sha256 of the empty text). */
export async function digestRows(trx: Knex.Transaction, spec: DigestSpec): Promise<RowsDigest> {
  const { rows } = await trx.raw(`select ${digestColumns(spec)} from ${spec.from}${whereOf(spec)}`, spec.bindings ?? []);
  return { count: Number(rows[0].count), sha256: String(rows[0].sha256) };
}

/** The digest of the rows per value of `groupBy` (an SQL expression); a value without rows is absent. */
export async function digestRowsBy(trx: Knex.Transaction, spec: DigestSpec & { groupBy: string }): Promise<Map<string, RowsDigest>> {
  const { rows } = await trx.raw(
    `select ${spec.groupBy} as grp, ${digestColumns(spec)} from ${spec.from}${whereOf(spec)} group by 1`,
    spec.bindings ?? [],
  );
  return new Map((rows as { grp: unknown; count: number; sha256: string }[]).map((r) => [String(r.grp), { count: Number(r.count), sha256: String(r.sha256) }]));
}
