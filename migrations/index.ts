// The migration list, in order. A static list (not a directory scan) so the same files run
// under tsx, vitest and on PGlite without a loader.
import type { Knex } from 'knex';
import * as schema from './20261122_001_schema.ts';

const migrations: Record<string, { up(k: Knex): Promise<void>; down(k: Knex): Promise<void> }> = {
  '20261122_001_schema': schema,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name],
};
