// CSV: UTF-8 (a BOM is accepted), comma-separated, a header row. Read as a stream: bytes are
// decoded with a strict UTF-8 decoder (a cp1251 file is refused, not turned into mojibake), line
// ends are normalized to LF, and csv-parse yields one record at a time.
import { createReadStream } from 'node:fs';
import { Readable, pipeline } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import { UsageError } from '../kernel/errors.ts';
import { checkColumns, type ColumnSpec } from './header.ts';
import type { Source, SourceRow } from './source.ts';

/** Decodes UTF-8 strictly and turns CRLF and lone CR into LF (so line numbers are exact). */
async function* decodedText(file: string, fileLabel: string): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pendingCr = false;
  const normalize = (text: string, final: boolean): string => {
    let s = (pendingCr ? '\r' : '') + text;
    pendingCr = !final && s.endsWith('\r');
    if (pendingCr) s = s.slice(0, -1);
    return s.replace(/\r\n?/g, '\n');
  };
  const notUtf8 = () =>
    new UsageError(
      `Файл ${fileLabel} не в кодировке UTF-8 (похоже на Windows-1251 или другую кодировку): ` +
        'сохраните его как «CSV UTF-8 (разделитель — запятая)»',
    );
  for await (const chunk of createReadStream(file)) {
    let text: string;
    try {
      text = decoder.decode(chunk as Buffer, { stream: true });
    } catch {
      throw notUtf8();
    }
    const out = normalize(text, false);
    if (out) yield out;
  }
  let tail: string;
  try {
    tail = decoder.decode();
  } catch {
    throw notUtf8();
  }
  const out = normalize(tail, true);
  if (out) yield out;
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

export async function openCsv(file: string, fileLabel: string, kind: string, spec: ColumnSpec): Promise<Source> {
  const parser = parse({
    delimiter: ',',
    info: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
  });
  const input = Readable.from(decodedText(file, fileLabel));
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
          row.problem = { field: null, reason: `В строке ${record.length} значений, а в заголовке ${width} столбцов: лишние значения справа` };
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

  return { format: 'csv', columns, rows: rows(), skipped: [], close };
}
