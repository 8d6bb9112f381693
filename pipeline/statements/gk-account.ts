// ГК's own account(s): the only accounts whose statements are taken. Read here and nowhere else:
// the State Corporation's account of the site requisites in force (pipeline/requisites/: the
// imported version, else the sample of reference/state-corporation.json).
import type { Knex } from 'knex';
import { requisitesInForce } from '../requisites/index.ts';

type Q = Knex | Knex.Transaction;

export interface GkAccount {
  iban: string;
  bik: string;
  /** ГК's name and БИН, as the account owner. */
  name: string;
  bin: string;
}

/** The accounts of ГК that bank statements may be for. */
export async function gkAccounts(db: Q): Promise<GkAccount[]> {
  const gk = (await requisitesInForce(db)).requisites.state_corporation;
  return [{ iban: gk.iban, bik: gk.bik, name: gk.name, bin: gk.bin }];
}
