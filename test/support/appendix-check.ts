// Reading a printed form back against the table of the Algorithm's appendices
// (appendix-table.ts): an XLSX sheet and a PDF page, label, «Форма», title, header lines in order,
// the headings in the appendix's words, the row of column numbers, nothing beyond the form.
import { spawnSync } from 'node:child_process';
import type ExcelJS from 'exceljs';
import { expect } from 'vitest';
import type { FormFile } from '../../reports/forms/common.ts';
import type { Appendix } from './appendix-table.ts';
import { XLSX_HEADING_START, readTable, squash, textsBelow } from './forms.ts';

/** Whitespace and hyphens out: a heading wrapped or hyphenated in a narrow column reads the same. */
export const norm = (s: string) => s.replace(/[\s\u00ad-]+/g, '');

export function pdfRaw(file: string, page?: number): string {
  const args = ['-raw', '-enc', 'UTF-8', ...(page ? ['-f', String(page), '-l', String(page)] : []), file, '-'];
  const r = spawnSync('pdftotext', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pdftotext failed: ${r.stderr}`);
  return r.stdout.replace(/\u00a0/g, ' ');
}

/** The values of a sheet's row, merged cells once. */
export function rowTexts(ws: ExcelJS.Worksheet, r: number): string[] {
  const out: string[] = [];
  ws.getRow(r).eachCell((c) => {
    if (c.isMerged && c.master !== c) return;
    if (c.value !== null && c.value !== undefined) out.push(String(c.value));
  });
  return out;
}

/** An appendix form's XLSX sheet against the table: label, «Форма», title, header lines, headings, numbers, no extra column. */
export function checkSheet(ws: ExcelJS.Worksheet, f: FormFile, sectionIndex: number, a: Appendix, rowCount: number): void {
  const section = f.document.sections[sectionIndex];
  expect(squash(rowTexts(ws, 1).join(' '))).toBe(squash(a.label));
  expect(rowTexts(ws, 2)).toEqual([a.formWord]);
  expect(rowTexts(ws, 3)).toEqual([a.title]);
  const heading: string[] = [];
  for (let r = XLSX_HEADING_START - 1; r < XLSX_HEADING_START + section.heading.length; r++) heading.push(...rowTexts(ws, r));
  let at = -1;
  for (const line of a.headerLines) {
    const i = heading.findIndex((h, k) => k > at && h.startsWith(line));
    expect(i, `${a.no}: header line «${line}» in order in ${JSON.stringify(heading)}`).toBeGreaterThan(at);
    at = i;
  }
  expect(heading).toHaveLength(Math.max(a.headerLines.length, section.heading.length));
  const table = readTable(ws, section, rowCount);
  expect(table.headers).toEqual(a.columns.map((c) => c.heading));
  if (a.columns.some((c) => c.group)) expect(table.groups).toEqual(a.columns.map((c) => c.group ?? null));
  else expect(table.groups).toBeNull();
  expect(table.numbers).toEqual(a.columns.map((c) => c.no));
  // Nothing to the right of the form's last column, in any row.
  ws.eachRow((row, r) => row.eachCell((c) => expect(c.col, `${a.no}: ${c.address} beyond the form: ${String(c.value)}`).toBeLessThanOrEqual(a.columns.length + 0 * r)));
  if (a.totalsLabel) expect(table.totals?.label).toBe(a.totalsLabel);
  const below = textsBelow(ws, table.dataEnd);
  for (const line of a.below) expect(below.some((b) => b.startsWith(line)), `${a.no}: «${line}» under the table`).toBe(true);
  expect(below.filter((b) => b.startsWith('(фамилия'))).toEqual(a.signatureCaptions);
}

/** An appendix form's PDF page against the table: in order label, «Форма», title, header lines, numbers; every heading. */
export function checkPdfPage(text: string, a: Appendix, lastPage: string = text): void {
  const flat = norm(text);
  let at = -1;
  for (const piece of [a.label, a.formWord, a.title, ...a.headerLines]) {
    const i = flat.indexOf(norm(piece), at + 1);
    expect(i, `${a.no}: «${piece}» in order`).toBeGreaterThan(at);
    at = i;
  }
  for (const c of a.columns) {
    expect(flat, `${a.no}: heading ${c.no}`).toContain(norm(c.heading));
    if (c.group) expect(flat).toContain(norm(c.group));
  }
  expect(text.split('\n').map((l) => l.trim()), `${a.no}: the row of column numbers`).toContain(a.columns.map((c) => c.no).join(' '));
  for (const line of [...a.below, ...a.signatureCaptions]) expect(norm(lastPage)).toContain(norm(line));
  if (a.totalsLabel) expect(lastPage).toMatch(new RegExp(`^${a.totalsLabel}\\s`, 'm'));
}
