// CSV as finance staff have it: UTF-8 (with or without a BOM) or Windows-1251, detected
// (encoding.ts); columns separated by `,` or `;`, detected from the header row, whose column names
// are known for each kind (or named by Excel's hint line «sep=;» before it); a header row. Read as a stream: bytes are decoded, line ends are
// normalized to LF, and csv-parse yields one record at a time.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable, pipeline } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import { visible } from '../../schemas/characters.ts';
import { UsageError } from '../kernel/errors.ts';
import { detectEncoding, type TextEncoding } from './encoding.ts';
import { checkColumns, type ColumnSpec } from './header.ts';
import type { Source, SourceRow } from './source.ts';

export type Delimiter = ',' | ';';

/** Decodes the file and turns CRLF and lone CR into LF (so line numbers are exact). */
async function* decodedText(file: string, encoding: TextEncoding): AsyncGenerator<string> {
  // The file was surveyed byte by byte (detectEncoding): this decoder meets nothing it cannot read.
  const decoder = new TextDecoder(encoding);
  let pendingCr = false;
  const normalize = (text: string, final: boolean): string => {
    let s = (pendingCr ? '\r' : '') + text;
    pendingCr = !final && s.endsWith('\r');
    if (pendingCr) s = s.slice(0, -1);
    return s.replace(/\r\n?/g, '\n');
  };
  for await (const chunk of createReadStream(file)) {
    const out = normalize(decoder.decode(chunk as Buffer, { stream: true }), false);
    if (out) yield out;
  }
  const out = normalize(decoder.decode(), true);
  if (out) yield out;
}

/** The first lines of the file, decoded (the first 64 KiB: the header is among them). */
async function firstLines(file: string, encoding: TextEncoding): Promise<string[]> {
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 16);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const text = new TextDecoder(encoding).decode(buf.subarray(0, bytesRead), { stream: true });
    return text.split(/\r\n?|\n/);
  } finally {
    await handle.close();
  }
}

/** Excel's own hint line «sep=;» before the header: the separator it names. */
const SEP_LINE = /^"?sep=(.)"?[,;]*$/i;

/** Column names of a header line split at `delimiter` (quotes around a name dropped). */
function headerNames(line: string, delimiter: string): string[] {
  return line.split(delimiter).map((n) => n.trim().replace(/^"(.*)"$/, '$1').trim());
}

function quoted(line: string): string {
  const s = visible(line);
  return `«${s.length > 120 ? `${s.slice(0, 117)}…` : s}»`;
}

/**
 * The column separator: the one of `,` and `;` under which the header names the kind's columns.
 * Neither, or both with different answers, is refused, quoting the header as it was seen.
 */
export function chooseDelimiter(fileLabel: string, kind: string, line: string, spec: ColumnSpec): Delimiter {
  const known = new Set(spec.columns);
  const score = (d: string) => headerNames(line, d).filter((n) => known.has(n)).length;
  const comma = score(',');
  const semicolon = score(';');
  const refuse = (why: string) => {
    throw new UsageError(`Файл ${fileLabel} (${kind}) не принят: ${why}. Ожидаются столбцы: ${spec.columns.join(', ')}`);
  };
  if (comma === 0 && semicolon === 0) {
    if (score('\t') > 0) {
      refuse(`столбцы разделены табуляцией, а принимается запятая или точка с запятой (строка заголовка ${quoted(line)})`);
    }
    refuse(`в строке заголовка ${quoted(line)} нет ни одного столбца вида ${kind} — ни при разделителе «,», ни при «;»`);
  }
  if (comma > 0 && semicolon > 0 && line.includes(',') && line.includes(';')) {
    refuse(`в строке заголовка ${quoted(line)} есть и «,», и «;» — не понять, что из них разделяет столбцы`);
  }
  return semicolon > comma ? ';' : ',';
}

function csvProblem(fileLabel: string, err: CsvError): UsageError {
  const line = (err as unknown as { lines?: number }).lines;
  const where = line ? ` (строка ${line})` : '';
  const why =
    err.code === 'CSV_QUOTE_NOT_CLOSED'
      ? 'кавычка открыта и не закрыта до конца файла'
      : err.code.includes('QUOTE')
        ? 'нарушены кавычки в значении'
        : `ошибка разбора (${err.code})`;
  return new UsageError(`Файл ${fileLabel} не разобрать как CSV${where}: ${why}`);
}

/** Why a comma-separated row may have too many values: a decimal comma not in quotes. */
const COMMA_HINT: Record<Delimiter, string> = {
  ',': '. Если в числе десятичная запятая, в файле с разделителем «,» такое значение берётся в кавычки: "50 000,00"',
  ';': '',
};

export async function openCsv(file: string, fileLabel: string, kind: string, spec: ColumnSpec): Promise<Source> {
  const { encoding } = await detectEncoding(file, fileLabel);
  const lines = await firstLines(file, encoding);
  const at = lines.findIndex((l) => l.trim() !== '');
  if (at < 0) throw new UsageError(`Файл ${fileLabel} пуст: нет даже строки заголовка`);
  let delimiter: Delimiter;
  let fromLine = 1;
  const sep = SEP_LINE.exec(lines[at].trim());
  if (sep) {
    if (sep[1] !== ',' && sep[1] !== ';') {
      throw new UsageError(`Файл ${fileLabel} (${kind}) не принят: строка «${visible(lines[at].trim())}» называет разделитель «${visible(sep[1])}», а принимается запятая или точка с запятой`);
    }
    delimiter = sep[1];
    fromLine = at + 2;
  } else {
    delimiter = chooseDelimiter(fileLabel, kind, lines[at], spec);
  }
  const parser = parse({
    delimiter,
    from_line: fromLine,
    info: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
  });
  const input = Readable.from(decodedText(file, encoding));
  pipeline(input, parser, () => {});
  const records = parser[Symbol.asyncIterator]() as AsyncIterator<{ record: string[]; info: { lines: number } }>;
  const next = async () => {
    try {
      return await records.next();
    } catch (err) {
      if (err instanceof CsvError) throw csvProblem(fileLabel, err);
      throw err;
    }
  };
  const close = async () => {
    input.destroy();
    parser.destroy();
  };

  let first: IteratorResult<{ record: string[]; info: { lines: number } }>;
  try {
    first = await next();
  } catch (err) {
    await close();
    throw err;
  }
  if (first.done) {
    await close();
    throw new UsageError(`Файл ${fileLabel} пуст: нет даже строки заголовка`);
  }
  const header = first.value.record.map((h) => h.trim());
  // Trailing empty header cells (a spreadsheet's stray commas) are tolerated; an empty name
  // between named columns is not.
  let width = header.length;
  while (width > 0 && header[width - 1] === '') width--;
  const columns = header.slice(0, width);
  const emptyAt = columns.indexOf('');
  if (emptyAt >= 0) {
    await close();
    throw new UsageError(`Файл ${fileLabel} (${kind}) не принят: у столбца ${emptyAt + 1} нет имени в заголовке`);
  }
  try {
    checkColumns(fileLabel, kind, columns, spec);
  } catch (err) {
    await close();
    throw err;
  }

  async function* rows(): AsyncGenerator<SourceRow> {
    try {
      for (let r = await next(); !r.done; r = await next()) {
        const { record, info } = r.value;
        const newlines = record.reduce((n, v) => n + (v.match(/\n/g)?.length ?? 0), 0);
        const rowNo = info.lines - newlines;
        const values: SourceRow['values'] = {};
        columns.forEach((c, i) => (values[c] = record[i] ?? ''));
        const row: SourceRow = { rowNo, values };
        const extra = record.slice(width).filter((v) => v.trim() !== '');
        if (extra.length) {
          row.problem = { field: null, reason: `В строке ${record.length} значений, а в заголовке ${width} столбцов: лишние значения справа${COMMA_HINT[delimiter]}` };
          record.slice(width).forEach((v, i) => (values[`_extra${i + 1}`] = v));
        } else if (record.length < width) {
          row.problem = { field: null, reason: `В строке ${record.length} значений, а в заголовке ${width} столбцов` };
        }
        yield row;
      }
    } finally {
      await close();
    }
  }

  return { format: 'csv', columns, rows: rows(), skipped: [], close, encoding, delimiter };
}
