// XLSX: the first sheet (in the workbook's tab order), its first row the header. Read with the
// exceljs streaming reader, row by row. Cells keep what Excel typed them as (see
// schemas/fields.ts): a number cell becomes ExcelNumber, a date cell a Date, so that each field
// decides how to read it back (an ИИН that lost its leading zero is refused there, not padded).
import ExcelJS from 'exceljs';
import { CellError, ExcelNumber, type RawValue } from '../../schemas/fields.ts';
import { UsageError } from '../kernel/errors.ts';
import { checkColumns, type ColumnSpec } from './header.ts';
import type { Source, SourceRow } from './source.ts';

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

export async function openXlsx(file: string, fileLabel: string, kind: string, spec: ColumnSpec): Promise<Source> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, {
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  });
  const unreadable = (err: unknown) =>
    new UsageError(`Файл ${fileLabel} не читается как книга Excel (.xlsx): ${(err as Error).message ?? err}`);
  const close = async () => {
    (reader as unknown as { stream?: { destroy(): void } }).stream?.destroy();
  };

  async function* sheetRows(): AsyncGenerator<{ number: number; cells: RawValue[] }> {
    try {
      for await (const sheet of reader) {
        const firstName = (reader as unknown as { model?: { sheets?: { name: string }[] } }).model?.sheets?.[0]?.name;
        if (firstName !== undefined && (sheet as unknown as { name?: string }).name !== firstName) continue;
        for await (const row of sheet) {
          const values = row.values as Cell[];
          const cells: RawValue[] = [];
          for (let i = 1; i < values.length; i++) cells.push(cellValue(values[i]));
          yield { number: row.number, cells };
        }
        return;
      }
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw unreadable(err);
    } finally {
      await close();
    }
  }

  const it = sheetRows();
  let first: IteratorResult<{ number: number; cells: RawValue[] }>;
  // Leading empty rows are skipped; the first row with a value is the header.
  for (first = await it.next(); !first.done && first.value.cells.every(isEmpty); first = await it.next());
  if (first.done) throw new UsageError(`Файл ${fileLabel} пуст: на первом листе нет строки заголовка`);

  const header = first.value.cells.map((c) => (isEmpty(c) ? '' : String(c instanceof ExcelNumber ? c.value : c).trim()));
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
