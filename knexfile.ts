// knex CLI configuration: DATABASE_URL, else the embedded PGlite in ./var/pglite.
// The application itself connects through pipeline/kernel/db.ts; this file serves `npx knex`.
import { migrationSource } from './migrations/index.ts';
import { connect } from './pipeline/kernel/db.ts';

const db = connect();

export default {
  ...db.client.config,
  // The same static list as `payouts db migrate` (a directory scan would take index.ts and
  // exec.ts for migrations).
  migrations: { migrationSource },
};
