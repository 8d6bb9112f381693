// `reconciliation` (Appendix 3): the act of reporting period M per МИО (by БИН) — dated the 25th
// of M+1 or the last working day before it, counting the window (25th of M, 25th of M+1] —
// rows by payment-order date and number, the total in words, and the balance of the money ГК holds for
// the МИО: opening + received − paid + returned − sent_back = closing.
import { z } from 'zod';
import { amount, date, idNumber, month, signedAmount, text } from './common.ts';

export const reconciliationRowSchema = z.strictObject({
  /** The row's ordinal in the act: "1", "2", … */
  line_code: z.string().regex(/^[1-9]\d*$/, 'not a line code'),
  mio_bin: idNumber,
  mio_name: text,
  pp_no: text,
  pp_date: date,
  amount,
});

export const reconciliationBalanceSchema = z.strictObject({
  opening: signedAmount,
  received: amount,
  paid: amount,
  returned: amount,
  sent_back: amount,
  closing: signedAmount,
});

export const reconciliationActSchema = z.strictObject({
  mio_bin: idNumber,
  /** The act's date: the 25th of M+1, or the last working day before it (DOMAIN.md §5). */
  act_date: date,
  /** The window the act counts: (after, through] = (25th of M, 25th of M+1]. */
  window: z.strictObject({ after: date, through: date }),
  /** Facts dated in an earlier, closed window that this act counts (a return imported after its act). */
  late: z.array(
    z.strictObject({
      kind: z.enum(['transfer', 'payment', 'return', 'sent_back']),
      ref: text,
      dated: date,
      amount,
    }),
  ),
  /** ГК's signature (`payouts reconcile sign --signed-on`), as of the report date. */
  signed_on: date.nullable(),
  /** The МИО's two signed paper copies received (`--copies-received-on`), as of the report date. */
  copies_received_on: date.nullable(),
  rows: z.array(reconciliationRowSchema),
  total: amount,
  total_words: text,
  balance: reconciliationBalanceSchema,
  // Added beyond INTERFACE.md:
  mio_name: text,
  /** True when the act comes from the `reconcile` run of M (frozen), false when computed now. */
  frozen: z.boolean(),
  /** The business date of the run that froze it. */
  reconciled_on: date.nullable(),
});

export const reconciliationReportSchema = z.strictObject({
  form: z.literal('reconciliation'),
  month,
  acts: z.array(reconciliationActSchema),
});

export type ReconciliationRowDoc = z.infer<typeof reconciliationRowSchema>;
export type ReconciliationActDoc = z.infer<typeof reconciliationActSchema>;
export type ReconciliationReport = z.infer<typeof reconciliationReportSchema>;
