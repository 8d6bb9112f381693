// `payouts report statement --month M` (reports/statement-reports.ts): the bank statements of
// ГК's account against the ledger, per account and day (docs/statements.md). Amounts are decimal
// strings with two decimals — balances signed, movements not; counts are numbers.
import { z } from 'zod';
import { amount, count, date, month, signedAmount } from './common.ts';

export const statementDayRowSchema = z.strictObject({
  date,
  /** The closing balance the statement covering the day gives for its end; null: no statement covers the day. */
  statement_closing: signedAmount.nullable(),
  /** Σ gk_funds:<МИО> of the ledger at the end of the day: the money ГК holds for the МИО. */
  ledger_balance: signedAmount,
  /** statement_closing − ledger_balance; null without a statement. */
  difference: signedAmount.nullable(),
  credits: amount,
  debits: amount,
  matched: count,
  unmatched: count,
});

export const statementEntryRowSchema = z.strictObject({
  statement_no: z.string(),
  statement_date: date,
  seq: z.number().int().positive(),
  booking_date: date,
  direction: z.enum(['credit', 'debit']),
  amount,
  counterparty_iban: z.string(),
  counterparty_name: z.string(),
  reference: z.string(),
  match: z.enum(['transfer', 'order_debit', 'return']).nullable(),
  /** The fact matched, in words. */
  fact: z.string().nullable(),
  unmatched_code: z.enum(['bank_fee', 'no_match', 'ambiguous', 'refused', 'already_matched', 'batch', 'reversal']).nullable(),
  reason: z.string().nullable(),
});

export const statementReportSchema = z.strictObject({
  form: z.literal('statement'),
  month,
  as_of: date,
  /** The last day shown: the as-of date, or the month's last day when the month is over. */
  through: date,
  /** N: an order not debited more than N working days after its date is listed. */
  not_debited_after: count,
  accounts: z.array(
    z.strictObject({
      iban: z.string(),
      statements: z.array(
        z.strictObject({
          statement_no: z.string(),
          statement_date: date,
          format: z.enum(['camt053', 'mt940', 'onec']),
          from: date,
          to: date,
          opening: signedAmount,
          closing: signedAmount,
          credits: amount,
          debits: amount,
          entries: count,
          matched: count,
          unmatched: count,
          file_name: z.string(),
        }),
      ),
      /** Every day of the month up to `through`, in date order. */
      days: z.array(statementDayRowSchema),
      /** Entries booked in the month up to `through`, by booking date, statement, entry number. */
      entries: z.array(statementEntryRowSchema),
    }),
  ),
  /** Orders dated up to `through` that no statement showed debited within N working days, by date and number. */
  orders_not_debited: z.array(
    z.strictObject({
      year: z.number().int(),
      number: z.number().int().positive(),
      date,
      mio_bin: z.string(),
      bik: z.string(),
      kind: z.enum(['provider', 'to_mio']),
      total: amount,
      /** The last day the debit was expected: N working days after the order's date. */
      due: date,
      /** Working days from the order's date to `through`. */
      working_days: count,
    }),
  ),
});

export type StatementReport = z.infer<typeof statementReportSchema>;
export type StatementDayRow = z.infer<typeof statementDayRowSchema>;
export type StatementEntryRow = z.infer<typeof statementEntryRowSchema>;
