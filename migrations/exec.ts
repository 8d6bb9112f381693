// Runs a migration's SQL one statement per call (statements end with ";" at a line end; "--"
// comment lines are dropped): PGlite's extended protocol takes a single command at a time.
import type { Knex } from 'knex';

export async function exec(knex: Knex, sql: string): Promise<void> {
  const statements = sql
    .split(/;\s*\n/)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter(Boolean);
  for (const statement of statements) await knex.raw(statement);
}
