// Database connection: real PostgreSQL when a URL is given (--db or DATABASE_URL), else the
// embedded PGlite database in ./var/pglite. The same knex API and migrations serve both.
import path from 'node:path';
import os from 'node:os';
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import type { Knex } from 'knex';
import { createRequire } from 'node:module';
import type { PGlite as PGliteClass, Results } from '@electric-sql/pglite';
import { UsageError } from './errors.ts';

// PGlite and its knex dialect load only when the embedded database is used (they cost ~0.6 s
// of start-up that a run against PostgreSQL should not pay); knex and pg load at the first
// connect, so that `--help`, a usage error or `schedule` never pay for them.
const requireLazy = createRequire(import.meta.url);
let knexLoaded: typeof import('knex').knex | undefined;

function knexFactory(config: Knex.Config): Knex {
  if (!knexLoaded) {
    const pg = requireLazy('pg') as typeof import('pg');
    // Dates stay 'YYYY-MM-DD' strings (no time-zone drift); numeric stays a decimal string;
    // bigint counts become numbers (counts only, never amounts).
    pg.types.setTypeParser(DATE_OID, (v: string) => v);
    pg.types.setTypeParser(INT8_OID, (v: string) => Number(v));
    knexLoaded = (requireLazy('knex') as { knex: typeof import('knex').knex }).knex;
  }
  return knexLoaded(config);
}

export type Db = Knex;
export type Trx = Knex.Transaction;

const DATE_OID = 1082;
const INT8_OID = 20;
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

/**
 * A PostgreSQL connection string, or a usage error (exit 2) that says what is wrong with it: only
 * `postgres://` and `postgresql://` URLs are accepted (`--db garbage`, `mysql://…` are refused
 * before anything connects).
 */
export function checkDatabaseUrl(url: string): void {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new UsageError(
      `Неверная строка подключения к базе данных «${describeTarget({ url })}»: ожидается postgres://пользователь@сервер:порт/база ` +
        '(или postgresql://…); без --db и DATABASE_URL используется встроенная база',
    );
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    throw new UsageError(
      `База данных «${protocol.replace(/:$/, '')}» не поддерживается: нужен PostgreSQL (строка вида postgres://пользователь@сервер:порт/база)`,
    );
  }
}

/**
 * The role when the URL names none: libpq takes PGUSER, else the OS user; node-postgres takes
 * PGUSER, else $USER — and cron or a container often leaves USER unset, so the server got no
 * user name at all. Without USER the OS user is given to node-postgres as PGUSER, as libpq does.
 */
function defaultRoleLikeLibpq(): void {
  if (process.env.PGUSER || process.env.USER) return;
  try {
    process.env.PGUSER = os.userInfo().username;
  } catch {
    // No passwd entry for this uid: leave it to the server to name what is missing.
  }
}

export function connect(opts: ConnectOptions = {}): Db {
  const url = opts.url ?? process.env.DATABASE_URL;
  if (url) {
    checkDatabaseUrl(url);
    defaultRoleLikeLibpq();
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
  const release = dir === 'memory://' ? () => {} : lockPgliteDir(dir);
  const pglite = createPglite(dir === 'memory://' ? undefined : dir);
  const ClientPgLite = requireLazy('knex-pglite') as unknown;
  const db = knexFactory({
    client: ClientPgLite as unknown as typeof Knex.Client,
    dialect: 'postgres',
    connection: () => ({ pglite }) as unknown as Knex.StaticConnectionConfig,
  } as Knex.Config);
  // knex closes PGlite only through a pooled connection; one that was never used (a command that
  // failed on its arguments) left PGlite starting up and the process alive for ever. Destroy
  // closes PGlite itself, whatever state it is in.
  const client = db.client as { destroy(callback?: unknown): Promise<void> };
  const destroyPool = client.destroy.bind(client);
  client.destroy = async (callback?: unknown): Promise<void> => {
    try {
      await destroyPool(callback);
    } finally {
      if (!pglite.closed) {
        await pglite.waitReady.catch(() => {});
        if (!pglite.closed) await pglite.close().catch(() => {});
      }
      release();
    }
  };
  return db;
}

// One process at a time on an embedded database folder. PGlite keeps the data in the memory of
// the process that opened it and writes it back to the folder: two processes on one folder (a
// cron step and a command by hand, two `orders approve` at once) would each lose the other's
// commits. A second process waits for the first (PAYOUTS_PGLITE_LOCK_WAIT_MS, default 60 s), then
// is refused (exit 2). A lock left by a process that is gone (kill -9) is taken over. PostgreSQL
// itself needs none of this.
const heldLocks = new Map<string, number>();

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockPgliteDir(dir: string): () => void {
  const file = path.join(dir, 'payouts.lock');
  const release = () => {
    const n = (heldLocks.get(file) ?? 1) - 1;
    if (n > 0) return void heldLocks.set(file, n);
    heldLocks.delete(file);
    try {
      if (readFileSync(file, 'utf8') === String(process.pid)) unlinkSync(file);
    } catch {
      // already gone
    }
  };
  const held = heldLocks.get(file);
  if (held) {
    heldLocks.set(file, held + 1); // the same process opening its folder again
    return release;
  }
  const deadline = Date.now() + Number(process.env.PAYOUTS_PGLITE_LOCK_WAIT_MS ?? 60_000);
  for (;;) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      heldLocks.set(file, 1);
      process.once('exit', () => {
        if (heldLocks.has(file)) {
          heldLocks.set(file, 1);
          release();
        }
      });
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder = NaN;
    try {
      holder = Number(readFileSync(file, 'utf8'));
    } catch {
      continue; // released between the two calls
    }
    if (!processAlive(holder)) {
      try {
        unlinkSync(file);
      } catch {
        // another process took it over first
      }
      continue;
    }
    if (Date.now() > deadline) {
      throw new UsageError(
        `Встроенная база данных ${dir} занята другим процессом payouts (pid ${holder}): дождитесь его завершения и повторите команду`,
      );
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
  }
}

