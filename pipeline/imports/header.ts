// The header check shared by all readers: a file whose columns are not exactly the kind's
// columns (INTERFACE.md) is unusable as a whole — exit 2, nothing written.
import { UsageError } from '../kernel/errors.ts';
import type { ImportSchema } from '../../schemas/fields.ts';

/** The column lists of a kind's schema. */
export type ColumnSpec = Pick<ImportSchema<unknown>, 'columns' | 'required' | 'optional' | 'labels'>;

const list = (names: string[]) => names.map((n) => `«${n}»`).join(', ');

/**
 * Checks the column names of a file against a kind's schema: no duplicates, no unknown
 * columns (with a hint for a semicolon- or tab-separated file), every required column present.
 */
export function checkColumns(fileLabel: string, kind: string, columns: string[], schema: ColumnSpec): void {
  const fail = (why: string) => {
    throw new UsageError(`Файл ${fileLabel} (${kind}) не принят: ${why}`);
  };
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c)) fail(`столбец «${c}» повторяется в заголовке`);
    seen.add(c);
  }
  const known = new Set(schema.columns);
  const unknown = columns.filter((c) => !known.has(c));
  if (unknown.some((c) => c.includes(';'))) {
    fail(
      'столбцы разделены точкой с запятой, а ожидается запятая: сохраните файл как ' +
        '«CSV UTF-8 (разделитель — запятая)» или замените «;» на «,»',
    );
  }
  if (unknown.some((c) => c.includes('\t'))) {
    fail('столбцы разделены табуляцией, а ожидается запятая: сохраните файл как «CSV UTF-8 (разделитель — запятая)»');
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
