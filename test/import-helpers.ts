// Shared by the import tests: temporary files, the bundled sample set, builders of synthetic rows
// with valid-checksum ИИН/БИН and IBANs.
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Db } from '../pipeline/kernel/db.ts';
import { iinBinCheckDigit, makeKzIban } from '../pipeline/kernel/identifiers.ts';
import { runImport, type ImportReport } from '../pipeline/imports/run-import.ts';

export const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures', 'imports');

export function tmpDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'payouts-import-test-'));
}

/** Copies a fixture into `dir` (so that its rejected-rows file lands there, not in fixtures/). */
export function fixture(name: string, dir: string): string {
  const target = path.join(dir, name);
  copyFileSync(path.join(FIXTURES, name), target);
  return target;
}

export function csvLine(values: (string | number | null | undefined)[]): string {
  return values
    .map((v) => {
      const s = v === null || v === undefined ? '' : String(v);
      return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    })
    .join(',');
}

/** Writes a CSV with the header of `columns` and the given rows (objects by column). */
export function writeCsv(dir: string, name: string, columns: string[], rows: Record<string, unknown>[]): string {
  const file = path.join(dir, name);
  const lines = [csvLine(columns), ...rows.map((r) => csvLine(columns.map((c) => r[c] as string)))];
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

export function importFile(
  db: Db,
  kind: string,
  file: string,
  opts: { strict?: boolean; asOf?: string; operator?: string } = {},
): Promise<ImportReport> {
  return runImport(db, {
    kind,
    file,
    strict: opts.strict,
    asOf: opts.asOf ?? '2025-03-10',
    operator: opts.operator ?? 'test',
  });
}

/** Imports the bundled sample set (banks, mios, providers, and optionally acts and exemptions). */
export async function loadSample(db: Db, dir: string, kinds = ['banks', 'mios', 'providers']): Promise<void> {
  for (const kind of kinds) {
    const r = await importFile(db, kind, fixture(`${kind}.csv`, dir));
    if (r.rejected > 0) throw new Error(`sample ${kind} rejected rows: ${JSON.stringify(r.errors)}`);
  }
}

/** A valid ИИН/БИН from its first 11 digits (throws when no check digit exists). */
export function idNumber(first11: string): string {
  const check = iinBinCheckDigit(first11);
  if (check === null) throw new Error(`no valid number starts with ${first11}`);
  return first11 + String(check);
}

/** The n-th synthetic ИИН (n < 28 000): born 1970-01-DD, distinct for distinct n, always valid. */
export function syntheticIin(n: number): string {
  const day = String(1 + Math.floor(n / 1000)).padStart(2, '0');
  for (let k = 0; k < 10; k++) {
    const first11 = `7001${day}3${String((n % 1000) * 10 + k).padStart(4, '0')}`;
    if (iinBinCheckDigit(first11) !== null) return idNumber(first11);
  }
  throw new Error(`no synthetic ИИН for ${n}`);
}

export const SAMPLE = {
  astana: '090440003212',
  almaty: '101140007846',
  assistant: '850312400217',
  deregistered: '920715501139',
  entrepreneur: '781102300454',
  npo: '110340005628',
  pensioner: '580907300674',
  pwd1: '620421400183',
  halykIban: makeKzIban('601', '0000000000001'),
};

export const ACT_COLUMNS = [
  'act_no',
  'order_no',
  'decision_no',
  'provider_id',
  'mio_bin',
  'oblast',
  'region',
  'pwd_iin',
  'pwd_name',
  'assistant_iin',
  'assistant_name',
  'service_month',
  'hours',
  'claimed_amount',
  'received_on',
  'accepted_on',
];

/** An act of the sample's НПО (registered 2023-11-01) for January 2025; override what a test needs. */
export function act(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    act_no: 'T-1',
    order_no: 'З-1',
    decision_no: 'Р-1',
    provider_id: SAMPLE.npo,
    mio_bin: SAMPLE.almaty,
    oblast: 'г. Алматы',
    region: 'Алмалинский район',
    pwd_iin: syntheticIin(1),
    pwd_name: 'Тестова Гульмира Сериковна',
    assistant_iin: syntheticIin(2),
    assistant_name: 'Тестов Ерлан Маратович',
    service_month: '2025-01',
    hours: '160',
    claimed_amount: '',
    received_on: '2025-02-03',
    accepted_on: '2025-02-10',
    ...overrides,
  };
}

/** The rejected-rows workbook as rows of cell texts (the heading row first). */
export async function readRejected(file: string): Promise<string[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const ws = wb.worksheets[0];
  const rows: string[][] = [];
  ws.eachRow((row) => {
    const cells: string[] = [];
    for (let i = 1; i <= ws.columnCount; i++) cells.push(row.getCell(i).text);
    rows.push(cells);
  });
  return rows;
}
