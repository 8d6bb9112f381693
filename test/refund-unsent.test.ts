// Re-funding and sums sent back (DOMAIN.md §4.3–4.4, 002 §19–20) through the two-month world of
// test/support/two-month-world.ts (figures in its header):
//   P1's 47 196.16 returned 02-21 → new Kaspi details 03-03 → repaid by pay 03-04 (never again);
//   P2's 37 756.93 returned 02-26 → still unpaid on 03-31, the last working day of March → sent
//   back to МИО A by a to_mio order → P2's new details 04-02 → demanded again 04-15 (service month
//   2025-01) → funded 04-16 → paid 04-17 to the new account.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count as rows, type TestDb } from './support/db.ts';
import { failsAt } from './support/faults.ts';
import { importReturns } from './support/imports.ts';
import { gkFunds as held } from './support/ledger.ts';
import { lineOf, openTwoMonthWorld, runTimeline, OPERATOR, type OpenWorld, type World } from './support/two-month-world.ts';
import { BusinessRuleError } from '../pipeline/kernel/errors.ts';
import { account, trialBalance } from '../pipeline/ledger.ts';
import { payApproved as pay } from './support/approve.ts';
import { refundUnsent } from '../pipeline/steps/refund-unsent/index.ts';
import { sendBackDeadline } from '../pipeline/rules/send-back.ts';
import { parsePain001 } from './support/pain001-parser.ts';
import { loadCalendar } from '../pipeline/kernel/reference.ts';

let t: TestDb;
let w: World;
let close: OpenWorld['close'] | undefined;

const gkFunds = (bin: string, to?: string) => held(t.db, bin, to);
const count = (table: string, where: Record<string, unknown> = {}) => rows(t.db, table, where);
const refund = (asOf: string, dryRun = false) => refundUnsent(t.db, { asOf, operator: OPERATOR, dryRun, outDir: w.out });

beforeAll(async () => {
  ({ t, w, close } = await openTwoMonthWorld());
});
afterAll(() => close?.());

describe('the send-back deadline', () => {
  it('is the last working day of the month after the month of the return', async () => {
    const cal = await loadCalendar(t.db);
    expect(sendBackDeadline(cal, '2025-02-21')).toBe('2025-03-31');
    expect(sendBackDeadline(cal, '2025-01-31')).toBe('2025-02-28');
    // May 2025 ends on a Saturday: Friday the 30th.
    expect(sendBackDeadline(cal, '2025-04-01')).toBe('2025-05-30');
    // August 2025 ends on a Sunday: Friday the 29th.
    expect(sendBackDeadline(cal, '2025-07-15')).toBe('2025-08-29');
  });
});

describe('a return repaid after new bank details', () => {
  beforeAll(async () => {
    await runTimeline(w, '2025-03-04');
  });

  it('is repaid by pay from the new version, to the new account, once', async () => {
    const payout = await lineOf(t.db, w.P1.provider_id, '2025-01');
    const ret = await t.db('returns').where({ ref: payout.ref }).first();
    const repayment = await lineOf(t.db, w.P1.provider_id, '2025-01', 'repayment');
    expect(repayment).toMatchObject({ amount: '47196.16', order_date: '2025-03-04', bank_detail_id: w.p1NewDetails!.id, bik: 'CASPKZKA', iban: w.p1NewDetails!.iban });
    expect(repayment.iban).not.toBe(payout.iban);
    expect(await t.db('payment_lines').where({ id: repayment.id }).first('return_id')).toEqual({ return_id: ret.id });
    // ГК paid it from what it held: 84 953.09 returned − 47 196.16 repaid.
    expect(await gkFunds(w.A.mio_bin)).toBe('37756.93');

    // Another pay the next day does not repay it again.
    const next = await pay(t.db, { asOf: '2025-03-05', operator: OPERATOR, outDir: w.out });
    expect(next.status).toBe('done');
    expect(await count('payment_lines', { return_id: ret.id })).toBe(1);
  });
});

describe('refund-unsent', () => {
  beforeAll(async () => {
    await runTimeline(w, '2025-03-28', { from: '2025-03-05' });
  });

  it('sends nothing back before the deadline', async () => {
    const out = await refund('2025-03-28');
    expect(out.status).toBe('done');
    if (out.status !== 'done') return;
    expect(out.result.returns).toEqual([]);
    expect(out.result.orders).toEqual([]);
    expect(out.files).toEqual([]);
  });

  it('is refused on a non-working day', async () => {
    const err = await refund('2025-03-29').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect((err as BusinessRuleError).rule).toBe('non-working-day');
    expect((err as Error).message).toMatch(/2025-03-29 — нерабочий день.*Ближайший рабочий день — 2025-03-31/);
  });

  it('computes without writing on a dry run', async () => {
    const orders = await count('payment_orders');
    const out = await refund('2025-03-31', true);
    expect(out.status).toBe('dry-run');
    expect(out.summary).toMatchObject({ returns: 1, amount: '37756.93' });
    expect(await count('payment_orders')).toBe(orders);
    expect(await count('step_runs', { step: 'refund-unsent', run_key: '2025-03-31' })).toBe(0);
    expect(out.files).toEqual([]);
  });

  it('writes nothing when it fails half-way (the order numbers are given back)', async () => {
    const orders = await count('payment_orders');
    const counter = await t.db('order_counters').where({ year: 2025 }).first();
    await failsAt('refund-unsent.orders-issued', () => refund('2025-03-31'));
    expect(await count('payment_orders')).toBe(orders);
    expect(await t.db('order_counters').where({ year: 2025 }).first()).toEqual(counter);
    expect(await count('step_runs', { step: 'refund-unsent', run_key: '2025-03-31' })).toBe(0);
    expect(await count('ledger_entries', { source: 'to_mio_order' })).toBe(0);
  });

  it('sends the unpaid return back to the МИО on the last working day of the following month', async () => {
    const p2 = await lineOf(t.db, w.P2.provider_id, '2025-01');
    const ret = await t.db('returns').where({ ref: p2.ref }).first();
    const lastNumber = Number((await t.db('payment_orders').max({ n: 'number' }))[0].n);
    expect(await gkFunds(w.A.mio_bin)).toBe('37756.93');

    const out = await refund('2025-03-31');
    expect(out.status).toBe('done');
    if (out.status !== 'done') return;
    expect(out.summary).toMatchObject({ returns: 1, amount: '37756.93' });

    const order = await t.db('payment_orders').where({ run_id: out.runId }).first();
    expect(order).toMatchObject({ number: lastNumber + 1, order_date: '2025-03-31', mio_bin: w.A.mio_bin, bik: w.A.bik, kind: 'to_mio', total: '37756.93', line_count: 1 });
    const line = await lineOf(t.db, w.P2.provider_id, '2025-01', 'to_mio');
    expect(line).toMatchObject({ amount: '37756.93', bik: w.A.bik, iban: w.A.iban, bank_detail_id: null, order_id: Number(order.id) });
    expect(await t.db('payment_lines').where({ id: line.id }).first('return_id')).toEqual({ return_id: ret.id });

    // Ledger 'to_mio_order': Dr mio_budget / Cr gk_funds; ГК holds nothing more for A.
    const entry = await t.db('ledger_entries').where({ source: 'to_mio_order', source_id: String(order.id) }).first();
    expect(entry.entry_date).toBe('2025-03-31');
    expect(await t.db('ledger_postings').where({ entry_id: entry.id }).orderBy('id').select('account', 'debit', 'credit')).toEqual([
      { account: account.mioBudget(w.A.mio_bin), debit: '37756.93', credit: '0.00' },
      { account: account.gkFunds(w.A.mio_bin), debit: '0.00', credit: '37756.93' },
    ]);
    expect(await gkFunds(w.A.mio_bin)).toBe('0.00');
    expect((await trialBalance(t.db)).balanced).toBe(true);

    // The МИО is told; the pain.001 goes to the МИО's own account.
    const note = await t.db('notifications').where({ channel: 'mio', kind: 'returns_sent_back' }).first();
    expect(note).toMatchObject({ recipient: w.A.mio_bin, created_on: '2025-03-31' });
    expect(out.files).toHaveLength(1);
    const pain = parsePain001(readFileSync(out.files[0], 'utf8'));
    expect(pain.transactions.map((x) => [x.endToEndId, x.amount, x.creditor.iban, x.knp])).toEqual([[line.ref, '37756.93', w.A.iban, '911']]);
  });

  it('changes nothing when run again', async () => {
    const orders = await count('payment_orders');
    const out = await refund('2025-03-31');
    expect(out.status).toBe('already-done');
    expect(await count('payment_orders')).toBe(orders);
  });
});

describe('a sum sent back and demanded again after its fix', () => {
  it('is not repaid by pay once sent back, even with new details', async () => {
    await runTimeline(w, '2025-04-02', { from: '2025-03-31' });
    const p2 = await lineOf(t.db, w.P2.provider_id, '2025-01');
    const ret = await t.db('returns').where({ ref: p2.ref }).first();
    const out = await pay(t.db, { asOf: '2025-04-02', operator: OPERATOR, outDir: w.out });
    expect(out.status).toBe('done');
    expect(await t.db('payment_lines').where({ return_id: ret.id }).select('kind')).toEqual([{ kind: 'to_mio' }]);
  });

  it('goes into the next demand with its own service month and is paid to the new account', async () => {
    await runTimeline(w, '2025-04-15', { from: '2025-04-02' });
    const p2 = await lineOf(t.db, w.P2.provider_id, '2025-01');
    const ret = await t.db('returns').where({ ref: p2.ref }).first();
    const demand = await t.db('demands').where({ month: '2025-04', mio_bin: w.A.mio_bin }).first();
    expect(demand).toMatchObject({ amount: '37756.93', row_count: 1, formed_on: '2025-04-15' });
    const rows = await t.db('demand_rows').where({ demand_id: demand.id }).select('return_id', 'service_month', 'amount');
    expect(rows).toEqual([{ return_id: ret.id, service_month: '2025-01', amount: '37756.93' }]);
    expect(await t.db('demands').where({ month: '2025-04', mio_bin: w.B.mio_bin }).first()).toBeUndefined();

    await runTimeline(w, '2025-04-17', { from: '2025-04-15' });
    const again = await lineOf(t.db, w.P2.provider_id, '2025-01', 'payout', 1);
    expect(again).toMatchObject({ amount: '37756.93', order_date: '2025-04-17', bank_detail_id: w.p2NewDetails!.id, iban: w.p2NewDetails!.iban });
    expect(again.iban).not.toBe(p2.iban);
    expect(await gkFunds(w.A.mio_bin)).toBe('0.00');
    expect((await trialBalance(t.db)).balanced).toBe(true);
  });

  it('leaves nothing for a later refund-unsent', async () => {
    const out = await refund('2025-04-30');
    expect(out.status).toBe('done');
    expect(out.summary).toMatchObject({ returns: 0, amount: '0.00' });
  });
});

describe('a missed send-back day', () => {
  it('is caught up by the next run, and a re-run after a late return is refused', async () => {
    // P4's payout of 03-28 comes back on 04-01; its deadline is Friday 05-30.
    const p4 = await lineOf(t.db, w.P4.provider_id, '2025-02');
    expect((await importReturns(t.db, '2025-04-02', [{ payment_ref: p4.ref, amount: '28317.70', returned_on: '2025-04-01', reason_code: 'AC04', reason_text: 'Счёт закрыт' }])).accepted).toBe(1);
    expect((await refund('2025-05-29')).summary).toMatchObject({ returns: 0 });
    const caught = await refund('2025-06-02');
    expect(caught.summary).toMatchObject({ returns: 1, amount: '28317.70' });
    expect(await lineOf(t.db, w.P4.provider_id, '2025-02', 'to_mio')).toMatchObject({ amount: '28317.70', order_date: '2025-06-02', iban: w.B.iban });

    // A return dated 04-10 recorded only on 06-03 changes what 06-02 would have sent back.
    const p3 = await lineOf(t.db, w.P3.provider_id, '2025-02');
    expect((await importReturns(t.db, '2025-06-03', [{ payment_ref: p3.ref, amount: '53632.00', returned_on: '2025-04-10', reason_code: 'AC04', reason_text: '' }])).accepted).toBe(1);
    const err = await refund('2025-06-02').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect((err as BusinessRuleError).rule).toBe('rerun-changed-inputs');
    const next = await refund('2025-06-03');
    expect(next.summary).toMatchObject({ returns: 1, amount: '53632.00' });
    expect((await trialBalance(t.db)).balanced).toBe(true);
  });
});
