// What every command needs: the database, the business date, the operator, and how to print.
import os from 'node:os';
import type { Command } from 'commander';
import { checkDatabaseUrl, connect, type Db } from '../pipeline/kernel/db.ts';
import { isValidDate, isValidMonth, todayInAlmaty, type IsoDate, type IsoMonth } from '../pipeline/kernel/dates.ts';
import { DatabaseNotMigrated, InvalidDate, InvalidMonth, isUndefinedTable } from '../pipeline/kernel/errors.ts';
import { migrationSource } from '../migrations/index.ts';
import { heartbeat } from '../jobs/progress.ts';

export interface GlobalOptions {
  db?: string;
  asOf?: string;
  operator?: string;
  json?: boolean;
  quiet?: boolean;
}

export interface CliContext {
  db: Db;
  asOf: string;
  /** True when --as-of was given (a step may then default it to its own date). */
  asOfGiven: boolean;
  operator: string;
  json: boolean;
  /** --quiet: no progress on stderr. */
  quiet: boolean;
  print(human: string, json: unknown): void;
  close(): Promise<void>;
}

export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}

export function resolveOperator(opts: GlobalOptions): string {
  return opts.operator || process.env.PAYOUTS_OPERATOR || os.userInfo().username || 'unknown';
}

/** The value of a --month option: YYYY-MM, else InvalidMonth (exit 2). */
export function monthOption(value: string): IsoMonth {
  if (!isValidMonth(value)) throw new InvalidMonth(`Неверный месяц «${value}»: ожидается ГГГГ-ММ`);
  return value;
}

/** The value of a date option (--as-of, --from, --to): YYYY-MM-DD, else InvalidDate (exit 2). */
export function dateOption(name: string, value: string): IsoDate {
  if (!isValidDate(value)) throw new InvalidDate(`Неверная дата ${name} «${value}»: ожидается ГГГГ-ММ-ДД`);
  return value;
}

export function resolveAsOf(opts: GlobalOptions): string {
  if (opts.asOf === undefined) return todayInAlmaty();
  return dateOption('--as-of', opts.asOf);
}

/**
 * The command's context. The database is opened on first use, so a command that fails on its
 * arguments never opens one (and PGlite never starts); `close` closes it when it was opened.
 */
export function openContext(cmd: Command): CliContext {
  const opts = globals(cmd);
  const asOf = resolveAsOf(opts);
  if (opts.db !== undefined) checkDatabaseUrl(opts.db);
  let db: Db | undefined;
  const json = !!opts.json;
  return {
    get db() {
      db ??= connect({ url: opts.db });
      return db;
    },
    asOf,
    asOfGiven: opts.asOf !== undefined,
    operator: resolveOperator(opts),
    json,
    quiet: !!opts.quiet,
    print(human, doc) {
      if (json) process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
      else process.stdout.write(`${human}\n`);
    },
    async close() {
      const opened = db;
      db = undefined;
      if (opened) await opened.destroy();
    },
  };
}

/**
 * After a missing table (42P01): a database that lacks migrations gets «run `payouts db migrate`»
 * (exit 2) instead of the SQL text. Reads knex's own table only; writes nothing.
 */
async function notMigrated(db: Db): Promise<DatabaseNotMigrated | null> {
  const all = await migrationSource.getMigrations([]);
  const names = all.map((m) => migrationSource.getMigrationName(m));
  const { rows } = (await db.raw(`select to_regclass('knex_migrations')::text as t`)) as { rows: { t: string | null }[] };
  if (!rows[0]?.t) return new DatabaseNotMigrated(names.length, names.length);
  const done = new Set((await db('knex_migrations').select('name')).map((r: { name: string }) => r.name));
  const missing = names.filter((n) => !done.has(n)).length;
  return missing ? new DatabaseNotMigrated(missing, names.length) : null;
}

/** `payouts run pay`: the command line as a person typed it (without the global options). */
export function commandLine(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return [...names, ...cmd.args].join(' ');
}

/**
 * Runs a command body with a context and always closes the database. While the body runs, a
 * heartbeat on stderr shows it is still working (unless --quiet, or `progress: false` for the
 * long-running processes that log instead).
 */
export async function withContext(
  cmd: Command,
  body: (ctx: CliContext) => Promise<number | void>,
  opts: { progress?: boolean } = {},
): Promise<void> {
  const ctx = openContext(cmd);
  const beat = opts.progress === false ? { stop() {} } : heartbeat(commandLine(cmd), { quiet: ctx.quiet });
  try {
    const code = await body(ctx);
    if (typeof code === 'number' && code !== 0) process.exitCode = code;
  } catch (err) {
    if (isUndefinedTable(err)) {
      const refusal = await notMigrated(ctx.db).catch(() => null);
      if (refusal) throw refusal;
    }
    throw err;
  } finally {
    beat.stop();
    await ctx.close();
  }
}
