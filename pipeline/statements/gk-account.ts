// ГК's own account(s): the only accounts whose statements are taken. Read here and nowhere else,
// so that when the site's requisites move into the database (`payouts import requisites`) only
// this function changes. Today: reference/state-corporation.json (loadStateCorporation).
import type { Knex } from 'knex';
import { loadStateCorporation } from '../orders/state-corporation.ts';

type Q = Knex | Knex.Transaction;

export interface GkAccount {
  iban: string;
  bik: string;
  /** ГК's name and БИН, as the account owner. */
  name: string;
  bin: string;
}

/** The accounts of ГК that bank statements may be for. */
export async function gkAccounts(_db: Q): Promise<GkAccount[]> {
  const gk = loadStateCorporation();
  return [{ iban: gk.iban, bik: gk.bik, name: gk.name, bin: gk.bin }];
}
