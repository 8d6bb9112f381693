// CSV inputs for the tests and fixtures, written with csv-stringify (as the pipeline writes its
// own CSV): a header row, then the rows; a cell with a comma, a quote or a line break is quoted.
// A missing value is an empty cell; a boolean is true/false, as a person types it.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';

/** A row: an object by column name, or the values in column order. */
export type CsvRow = Readonly<Record<string, unknown>> | readonly unknown[];

export interface CsvOptions {
  /** The line end: '\n' unless given ('\r\n' is what Excel writes). */
  eol?: string;
  /** Write the header row (default true); false for the next part of a file written in parts. */
  header?: boolean;
}

/** The CSV text of `rows` under the header of `columns`. */
export function csvText(columns: readonly string[], rows: readonly CsvRow[], opts: CsvOptions = {}): string {
  const values = rows.map((r) => (Array.isArray(r) ? r : columns.map((c) => (r as Record<string, unknown>)[c])));
  return stringify(opts.header === false ? values : [columns, ...values], {
    record_delimiter: opts.eol ?? '\n',
    cast: { boolean: (v) => String(v) },
  });
}

/** Writes `dir/name` as csvText; returns its path. */
export function writeCsv(dir: string, name: string, columns: readonly string[], rows: readonly CsvRow[], opts: CsvOptions = {}): string {
  const file = path.join(dir, name);
  writeFileSync(file, csvText(columns, rows, opts));
  return file;
}
