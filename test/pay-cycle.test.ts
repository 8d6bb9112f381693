// Funding and pay on top of the real build-lists and form-demand steps (no hand-made lists).
// Figures (2025: hourly rate 536.32, ОПВ 10 %, ОСМС 2 %):
//   assistant 100 h: G 53 632.00, ОПВ 5 363.20, ОСМС 1 072.64 → provider sum 47 196.16
//   entrepreneur 80 h: G = provider sum 42 905.60
//   demand 2025-02 = 90 101.76; one transfer of 50 000.00 funds the assistant's row only.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLists } from '../pipeline/steps/build-lists/index.ts';
import { formDemand } from '../pipeline/steps/form-demand/index.ts';
import { applyTransfers, unallocatedPool } from '../pipeline/funding.ts';
import { transferCeiling } from '../pipeline/rules/transfer-ceiling.ts';
import { account, accountMovement, trialBalance } from '../pipeline/ledger.ts';
import { formatAmount } from '../pipeline/kernel/money.ts';
import { pay } from '../pipeline/steps/pay/index.ts';
import { lockPipeline } from '../pipeline/kernel/step-run.ts';
import { freshDb, type TestDb } from './helpers/db.ts';
import { seedAct, seedBanks, seedMio, seedProvider, type MioSeed, type ProviderSeed } from './helpers/seed.ts';

let t: TestDb;
let out: string;
let mio: MioSeed;
let assistant: ProviderSeed;
let entrepreneur: ProviderSeed;

beforeAll(async () => {
  t = await freshDb();
  out = mkdtempSync(path.join(os.tmpdir(), 'payouts-paycycle-'));
  await seedBanks(t.db);
  mio = await seedMio(t.db);
  assistant = await seedProvider(t.db, { kind: 'assistant', bik: 'HSBKKZKX' });
  entrepreneur = await seedProvider(t.db, { kind: 'entrepreneur', bik: 'CASPKZKA' });
  await seedAct(t.db, { provider: assistant, mio, service_month: '2025-01', hours: '100', received_on: '2025-02-03' });
  await seedAct(t.db, { provider: entrepreneur, mio, service_month: '2025-01', hours: '80', received_on: '2025-02-04' });
});
afterAll(async () => {
  await t?.drop();
  if (out) rmSync(out, { recursive: true, force: true });
});

describe('lists → demand → funding → pay', () => {
  it('pays what the real demand asked for and the transfer funded', async () => {
    expect((await buildLists(t.db, { month: '2025-02', asOf: '2025-02-14', operator: 'e-sobes' })).status).toBe('done');
    expect((await formDemand(t.db, { month: '2025-02', asOf: '2025-02-17', operator: 'gk' })).status).toBe('done');
    const demand = await t.db('demands').where({ mio_bin: mio.mio_bin }).first();
    expect(demand.amount).toBe('90101.76');
    expect(formatAmount((await transferCeiling(t.db, mio.mio_bin, '2025-02-18')).ceiling)).toBe('90101.76');

    const result = await t.db.transaction(async (trx) => {
      await lockPipeline(trx);
      const [batch] = await trx('import_batches')
        .insert({ kind: 'funding', file_name: 'funding.csv', file_sha256: '0'.repeat(64), operator: 'mio', as_of: '2025-02-18', status: 'done' })
        .returning('id');
      return applyTransfers(trx, [{ index: 2, row: { mio_bin: mio.mio_bin, pp_no: '501', pp_date: '2025-02-18', amount: '50000.00' } }], {
        batchId: Number(batch.id),
        asOf: '2025-02-18',
        operator: 'mio',
      });
    });
    expect(result).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect(formatAmount(await unallocatedPool(t.db, mio.mio_bin))).toBe('2803.84'); // 50 000.00 − 47 196.16

    const o = await pay(t.db, { asOf: '2025-02-19', operator: 'gk', outDir: out });
    expect(o.status).toBe('done');
    expect(o.summary).toMatchObject({
      orders: [{ number: 1, mio_bin: mio.mio_bin, bik: 'HSBKKZKX', count: 1, total: '47196.16' }],
      payouts: { count: 1, amount: '47196.16' },
    });
    const line = await t.db('payment_lines').first();
    expect([line.provider_id, line.iban, line.bank_detail_id]).toEqual([assistant.provider_id, assistant.iban, assistant.bank_detail_id]);
    // ГК holds the unallocated 2 803.84; what the list owes the entrepreneur stays payable.
    expect(formatAmount(await accountMovement(t.db, account.gkFunds(mio.mio_bin)))).toBe('2803.84');
    expect(formatAmount(await accountMovement(t.db, account.providerPayable(mio.mio_bin)))).toBe('-42905.60');
    expect((await trialBalance(t.db)).balanced).toBe(true);
  });
});
