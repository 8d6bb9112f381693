// `bank-fees` (Appendix 4): per МИО (by БИН) and bank (by БИК), the payment lines dated in month
// M — transferred, returned as of the report date, paid — and the fee each bank's tariff yields.
import { z } from 'zod';
import { amount, bik, countAmount, date, decimal, idNumber, month, text } from './common.ts';

/**
 * `{count, lines, amount}` (INTERFACE.md): `count` is distinct recipients (provider and account),
 * the form's «количество получателей»; `lines` the payment lines, which the fee is charged on.
 */
export const bankFeePartSchema = countAmount.extend({ lines: z.int().min(0) });

export const tariffSchema = z.strictObject({
  fee_per_payment: amount.nullable(),
  fee_percent: decimal.nullable(),
  fee_min: amount.nullable(),
  fee_max: amount.nullable(),
});

export const bankFeeRowSchema = z.strictObject({
  bik,
  /** The bank's name, or its БИК when the bank is unknown. */
  name: text,
  transferred: bankFeePartSchema,
  returned: bankFeePartSchema,
  paid: bankFeePartSchema,
  fee: amount,
  /** Added: the tariff the fee comes from. */
  tariff: tariffSchema,
});

export const bankFeesMioSchema = z.strictObject({
  mio_bin: idNumber,
  rows: z.array(bankFeeRowSchema),
  total: z.strictObject({ transferred: bankFeePartSchema, returned: bankFeePartSchema, paid: bankFeePartSchema, fee: amount }),
  // Added beyond INTERFACE.md:
  mio_name: text,
  /** The date the returns were counted up to. */
  as_of: date,
  /** True when the figures come from the `bank-fees` run of M (frozen), false when computed now. */
  frozen: z.boolean(),
});

export const bankFeesReportSchema = z.strictObject({
  form: z.literal('bank-fees'),
  month,
  mios: z.array(bankFeesMioSchema),
});

export type BankFeePart = z.infer<typeof bankFeePartSchema>;
export type Tariff = z.infer<typeof tariffSchema>;
export type BankFeeRowDoc = z.infer<typeof bankFeeRowSchema>;
export type BankFeesMio = z.infer<typeof bankFeesMioSchema>;
export type BankFeesReport = z.infer<typeof bankFeesReportSchema>;
