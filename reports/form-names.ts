// The report FORMs of INTERFACE.md by name; reports/registry.ts maps each to its builder.
import type { ReportForm } from '../schemas/reports/index.ts';

export const FORMS = [
  'list',
  'transmission',
  'demand',
  'payment-orders',
  'contributions',
  'returns',
  'reconciliation',
  'bank-fees',
  'deadlines',
  'ledger',
  'statement',
] as const satisfies readonly ReportForm[];
export type FormName = (typeof FORMS)[number];

/** The forms of a month (`--month` required); deadlines and ledger are as of a date. */
export const MONTHLY_FORMS: readonly FormName[] = FORMS.filter((f) => f !== 'deadlines' && f !== 'ledger');
