// Returns from banks (DOMAIN.md §4): the `returns` import's applyReturns, through the two-month
// world of test/support/two-month-world.ts (figures in its header). After pay 02-19 МИО A holds
// nothing: 149 311.49 received, 149 311.49 paid; each accepted return gives it back to ГК.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counts, type TestDb } from './support/db.ts';
import { writeCsv } from './support/csv.ts';
import { tempDir } from './support/files.ts';
import { makeKzIban } from '../pipeline/kernel/identifiers.ts';
import { importFile, importPain002, importReturns, pain002Of } from './support/imports.ts';
import { gkFunds } from './support/ledger.ts';
import { lineOf, openTwoMonthWorld, runTimeline, OPERATOR, type OpenWorld, type World } from './support/two-month-world.ts';
import { account, trialBalance } from '../pipeline/ledger.ts';
import { applyReturns } from '../pipeline/returns.ts';
import { returnStates } from '../pipeline/rules/return-state.ts';
import { buildPain002, parsePain002 } from '../pipeline/iso20022/index.ts';
import { lockPipeline } from '../pipeline/kernel/step-run.ts';
import { returnsReport } from '../reports/closing-reports.ts';

let t: TestDb;
let w: World;
let close: OpenWorld['close'] | undefined;

/** Row counts of everything a return writes. */
const footprint = () =>
  counts(t.db, ['returns', 'payment_line_events', 'bank_detail_events', 'notifications', 'ledger_entries', 'ledger_postings', 'payment_lines']);

beforeAll(async () => {
  ({ t, w, close } = await openTwoMonthWorld('2025-02-19'));
});
afterAll(() => close?.());

describe('applyReturns', () => {
  it('rejects a return for an unknown reference and one with a wrong amount, writing nothing', async () => {
    const p1 = await lineOf(t.db, w.P1.provider_id, '2025-01');
    const before = await footprint();
    const r = await importReturns(t.db, '2025-02-24', [
      { payment_ref: 'GK2025-999999-00001', amount: '47196.16', returned_on: '2025-02-21', reason_code: 'AC04', reason_text: 'Счёт закрыт' },
      { payment_ref: p1.ref, amount: '47196.15', returned_on: '2025-02-21', reason_code: 'AC04', reason_text: 'Счёт закрыт' },
      { payment_ref: p1.ref, amount: '47196.160', returned_on: '2025-02-21', reason_code: 'AC04', reason_text: '' },
    ]);
    expect(r.accepted).toBe(0);
    expect(r.duplicates).toBe(0);
    expect(r.rejected).toEqual([
      { index: 2, field: 'payment_ref', reason: expect.stringMatching(/Платёж с референсом «GK2025-999999-00001» не найден/) },
      { index: 3, field: 'amount', reason: expect.stringMatching(/Сумма возврата 47196\.15 не равна сумме платежа .* 47196\.16/) },
      { index: 4, field: 'amount', reason: expect.stringMatching(/Некорректная сумма «47196\.160»/) },
    ]);
    expect(await footprint()).toEqual(before);
  });

  it('rejects dates outside [order date, as-of] and rows without a reference or a reason code', async () => {
    const p1 = await lineOf(t.db, w.P1.provider_id, '2025-01');
    const r = await importReturns(t.db, '2025-02-24', [
      { payment_ref: p1.ref, amount: '47196.16', returned_on: '2025-02-18', reason_code: 'AC04', reason_text: '' },
      { payment_ref: p1.ref, amount: '47196.16', returned_on: '2025-02-25', reason_code: 'AC04', reason_text: '' },
      { payment_ref: p1.ref, amount: '47196.16', returned_on: '21.02.2025', reason_code: 'AC04', reason_text: '' },
      { payment_ref: ' ', amount: '47196.16', returned_on: '2025-02-21', reason_code: 'AC04', reason_text: '' },
      { payment_ref: p1.ref, amount: '47196.16', returned_on: '2025-02-21', reason_code: '', reason_text: '' },
      { payment_ref: p1.ref, amount: '0', returned_on: '2025-02-21', reason_code: 'AC04', reason_text: '' },
    ]);
    expect(r.accepted).toBe(0);
    expect(r.rejected.map((x) => [x.index, x.field])).toEqual([
      [2, 'returned_on'],
      [3, 'returned_on'],
      [4, 'returned_on'],
      [5, 'payment_ref'],
      [6, 'reason_code'],
      [7, 'amount'],
    ]);
    expect(r.rejected[0].reason).toMatch(/раньше даты платёжного поручения 2025-02-19/);
    expect(r.rejected[1].reason).toMatch(/позже рабочей даты 2025-02-24/);
  });

  it('takes a return as its own row and event: the line is untouched, its details are marked incorrect, the outbox and the ledger get it', async () => {
    const p1 = await lineOf(t.db, w.P1.provider_id, '2025-01');
    const lineBefore = await t.db('payment_lines').where({ id: p1.id }).first();
    expect(await gkFunds(t.db, w.A.mio_bin)).toBe('0.00');

    const r = await importReturns(t.db, '2025-02-24', [
      { payment_ref: p1.ref, amount: '47196.16', returned_on: '2025-02-21', reason_code: 'AC04', reason_text: 'Счёт закрыт' },
    ]);
    expect(r).toEqual({ accepted: 1, duplicates: 0, rejected: [] });

    const ret = await t.db('returns').where({ ref: p1.ref }).first();
    expect(ret).toMatchObject({ payment_line_id: p1.id, amount: '47196.16', returned_on: '2025-02-21', reason_code: 'AC04', reason_text: 'Счёт закрыт' });
    expect(await t.db('payment_lines').where({ id: p1.id }).first()).toEqual(lineBefore);
    const events = await t.db('payment_line_events').where({ line_id: p1.id }).orderBy('id').select('status', 'event_date', 'return_id');
    expect(events).toEqual([
      { status: 'issued', event_date: '2025-02-19', return_id: null },
      { status: 'returned', event_date: '2025-02-21', return_id: ret.id },
    ]);
    // The version the line went to is marked incorrect on the day the return was recorded; the version row stays as it was.
    expect(await t.db('bank_detail_events').where({ return_id: ret.id }).select('bank_detail_id', 'status', 'event_date')).toEqual([
      { bank_detail_id: w.P1.bank_detail_id, status: 'incorrect', event_date: '2025-02-24' },
    ]);
    expect(await t.db('bank_details').where({ id: w.P1.bank_detail_id }).first()).toMatchObject({ iban: w.P1.iban, bik: w.P1.bik });

    const notes = await t.db('notifications').where('dedupe_key', 'like', `return:${p1.ref}:%`).orderBy('channel').select('channel', 'recipient', 'kind', 'created_on', 'payload');
    expect(notes.map((n) => [n.channel, n.recipient, n.kind, n.created_on])).toEqual([
      ['esobes', 'esobes', 'return_relayed', '2025-02-24'],
      ['provider_cabinet', w.P1.provider_id, 'bank_details_incorrect', '2025-02-24'],
    ]);
    expect(notes[1].payload).toMatchObject({ payment_ref: p1.ref, amount: '47196.16', iban: w.P1.iban });
    expect(notes[1].payload.message).toMatch(/признаны некорректными/);

    // Ledger 'return': Dr gk_funds / Cr bank_clearing and Dr bank_clearing / Cr provider_payable.
    const entry = await t.db('ledger_entries').where({ source: 'return', source_id: String(ret.id) }).first();
    expect(entry.entry_date).toBe('2025-02-21');
    const postings = await t.db('ledger_postings').where({ entry_id: entry.id }).orderBy('id').select('account', 'debit', 'credit');
    expect(postings).toEqual([
      { account: account.gkFunds(w.A.mio_bin), debit: '47196.16', credit: '0.00' },
      { account: account.bankClearing(w.P1.bik), debit: '0.00', credit: '47196.16' },
      { account: account.bankClearing(w.P1.bik), debit: '47196.16', credit: '0.00' },
      { account: account.providerPayable(w.A.mio_bin), debit: '0.00', credit: '47196.16' },
    ]);
    expect(await gkFunds(t.db, w.A.mio_bin)).toBe('47196.16');
    expect((await trialBalance(t.db)).balanced).toBe(true);
  });

  it('refuses new bank details that name the very account just returned, or are dated in the future (DOMAIN §10)', async () => {
    const dir = tempDir('payouts-returns-bd-');
    const before = await footprint();
    const versions = await t.db('bank_details').where({ provider_id: w.P1.provider_id }).count({ n: '*' });
    const r = await importFile(
      t.db,
      'bank-details',
      writeCsv(dir, 'bd.csv', ['provider_id', 'bik', 'iban', 'changed_on'], [
        { provider_id: w.P1.provider_id, bik: w.P1.bik, iban: w.P1.iban, changed_on: '2025-02-25' },
        { provider_id: w.P1.provider_id, bik: w.P1.bik, iban: makeKzIban(w.P1.iban.slice(4, 7), '0000000000931'), changed_on: '2025-02-27' },
      ]),
      { asOf: '2025-02-25' },
    );
    expect(r).toMatchObject({ accepted: 0, rejected: 2 });
    expect(r.errors.map((e) => [e.row, e.field])).toEqual([
      [2, 'iban'],
      [3, 'changed_on'],
    ]);
    const paidTo = await t.db('bank_details').where({ id: w.P1.bank_detail_id }).first();
    expect(r.errors[0].reason).toBe(
      `Счёт ${w.P1.iban} — тот, на который банк вернул платёж (реквизиты от ${paidTo.changed_on} признаны некорректными 2025-02-24): деньги вернутся снова, укажите другой счёт`,
    );
    expect(r.errors[1].reason).toBe('Дата изменения реквизитов 2025-02-27 позже рабочей даты загрузки 2025-02-25: реквизиты будущей датой не принимаются');
    expect(await t.db('bank_details').where({ provider_id: w.P1.provider_id }).count({ n: '*' })).toEqual(versions);
    expect(await footprint()).toEqual(before);
  });

  it('treats the same return file again as duplicates that change nothing, and a different return for the same reference as a conflict', async () => {
    const p1 = await lineOf(t.db, w.P1.provider_id, '2025-01');
    const before = await footprint();
    const again = await importReturns(t.db, '2025-02-25', [
      { payment_ref: p1.ref, amount: '47196.16', returned_on: '2025-02-21', reason_code: 'AC04', reason_text: 'Счёт закрыт' },
    ]);
    expect(again).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
    const conflict = await importReturns(t.db, '2025-02-25', [
      { payment_ref: p1.ref, amount: '47196.16', returned_on: '2025-02-24', reason_code: 'AC04', reason_text: 'Счёт закрыт' },
      { payment_ref: p1.ref, amount: '47196.16', returned_on: '2025-02-21', reason_code: 'AC01', reason_text: 'Счёт закрыт' },
    ]);
    expect(conflict.accepted).toBe(0);
    expect(conflict.rejected.map((x) => [x.index, x.field])).toEqual([
      [2, 'returned_on'],
      [3, 'reason_code'],
    ]);
    expect(conflict.rejected[0].reason).toMatch(/Конфликт: возврат по платежу .* уже принят \(47196\.16 тенге, 2025-02-21, код AC04\)/);
    expect(await footprint()).toEqual(before);
  });

  it('takes a pain.002 status report; the same XML again changes nothing; a non-rejection is not a return', async () => {
    const p2 = await lineOf(t.db, w.P2.provider_id, '2025-01');
    const p3 = await lineOf(t.db, w.P3.provider_id, '2025-01');
    const xml = buildPain002({
      messageId: 'HSBK-RJCT-0226',
      createdAt: '2025-02-26T11:00:00+05:00',
      // The message of P2's order (№ 2): a report is about one pain.001 message.
      originalMessageId: 'GK2025-000002',
      transactions: [
        { endToEndId: p2.ref, amount: '37756.93', acceptedAt: '2025-02-26T09:30:00+05:00', reasonCode: 'AC01', reasonText: 'Неверный номер счёта' },
        { endToEndId: p3.ref, status: 'ACSC', amount: '64358.40' },
      ],
    });
    const first = await importPain002(t.db, '2025-02-26', xml);
    expect(first).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect(await t.db('returns').where({ ref: p2.ref }).first()).toMatchObject({ amount: '37756.93', returned_on: '2025-02-26', reason_code: 'AC01', reason_text: 'Неверный номер счёта' });
    expect(await t.db('returns').where({ ref: p3.ref }).first()).toBeUndefined();

    const before = await footprint();
    expect(await importPain002(t.db, '2025-02-27', xml)).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
    expect(await footprint()).toEqual(before);

    // A bank's report with a wrong amount and an unknown reference: both rejected with their reasons.
    const bad = await importPain002(
      t.db,
      '2025-02-27',
      pain002Of([
        { ref: p3.ref, amount: '64358.00', on: '2025-02-27', code: 'AC04', text: 'Счёт закрыт' },
        { ref: 'GK2025-000077-00001', amount: '100.00', on: '2025-02-27', code: 'AC04', text: 'Счёт закрыт' },
      ]),
    );
    expect(bad.accepted).toBe(0);
    expect(bad.rejected.map((x) => [x.index, x.field])).toEqual([
      [1, 'amount'],
      [2, 'payment_ref'],
    ]);
    expect(await gkFunds(t.db, w.A.mio_bin)).toBe('84953.09');
    expect((await trialBalance(t.db)).balanced).toBe(true);
  });

  it('rejects a pain.002 row whose line belongs to another message than the report\'s OrgnlMsgId (issue 13.7)', async () => {
    const p3 = await lineOf(t.db, w.P3.provider_id, '2025-01');
    expect(p3.ref.startsWith('GK2025-000001-')).toBe(true);
    const before = await footprint();
    const xml = buildPain002({
      messageId: 'HSBK-RJCT-0227',
      createdAt: '2025-02-27T11:00:00+05:00',
      originalMessageId: 'GK2025-000002',
      transactions: [{ endToEndId: p3.ref, amount: '64358.40', acceptedAt: '2025-02-27T09:30:00+05:00', reasonCode: 'AC04', reasonText: 'Счёт закрыт' }],
    });
    const r = await importPain002(t.db, '2025-02-27', xml);
    expect(r.accepted).toBe(0);
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected[0].field).toBe('message_id');
    expect(r.rejected[0].reason).toMatch(/входит в сообщение GK2025-000001 .* относится к сообщению GK2025-000002/);
    expect(await footprint()).toEqual(before);
  });

  it('refuses a pain.002 without OrgnlMsgId as an unusable file', () => {
    const xml = buildPain002({
      messageId: 'HSBK-RJCT-0228',
      createdAt: '2025-02-28T11:00:00+05:00',
      originalMessageId: '',
      transactions: [{ endToEndId: 'GK2025-000002-00001', amount: '1.00', acceptedAt: '2025-02-28T09:30:00+05:00', reasonCode: 'AC04', reasonText: '' }],
    });
    expect(() => parsePain002(xml)).toThrow(/OrgnlMsgId/);
  });

  it('takes the valid rows of a mixed file and reports the rest by row number', async () => {
    const p4 = await lineOf(t.db, w.P4.provider_id, '2025-01');
    const p1 = await lineOf(t.db, w.P1.provider_id, '2025-01');
    const r = await importReturns(t.db, '2025-02-27', [
      { payment_ref: p1.ref, amount: '47196.16', returned_on: '2025-02-21', reason_code: 'AC04', reason_text: 'Счёт закрыт' },
      { payment_ref: 'нет-такого', amount: '1.00', returned_on: '2025-02-21', reason_code: 'AC04', reason_text: '' },
      { payment_ref: p4.ref, amount: '23598.08', returned_on: '2025-02-27', reason_code: 'AM04', reason_text: 'Недостаточно средств' },
      // The same reference again in the same file: a duplicate of the row above.
      { payment_ref: p4.ref, amount: '23598.08', returned_on: '2025-02-27', reason_code: 'AM04', reason_text: 'Недостаточно средств' },
    ]);
    expect(r.accepted).toBe(1);
    expect(r.duplicates).toBe(2);
    expect(r.rejected.map((x) => x.index)).toEqual([3]);
    expect(await gkFunds(t.db, w.B.mio_bin)).toBe('23598.08');
  });

  it('writes inside the importer transaction and rolls back with it', async () => {
    const p3 = await lineOf(t.db, w.P3.provider_id, '2025-01');
    const before = await footprint();
    await expect(
      t.db.transaction(async (trx) => {
        await lockPipeline(trx);
        const [batch] = await trx('import_batches')
          .insert({ kind: 'returns', file_name: 'r.csv', file_sha256: 'c'.repeat(64), operator: OPERATOR, as_of: '2025-02-27', status: 'done' })
          .returning('id');
        const r = await applyReturns(
          trx,
          [{ index: 2, row: { payment_ref: p3.ref, amount: '64358.40', returned_on: '2025-02-27', reason_code: 'AC04', reason_text: '' } }],
          { batchId: Number(batch.id), asOf: '2025-02-27', operator: OPERATOR },
        );
        expect(r.accepted).toBe(1);
        throw new Error('the importer fails later');
      }),
    ).rejects.toThrow('the importer fails later');
    expect(await footprint()).toEqual(before);
  });
});

describe('returns over the two months', () => {
  beforeAll(async () => {
    await runTimeline(w, '2025-04-30', { from: '2025-02-26' });
  });

  it('rejects a return of a to_mio line (money sent back to the МИО is not a provider credit)', async () => {
    const toMio = await lineOf(t.db, w.P2.provider_id, '2025-01', 'to_mio');
    const r = await importReturns(t.db, '2025-04-30', [
      { payment_ref: toMio.ref, amount: '37756.93', returned_on: '2025-04-01', reason_code: 'AC04', reason_text: '' },
    ]);
    expect(r.rejected).toEqual([{ index: 2, field: 'payment_ref', reason: expect.stringMatching(/возврат средств в МИО/) }]);
  });

  it('reports the returns of February with what became of them', async () => {
    const p1 = await lineOf(t.db, w.P1.provider_id, '2025-01');
    const p2 = await lineOf(t.db, w.P2.provider_id, '2025-01');
    const p4 = await lineOf(t.db, w.P4.provider_id, '2025-01');
    const repayment = await lineOf(t.db, w.P1.provider_id, '2025-01', 'repayment');
    const redemanded = await lineOf(t.db, w.P2.provider_id, '2025-01', 'payout', 1);
    const doc = await returnsReport(t.db, { month: '2025-02', asOf: '2025-04-30' });
    const rows = (doc.returns as Record<string, unknown>[]).map(({ ref, provider_id, amount, returned_on, reason_code, status, repaid_ref, sent_back_on }) => ({
      ref,
      provider_id,
      amount,
      returned_on,
      reason_code,
      status,
      repaid_ref,
      sent_back_on,
    }));
    expect(doc.form).toBe('returns');
    expect(rows).toEqual([
      { ref: p1.ref, provider_id: w.P1.provider_id, amount: '47196.16', returned_on: '2025-02-21', reason_code: 'AC04', status: 'repaid', repaid_ref: repayment.ref, sent_back_on: null },
      { ref: p2.ref, provider_id: w.P2.provider_id, amount: '37756.93', returned_on: '2025-02-26', reason_code: 'AC01', status: 'sent_back', repaid_ref: redemanded.ref, sent_back_on: '2025-03-31' },
      // P4's return of 02-27 (the mixed file): B's details were never fixed, and it went back on 03-31.
      { ref: p4.ref, provider_id: w.P4.provider_id, amount: '23598.08', returned_on: '2025-02-27', reason_code: 'AM04', status: 'sent_back', repaid_ref: null, sent_back_on: '2025-03-31' },
    ]);

    // As of an earlier date the later events do not count yet.
    const early = await returnStates(t.db, { asOf: '2025-03-03' });
    expect(early.map((r) => [r.ref, r.status])).toEqual([
      [p1.ref, 'pending'],
      [p2.ref, 'pending'],
      [p4.ref, 'pending'],
    ]);
    const onlyB = await returnsReport(t.db, { month: '2025-02', asOf: '2025-04-30', mio: w.B.mio_bin });
    expect((onlyB.returns as { ref: string }[]).map((r) => r.ref)).toEqual([p4.ref]);
    expect((await returnsReport(t.db, { month: '2025-03', asOf: '2025-04-30' })).returns).toEqual([]);
  });
});
