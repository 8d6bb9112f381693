// `import funding` and `import returns`: the row format is checked here, the valid rows go to
// applyTransfers / applyReturns (pipeline/funding.ts, pipeline/returns.ts) inside the import's
// transaction, under the pipeline lock, and the ledger must balance.
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPain002 } from '../pipeline/iso20022/index.ts';
import { PIPELINE_LOCK } from '../pipeline/kernel/step-run.ts';
import { trialBalance } from '../pipeline/ledger.ts';
import { connect } from '../pipeline/kernel/db.ts';
import { count, type TestDb } from './support/db.ts';
import { writeCsv } from './support/csv.ts';
import { synthIin } from './support/ids.ts';
import { importFile, SAMPLE, openSample, type SampleDb } from './support/imports.ts';

let t: TestDb;
let dir: string;
let close: SampleDb['close'] | undefined;
beforeAll(async () => {
  ({ t, dir, close } = await openSample(['banks', 'mios']));
  // A demand of 1 000 000.00 formed for Astana on 2025-02-15 (written directly: the steps that
  // form demands are not what this file tests).
  const [run] = await t.db('step_runs')
    .insert({ step: 'form-demand', run_key: '2025-02', input_hash: '0'.repeat(64), operator: 'test', as_of: '2025-02-15' })
    .returning('id');
  await t.db('demands').insert({
    month: '2025-02',
    mio_bin: SAMPLE.astana,
    formed_on: '2025-02-15',
    request_due: '2025-02-17',
    funding_due: '2025-02-19',
    amount: '1000000.00',
    row_count: 1,
    run_id: run.id,
  });
});
afterAll(() => close?.());

const FUNDING_COLUMNS = ['mio_bin', 'pp_no', 'pp_date', 'amount'];

describe('funding', () => {
  it('checks the format and a known МИО here, and hands the rest to applyTransfers', async () => {
    const r = await importFile(
      t.db,
      'funding',
      writeCsv(dir, 'funding.csv', FUNDING_COLUMNS, [
        { mio_bin: SAMPLE.astana, pp_no: '101', pp_date: '2025-02-17', amount: '250000' },
        { mio_bin: SAMPLE.astana, pp_no: '102', pp_date: '2025-02-17', amount: '1.005' },
        { mio_bin: SAMPLE.astana, pp_no: '103', pp_date: '2025-02-17', amount: '1.234,56' },
        { mio_bin: SAMPLE.astana, pp_no: '104', pp_date: '2025-02-30', amount: '10' },
        { mio_bin: synthIin(77), pp_no: '105', pp_date: '2025-02-17', amount: '10' },
        { mio_bin: SAMPLE.astana, pp_no: '106', pp_date: '2025-02-17', amount: '0' },
      ]),
      { asOf: '2025-02-18' },
    );
    expect([r.accepted, r.duplicates, r.rejected]).toEqual([1, 0, 5]);
    expect(r.errors.map((e) => [e.row, e.field])).toEqual([
      [3, 'amount'],
      [4, 'amount'],
      [5, 'pp_date'],
      [6, 'mio_bin'],
      [7, 'amount'],
    ]);
    const transfer = await t.db('transfers').where({ pp_no: '101' }).first();
    expect(transfer).toMatchObject({ mio_bin: SAMPLE.astana, amount: '250000.00', batch_id: r.batch_id });
    const tb = await trialBalance(t.db);
    expect(tb.balanced).toBe(true);
    expect(tb.accounts.find((a) => a.account === `gk_funds:${SAMPLE.astana}`)?.balance).toBe('250000.00');
  });

  it('a re-import is a duplicate; the same key with another amount is rejected by the domain', async () => {
    const r = await importFile(
      t.db,
      'funding',
      writeCsv(dir, 'funding2.csv', FUNDING_COLUMNS, [
        { mio_bin: SAMPLE.astana, pp_no: '101', pp_date: '2025-02-17', amount: '250000.00' },
        { mio_bin: SAMPLE.astana, pp_no: '101', pp_date: '2025-02-17', amount: '250001.00' },
      ]),
      { asOf: '2025-02-18' },
    );
    expect([r.accepted, r.duplicates, r.rejected]).toEqual([0, 1, 1]);
    expect(r.errors[0].row).toBe(3);
    expect(await count(t.db, 'transfers')).toBe(1);
  });

  it('waits for the pipeline lock: a step running elsewhere and a money import never interleave', async () => {
    if (!t.url) return; // PGlite (PostgreSQL down): one connection, nothing to interleave with
    const other = connect({ url: t.url });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = other.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(?)', [PIPELINE_LOCK]);
      locked();
      await held;
    });
    try {
      await isLocked;
      let done = false;
      const file = writeCsv(dir, 'funding3.csv', FUNDING_COLUMNS, [{ mio_bin: SAMPLE.astana, pp_no: '201', pp_date: '2025-02-18', amount: '100' }]);
      const running = importFile(t.db, 'funding', file, { asOf: '2025-02-18' }).then((r) => {
        done = true;
        return r;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(done).toBe(false);
      release();
      expect((await running).accepted).toBe(1);
    } finally {
      release();
      await holder;
      await other.destroy();
    }
  });
});

describe('returns', () => {
  it('CSV: the format is checked here, a reference to no paid line is rejected by applyReturns', async () => {
    const r = await importFile(
      t.db,
      'returns',
      writeCsv(dir, 'returns.csv', ['payment_ref', 'amount', 'returned_on', 'reason_code', 'reason_text'], [
        { payment_ref: 'PO-2025-000001-0001', amount: '50,000.00', returned_on: '2025-02-20', reason_code: 'AC04', reason_text: 'счёт закрыт' },
        { payment_ref: 'PO-2025-000001-0002', amount: '100', returned_on: '2025-02-20', reason_code: 'AC04' },
      ]),
      { asOf: '2025-02-20' },
    );
    expect([r.accepted, r.rejected]).toEqual([0, 2]);
    expect(r.errors[0]).toMatchObject({ row: 2, field: 'amount' });
    expect(r.errors[0].reason).toMatch(/и точка, и запятая — непонятно, что отделяет дробную часть/);
    expect(r.errors[1]).toMatchObject({ row: 3, field: 'payment_ref' });
  });

  it('pain.002 XML: rejected transactions become rows, the others are reported as skipped', async () => {
    const file = path.join(dir, 'status.xml');
    writeFileSync(
      file,
      buildPain002({
        messageId: 'STS-1',
        createdAt: '2025-02-20T10:00:00+05:00',
        originalMessageId: 'PO-1',
        transactions: [
          { endToEndId: 'PO-2025-000001-0003', amount: '100.00', reasonCode: 'AC04', reasonText: 'Счёт закрыт' },
          { endToEndId: 'PO-2025-000001-0004', status: 'ACSC' },
        ],
      }),
    );
    const r = await importFile(t.db, 'returns', file, { asOf: '2025-02-20' });
    expect(r.format).toBe('xml');
    expect([r.total_rows, r.rejected]).toEqual([1, 1]);
    expect(r.skipped).toEqual([{ row: 2, ref: 'PO-2025-000001-0004', status: 'ACSC' }]);
    const kept = await t.db('rejected_rows').where({ batch_id: r.batch_id }).first();
    expect(kept.raw).toMatchObject({ payment_ref: 'PO-2025-000001-0003', amount: '100.00', reason_code: 'AC04', returned_on: '2025-02-20' });
  });
});
