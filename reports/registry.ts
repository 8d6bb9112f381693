// Every report FORM of INTERFACE.md maps to one builder that returns the JSON document, typed by
// its schema (schemas/reports/); the Excel and PDF forms (reports/forms/) draw from that object
// alone.
import type { Db } from '../pipeline/kernel/db.ts';
import type { ReportForm, Reports } from '../schemas/reports/index.ts';
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
] as const satisfies readonly ReportForm[];
export type FormName = (typeof FORMS)[number];

/** The forms of a month (`--month` required); deadlines and ledger are as of a date. */
export const MONTHLY_FORMS: readonly FormName[] = FORMS.filter((f) => f !== 'deadlines' && f !== 'ledger');

export interface ReportOptions {
  month?: string;
  mio?: string;
  asOf: string;
}

export type ReportBuilder<F extends FormName> = (db: Db, opts: ReportOptions) => Promise<Reports[F]>;

export const reportBuilders: { [F in FormName]: ReportBuilder<F> } = {
  ...cycleReports,
  ...paymentReports,
  ...closingReports,
  ...statementReports,
};
