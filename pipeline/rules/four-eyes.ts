// Four eyes (issue 16): whether payment orders that `pay` prepares need a second operator's
// approval before their bank files are written. The site's requisites say so (INTERFACE «Site
// requisites», `four_eyes`, default true); until they are stored, the default holds. When off,
// `pay` approves its own orders and writes their files as it always did.
import type { Knex } from 'knex';

type Q = Knex | Knex.Transaction;

export async function fourEyesRequired(_q: Q): Promise<boolean> {
  return true;
}
