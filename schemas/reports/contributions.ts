// `contributions`: ОПВ, ВОСМС and СО of month M's lists per МИО — the summary of INTERFACE.md
// (list rows with a non-zero amount and their sum) and, added for the printed form, the
// registers by which the МИО pays them (pipeline/contributions.ts): КНП, payer, receiver, and
// one line per assistant and service month.
import { z } from 'zod';
import { CONTRIBUTION_KINDS } from '../../pipeline/contributions.ts';
import { amount, bik, count, countAmount, date, iban, idNumber, month, ordinal, text } from './common.ts';

export const contributionRegisterSchema = z.strictObject({
  kind: z.enum(CONTRIBUTION_KINDS),
  knp: z.string().regex(/^\d{3}$/, 'not a КНП'),
  /** The МИО, from whose own account the contribution is paid. */
  payer: z.strictObject({ bin: idNumber, name: text, bik, iban }),
  /** The State Corporation's account of this КНП (site requisites; DOMAIN §7). */
  receiver: z.strictObject({ bin: idNumber, name: text, bik, iban, kbe: z.string().regex(/^\d{2}$/, 'not a КБе') }),
  /** By ИИН, then period. */
  /** birth_date from the ИИН (null when its digits are not a date). */
  persons: z.array(z.strictObject({ iin: idNumber, name: text, birth_date: date.nullable().optional(), period: month, rows: ordinal, amount })),
  /** The number of persons (recipients of the register). */
  count,
  total: amount,
});

export const contributionsMioSchema = z.strictObject({
  mio_bin: idNumber,
  /** Added for the printed summary. */
  mio_name: text,
  opv: countAmount,
  osms: countAmount,
  so: countAmount,
  /** Added: the registers with a non-zero amount, in the order ОПВ, ВОСМС, СО. */
  registers: z.array(contributionRegisterSchema),
});

export const contributionsReportSchema = z.strictObject({
  form: z.literal('contributions'),
  month,
  /** Built from the sample requisites of reference/ (demo, tests): every printed document says «ОБРАЗЕЦ». */
  sample: z.boolean().optional(),
  /** By МИО БИН. */
  mios: z.array(contributionsMioSchema),
});

export type ContributionRegisterDoc = z.infer<typeof contributionRegisterSchema>;
export type ContributionsMio = z.infer<typeof contributionsMioSchema>;
export type ContributionsReport = z.infer<typeof contributionsReportSchema>;
