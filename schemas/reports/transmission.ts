// `transmission` (Appendix 2): what goes to АИС «ЦБД» for month M's lists, numbered through.
import { z } from 'zod';
import { amount, bik, iban, idNumber, month, ordinal } from './common.ts';

export const transmissionRowSchema = z.strictObject({
  no: ordinal,
  provider_id: idNumber,
  assistant_iin: idNumber,
  pwd_iin: idNumber,
  bik,
  iban,
  service_month: month,
  provider_sum: amount,
  opv: amount,
  osms: amount,
  /** Added: the provider's bank details were marked incorrect (a bank return) when the list was built. */
  bank_details_incorrect: z.boolean().optional(),
});

export const transmissionReportSchema = z.strictObject({
  form: z.literal('transmission'),
  month,
  rows: z.array(transmissionRowSchema),
});

export type TransmissionRow = z.infer<typeof transmissionRowSchema>;
export type TransmissionReport = z.infer<typeof transmissionReportSchema>;
