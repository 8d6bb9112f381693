// Every report FORM of INTERFACE.md maps to one builder that returns the JSON document, typed by
// its schema (schemas/reports/); the Excel and PDF forms (reports/forms/) draw from that object
// alone.
import type { Db } from '../pipeline/kernel/db.ts';
import type { Reports } from '../schemas/reports/index.ts';
import { cycleReports } from './cycle-reports.ts';
import { paymentReports } from './payment-reports.ts';
import { closingReports } from './closing-reports.ts';
import { statementReports } from './statement-reports.ts';

// The names live in form-names.ts (no builders there: the CLI's help and argument checks load it alone).
export { FORMS, MONTHLY_FORMS, type FormName } from './form-names.ts';
import type { FormName } from './form-names.ts';

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
