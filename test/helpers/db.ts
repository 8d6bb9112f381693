// A fresh database per test file: a new PostgreSQL database (dropped after) when PostgreSQL is
// up, else an in-memory PGlite. Both get the migrations and the reference data.
import { randomBytes } from 'node:crypto';
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
