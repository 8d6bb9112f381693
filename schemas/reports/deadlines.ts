// `deadlines`: every deadline of DOMAIN.md §9 (the Algorithm in force only) as of the date, by due date, rule, object.
import { z } from 'zod';
import { count, date, text } from './common.ts';

/** The rules the nightly check watches (pipeline/steps/check-deadlines takes its DeadlineRule from here), in report order. */
export const DEADLINE_RULES = [
  'demand-request',
  'funding',
  'payment',
  'return-relayed',
  'return-shown',
  'repayment',
  'sent-back',
  'reconciliation-signed',
  'reconciliation-copies',
] as const;
export const DEADLINE_STATUSES = ['met', 'met_late', 'open', 'breached'] as const;

export const deadlineItemSchema = z.strictObject({
  rule: z.enum(DEADLINE_RULES),
  /** What the deadline watches: `act:<provider>/<act>`, `demand:<month>:<МИО>`, `return:<ref>`, … */
  object: text,
  due: date,
  status: z.enum(DEADLINE_STATUSES),
  /** Working days late; 0 when not late. */
  days_late: count,
});

export const deadlinesReportSchema = z.strictObject({
  form: z.literal('deadlines'),
  as_of: date,
  items: z.array(deadlineItemSchema),
  /** Added: true when the items are those the check of that date stored, false when computed now. */
  checked: z.boolean(),
});

export type DeadlineItemDoc = z.infer<typeof deadlineItemSchema>;
export type DeadlinesReport = z.infer<typeof deadlinesReportSchema>;
