// Deadlines (DOMAIN.md §9: the Algorithm in force only — no act submission, acceptance, rework
// or 10-working-day payment rules, which came from the repealed reimbursement rules) through the
// two-month world of test/support/two-month-world.ts. Hand-computed with the 2025 calendar
// (off: 03-10, 03-21, 03-24, 03-25; in May 05-01, 05-07, 05-09):
//   Demands formed Saturday 02-15 / 03-15: the request dated Monday 02-17 / 03-17 and due then,
//   funding due 2 wd after the request: 02-19 / 03-19; B funds March on 03-20 (a day late).
//   Payment due 2 wd after funding: 02-20, 03-20; B's March row funded 03-20 is due 03-27 (four
//   days off in between) and paid 03-28.
//   Returns: P1 02-21 relayed 02-24 (due 02-24), shown 02-24 (due 02-25), new details 03-03 →
//   repaid 03-04 (due 2 wd after the details: 03-05); P2 02-26 relayed 02-26 (due 02-27), sent
//   back 03-31 (due 03-31).
//   Reconciliation acts (signed here in beforeAll): period 2025-01 dated 02-25, signature due
//   02-25, copies due 10 March → 11 March (the 10th is off); period 2025-02 dated 03-20 (21, 24,
//   25 March off), signature due the 25th → Wednesday 03-26, copies due 04-10; period 2025-03
//   dated and due 04-25 (a Friday), copies due 10 May (a Saturday) → 05-12.
//     2025-01 A signed 02-25, copies 03-07; B signed 02-25, copies 03-12 (1 wd late)
//     2025-02 A signed 03-20, copies 04-08; B signed 03-27 (1 wd late), no copies
//   repayment due = 2 working days after max(new details, return):
//   P3's January sum, returned 02-28 and sent back 04-28, with new details dated 04-28 (the
//   send-back day): due 04-30, owed through the May demand (05-15), funded 05-16, paid 05-19 —
//   met 10 working days late (05-02, 05-05, 05-06, 05-08, 05-12…05-16, 05-19).
//   P1 moves to Halyk (details dated 05-05) before the bank returns its February payout on
//   05-06: due 05-12 (05-07 and 05-09 off), repaid by pay 05-08 — met.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDb } from './support/db.ts';
import { fund, importReturns } from './support/imports.ts';
import { HALYK, lineOf, openTwoMonthWorld, OPERATOR, type OpenWorld, type World } from './support/two-month-world.ts';
import { seedBankDetails } from './support/world.ts';
import { formDemand } from '../pipeline/steps/form-demand/index.ts';
import { payApproved as pay } from './support/approve.ts';
import { BusinessRuleError } from '../pipeline/kernel/errors.ts';
import { checkDeadlines } from '../pipeline/steps/check-deadlines/index.ts';
import { computeDeadlines, judgeDeadline, deadlineWindowStart, type DeadlineItem } from '../pipeline/steps/check-deadlines/deadlines.ts';
import { loadCalendar } from '../pipeline/kernel/reference.ts';
import { refundUnsent } from '../pipeline/steps/refund-unsent/index.ts';
import { signAct } from '../pipeline/steps/reconcile/sign.ts';
import { deadlinesReport } from '../reports/closing-reports.ts';

let t: TestDb;
let w: World;
let close: OpenWorld['close'] | undefined;

type Row = [rule: string, object: string, due: string, status: string, daysLate: number];
const rows = (items: DeadlineItem[]): Row[] =>
  items.map((i) => [i.rule, i.object, i.due, i.status, i.days_late] as Row).sort((a, b) => (a[0] + a[1] < b[0] + b[1] ? -1 : 1));

const sign = (month: string, mioBin: string, on: string, kind: 'signedOn' | 'copiesReceivedOn') =>
  signAct(t.db, { month, mioBin, [kind]: on, asOf: on, operator: OPERATOR });

beforeAll(async () => {
  ({ t, w, close } = await openTwoMonthWorld('2025-04-30'));
  await sign('2025-01', w.A.mio_bin, '2025-02-25', 'signedOn');
  await sign('2025-01', w.B.mio_bin, '2025-02-25', 'signedOn');
  await sign('2025-01', w.A.mio_bin, '2025-03-07', 'copiesReceivedOn');
  await sign('2025-01', w.B.mio_bin, '2025-03-12', 'copiesReceivedOn');
  await sign('2025-02', w.A.mio_bin, '2025-03-20', 'signedOn');
  await sign('2025-02', w.B.mio_bin, '2025-03-27', 'signedOn');
  await sign('2025-02', w.A.mio_bin, '2025-04-08', 'copiesReceivedOn');
});
afterAll(() => close?.());

describe('judgeDeadline', () => {
  it('tells met, met late, open and breached, counting working days late', async () => {
    const cal = await loadCalendar(t.db);
    expect(judgeDeadline(cal, '2025-03-20', '2025-04-01', { done: '2025-03-20' })).toEqual({ status: 'met', days_late: 0 });
    // 03-21, 03-24 and 03-25 are off: Wednesday 03-26 is one working day late.
    expect(judgeDeadline(cal, '2025-03-20', '2025-04-01', { done: '2025-03-26' })).toEqual({ status: 'met_late', days_late: 1 });
    expect(judgeDeadline(cal, '2025-03-20', '2025-03-20', null)).toEqual({ status: 'open', days_late: 0 });
    expect(judgeDeadline(cal, '2025-03-20', '2025-03-27', null)).toEqual({ status: 'breached', days_late: 2 });
    expect(judgeDeadline(cal, '2025-03-20', '2025-04-30', { closedUndone: '2025-03-27' })).toEqual({ status: 'breached', days_late: 2 });
  });

  it('lists closed items from the first day of the previous month', () => {
    expect(deadlineWindowStart('2025-03-31')).toBe('2025-02-01');
    expect(deadlineWindowStart('2025-01-15')).toBe('2024-12-01');
  });
});

describe('deadlines of the two months', () => {
  it('lists every deadline of the Algorithm as of 03-31 with its status, and none of the repealed rules', async () => {
    const A = w.A.mio_bin;
    const B = w.B.mio_bin;
    const act = (p: { provider_id: string }, no: string) => `act:${p.provider_id}/${no}`;
    const p1 = await lineOf(t.db, w.P1.provider_id, '2025-01');
    const p2 = await lineOf(t.db, w.P2.provider_id, '2025-01');
    const expected: Row[] = [];
    for (const [p, no] of [[w.P1, 'АВР-01-P1'], [w.P2, 'АВР-01-P2'], [w.P3, 'АВР-01-P3']] as const) {
      expected.push(['payment', `demand:2025-02:${A}:${act(p, no)}`, '2025-02-20', 'met', 0]);
    }
    expected.push(['payment', `demand:2025-02:${B}:${act(w.P4, 'АВР-01-P4')}`, '2025-02-20', 'met', 0]);
    for (const [p, no, mio] of [[w.P1, 'АВР-02-P1', A], [w.P3, 'АВР-02-P3', A], [w.P4, 'АВР-02-P4', B]] as const) {
      const late = p === w.P4;
      expected.push(['payment', `demand:2025-03:${mio}:${act(p, no)}`, late ? '2025-03-27' : '2025-03-20', late ? 'met_late' : 'met', late ? 1 : 0]);
    }
    for (const [month, mio, requestDue, fundingDue] of [
      ['2025-02', A, '2025-02-17', '2025-02-19'],
      ['2025-02', B, '2025-02-17', '2025-02-19'],
      ['2025-03', A, '2025-03-17', '2025-03-19'],
      ['2025-03', B, '2025-03-17', '2025-03-19'],
    ]) {
      const late = month === '2025-03' && mio === B;
      expected.push(['demand-request', `demand:${month}:${mio}`, requestDue, 'met', 0]);
      expected.push(['funding', `demand:${month}:${mio}`, fundingDue, late ? 'met_late' : 'met', late ? 1 : 0]);
    }
    expected.push(['return-relayed', `return:${p1.ref}`, '2025-02-24', 'met', 0]);
    expected.push(['return-shown', `return:${p1.ref}`, '2025-02-25', 'met', 0]);
    expected.push(['repayment', `return:${p1.ref}`, '2025-03-05', 'met', 0]);
    expected.push(['return-relayed', `return:${p2.ref}`, '2025-02-27', 'met', 0]);
    expected.push(['return-shown', `return:${p2.ref}`, '2025-02-27', 'met', 0]);
    expected.push(['sent-back', `return:${p2.ref}`, '2025-03-31', 'met', 0]);
    expected.push(['reconciliation-signed', `reconciliation:2025-01:${A}`, '2025-02-25', 'met', 0]);
    expected.push(['reconciliation-signed', `reconciliation:2025-01:${B}`, '2025-02-25', 'met', 0]);
    expected.push(['reconciliation-copies', `reconciliation:2025-01:${A}`, '2025-03-11', 'met', 0]);
    expected.push(['reconciliation-copies', `reconciliation:2025-01:${B}`, '2025-03-11', 'met_late', 1]);
    expected.push(['reconciliation-signed', `reconciliation:2025-02:${A}`, '2025-03-26', 'met', 0]);
    expected.push(['reconciliation-signed', `reconciliation:2025-02:${B}`, '2025-03-26', 'met_late', 1]);
    // A's copies of 04-08 are after the date: open, like B's.
    expected.push(['reconciliation-copies', `reconciliation:2025-02:${A}`, '2025-04-10', 'open', 0]);
    expected.push(['reconciliation-copies', `reconciliation:2025-02:${B}`, '2025-04-10', 'open', 0]);

    const items = await computeDeadlines(t.db, '2025-03-31');
    expect(rows(items)).toEqual(rows(expected.map(([rule, object, due, status, days_late]) => ({ rule, object, due, status, days_late }) as DeadlineItem)));
    expect(items).toHaveLength(29);
    expect(items.filter((i) => /^act:/.test(i.object) || /act-|10wd/.test(i.rule))).toEqual([]);
    // Ordered by due date.
    expect(items.map((i) => i.due)).toEqual([...items.map((i) => i.due)].sort());
  });

  it('shows what is still open on an earlier date, counting only what had happened by then', async () => {
    const p2 = await lineOf(t.db, w.P2.provider_id, '2025-01');
    const items = await computeDeadlines(t.db, '2025-03-26');
    const open = rows(items.filter((i) => i.status === 'open'));
    expect(open).toEqual(
      rows([
        { rule: 'payment', object: `demand:2025-03:${w.B.mio_bin}:act:${w.P4.provider_id}/АВР-02-P4`, due: '2025-03-27', status: 'open', days_late: 0 },
        { rule: 'sent-back', object: `return:${p2.ref}`, due: '2025-03-31', status: 'open', days_late: 0 },
        { rule: 'reconciliation-signed', object: `reconciliation:2025-02:${w.B.mio_bin}`, due: '2025-03-26', status: 'open', days_late: 0 },
        { rule: 'reconciliation-copies', object: `reconciliation:2025-02:${w.A.mio_bin}`, due: '2025-04-10', status: 'open', days_late: 0 },
        { rule: 'reconciliation-copies', object: `reconciliation:2025-02:${w.B.mio_bin}`, due: '2025-04-10', status: 'open', days_late: 0 },
      ]),
    );
    expect(items.filter((i) => i.status === 'breached')).toEqual([]);
  });

  it('reports a late return, an unsent sum, unsigned acts and missing copies as breached, then the check stores its items', async () => {
    // P3's January payout reported returned on 02-28 only on Monday 04-21.
    const p3 = await lineOf(t.db, w.P3.provider_id, '2025-01');
    expect((await importReturns(t.db, '2025-04-21', [{ payment_ref: p3.ref, amount: '64358.40', returned_on: '2025-02-28', reason_code: 'AC04', reason_text: '' }])).accepted).toBe(1);

    const items = await computeDeadlines(t.db, '2025-04-28');
    const of = (rule: string, object: string) => items.find((i) => i.rule === rule && i.object === object);
    // Relayed 31 working days late: 16 in March after the 3rd, 15 in April up to the 21st.
    expect(of('return-relayed', `return:${p3.ref}`)).toEqual({ rule: 'return-relayed', object: `return:${p3.ref}`, due: '2025-03-03', status: 'met_late', days_late: 31 });
    expect(of('return-shown', `return:${p3.ref}`)).toMatchObject({ due: '2025-04-22', status: 'met' });
    expect(of('sent-back', `return:${p3.ref}`)).toMatchObject({ due: '2025-03-31', status: 'breached', days_late: 20 });
    // The acts of 2025-03, dated 04-25, not signed: one working day late on Monday 04-28.
    expect(of('reconciliation-signed', `reconciliation:2025-03:${w.A.mio_bin}`)).toMatchObject({ due: '2025-04-25', status: 'breached', days_late: 1 });
    expect(of('reconciliation-signed', `reconciliation:2025-03:${w.B.mio_bin}`)).toMatchObject({ due: '2025-04-25', status: 'breached', days_late: 1 });
    expect(of('reconciliation-copies', `reconciliation:2025-03:${w.A.mio_bin}`)).toMatchObject({ due: '2025-05-12', status: 'open' });
    // B's copies of 2025-02, due 04-10: 04-11, 04-14…18, 04-21…25, 04-28 = 12 working days.
    expect(of('reconciliation-copies', `reconciliation:2025-02:${w.B.mio_bin}`)).toMatchObject({ due: '2025-04-10', status: 'breached', days_late: 12 });
    expect(of('reconciliation-copies', `reconciliation:2025-02:${w.A.mio_bin}`)).toMatchObject({ status: 'met' });
    // Closed before March: out of the list.
    expect(of('reconciliation-signed', `reconciliation:2025-01:${w.A.mio_bin}`)).toBeUndefined();
    expect(of('reconciliation-signed', `reconciliation:2025-02:${w.A.mio_bin}`)).toMatchObject({ status: 'met' });

    // The sum goes back the same day: the item is met, 20 working days late.
    expect((await refundUnsent(t.db, { asOf: '2025-04-28', operator: OPERATOR, outDir: w.out })).summary).toMatchObject({ returns: 1, amount: '64358.40' });
    const check = await checkDeadlines(t.db, { asOf: '2025-04-28', operator: OPERATOR });
    expect(check.status).toBe('done');
    expect(check.summary).toMatchObject({ breached: 3, breached_by_rule: { 'reconciliation-signed': 2, 'reconciliation-copies': 1 } });
    const stored = await t.db('deadline_checks').where({ as_of: '2025-04-28', rule: 'sent-back', object: `return:${p3.ref}` }).first();
    expect(stored).toMatchObject({ due: '2025-03-31', status: 'met_late', days_late: 20 });

    const report = await deadlinesReport(t.db, { asOf: '2025-04-28' });
    expect(report).toMatchObject({ form: 'deadlines', as_of: '2025-04-28', checked: true });
    expect(rows(report.items as DeadlineItem[])).toEqual(rows(await computeDeadlines(t.db, '2025-04-28')));

    expect((await checkDeadlines(t.db, { asOf: '2025-04-28', operator: OPERATOR })).status).toBe('already-done');
  });

  it('refuses to redo a check whose items changed, and computes live where no check ran', async () => {
    const { reconcile } = await import('../pipeline/steps/reconcile/index.ts');
    expect((await reconcile(t.db, { month: '2025-03', asOf: '2025-04-28', operator: OPERATOR })).status).toBe('done');
    // Building the act is not signing it: the check of 04-28 sees the same items.
    expect((await checkDeadlines(t.db, { asOf: '2025-04-28', operator: OPERATOR })).status).toBe('already-done');
    await sign('2025-03', w.A.mio_bin, '2025-04-28', 'signedOn');
    const err = await checkDeadlines(t.db, { asOf: '2025-04-28', operator: OPERATOR }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect((err as BusinessRuleError).rule).toBe('rerun-changed-inputs');

    const live = await deadlinesReport(t.db, { asOf: '2025-04-29' });
    expect(live.checked).toBe(false);
    expect((live.items as DeadlineItem[]).filter((i) => i.rule === 'reconciliation-signed' && i.object.startsWith('reconciliation:2025-03'))).toEqual([
      { rule: 'reconciliation-signed', object: `reconciliation:2025-03:${w.A.mio_bin}`, due: '2025-04-25', status: 'met_late', days_late: 1 },
      { rule: 'reconciliation-signed', object: `reconciliation:2025-03:${w.B.mio_bin}`, due: '2025-04-25', status: 'breached', days_late: 2 },
    ]);
  });
});

describe('repayment (2 working days) with new details dated before the return or on the send-back day', () => {
  const item = async (asOf: string, ref: string) =>
    (await computeDeadlines(t.db, asOf)).find((i) => i.rule === 'repayment' && i.object === `return:${ref}`);

  it('a fix dated on the send-back day is listed, breached until the sum demanded again is paid, then met late', async () => {
    const p3 = await lineOf(t.db, w.P3.provider_id, '2025-01');
    await seedBankDetails(t.db, { provider_id: w.P3.provider_id, changed_on: '2025-04-28', bik: HALYK.bik });
    expect(await item('2025-04-29', p3.ref)).toEqual({ rule: 'repayment', object: `return:${p3.ref}`, due: '2025-04-30', status: 'open', days_late: 0 });
    // 05-02, 05-05 (05-01 off).
    expect(await item('2025-05-05', p3.ref)).toMatchObject({ due: '2025-04-30', status: 'breached', days_late: 2 });
  });

  it('details changed before the return: due 2 working days after the return, met by pay', async () => {
    const feb = await lineOf(t.db, w.P1.provider_id, '2025-02');
    await seedBankDetails(t.db, { provider_id: w.P1.provider_id, changed_on: '2025-05-05', bik: HALYK.bik });
    expect((await importReturns(t.db, '2025-05-06', [{ payment_ref: feb.ref, amount: '42476.54', returned_on: '2025-05-06', reason_code: 'AC04', reason_text: 'Счёт закрыт' }])).accepted).toBe(1);
    expect(await item('2025-05-06', feb.ref)).toEqual({ rule: 'repayment', object: `return:${feb.ref}`, due: '2025-05-12', status: 'open', days_late: 0 });
    const paid = await pay(t.db, { asOf: '2025-05-08', operator: OPERATOR, outDir: w.out });
    expect(paid.summary).toMatchObject({ repayments: { count: 1, amount: '42476.54' }, payouts: { count: 0 } });
    expect(await item('2025-05-08', feb.ref)).toMatchObject({ due: '2025-05-12', status: 'met', days_late: 0 });
  });

  it('the sum sent back is demanded again in May and paid 05-19: met 10 working days late', async () => {
    const p3 = await lineOf(t.db, w.P3.provider_id, '2025-01');
    expect((await formDemand(t.db, { month: '2025-05', asOf: '2025-05-15', operator: OPERATOR })).summary).toMatchObject({ demands: 1, rows: 1, redemanded: 1, amount: '64358.40' });
    await fund(t.db, '2025-05-16', [{ mio_bin: w.A.mio_bin, pp_no: 'A-0516', pp_date: '2025-05-16', amount: '64358.40' }]);
    expect((await pay(t.db, { asOf: '2025-05-19', operator: OPERATOR, outDir: w.out })).summary).toMatchObject({ payouts: { count: 1, amount: '64358.40' } });
    expect(await item('2025-05-19', p3.ref)).toMatchObject({ due: '2025-04-30', status: 'met_late', days_late: 10 });
    const items = await computeDeadlines(t.db, '2025-05-19');
    expect(items.find((i) => i.rule === 'payment' && i.object.endsWith(`:return:${p3.ref}`))).toMatchObject({ due: '2025-05-20', status: 'met' });
    // P2's fix (04-02) came after its send-back (03-31): watched by the demand rules, no repayment item.
    const p2 = await lineOf(t.db, w.P2.provider_id, '2025-01');
    const april = await computeDeadlines(t.db, '2025-04-30');
    expect(april.find((i) => i.rule === 'sent-back' && i.object === `return:${p2.ref}`)).toMatchObject({ status: 'met' });
    expect(april.find((i) => i.rule === 'repayment' && i.object === `return:${p2.ref}`)).toBeUndefined();
  });
});
