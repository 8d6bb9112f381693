// What every command needs: the database, the business date, the operator, and how to print.
import os from 'node:os';
import type { Command } from 'commander';
import { connect, type Db } from '../pipeline/kernel/db.ts';
import { isValidDate, todayInAlmaty } from '../pipeline/kernel/dates.ts';
import { UsageError } from '../pipeline/kernel/errors.ts';

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

export function resolveAsOf(opts: GlobalOptions): string {
  if (opts.asOf === undefined) return todayInAlmaty();
  if (!isValidDate(opts.asOf)) throw new UsageError(`Неверная дата --as-of «${opts.asOf}»: ожидается ГГГГ-ММ-ДД`);
  return opts.asOf;
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
