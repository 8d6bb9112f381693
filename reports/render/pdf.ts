// FormDocument → PDF with pdfmake (server side, PdfPrinter and the bundled DejaVu Sans Condensed).
//
// pdfmake lays out a whole document in memory, so a long list is cut into volumes of at most
// `maxRowsPerVolume` rows (`<base>_vol01.pdf`, `_vol02.pdf`, …; `<base>.pdf` when one is enough),
// and each volume is built, written and let go before the next one's rows are read. Rows come from
// an array, a generator or an async cursor; when their number is not known up front (neither an
// array nor `rowCount`), they are first spooled to a private temporary file (mode 0600, removed
// afterwards) to count them, because the first page must already say «Том 1 из K».
import { createReadStream, createWriteStream } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { chmod, mkdtemp, rename, rm, unlink } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { removeStaleTemps, tempPathFor } from '../../pipeline/kernel/temp-files.ts';
import os from 'node:os';
import path from 'node:path';
import type { Content, ContentTable, TDocumentDefinitions, TableCell } from 'pdfmake/interfaces.js';
import {
  type Cell,
  type Column,
  type FormDocument,
  type RenderOptions,
  type Row,
  type Section,
  DEFAULT_TOTALS_LABEL,
  RenderError,
  TotalsCheck,
  cellText,
  checkSection,
  hasGroups,
  headerGroups,
  isArrayRows,
  iterateRows,
  rowCells,
  rowMark,
  toCell,
  totalsLabelSpan,
} from './document.ts';
import { FONT_FAMILY, FONT_FILES, maxTextWidth, minTextWidth, wrappedLines } from './fonts.ts';
import { hyphenateToWidth, minHyphenatedWidth } from './hyphen.ts';

export interface PdfOptions extends RenderOptions {
  /** Rows per volume (default DEFAULT_MAX_ROWS_PER_VOLUME): bounds the memory pdfmake needs. */
  maxRowsPerVolume?: number;
}

/**
 * pdfmake holds a volume's whole layout in memory, ≈ 80 KB per 18-column row: 5 000 rows peak near
 * 600 MB RSS, 2 500 rows (≈ 150 A4 landscape pages, a sensible paper volume too) near 350 MB.
 */
export const DEFAULT_MAX_ROWS_PER_VOLUME = 2500;

/** The worker that lays out and writes one volume (plain JS: runs under tsx, vitest, node). */
const WORKER_URL = new URL('./pdf-worker.mjs', import.meta.url);
/** A safety net, not the working limit: a volume that outgrows it fails cleanly instead of the process. */
const WORKER_MAX_OLD_GENERATION_MB = 2048;

// Page geometry, points (A4 = 595.28 × 841.89).
const A4 = { w: 595.28, h: 841.89 };
const MARGIN_X = 18;
const MARGIN_BOTTOM = 34;
const MARGIN_TOP = 22;
const HEADER_TOP = 16;
/** pdfmake line height for DejaVu: (ascender − descender) / em ≈ 1.164 of the font size. */
const LEADING = 1.17;
/** The appendix label's column at the top right, points (as wide as on the approved forms). */
const LABEL_WIDTH = 230;
const FORM_SIZE = 7;
const TITLE_SIZE = 10.5;
const PERIOD_SIZE = 8.5;
const CELL_PAD_X = 1.5;
const CELL_PAD_Y = 1.5;
const LINE_W = 0.5;
const TABLE_FONT_SIZES = [9, 8.5, 8, 7.5, 7, 6.5, 6];
const WIDTH_SAMPLE = 200;
const HEADER_FILL = '#EEEEEE';

/**
 * Renders `doc` into `outDir` and returns the paths written, in order. With `personalData` the
 * files are created with mode 0600. Every file appears complete or not at all; on an error the
 * volumes already written are removed.
 */
export async function renderPdf(doc: FormDocument, outDir: string, baseName: string, opts: PdfOptions = {}): Promise<string[]> {
  doc.sections.forEach(checkSection);
  if (!baseName || /[/\\\0]/.test(baseName)) throw new RenderError(`bad PDF base name "${baseName}"`);
  const maxRows = opts.maxRowsPerVolume ?? DEFAULT_MAX_ROWS_PER_VOLUME;
  if (!(Number.isSafeInteger(maxRows) && maxRows > 0)) throw new RenderError('maxRowsPerVolume must be a positive integer');

  const written: string[] = [];
  let spoolDir: string | undefined;
  try {
    // 1. How many rows each section has, and where to read them from.
    const sources: RowSource[] = [];
    for (const [i, s] of doc.sections.entries()) {
      if (isArrayRows(s.rows)) sources.push(new RowSource(s, i, s.rows.length, iterateRows(s.rows), false));
      else if (s.rowCount !== undefined) sources.push(new RowSource(s, i, s.rowCount, iterateRows(s.rows), true));
      else {
        spoolDir ??= await mkdtemp(path.join(os.tmpdir(), 'payouts-pdf-'));
        const file = path.join(spoolDir, `section${i}.ndjson`);
        const count = await spool(s.rows, file);
        sources.push(new RowSource(s, i, count, readSpool(file), false));
      }
    }
    const total = sources.reduce((a, s) => a + s.count, 0);
    const volumes = Math.max(1, Math.ceil(total / maxRows));

    // 2. Volume by volume: pull its rows, lay it out, write it, forget it.
    const ctx = new DocContext(doc);
    let si = 0;
    for (let v = 1; v <= volumes; v++) {
      const parts: Part[] = [];
      let budget = maxRows;
      while (si < sources.length) {
        const src = sources[si];
        const remaining = src.count - src.taken;
        if (remaining > 0 && budget === 0) break;
        const first = src.taken === 0;
        const rows = await src.take(Math.min(remaining, budget));
        budget -= rows.length;
        const last = src.taken === src.count;
        if (last) await src.assertExhausted();
        parts.push({ source: src, rows, first, last });
        if (last) si++;
      }
      const file = path.join(outDir, volumes === 1 ? `${baseName}.pdf` : `${baseName}_vol${String(v).padStart(Math.max(2, String(volumes).length), '0')}.pdf`);
      await writeVolume(ctx.volume(parts, v, volumes), file, opts.personalData ?? false);
      written.push(file);
    }
    return written;
  } catch (err) {
    await Promise.all(written.map((f) => unlink(f).catch(() => undefined)));
    throw err;
  } finally {
    if (spoolDir) await rm(spoolDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Rows

interface Part {
  source: RowSource;
  /** This volume's rows of the section, checked. */
  rows: Map<string, Cell>[];
  /** The section starts in this volume (else: «продолжение»). */
  first: boolean;
  /** The section ends in this volume: totals, footer and signatures go here. */
  last: boolean;
}

class RowSource {
  taken = 0;
  readonly totals: TotalsCheck;
  readonly where: string;
  layout?: TableLayout;

  constructor(
    readonly section: Section,
    readonly index: number,
    readonly count: number,
    private readonly it: AsyncGenerator<Row>,
    private readonly declared: boolean,
  ) {
    this.where = `section ${index + 1} "${section.name}"`;
    this.totals = new TotalsCheck(section, this.where);
  }

  async take(n: number): Promise<Map<string, Cell>[]> {
    const out: Map<string, Cell>[] = [];
    const where = () => `${this.where}, row ${this.taken}`;
    while (out.length < n) {
      const next = await this.it.next();
      if (next.done) {
        throw new RenderError(`${this.where}: rowCount says ${this.count} rows but the rows ended after ${this.taken}`);
      }
      this.taken++;
      const cells = rowCells(this.section.columns, next.value, where, this.section.marks);
      this.totals.add(cells);
      out.push(cells);
    }
    return out;
  }

  async assertExhausted(): Promise<void> {
    if (!this.declared) return;
    const next = await this.it.next();
    if (!next.done) {
      await this.it.return(undefined);
      throw new RenderError(`${this.where}: rowCount says ${this.count} rows but there are more`);
    }
  }
}

async function spool(rows: Section['rows'], file: string): Promise<number> {
  const out = createWriteStream(file, { flags: 'wx', mode: 0o600 });
  let count = 0;
  try {
    for await (const row of rows) {
      count++;
      if (!out.write(`${JSON.stringify(row)}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
  } finally {
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
  return count;
}

async function* readSpool(file: string): AsyncGenerator<Row> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) if (line) yield JSON.parse(line) as Row;
}

// ---------------------------------------------------------------------------------------------
// Layout

interface TableLayout {
  fontSize: number;
  /** Content widths of the columns, points (pdfmake adds the padding and the rules). */
  widths: number[];
}

class DocContext {
  readonly pageW: number;
  readonly pageH: number;
  readonly contentW: number;

  constructor(readonly doc: FormDocument) {
    const landscape = doc.orientation === 'landscape';
    this.pageW = landscape ? A4.h : A4.w;
    this.pageH = landscape ? A4.w : A4.h;
    this.contentW = this.pageW - 2 * MARGIN_X;
  }

  /**
   * The volume as data for the worker: the definition without functions, the page header and
   * footer. An approved form (`formWord`, Appendices 1–4) prints as its appendix: each section
   * starts on its own page with the label, «Форма», the title and the period, and only the table's
   * header rows (the heading lines, the column headers and numbers) repeat on the following pages.
   * The pipeline's own documents carry their caption, title and period in the page header of
   * every page. Either way the footer numbers the pages of each section on their own («Страница 2
   * из 3» of this МИО), so that every division reads as a document of its own.
   */
  volume(parts: Part[], volume: number, volumes: number): VolumeSpec {
    const { doc, contentW } = this;
    const volumeText = volumes > 1 ? `Том ${volume} из ${volumes}` : '';
    const left = [doc.note, volumeText].filter(Boolean).join('   ·   ');
    const footer = { margin: [MARGIN_X, 10, MARGIN_X, 0] as [number, number, number, number], fontSize: 7.5, left, pageText: 'Страница {page} из {pages}' };
    const info = { title: doc.title, subject: `${doc.form.replace(/\s+/g, ' ')}. ${doc.period}`, creator: 'payouts', producer: 'payouts' };
    const content = parts.map((p, i) => this.sectionContent(p, i > 0));
    if (doc.formWord) {
      return {
        def: { pageSize: 'A4', pageOrientation: doc.orientation, pageMargins: [MARGIN_X, MARGIN_TOP, MARGIN_X, MARGIN_BOTTOM], info, defaultStyle: { font: FONT_FAMILY, fontSize: 9 }, content },
        header: null,
        footer,
      };
    }
    const periodLine = [doc.period, volumeText].filter(Boolean).join('   ·   ');
    const headerHeight =
      HEADER_TOP +
      wrappedLines(doc.form, contentW, FORM_SIZE) * FORM_SIZE * LEADING +
      wrappedLines(doc.title, contentW, TITLE_SIZE, true) * TITLE_SIZE * LEADING +
      2 +
      wrappedLines(periodLine, contentW, PERIOD_SIZE) * PERIOD_SIZE * LEADING +
      10;
    return {
      def: {
        pageSize: 'A4',
        pageOrientation: doc.orientation,
        pageMargins: [MARGIN_X, Math.ceil(headerHeight), MARGIN_X, MARGIN_BOTTOM],
        info,
        defaultStyle: { font: FONT_FAMILY, fontSize: 9 },
        content,
      },
      // On every page: the caption, the title, the period (and the volume).
      header: {
        margin: [MARGIN_X, HEADER_TOP, MARGIN_X, 0],
        stack: [
          { text: doc.form, fontSize: FORM_SIZE, italics: true, alignment: 'right' },
          { text: doc.title, fontSize: TITLE_SIZE, bold: true, alignment: 'center' },
          { text: periodLine, fontSize: PERIOD_SIZE, alignment: 'center', margin: [0, 2, 0, 0] },
        ],
      },
      footer,
    };
  }

  /** The top of a section's first page: the appendix label, «Форма», the title, the period. */
  private formBlock(): Content[] {
    const { doc, contentW } = this;
    const labelW = Math.min(contentW, doc.formWord ? LABEL_WIDTH : contentW);
    const out: Content[] = [
      {
        columns: [
          { width: '*', text: '' },
          {
            width: labelW,
            stack: [
              { text: doc.form, fontSize: FORM_SIZE, italics: !doc.formWord, alignment: doc.formWord ? 'left' : 'right' },
              ...(doc.formWord ? [{ text: doc.formWord, fontSize: FORM_SIZE + 1, alignment: 'right' as const, margin: [0, 4, 0, 0] as [number, number, number, number] }] : []),
            ],
          },
        ],
        margin: [0, 0, 0, 6],
      },
      { text: doc.title, fontSize: TITLE_SIZE, bold: true, alignment: 'center' },
    ];
    if (doc.period) out.push({ text: doc.period, fontSize: PERIOD_SIZE, alignment: 'center', margin: [0, 2, 0, 0] });
    out.push({ text: '', margin: [0, 0, 0, 6] });
    return out;
  }

  private sectionContent(part: Part, newPage: boolean): Content {
    const { section } = part.source;
    const cols = section.columns;
    const n = cols.length;
    // Row numbers outgrow the sample (row 50 000 of a list): a count column has room for the
    // section's row count as well, or a later volume would break «2501» into «250» and «1».
    const widestCount = new Map<string, Cell>(
      cols.map((c, i): [string, Cell] => [
        c.key,
        // The first column also holds a row's mark («2**», Section.marks).
        i === 0 && section.marks && c.type === 'count'
          ? { type: 'text', text: `${part.source.count}${section.marks.sign}` }
          : c.type === 'count'
            ? { type: 'count', count: part.source.count }
            : { type: 'empty' },
      ]),
    );
    part.source.layout ??= fitTable(
      cols,
      [...part.rows.slice(0, WIDTH_SAMPLE), widestCount],
      cols.map((c) => (section.totals ? cellText(toCell(c, section.totals[c.key], () => `${part.source.where}, totals`)) : null)),
      this.contentW - n * 2 * CELL_PAD_X - (n + 1) * LINE_W,
    );
    const { fontSize, widths } = part.source.layout;
    const headerSize = headerFontSize(fontSize);

    const body: TableCell[][] = [];
    const span = (cell: TableCell & object, k: number): TableCell[] => [cell, ...Array.from({ length: k - 1 }, () => ({}))];

    // Caption: the heading lines (or the section's name), repeated on every page with the header.
    // A form without heading lines (Appendix 2) has no caption row: nothing the appendix lacks.
    const caption = [...section.heading, ...(part.first ? [] : ['(продолжение)'])].join('\n');
    if (caption) {
      body.push(span({ text: caption, colSpan: n, bold: true, fontSize: fontSize + 1, border: [false, false, false, false], margin: [-CELL_PAD_X, 0, 0, 3] }, n));
    }

    // Header words wider than their column are hyphenated («Гарантиро-ванная»), as on the forms.
    const spanWidth = (start: number, k: number) => sum(widths.slice(start, start + k)) + (k - 1) * (2 * CELL_PAD_X + LINE_W);
    const head = (text: string, width: number, extra: object = {}): TableCell =>
      ({
        text: hyphenateToWidth(text, width, headerSize, true),
        bold: true,
        fontSize: headerSize,
        alignment: 'center',
        fillColor: HEADER_FILL,
        ...extra,
      }) as TableCell;
    if (hasGroups(cols)) {
      const top: TableCell[] = [];
      const bottom: TableCell[] = [];
      for (const g of headerGroups(cols)) {
        if (g.group === null) {
          top.push(head(cols[g.start].header, widths[g.start], { rowSpan: 2 }));
          bottom.push({});
        } else {
          top.push(...span(head(g.group, spanWidth(g.start, g.span), { colSpan: g.span }) as TableCell & object, g.span));
          for (let k = 0; k < g.span; k++) bottom.push(head(cols[g.start + k].header, widths[g.start + k]));
        }
      }
      body.push(top, bottom);
    } else {
      body.push(cols.map((c, i) => head(c.header, widths[i])));
    }
    if (section.numberRow) {
      body.push(cols.map((_c, i) => ({ text: String(i + 1), italics: true, fontSize: Math.max(6, fontSize - 1), alignment: 'center', fillColor: HEADER_FILL })));
    }
    const headerRows = body.length;

    const aligns = cols.map(alignment);
    for (const cells of part.rows) {
      const row: TableCell[] = new Array(n);
      const mark = rowMark(cells);
      for (let i = 0; i < n; i++) {
        const value = printedText(cells.get(cols[i].key) as Cell);
        const text = i === 0 && mark ? `${value}${mark}` : value;
        row[i] = aligns[i] === 'left' ? text : { text, alignment: aligns[i] };
      }
      body.push(row);
    }

    const after: Content[] = [];
    if (part.last) {
      const totals = part.source.totals.finish();
      if (section.totals) {
        const labelSpan = totalsLabelSpan(section);
        const row: TableCell[] = span({ text: section.totals.label ?? DEFAULT_TOTALS_LABEL, colSpan: labelSpan, bold: true }, labelSpan);
        for (let i = labelSpan; i < n; i++) {
          row.push({ text: cellText(totals.get(cols[i].key) as Cell), bold: true, alignment: aligns[i] });
        }
        body.push(row);
      }
      const tail: Content[] = [];
      if (section.footer?.length) {
        tail.push({ stack: section.footer.map((line) => ({ text: line })), fontSize: 9, margin: [0, 8, 0, 0] });
      }
      if (section.signatures?.length) {
        tail.push({
          columns: section.signatures.map((b): Content & { width: '*' } => ({
            width: '*',
            stack: [
              { text: b.title, bold: true, margin: [0, 0, 0, 4] },
              ...b.lines.map(
                (line): Content =>
                  // A line in parentheses is the caption under a signature line: small, italic.
                  /^\(.*\)$/s.test(line.trim())
                    ? { text: line, fontSize: 7, italics: true, margin: [0, 0, 0, 4] }
                    : { text: line, margin: [0, 6, 0, 0] },
              ),
            ],
          })),
          columnGap: 36,
          fontSize: 9,
          margin: [0, 18, 0, 0],
        });
      }
      if (tail.length) after.push({ stack: tail, unbreakable: true });
    }

    const table: ContentTable = {
      table: { headerRows, dontBreakRows: true, widths, body },
      layout: caption ? TABLE_LAYOUT_NAME : `${TABLE_LAYOUT_NAME}-plain`,
      fontSize,
    };
    const top = this.doc.formWord ? this.formBlock() : [];
    return { stack: [...top, table, ...after], ...(newPage ? { pageBreak: 'before' as const } : {}) };
  }
}

/** Thin black rules, no rule above the caption row; defined in the worker from these numbers. */
const TABLE_LAYOUT_NAME = 'payouts';
const TABLE_LAYOUT_SPEC = { lineWidth: LINE_W, padX: CELL_PAD_X, padY: CELL_PAD_Y };

/**
 * A cell as printed: text gets no-break spaces where a line must not break (Russian typesetting):
 * after a short abbreviation («г. Астана», «р-н», «с. Коянды») and before an initial
 * («Тоғжанов Ә.»). Only on paper: the XLSX keeps the text exactly as given.
 */
export function printedText(cell: Cell): string {
  const text = cellText(cell);
  if (cell.type === 'month') return text.replace(/ /g, '\u00a0'); // «январь 2025 г.» on one line
  if (cell.type !== 'text') return text;
  return text
    .replace(/(^|\s)(\p{L}{1,3}\.) +(?=\p{L})/gu, '$1$2\u00a0')
    .replace(/ +(?=\p{Lu}\.(?:\s|\p{Lu}\.|$))/gu, '\u00a0');
}

function alignment(c: Column): 'left' | 'center' | 'right' {
  switch (c.type) {
    case 'amount':
    case 'count':
      return 'right';
    case 'date':
    case 'month':
      return 'center';
    default:
      return 'left';
  }
}

/**
 * Picks the largest table font (9 → 6 pt) at which every column can be as narrow as its widest
 * unbreakable word (an ИИН, an amount, a bold total) while its header stays within
 * MAX_HEADER_LINES lines, hyphenating header words («Гарантиро-ванная») only in the columns where
 * that is needed to fit. Then shares the page width out: every column gets its minimum, and what
 * is left goes to the columns whose text would otherwise wrap, in proportion to how much more
 * they would like.
 */
export function fitTable(cols: Column[], sample: Map<string, Cell>[], totals: (string | null)[], available: number): TableLayout {
  for (const fontSize of TABLE_FONT_SIZES) {
    const layout = layoutAt(fontSize, cols, sample, totals, available);
    if (layout) return layout;
  }
  // Too wide even at the smallest size: shrink the minimums to the page, pdfmake will cut words.
  const fontSize = TABLE_FONT_SIZES[TABLE_FONT_SIZES.length - 1];
  const { min } = columnNeeds(fontSize, cols, sample, totals, available);
  const sMin = sum(min);
  return { fontSize, widths: min.map((m) => Math.floor(((m * available) / sMin) * 100) / 100) };
}

/** A taller header eats the top of every page. */
const MAX_HEADER_LINES = 7;

/** Headers are bold: half a point smaller reads as large as the body and saves width. */
export function headerFontSize(bodySize: number): number {
  return bodySize - 0.5;
}

/** The narrowest width ≥ `from` at which `header` takes at most MAX_HEADER_LINES lines. */
function headerWidth(header: string, from: number, fontSize: number, hyphenate: boolean): number {
  let w = from;
  const lines = (width: number) =>
    wrappedLines(hyphenate ? hyphenateToWidth(header, width, fontSize, true) : header, width, fontSize, true);
  while (lines(w) > MAX_HEADER_LINES && w < from + 400) w += 1;
  return w;
}

/** Minimum and preferred content widths of the columns at `fontSize`. */
export function columnNeeds(fontSize: number, cols: Column[], sample: Map<string, Cell>[], totals: (string | null)[], available: number) {
  const plain: number[] = [];
  const hyph: number[] = [];
  const nat: number[] = [];
  cols.forEach((c, i) => {
    let dataMin = 0;
    let dataMax = 0;
    for (const cells of sample) {
      const text = printedText(cells.get(c.key) as Cell);
      if (!text) continue;
      dataMin = Math.max(dataMin, minTextWidth(text, fontSize));
      dataMax = Math.max(dataMax, maxTextWidth(text, fontSize));
    }
    const total = totals[i];
    if (total) {
      dataMin = Math.max(dataMin, minTextWidth(total, fontSize, true));
      dataMax = Math.max(dataMax, maxTextWidth(total, fontSize, true));
    }
    const hs = headerFontSize(fontSize);
    const lo = Math.ceil(headerWidth(c.header, Math.max(dataMin, minTextWidth(c.header, hs, true)), hs, false) + 0.5);
    plain.push(lo);
    const loHyph = Math.ceil(headerWidth(c.header, Math.max(dataMin, minHyphenatedWidth(c.header, hs, true)), hs, true) + 0.5);
    hyph.push(Math.min(lo, loHyph));
    let hi = Math.max(lo, maxTextWidth(c.header, hs, true) / 3, Math.min(dataMax, available * 0.3));
    if (c.width !== undefined) hi = Math.max(lo, c.width * 0.55 * fontSize); // characters → points
    nat.push(hi);
  });
  // Hyphenate the headers that save the most first, and only as many as needed to fit.
  const min = [...plain];
  const order = cols.map((_c, i) => i).sort((a, b) => plain[b] - hyph[b] - (plain[a] - hyph[a]));
  for (const i of order) {
    if (sum(min) <= available) break;
    min[i] = hyph[i];
  }
  return { min, nat: nat.map((w, i) => Math.max(w, min[i])) };
}

/** Widths at `fontSize`, or null when the columns' minimums do not fit. */
function layoutAt(fontSize: number, cols: Column[], sample: Map<string, Cell>[], totals: (string | null)[], available: number): TableLayout | null {
  const { min, nat } = columnNeeds(fontSize, cols, sample, totals, available);
  const sMin = sum(min);
  const sNat = sum(nat);
  if (sMin > available) return null;
  const widths =
    sNat <= available
      ? nat.map((w) => w + ((available - sNat) * w) / sNat)
      : min.map((m, i) => m + ((nat[i] - m) * (available - sMin)) / (sNat - sMin));
  return { fontSize, widths: widths.map((w) => Math.floor(w * 100) / 100) };
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

// ---------------------------------------------------------------------------------------------
// Output

interface VolumeSpec {
  def: TDocumentDefinitions;
  /** The page header of every page, or null (an approved form prints its top in the content). */
  header: Content | null;
  footer: { margin: [number, number, number, number]; fontSize: number; left: string; pageText: string };
}

/** Lays out and writes one volume in its own worker thread; the file appears complete or not at all. */
async function writeVolume(spec: VolumeSpec, file: string, personalData: boolean): Promise<void> {
  const tmp = tempPathFor(file);
  try {
    await new Promise<void>((resolve, reject) => {
      const worker = new Worker(WORKER_URL, {
        workerData: {
          ...spec,
          fonts: { [FONT_FAMILY]: FONT_FILES },
          tableLayout: { name: TABLE_LAYOUT_NAME, ...TABLE_LAYOUT_SPEC },
          file: tmp,
          mode: personalData ? 0o600 : 0o644,
        },
        execArgv: [], // plain JS: no loaders needed
        resourceLimits: { maxOldGenerationSizeMb: WORKER_MAX_OLD_GENERATION_MB },
      });
      let done = false;
      worker.once('message', () => {
        done = true;
      });
      worker.once('error', reject);
      worker.once('exit', (code) => {
        if (done && code === 0) resolve();
        else reject(new RenderError(`PDF worker for ${path.basename(file)} exited with code ${code}`));
      });
    });
    if (personalData) await chmod(tmp, 0o600);
    await rename(tmp, file);
    removeStaleTemps(file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
