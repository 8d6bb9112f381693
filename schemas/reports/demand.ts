// `demand`: the demands formed in month M per МИО, with their periods and what is funded.
import { z } from 'zod';
import { amount, count, date, idNumber, month, text } from './common.ts';

export const demandSchema = z.strictObject({
  mio_bin: idNumber,
  /** Added for the printed demand and request letter. */
  mio_name: text,
  formed_on: date,
  /**
   * INTERFACE.md names it (the day the request went out), but the builder does not print it yet:
   * the rule lives in pipeline/steps/check-deadlines (the notification of the request). Optional
   * until it does.
   */
  request_on: date.nullable().optional(),
  request_due: date,
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
