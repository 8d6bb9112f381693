// The 15th-of-month demand on real PostgreSQL: one demand per МИО from the list rows not yet
// demanded, due dates over the March 2025 holidays, rows that arrive after a demand going into
// the next one with their own period, re-demand of sums sent back to the МИО once the provider
// has new bank details (also through a repayment that was returned again), idempotent and
// refused re-runs, dry-run, injected crashes, and the `demand` report with its funding.
// Re-demand rule (DOMAIN §4.4): a sent-back return is demanded again when the provider's current
// bank details as of the demand's date are not the version the returned line went to and are not
// marked incorrect — however the fix is dated against the send-back (a world of its own below).
import { computeDeadlines } from '../pipeline/steps/check-deadlines/deadlines.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../pipeline/kernel/db.ts';
import { count, counts, freshDb, type TestDb } from './support/db.ts';
import { failsAt } from './support/faults.ts';
import { seedAct, seedBankDetails, seedBanks, seedMio, seedProvider, type MioSeed, type ProviderSeed } from './support/world.ts';
import { buildLists } from '../pipeline/steps/build-lists/index.ts';
import { demandDates, formDemand } from '../pipeline/steps/form-demand/index.ts';
import { Calendar } from '../pipeline/kernel/calendar.ts';
import { trialBalance } from '../pipeline/ledger.ts';
import { BusinessRuleError, UsageError } from '../pipeline/kernel/errors.ts';
import { demandReport } from '../reports/cycle-reports.ts';

const OP = 'тест-оператор';
let t: TestDb;
let A: MioSeed;
let B: MioSeed;
let P1: ProviderSeed; // assistant, МИО A
let P2: ProviderSeed; // entrepreneur, МИО A
let P3: ProviderSeed; // legal entity, МИО B
const ids: Record<string, number> = {};

/** Rows of the tables form-demand writes. */
const written = () => counts(t.db, ['step_runs', 'demands', 'demand_rows', 'notifications', 'ledger_entries', 'audit_events']);

async function listRowId(actNo: string): Promise<number> {
  const r = await t.db('list_rows as lr').join('acts as a', 'a.id', 'lr.act_id').where('a.act_no', actNo).select('lr.id').first();
  return Number(r.id);
}

let orderNo = 0;
async function order(mio: MioSeed, bik: string, date: string, kind: 'provider' | 'to_mio', db: Db = t.db): Promise<number> {
  const [run] = await db('step_runs')
    .insert({ step: `test-${kind}`, run_key: `${date}-${++orderNo}`, input_hash: '0'.repeat(64), operator: OP, as_of: date })
    .returning('id');
  const [o] = await db('payment_orders')
    .insert({ year: 2025, number: orderNo, order_date: date, mio_bin: mio.mio_bin, bik, kind, total: '0', line_count: 0, run_id: run.id })
    .returning('id');
  return Number(o.id);
}

async function line(v: {
  order: number;
  ref: string;
  kind: 'payout' | 'repayment' | 'to_mio';
  demandRow?: number;
  returnId?: number;
  mio: MioSeed;
  provider: ProviderSeed;
  /** The bank-details version paid to (payout, repayment); a to_mio line has none. */
  bankDetail?: number;
  bik: string;
  iban: string;
  serviceMonth: string;
  amount: string;
  db?: Db;
}): Promise<number> {
  const [l] = await (v.db ?? t.db)('payment_lines')
    .insert({
      order_id: v.order,
      ref: v.ref,
      kind: v.kind,
      demand_row_id: v.demandRow ?? null,
      return_id: v.returnId ?? null,
      mio_bin: v.mio.mio_bin,
      provider_id: v.provider.provider_id,
      bank_detail_id: v.bankDetail ?? null,
      bik: v.bik,
      iban: v.iban,
      service_month: v.serviceMonth,
      amount: v.amount,
    })
    .returning('id');
  return Number(l.id);
}

/** A bank return as the returns import records it: the return, and the incorrect mark on the version paid to. */
async function bankReturn(lineId: number, ref: string, amount: string, on: string, db: Db = t.db): Promise<number> {
  const [r] = await db('returns')
    .insert({ payment_line_id: lineId, ref, amount, returned_on: on, reason_code: 'AC04', reason_text: 'счёт закрыт (синт.)' })
    .returning('id');
  const paid = await db('payment_lines').where({ id: lineId }).first('bank_detail_id');
  if (paid.bank_detail_id != null) {
    await db('bank_detail_events').insert({ bank_detail_id: paid.bank_detail_id, status: 'incorrect', event_date: on, return_id: r.id });
  }
  return Number(r.id);
}

beforeAll(async () => {
  t = await freshDb();
  await seedBanks(t.db);
  A = await seedMio(t.db, { oblast: 'г. Астана' });
  B = await seedMio(t.db, { oblast: 'г. Алматы' });
  P1 = await seedProvider(t.db, { kind: 'assistant', bik: 'HSBKKZKX' });
  P2 = await seedProvider(t.db, { kind: 'entrepreneur', bik: 'CASPKZKA' });
  P3 = await seedProvider(t.db, { kind: 'legal_entity', bik: 'KCJBKZKX' });
  // For the list of 2025-02 (service month 2025-01):
  await seedAct(t.db, { provider: P1, mio: A, service_month: '2025-01', hours: '176', act_no: 'Я-1' });
  await seedAct(t.db, { provider: P2, mio: A, service_month: '2025-01', hours: '100', act_no: 'Я-2' });
  await seedAct(t.db, { provider: P3, mio: B, service_month: '2025-01', hours: '50.5', act_no: 'Я-3' });
  await seedAct(t.db, { provider: P3, mio: B, service_month: '2025-01', hours: '10', claimed_amount: '0.00', act_no: 'Я-4' });
  // For the list of 2025-03 (service month 2025-02):
  await seedAct(t.db, { provider: P1, mio: A, service_month: '2025-02', hours: '160', act_no: 'Ф-1' });
  await seedAct(t.db, { provider: P3, mio: B, service_month: '2025-02', hours: '20', act_no: 'Ф-3' });
  // For the list of 2025-04 (service month 2025-03) and of 2025-05 (service month 2025-04):
  await seedAct(t.db, { provider: P2, mio: A, service_month: '2025-03', hours: '10', act_no: 'М-2' });
  await seedAct(t.db, { provider: P1, mio: A, service_month: '2025-04', hours: '8', act_no: 'А-1' });
  expect((await buildLists(t.db, { month: '2025-02', asOf: '2025-02-14', operator: OP })).status).toBe('done');
});
afterAll(async () => t?.drop());

describe('due dates', () => {
  const cal = Calendar.fromReferenceFiles();
  it.each([
    // DOMAIN §3: formed, the request's date (the formation date when it is a working day, else the
    // next one), request due (next working day), funding due (2 working days after the request's date)
    ['2025-02-15', '2025-02-17', '2025-02-17', '2025-02-19'], // Saturday → Monday; Tue 18, Wed 19
    ['2025-03-20', '2025-03-20', '2025-03-26', '2025-03-27'], // Thu 20 dated that day; Fri 21 off, weekend, Mon 24 and Tue 25 off → Wed 26, Thu 27
    ['2025-03-15', '2025-03-17', '2025-03-17', '2025-03-19'],
    ['2025-03-07', '2025-03-07', '2025-03-11', '2025-03-12'], // 8 March is a Saturday, moved to Monday 10; Tue 11, Wed 12
    ['2025-12-31', '2025-12-31', '2026-01-05', '2026-01-06'], // 1–2 Jan off, weekend 3–4; Mon 5, Tue 6
    ['2025-09-15', '2025-09-15', '2025-09-16', '2025-09-17'], // DOMAIN §3's example: Monday
    ['2025-11-15', '2025-11-17', '2025-11-17', '2025-11-19'], // DOMAIN §3's example: Saturday → Monday 17, funding Wed 19
  ])('formed %s: request dated %s, due %s, funding due %s', (formed, requestOn, request, funding) => {
    expect(demandDates(formed, cal)).toEqual({ formed_on: formed, request_on: requestOn, request_due: request, funding_due: funding });
  });

  it('a date outside the loaded calendar is refused with the rule named', () => {
    expect(() => demandDates('2027-03-15', cal)).toThrow(BusinessRuleError);
    expect(() => demandDates('2027-03-15', cal)).toThrow(/Календарь рабочих дней не загружен для 2027 года/);
  });
});

describe('form-demand 2025-02', () => {
  it('refuses a date outside the month (exit 2)', async () => {
    await expect(formDemand(t.db, { month: '2025-02', asOf: '2025-03-15', operator: OP })).rejects.toBeInstanceOf(UsageError);
    await expect(formDemand(t.db, { asOf: '2025-02-15', operator: OP })).rejects.toBeInstanceOf(UsageError);
  });

  it('a dry run writes nothing', async () => {
    const before = await written();
    const out = await formDemand(t.db, { month: '2025-02', asOf: '2025-02-15', operator: OP, dryRun: true });
    expect(out.status).toBe('dry-run');
    expect(out.summary).toMatchObject({ demands: 2, rows: 3, amount: '163781.40' });
    expect(await written()).toEqual(before);
  });

  it.each(['form-demand.start', 'form-demand.after-demands', 'form-demand.rows-half', 'form-demand.after-requests', 'form-demand.before-commit'])(
    'a crash at %s writes nothing',
    async (point) => {
      const before = await written();
      await failsAt(point, () => formDemand(t.db, { month: '2025-02', asOf: '2025-02-15', operator: OP }));
      expect(await written()).toEqual(before);
    },
  );

  it('forms one demand per МИО from the list rows, on a Saturday', async () => {
    const out = await formDemand(t.db, { month: '2025-02', asOf: '2025-02-15', operator: OP });
    expect(out.status).toBe('done');
    // A: P1 176 h → provider 83065.24 (94392.32 − 9439.23 − 1887.85); P2 100 h → 53632.00; Σ 136697.24
    // B: P3 50.5 h → 27084.16; the zero claim (Я-4) needs no money and is not demanded
    // Σ 136697.24 + 27084.16 = 163781.40
    expect(out.summary).toMatchObject({
      formed_on: '2025-02-15',
      request_on: '2025-02-17',
      request_due: '2025-02-17',
      funding_due: '2025-02-19',
      demands: 2,
      rows: 3,
      redemanded: 0,
      amount: '163781.40',
    });
    const demands = await t.db('demands').where({ month: '2025-02' }).orderBy('mio_bin');
    const a = demands.find((d) => d.mio_bin === A.mio_bin);
    expect(a).toMatchObject({ amount: '136697.24', row_count: 2, formed_on: '2025-02-15', request_on: '2025-02-17', request_due: '2025-02-17', funding_due: '2025-02-19' });
    expect(demands.find((d) => d.mio_bin === B.mio_bin)).toMatchObject({ amount: '27084.16', row_count: 1 });
    // The requests' outgoing numbers: the first of 2025, in МИО order (formed on Saturday the 15th,
    // the request is dated Monday the 17th, still 2025).
    expect(demands.map((d) => [d.request_year, d.request_no])).toEqual([
      [2025, 1],
      [2025, 2],
    ]);
    const rows = await t.db('demand_rows').where({ demand_id: a.id }).orderBy('amount', 'desc');
    expect(rows.map((r) => [r.list_row_id, r.service_month, r.amount, r.return_id])).toEqual([
      [await listRowId('Я-1'), '2025-01', '83065.24', null],
      [await listRowId('Я-2'), '2025-01', '53632.00', null],
    ]);
    expect(await t.db('demand_rows').where({ list_row_id: await listRowId('Я-4') }).first()).toBeUndefined();
    const requests = await t.db('notifications').where({ channel: 'mio' }).orderBy('recipient');
    expect(requests.map((n) => n.dedupe_key).sort()).toEqual([`demand:2025-02:${A.mio_bin}`, `demand:2025-02:${B.mio_bin}`].sort());
    expect(requests.find((n) => n.recipient === A.mio_bin)!.payload).toMatchObject({ amount: '136697.24', request_due: '2025-02-17', funding_due: '2025-02-19' });
    // The request as sent: its date (Monday 17th for a Saturday formation) and its outgoing number.
    const numberOf = (bin: string) => (A.mio_bin < B.mio_bin) === (bin === A.mio_bin) ? 1 : 2;
    for (const n of requests) {
      expect(n.payload).toMatchObject({ request_on: '2025-02-17', request_no: numberOf(n.recipient) });
      expect(n.payload.text).toMatch(new RegExp(`^Заявка о сумме потребности № ${numberOf(n.recipient)} от 2025-02-17 за 2025-02: `));
    }
    expect(await count(t.db, 'ledger_entries')).toBe(2); // only the two lists
    expect((await trialBalance(t.db)).balanced).toBe(true);
  });

  it('a second identical run is a no-op', async () => {
    const before = await written();
    const again = await formDemand(t.db, { month: '2025-02', asOf: '2025-02-15', operator: OP });
    expect(again.status).toBe('already-done');
    expect(again.summary).toMatchObject({ amount: '163781.40' });
    expect(await written()).toEqual(before);
    expect((await t.db('demands').orderBy('mio_bin')).map((d) => d.request_no)).toEqual([1, 2]); // stable
  });

  it('the database keeps the request numbers gapless per year: no gap, no repeat', async () => {
    const d = await t.db('demands').where({ month: '2025-02' }).orderBy('mio_bin').first();
    const row = { month: '2025-12', mio_bin: d.mio_bin, formed_on: '2025-12-15', request_due: '2025-12-17', funding_due: '2025-12-19', amount: '1.00', row_count: 1, run_id: d.run_id };
    await expect(t.db('demands').insert({ ...row, request_year: 2025, request_no: 4 })).rejects.toThrow(/demands_request_gapless/);
    await expect(t.db('demands').insert({ ...row, request_year: 2025, request_no: 2 })).rejects.toThrow(/demands_request_no/);
    await expect(t.db('demands').insert({ ...row, request_year: 2025, request_no: null })).rejects.toThrow(/demands_request_numbered/);
  });
});

describe('form-demand 2025-03 over the March holidays', () => {
  it('demands only the new rows; request and funding due over 21–25 March', async () => {
    expect((await buildLists(t.db, { month: '2025-03', asOf: '2025-03-14', operator: OP })).status).toBe('done');
    const out = await formDemand(t.db, { month: '2025-03', asOf: '2025-03-20', operator: OP });
    // A: P1 160 h → 85811.20 − 8581.12 − 1716.22 = 75513.86; B: P3 20 h → 10726.40
    // DOMAIN §3: the request is dated Thursday 03-20 itself, so funding is due 2 working days
    // later (03-26, 03-27), not 2 working days after the request's due day.
    expect(out.summary).toMatchObject({ request_on: '2025-03-20', request_due: '2025-03-26', funding_due: '2025-03-27', demands: 2, rows: 2, amount: '86240.26' });
    const doc = await demandReport(t.db, { month: '2025-03', asOf: '2025-03-31' });
    // Numbers go on from February's: 3 and 4 in МИО order.
    expect(doc.demands.map((d) => d.request_no)).toEqual([3, 4]);
    expect(doc.payee).toMatchObject({ bik: 'GCVPKZ2A', kbe: '11', knp: '119' });
    expect(doc.sample).toBe(true); // the samples of reference/ (allowed in the tests)
    expect(doc.demands.find((d) => d.mio_bin === A.mio_bin)).toEqual({
      mio_bin: A.mio_bin,
      mio_name: A.name,
      formed_on: '2025-03-20',
      request_on: '2025-03-20', // a working day: the request goes out the same day
      request_no: A.mio_bin < B.mio_bin ? 3 : 4,
      request_year: 2025,
      request_due: '2025-03-26',
      funding_due: '2025-03-27',
      amount: '75513.86',
      amount_words: 'Семьдесят пять тысяч пятьсот тринадцать тенге 86 тиын',
      rows: 1,
      periods: [{ service_month: '2025-02', rows: 1, amount: '75513.86' }],
      funded: '0.00',
      open: '75513.86',
    });
  });

  it('the February demand, repeated after March, is still a no-op', async () => {
    expect((await formDemand(t.db, { month: '2025-02', asOf: '2025-02-15', operator: OP })).status).toBe('already-done');
  });
});

describe('returns sent back to the МИО are demanded again once the provider has new details', () => {
  it('sets up: payouts, returns, a repayment returned again, both sums sent back on 2025-03-31', async () => {
    const dr = async (actNo: string) => Number((await t.db('demand_rows').where({ list_row_id: await listRowId(actNo), return_id: null }).first()).id);
    // P3's payout (МИО B) is returned; sent back to the МИО on the last working day of March.
    // (Details dated before the send-back count as well: see the world of edge dates below.)
    const oB = await order(B, P3.bik, '2025-02-19', 'provider');
    const l3 = await line({ order: oB, ref: 'PAY-B-1', kind: 'payout', demandRow: await dr('Я-3'), mio: B, provider: P3, bankDetail: P3.bank_detail_id, bik: P3.bik, iban: P3.iban, serviceMonth: '2025-01', amount: '27084.16' });
    ids.r3 = await bankReturn(l3, 'RET-B-1', '27084.16', '2025-02-21');
    const tB = await order(B, B.bik, '2025-03-31', 'to_mio');
    await line({ order: tB, ref: 'BACK-B-1', kind: 'to_mio', returnId: ids.r3, mio: B, provider: P3, bik: B.bik, iban: B.iban, serviceMonth: '2025-01', amount: '27084.16' });

    // P2's payout (МИО A) is returned, repaid to new details, returned again, then sent back.
    const oA = await order(A, P2.bik, '2025-02-19', 'provider');
    const l2 = await line({ order: oA, ref: 'PAY-A-2', kind: 'payout', demandRow: await dr('Я-2'), mio: A, provider: P2, bankDetail: P2.bank_detail_id, bik: P2.bik, iban: P2.iban, serviceMonth: '2025-01', amount: '53632.00' });
    const r2a = await bankReturn(l2, 'RET-A-2a', '53632.00', '2025-02-21');
    const v2 = await seedBankDetails(t.db, { provider_id: P2.provider_id, changed_on: '2025-02-24', bik: 'KCJBKZKX' });
    const oA2 = await order(A, v2.bik, '2025-02-25', 'provider');
    // P2's current details (02-24) are the version the returned repayment went to: not demanded again.
    const l2b = await line({ order: oA2, ref: 'REPAY-A-2', kind: 'repayment', returnId: r2a, mio: A, provider: P2, bankDetail: v2.id, bik: v2.bik, iban: v2.iban, serviceMonth: '2025-01', amount: '53632.00' });
    ids.r2b = await bankReturn(l2b, 'RET-A-2b', '53632.00', '2025-02-27');
    const tA = await order(A, A.bik, '2025-03-31', 'to_mio');
    await line({ order: tA, ref: 'BACK-A-2', kind: 'to_mio', returnId: ids.r2b, mio: A, provider: P2, bik: A.bik, iban: A.iban, serviceMonth: '2025-01', amount: '53632.00' });
  });

  it('April, formed before the list and before any new details, has nothing: no demand at all', async () => {
    const out = await formDemand(t.db, { month: '2025-04', asOf: '2025-04-11', operator: OP });
    expect(out.status).toBe('done');
    expect(out.summary).toMatchObject({ demands: 0, rows: 0, amount: '0.00' });
    expect(await t.db('demands').where({ month: '2025-04' })).toEqual([]);
  });

  it('new details dated on or before the April demand afterwards: a re-run is refused (exit 4)', async () => {
    await seedBankDetails(t.db, { provider_id: P3.provider_id, changed_on: '2025-04-10', bik: 'HSBKKZKX' });
    const before = await written();
    const err = await formDemand(t.db, { month: '2025-04', asOf: '2025-04-11', operator: OP }).catch((e) => e);
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect(err.exitCode).toBe(4);
    expect(err.rule).toBe('rerun-changed-inputs');
    expect(await written()).toEqual(before);
  });

  it('May demands the late April list row, the May list row and both sent-back sums, each with its own period', async () => {
    expect((await buildLists(t.db, { month: '2025-04', asOf: '2025-04-14', operator: OP })).status).toBe('done');
    expect((await buildLists(t.db, { month: '2025-05', asOf: '2025-05-14', operator: OP })).status).toBe('done');
    await seedBankDetails(t.db, { provider_id: P2.provider_id, changed_on: '2025-05-02', bik: 'HSBKKZKX' });
    const out = await formDemand(t.db, { month: '2025-05', asOf: '2025-05-15', operator: OP });
    // A: М-2 (P2 2025-03, 10 h) 5363.20 + А-1 (P1 2025-04, 8 h: 4290.56 − 429.06 − 85.81) 3775.69
    //    + P2's sent-back 53632.00 = 62770.89
    // B: P3's sent-back 27084.16
    expect(out.summary).toMatchObject({ demands: 2, rows: 4, redemanded: 2, amount: '89855.05' });
    const doc = await demandReport(t.db, { month: '2025-05', asOf: '2025-05-31' });
    const demands = doc.demands as Record<string, unknown>[];
    expect(demands.find((d) => d.mio_bin === A.mio_bin)).toMatchObject({
      amount: '62770.89',
      rows: 3,
      periods: [
        { service_month: '2025-01', rows: 1, amount: '53632.00' },
        { service_month: '2025-03', rows: 1, amount: '5363.20' },
        { service_month: '2025-04', rows: 1, amount: '3775.69' },
      ],
    });
    expect(demands.find((d) => d.mio_bin === B.mio_bin)).toMatchObject({ amount: '27084.16', rows: 1, periods: [{ service_month: '2025-01', rows: 1, amount: '27084.16' }] });
    // The re-demanded rows point at the original list rows and at the returns they repay.
    const redemanded = await t.db('demand_rows').whereNotNull('return_id').orderBy('return_id');
    expect(redemanded.map((r) => [r.return_id, r.list_row_id, r.service_month, r.amount])).toEqual(
      [
        [ids.r3, await listRowId('Я-3'), '2025-01', '27084.16'],
        [ids.r2b, await listRowId('Я-2'), '2025-01', '53632.00'],
      ].sort((x, y) => Number(x[0]) - Number(y[0])),
    );
  });

  it('never twice: June has nothing to demand again, and the database refuses a duplicate', async () => {
    const out = await formDemand(t.db, { month: '2025-06', asOf: '2025-06-16', operator: OP });
    expect(out.summary).toMatchObject({ demands: 0, rows: 0 });
    const d = await t.db('demands').where({ month: '2025-05', mio_bin: B.mio_bin }).first();
    await expect(
      t.db('demand_rows').insert({ demand_id: d.id, list_row_id: await listRowId('Я-3'), return_id: ids.r3, service_month: '2025-01', amount: '27084.16' }),
    ).rejects.toThrow(/demand_rows_return_once/);
  });

  it('refuses an earlier month after a later one', async () => {
    const err = await formDemand(t.db, { month: '2025-01', asOf: '2025-01-15', operator: OP }).catch((e) => e);
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect(err.rule).toBe('demands-in-month-order');
  });
});

describe('demand report: funded and open', () => {
  it('funded is what allocations dated on or before the report date put on its rows', async () => {
    const [tr] = await t.db('transfers').insert({ mio_bin: A.mio_bin, pp_no: '17', pp_date: '2025-02-18', amount: '100000.00' }).returning('id');
    // The transfer funds whole rows in order: P1's 83065.24 fits, P2's 53632.00 does not (16934.76 left).
    const row = await t.db('demand_rows').where({ list_row_id: await listRowId('Я-1'), return_id: null }).first();
    await t.db('allocations').insert({ demand_row_id: row.id, transfer_id: tr.id, funded_on: '2025-02-18', amount: '83065.24' });
    const pick = async (asOf: string) =>
      (await demandReport(t.db, { month: '2025-02', asOf })).demands.find((d) => d.mio_bin === A.mio_bin)!;
    expect(await pick('2025-02-28')).toMatchObject({ amount: '136697.24', funded: '83065.24', open: '53632.00' }); // 136697.24 − 83065.24
    // Formed on Saturday 15 February: the request is dated Monday the 17th.
    expect(await pick('2025-02-28')).toMatchObject({ formed_on: '2025-02-15', request_on: '2025-02-17' });
    expect(await pick('2025-02-17')).toMatchObject({ funded: '0.00', open: '136697.24' });
    const onlyB = await demandReport(t.db, { month: '2025-02', mio: B.mio_bin, asOf: '2025-02-28' });
    expect(onlyB.demands.length).toBe(1);
    // DOMAIN §3, §9: funding «в пределах сумм» — A's partial transfer of 02-18, by the due day
    // 02-19, is on time (the rest, 53 632.00, is shown as open above); B sent nothing: breached,
    // 7 working days late on 02-28 (20, 21, 24…28).
    const items = await computeDeadlines(t.db, '2025-02-28');
    const funding = (bin: string) => items.find((i) => i.rule === 'funding' && i.object === `demand:2025-02:${bin}`);
    expect(funding(A.mio_bin)).toMatchObject({ due: '2025-02-19', status: 'met', days_late: 0 });
    expect(funding(B.mio_bin)).toMatchObject({ due: '2025-02-19', status: 'breached', days_late: 7 });
  });
});

describe('re-demand: new details dated on edge days, or marked incorrect (a world of its own)', () => {
  // МИО C; entrepreneurs (no ОПВ/ОСМС), so provider sum = G = hours × 536.32:
  //   Q1 10 h → 5 363.20; Q2 20 h → 10 726.40; Q3 30 h → 16 089.60;
  //   Q4 two acts: Я-41 40 h → 21 452.80, Я-42 50 h → 26 816.00. February demand: 80 448.00.
  // All paid 02-19 to their first (Halyk) details and returned 02-21 — Я-42 only on 03-03 —
  // each return marking the version paid to incorrect.
  //   Q4 gives Kaspi details dated 02-24; Я-41's sum is repaid to them 02-25 and returned again
  //      02-27 (the Kaspi version is now incorrect too).
  //   Q1 gives Kaspi details dated 03-20, before the send-back; no pay acted on them.
  //   03-31 the four February returns go back to МИО C: Q1, Q2, Q3 and Q4's repayment.
  //   Q2 gives Kaspi details dated 03-31, the send-back day.
  //   April (04-15): Q1 5 363.20 + Q2 10 726.40 = 16 089.60 demanded again. Not Q3 (its current
  //      details are the returned ones), not Q4's repayment (its current Kaspi details are the
  //      version the returned repayment went to).
  //   04-30 Я-42's March return goes back. May (05-15): nothing — for Я-42 Q4's current Kaspi
  //      details are not the returned (Halyk) version but are marked incorrect; Q1, Q2 never twice.
  //   Q3's details dated 05-12, recorded after the May run: that run cannot be redone.
  //   Q4 gives Halyk details dated 05-20. June (06-16): Q3 16 089.60 + Я-41 21 452.80
  //      + Я-42 26 816.00 = 64 358.40. July: nothing.
  let u: TestDb;
  let C: MioSeed;
  const Q: Record<string, ProviderSeed> = {};
  const r: Record<string, number> = {};
  const rowOf = async (actNo: string) => {
    const x = await u.db('list_rows as lr').join('acts as a', 'a.id', 'lr.act_id').where('a.act_no', actNo).select('lr.id').first();
    return Number(x.id);
  };
  const demandRowOf = async (actNo: string) => Number((await u.db('demand_rows').where({ list_row_id: await rowOf(actNo), return_id: null }).first()).id);
  const redemanded = async (month: string) =>
    (
      await u.db('demand_rows as dr')
        .join('demands as d', 'd.id', 'dr.demand_id')
        .where('d.month', month)
        .whereNotNull('dr.return_id')
        .orderBy('dr.return_id')
        .select('dr.return_id', 'dr.list_row_id', 'dr.service_month', 'dr.amount')
    ).map((x) => [Number(x.return_id), Number(x.list_row_id), x.service_month, x.amount]);

  beforeAll(async () => {
    u = await freshDb();
    await seedBanks(u.db);
    C = await seedMio(u.db, { oblast: 'г. Астана' });
    for (const k of ['Q1', 'Q2', 'Q3', 'Q4']) Q[k] = await seedProvider(u.db, { kind: 'entrepreneur', bik: 'HSBKKZKX' });
    for (const [k, no, hours] of [['Q1', 'Я-Q1', '10'], ['Q2', 'Я-Q2', '20'], ['Q3', 'Я-Q3', '30'], ['Q4', 'Я-41', '40'], ['Q4', 'Я-42', '50']] as const) {
      await seedAct(u.db, { provider: Q[k], mio: C, service_month: '2025-01', hours, act_no: no });
    }
    expect((await buildLists(u.db, { month: '2025-02', asOf: '2025-02-14', operator: OP })).status).toBe('done');
    expect((await formDemand(u.db, { month: '2025-02', asOf: '2025-02-15', operator: OP })).summary).toMatchObject({ rows: 5, amount: '80448.00' });

    const paid = await order(C, 'HSBKKZKX', '2025-02-19', 'provider', u.db);
    const payout = async (k: string, actNo: string, amount: string) =>
      line({ db: u.db, order: paid, ref: `PAY-${actNo}`, kind: 'payout', demandRow: await demandRowOf(actNo), mio: C, provider: Q[k], bankDetail: Q[k].bank_detail_id, bik: Q[k].bik, iban: Q[k].iban, serviceMonth: '2025-01', amount });
    const l1 = await payout('Q1', 'Я-Q1', '5363.20');
    const l2 = await payout('Q2', 'Я-Q2', '10726.40');
    const l3 = await payout('Q3', 'Я-Q3', '16089.60');
    const l41 = await payout('Q4', 'Я-41', '21452.80');
    const l42 = await payout('Q4', 'Я-42', '26816.00');
    r.q1 = await bankReturn(l1, 'RET-Q1', '5363.20', '2025-02-21', u.db);
    r.q2 = await bankReturn(l2, 'RET-Q2', '10726.40', '2025-02-21', u.db);
    r.q3 = await bankReturn(l3, 'RET-Q3', '16089.60', '2025-02-21', u.db);
    const r41 = await bankReturn(l41, 'RET-41', '21452.80', '2025-02-21', u.db);
    const q4kaspi = await seedBankDetails(u.db, { provider_id: Q.Q4.provider_id, changed_on: '2025-02-24', bik: 'CASPKZKA' });
    const again = await order(C, 'CASPKZKA', '2025-02-25', 'provider', u.db);
    const l41b = await line({ db: u.db, order: again, ref: 'REPAY-41', kind: 'repayment', returnId: r41, mio: C, provider: Q.Q4, bankDetail: q4kaspi.id, bik: q4kaspi.bik, iban: q4kaspi.iban, serviceMonth: '2025-01', amount: '21452.80' });
    r.q41 = await bankReturn(l41b, 'RET-41b', '21452.80', '2025-02-27', u.db);
    r.q42 = await bankReturn(l42, 'RET-42', '26816.00', '2025-03-03', u.db);
    await seedBankDetails(u.db, { provider_id: Q.Q1.provider_id, changed_on: '2025-03-20', bik: 'CASPKZKA' });
    const back = await order(C, C.bik, '2025-03-31', 'to_mio', u.db);
    for (const [k, key, amount] of [['Q1', 'q1', '5363.20'], ['Q2', 'q2', '10726.40'], ['Q3', 'q3', '16089.60'], ['Q4', 'q41', '21452.80']] as const) {
      await line({ db: u.db, order: back, ref: `BACK-${key}`, kind: 'to_mio', returnId: r[key], mio: C, provider: Q[k], bik: C.bik, iban: C.iban, serviceMonth: '2025-01', amount });
    }
    await seedBankDetails(u.db, { provider_id: Q.Q2.provider_id, changed_on: '2025-03-31', bik: 'CASPKZKA' });
  });
  afterAll(async () => u?.drop());

  it('April takes the sums whose details are dated before the send-back and on its day, not the others', async () => {
    const out = await formDemand(u.db, { month: '2025-04', asOf: '2025-04-15', operator: OP });
    expect(out.summary).toMatchObject({ demands: 1, rows: 2, redemanded: 2, amount: '16089.60' }); // 5 363.20 + 10 726.40
    expect(await redemanded('2025-04')).toEqual([
      [r.q1, await rowOf('Я-Q1'), '2025-01', '5363.20'],
      [r.q2, await rowOf('Я-Q2'), '2025-01', '10726.40'],
    ]);
    expect((await formDemand(u.db, { month: '2025-04', asOf: '2025-04-15', operator: OP })).status).toBe('already-done');
  });

  it('May takes nothing: current details marked incorrect do not count, and nothing is taken twice', async () => {
    const back = await order(C, C.bik, '2025-04-30', 'to_mio', u.db);
    await line({ db: u.db, order: back, ref: 'BACK-q42', kind: 'to_mio', returnId: r.q42, mio: C, provider: Q.Q4, bik: C.bik, iban: C.iban, serviceMonth: '2025-01', amount: '26816.00' });
    const out = await formDemand(u.db, { month: '2025-05', asOf: '2025-05-15', operator: OP });
    expect(out.summary).toMatchObject({ demands: 0, rows: 0, redemanded: 0, amount: '0.00' });

    // New details dated before the May demand but recorded after it change its selection.
    await seedBankDetails(u.db, { provider_id: Q.Q3.provider_id, changed_on: '2025-05-12', bik: 'CASPKZKA' });
    const err = await formDemand(u.db, { month: '2025-05', asOf: '2025-05-15', operator: OP }).catch((e) => e);
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect(err.rule).toBe('rerun-changed-inputs');
  });

  it('June takes Q3 and both of Q4\'s sums once Q4 has correct details; July nothing', async () => {
    await seedBankDetails(u.db, { provider_id: Q.Q4.provider_id, changed_on: '2025-05-20', bik: 'HSBKKZKX' });
    const out = await formDemand(u.db, { month: '2025-06', asOf: '2025-06-16', operator: OP });
    expect(out.summary).toMatchObject({ demands: 1, rows: 3, redemanded: 3, amount: '64358.40' }); // 16 089.60 + 21 452.80 + 26 816.00
    expect(await redemanded('2025-06')).toEqual([
      [r.q3, await rowOf('Я-Q3'), '2025-01', '16089.60'],
      [r.q41, await rowOf('Я-41'), '2025-01', '21452.80'], // followed back through the returned repayment
      [r.q42, await rowOf('Я-42'), '2025-01', '26816.00'],
    ]);
    expect((await formDemand(u.db, { month: '2025-07', asOf: '2025-07-15', operator: OP })).summary).toMatchObject({ demands: 0, rows: 0 });
    expect(Number((await u.db('demand_rows').whereNotNull('return_id').count({ n: '*' }))[0].n)).toBe(5);
  });
});
