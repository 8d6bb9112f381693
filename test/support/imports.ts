// The imports as the tests drive them. Files: the bundled sample set (fixtures/imports), copied
// to a temporary folder so that a rejected-rows file never lands in fixtures/, and synthetic rows
// written with csv.ts, all through runImport as `payouts import` calls it. In-process: transfers
// and returns applied under an import batch of their own, as the `funding` and `returns` imports
// record them, without a file.
import { copyFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../../pipeline/kernel/db.ts';
import { makeKzIban } from '../../pipeline/kernel/identifiers.ts';
import { runImport, type ImportReport } from '../../pipeline/imports/run-import.ts';
import { applyTransfers, type TransferRow } from '../../pipeline/funding.ts';
import { applyReturns, type ApplyReturnsResult, type ReturnRow } from '../../pipeline/returns.ts';
import { buildPain002, parsePain002 } from '../../pipeline/iso20022/index.ts';
import { lockPipeline } from '../../pipeline/kernel/step-run.ts';
import { freshDb, type TestDb } from './db.ts';
import { REPO, tempDir } from './files.ts';
import { synthIin } from './ids.ts';
import ExcelJS from 'exceljs';

export const FIXTURES = path.join(REPO, 'fixtures', 'imports');

/** Copies a fixture into `dir` (so that its rejected-rows file lands there, not in fixtures/). */
export function fixture(name: string, dir: string): string {
  const target = path.join(dir, name);
  copyFileSync(path.join(FIXTURES, name), target);
  return target;
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

export interface SampleDb {
  t: TestDb;
  /** A scratch folder for the files a test writes (and their rejected-rows files). */
  dir: string;
  /** Drops the database and removes the folder. */
  close(): Promise<void>;
}

/** A fresh database holding the sample set's `kinds` (see loadSample). */
export async function openSample(kinds?: string[]): Promise<SampleDb> {
  const t = await freshDb();
  const dir = tempDir('payouts-import-test-');
  const close = async () => {
    await t.drop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await loadSample(t.db, dir, kinds);
    return { t, dir, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Identifiers of the sample set. */
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
    pwd_iin: synthIin(1),
    pwd_name: 'Тестова Гульмира Сериковна',
    assistant_iin: synthIin(2),
    assistant_name: 'Тестов Ерлан Маратович',
    service_month: '2025-01',
    hours: '160',
    claimed_amount: '',
    received_on: '2025-02-03',
    accepted_on: '2025-02-10',
    ...overrides,
  };
}

// ---------------------------------------------------------------------------------------------
// In-process: the rows an import would take, applied under a batch of their own.

let batchSeq = 0;

async function withBatch<T>(
  db: Db,
  kind: 'funding' | 'returns',
  asOf: string,
  operator: string,
  body: (trx: Parameters<Parameters<Db['transaction']>[0]>[0], batchId: number) => Promise<T>,
): Promise<T> {
  return db.transaction(async (trx) => {
    await lockPipeline(trx);
    batchSeq++;
    const [batch] = await trx('import_batches')
      .insert({ kind, file_name: `${kind}-${batchSeq}.csv`, file_sha256: String(batchSeq).padStart(64, '0'), operator, as_of: asOf, status: 'done' })
      .returning('id');
    return body(trx, Number(batch.id));
  });
}

/** The `funding` import of these rows (CSV row numbers from 2) on `asOf`: what it took and rejected. */
export function importTransfers(db: Db, asOf: string, rows: TransferRow[], operator = 'test') {
  return withBatch(db, 'funding', asOf, operator, (trx, batchId) =>
    applyTransfers(trx, rows.map((row, i) => ({ index: i + 2, row })), { batchId, asOf, operator }),
  );
}

/** The same, for transfers a world needs: every row must be taken (an error says which were not). */
export async function fund(db: Db, asOf: string, rows: TransferRow[], operator = 'test'): Promise<void> {
  const r = await importTransfers(db, asOf, rows, operator);
  if (r.accepted !== rows.length) throw new Error(`transfers not taken: ${JSON.stringify(r)}`);
}

/** The `returns` import of these rows (CSV row numbers from 2) on `asOf`. */
export function importReturns(db: Db, asOf: string, rows: ReturnRow[], operator = 'test'): Promise<ApplyReturnsResult> {
  return withBatch(db, 'returns', asOf, operator, (trx, batchId) =>
    applyReturns(trx, rows.map((row, i) => ({ index: i + 2, row })), { batchId, asOf, operator }),
  );
}

/** The `returns` import of a pain.002 status report: the rows parsePain002 reads from the XML. */
export function importPain002(db: Db, asOf: string, xml: string, operator = 'test'): Promise<ApplyReturnsResult> {
  const report = parsePain002(xml);
  return withBatch(db, 'returns', asOf, operator, (trx, batchId) =>
    applyReturns(
      trx,
      report.rows.map(({ rowNo, ...row }) => ({ index: rowNo, row: { ...row, message_id: report.originalMessageId } })),
      { batchId, asOf, operator },
    ),
  );
}

/** A pain.002.001.10 rejecting the given credits of one order (as a bank sends it): OrgnlMsgId is the message of the first ref. */
export function pain002Of(txs: { ref: string; amount: string; on: string; code: string; text: string }[]): string {
  return buildPain002({
    messageId: `RJCT-${txs.map((t) => t.ref).join('-').slice(0, 20)}`,
    createdAt: `${txs[0].on}T10:00:00+05:00`,
    originalMessageId: txs[0].ref.replace(/-\d+$/, ''),
    transactions: txs.map((t) => ({
      endToEndId: t.ref,
      amount: t.amount,
      acceptedAt: `${t.on}T09:00:00+05:00`,
      reasonCode: t.code,
      reasonText: t.text,
    })),
  });
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
