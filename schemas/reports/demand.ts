// `demand`: the demands formed in month M per МИО, with their periods and what is funded.
import { z } from 'zod';
import { amount, count, date, idNumber, month, text } from './common.ts';

export const demandSchema = z.strictObject({
  mio_bin: idNumber,
  /** Added for the printed demand and request letter. */
  mio_name: text,
  formed_on: date,
  /** The request's date: the formation date when it is a working day, else the next one (DOMAIN.md §3). */
  request_on: date,
  request_due: date,
  /** 2 working days after request_on (п. 15); a partial transfer by then is on time, `open` the rest. */
  funding_due: date,
  amount,
  rows: count,
  /** By service month. */
  periods: z.array(z.strictObject({ service_month: month, rows: count, amount })),
  /** Allocated from transfers received on or before the report date. */
  funded: amount,
  open: amount,
});

export const demandReportSchema = z.strictObject({
  form: z.literal('demand'),
  month,
  /** By МИО БИН. */
  demands: z.array(demandSchema),
});

export type Demand = z.infer<typeof demandSchema>;
export type DemandReport = z.infer<typeof demandReportSchema>;
