// The one way the pipeline writes a CSV file. A name can be anything a provider typed on the
// portal, «=HYPERLINK(…)» included: the database keeps it as it is, and a CSV written from it must
// not hand it to a spreadsheet as a formula. So every cell that a spreadsheet would run — one
// that starts with =, +, -, @, a tab or a carriage return — is written with a leading apostrophe
// (the spreadsheets' own mark for "text"); a plain number such as -5 or +7.50 is left alone.
// Files are written whole under a temporary name, then renamed, mode 0600 (registers hold ИИН
// and names).
import { chmodSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { removeStaleTemps, tempPathFor } from './temp-files.ts';

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?\d+(?:[.,]\d+)?$/;

/** A cell as a CSV may carry it: a formula-looking value made inert with a leading apostrophe. */
export function neutralizeFormula(value: string): string {
  return FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
}

export type CsvCell = string | number | null | undefined;

export interface CsvOptions {
  /** The column separator (default `,`). */
  delimiter?: ',' | ';';
  /** A UTF-8 byte-order mark first, so that Excel shows Cyrillic (default false). */
  bom?: boolean;
}

/** The CSV text of a header and rows; every cell neutralized. */
export function csvText(header: string[], rows: CsvCell[][], opts: CsvOptions = {}): string {
  const cell = (v: CsvCell) => neutralizeFormula(v === null || v === undefined ? '' : String(v));
  return stringify([header.map(cell), ...rows.map((r) => r.map(cell))], {
    delimiter: opts.delimiter ?? ',',
    bom: opts.bom ?? false,
    record_delimiter: '\n',
    // A line break of any kind inside a value is quoted (a lone CR too: some readers end a row there).
    quoted_match: /[\r\n\u2028\u2029]/,
  });
}

/** Writes a CSV file whole (temporary name, then rename), mode 0600. */
export function writeCsvFile(file: string, header: string[], rows: CsvCell[][], opts: CsvOptions = {}): void {
  const tmp = tempPathFor(file);
  try {
    writeFileSync(tmp, csvText(header, rows, opts), { flag: 'wx', mode: 0o600 });
    chmodSync(tmp, 0o600); // whatever the umask did
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  removeStaleTemps(file);
}
