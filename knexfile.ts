// knex CLI configuration: DATABASE_URL, else the embedded PGlite in ./var/pglite.
// The application itself connects through pipeline/db.ts; this file serves `npx knex`.
import { connect, MIGRATIONS_DIR } from './pipeline/db.ts';

const db = connect();

export default {
  ...db.client.config,
  migrations: { directory: MIGRATIONS_DIR, loadExtensions: ['.ts'] },
};
