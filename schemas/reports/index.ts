// The JSON reports of `payouts report FORM` (INTERFACE.md «JSON reports»), one schema per form.
// The builders of reports/ return the inferred types and the printed forms of reports/forms/
// read nothing else, so a report's schema is the whole of what its JSON, Excel and PDF show.
//
// Where the schemas run, and why there:
//  - in the tests: every builder's document in the forms tests, every report of the fixture
//    ledgers (through the CLI) and every file the demo writes — a builder that drifts from its
//    schema fails there, where the data is small and made on purpose;
//  - in the demo, on every report it writes (a few hundred rows);
//  - in the CLI, on a report of at most SMALL_REPORT_ITEMS rows, before it is printed or
//    rendered: a malformed report stops with exit 1 and writes nothing.
// A larger report (a month's list runs to 50 000 rows, a million at scale) is not checked at
// run time: zod builds a copy of every object it parses, measured at ≈ 6 µs and 200 bytes per
// list row (300 000 rows: 1.9 s, +67 MB of heap), for a shape the builders' types already fix;
// the renderers still check every cell they write (amount, count, date, month formats).
import type { z } from 'zod';
import { listReportSchema } from './list.ts';
import { transmissionReportSchema } from './transmission.ts';
import { demandReportSchema } from './demand.ts';
import { paymentOrdersReportSchema } from './payment-orders.ts';
import { contributionsReportSchema } from './contributions.ts';
import { returnsReportSchema } from './returns.ts';
import { reconciliationReportSchema } from './reconciliation.ts';
import { bankFeesReportSchema } from './bank-fees.ts';
import { deadlinesReportSchema } from './deadlines.ts';
import { ledgerReportSchema } from './ledger.ts';
import { statementReportSchema } from './statement.ts';

export const REPORT_SCHEMAS = {
  list: listReportSchema,
  transmission: transmissionReportSchema,
  demand: demandReportSchema,
  'payment-orders': paymentOrdersReportSchema,
  contributions: contributionsReportSchema,
  returns: returnsReportSchema,
  reconciliation: reconciliationReportSchema,
  'bank-fees': bankFeesReportSchema,
  deadlines: deadlinesReportSchema,
  ledger: ledgerReportSchema,
  statement: statementReportSchema,
} as const;

export type ReportForm = keyof typeof REPORT_SCHEMAS;

/** The document of each form, as its builder returns it. */
export type Reports = { [F in ReportForm]: z.infer<(typeof REPORT_SCHEMAS)[F]> };
/** Any report document; `form` tells which. */
export type AnyReport = Reports[ReportForm];

export type { ListReport, ListRow, ListDivision, ListTotals } from './list.ts';
export type { TransmissionReport, TransmissionRow } from './transmission.ts';
export type { DemandReport, Demand } from './demand.ts';
export type { PaymentOrdersReport, PaymentOrder, PaymentOrderLine } from './payment-orders.ts';
export type { ContributionsReport, ContributionsMio, ContributionRegisterDoc } from './contributions.ts';
export type { ReturnsReport, ReturnDoc } from './returns.ts';
export type { ReconciliationReport, ReconciliationActDoc, ReconciliationRowDoc } from './reconciliation.ts';
export type { BankFeesReport, BankFeesMio, BankFeeRowDoc, BankFeePart, Tariff } from './bank-fees.ts';
export type { DeadlinesReport, DeadlineItemDoc } from './deadlines.ts';
export type { LedgerReport, LedgerAccount } from './ledger.ts';
export type { StatementReport, StatementDayRow, StatementEntryRow } from './statement.ts';

/** A report that does not match its schema: a bug of its builder, never of the user's input. */
export class ReportSchemaError extends Error {
  override name = 'ReportSchemaError';
}

const SHOWN_ISSUES = 5;

/**
 * Checks a document against the schema of the form it names (`form`); throws ReportSchemaError
 * saying where it is wrong.
 */
export function checkReport(doc: unknown): asserts doc is AnyReport {
  const form = doc !== null && typeof doc === 'object' && 'form' in doc ? doc.form : undefined;
  if (!isReportForm(form)) throw new ReportSchemaError(`not a report of a known form: "form" is ${JSON.stringify(form)}`);
  const result = REPORT_SCHEMAS[form].safeParse(doc);
  if (result.success) return;
  const issues = result.error.issues;
  const lines = issues.slice(0, SHOWN_ISSUES).map((i) => {
    const value = valueAt(doc, i.path);
    return `${pathText(i.path) || '(document)'}: ${i.message}${value === undefined || typeof value === 'object' ? '' : ` (${JSON.stringify(value)})`}`;
  });
  const more = issues.length > SHOWN_ISSUES ? `; and ${issues.length - SHOWN_ISSUES} more` : '';
  throw new ReportSchemaError(`report "${form}" does not match its schema: ${lines.join('; ')}${more}`);
}

function isReportForm(form: unknown): form is ReportForm {
  return typeof form === 'string' && Object.hasOwn(REPORT_SCHEMAS, form);
}

/** Reports of at most this many rows (array items, at any depth) are checked by the CLI. */
export const SMALL_REPORT_ITEMS = 10_000;

/** Checks the document when it is small (see the header); a larger one passes unchecked. */
export function checkSmallReport(doc: AnyReport): void {
  if (itemsUpTo(doc, SMALL_REPORT_ITEMS) <= SMALL_REPORT_ITEMS) checkReport(doc);
}

/** The array items in a value, counted only until `limit` is passed: a million-row report costs `limit` steps. */
export function itemsUpTo(value: unknown, limit: number): number {
  let n = 0;
  const walk = (v: unknown): void => {
    if (n > limit || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const x of v) {
        if (++n > limit) return;
        walk(x);
      }
      return;
    }
    for (const x of Object.values(v)) walk(x);
  };
  walk(value);
  return n;
}

function pathText(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}

function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let v = doc;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}
