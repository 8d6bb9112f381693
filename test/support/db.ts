// A fresh database per test file: a new PostgreSQL database (dropped after) when PostgreSQL is
// up, else an in-memory PGlite. Both get the migrations and the reference data. And the row
// counts the tests compare before and after a step.
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import pg from 'pg';
import { connect, type Db } from '../../pipeline/kernel/db.ts';
import { migrate } from '../../pipeline/kernel/migrate.ts';
import { PG_ADMIN_URL, postgresAvailable } from './services.ts';

export interface TestDb {
  db: Db;
  /** The connection URL for child processes, when on PostgreSQL. */
  url?: string;
  kind: 'postgres' | 'pglite';
  drop(): Promise<void>;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `payouts_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin(`create database ${name}`);
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: () => admin(`drop database if exists ${name} with (force)`),
  };
}

export async function freshDb(opts: { migrate?: boolean; pgliteOnly?: boolean } = {}): Promise<TestDb> {
  let t: TestDb;
  if (!opts.pgliteOnly && (await postgresAvailable())) {
    const created = await createPostgresDatabase();
    const db = connect({ url: created.url });
    t = {
      db,
      url: created.url,
      kind: 'postgres',
      drop: async () => {
        await db.destroy();
        await created.drop();
      },
    };
  } else {
    const db = connect({ url: '', pgliteDir: 'memory://' });
    t = { db, kind: 'pglite', drop: () => db.destroy() };
  }
  if (opts.migrate !== false) await migrate(t.db);
  return t;
}

type Q = Db | Knex.Transaction;

/** The rows of a table (those matching `where`). */
export async function count(db: Q, table: string, where: Record<string, unknown> = {}): Promise<number> {
  const [{ n }] = await db(table).where(where).count({ n: '*' });
  return Number(n);
}

/** The rows of each table, by name, in one query: what a step left, to compare before and after. */
export async function counts(db: Q, tables: readonly string[]): Promise<Record<string, number>> {
  if (!tables.length) return {};
  const sql = tables.map(() => 'select ?::text as t, count(*)::int as n from ??').join(' union all ');
  const { rows } = (await db.raw(sql, tables.flatMap((t) => [t, t]))) as { rows: { t: string; n: number }[] };
  const byTable = new Map(rows.map((r) => [r.t, Number(r.n)]));
  return Object.fromEntries(tables.map((t) => [t, byTable.get(t) ?? 0]));
}
