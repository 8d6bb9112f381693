// Rejected rows: spooled to a temporary NDJSON file while the import runs (so memory holds one
// chunk at most, and a --strict import can roll the data back and still keep them), then
// written to `rejected_rows` and to `<file>.rejected.csv` beside the input: the original
// columns + row + field + reason, UTF-8 with a BOM so that Excel shows Cyrillic.
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { stringify } from 'csv-stringify';
import { rawText, type RawValue } from '../../schemas/fields.ts';

export interface RejectedEntry {
  row: number;
  field: string | null;
  reason: string;
  /** The row as read: values by column name, JSON-able. */
  raw: Record<string, unknown>;
}

/** A value as it goes into jsonb: the reader's value, with spreadsheet types turned into text. */
export function rawJson(values: Record<string, RawValue>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    out[k] = v === undefined ? null : typeof v === 'object' && v !== null ? rawText(v) : v;
  }
  return out;
}

export class RejectSpool {
  count = 0;
  private constructor(
    private readonly dir: string,
    readonly file: string,
  ) {}

  static async create(): Promise<RejectSpool> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'payouts-import-'));
    return new RejectSpool(dir, path.join(dir, 'rejected.ndjson'));
  }

  async add(entries: RejectedEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await appendFile(this.file, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
    this.count += entries.length;
  }

  /** Reads the entries back in batches of `size`, in the order they were added. */
  async *batches(size: number): AsyncGenerator<RejectedEntry[]> {
    if (this.count === 0) return;
    const lines = readline.createInterface({ input: createReadStream(this.file, 'utf8'), crlfDelay: Infinity });
    let batch: RejectedEntry[] = [];
    for await (const line of lines) {
      if (!line) continue;
      batch.push(JSON.parse(line) as RejectedEntry);
      if (batch.length >= size) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * A cell that Excel would run as a formula (=, +, -, @, tab, CR at the start) is written with a
 * leading apostrophe, so opening the rejected-rows file never executes anything. Plain numbers
 * like "-5" are left alone. The database keeps the value exactly as read.
 */
export function excelSafe(value: string): string {
  if (/^[=+\-@\t\r]/.test(value) && !/^[+-]?\d+(\.\d+)?$/.test(value)) return `'${value}`;
  return value;
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** Writes the rejected-rows CSV from the spool to `target`. */
export async function writeRejectedCsv(spool: RejectSpool, columns: string[], target: string): Promise<void> {
  const out = createWriteStream(target);
  const csv = stringify({ bom: true, header: true, columns: [...columns, 'row', 'field', 'reason'] });
  csv.pipe(out);
  for await (const batch of spool.batches(1000)) {
    for (const e of batch) {
      const record = [...columns.map((c) => excelSafe(cell(e.raw[c]))), String(e.row), e.field ?? '', excelSafe(e.reason)];
      if (!csv.write(record)) await once(csv, 'drain');
    }
  }
  csv.end();
  await once(out, 'finish');
}
