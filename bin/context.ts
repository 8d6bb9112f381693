// What every command needs: the database, the business date, the operator, and how to print.
import os from 'node:os';
import type { Command } from 'commander';
import { connect, type Db } from '../pipeline/kernel/db.ts';
import { isValidDate, isValidMonth, todayInAlmaty, type IsoDate, type IsoMonth } from '../pipeline/kernel/dates.ts';
import { InvalidDate, InvalidMonth } from '../pipeline/kernel/errors.ts';

export interface GlobalOptions {
  db?: string;
  asOf?: string;
  operator?: string;
  json?: boolean;
}

export interface CliContext {
  db: Db;
  asOf: string;
  /** True when --as-of was given (a step may then default it to its own date). */
  asOfGiven: boolean;
  operator: string;
  json: boolean;
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

export function openContext(cmd: Command): CliContext {
  const opts = globals(cmd);
  const asOf = resolveAsOf(opts);
  const db = connect({ url: opts.db });
  const json = !!opts.json;
  return {
    db,
    asOf,
    asOfGiven: opts.asOf !== undefined,
    operator: resolveOperator(opts),
    json,
    print(human, doc) {
      if (json) process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
      else process.stdout.write(`${human}\n`);
    },
    close: () => db.destroy(),
  };
}

/** Runs a command body with a context and always closes the database. */
export async function withContext(cmd: Command, body: (ctx: CliContext) => Promise<number | void>): Promise<void> {
  const ctx = openContext(cmd);
  try {
    const code = await body(ctx);
    if (typeof code === 'number' && code !== 0) process.exitCode = code;
  } finally {
    await ctx.close();
  }
}
