// JSON: an array of objects, the keys are the columns. Read whole (JSON has no row boundaries
// to stream on); the bytes must be valid UTF-8 (a BOM is accepted; UTF-16 is named and refused).
// Unknown keys anywhere make the file unusable; a required key absent from every object is a
// missing column, absent from some objects a row problem ("не заполнено").
import { readFile } from 'node:fs/promises';
import { visible } from '../../schemas/characters.ts';
import { UsageError } from '../kernel/errors.ts';
import { notUtf8Reason } from './encoding.ts';
import { duplicateJsonKey } from '../kernel/json-keys.ts';
import { checkColumns, type ColumnSpec } from './header.ts';
import type { Source, SourceRow } from './source.ts';

export async function openJson(file: string, fileLabel: string, kind: string, spec: ColumnSpec): Promise<Source> {
  const bytes = await readFile(file);
  const notUtf8 = notUtf8Reason(bytes, fileLabel, 'JSON');
  if (notUtf8) throw new UsageError(notUtf8);
  // A BOM (Notepad's «UTF-8 с BOM») is dropped by the decoder.
  const text = new TextDecoder('utf-8').decode(bytes);
  if (text.trim() === '') throw new UsageError(`Файл ${fileLabel} пуст`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`Файл ${fileLabel} не разобрать как JSON: ${visible((err as Error).message)}`);
  }
  const twice = duplicateJsonKey(text);
  if (twice !== null) throw new UsageError(`Файл ${fileLabel}: поле «${visible(twice)}» указано дважды в одном объекте — какое из значений верное, не ясно`);
  if (!Array.isArray(doc)) throw new UsageError(`Файл ${fileLabel}: ожидается JSON-массив объектов [ {…}, {…} ]`);
  const items: unknown[] = doc;
  if (items.length === 0) throw new UsageError(`Файл ${fileLabel}: пустой массив, нет ни одной строки данных`);

  const columns: string[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) continue;
    for (const k of Object.keys(item)) {
      if (!seen.has(k)) {
        seen.add(k);
        columns.push(k);
      }
    }
  }
  checkColumns(fileLabel, kind, columns, spec);

  async function* rows(): AsyncGenerator<SourceRow> {
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        yield {
          rowNo: i + 1,
          values: { value: JSON.stringify(item) },
          problem: { field: null, reason: 'Элемент массива не является объектом {…}' },
        };
        continue;
      }
      yield { rowNo: i + 1, values: { ...(item as SourceRow['values']) } };
    }
  }
  return { format: 'json', columns, rows: rows(), skipped: [], close: async () => {} };
}
