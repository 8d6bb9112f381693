// XLSX: the workbook's first sheet (in its tab order, whatever its name; hidden sheets, which the
// person who filled the file did not see, are passed over), its first row the header. The
// archive is read through its central directory (zip.ts): the workbook and its relationships
// name the first sheet's part, whichever program wrote the file and in whatever order it stored
// the parts; only that sheet is read, row by row. Cells keep what Excel typed them as (see
// schemas/fields.ts): a number cell becomes ExcelNumber, a date cell a Date, so that each field
// decides how to read it back (an ИИН that lost its leading zero is refused there, not padded).
//
// The XML is handed to exceljs' parsers already decoded, as text: its own streaming reader
// decodes every chunk of bytes separately, which cuts a Cyrillic letter that straddles two chunks
// into two U+FFFD (a name quietly damaged in a large sheet).
import path from 'node:path';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { XMLParser } from 'fast-xml-parser';
import { CellError, ExcelNumber, rawText, type RawValue } from '../../schemas/fields.ts';
import { visible } from '../../schemas/characters.ts';
import { UsageError } from '../kernel/errors.ts';
import { checkColumns, type ColumnSpec } from './header.ts';
import type { Source, SourceRow } from './source.ts';
import { ZipArchive, ZipError, type ZipEntry } from './zip.ts';

type Cell = ExcelJS.CellValue | undefined;

/** One cell as a raw value: rich text joined, formulas by their cached result, errors kept apart. */
export function cellValue(v: Cell): RawValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return new ExcelNumber(v);
  if (v instanceof Date) return v;
  if (typeof v === 'object') {
    if ('richText' in v && Array.isArray(v.richText)) return v.richText.map((t) => t.text ?? '').join('');
    if ('error' in v) return new CellError(String(v.error));
    if ('formula' in v || 'sharedFormula' in v) {
      const result = (v as { result?: Cell }).result;
      if (result === undefined || result === null) return new CellError('формула без вычисленного значения');
      return cellValue(result as Cell);
    }
    if ('text' in v) {
      const t = (v as { text: unknown }).text;
      return typeof t === 'string' ? t : cellValue(t as Cell);
    }
  }
  return new CellError('значение неизвестного вида');
}

function isEmpty(v: RawValue): boolean {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
}

/** Parts the workbook keeps in memory (the workbook, relationships, shared strings, styles) are capped. */
const MAX_PART_BYTES = 1 << 30;

const OFFICE_DOCUMENT = /\/officeDocument$/;
const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  parseAttributeValue: false,
  parseTagValue: false,
  isArray: (name) => name === 'Relationship' || name === 'sheet',
});

interface Relationship {
  Id: string;
  Type: string;
  Target: string;
  TargetMode?: string;
}

/** The exceljs streaming reader's parsers, which this module feeds with decoded text. */
interface ExcelJsParsers {
  properties: unknown;
  _parseSharedStrings(entry: Readable): AsyncGenerator<unknown>;
  _parseStyles(entry: Readable): Promise<void>;
  _parseWorksheet(iterator: AsyncIterable<string>, sheetNo: string): Generator<{ eventType: string; value: AsyncIterable<ExcelJS.Row> }>;
}

/** The bytes of a stream as UTF-8 text, decoded across chunk boundaries. */
async function* utf8Text(bytes: Readable): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of bytes) {
    const text = decoder.decode(chunk as Buffer, { stream: true });
    if (text) yield text;
  }
  const tail = decoder.decode();
  if (tail) yield tail;
}

/** A relationship's target as a part name: relative to the part's folder, or absolute ("/xl/…"). */
function partName(fromPart: string, target: string): string {
  let t = target;
  try {
    t = decodeURIComponent(target);
  } catch {
    // not percent-encoded
  }
  const joined = t.startsWith('/') ? t : path.posix.join(path.posix.dirname(fromPart), t);
  return path.posix.normalize(joined).replace(/^\/+/, '');
}

function relsPartOf(part: string): string {
  return path.posix.join(path.posix.dirname(part), '_rels', `${path.posix.basename(part)}.rels`);
}

/** The first sheet of an .xlsx: where its rows are, and what the workbook needs to read them. */
interface FirstSheet {
  name: string;
  sheet: ZipEntry;
  sharedStrings?: ZipEntry;
  styles?: ZipEntry;
  date1904: boolean;
}

async function findFirstSheet(zip: ZipArchive): Promise<FirstSheet> {
  const part = (name: string) => zip.entries.get(name) ?? [...zip.entries.values()].find((e) => e.name.toLowerCase() === name.toLowerCase());
  const readXml = async (entry: ZipEntry): Promise<Record<string, unknown>> => {
    if (entry.size > MAX_PART_BYTES) throw new ZipError(`часть ${entry.name} слишком велика`);
    const text = await zip.text(entry);
    if (/<!DOCTYPE/i.test(text)) throw new ZipError(`в части ${entry.name} объявление DOCTYPE, которого в книге Excel не бывает`);
    return xml.parse(text) as Record<string, unknown>;
  };
  const relationships = async (ofPart: string): Promise<Relationship[]> => {
    const entry = part(relsPartOf(ofPart));
    if (!entry) return [];
    const doc = (await readXml(entry)).Relationships as { Relationship?: Relationship[] } | undefined;
    return doc?.Relationship ?? [];
  };

  const root = (await relationships('')).find((r) => OFFICE_DOCUMENT.test(r.Type));
  const workbookPart = root ? partName('', root.Target) : 'xl/workbook.xml';
  const workbookEntry = part(workbookPart);
  if (!workbookEntry) throw new ZipError('в архиве нет книги (xl/workbook.xml)');
  const workbook = (await readXml(workbookEntry)).workbook as
    | { sheets?: { sheet?: { name?: string; id?: string; state?: string }[] }; workbookPr?: { date1904?: string } }
    | undefined;
  const sheets = workbook?.sheets?.sheet ?? [];
  const first = sheets.find((s) => s.state !== 'hidden' && s.state !== 'veryHidden') ?? sheets[0];
  if (!first) throw new ZipError('в книге нет ни одного листа');
  const rels = await relationships(workbookPart);
  const rel = rels.find((r) => r.Id === first.id);
  const sheet = rel && rel.TargetMode !== 'External' ? part(partName(workbookPart, rel.Target)) : undefined;
  if (!sheet) throw new ZipError(`в архиве нет данных листа «${visible(String(first.name ?? ''))}»`);
  const byType = (type: string) => {
    const r = rels.find((x) => x.Type.endsWith(`/${type}`));
    return r ? part(partName(workbookPart, r.Target)) : undefined;
  };
  const sharedStrings = byType('sharedStrings');
  const styles = byType('styles');
  for (const e of [sharedStrings, styles]) {
    if (e && e.size > MAX_PART_BYTES) throw new ZipError(`часть ${e.name} слишком велика`);
  }
  const date1904 = ['1', 'true'].includes(String(workbook?.workbookPr?.date1904 ?? '').toLowerCase());
  return { name: String(first.name ?? ''), sheet, sharedStrings, styles, date1904 };
}

export async function openXlsx(file: string, fileLabel: string, kind: string, spec: ColumnSpec): Promise<Source> {
  const unreadable = (err: unknown) => {
    const why =
      err instanceof ZipError
        ? err.message
        : /xml|sax|tag|entity|attribute|char/i.test((err as Error)?.message ?? '')
          ? `повреждён XML внутри книги (${(err as Error).message.split('\n')[0]})`
          : ((err as Error)?.message ?? String(err));
    return new UsageError(`Файл ${fileLabel} не читается как книга Excel (.xlsx): ${visible(why)}`);
  };

  let zip: ZipArchive;
  let first: FirstSheet;
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, {
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  }) as unknown as ExcelJsParsers;
  const opened: Readable[] = [];
  const open = async (entry: ZipEntry) => {
    const stream = await zip.stream(entry);
    opened.push(stream);
    return stream;
  };
  const close = async () => {
    for (const s of opened) s.destroy();
  };
  let sheetRowsIterable: AsyncIterable<ExcelJS.Row>;
  try {
    zip = await ZipArchive.open(file);
    first = await findFirstSheet(zip);
    reader.properties = { model: { date1904: first.date1904 } };
    if (first.sharedStrings) {
      for await (const _ of reader._parseSharedStrings(Readable.from(utf8Text(await open(first.sharedStrings))))) {
        // 'cache': the strings are kept on the reader, nothing is yielded
      }
    }
    if (first.styles) await reader._parseStyles(Readable.from(utf8Text(await open(first.styles))));
    const [emitted] = [...reader._parseWorksheet(utf8Text(await open(first.sheet)), '1')];
    sheetRowsIterable = emitted.value;
  } catch (err) {
    await close();
    if (err instanceof UsageError) throw err;
    throw unreadable(err);
  }

  async function* sheetRows(): AsyncGenerator<{ number: number; cells: RawValue[] }> {
    try {
      for await (const row of sheetRowsIterable) {
        const values = row.values as Cell[];
        const cells: RawValue[] = [];
        for (let i = 1; i < values.length; i++) cells.push(cellValue(values[i]));
        yield { number: row.number, cells };
      }
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw unreadable(err);
    } finally {
      await close();
    }
  }

  const it = sheetRows();
  let firstRow: IteratorResult<{ number: number; cells: RawValue[] }>;
  // Leading empty rows are skipped; the first row with a value is the header.
  for (firstRow = await it.next(); !firstRow.done && firstRow.value.cells.every(isEmpty); firstRow = await it.next());
  if (firstRow.done) throw new UsageError(`Файл ${fileLabel} пуст: на первом листе «${visible(first.name)}» нет строки заголовка`);

  const header = firstRow.value.cells.map((c) => (isEmpty(c) ? '' : rawText(c).trim()));
  let width = header.length;
  while (width > 0 && header[width - 1] === '') width--;
  const columns = header.slice(0, width);
  const emptyAt = columns.indexOf('');
  try {
    if (emptyAt >= 0) {
      throw new UsageError(`Файл ${fileLabel} (${kind}) не принят: у столбца ${emptyAt + 1} нет имени в заголовке`);
    }
    checkColumns(fileLabel, kind, columns, spec);
  } catch (err) {
    await it.return(undefined);
    throw err;
  }

  async function* rows(): AsyncGenerator<SourceRow> {
    for (let r = await it.next(); !r.done; r = await it.next()) {
      const { number, cells } = r.value;
      if (cells.every(isEmpty)) continue;
      const values: SourceRow['values'] = {};
      columns.forEach((c, i) => (values[c] = cells[i] ?? null));
      const row: SourceRow = { rowNo: number, values };
      if (cells.slice(width).some((c) => !isEmpty(c))) {
        row.problem = { field: null, reason: 'Значения в столбцах справа от заголовка (столбцы без имени)' };
      }
      yield row;
    }
  }

  return {
    format: 'xlsx',
    columns,
    rows: rows(),
    skipped: [],
    close: async () => {
      await it.return(undefined);
    },
  };
}
