// Four eyes (issue 16): whether payment orders that `pay` prepares need a second operator's
// approval before their bank files are written. The site's requisites in force say so (INTERFACE
// «Site requisites», `four_eyes`; the samples and the default: true). When off, `pay` approves
// its own orders and writes their files as it always did.
import type { Knex } from 'knex';
import { fourEyesInForce } from '../requisites/index.ts';

type Q = Knex | Knex.Transaction;

export async function fourEyesRequired(q: Q): Promise<boolean> {
  return fourEyesInForce(q);
}
