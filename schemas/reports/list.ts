// `list` (Appendix 1): the lists built in month M per МИО, with the accepted acts they held.
import { z } from 'zod';
import { amount, date, idNumber, month, ordinal, text } from './common.ts';

export const listRowSchema = z.strictObject({
  no: ordinal,
  oblast: text,
  region: text,
  pwd_iin: idNumber,
  pwd_name: text,
  provider_id: idNumber,
  provider_name: text,
  assistant_iin: idNumber,
  assistant_name: text,
  order_no: text,
  decision_no: text,
  act_no: text,
  received_on: date,
  service_month: month,
  guaranteed: amount,
  provider_sum: amount,
  opv: amount,
  osms: amount,
  so: amount,
  /** Added: the provider's bank details were marked incorrect (a bank return) when the list was built. */
  bank_details_incorrect: z.boolean().optional(),
});

export const listTotalsSchema = z.strictObject({ guaranteed: amount, provider_sum: amount, opv: amount, osms: amount, so: amount });

export const listReportSchema = z.strictObject({
  form: z.literal('list'),
  month,
  /** By МИО БИН; rows by row number (service month, provider, act). */
  divisions: z.array(
    z.strictObject({
      mio_bin: idNumber,
      mio_name: text,
      rows: z.array(listRowSchema),
      totals: listTotalsSchema,
    }),
  ),
  /** Accepted acts this list did not take, with the reason. */
  held: z.array(z.strictObject({ provider_id: idNumber, act_no: text, reason: text })),
});

export type ListRow = z.infer<typeof listRowSchema>;
export type ListTotals = z.infer<typeof listTotalsSchema>;
export type ListReport = z.infer<typeof listReportSchema>;
export type ListDivision = ListReport['divisions'][number];
