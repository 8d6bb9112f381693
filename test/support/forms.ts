// Reading the forms back for the forms and renderer tests: an XLSX sheet's table by the layout of
// reports/render/xlsx.ts (form label, «Форма», title, period, heading lines, a blank row, [group row], header,
// [column numbers], data, [totals]), and the text of a PDF with pdftotext (poppler-utils).
import { spawnSync } from 'node:child_process';
import Big from 'big.js';
import { readFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import type { Column, Section } from '../../reports/render/document.ts';

export const poppler = spawnSync('pdftotext', ['-v'], { encoding: 'utf8' }).status === 0;
export const NO_POPPLER_REASON = 'pdftotext not found (Debian: apt-get install -y poppler-utils): PDF text checks are skipped.';

/** The text of a PDF (or of one page), no-break spaces made plain. */
export function pdfText(file: string, page?: number): string {
  const args = ['-layout', '-enc', 'UTF-8', ...(page ? ['-f', String(page), '-l', String(page)] : []), file, '-'];
  const r = spawnSync('pdftotext', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pdftotext failed: ${r.stderr}`);
  return r.stdout.replace(/\u00a0/g, ' ');
}

export function pdfPages(file: string): number {
  const r = spawnSync('pdfinfo', [file], { encoding: 'utf8' });
  return Number(/Pages:\s+(\d+)/.exec(r.stdout)?.[1]);
}

/** Whitespace-insensitive: a wrapped title is still the title. */
export const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

/**
 * Reads an XLSX the renderer wrote. Its text is inline strings, which exceljs reads back as rich
 * text of one run; they are made plain strings here so that the tests compare text with text.
 */
export async function readWorkbook(file: string): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  for (const ws of wb.worksheets) {
    ws.eachRow((row) =>
      row.eachCell((cell) => {
        if (cell.isMerged && cell.master !== cell) return;
        if (cell.type === ExcelJS.ValueType.RichText) cell.value = (cell.value as ExcelJS.CellRichTextValue).richText.map((r) => r.text).join('');
      }),
    );
  }
  return wb;
}

/** The parts of an XLSX file (a zip) by name, as text. */
export async function xlsxParts(file: string): Promise<Map<string, string>> {
  const zip = await JSZip.loadAsync(await readFile(file));
  const parts = new Map<string, string>();
  for (const name of Object.keys(zip.files)) if (!zip.files[name].dir) parts.set(name, await zip.files[name].async('string'));
  return parts;
}

export type Plain = string | number | null;

/** A cell as the JSON report would write it: amounts as two-decimal strings, dates as YYYY-MM-DD. */
export function plain(cell: ExcelJS.Cell, type: Column['type']): Plain {
  const v = cell.value;
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') throw new Error(`${cell.address}: unexpected ${JSON.stringify(v)}`);
  if (type === 'month' && typeof v === 'string' && / г\.$/.test(v)) return monthFromWords(v);
  if (type === 'amount') {
    if (typeof v !== 'number') throw new Error(`${cell.address}: an amount that is not a number: ${JSON.stringify(v)}`);
    return new Big(v).toFixed(2);
  }
  return v as string | number;
}

/** The row of the first heading line in a sheet (label, «Форма», title and period above it). */
export const XLSX_HEADING_START = 5;

const MONTH_WORDS = ['январь', 'февраль', 'март', 'апрель', 'май', 'июнь', 'июль', 'август', 'сентябрь', 'октябрь', 'ноябрь', 'декабрь'];

/** «январь 2025 г.» (a month as the forms print it) → "2025-01". */
export function monthFromWords(text: string): string {
  const m = /^(\p{L}+) (\d{4}) г\.$/u.exec(text);
  const i = m ? MONTH_WORDS.indexOf(m[1]) : -1;
  if (!m || i < 0) throw new Error(`not a month in words: ${JSON.stringify(text)}`);
  return `${m[2]}-${String(i + 1).padStart(2, '0')}`;
}

export interface SheetTable {
  headers: string[];
  /** The group row above the headers, when the section has one (merged cells read as their first). */
  groups: (string | null)[] | null;
  numbers: number[] | null;
  rows: Plain[][];
  /** The totals row: a label, then per column the formula and its cached result (as plain). */
  totals: { label: string; cells: { formula?: string; value: Plain }[] } | null;
  headerRow: number;
  dataStart: number;
  dataEnd: number;
}

/** Reads the table of `section` (its layout, not its values) from `ws`; `rowCount` data rows. */
export function readTable(ws: ExcelJS.Worksheet, section: Pick<Section, 'heading' | 'columns' | 'numberRow' | 'totals'>, rowCount: number): SheetTable {
  const cols = section.columns;
  const grouped = cols.some((c) => c.group !== undefined);
  const headerStart = XLSX_HEADING_START + section.heading.length + 1;
  const headerRow = headerStart + (grouped ? 1 : 0);
  const numberRow = section.numberRow ? headerRow + 1 : null;
  const dataStart = (numberRow ?? headerRow) + 1;
  const dataEnd = dataStart + rowCount - 1;
  const text = (r: number, c: number) => {
    const v = ws.getCell(r, c).value;
    return v === null || v === undefined ? null : String(v);
  };
  const headers = cols.map((c, i) => (grouped && c.group === undefined ? text(headerStart, i + 1) : text(headerRow, i + 1)) ?? '');
  const groups = grouped ? cols.map((c, i) => (c.group === undefined ? null : text(headerStart, i + 1))) : null;
  const numbers = numberRow ? cols.map((_c, i) => Number(ws.getCell(numberRow, i + 1).value)) : null;
  const rows: Plain[][] = [];
  for (let r = dataStart; r <= dataEnd; r++) rows.push(cols.map((c, i) => plain(ws.getCell(r, i + 1), c.type)));
  let totals: SheetTable['totals'] = null;
  if (section.totals) {
    const r = dataEnd + 1;
    totals = {
      label: String(ws.getCell(r, 1).value),
      cells: cols.map((c, i) => {
        const cell = ws.getCell(r, i + 1);
        if (cell.type === ExcelJS.ValueType.Formula) {
          const result = cell.result as number;
          return { formula: cell.formula, value: c.type === 'amount' ? new Big(result).toFixed(2) : result };
        }
        return { value: plain(cell, c.type) };
      }),
    };
  }
  return { headers, groups, numbers, rows, totals, headerRow, dataStart, dataEnd };
}

/** Every string in the sheet below `fromRow` (footers, signatures). */
export function textsBelow(ws: ExcelJS.Worksheet, fromRow: number): string[] {
  const out: string[] = [];
  ws.eachRow((row, r) => {
    if (r <= fromRow) return;
    row.eachCell((c) => {
      if (c.isMerged && c.master !== c) return; // a merged range reads its value once
      if (typeof c.value === 'string') out.push(c.value);
    });
  });
  return out;
}

/** The values of `keys` of each JSON row, in order: what a sheet's rows must read. */
export function pick(rows: Record<string, unknown>[], keys: string[]): Plain[][] {
  return rows.map((r) => keys.map((k) => (r[k] === undefined ? null : (r[k] as Plain))));
}
