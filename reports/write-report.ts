// Writing a report to files, as `payouts report --out` does and the demo does: the JSON document
// (mode 0600: reports carry personal data), or the form's Excel or PDF files.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../pipeline/kernel/db.ts';
import { checkSmallReport, type AnyReport } from '../schemas/reports/index.ts';
import { reportBuilders, type FormName } from './registry.ts';
import { renderReportFiles } from './render-report.ts';

export interface ReportRequest {
  form: FormName;
  month?: string;
  mio?: string;
  asOf: string;
}

/** The file base name of a report: `<form>_<month or as-of>[_<mio>]`. */
export function reportBaseName(r: ReportRequest): string {
  return [r.form, r.month ?? r.asOf, r.mio].filter(Boolean).join('_');
}

/**
 * The JSON document of a report. A report that breaks its schema is a bug: it stops here, before
 * anything is printed or written (checked when small; see schemas/reports/index.ts for why not
 * always).
 */
export async function buildReport(db: Db, r: ReportRequest): Promise<AnyReport> {
  const doc = await reportBuilders[r.form](db, { month: r.month, mio: r.mio, asOf: r.asOf });
  checkSmallReport(doc);
  return doc;
}

/** Writes a report into `out`: the JSON document, or the form's Excel or PDF files. Returns the paths. */
export async function writeReport(db: Db, r: ReportRequest, format: 'json' | 'xlsx' | 'pdf', out: string): Promise<string[]> {
  const doc = await buildReport(db, r);
  mkdirSync(out, { recursive: true });
  if (format === 'json') {
    const file = path.join(out, `${reportBaseName(r)}.json`);
    writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
    return [file];
  }
  return renderReportFiles(doc, format, out, reportBaseName(r));
}
