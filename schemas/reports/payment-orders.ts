// `payment-orders`: the orders of ГК dated in month M, by year and number, lines by reference.
import { z } from 'zod';
import { amount, bik, count, date, iban, idNumber, month, ordinal, text } from './common.ts';

export const PAYMENT_LINE_KINDS = ['payout', 'repayment', 'to_mio'] as const;
export const PAYMENT_ORDER_KINDS = ['provider', 'to_mio'] as const;

export const paymentOrderLineSchema = z.strictObject({
  /** The end-to-end reference a bank return quotes. */
  ref: text,
  provider_id: idNumber,
  provider_name: text,
  iban,
  amount,
  service_month: month,
  kind: z.enum(PAYMENT_LINE_KINDS),
  /** The act the line pays (null only where it cannot be traced). */
  act_no: z.string().nullable().optional(),
  /** The recipient's КБе (DOMAIN §7). */
  kbe: z.string().regex(/^\d{2}$/, 'not a КБе').optional(),
  /** The payment purpose as the pain.001 line carries it (without the appended codes). */
  purpose: text.optional(),
  /** Four eyes, for the approver: the provider was paid before to other bank details. */
  new_details: z.boolean().optional(),
  /** Four eyes, for the approver: a bank returned a payment to this provider before. */
  returned_before: z.boolean().optional(),
});

export const PAYMENT_ORDER_STATES = ['prepared', 'approved', 'rejected'] as const;

export const paymentOrderSchema = z.strictObject({
  number: ordinal,
  year: z.int().min(2000),
  date,
  mio_bin: idNumber,
  /** Added for the printed order. */
  mio_name: text,
  /** The recipients' bank; of a `to_mio` order, the МИО's own. */
  bik,
  bank_name: z.string().nullable(),
  order_kind: z.enum(PAYMENT_ORDER_KINDS),
  /** ГК's account the order is paid from (site requisites in force). */
  payer: z.strictObject({ name: text, bin: idNumber, bik, iban }).optional(),
  /** КНП of the order. */
  knp: z.string().regex(/^\d{3}$/, 'not a КНП').optional(),
  total: amount,
  count,
  /** Four eyes: prepared by pay, approved (the file is written) or rejected by a second operator. */
  state: z.enum(PAYMENT_ORDER_STATES).optional(),
  prepared_by: z.string().optional(),
  decided_by: z.string().nullable().optional(),
  decided_on: date.nullable().optional(),
  lines: z.array(paymentOrderLineSchema),
});

export const paymentOrdersReportSchema = z.strictObject({
  form: z.literal('payment-orders'),
  month,
  /** Built from the sample requisites of reference/ (demo, tests): the printed register says «ОБРАЗЕЦ». */
  sample: z.boolean().optional(),
  orders: z.array(paymentOrderSchema),
});

export type PaymentOrderLine = z.infer<typeof paymentOrderLineSchema>;
export type PaymentOrder = z.infer<typeof paymentOrderSchema>;
export type PaymentOrdersReport = z.infer<typeof paymentOrdersReportSchema>;
