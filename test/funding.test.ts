// Funding: transfers from a МИО fund whole demand rows in the fixed order; the demand is the
// ceiling. Figures are hand-computed (2025 hourly rate 536.32):
//   P1 assistant, 100 h: G 53 632.00, ОПВ 5 363.20, ОСМС 1 072.64 → provider sum 47 196.16 (received 02-03)
//   P3 legal entity, 120 h: G = provider sum 64 358.40 (received 02-04)
//   P2 entrepreneur, 80 h: G = provider sum 42 905.60 (received 02-05)
//   demand 2025-02 of МИО A = 154 460.16; funding order P1, P3, P2 (by act received date).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unallocatedPool, type TransferRow } from '../pipeline/funding.ts';
import { transferCeiling } from '../pipeline/rules/transfer-ceiling.ts';
import { accountMovement, account, trialBalance } from '../pipeline/ledger.ts';
import { formatAmount, money, sum, ZERO } from '../pipeline/kernel/money.ts';
import { counts, freshDb, type TestDb } from './support/db.ts';
import { insertDemand, insertList } from './support/cycle-rows.ts';
import { validId } from './support/ids.ts';
import { importTransfers } from './support/imports.ts';
import { gkFunds } from './support/ledger.ts';
import { BANKS, seedMio, seedProvider } from './support/world.ts';

let t: TestDb;
const P1 = validId('8503123002');
const P2 = validId('9001024001');
const P3 = validId('0502400012');

const transfers = (rows: TransferRow[], asOf = '2025-03-31') => importTransfers(t.db, asOf, rows);

/** A МИО with the three-row demand of the header, formed 2025-02-15. Returns [bin, demand rows P1, P3, P2]. */
async function mioWithDemand(binPrefix: string): Promise<{ bin: string; rows: { p1: number; p3: number; p2: number } }> {
  const bin = validId(binPrefix);
  await seedMio(t.db, { mio_bin: bin, name: `Акимат ${binPrefix}` });
  const [l1, l2, l3] = await insertList(t.db, {
    mioBin: bin,
    month: '2025-02',
    builtOn: '2025-02-14',
    rows: [
      // Listed in another order than the funding order on purpose.
      { providerId: P2, serviceMonth: '2025-01', actNo: `${binPrefix}-2`, receivedOn: '2025-02-05', guaranteed: '42905.60' },
      { providerId: P1, serviceMonth: '2025-01', actNo: `${binPrefix}-1`, receivedOn: '2025-02-03', guaranteed: '53632.00', opv: '5363.20', osms: '1072.64' },
      { providerId: P3, serviceMonth: '2025-01', actNo: `${binPrefix}-3`, receivedOn: '2025-02-04', guaranteed: '64358.40' },
    ],
  });
  const [d2, d1, d3] = await insertDemand(t.db, { mioBin: bin, month: '2025-02', formedOn: '2025-02-15', listRowIds: [l1, l2, l3] });
  return { bin, rows: { p1: d1, p3: d3, p2: d2 } };
}

async function allocationsOf(bin: string) {
  return t.db('allocations as a')
    .join('transfers as tr', 'tr.id', 'a.transfer_id')
    .where('tr.mio_bin', bin)
    .orderBy('a.id')
    .select('a.demand_row_id', 'a.funded_on', 'a.amount', 'tr.pp_no');
}

beforeAll(async () => {
  t = await freshDb();
  await seedProvider(t.db, { provider_id: P1, kind: 'assistant', name: 'Ахметова Айгерим (тест)', bik: BANKS.halyk.bik });
  await seedProvider(t.db, { provider_id: P2, kind: 'entrepreneur', name: 'ИП Сейткали (тест)', bik: BANKS.kaspi.bik });
  await seedProvider(t.db, { provider_id: P3, kind: 'legal_entity', name: 'ОФ «Жанашыр» (тест)', bik: BANKS.halyk.bik });
});
afterAll(async () => t?.drop());

describe('applyTransfers', () => {
  it('funds whole rows in the fixed order, keeps the leftover for the next transfer, which completes the demand', async () => {
    const { bin, rows } = await mioWithDemand('0112400001');
    expect(formatAmount((await transferCeiling(t.db, bin, '2025-02-18')).ceiling)).toBe('154460.16');
    expect(formatAmount((await transferCeiling(t.db, bin, '2025-02-14')).ceiling)).toBe('0.00');

    const r1 = await transfers([{ mio_bin: bin, pp_no: '101', pp_date: '2025-02-18', amount: '120000.00' }]);
    expect(r1).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    // 120 000.00 covers P1 47 196.16 + P3 64 358.40 = 111 554.56; P2 42 905.60 does not fit into 8 445.44.
    expect(await allocationsOf(bin)).toEqual([
      { demand_row_id: rows.p1, funded_on: '2025-02-18', amount: '47196.16', pp_no: '101' },
      { demand_row_id: rows.p3, funded_on: '2025-02-18', amount: '64358.40', pp_no: '101' },
    ]);
    expect(formatAmount(await unallocatedPool(t.db, bin))).toBe('8445.44');
    expect(formatAmount((await transferCeiling(t.db, bin, '2025-02-18')).ceiling)).toBe('34460.16');

    // 34 460.16 + the waiting 8 445.44 = 42 905.60: exactly P2, completed (and dated) by the second transfer.
    const r2 = await transfers([{ mio_bin: bin, pp_no: '102', pp_date: '2025-02-20', amount: '34460.16' }]);
    expect(r2).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    const all = await allocationsOf(bin);
    expect(all[2]).toEqual({ demand_row_id: rows.p2, funded_on: '2025-02-20', amount: '42905.60', pp_no: '102' });
    expect(formatAmount(await unallocatedPool(t.db, bin))).toBe('0.00');
    expect(formatAmount((await transferCeiling(t.db, bin, '2025-02-20')).ceiling)).toBe('0.00');

    // Ledger: one 'transfer' entry per transfer, Dr gk_funds / Cr mio_budget.
    expect(await gkFunds(t.db, bin)).toBe('154460.16');
    expect(formatAmount(await accountMovement(t.db, account.mioBudget(bin)))).toBe('-154460.16');
    const entries = await t.db('ledger_entries').where({ source: 'transfer' }).whereIn('source_id', (await t.db('transfers').where({ mio_bin: bin }).select('id')).map((r) => String(r.id)));
    expect(entries.map((e) => e.entry_date)).toEqual(['2025-02-18', '2025-02-20']);
    expect((await trialBalance(t.db)).balanced).toBe(true);

    // Nothing is open any more: even a tiyn is refused.
    const r3 = await transfers([{ mio_bin: bin, pp_no: '103', pp_date: '2025-02-21', amount: '0.01' }]);
    expect(r3.accepted).toBe(0);
    expect(r3.rejected[0]).toMatchObject({ index: 2, field: 'amount' });
    expect(r3.rejected[0].reason).toMatch(/превышает потребность/);
  });

  it('stops at the first row that does not fit, even when a later row would', async () => {
    const { bin, rows } = await mioWithDemand('0112400002');
    // 100 000.00: P1 47 196.16 fits (52 803.84 left); P3 64 358.40 does not → stop, P2 42 905.60 waits too.
    await transfers([{ mio_bin: bin, pp_no: '7', pp_date: '2025-02-17', amount: '100000.00' }]);
    expect((await allocationsOf(bin)).map((a) => a.demand_row_id)).toEqual([rows.p1]);
    expect(formatAmount(await unallocatedPool(t.db, bin))).toBe('52803.84');
    // 11 554.56 more makes 64 358.40: P3, then P2 does not fit into 0.
    await transfers([{ mio_bin: bin, pp_no: '8', pp_date: '2025-02-18', amount: '11554.56' }]);
    expect((await allocationsOf(bin)).map((a) => a.demand_row_id)).toEqual([rows.p1, rows.p3]);
    expect(formatAmount(await unallocatedPool(t.db, bin))).toBe('0.00');
  });

  it('refuses a transfer over the open demand and records it nowhere', async () => {
    const { bin } = await mioWithDemand('0112400003');
    const written = () => counts(t.db, ['transfers', 'ledger_entries', 'allocations']);
    const before = await written();
    const r = await transfers([
      { mio_bin: bin, pp_no: '1', pp_date: '2025-02-18', amount: '154460.17' },
      // Dated before the demand was formed: nothing was demanded yet.
      { mio_bin: bin, pp_no: '2', pp_date: '2025-02-14', amount: '100.00' },
    ]);
    expect(r.accepted).toBe(0);
    expect(r.rejected).toHaveLength(2);
    expect(r.rejected[0]).toEqual({
      index: 2,
      field: 'amount',
      reason:
        `Сумма перевода 154460.17 превышает потребность: открытая потребность МИО ${bin} на 2025-02-18 — 154460.16 ` +
        '(сформировано 154460.16, уже получено 0.00). Потребность — предел финансирования, перевод не принят',
    });
    expect(r.rejected[1].reason).toMatch(/не сформировано ни одной потребности/);
    expect(await written()).toEqual(before);
    // The exact open amount is taken.
    expect(await transfers([{ mio_bin: bin, pp_no: '1', pp_date: '2025-02-18', amount: '154460.16' }])).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: [],
    });
  });

  it('takes the same row again as a duplicate and refuses another amount under the same key', async () => {
    const { bin } = await mioWithDemand('0112400004');
    const row = { mio_bin: bin, pp_no: '55', pp_date: '2025-02-18', amount: '47196.16' };
    expect(await transfers([row, row])).toEqual({ accepted: 1, duplicates: 1, rejected: [] });
    const conflict = await transfers([{ ...row, amount: '47196.17' }]);
    expect(conflict.accepted).toBe(0);
    expect(conflict.rejected).toEqual([
      {
        index: 2,
        field: 'amount',
        reason: `Конфликт: платёжное поручение № 55 от 2025-02-18 МИО ${bin} уже принято на сумму 47196.16, в файле 47196.17. Перевод не принят`,
      },
    ]);
    expect(await t.db('transfers').where({ mio_bin: bin })).toHaveLength(1);
  });

  it('refuses an unknown МИО, a transfer dated after the import date and malformed values', async () => {
    const { bin } = await mioWithDemand('0112400005');
    const r = await transfers(
      [
        { mio_bin: validId('0112400099'), pp_no: '1', pp_date: '2025-02-18', amount: '10.00' },
        { mio_bin: bin, pp_no: '2', pp_date: '2025-02-19', amount: '10.00' },
        { mio_bin: bin, pp_no: '3', pp_date: '2025-02-30', amount: '10.00' },
        { mio_bin: bin, pp_no: '4', pp_date: '2025-02-18', amount: '0.00' },
      ],
      '2025-02-18',
    );
    expect(r.accepted).toBe(0);
    expect(r.rejected.map((x) => [x.index, x.field])).toEqual([
      [2, 'mio_bin'],
      [3, 'pp_date'],
      [4, 'pp_date'],
      [5, 'amount'],
    ]);
    expect(r.rejected[1].reason).toBe('Дата платёжного поручения 2025-02-19 позже даты операции 2025-02-18: поступление из будущего не принимается');
  });
});

describe('funding invariants (property)', () => {
  let seq = 0;
  const amountArb = fc.integer({ min: 1, max: 9_000_000 }).map((tiyn) => formatAmount(money(String(tiyn)).div(100)));

  it('funded rows are a prefix of the fixed order, the pool never goes negative and never holds a fitting row, a full demand is fully funded', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(amountArb, { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 5 }),
        async (amounts, weights) => {
          seq++;
          const bin = validId(`02124${String(seq).padStart(5, '0')}`);
          await seedMio(t.db, { mio_bin: bin, name: `Акимат свойства ${seq}` });
          // Rows received on distinct days, so the fixed order is the order of `amounts`.
          const listRows = await insertList(t.db, {
            mioBin: bin,
            month: '2025-02',
            builtOn: '2025-02-14',
            rows: amounts.map((a, i) => ({
              providerId: P2,
              serviceMonth: '2025-01',
              actNo: `prop-${seq}-${i}`,
              receivedOn: `2025-02-${String(i + 1).padStart(2, '0')}`,
              guaranteed: a,
            })),
          });
          const demandRows = await insertDemand(t.db, { mioBin: bin, month: '2025-02', formedOn: '2025-02-15', listRowIds: listRows });
          // Split the whole demand into transfers by the weights (last one takes the remainder).
          const total = sum(amounts);
          const wsum = weights.reduce((a, b) => a + b, 0);
          const parts = weights.map((w) => total.times(w).div(wsum).round(2, 0));
          parts[parts.length - 1] = total.minus(sum(parts.slice(0, -1)));
          let received = ZERO;
          for (const [i, part] of parts.entries()) {
            if (part.lte(0)) continue;
            const r = await transfers([{ mio_bin: bin, pp_no: `p${i}`, pp_date: '2025-02-18', amount: formatAmount(part) }]);
            expect(r.rejected).toEqual([]);
            received = received.plus(part);
            const funded = (await t.db('allocations').whereIn('demand_row_id', demandRows).select('demand_row_id')).map((a) => Number(a.demand_row_id));
            const k = funded.length;
            expect(new Set(funded)).toEqual(new Set(demandRows.slice(0, k)));
            const pool = await unallocatedPool(t.db, bin);
            expect(pool.gte(0)).toBe(true);
            expect(pool.eq(received.minus(sum(amounts.slice(0, k))))).toBe(true);
            if (k < amounts.length) expect(money(amounts[k]).gt(pool)).toBe(true);
          }
          const funded = await t.db('allocations').whereIn('demand_row_id', demandRows).count({ n: '*' });
          expect(Number(funded[0].n)).toBe(amounts.length);
          expect(formatAmount(await unallocatedPool(t.db, bin))).toBe('0.00');
          expect((await trialBalance(t.db)).balanced).toBe(true);
        },
      ),
      { numRuns: 25 },
    );
  });
});
