// What the ledger says, as the tests check it.
import type { Knex } from 'knex';
import type { Db } from '../../pipeline/kernel/db.ts';
import { account, accountMovement } from '../../pipeline/ledger.ts';
import { formatAmount } from '../../pipeline/kernel/money.ts';

/** What ГК holds for the МИО: the balance of its gk_funds account (as of `to`), a decimal string. */
export async function gkFunds(db: Db | Knex.Transaction, mioBin: string, to?: string): Promise<string> {
  return formatAmount(await accountMovement(db, account.gkFunds(mioBin), { to }));
}
