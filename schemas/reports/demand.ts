// `demand`: the demands formed in month M per МИО, with their periods and what is funded.
import { z } from 'zod';
import { amount, bik, count, date, iban, idNumber, month, ordinal, text } from './common.ts';

export const demandSchema = z.strictObject({
  mio_bin: idNumber,
  /** Added for the printed demand and request letter. */
  mio_name: text,
  formed_on: date,
  /** The request's date: the formation date when it is a working day, else the next one (DOMAIN.md §3). */
  request_on: date,
  /** The request's outgoing number, gapless in `request_year` (null for a demand formed before numbering). */
  request_no: ordinal.nullable().optional(),
  request_year: z.int().min(2000).nullable().optional(),
  request_due: date,
  /** 2 working days after request_on (п. 15); a partial transfer by then is on time, `open` the rest. */
  funding_due: date,
  amount,
  /** The amount in words, as the request prints it. */
  amount_words: text.optional(),
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
  /** Built from the sample requisites of reference/ (demo, tests): the printed request says «ОБРАЗЕЦ». */
  sample: z.boolean().optional(),
  /** ГК's account the МИО transfers to (site requisites in force): the request names it. */
  payee: z
    .strictObject({ name: text, bin: idNumber, bik, iban, kbe: z.string().regex(/^\d{2}$/, 'not a КБе'), knp: z.string().regex(/^\d{3}$/, 'not a КНП') })
    .optional(),
  /** By МИО БИН. */
  demands: z.array(demandSchema),
});

export type Demand = z.infer<typeof demandSchema>;
export type DemandReport = z.infer<typeof demandReportSchema>;
