// Invariants of funding + pay over random demands (fast-check): every funded row is paid exactly
// once, nothing unfunded is paid, each order's total is the sum of its lines and its lines share
// its МИО and bank, numbers stay gapless, ГК never holds a negative sum for a МИО and holds
// exactly received − paid, and the ledger balances.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { account, accountMovement, trialBalance } from '../pipeline/ledger.ts';
import { formatAmount, money, sum, ZERO } from '../pipeline/kernel/money.ts';
import { payApproved as pay } from './support/approve.ts';
import { loadCalendar } from '../pipeline/kernel/reference.ts';
import type { Calendar } from '../pipeline/kernel/calendar.ts';
import { freshDb, type TestDb } from './support/db.ts';
import { insertDemand, insertList } from './support/cycle-rows.ts';
import { validId } from './support/ids.ts';
import { importTransfers } from './support/imports.ts';
import { BANKS, seedMio, seedProvider } from './support/world.ts';

let t: TestDb;
let calendar: Calendar;
let out: string;
const PROVIDERS = [
  { id: validId('8801013101'), bank: 'halyk' as const },
  { id: validId('8801013102'), bank: 'kaspi' as const },
  { id: validId('0805400103'), bank: 'kaspi' as const },
];

beforeAll(async () => {
  t = await freshDb();
  out = mkdtempSync(path.join(os.tmpdir(), 'payouts-payprop-'));
  calendar = await loadCalendar(t.db);
  for (const [i, p] of PROVIDERS.entries()) {
    await seedProvider(t.db, { provider_id: p.id, kind: i === 2 ? 'legal_entity' : 'entrepreneur', name: `Поставщик ${i + 1}`, bik: BANKS[p.bank].bik });
  }
});
afterAll(async () => {
  await t?.drop();
  if (out) rmSync(out, { recursive: true, force: true });
});

describe('funding and pay (property)', () => {
  let day = '2025-03-31';
  let seq = 0;
  const rowArb = fc.record({
    provider: fc.integer({ min: 0, max: PROVIDERS.length - 1 }),
    tiyn: fc.integer({ min: 1, max: 20_000_000 }),
  });
  const mioArb = fc.record({ rows: fc.array(rowArb, { minLength: 1, maxLength: 5 }), share: fc.integer({ min: 0, max: 100 }) });

  it('pays every funded row once, in orders that add up, from what ГК holds', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mioArb, { minLength: 1, maxLength: 3 }), async (mios) => {
        day = calendar.nextWorkingDay(day);
        const month = day.slice(0, 7);
        const lastNumber = Number((await t.db('order_counters').where({ year: 2025 }).first())?.last_number ?? 0);
        const expected = new Map<number, string>(); // funded demand row → amount
        const bins: string[] = [];
        for (const m of mios) {
          seq++;
          const bin = validId(`03124${String(seq).padStart(5, '0')}`);
          bins.push(bin);
          await seedMio(t.db, { mio_bin: bin, name: `Акимат ${seq}` });
          const amounts = m.rows.map((r) => formatAmount(money(String(r.tiyn)).div(100)));
          const listRows = await insertList(t.db, {
            mioBin: bin,
            month,
            builtOn: day,
            rows: m.rows.map((r, i) => ({
              providerId: PROVIDERS[r.provider].id,
              serviceMonth: '2025-02',
              actNo: `pp-${seq}-${i}`,
              receivedOn: `2025-03-${String(i + 1).padStart(2, '0')}`,
              guaranteed: amounts[i],
            })),
          });
          const demandRows = await insertDemand(t.db, { mioBin: bin, month, formedOn: day, listRowIds: listRows });
          const part = sum(amounts).times(m.share).div(100).round(2, 0);
          if (part.gt(0)) {
            const r = await importTransfers(t.db, day, [{ mio_bin: bin, pp_no: `pp${seq}`, pp_date: day, amount: formatAmount(part) }], 'prop');
            expect(r.accepted).toBe(1);
          }
          const funded = await t.db('allocations').whereIn('demand_row_id', demandRows).select('demand_row_id', 'amount');
          for (const f of funded) expected.set(Number(f.demand_row_id), f.amount);
        }

        const o = await pay(t.db, { asOf: day, operator: 'prop', outDir: out });
        expect(o.status).toBe('done');
        const orders = await t.db('payment_orders').where({ order_date: day }).orderBy('number');
        expect(orders.map((x) => x.number)).toEqual(orders.map((_, i) => lastNumber + i + 1));
        const lines = await t.db('payment_lines as l').join('payment_orders as o', 'o.id', 'l.order_id').where('o.order_date', day).select('l.*', 'o.mio_bin as order_mio', 'o.bik as order_bik');
        // Exactly the funded rows, each once, for its amount.
        expect(new Map(lines.map((l) => [Number(l.demand_row_id), l.amount]))).toEqual(expected);
        expect(lines).toHaveLength(expected.size);
        for (const order of orders) {
          const own = lines.filter((l) => Number(l.order_id) === Number(order.id));
          expect(formatAmount(sum(own.map((l) => l.amount)))).toBe(order.total);
          expect(own).toHaveLength(order.line_count);
          for (const l of own) expect([l.mio_bin, l.bik]).toEqual([order.mio_bin, order.bik]);
        }
        for (const bin of bins) {
          const received = sum((await t.db('transfers').where({ mio_bin: bin }).select('amount')).map((r) => r.amount));
          const paid = sum(lines.filter((l) => l.mio_bin === bin).map((l) => l.amount));
          const held = await accountMovement(t.db, account.gkFunds(bin));
          expect(held.gte(ZERO)).toBe(true);
          expect(formatAmount(held)).toBe(formatAmount(received.minus(paid)));
        }
        expect((await trialBalance(t.db)).balanced).toBe(true);
      }),
      { numRuns: 12 },
    );
  });
});
