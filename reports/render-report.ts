// Turns a report's JSON document into Excel or PDF files: the form module of reports/forms/
// builds the FormDocument(s) from the very object the JSON report prints, and the shared
// renderers (reports/render/) write them. One source, three renderers: a form reads nothing but
// the document (no database), so whatever a printed form shows is in the JSON report too.
//
// File names: `<form>_<month>[_<mio_bin>].<ext>` (the base name the CLI passes); a PDF too long
// for one volume becomes `<base>_vol01.pdf`, …; the demand also writes one request letter per
// МИО, `demand-request_<month>_<mio_bin>.<ext>`. Files with personal data (ИИН, names, accounts)
// are written with mode 0600. Either every file of the report is written or none is left; volumes
// of an earlier run of the same report that this run did not write again are removed.
import { readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { AnyReport } from '../schemas/reports/index.ts';
import type { FormFile } from './forms/common.ts';
import { listForm } from './forms/list.ts';
import { transmissionForm } from './forms/transmission.ts';
import { demandForm } from './forms/demand.ts';
import { paymentOrdersForm } from './forms/payment-orders.ts';
import { contributionsForm } from './forms/contributions.ts';
import { returnsForm } from './forms/returns.ts';
import { reconciliationForm } from './forms/reconciliation.ts';
import { bankFeesForm } from './forms/bank-fees.ts';
import { deadlinesForm } from './forms/deadlines.ts';
import { ledgerForm } from './forms/ledger.ts';
import { statementForm } from './forms/statement.ts';

/** The line above the form label of every document built from the sample requisites of reference/. */
export const SAMPLE_HEADER = 'ОБРАЗЕЦ — реквизиты не загружены (payouts import requisites), документ не для исполнения';

/**
 * The FormDocuments of a report, with their file base names. A report built from sample
 * requisites (`sample: true`) marks every document «ОБРАЗЕЦ» in its header.
 */
export function formFiles(doc: AnyReport, baseName: string): FormFile[] {
  const files = formFilesOf(doc, baseName);
  if (!('sample' in doc) || doc.sample !== true) return files;
  return files.map((f) => ({ ...f, document: { ...f.document, form: `${SAMPLE_HEADER}. ${f.document.form}` } }));
}

function formFilesOf(doc: AnyReport, baseName: string): FormFile[] {
  const input = { baseName };
  switch (doc.form) {
    case 'list':
      return listForm(doc, input);
    case 'transmission':
      return transmissionForm(doc, input);
    case 'demand':
      return demandForm(doc, input);
    case 'payment-orders':
      return paymentOrdersForm(doc, input);
    case 'contributions':
      return contributionsForm(doc, input);
    case 'returns':
      return returnsForm(doc, input);
    case 'reconciliation':
      return reconciliationForm(doc, input);
    case 'bank-fees':
      return bankFeesForm(doc, input);
    case 'deadlines':
      return deadlinesForm(doc, input);
    case 'ledger':
      return ledgerForm(doc, input);
    case 'statement':
      return statementForm(doc, input);
  }
}

export async function renderReportFiles(doc: AnyReport, format: 'xlsx' | 'pdf', outDir: string, baseName: string): Promise<string[]> {
  const files = formFiles(doc, baseName);
  const written: string[] = [];
  try {
    for (const f of files) {
      if (format === 'xlsx') {
        const file = path.join(outDir, `${f.baseName}.xlsx`);
        // exceljs and pdfmake load only when a file of their kind is written (CLI start-up).
        const { renderXlsx } = await import('./render/xlsx.ts');
        await renderXlsx(f.document, file, { personalData: f.personalData });
        written.push(file);
      } else {
        const { renderPdf } = await import('./render/pdf.ts');
        const volumes = await renderPdf(f.document, outDir, f.baseName, { personalData: f.personalData });
        written.push(...volumes);
        await removeStaleVolumes(outDir, f.baseName, volumes);
      }
    }
  } catch (err) {
    await Promise.all(written.map((f) => unlink(f).catch(() => undefined)));
    throw err;
  }
  return written;
}

/**
 * An earlier run may have cut the same report into more (or other) volumes: `<base>_vol03.pdf`
 * of yesterday must not lie beside today's two volumes, or beside today's single `<base>.pdf`.
 */
async function removeStaleVolumes(outDir: string, baseName: string, current: string[]): Promise<void> {
  const keep = new Set(current.map((f) => path.basename(f)));
  const escaped = baseName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const ours = new RegExp(`^${escaped}(_vol\\d+)?\\.pdf$`);
  for (const name of await readdir(outDir)) {
    if (ours.test(name) && !keep.has(name)) await unlink(path.join(outDir, name)).catch(() => undefined);
  }
}
