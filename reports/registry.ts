// Every report FORM of INTERFACE.md maps to one builder that returns the JSON document; the
// Excel and PDF renderers draw from the same object.
import type { Db } from '../pipeline/kernel/db.ts';
import { cycleReports } from './cycle-reports.ts';
import { paymentReports } from './payment-reports.ts';
import { closingReports } from './closing-reports.ts';
import { statementReports } from './statement-reports.ts';

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
] as const;
export type FormName = (typeof FORMS)[number];

/** The forms of a month (`--month` required); deadlines and ledger are as of a date. */
export const MONTHLY_FORMS: readonly FormName[] = FORMS.filter((f) => f !== 'deadlines' && f !== 'ledger');

export interface ReportOptions {
  month?: string;
  mio?: string;
  asOf: string;
}

export type ReportBuilder = (db: Db, opts: ReportOptions) => Promise<Record<string, unknown>>;

export const reportBuilders: Partial<Record<FormName, ReportBuilder>> = {
  ...cycleReports,
  ...paymentReports,
  ...closingReports,
  ...statementReports,
};
