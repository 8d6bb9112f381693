// Rejected rows: spooled to a temporary NDJSON file while the import runs (so memory holds one
// chunk at most, and a --strict import can roll the data back and still keep them), then
// written to `rejected_rows` and to `<file>.rejected.xlsx` (run-import.ts decides where): a
// workbook, so that it opens as columns in any Excel whatever its list separator, an ИИН stays
// 12 digits and nothing in it is ever run as a formula.
//
// What was read is kept as read, except the characters that never belong in a value
// (schemas/characters.ts), which are written [U+XXXX]: PostgreSQL cannot store a NUL or a lone
// surrogate, a workbook cannot hold control characters, and a message must stay one line.
import { appendFile, chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import ExcelJS from 'exceljs';
import { visible } from '../../schemas/characters.ts';
import { rawText, type RawValue } from '../../schemas/fields.ts';

export interface RejectedEntry {
  row: number;
  field: string | null;
  /** The value of the field (of each field, when the reason names several), as read. */
  value: string | null;
  reason: string;
  /** The row as read: values by column name, JSON-able. */
  raw: Record<string, unknown>;
}

/** A value as it goes into jsonb and the rejected-rows file: spreadsheet types turned into text. */
export function rawJson(values: Record<string, RawValue>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    const key = visible(k);
    if (v === undefined || v === null) out[key] = null;
    else if (typeof v === 'string') out[key] = visible(v);
    else if (typeof v === 'object') out[key] = visible(rawText(v));
    else out[key] = v;
  }
  return out;
}

/** A rejected entry for row `row` of `values`: the field's value picked out, everything storable. */
export function rejectedEntry(row: number, field: string | null, reason: string, values: Record<string, RawValue>): RejectedEntry {
  const raw = rawJson(values);
  const fields = field === null ? [] : field.split(', ');
  const shown = (f: string) => cellText(raw[visible(f)] ?? '');
  const value = fields.length === 0 ? null : fields.length === 1 ? shown(fields[0]) : fields.map((f) => `${f}: ${shown(f)}`).join('; ');
  return { row, field: field === null ? null : visible(field), value, reason: visible(reason), raw };
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
    await appendFile(this.file, entries.map((e) => `${JSON.stringify(e)}\n`).join(''), { mode: 0o600 });
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

/** The longest text an Excel cell holds (a longer value would make Excel «repair» the file). */
const CELL_LIMIT = 32767;

function cellText(v: unknown): string {
  const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (s.length <= CELL_LIMIT) return s;
  // Cut before the ellipsis, never between the two halves of a surrogate pair (a lone half is no XML).
  const end = /[\ud800-\udbff]/.test(s[CELL_LIMIT - 2]) ? CELL_LIMIT - 2 : CELL_LIMIT - 1;
  return `${s.slice(0, end)}…`;
}

/** Text as an inline string (a plain string would be written as a formula result, t="str"). */
function inline(text: string): ExcelJS.CellRichTextValue {
  return { richText: [{ text }] };
}

export const REJECTED_SHEET = 'Отклонённые строки';
/** The columns the rejected-rows file puts before the row as read. */
export const REJECTED_HEADINGS = ['Строка файла', 'Поле', 'Значение', 'Причина'];

/**
 * Writes the rejected-rows workbook from the spool to `target` (a new file, mode 0600: it holds
 * ИИН and names): one sheet, the row number, the field, its value and the reason first, then the
 * row as read under its own column names. Every cell is text (an ИИН keeps its leading zero; a
 * value that looks like a formula is shown, never run); unsafe characters are already [U+XXXX].
 */
export async function writeRejectedXlsx(spool: RejectSpool, columns: string[], target: string): Promise<void> {
  const stream = createWriteStream(target, { flags: 'wx', mode: 0o600 });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  try {
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
    wb.creator = 'payouts';
    const ws = wb.addWorksheet(REJECTED_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = [
      { width: 8 },
      { width: 18 },
      { width: 28 },
      { width: 70, style: { alignment: { wrapText: true, vertical: 'top' } } },
      ...columns.map(() => ({ width: 18 })),
    ];
    const heading = ws.addRow([...REJECTED_HEADINGS, ...columns].map((h) => inline(visible(h))));
    heading.font = { bold: true };
    heading.commit();
    for await (const batch of spool.batches(1000)) {
      for (const e of batch) {
        const row = ws.addRow([
          e.row,
          inline(cellText(e.field ?? '')),
          inline(cellText(e.value ?? '')),
          inline(cellText(e.reason)),
          ...columns.map((c) => inline(cellText(e.raw[c]))),
        ]);
        for (let i = 2; i <= 4 + columns.length; i++) row.getCell(i).numFmt = '@';
        row.commit();
      }
      // Let the zip stream drain between batches (bounded memory for a large file).
      if (stream.writableNeedDrain) await once(stream, 'drain');
    }
    ws.commit();
    await wb.commit();
    await chmod(target, 0o600); // whatever the umask did
  } catch (err) {
    stream.destroy();
    throw err;
  }
}

/** Errors of a folder that cannot take the file: the next folder is tried. Anything else is a fault. */
const UNWRITABLE: Record<string, string> = {
  EACCES: 'нет прав на запись',
  EPERM: 'нет прав на запись',
  EROFS: 'файловая система только для чтения',
  ENOENT: 'папки нет',
  ENOTDIR: 'это не папка',
  ENOSPC: 'нет места на диске',
  EDQUOT: 'исчерпана квота диска',
  EEXIST: 'это не папка',
};

export interface RejectedPlacement {
  /** Where the workbook is moved after the commit. */
  target: string;
  /** Where it was written (a hidden temporary name beside the target). */
  temp: string;
}

export interface RejectedFolders {
  /** The folders to try, in order. */
  dirs: string[];
  /** The name of the workbook in whichever folder takes it. */
  name: string;
}

/**
 * Where the rejected-rows workbook of `file` may go: --out when given, beside the input, then
 * <cwd>/out/rejected/ — each folder once.
 */
export function rejectedFolders(file: string, opts: { out?: string; cwd?: string }): RejectedFolders {
  const dirs = [
    ...(opts.out ? [path.resolve(opts.out)] : []),
    path.dirname(path.resolve(file)),
    path.resolve(opts.cwd ?? process.cwd(), 'out', 'rejected'),
  ];
  return { dirs: [...new Set(dirs)], name: `${path.basename(file)}.rejected.xlsx` };
}

/**
 * Writes the workbook into the first folder of `folders` that takes it. Returns where it went
 * (null: no folder could be written) and why each folder before it was passed over.
 */
export async function writeRejectedSomewhere(
  spool: RejectSpool,
  columns: string[],
  folders: RejectedFolders,
  tempPathFor: (target: string) => string,
  inputDir: string,
): Promise<{ placement: RejectedPlacement | null; passedOver: string[] }> {
  const passedOver: string[] = [];
  for (const dir of folders.dirs) {
    const target = path.join(dir, folders.name);
    const temp = tempPathFor(target);
    try {
      if (dir !== inputDir) await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeRejectedXlsx(spool, columns, temp);
      return { placement: { target, temp }, passedOver };
    } catch (err) {
      await rm(temp, { force: true }).catch(() => undefined);
      const why = UNWRITABLE[(err as NodeJS.ErrnoException).code ?? ''];
      if (!why) throw err;
      passedOver.push(`${visible(dir)} (${why})`);
    }
  }
  return { placement: null, passedOver };
}
