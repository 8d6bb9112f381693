// `pay`: payment orders for funded rows and for returns whose bank details were fixed, through a
// hand-computed scenario (2025 hourly rate 536.32):
//   МИО A: P1 assistant 100 h → provider sum 47 196.16 (Halyk), P3 legal entity 64 358.40 (Halyk),
//          P2 entrepreneur 42 905.60 (Kaspi); demand 2025-02 = 154 460.16, funding order P1, P3, P2.
//   МИО B: P4 entrepreneur 40 h → 21 452.80 (Kaspi).
//   02-18 A transfers 120 000.00 (P1 + P3 = 111 554.56, 8 445.44 waits), B 21 452.80.
//   02-19 pay → № 1 A/Halyk 111 554.56 (2 lines), № 2 B/Kaspi 21 452.80.
//   02-20 A transfers 34 460.16 (+ 8 445.44 = P2).  02-21 pay → № 3 A/Kaspi 42 905.60.
//   02-24 the bank returns P1's payout; P1's Halyk details become incorrect.
//   March: P1's act for 2025-02 (47 196.16) listed, demanded, funded 03-17.
//   03-18 pay → nothing: both of P1's sums wait for new details.
//   P1 gives new Kaspi details dated 03-19.  03-19 pay → № 4 A/Kaspi 94 392.32 (payout + repayment).
//   April, returns whose new details are dated on edge days (DOMAIN §3–4: a return is repaid to
//   the provider's current details when they are not the returned version nor marked incorrect):
//     P1 moves back to Halyk (details dated 04-01); the bank then returns № 4's payout 47 196.16
//     on 04-02 — the new details predate the return and are paid to all the same.
//     P4 gives Halyk details dated 04-02, the day its 21 452.80 (№ 2) is returned.
//     P2's 42 905.60 (№ 3) is returned 04-02 with no new details: it waits.
//   04-03 pay → № 5 A/Halyk 47 196.16 (P1), № 6 B/Halyk 21 452.80 (P4); 42 905.60 waits.
//   P2's Halyk details dated 04-03 arrive after that run: the 04-03 run cannot be redone;
//   04-04 pay → № 7 A/Halyk 42 905.60. Nothing is repaid twice.
import { readFileSync, statSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BusinessRuleError } from '../pipeline/kernel/errors.ts';
import type { TransferRow } from '../pipeline/funding.ts';
import { parsePain001 } from './support/pain001-parser.ts';
import { account, accountMovement, trialBalance } from '../pipeline/ledger.ts';
import { formatAmount, sum } from '../pipeline/kernel/money.ts';
import { issueOrders } from '../pipeline/orders/issuing.ts';
import { orderPain001 } from '../pipeline/orders/pain001.ts';
import { payApproved as pay } from './support/approve.ts';
import { ledgerReport, paymentOrdersReport } from '../reports/payment-reports.ts';
import { count, freshDb, type TestDb } from './support/db.ts';
import { insertDemand, insertList, insertReturn } from './support/cycle-rows.ts';
import { tempDir } from './support/files.ts';
import { synthIban, validId } from './support/ids.ts';
import { importTransfers } from './support/imports.ts';
import { gkFunds as held } from './support/ledger.ts';
import { BANKS, seedBankDetails, seedMio, seedProvider } from './support/world.ts';

let t: TestDb;
let out: string;
const A = validId('0112400011');
const B = validId('0112400012');
const P1 = validId('8503123002');
const P2 = validId('9001024001');
const P3 = validId('0502400012');
const P4 = validId('9105024002');
const rows: Record<string, number> = {};
const details: Record<string, number> = {};

async function transfer(row: TransferRow) {
  const r = await importTransfers(t.db, row.pp_date, [row]);
  expect(r.rejected).toEqual([]);
  return r;
}

const run = (asOf: string) => pay(t.db, { asOf, operator: 'кассир', outDir: out });

const gkFunds = (bin: string, to?: string) => held(t.db, bin, to);

async function balanced(): Promise<boolean> {
  return (await trialBalance(t.db)).balanced;
}

beforeAll(async () => {
  t = await freshDb();
  out = tempDir('payouts-pay-');
  await seedMio(t.db, { mio_bin: A, name: 'ГУ «Управление занятости и социальных программ г. Астаны» (тест)' });
  await seedMio(t.db, { mio_bin: B, name: 'ГУ «Управление занятости и социальной защиты г. Алматы» (тест)', oblast: 'г. Алматы' });
  details.P1 = (await seedProvider(t.db, { provider_id: P1, kind: 'assistant', name: 'Ахметова Айгерим Болатовна', bik: BANKS.halyk.bik })).bank_detail_id;
  details.P2 = (await seedProvider(t.db, { provider_id: P2, kind: 'entrepreneur', name: 'ИП «Сейткали»', bik: BANKS.kaspi.bik })).bank_detail_id;
  details.P3 = (await seedProvider(t.db, { provider_id: P3, kind: 'legal_entity', name: 'ОФ «Жанашыр»', bik: BANKS.halyk.bik })).bank_detail_id;
  details.P4 = (await seedProvider(t.db, { provider_id: P4, kind: 'entrepreneur', name: 'ИП «Нурланов»', bik: BANKS.kaspi.bik })).bank_detail_id;
  const [l1, l3, l2] = await insertList(t.db, {
    mioBin: A,
    month: '2025-02',
    builtOn: '2025-02-14',
    rows: [
      { providerId: P1, serviceMonth: '2025-01', actNo: 'A-1', receivedOn: '2025-02-03', guaranteed: '53632.00', opv: '5363.20', osms: '1072.64' },
      { providerId: P3, serviceMonth: '2025-01', actNo: 'A-3', receivedOn: '2025-02-04', guaranteed: '64358.40' },
      { providerId: P2, serviceMonth: '2025-01', actNo: 'A-2', receivedOn: '2025-02-05', guaranteed: '42905.60' },
    ],
  });
  [rows.P1, rows.P3, rows.P2] = await insertDemand(t.db, { mioBin: A, month: '2025-02', formedOn: '2025-02-15', listRowIds: [l1, l3, l2] });
  const [l4] = await insertList(t.db, {
    mioBin: B,
    month: '2025-02',
    builtOn: '2025-02-14',
    rows: [{ providerId: P4, serviceMonth: '2025-01', actNo: 'B-1', receivedOn: '2025-02-03', guaranteed: '21452.80' }],
  });
  [rows.P4] = await insertDemand(t.db, { mioBin: B, month: '2025-02', formedOn: '2025-02-15', listRowIds: [l4] });
});
afterAll(async () => {
  await t?.drop();
  if (out) rmSync(out, { recursive: true, force: true });
});

describe('pay through a two-month scenario', () => {
  it('refuses a Saturday, naming the next working day', async () => {
    await transfer({ mio_bin: A, pp_no: '11', pp_date: '2025-02-18', amount: '120000.00' });
    await transfer({ mio_bin: B, pp_no: '21', pp_date: '2025-02-18', amount: '21452.80' });
    const err = await run('2025-02-22').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect((err as BusinessRuleError).rule).toBe('non-working-day');
    expect((err as BusinessRuleError).exitCode).toBe(4);
    expect((err as Error).message).toMatch(/2025-02-22 — нерабочий день.*Ближайший рабочий день — 2025-02-24/s);
    // A public holiday too (2025-03-21, Наурыз).
    await expect(run('2025-03-21')).rejects.toMatchObject({ rule: 'non-working-day' });
    expect(await t.db('step_runs').where({ step: 'pay' })).toEqual([]);
  });

  it('02-19: one order per МИО and bank for the funded rows; gk_funds = received − paid', async () => {
    const dry = await pay(t.db, { asOf: '2025-02-19', operator: 'кассир', outDir: out, dryRun: true });
    expect(dry.status).toBe('dry-run');
    expect(dry.files).toEqual([]);
    expect(await t.db('payment_orders')).toEqual([]);
    expect(await t.db('order_counters')).toEqual([]);

    const o = await run('2025-02-19');
    expect(o.status).toBe('done');
    expect(o.summary).toMatchObject({
      date: '2025-02-19',
      payouts: { count: 3, amount: '133007.36' },
      repayments: { count: 0, amount: '0.00' },
      total: '133007.36',
      orders: [
        { number: 1, mio_bin: A, bik: 'HSBKKZKX', count: 2, total: '111554.56', file: 'payment-order_2025-1.xml' },
        { number: 2, mio_bin: B, bik: 'CASPKZKA', count: 1, total: '21452.80', file: 'payment-order_2025-2.xml' },
      ],
      waiting_for_details: { count: 0, amount: '0.00' },
    });
    const lines = await t.db('payment_lines').orderBy('ref').select('ref', 'kind', 'demand_row_id', 'provider_id', 'bank_detail_id', 'amount');
    expect(lines).toEqual([
      // Lines of an order by kind, service month, provider ИИН/БИН.
      { ref: 'GK2025-000001-00001', kind: 'payout', demand_row_id: rows.P3, provider_id: P3, bank_detail_id: details.P3, amount: '64358.40' },
      { ref: 'GK2025-000001-00002', kind: 'payout', demand_row_id: rows.P1, provider_id: P1, bank_detail_id: details.P1, amount: '47196.16' },
      { ref: 'GK2025-000002-00001', kind: 'payout', demand_row_id: rows.P4, provider_id: P4, bank_detail_id: details.P4, amount: '21452.80' },
    ]);
    expect(await t.db('payment_line_events').where({ status: 'issued', event_date: '2025-02-19' })).toHaveLength(3);
    expect(await gkFunds(A)).toBe('8445.44'); // 120 000.00 − 111 554.56
    expect(await gkFunds(B)).toBe('0.00');
    expect(await balanced()).toBe(true);
    expect(o.files.map((f) => path.basename(f))).toEqual(['payment-order_2025-1.xml', 'payment-order_2025-2.xml']);
  });

  it('the pain.001 file of an order reads back with every amount, NbOfTxs, CtrlSum, КНП and КБе', async () => {
    const file = path.join(out, 'payment-order_2025-1.xml');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const xml = readFileSync(file, 'utf8');
    const order = await t.db('payment_orders').where({ year: 2025, number: 1 }).first();
    expect(await orderPain001(t.db, Number(order.id))).toBe(xml); // deterministic from the rows
    const doc = parsePain001(xml);
    expect(doc.messageId).toBe('GK2025-000001');
    expect(doc.requestedExecutionDate).toBe('2025-02-19');
    expect(doc.purposeKnp).toBe('119');
    expect(doc.debtor).toMatchObject({ bik: 'GCVPKZ2A', bin: '990440000018', iban: 'KZ41009GK00000000001' });
    expect(doc.debtor.name).toBe('НАО «Государственная корпорация «Правительство для граждан»»');
    // Sample requisites (allowed in the tests): the initiating party says so, a bank rejects the file.
    expect(doc.initiatingParty.name).toBe('ОБРАЗЕЦ — НЕ ИСПОЛНЯТЬ. НАО «Государственная корпорация «Правительство для граждан»»');
    expect(doc.control).toEqual({ groupNbOfTxs: '2', groupCtrlSum: '111554.56', paymentNbOfTxs: '2', paymentCtrlSum: '111554.56' });
    expect(doc.transactions.map((x) => [x.endToEndId, x.amount, x.creditor.idNumber, x.creditor.bik, x.creditor.kbe, x.knp])).toEqual([
      ['GK2025-000001-00001', '64358.40', P3, 'HSBKKZKX', '18', '119'], // a legal entity of the default sector 8 (DOMAIN §7)
      ['GK2025-000001-00002', '47196.16', P1, 'HSBKKZKX', '19', '119'],
    ]);
    const p1Iban = (await t.db('bank_details').where({ id: details.P1 }).first()).iban;
    expect(doc.transactions[1].creditor.iban).toBe(p1Iban);
    expect(doc.transactions[1].remittance).toBe('Возмещение стоимости услуг индивидуального помощника по акту № A-1 за 01.2025, ЛСИ П.1.');
    expect(formatAmount(sum(doc.transactions.map((x) => x.amount)))).toBe(doc.control.groupCtrlSum);
    const b = parsePain001(readFileSync(path.join(out, 'payment-order_2025-2.xml'), 'utf8'));
    expect(b.control).toEqual({ groupNbOfTxs: '1', groupCtrlSum: '21452.80', paymentNbOfTxs: '1', paymentCtrlSum: '21452.80' });
    expect(b.transactions[0].creditor.kbe).toBe('19'); // an entrepreneur
  });

  it('a second identical run changes nothing and rewrites the same files', async () => {
    const again = await run('2025-02-19');
    expect(again.status).toBe('already-done');
    expect(again.files.map((f) => path.basename(f))).toEqual(['payment-order_2025-1.xml', 'payment-order_2025-2.xml']);
    expect(await t.db('payment_lines')).toHaveLength(3);
    expect(await t.db('order_counters')).toEqual([{ year: 2025, last_number: 2 }]);
  });

  it('02-21: the row completed by the second transfer; numbering goes on without a gap', async () => {
    await transfer({ mio_bin: A, pp_no: '12', pp_date: '2025-02-20', amount: '34460.16' });
    const o = await run('2025-02-21');
    expect(o.summary).toMatchObject({
      orders: [{ number: 3, mio_bin: A, bik: 'CASPKZKA', count: 1, total: '42905.60' }],
      payouts: { count: 1, amount: '42905.60' },
    });
    expect(await gkFunds(A)).toBe('0.00'); // 154 460.16 − 111 554.56 − 42 905.60
    expect(await balanced()).toBe(true);
    // Nothing left: the next day's run issues no order.
    const empty = await run('2025-02-24');
    expect(empty.summary).toMatchObject({ orders: [], payouts: { count: 0 }, total: '0.00' });
    expect(empty.files).toEqual([]);
  });

  it('03-18: a return and a funded row of a provider with incorrect details wait; 03-19 after new details both are paid', async () => {
    const returnId = await insertReturn(t.db, 'GK2025-000001-00002', '2025-02-24');
    expect(await gkFunds(A)).toBe('47196.16'); // the returned sum is back with ГК
    const [l] = await insertList(t.db, {
      mioBin: A,
      month: '2025-03',
      builtOn: '2025-03-14',
      rows: [{ providerId: P1, serviceMonth: '2025-02', actNo: 'A-4', receivedOn: '2025-03-03', guaranteed: '53632.00', opv: '5363.20', osms: '1072.64' }],
    });
    [rows.P1m] = await insertDemand(t.db, { mioBin: A, month: '2025-03', formedOn: '2025-03-15', listRowIds: [l] });
    await transfer({ mio_bin: A, pp_no: '13', pp_date: '2025-03-17', amount: '47196.16' });

    const waiting = await run('2025-03-18');
    expect(waiting.summary).toMatchObject({
      orders: [],
      total: '0.00',
      waiting_for_details: {
        count: 2,
        amount: '94392.32',
        items: [
          { kind: 'payout', demand_row_id: rows.P1m, provider_id: P1, amount: '47196.16', reason: 'details-incorrect' },
          { kind: 'repayment', return_id: returnId, provider_id: P1, amount: '47196.16', reason: 'details-incorrect' },
        ],
      },
    });

    details.P1new = (await seedBankDetails(t.db, { provider_id: P1, changed_on: '2025-03-19', bik: BANKS.kaspi.bik })).id;
    const o = await run('2025-03-19');
    expect(o.summary).toMatchObject({
      orders: [{ number: 4, mio_bin: A, bik: 'CASPKZKA', count: 2, total: '94392.32' }],
      payouts: { count: 1, amount: '47196.16' },
      repayments: { count: 1, amount: '47196.16' },
      waiting_for_details: { count: 0 },
    });
    const lines = await t.db('payment_lines').where('ref', 'like', 'GK2025-000004-%').orderBy('ref');
    expect(lines.map((x) => [x.ref, x.kind, x.demand_row_id, x.return_id, x.bank_detail_id, x.service_month, x.amount])).toEqual([
      ['GK2025-000004-00001', 'payout', rows.P1m, null, details.P1new, '2025-02', '47196.16'],
      ['GK2025-000004-00002', 'repayment', null, returnId, details.P1new, '2025-01', '47196.16'],
    ]);
    const doc = parsePain001(readFileSync(path.join(out, 'payment-order_2025-4.xml'), 'utf8'));
    expect(doc.transactions[1].remittance).toBe('Повторная выплата возмещения услуг индивидуального помощника по акту № A-1 за 01.2025, ЛСИ П.1.');

    // ГК holds nothing for A: received 201 656.32 − paid 248 852.48 + returned 47 196.16.
    expect(await gkFunds(A)).toBe('0.00');
    expect(await gkFunds(B)).toBe('0.00');
    expect(formatAmount(await accountMovement(t.db, account.providerPayable(A)))).toBe('0.00');
    expect(formatAmount(await accountMovement(t.db, account.bankClearing('HSBKKZKX')))).toBe('0.00');
    expect(formatAmount(await accountMovement(t.db, account.bankClearing('CASPKZKA')))).toBe('0.00');
    expect(await balanced()).toBe(true);
    // As of 02-19 the ledger showed what ГК held then.
    expect(await gkFunds(A, '2025-02-19')).toBe('8445.44');
  });

  it('order numbers are gapless and follow the dates; a back-dated order is refused', async () => {
    const orders = await t.db('payment_orders').orderBy('number').select('year', 'number', 'order_date');
    expect(orders.map((o) => [o.number, o.order_date])).toEqual([
      [1, '2025-02-19'],
      [2, '2025-02-19'],
      [3, '2025-02-21'],
      [4, '2025-03-19'],
    ]);
    expect(await t.db('order_counters')).toEqual([{ year: 2025, last_number: 4 }]);
    // A pay dated before a committed pay is refused as a step (issue 13.6), even with nothing to pay.
    await expect(run('2025-03-05')).rejects.toMatchObject({ rule: 'step-backdated', exitCode: 4 });
    // And issuing itself refuses an order dated before an issued one.
    const err = await t.db
      .transaction(async (trx) => {
        const [r] = await trx('step_runs').insert({ step: 'test', run_key: 'backdated', input_hash: 'c'.repeat(64), operator: 't', as_of: '2025-03-05' }).returning('id');
        const line = await trx('demand_rows').where({ id: rows.P1 }).first();
        return issueOrders(trx, {
          date: '2025-03-05',
          runId: Number(r.id),
          kind: 'provider',
          lines: [{ kind: 'payout', mioBin: A, providerId: P1, bankDetailId: details.P1new, bik: 'CASPKZKA', iban: 'KZ000', serviceMonth: '2025-01', amount: line.amount, demandRowId: rows.P1 }],
        });
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect((err as BusinessRuleError).rule).toBe('order-date-backdated');
  });

  it('no demand row is paid twice and no return is repaid twice, whatever the caller does', async () => {
    const attempt = (line: Parameters<typeof issueOrders>[1]['lines'][number]) =>
      t.db
        .transaction(async (trx) => {
          const [r] = await trx('step_runs').insert({ step: 'test', run_key: `twice-${line.kind}`, input_hash: 'c'.repeat(64), operator: 't', as_of: '2025-03-20' }).returning('id');
          return issueOrders(trx, { date: '2025-03-20', runId: Number(r.id), kind: 'provider', lines: [line] });
        })
        .catch((e: Error) => e);
    const iban = (await t.db('bank_details').where({ id: details.P1new }).first()).iban;
    const base = { mioBin: A, providerId: P1, bankDetailId: details.P1new, bik: 'CASPKZKA', iban, serviceMonth: '2025-01', amount: '47196.16' };
    const payout = await attempt({ ...base, kind: 'payout', demandRowId: rows.P3 });
    expect(String(payout)).toMatch(/payment_lines_payout_once|duplicate key/);
    const repay = await attempt({ ...base, kind: 'repayment', returnId: Number((await t.db('returns').first()).id) });
    expect(String(repay)).toMatch(/payment_lines_return_once|duplicate key/);
    expect(await t.db('order_counters')).toEqual([{ year: 2025, last_number: 4 }]);
  });

  it('reports: payment-orders of a month with lines by reference, and the balanced ledger', async () => {
    const feb = await paymentOrdersReport(t.db, { month: '2025-02', asOf: '2025-03-31' });
    expect(feb.form).toBe('payment-orders');
    expect(feb.orders.map((o) => [o.number, o.date, o.mio_bin, o.bik, o.bank_name, o.total, o.count])).toEqual([
      [1, '2025-02-19', A, 'HSBKKZKX', BANKS.halyk.name, '111554.56', 2],
      [2, '2025-02-19', B, 'CASPKZKA', BANKS.kaspi.name, '21452.80', 1],
      [3, '2025-02-21', A, 'CASPKZKA', BANKS.kaspi.name, '42905.60', 1],
    ]);
    expect(feb.orders[0].lines).toEqual([
      expect.objectContaining({ ref: 'GK2025-000001-00001', provider_id: P3, amount: '64358.40', kind: 'payout' }),
      {
        ref: 'GK2025-000001-00002',
        provider_id: P1,
        provider_name: 'Ахметова Айгерим Болатовна',
        iban: (await t.db('bank_details').where({ id: details.P1 }).first()).iban,
        amount: '47196.16',
        service_month: '2025-01',
        kind: 'payout',
        // The act, the КБе and the purpose of its pain.001 line (DOMAIN §6).
        act_no: 'A-1',
        kbe: '19',
        purpose: 'Возмещение стоимости услуг индивидуального помощника по акту № A-1 за 01.2025, ЛСИ П.1.',
        // Four eyes: the approver's marks (a first payment: no earlier details, no return before).
        new_details: false,
        returned_before: false,
      },
    ]);
    expect(feb.orders[0]).toMatchObject({ payer: { bik: 'GCVPKZ2A', iban: 'KZ41009GK00000000001' }, knp: '119' });
    expect(feb.orders[0]).toMatchObject({ state: 'approved', prepared_by: 'кассир', decided_by: 'контролёр', decided_on: '2025-02-19' });
    expect(feb.sample).toBe(true);
    const mar = await paymentOrdersReport(t.db, { month: '2025-03', mio: A, asOf: '2025-03-31' });
    expect(mar.orders.map((o) => o.lines.map((l) => [l.ref, l.kind, l.service_month]))).toEqual([
      [
        ['GK2025-000004-00001', 'payout', '2025-02'],
        ['GK2025-000004-00002', 'repayment', '2025-01'],
      ],
    ]);
    expect((await paymentOrdersReport(t.db, { month: '2025-03', mio: B, asOf: '2025-03-31' })).orders).toEqual([]);

    const ledger = await ledgerReport(t.db, { asOf: '2025-02-19' });
    expect(ledger).toMatchObject({ form: 'ledger', as_of: '2025-02-19', balanced: true });
    const byAccount = Object.fromEntries(ledger.accounts.map((a) => [a.account, a]));
    expect(byAccount[`gk_funds:${A}`]).toMatchObject({ debit: '120000.00', credit: '111554.56', balance: '8445.44' });
    expect(byAccount[`mio_budget:${A}`]).toMatchObject({ debit: '0.00', credit: '120000.00', balance: '-120000.00' });
    // Provider payable of A as of 02-19: listed 154 460.16 (credit), paid 111 554.56 (debit).
    expect(byAccount[`provider_payable:${A}`]).toMatchObject({ debit: '111554.56', credit: '154460.16', balance: '-42905.60' });
    expect(Object.keys(ledger.accounts[0])).toEqual(['account', 'name', 'debit', 'credit', 'balance']);
  });

  it('04-03: a return is repaid to the current details even when they are dated before the return; one without new details waits', async () => {
    details.P1third = (await seedBankDetails(t.db, { provider_id: P1, changed_on: '2025-04-01', bik: BANKS.halyk.bik })).id;
    const rP1 = await insertReturn(t.db, 'GK2025-000004-00001', '2025-04-02'); // P1's March payout, to the Kaspi details of 03-19
    details.P4new = (await seedBankDetails(t.db, { provider_id: P4, changed_on: '2025-04-02', bik: BANKS.halyk.bik })).id;
    const rP4 = await insertReturn(t.db, 'GK2025-000002-00001', '2025-04-02');
    const rP2 = await insertReturn(t.db, 'GK2025-000003-00001', '2025-04-02');
    expect(await gkFunds(A)).toBe('90101.76'); // 47 196.16 + 42 905.60 back with ГК
    expect(await gkFunds(B)).toBe('21452.80');

    const o = await run('2025-04-03');
    expect(o.status).toBe('done');
    expect(o.summary).toMatchObject({
      orders: [
        { number: 5, mio_bin: A, bik: 'HSBKKZKX', count: 1, total: '47196.16' },
        { number: 6, mio_bin: B, bik: 'HSBKKZKX', count: 1, total: '21452.80' },
      ],
      payouts: { count: 0, amount: '0.00' },
      repayments: { count: 2, amount: '68648.96' }, // 47 196.16 + 21 452.80
      waiting_for_details: {
        count: 1,
        amount: '42905.60',
        // P2's current details are the returned ones (and marked incorrect by the return).
        items: [{ kind: 'repayment', return_id: rP2, provider_id: P2, amount: '42905.60', reason: 'details-incorrect' }],
      },
    });
    const lines = await t.db('payment_lines').whereIn('return_id', [rP1, rP4, rP2]).orderBy('ref');
    expect(lines.map((x) => [x.ref, x.kind, x.return_id, x.bank_detail_id, x.service_month, x.amount])).toEqual([
      ['GK2025-000005-00001', 'repayment', rP1, details.P1third, '2025-02', '47196.16'],
      ['GK2025-000006-00001', 'repayment', rP4, details.P4new, '2025-01', '21452.80'],
    ]);
    expect(await gkFunds(A)).toBe('42905.60'); // 90 101.76 − 47 196.16
    expect(await gkFunds(B)).toBe('0.00');
    expect(await balanced()).toBe(true);
    expect((await run('2025-04-03')).status).toBe('already-done');

    // New details dated 04-03 recorded after the run change what 04-03 pays: refused, not redone.
    details.P2new = (await seedBankDetails(t.db, { provider_id: P2, changed_on: '2025-04-03', bik: BANKS.halyk.bik })).id;
    const err = await run('2025-04-03').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect((err as BusinessRuleError).rule).toBe('rerun-changed-inputs');

    const next = await run('2025-04-04');
    expect(next.summary).toMatchObject({
      orders: [{ number: 7, mio_bin: A, bik: 'HSBKKZKX', count: 1, total: '42905.60' }],
      repayments: { count: 1, amount: '42905.60' },
      waiting_for_details: { count: 0 },
    });
    expect(await t.db('payment_lines').where({ return_id: rP2 }).select('kind', 'bank_detail_id')).toEqual([{ kind: 'repayment', bank_detail_id: details.P2new }]);
    // Never twice: the next day repays nothing, and ГК holds nothing for either МИО.
    expect((await run('2025-04-07')).summary).toMatchObject({ orders: [], repayments: { count: 0 }, waiting_for_details: { count: 0 } });
    for (const r of [rP1, rP4, rP2]) expect(await count(t.db, 'payment_lines', { return_id: r })).toBe(1);
    expect(await gkFunds(A)).toBe('0.00');
    expect(await balanced()).toBe(true);
  });

  it('the database refuses a list row or a payment line whose copied columns disagree with what they point to', async () => {
    const refused = async (sql: string, bindings: (string | number)[]) => {
      const err = await t.db
        .transaction(async (trx) => {
          await trx.raw(sql, bindings);
        })
        .catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      return String((err as Error).message);
    };
    const row = await t.db('list_rows').where({ mio_bin: A, provider_id: P1 }).first();
    const line = await t.db('payment_lines').where({ kind: 'payout', provider_id: P1 }).first();
    expect(row && line).toBeTruthy();
    // A list row of МИО A moved to МИО B while it stays in A's list.
    expect(await refused('update list_rows set mio_bin = ? where id = ?', [B, row.id])).toMatch(/list_rows_list_mio_fkey/);
    // A list row of P1 paid to P2's bank-details version.
    expect(await refused('update list_rows set bank_detail_id = ? where id = ?', [details.P2, row.id])).toMatch(/list_rows_bank_detail_provider_fkey/);
    // A payment line in an order of another bank, or to an account that is not its version's.
    const otherBik = line.bik === 'CASPKZKA' ? 'HSBKKZKX' : 'CASPKZKA';
    expect(await refused(`update payment_lines set bik = ? where id = ?`, [otherBik, line.id])).toMatch(
      /payment_lines_order_mio_bik_fkey|payment_lines_paid_to_fkey/,
    );
    expect(await refused(`update payment_lines set iban = ? where id = ?`, [synthIban(BANKS.halyk.code), line.id])).toMatch(/payment_lines_paid_to_fkey/);
    expect(await refused(`update payment_lines set mio_bin = ? where id = ?`, [B, line.id])).toMatch(/payment_lines_order_mio_bik_fkey/);
  });
});
