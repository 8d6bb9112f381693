// FormDocument → .xlsx with exceljs' streaming WorkbookWriter: every row is committed (written to
// the zip stream) as soon as it is built, so a 50 000-row list stays in bounded memory. Text goes
// into the cells as inline strings (`t="inlineStr"`), not into a shared-strings table, which
// would hold every distinct name and ИИН of the list in memory until the file is finished (1M
// acts: 609 MB). exceljs writes an inline string only for a rich-text value, so text is handed
// over as one plain run (`inlineText`); a plain JS string would come out as `t="str"`, which the
// format reserves for formula results.
import { createWriteStream } from 'node:fs';
import { chmod, rename, unlink } from 'node:fs/promises';
import { removeStaleTemps, tempPathFor } from '../../pipeline/kernel/temp-files.ts';
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import {
  type Cell,
  type Column,
  type FormDocument,
  type RenderOptions,
  type Row,
  type Section,
  DEFAULT_TOTALS_LABEL,
  TotalsCheck,
  cellText,
  checkSection,
  hasGroups,
  headerGroups,
  iterateRows,
  rowCells,
  rowMark,
  sheetNames,
  totalsLabelSpan,
} from './document.ts';

/**
 * Number formats. Format codes in the file are locale-neutral: "," is "the grouping separator"
 * and "." "the decimal separator" of the reader's locale, so `#,##0.00` is what Excel shows as
 * «1 234 567,89» under Kazakh or Russian regional settings (its own format dialog spells it
 * «# ##0,00»). A literal space (`# ##0.00`) would not group: Excel prints 1234567.89 as
 * «1234 567.89».
 */
export const XLSX_NUMFMT = {
  amount: '#,##0.00',
  count: '0',
  date: 'dd.mm.yyyy',
  text: '@',
} as const;

/** Rows written between two turns of the event loop (see drain). */
const YIELD_EVERY_ROWS = 200;
/** Rows read ahead of writing to size the columns. */
const WIDTH_SAMPLE = 200;
const MIN_WIDTH = 4;
const MAX_WIDTH = 60;

type Style = Partial<ExcelJS.Style>;
const thin: Partial<ExcelJS.Border> = { style: 'thin' };
const BORDER: Partial<ExcelJS.Borders> = { top: thin, left: thin, bottom: thin, right: thin };
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEFEFEF' } };

// One object per look: exceljs caches a style by object identity, which keeps 900 000 cells fast.
function makeStyles(bold: boolean): Record<Column['type'], Style> {
  const font = bold ? { bold: true } : undefined;
  const base = (numFmt: string, horizontal?: ExcelJS.Alignment['horizontal']): Style => ({
    numFmt,
    border: BORDER,
    alignment: { vertical: 'top', ...(horizontal ? { horizontal } : {}) },
    ...(font ? { font } : {}),
  });
  return {
    text: base(XLSX_NUMFMT.text),
    amount: base(XLSX_NUMFMT.amount),
    count: base(XLSX_NUMFMT.count),
    date: base(XLSX_NUMFMT.date, 'center'),
    month: base(XLSX_NUMFMT.text, 'center'),
  };
}
const DATA_STYLES = makeStyles(false);
const MARKED_STYLES = new Map<string, Style>();
/** Text of several lines in one cell (Appendix 2: two identifiers, БИК and IBAN). */
const WRAPPED_TEXT_STYLE: Style = { ...DATA_STYLES.text, alignment: { vertical: 'top', wrapText: true } };

/**
 * The first cell of a marked row (Section.marks): a count keeps its number and shows the sign
 * through its number format (`0"**"`), a text gets the sign appended.
 */
function markedStyle(type: Column['type'], value: Cell, mark: string): Style {
  const key = `${type}\u0000${mark}`;
  let style = MARKED_STYLES.get(key);
  if (!style) {
    const base = DATA_STYLES[type];
    const quoted = `"${mark.replace(/"/g, '')}"`;
    style = { ...base, numFmt: value.type === 'count' || value.type === 'amount' ? `${base.numFmt}${quoted}` : base.numFmt };
    MARKED_STYLES.set(key, style);
  }
  return style;
}
const TOTAL_STYLES = makeStyles(true);
const TOTAL_LABEL_STYLE: Style = { font: { bold: true }, border: BORDER, alignment: { vertical: 'top', horizontal: 'left' } };
const HEADER_STYLE: Style = {
  font: { bold: true, size: 10 },
  alignment: { horizontal: 'center', vertical: 'middle', wrapText: true },
  border: BORDER,
  fill: HEADER_FILL,
};
const NUMBER_ROW_STYLE: Style = {
  font: { italic: true, size: 9 },
  alignment: { horizontal: 'center', vertical: 'middle' },
  border: BORDER,
  fill: HEADER_FILL,
};
const FORM_STYLE: Style = { font: { italic: true, size: 9 }, alignment: { horizontal: 'right' } };
const LABEL_STYLE: Style = { font: { size: 8 }, alignment: { horizontal: 'left', vertical: 'top', wrapText: true } };
const FORM_WORD_STYLE: Style = { font: { size: 9 }, alignment: { horizontal: 'right' } };
/** The appendix label's block, Excel characters. */
const LABEL_CHARS = 45;
const TITLE_STYLE: Style = { font: { bold: true, size: 12 }, alignment: { horizontal: 'center', vertical: 'middle', wrapText: true } };
const PERIOD_STYLE: Style = { alignment: { horizontal: 'center' } };
// Heading and footer lines span the table and wrap inside it, so that they print within the page.
const HEADING_STYLE: Style = { font: { bold: true }, alignment: { vertical: 'top', wrapText: true } };
const FOOTER_STYLE: Style = { alignment: { vertical: 'top', wrapText: true } };
const SIGN_TITLE_STYLE: Style = { font: { bold: true }, alignment: { vertical: 'top', wrapText: true } };
const SIGN_LINE_STYLE: Style = { alignment: { vertical: 'top', wrapText: true } };

/**
 * Writes `doc` to `filePath` (one sheet per section). The file appears complete or not at all
 * (written beside it under a temporary name, then renamed); with `personalData` it is created with
 * mode 0600.
 */
export async function renderXlsx(doc: FormDocument, filePath: string, opts: RenderOptions = {}): Promise<void> {
  doc.sections.forEach(checkSection);
  const tmp = tempPathFor(filePath);
  const mode = opts.personalData ? 0o600 : 0o644;
  const stream = createWriteStream(tmp, { flags: 'wx', mode });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  try {
    await opened;
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
    wb.creator = 'payouts';
    const names = sheetNames(doc.sections.map((s) => s.name));
    for (let i = 0; i < doc.sections.length; i++) {
      await writeSheet(wb, stream, doc, doc.sections[i], names[i], i);
    }
    if (doc.sections.length === 0) {
      const ws = wb.addWorksheet('Лист 1');
      ws.getRow(1).getCell(1).value = inlineText(doc.title);
      ws.commit();
    }
    await wb.commit();
    if (opts.personalData) await chmod(tmp, 0o600); // whatever the umask did
    await rename(tmp, filePath);
    removeStaleTemps(filePath);
  } catch (err) {
    stream.destroy();
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

async function writeSheet(
  wb: ExcelJS.stream.xlsx.WorkbookWriter,
  out: Writable,
  doc: FormDocument,
  section: Section,
  sheetName: string,
  index: number,
): Promise<void> {
  const where = `section ${index + 1} "${section.name}"`;
  const cols = section.columns;
  const n = cols.length;

  // Read a sample ahead to size the columns; the sample rows are then written like the rest.
  const rows = iterateRows(section.rows);
  const sample: Row[] = [];
  let exhausted = false;
  while (sample.length < WIDTH_SAMPLE) {
    const next = await rows.next();
    if (next.done) {
      exhausted = true;
      break;
    }
    sample.push(next.value);
  }
  let rowNo = 0;
  const rowWhere = () => `${where}, row ${rowNo}`;
  const sampleCells = sample.map((row) => {
    rowNo++;
    return rowCells(cols, row, rowWhere, section.marks);
  });
  const widths = cols.map((c) => columnWidth(c, sampleCells));
  const totalWidth = widths.reduce((a, b) => a + b, 0);

  // Layout: the form's label, «Форма», the title, the period, the heading lines, a blank row, then
  // the table.
  const grouped = hasGroups(cols);
  const formWordRow = 2;
  const titleRow = 3;
  const periodRow = 4;
  const headingStart = 5;
  const headerStart = headingStart + section.heading.length + 1;
  const headerRow = headerStart + (grouped ? 1 : 0);
  const numberRow = section.numberRow ? headerRow + 1 : null;
  const headerEnd = numberRow ?? headerRow;
  const dataStart = headerEnd + 1;

  const ws = wb.addWorksheet(sheetName, {
    views: [{ state: 'frozen', xSplit: 0, ySplit: headerEnd, topLeftCell: `A${dataStart}`, activeCell: `A${dataStart}` }],
    pageSetup: {
      paperSize: 9, // A4
      orientation: doc.orientation,
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: `${headerStart}:${headerEnd}`,
      margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.5, header: 0.3, footer: 0.3 },
    },
    headerFooter: { oddFooter: `&L${excelHeaderText(doc.note ?? (doc.formWord ? '' : doc.form))}&RСтраница &P из &N` },
  });
  ws.columns = widths.map((width) => ({ width }));

  const lastCol = n;
  const put = (r: number, c: number, value: string | number | null, style: Style) => {
    const cell = ws.getRow(r).getCell(c);
    cell.value = typeof value === 'string' ? inlineText(value) : value;
    cell.style = style;
  };

  if (doc.formWord) {
    // The appendix label: a block at the top right, as wide as the last columns that hold ≈ 45
    // characters, wrapped; «Форма» under it, to the right.
    let labelStart = lastCol;
    for (let w = widths[lastCol - 1]; labelStart > 1 && w < LABEL_CHARS; ) w += widths[--labelStart - 1];
    put(1, labelStart, doc.form, LABEL_STYLE);
    if (labelStart < lastCol) ws.mergeCells(1, labelStart, 1, lastCol);
    const labelWidth = widths.slice(labelStart - 1).reduce((a, b) => a + b, 0);
    ws.getRow(1).height = 12 * doc.form.split('\n').reduce((k, line) => k + estimateLines(line, labelWidth / 1.05), 0);
    ws.getRow(1).commit();
    put(formWordRow, lastCol, doc.formWord, FORM_WORD_STYLE);
  } else {
    put(1, lastCol, doc.form, FORM_STYLE);
    ws.getRow(1).commit();
  }
  ws.getRow(formWordRow).commit();

  put(titleRow, 1, doc.title, TITLE_STYLE);
  if (n > 1) ws.mergeCells(titleRow, 1, titleRow, lastCol);
  ws.getRow(titleRow).height = 16.5 * estimateLines(doc.title, totalWidth / 1.25);
  ws.getRow(titleRow).commit();

  if (doc.period) {
    put(periodRow, 1, doc.period, PERIOD_STYLE);
    if (n > 1) ws.mergeCells(periodRow, 1, periodRow, lastCol);
  }
  ws.getRow(periodRow).commit();

  const textLine = (r: number, text: string, style: Style, widthFactor: number) => {
    put(r, 1, text, style);
    if (n > 1) ws.mergeCells(r, 1, r, lastCol);
    const lines = estimateLines(text, totalWidth / widthFactor);
    if (lines > 1) ws.getRow(r).height = 15 * lines;
    ws.getRow(r).commit();
  };
  section.heading.forEach((line, i) => textLine(headingStart + i, line, HEADING_STYLE, 1.1));

  // Header: an optional group row above, the column headers, the column numbers.
  if (grouped) {
    for (const g of headerGroups(cols)) {
      const c = g.start + 1;
      if (g.group === null) {
        put(headerStart, c, cols[g.start].header, HEADER_STYLE);
        put(headerRow, c, null, HEADER_STYLE);
        ws.mergeCells(headerStart, c, headerRow, c);
      } else {
        put(headerStart, c, g.group, HEADER_STYLE);
        for (let k = 1; k < g.span; k++) put(headerStart, c + k, null, HEADER_STYLE);
        if (g.span > 1) ws.mergeCells(headerStart, c, headerStart, c + g.span - 1);
        for (let k = 0; k < g.span; k++) put(headerRow, c + k, cols[g.start + k].header, HEADER_STYLE);
      }
    }
  } else {
    cols.forEach((c, i) => put(headerRow, i + 1, c.header, HEADER_STYLE));
  }
  // Row heights for the wrapped headers (Excel does not fit merged cells by itself).
  const LINE = 13.5;
  const headerLines = (i: number) => estimateLines(cols[i].header, widths[i] / 1.1);
  let rowLines = Math.max(1, ...cols.map((c, i) => (grouped && c.group === undefined ? 1 : headerLines(i))));
  if (grouped) {
    const groups = headerGroups(cols);
    const groupWidth = (g: { start: number; span: number }) => widths.slice(g.start, g.start + g.span).reduce((a, b) => a + b, 0);
    const groupLines = Math.max(1, ...groups.filter((g) => g.group !== null).map((g) => estimateLines(g.group as string, groupWidth(g) / 1.1)));
    const standalone = Math.max(1, ...cols.map((c, i) => (c.group === undefined ? headerLines(i) : 1)));
    rowLines = Math.max(rowLines, standalone - groupLines);
    ws.getRow(headerStart).height = LINE * groupLines;
  }
  ws.getRow(headerRow).height = LINE * rowLines;
  if (grouped) ws.getRow(headerStart).commit();
  ws.getRow(headerRow).commit();
  if (numberRow !== null) {
    cols.forEach((_c, i) => put(numberRow, i + 1, i + 1, NUMBER_ROW_STYLE));
    ws.getRow(numberRow).commit();
  }

  // Data: the sample first, then the rest of the stream.
  const totals = new TotalsCheck(section, where);
  let r = dataStart;
  const writeRow = (cells: Map<string, Cell>) => {
    totals.add(cells);
    const xr = ws.getRow(r);
    const mark = rowMark(cells);
    for (let i = 0; i < n; i++) {
      const c = cols[i];
      const cell = xr.getCell(i + 1);
      const value = cells.get(c.key) as Cell;
      cell.value = cellValue(value);
      cell.style =
        i === 0 && mark
          ? markedStyle(c.type, value, mark)
          : value.type === 'text' && value.text.includes('\n')
            ? WRAPPED_TEXT_STYLE
            : DATA_STYLES[c.type];
    }
    xr.commit();
    r++;
  };
  for (const cells of sampleCells) writeRow(cells);
  if (!exhausted) {
    for (let next = await rows.next(); !next.done; next = await rows.next()) {
      rowNo++;
      writeRow(rowCells(cols, next.value, rowWhere, section.marks));
      // exceljs writes into the zip without backpressure: let zlib and the file catch up, or the
      // whole sheet would pile up in memory while a synchronous row source runs.
      if (rowNo % YIELD_EVERY_ROWS === 0) await drain(ws, out);
    }
  }
  const dataEnd = r - 1;
  const filterRow = numberRow ?? headerRow;
  ws.autoFilter = { from: { row: filterRow, column: 1 }, to: { row: Math.max(dataEnd, filterRow), column: lastCol } };

  // Totals: SUM formulas over the data with the checked figure as the cached result.
  if (section.totals) {
    const checked = totals.finish();
    const span = totalsLabelSpan(section);
    const tr = ws.getRow(r);
    for (let i = 0; i < n; i++) {
      const c = cols[i];
      const cell = tr.getCell(i + 1);
      if (i < span) {
        cell.value = i === 0 ? inlineText(section.totals.label ?? DEFAULT_TOTALS_LABEL) : null;
        cell.style = TOTAL_LABEL_STYLE;
        continue;
      }
      const value = checked.get(c.key) as Cell;
      cell.style = TOTAL_STYLES[c.type];
      if ((value.type === 'amount' || value.type === 'count') && dataEnd >= dataStart) {
        const letter = ws.getColumn(i + 1).letter;
        cell.value = { formula: `SUM(${letter}${dataStart}:${letter}${dataEnd})`, result: cellValue(value) as number };
      } else {
        cell.value = cellValue(value);
      }
    }
    if (span > 1) ws.mergeCells(r, 1, r, span);
    tr.commit();
    r++;
  } else {
    totals.finish();
  }

  // Footer lines and signature blocks.
  if (section.footer?.length) {
    r++;
    for (const line of section.footer) {
      textLine(r, line, FOOTER_STYLE, 1);
      r++;
    }
  }
  if (section.signatures?.length) {
    r++;
    writeSignatures(ws, section.signatures, widths, r);
  }
  ws.commit();
}

function writeSignatures(ws: ExcelJS.Worksheet, blocks: NonNullable<Section['signatures']>, widths: number[], start: number): void {
  const n = widths.length;
  // Side by side when there are columns enough, else one under another.
  const sideBySide = n >= blocks.length;
  const ranges = blocks.map((_b, i) =>
    sideBySide ? [Math.floor((i * n) / blocks.length) + 1, Math.floor(((i + 1) * n) / blocks.length)] : [1, n],
  );
  const put = (r: number, c1: number, c2: number, text: string, style: Style) => {
    const cell = ws.getRow(r).getCell(c1);
    cell.value = inlineText(text);
    cell.style = style;
    if (c2 > c1) ws.mergeCells(r, c1, r, c2);
  };
  const width = (c1: number, c2: number) => widths.slice(c1 - 1, c2).reduce((a, b) => a + b, 0);
  if (sideBySide) {
    const height = Math.max(...blocks.map((b) => b.lines.length + 1));
    for (let k = 0; k < height; k++) {
      let lines = 1;
      blocks.forEach((b, i) => {
        const [c1, c2] = ranges[i];
        const text = k === 0 ? b.title : b.lines[k - 1];
        if (text === undefined) return;
        put(start + k, c1, c2, text, k === 0 ? SIGN_TITLE_STYLE : SIGN_LINE_STYLE);
        lines = Math.max(lines, estimateLines(text, width(c1, c2) / (k === 0 ? 1.1 : 1)));
      });
      ws.getRow(start + k).height = 15 * lines;
      ws.getRow(start + k).commit();
    }
  } else {
    let r = start;
    for (const b of blocks) {
      for (const [k, text] of [b.title, ...b.lines].entries()) {
        put(r, 1, n, text, k === 0 ? SIGN_TITLE_STYLE : SIGN_LINE_STYLE);
        ws.getRow(r).height = 15 * estimateLines(text, width(1, n));
        ws.getRow(r).commit();
        r++;
      }
      r++;
    }
  }
}

/**
 * Backpressure exceljs does not apply: a committed row goes into the sheet's buffer, which is piped
 * into the zip archiver's input (a PassThrough) without ever waiting. Let the event loop run until
 * that input and the file stream are below their high-water marks, else a synchronous row source
 * would pile the whole sheet up in memory before zlib sees any of it. The archiver input is reached
 * through exceljs 4 internals; if they are not there, a plain turn of the event loop is all it gets.
 */
async function drain(ws: ExcelJS.Worksheet, out: Writable): Promise<void> {
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  await turn();
  const input = (ws as unknown as { _stream?: { pipes?: unknown[] } })._stream?.pipes?.[0] as BufferedWritable | undefined;
  for (const w of [input, out as BufferedWritable]) {
    if (!w) continue;
    // Wait while it makes progress; a stall (an archiver that will not read yet) only costs memory.
    let last = queued(w);
    let since = Date.now();
    while (queued(w) > DRAIN_HIGH_WATER && !w.destroyed && Date.now() - since < DRAIN_STALL_MS) {
      await turn();
      const now = queued(w);
      if (now < last) since = Date.now();
      last = now;
    }
  }
}

const DRAIN_HIGH_WATER = 1 << 20;
const DRAIN_STALL_MS = 5000;
/** Core streams and the readable-stream 2 PassThrough archiver uses (no writableLength there). */
type BufferedWritable = Writable & { _writableState?: { length?: number } };
function queued(w: BufferedWritable): number {
  return w.writableLength ?? w._writableState?.length ?? 0;
}

/** Text as exceljs writes it inline (`<c t="inlineStr"><is><r><t>…</t></r></is></c>`). */
function inlineText(text: string): ExcelJS.CellRichTextValue {
  return { richText: [{ text }] };
}

/** The value exceljs writes for a checked cell. Amounts become numbers here and only here. */
function cellValue(cell: Cell): ExcelJS.CellValue {
  switch (cell.type) {
    case 'empty':
      return null;
    case 'text':
    case 'month':
      // An inline string, never a formula, whatever it starts with ("=SUM(A1)", "-5", "@x");
      // the column's text format keeps it text when edited.
      return inlineText(cell.text);
    case 'amount':
      // The documented exception to "no number holds money": the last step into the cell.
      return Number(cell.amount);
    case 'count':
      return cell.count;
    case 'date':
      return new Date(Date.UTC(cell.year, cell.month - 1, cell.day));
  }
}

/** Column width in Excel characters: the given one, or what the header's words and the sample need. */
function columnWidth(column: Column, sample: Map<string, Cell>[]): number {
  if (column.width !== undefined) return column.width === 9 ? 9.1 : column.width;
  const words = column.header.split(/\s+/).filter(Boolean);
  const longestWord = Math.max(0, ...words.map((w) => w.length));
  // Bold headers run ~10% wider; let a header wrap to at most three lines.
  const headerNeed = Math.max(longestWord * 1.1 + 1.5, (column.header.length * 1.1) / 3 + 1.5);
  let valueNeed = 0;
  for (const cells of sample) {
    const cell = cells.get(column.key) as Cell;
    if (cell.type !== 'empty') valueNeed = Math.max(valueNeed, ...cellText(cell).split('\n').map((line) => line.length + 2));
  }
  if (column.type === 'amount') valueNeed = Math.max(valueNeed, 14); // room for «1 234 567,89»
  if (column.type === 'date') valueNeed = Math.max(valueNeed, 12);
  const width = Math.round(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, headerNeed, valueNeed)) * 10) / 10;
  return width === 9 ? 9.1 : width; // exceljs drops a width of exactly 9 as "the default" (Excel's is 8.43)
}

/** Lines `text` wraps to in a cell `widthChars` wide (greedy, by words). */
function estimateLines(text: string, widthChars: number): number {
  let lines = 0;
  for (const para of text.split('\n')) {
    let n = 1;
    let current = 0;
    for (const word of para.split(/\s+/).filter(Boolean)) {
      const w = word.length;
      if (current > 0 && current + 1 + w > widthChars) {
        n++;
        current = w;
      } else current += (current > 0 ? 1 : 0) + w;
    }
    lines += n;
  }
  return Math.max(1, lines);
}

/** Text for an Excel page header/footer: "&" starts a code there. */
function excelHeaderText(text: string): string {
  return text.replace(/&/g, '&&');
}
