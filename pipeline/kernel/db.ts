// Database connection: real PostgreSQL when a URL is given (--db or DATABASE_URL), else the
// embedded PGlite database in ./var/pglite. The same knex API and migrations serve both.
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { createRequire } from 'node:module';
import type { PGlite as PGliteClass, Results } from '@electric-sql/pglite';

// PGlite and its knex dialect load only when the embedded database is used (they cost ~0.6 s
// of start-up that a run against PostgreSQL should not pay).
const requireLazy = createRequire(import.meta.url);

export type Db = Knex;
export type Trx = Knex.Transaction;

const DATE_OID = 1082;
const INT8_OID = 20;

// Dates stay 'YYYY-MM-DD' strings (no time-zone drift); numeric stays a decimal string;
// bigint counts become numbers (counts only, never amounts).
pg.types.setTypeParser(DATE_OID, (v: string) => v);
pg.types.setTypeParser(INT8_OID, (v: string) => Number(v));

const NUMERIC_OID = 1700;

// PGlite 0.5 ignores constructor-level parsers for some types (dates came back as Date), so
// the parsers are passed with every query.
const PGLITE_PARSERS = {
  [DATE_OID]: (v: string) => v,
  [INT8_OID]: (v: string) => Number(v),
  [NUMERIC_OID]: (v: string) => v,
};

function createPglite(dir: string | undefined): PGliteClass {
  const { PGlite } = requireLazy('@electric-sql/pglite') as typeof import('@electric-sql/pglite');
  class ParsingPGlite extends PGlite {
    override query<T>(...args: Parameters<PGliteClass['query']>): Promise<Results<T>> {
      const [sql, params, options] = args;
      return super.query<T>(sql, params, { ...options, parsers: { ...PGLITE_PARSERS, ...options?.parsers } });
    }
  }
  return new ParsingPGlite(dir);
}

/** The embedded database's folder: PAYOUTS_PGLITE_DIR, else ./var/pglite. */
export const DEFAULT_PGLITE_DIR = path.resolve(process.env.PAYOUTS_PGLITE_DIR || path.join('var', 'pglite'));

export interface ConnectOptions {
  url?: string;
  pgliteDir?: string;
}

export function describeTarget(opts: ConnectOptions = {}): string {
  const url = opts.url ?? process.env.DATABASE_URL;
  if (url) return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  return `PGlite ${opts.pgliteDir ?? DEFAULT_PGLITE_DIR}`;
}

export function connect(opts: ConnectOptions = {}): Db {
  const url = opts.url ?? process.env.DATABASE_URL;
  if (url) {
    return knexFactory({
      client: 'pg',
      connection: { connectionString: url, application_name: 'payouts' },
      pool: { min: 0, max: 5 },
      // knex prints pool errors itself; the CLI reports them once, in Russian.
      log: process.env.PAYOUTS_DEBUG ? undefined : { error: () => {}, warn: () => {}, deprecate: () => {}, debug: () => {} },
    });
  }
  const dir = opts.pgliteDir ?? DEFAULT_PGLITE_DIR;
  if (dir !== 'memory://') mkdirSync(dir, { recursive: true });
  const pglite = createPglite(dir === 'memory://' ? undefined : dir);
  const ClientPgLite = requireLazy('knex-pglite') as unknown;
  return knexFactory({
    client: ClientPgLite as unknown as typeof Knex.Client,
    dialect: 'postgres',
    connection: () => ({ pglite }) as unknown as Knex.StaticConnectionConfig,
  } as Knex.Config);
}

