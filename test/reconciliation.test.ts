// The reconciliation act (Appendix 3, DOMAIN.md §5) through the two-month world of
// test/support/two-month-world.ts (figures in its header). The act of reporting period M is
// dated the 25th of M+1 (or the last working day before it) and counts the window
// (25th of M, 25th of M+1]; its opening is the previous act's closing (DOMAIN.md §5, the chain).
// Balance of gk_funds per МИО and act, hand-checked:
//
//   act (window)              opening     received     paid         returned    sent back   closing
//   A 2025-01 (01-25, 02-25]  0.00        149 311.49   149 311.49   47 196.16   0.00        47 196.16
//             (returned: P1's payout, returned 02-21; P2's of 02-26 falls in the next window)
//   A 2025-02 (02-25, 03-25]  47 196.16    96 108.54   143 304.70   37 756.93   0.00        37 756.93
//             (paid = repayment 47 196.16 on 03-04 + payouts 42 476.54 + 53 632.00 on 03-19)
//   A 2025-03 (03-25, 04-25]  37 756.93    37 756.93    37 756.93   0.00        37 756.93   0.00
//   B 2025-01                 0.00         23 598.08    23 598.08   0.00        0.00        0.00
//   B 2025-02                 0.00         28 317.70    0.00        0.00        0.00        28 317.70
//             (B's money of 03-20 was paid on 03-28, after the window: in the act of 2025-03;
//             the act of 2025-02 is dated 03-20, 21 and 24–25 March 2025 being holidays)
//   B 2025-03                 28 317.70    0.00         28 317.70   0.00        0.00        0.00
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, type TestDb } from './support/db.ts';
import { importReturns } from './support/imports.ts';
import { gkFunds } from './support/ledger.ts';
import { lineOf, openTwoMonthWorld, OPERATOR, type OpenWorld, type World } from './support/two-month-world.ts';
import { BusinessRuleError } from '../pipeline/kernel/errors.ts';
import { computeReconciliationActs, reconcile } from '../pipeline/steps/reconcile/index.ts';
import { reconciliationReport } from '../reports/closing-reports.ts';

let t: TestDb;
let w: World;
let close: OpenWorld['close'] | undefined;

interface ActDoc {
  mio_bin: string;
  act_date: string;
  window: { after: string; through: string };
  rows: Record<string, string>[];
  total: string;
  total_words: string;
  balance: Record<string, string>;
  late: { kind: string; ref: string; dated: string; amount: string }[];
  signed_on: string | null;
  copies_received_on: string | null;
  mio_name: string;
  frozen: boolean;
  reconciled_on: string | null;
}

async function acts(month: string, mio?: string): Promise<ActDoc[]> {
  const doc = await reconciliationReport(t.db, { month, mio, asOf: '2025-04-30' });
  expect(doc).toMatchObject({ form: 'reconciliation', month });
  return doc.acts as ActDoc[];
}

const balance = (opening: string, received: string, paid: string, returned: string, sent_back: string, closing: string) => ({
  opening,
  received,
  paid,
  returned,
  sent_back,
  closing,
});

beforeAll(async () => {
  ({ t, w, close } = await openTwoMonthWorld('2025-04-30'));
});
afterAll(() => close?.());

describe('reconciliation act by reporting period', () => {
  it('shows the frozen act of January\'s services: dated 02-25, the window (01-25, 02-25], the total in words and the balance', async () => {
    const [a, b] = await acts('2025-01');
    expect(a).toEqual({
      mio_bin: w.A.mio_bin,
      act_date: '2025-02-25',
      window: { after: '2025-01-25', through: '2025-02-25' },
      rows: [{ line_code: '1', mio_bin: w.A.mio_bin, mio_name: w.A.name, pp_no: 'A-0218', pp_date: '2025-02-18', amount: '149311.49' }],
      total: '149311.49',
      total_words: 'Сто сорок девять тысяч триста одиннадцать тенге 49 тиын',
      balance: balance('0.00', '149311.49', '149311.49', '47196.16', '0.00', '47196.16'),
      late: [],
      signed_on: null,
      copies_received_on: null,
      mio_name: w.A.name,
      frozen: true,
      reconciled_on: '2025-02-25',
    });
    expect(b).toMatchObject({
      mio_bin: w.B.mio_bin,
      total: '23598.08',
      total_words: 'Двадцать три тысячи пятьсот девяносто восемь тенге 08 тиын',
      balance: balance('0.00', '23598.08', '23598.08', '0.00', '0.00', '0.00'),
      frozen: true,
    });
    expect(w.A.mio_bin < w.B.mio_bin).toBe(true);
  });

  it('the act of February\'s services lists the transfers of (02-25, 03-25] and opens with January\'s closing', async () => {
    const [a, b] = await acts('2025-02');
    // Dated 03-20: 21, 24 and 25 March 2025 are holidays, so the last working day before the 25th.
    expect(a).toMatchObject({
      act_date: '2025-03-20',
      window: { after: '2025-02-25', through: '2025-03-25' },
      rows: [{ line_code: '1', mio_bin: w.A.mio_bin, pp_no: 'A-0318', pp_date: '2025-03-18', amount: '96108.54' }],
      total: '96108.54',
      total_words: 'Девяносто шесть тысяч сто восемь тенге 54 тиын',
      balance: balance('47196.16', '96108.54', '143304.70', '37756.93', '0.00', '37756.93'),
      late: [],
      frozen: true,
      reconciled_on: '2025-03-20',
    });
    expect(b).toMatchObject({
      rows: [{ line_code: '1', pp_no: 'B-0320', pp_date: '2025-03-20', amount: '28317.70' }],
      balance: balance('0.00', '28317.70', '0.00', '0.00', '0.00', '28317.70'),
    });
  });

  it('computes a period not yet reconciled live (dated 04-25, a Friday), and every closing is gk_funds at the window\'s end', async () => {
    const [a, b] = await acts('2025-03');
    expect(a).toMatchObject({
      act_date: '2025-04-25',
      window: { after: '2025-03-25', through: '2025-04-25' },
      rows: [{ pp_no: 'A-0416', pp_date: '2025-04-16', amount: '37756.93' }],
      balance: balance('37756.93', '37756.93', '37756.93', '0.00', '37756.93', '0.00'),
      frozen: false,
      reconciled_on: null,
    });
    expect(b).toMatchObject({ rows: [], total: '0.00', balance: balance('28317.70', '0.00', '28317.70', '0.00', '0.00', '0.00') });
    // Nothing at ГК and nothing moving after 04-25: no act of 2025-04.
    expect(await acts('2025-04')).toEqual([]);

    for (const bin of [w.A.mio_bin, w.B.mio_bin]) {
      let previous = '0.00';
      for (const month of ['2025-01', '2025-02', '2025-03']) {
        const [act] = await computeReconciliationActs(t.db, month, bin);
        expect(act.balance.opening).toBe(previous);
        expect(act.balance.closing).toBe(await gkFunds(t.db, bin, act.window.through));
        previous = act.balance.closing;
      }
    }
  });

  it('is refused before the act\'s date', async () => {
    const err = await reconcile(t.db, { month: '2025-03', asOf: '2025-04-24', operator: OPERATOR }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect((err as BusinessRuleError).rule).toBe('reconciliation-window-open');
    expect((err as Error).message).toMatch(/нельзя составить раньше 2025-04-25/);
  });

  it('a late return dated in a closed window goes to the next act, listed under late; the built act never changes; the chain holds', async () => {
    // P3's January payout (64 358.40, paid 02-19) reported returned on 02-28 — inside the act of
    // 2025-02, built on 03-20 — only on 04-20.
    const p3 = await lineOf(t.db, w.P3.provider_id, '2025-01');
    expect((await importReturns(t.db, '2025-04-20', [{ payment_ref: p3.ref, amount: '64358.40', returned_on: '2025-02-28', reason_code: 'AC04', reason_text: '' }])).accepted).toBe(1);

    const [feb] = await acts('2025-02', w.A.mio_bin);
    expect(feb.balance).toEqual(balance('47196.16', '96108.54', '143304.70', '37756.93', '0.00', '37756.93'));
    const again = await reconcile(t.db, { month: '2025-02', asOf: '2025-04-20', operator: OPERATOR });
    expect(again.status).toBe('already-done');

    // The act of 2025-03 opens with February's closing and counts the late return.
    const [mar] = await acts('2025-03', w.A.mio_bin);
    expect(mar.balance).toEqual(balance('37756.93', '37756.93', '37756.93', '64358.40', '37756.93', '64358.40'));
    expect(mar.late).toEqual([{ kind: 'return', ref: p3.ref, dated: '2025-02-28', amount: '64358.40' }]);
    expect(mar.balance.opening).toBe(feb.balance.closing);
  });

  it('freezes the act on its date: a dry run writes nothing, a second run changes nothing, an earlier period after a later one is refused', async () => {
    const live = await acts('2025-03');
    const dry = await reconcile(t.db, { month: '2025-03', asOf: '2025-04-25', operator: OPERATOR, dryRun: true });
    expect(dry.status).toBe('dry-run');
    expect(await count(t.db, 'reconciliations', { month: '2025-03' })).toBe(0);
    expect(await count(t.db, 'reconciliation_closings', { month: '2025-03' })).toBe(0);

    const run = await reconcile(t.db, { month: '2025-03', asOf: '2025-04-25', operator: OPERATOR });
    expect(run.status).toBe('done');
    expect(run.summary).toEqual({ month: '2025-03', act_date: '2025-04-25', acts: 2, transfers: 1, received: '37756.93', late: 1, closing: '64358.40' });
    const frozen = await acts('2025-03');
    expect(frozen.map(({ frozen: _f, reconciled_on: _r, ...rest }) => rest)).toEqual(live.map(({ frozen: _f, reconciled_on: _r, ...rest }) => rest));
    expect((await reconcile(t.db, { month: '2025-03', asOf: '2025-04-28', operator: OPERATOR })).status).toBe('already-done');

    // A fresh database would build 2025-01 first; here 2025-01 is built, so ask for 2024-12.
    const err = await reconcile(t.db, { month: '2024-12', asOf: '2025-04-28', operator: OPERATOR }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect((err as BusinessRuleError).rule).toBe('reconciliation-in-month-order');
  });
});
