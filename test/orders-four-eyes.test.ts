// Four eyes (issue 16) and files that can always be written again (issue 13.1), on the one-month
// world: one МИО, three providers at three banks, funded 2025-03-17 in full (154 460.16 =
// 42 905.60 + 47 196.16 + 64 358.40). pay 2025-03-18 by «кассир» prepares three orders (one per
// bank), writes no file and posts nothing; the same operator cannot approve; «контролёр» rejects
// one order and approves the others on 2025-03-19 (the ledger posts them that day, the files are
// written, byte-stable); pay 2025-03-19 pays the rejected rows again on new lines of a new order,
// never twice; a failed file write after approval exits normally and `orders export` finishes it.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BusinessRuleError } from '../pipeline/kernel/errors.ts';
import { approveOrders, exportOrders, ordersAwaitingApproval, rejectOrders, showOrders } from '../pipeline/orders/approval.ts';
import { pay } from '../pipeline/steps/pay/index.ts';
import { trialBalance } from '../pipeline/ledger.ts';
import { computeDeadlines } from '../pipeline/steps/check-deadlines/deadlines.ts';
import { checkDeadlines } from '../pipeline/steps/check-deadlines/index.ts';
import { formatAmount, sum } from '../pipeline/kernel/money.ts';
import { cli } from './support/cli.ts';
import { synthBin, synthIban } from './support/ids.ts';
import { importRequisites } from '../pipeline/requisites/index.ts';
import { counts, freshDb, type TestDb } from './support/db.ts';
import { tempDir } from './support/files.ts';
import { gkFunds } from './support/ledger.ts';
import { fundedWorld, WORLD } from './support/one-month-world.ts';
import type { MioSeed } from './support/world.ts';

let t: TestDb;
let mio: MioSeed;
let out: string;
const PAYER = 'кассир';
const APPROVER = 'контролёр';
const TABLES = ['payment_orders', 'payment_lines', 'payment_order_events', 'payment_line_events', 'ledger_entries', 'audit_events'];

beforeAll(async () => {
  t = await freshDb();
  out = tempDir('payouts-4eyes-');
  mio = await fundedWorld(t.db);
});
afterAll(() => t.drop());

const orderNumbers = async (date: string) => (await t.db('payment_orders').where({ order_date: date }).orderBy('number')).map((o) => Number(o.number));

describe('four eyes: pay prepares, a second operator approves or rejects (issue 16)', () => {
  it('pay prepares the orders: no bank file, no ledger entry, the summary says they wait for approval', async () => {
    const o = await pay(t.db, { asOf: WORLD.payOn, operator: PAYER, outDir: out });
    expect(o.status).toBe('done');
    expect(o.files).toEqual([]);
    expect(readdirSync(out)).toEqual([]);
    expect(o.summary.awaiting_approval).toBe(true);
    expect(await orderNumbers(WORLD.payOn)).toEqual([1, 2, 3]);
    expect(await t.db('ledger_entries').where({ source: 'payout_order' })).toHaveLength(0);
    // ГК still holds the whole transfer: nothing is paid until approved.
    expect(await gkFunds(t.db, mio.mio_bin)).toBe(WORLD.demand);
    const events = await t.db('payment_order_events').orderBy('id').select('status', 'operator', 'event_date');
    expect(events).toEqual([1, 2, 3].map(() => ({ status: 'prepared', operator: PAYER, event_date: WORLD.payOn })));
    const waiting = await ordersAwaitingApproval(t.db);
    expect(waiting.map((w) => w.number)).toEqual([1, 2, 3]);
    expect(formatAmount(sum(waiting.map((w) => w.total)))).toBe(WORLD.demand);
    // The payment deadline (2 working days after the money came: 03-19) is met by approval, not by preparing.
    const payment = (await computeDeadlines(t.db, WORLD.payOn)).filter((d) => d.rule === 'payment');
    expect(payment.map((d) => [d.due, d.status])).toEqual([1, 2, 3].map(() => ['2025-03-19', 'open']));
    // A re-run of pay writes nothing either.
    expect((await pay(t.db, { asOf: WORLD.payOn, operator: PAYER, outDir: out })).status).toBe('already-done');
    expect(readdirSync(out)).toEqual([]);
  });

  it('orders show lists the prepared orders with totals per МИО and bank', async () => {
    const shown = await showOrders(t.db, { date: WORLD.payOn });
    expect(shown.orders.map((o) => [o.number, o.state, o.prepared_by, o.lines.length])).toEqual([
      [1, 'prepared', PAYER, 1],
      [2, 'prepared', PAYER, 1],
      [3, 'prepared', PAYER, 1],
    ]);
    expect(shown.awaiting.map((a) => a.total).sort()).toEqual([...WORLD.providerSums].sort());
    // First payments: no earlier details to differ from, no return before.
    expect(shown.orders.flatMap((o) => o.lines).every((l) => !l.new_details && !l.returned_before)).toBe(true);
  });

  it('the nightly deadline check lists the orders waiting for approval, as of its date', async () => {
    const checked = await checkDeadlines(t.db, { asOf: WORLD.payOn, operator: 'cron', dryRun: true });
    expect(checked.status).toBe('dry-run');
    if (checked.status !== 'dry-run') return;
    expect(checked.result.awaiting_approval.map((o) => [o.number, o.date, o.mio_bin])).toEqual([1, 2, 3].map((n) => [n, WORLD.payOn, mio.mio_bin]));
    expect(checked.summary.awaiting_approval_total).toBe(WORLD.demand);
    // The day before, nothing was prepared yet.
    const before = await checkDeadlines(t.db, { asOf: '2025-03-17', operator: 'cron', dryRun: true });
    expect(before.status === 'dry-run' && before.result.awaiting_approval).toEqual([]);
    if (!t.url) return; // the CLI needs the PostgreSQL database of this file
    const r = await cli(['run', 'check-deadlines', '--dry-run', '--as-of', WORLD.payOn], { db: t.url });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`платёжные поручения ждут утверждения вторым сотрудником: 3 на сумму ${WORLD.demand}`);
    expect(r.stdout).toContain(`№ 1 от ${WORLD.payOn}`);
    expect(r.stdout).toContain(`payouts orders approve --date ${WORLD.payOn}`);
  });

  it('approval on a non-working day is refused (exit 4): the payment is posted on the approval date', async () => {
    const before = await counts(t.db, TABLES);
    await expect(approveOrders(t.db, { date: WORLD.payOn, asOf: '2025-03-22', operator: APPROVER, outDir: out })).rejects.toMatchObject({
      exitCode: 4,
      message: expect.stringContaining('2025-03-22 — нерабочий день'),
    });
    expect(await counts(t.db, TABLES)).toEqual(before);
  });

  it('the operator who ran pay cannot approve (exit 4, says why), nothing changed', async () => {
    const before = await counts(t.db, TABLES);
    const err = await approveOrders(t.db, { date: WORLD.payOn, asOf: WORLD.payOn, operator: ` ${PAYER.toUpperCase()} `, outDir: out }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect((err as BusinessRuleError).exitCode).toBe(4);
    expect((err as BusinessRuleError).rule).toBe('four-eyes-same-operator');
    expect((err as Error).message).toMatch(/подготовил платёжные поручения № 1, 2, 3 .* утверждает другой сотрудник/);
    expect(await counts(t.db, TABLES)).toEqual(before);
    expect(readdirSync(out)).toEqual([]);
  });

  it('through the CLI too: exit 4 and the reason in Russian, no stack trace', async () => {
    if (!t.url) return; // the CLI needs the PostgreSQL database of this file
    const r = await cli(['orders', 'approve', '--date', WORLD.payOn, '--out', out], { db: t.url, asOf: WORLD.payOn, operator: PAYER });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/не может сам их утвердить/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    const shown = await cli(['orders', 'show', '--date', WORLD.payOn], { db: t.url, asOf: WORLD.payOn, operator: APPROVER });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/Ожидают утверждения/);
  });

  it('reject returns the order\'s rows to be paid again: the order keeps its number, state rejected, no file, no ledger', async () => {
    const r = await rejectOrders(t.db, { date: WORLD.payOn, number: 2, asOf: '2025-03-19', operator: APPROVER, reason: 'Проверить реквизиты' });
    expect(r.rejected.map((o) => [o.number, o.state, o.reason])).toEqual([[2, 'rejected', 'Проверить реквизиты']]);
    expect(r.lines).toBe(1);
    const lines = await t.db('payment_lines as l').join('payment_orders as o', 'o.id', 'l.order_id').where('o.number', 2).select('l.rejected');
    expect(lines).toEqual([{ rejected: true }]);
    expect(await t.db('payment_line_events').where({ status: 'rejected' })).toHaveLength(1);
    // A rejected order cannot be approved, and rejecting it again refuses.
    await expect(approveOrders(t.db, { date: WORLD.payOn, number: 2, asOf: '2025-03-19', operator: APPROVER, outDir: out })).rejects.toMatchObject({ rule: 'order-rejected' });
    await expect(rejectOrders(t.db, { date: WORLD.payOn, number: 2, asOf: '2025-03-19', operator: APPROVER, reason: 'x' })).rejects.toMatchObject({ rule: 'orders-none-prepared' });
    // The mark is never cleared (the database refuses).
    await expect(t.db('payment_lines').where({ rejected: true }).update({ rejected: false })).rejects.toThrow(/never cleared/);
  });

  it('approve by a second operator posts the ledger on the approval date and writes byte-stable files', async () => {
    const a = await approveOrders(t.db, { date: WORLD.payOn, asOf: '2025-03-19', operator: APPROVER, outDir: out });
    expect(a.approved.map((o) => o.number)).toEqual([1, 3]);
    expect(a.files.map((f) => path.basename(f))).toEqual(['payment-order_2025-1.xml', 'payment-order_2025-3.xml']);
    expect(a.pendingFiles).toEqual([]);
    expect(readdirSync(out).sort()).toEqual(['payment-order_2025-1.xml', 'payment-order_2025-3.xml']);
    const entries = await t.db('ledger_entries').where({ source: 'payout_order' }).orderBy('id').select('entry_date');
    expect(entries).toEqual([{ entry_date: '2025-03-19' }, { entry_date: '2025-03-19' }]);
    expect((await trialBalance(t.db)).balanced).toBe(true);
    const events = await t.db('payment_order_events').where({ status: 'approved' }).orderBy('id').select('operator', 'event_date');
    expect(events).toEqual([{ operator: APPROVER, event_date: '2025-03-19' }, { operator: APPROVER, event_date: '2025-03-19' }]);
    const payment = (await computeDeadlines(t.db, '2025-03-19')).filter((d) => d.rule === 'payment');
    expect(payment.map((d) => d.status).sort()).toEqual(['met', 'met', 'open']); // the rejected row is not paid yet
    const bytes = a.files.map((f) => readFileSync(f));
    // Approving again changes nothing and rewrites the same bytes; so does export.
    const before = await counts(t.db, TABLES);
    const again = await approveOrders(t.db, { date: WORLD.payOn, asOf: '2025-03-20', operator: APPROVER, outDir: out });
    expect(again.approved).toEqual([]);
    expect(again.already.map((o) => o.number)).toEqual([1, 3]);
    expect(again.files.map((f) => readFileSync(f))).toEqual(bytes);
    const other = tempDir('payouts-4eyes-export-');
    const exported = await exportOrders(t.db, { date: WORLD.payOn, outDir: other });
    expect(exported.files.map((f) => readFileSync(f))).toEqual(bytes);
    expect(await counts(t.db, TABLES)).toEqual(before);
  });

  it('pay on the next day pays the rejected row again on a new line of a new order; the database never holds two live lines for a row', async () => {
    const rejectedRow = await t.db('payment_lines').where({ rejected: true }).first('demand_row_id', 'amount');
    const o = await pay(t.db, { asOf: '2025-03-19', operator: PAYER, outDir: out });
    expect(o.status).toBe('done');
    expect(await orderNumbers('2025-03-19')).toEqual([4]);
    const lines = await t.db('payment_lines').where({ demand_row_id: rejectedRow.demand_row_id }).orderBy('id').select('rejected', 'amount');
    expect(lines).toEqual([
      { rejected: true, amount: rejectedRow.amount },
      { rejected: false, amount: rejectedRow.amount },
    ]);
    // Every funded row has exactly one live line: the three of the demand, 154 460.16 in all.
    const live = await t.db('payment_lines').where({ rejected: false }).sum({ total: 'amount' }).count({ n: '*' });
    expect(live.map((r) => [String(r.total), Number(r.n)])).toEqual([[WORLD.demand, 3]]);
    // A second live line for the same row is refused by the database.
    const line = await t.db('payment_lines').where({ demand_row_id: rejectedRow.demand_row_id, rejected: false }).first();
    await expect(
      t.db('payment_lines').insert({ ...line, id: undefined, ref: `${line.ref}-X`, order_id: line.order_id }),
    ).rejects.toThrow(/payment_lines_payout_once/);
  });

  it('a failed file write after approval: the approval stays, the files are listed as pending, orders export completes them (issue 13.1)', async () => {
    process.env.PAYOUTS_FAIL_AT = 'orders.approved';
    let a;
    try {
      a = await approveOrders(t.db, { date: '2025-03-19', asOf: '2025-03-19', operator: APPROVER, outDir: out });
    } finally {
      delete process.env.PAYOUTS_FAIL_AT;
    }
    expect(a.approved.map((o) => o.number)).toEqual([4]);
    expect(a.files).toEqual([]);
    expect(a.pendingFiles.map((f) => path.basename(f))).toEqual(['payment-order_2025-4.xml']);
    expect(existsSync(path.join(out, 'payment-order_2025-4.xml'))).toBe(false);
    expect(await ordersAwaitingApproval(t.db)).toEqual([]);
    const e = await exportOrders(t.db, { date: '2025-03-19', outDir: out });
    expect(e.files.map((f) => path.basename(f))).toEqual(['payment-order_2025-4.xml']);
    const first = readFileSync(e.files[0]);
    rmSync(e.files[0]);
    expect(readFileSync((await exportOrders(t.db, { date: '2025-03-19', outDir: out })).files[0])).toEqual(first);
    expect(await gkFunds(t.db, mio.mio_bin)).toBe('0.00');
  });

  it('--out that cannot be a folder is refused before anything is done (exit 2)', async () => {
    const file = path.join(tempDir('payouts-4eyes-file-'), 'a-file');
    await import('node:fs').then((fs) => fs.writeFileSync(file, 'x'));
    await expect(exportOrders(t.db, { date: '2025-03-19', outDir: file })).rejects.toMatchObject({ exitCode: 2 });
    await expect(exportOrders(t.db, { date: '2025-03-19', outDir: path.join(file, 'sub') })).rejects.toMatchObject({ exitCode: 2 });
    // A kernel file system (Node's recursive mkdir would loop there for ever after the commit).
    await expect(exportOrders(t.db, { date: '2025-03-19', outDir: '/proc/payouts-orders' })).rejects.toMatchObject({ exitCode: 2 });
    await expect(pay(t.db, { asOf: '2025-03-20', operator: PAYER, outDir: path.join(file, 'sub') })).rejects.toMatchObject({ exitCode: 2 });
    expect(await t.db('step_runs').where({ step: 'pay', run_key: '2025-03-20' })).toEqual([]);
  });
});

describe('a site that sets four eyes off (requisites "four_eyes": false)', () => {
  let s: TestDb;
  afterAll(() => s?.drop());

  it('pay approves its own orders: the files are written and the ledger posted on the day of pay', async () => {
    s = await freshDb();
    const world = await fundedWorld(s.db);
    const dir = tempDir('payouts-4eyes-off-');
    const gkBin = synthBin();
    const site = {
      state_corporation: { bin: gkBin, name: 'НАО «Государственная корпорация «Правительство для граждан»»', bik: 'GCVPKZ2A', iban: synthIban('009', 800001), kbe: '11' },
      contributions: [
        { knp: '010', name: 'Госкорпорация (ОПВ)', bin: '160440007161', bik: 'GCVPKZ2A', iban: 'KZ12009NPS0413609816', kbe: '11' },
        { knp: '122', name: 'Госкорпорация (ВОСМС)', bin: gkBin, bik: 'GCVPKZ2A', iban: synthIban('009', 800122), kbe: '11' },
        { knp: '012', name: 'Госкорпорация (СО)', bin: gkBin, bik: 'GCVPKZ2A', iban: synthIban('009', 800012), kbe: '11' },
      ],
      four_eyes: false,
    };
    const file = path.join(dir, 'site.json');
    writeFileSync(file, JSON.stringify(site));
    expect(await importRequisites(s.db, { file, asOf: '2025-03-17', operator: 'администратор' })).toMatchObject({ status: 'imported' });
    const o = await pay(s.db, { asOf: WORLD.payOn, operator: PAYER, outDir: path.join(dir, 'orders') });
    expect(o.status).toBe('done');
    expect(o.files.map((f) => path.basename(f))).toEqual(['payment-order_2025-1.xml', 'payment-order_2025-2.xml', 'payment-order_2025-3.xml']);
    expect(await ordersAwaitingApproval(s.db)).toEqual([]);
    const approved = await s.db('payment_order_events').where({ status: 'approved' }).select('operator', 'event_date');
    expect(approved).toEqual([1, 2, 3].map(() => ({ operator: PAYER, event_date: WORLD.payOn })));
    expect(await gkFunds(s.db, world.mio_bin)).toBe('0.00');
  });
});
