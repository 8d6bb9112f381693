// The migration list, in order. A static list (not a directory scan) so the same files run
// under tsx, vitest and on PGlite without a loader.
import type { Knex } from 'knex';
import * as schema from './20261122_001_schema.ts';
import * as redundantIndexes from './20261122_002_redundant_indexes.ts';
import * as compositeReferences from './20261204_001_composite_references.ts';
import * as statements from './20261210_001_statements.ts';
import * as reconciliationChain from './20261215_law_b_001_reconciliation_chain.ts';
import * as siteRequisites from './20261216_requisites_001_site_requisites.ts';
import * as fourEyes from './20261217_orders_001_four_eyes.ts';
import * as orderFileRequisites from './20261218_001_order_file_requisites.ts';

const migrations: Record<string, { up(k: Knex): Promise<void>; down(k: Knex): Promise<void> }> = {
  '20261122_001_schema': schema,
  '20261122_002_redundant_indexes': redundantIndexes,
  '20261204_001_composite_references': compositeReferences,
  '20261210_001_statements': statements,
  '20261215_law_b_001_reconciliation_chain': reconciliationChain,
  '20261216_requisites_001_site_requisites': siteRequisites,
  '20261217_orders_001_four_eyes': fourEyes,
  '20261218_001_order_file_requisites': orderFileRequisites,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name],
};
