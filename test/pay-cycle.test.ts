// Funding and pay on top of the real build-lists and form-demand steps (no hand-made lists).
// Figures (2025: hourly rate 536.32, ОПВ 10 %, ОСМС 2 %):
//   assistant 100 h: G 53 632.00, ОПВ 5 363.20, ОСМС 1 072.64 → provider sum 47 196.16
//   entrepreneur 80 h: G = provider sum 42 905.60
//   demand 2025-02 = 90 101.76; one transfer of 50 000.00 funds the assistant's row only.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLists } from '../pipeline/steps/build-lists/index.ts';
import { formDemand } from '../pipeline/steps/form-demand/index.ts';
import { unallocatedPool } from '../pipeline/funding.ts';
import { transferCeiling } from '../pipeline/rules/transfer-ceiling.ts';
import { account, accountMovement, trialBalance } from '../pipeline/ledger.ts';
import { formatAmount } from '../pipeline/kernel/money.ts';
import { payApproved as pay } from './support/approve.ts';
import { freshDb, type TestDb } from './support/db.ts';
import { tempDir } from './support/files.ts';
import { importTransfers } from './support/imports.ts';
import { gkFunds } from './support/ledger.ts';
import { seedAct, seedBanks, seedMio, seedProvider, type MioSeed, type ProviderSeed } from './support/world.ts';

let t: TestDb;
let out: string;
let mio: MioSeed;
let assistant: ProviderSeed;
let entrepreneur: ProviderSeed;

beforeAll(async () => {
  t = await freshDb();
  out = tempDir('payouts-paycycle-');
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

    const result = await importTransfers(t.db, '2025-02-18', [{ mio_bin: mio.mio_bin, pp_no: '501', pp_date: '2025-02-18', amount: '50000.00' }], 'mio');
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
    expect(await gkFunds(t.db, mio.mio_bin)).toBe('2803.84');
    expect(formatAmount(await accountMovement(t.db, account.providerPayable(mio.mio_bin)))).toBe('-42905.60');
    expect((await trialBalance(t.db)).balanced).toBe(true);
  });
});
