// `ledger`: the trial balance as of the date, every account's debits, credits and balance
// (debit − credit), by account code.
import { z } from 'zod';
import { amount, date, signedAmount, text } from './common.ts';

export const ledgerAccountSchema = z.strictObject({
  account: text,
  /** Added: the account's Russian name. */
  name: text,
  debit: amount,
  credit: amount,
  balance: signedAmount,
});

export const ledgerReportSchema = z.strictObject({
  form: z.literal('ledger'),
  as_of: date,
  accounts: z.array(ledgerAccountSchema),
  balanced: z.boolean(),
  /** Added: the debit and credit turnovers of all accounts. */
  totals: z.strictObject({ debit: amount, credit: amount }),
});

export type LedgerAccount = z.infer<typeof ledgerAccountSchema>;
export type LedgerReport = z.infer<typeof ledgerReportSchema>;
