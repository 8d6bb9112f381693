// The header check shared by all readers: a file whose columns are not exactly the kind's
// columns (INTERFACE.md) is unusable as a whole — exit 2, nothing written.
import { visible } from '../../schemas/characters.ts';
import { UsageError } from '../kernel/errors.ts';
import type { ImportSchema } from '../../schemas/fields.ts';

/** The column lists of a kind's schema. */
export type ColumnSpec = Pick<ImportSchema<unknown>, 'columns' | 'required' | 'optional' | 'labels'>;

const list = (names: string[]) => names.map((n) => `«${visible(n)}»`).join(', ');

/**
 * Checks the column names of a file against a kind's schema: no duplicates, no unknown
 * columns (with a hint for a whole CSV line in one spreadsheet cell), every required column present.
 */
export function checkColumns(fileLabel: string, kind: string, columns: string[], schema: ColumnSpec): void {
  const fail = (why: string) => {
    throw new UsageError(`Файл ${fileLabel} (${kind}) не принят: ${why}`);
  };
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c)) fail(`столбец «${visible(c)}» повторяется в заголовке`);
    seen.add(c);
  }
  const known = new Set(schema.columns);
  const unknown = columns.filter((c) => !known.has(c));
  // A CSV opened as one column and saved as a workbook (or pasted into one cell).
  const glued = unknown.find((c) => /[;,\t]/.test(c) && schema.columns.some((k) => c.split(/[;,\t]/).map((p) => p.trim()).includes(k)));
  if (glued !== undefined) {
    fail(
      `названия столбцов записаны в одну ячейку через разделитель (${list([glued.length > 80 ? `${glued.slice(0, 77)}…` : glued])}): ` +
        'разбейте текст по столбцам (в Excel: Данные → Текст по столбцам) или загрузите исходный файл .csv',
    );
  }
  const missing = schema.required.filter((c) => !seen.has(c));
  const problems: string[] = [];
  if (unknown.length) {
    const hints = unknown
      .map((u) => schema.columns.find((k) => k.toLowerCase() === u.trim().toLowerCase() && k !== u))
      .filter((h): h is string => h !== undefined);
    problems.push(
      `неизвестные столбцы ${list(unknown)}` + (hints.length ? ` (возможно, имелось в виду ${list(hints)})` : ''),
    );
  }
  if (missing.length) {
    problems.push(`нет обязательных столбцов ${missing.map((m) => `«${m}» (${schema.labels[m]})`).join(', ')}`);
  }
  if (problems.length) fail(`${problems.join('; ')}. Ожидаются столбцы: ${schema.columns.join(', ')}`);
}
