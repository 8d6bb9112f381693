// `returns`: the returns with returned_on in month M (by date, reference), and what became of
// each as of the report date.
import { z } from 'zod';
import { amount, date, idNumber, month, text } from './common.ts';

export const RETURN_STATUSES = ['pending', 'repaid', 'sent_back'] as const;

export const returnDocSchema = z.strictObject({
  /** The returned line's reference. */
  ref: text,
  provider_id: idNumber,
  amount,
  returned_on: date,
  reason_code: text,
  status: z.enum(RETURN_STATUSES),
  /** The line that paid the sum again (status repaid, or the payout of the sum demanded again). */
  repaid_ref: text.nullable(),
  sent_back_on: date.nullable(),
  // Added beyond INTERFACE.md:
  mio_bin: idNumber,
  /** '' when the return gave none. */
  reason_text: z.string(),
  repaid_on: date.nullable(),
  sent_back_ref: text.nullable(),
});

export const returnsReportSchema = z.strictObject({
  form: z.literal('returns'),
  month,
  /** The date the statuses are as of. */
  as_of: date,
  returns: z.array(returnDocSchema),
});

export type ReturnDoc = z.infer<typeof returnDocSchema>;
export type ReturnsReport = z.infer<typeof returnsReportSchema>;
