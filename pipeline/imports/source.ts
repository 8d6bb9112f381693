// What every file reader gives the import framework: the header (column names in file order)
// and the data rows, each with its row number in the file (CSV: the line where the record
// starts; XLSX: the sheet row; JSON: the array element from 1; pain.002: the transaction from 1).
// A reader throws UsageError (exit 2) when the file as a whole is unusable; a problem of one row
// (a wrong number of fields, a value in a column without a name) travels with the row.
import type { RawValue } from '../../schemas/fields.ts';

export type FileFormat = 'csv' | 'xlsx' | 'json' | 'xml';

export interface SourceRow {
  rowNo: number;
  /** Values by column name, as the reader saw them (see schemas/fields.ts). */
  values: Record<string, RawValue>;
  /** A problem the reader found in this row; the row is rejected with it. */
  problem?: { field: string | null; reason: string };
}

/** A transaction of a pain.002 that is not a rejection: reported, not imported. */
export interface SkippedEntry {
  rowNo: number;
  ref: string;
  status: string;
}

export interface Source {
  format: FileFormat;
  /** Column names in the order of the file (the rejected-rows file repeats them). */
  columns: string[];
  rows: AsyncIterable<SourceRow>;
  skipped: SkippedEntry[];
  /** Releases the file (streams) when the rows were not read to the end. */
  close(): Promise<void>;
  /** CSV: the encoding and the column separator that were detected. */
  encoding?: 'utf-8' | 'windows-1251';
  delimiter?: ',' | ';';
}
