// The reconciliation act (Appendix 3, DOMAIN.md §5) through the two-month world of
// test/support/two-month-world.ts (figures in its header). Balance of gk_funds per МИО and month:
//
//              opening     received      paid          returned    sent back   closing
//   A 2025-02  0.00        149 311.49    149 311.49    84 953.09   0.00        84 953.09
//   A 2025-03  84 953.09    96 108.54    143 304.70    0.00        37 756.93   0.00
//              (paid = repayment 47 196.16 + payouts 42 476.54 + 53 632.00)
//   A 2025-04  0.00         37 756.93     37 756.93    0.00        0.00        0.00
//   B 2025-02  0.00         23 598.08     23 598.08    0.00        0.00        0.00
//   B 2025-03  0.00         28 317.70     28 317.70    0.00        0.00        0.00
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, type TestDb } from './support/db.ts';
import { importReturns } from './support/imports.ts';
import { gkFunds } from './support/ledger.ts';
import { lineOf, openTwoMonthWorld, OPERATOR, type OpenWorld, type World } from './support/two-month-world.ts';
import { BusinessRuleError } from '../pipeline/kernel/errors.ts';
import { computeReconciliationActs, reconcile } from '../pipeline/steps/reconcile/index.ts';
import { reconciliationReport } from '../reports/closing-reports.ts';
import { lastDayOfMonth } from '../pipeline/kernel/dates.ts';

let t: TestDb;
let w: World;
let close: OpenWorld['close'] | undefined;

interface ActDoc {
  mio_bin: string;
  rows: Record<string, string>[];
  total: string;
  total_words: string;
  balance: Record<string, string>;
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

describe('reconciliation act', () => {
  it('shows the frozen act of February per МИО with the total in words and the balance', async () => {
    const [a, b] = await acts('2025-02');
    expect(a).toEqual({
      mio_bin: w.A.mio_bin,
      rows: [{ line_code: '1', mio_bin: w.A.mio_bin, mio_name: w.A.name, pp_no: 'A-0218', pp_date: '2025-02-18', amount: '149311.49' }],
      total: '149311.49',
      total_words: 'Сто сорок девять тысяч триста одиннадцать тенге 49 тиын',
      balance: balance('0.00', '149311.49', '149311.49', '84953.09', '0.00', '84953.09'),
      mio_name: w.A.name,
      frozen: true,
      reconciled_on: '2025-03-20',
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

  it('computes a month not yet reconciled live, and its balance is the ledger', async () => {
    const [a, b] = await acts('2025-03');
    expect(a).toMatchObject({
      rows: [{ line_code: '1', mio_bin: w.A.mio_bin, pp_no: 'A-0318', pp_date: '2025-03-18', amount: '96108.54' }],
      total: '96108.54',
      total_words: 'Девяносто шесть тысяч сто восемь тенге 54 тиын',
      balance: balance('84953.09', '96108.54', '143304.70', '0.00', '37756.93', '0.00'),
      frozen: false,
      reconciled_on: null,
    });
    expect(b).toMatchObject({
      rows: [{ line_code: '1', pp_no: 'B-0320', pp_date: '2025-03-20', amount: '28317.70' }],
      balance: balance('0.00', '28317.70', '28317.70', '0.00', '0.00', '0.00'),
    });
    const [april] = await acts('2025-04');
    expect(april).toMatchObject({ mio_bin: w.A.mio_bin, total: '37756.93', balance: balance('0.00', '37756.93', '37756.93', '0.00', '0.00', '0.00') });
    // B holds nothing and nothing moved in April: no act.
    expect(await acts('2025-04', w.B.mio_bin)).toEqual([]);

    // Each closing is gk_funds at the end of the month, and the next month opens with it.
    for (const bin of [w.A.mio_bin, w.B.mio_bin]) {
      let previous = '0.00';
      for (const month of ['2025-02', '2025-03', '2025-04']) {
        const [act] = await computeReconciliationActs(t.db, month, bin);
        const closing = await gkFunds(t.db, bin, lastDayOfMonth(month));
        expect(act?.balance.opening ?? '0.00').toBe(previous);
        expect(act?.balance.closing ?? '0.00').toBe(closing);
        previous = closing;
      }
    }
  });

  it('is refused before the month is over', async () => {
    const err = await reconcile(t.db, { month: '2025-04', asOf: '2025-04-30', operator: OPERATOR }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect((err as BusinessRuleError).rule).toBe('reconciliation-month-open');
    expect((err as Error).message).toMatch(/не ранее 2025-05-01/);
  });

  it('freezes the act: a second run changes nothing, a dry run writes nothing', async () => {
    const live = await acts('2025-03');
    const dry = await reconcile(t.db, { month: '2025-03', asOf: '2025-04-10', operator: OPERATOR, dryRun: true });
    expect(dry.status).toBe('dry-run');
    expect(await count(t.db, 'reconciliations', { month: '2025-03' })).toBe(0);

    const run = await reconcile(t.db, { month: '2025-03', asOf: '2025-04-10', operator: OPERATOR });
    expect(run.status).toBe('done');
    expect(run.summary).toEqual({ month: '2025-03', acts: 2, transfers: 2, received: '124426.24', closing: '0.00' });
    const frozen = await acts('2025-03');
    expect(frozen.map(({ frozen: _f, reconciled_on: _r, ...rest }) => rest)).toEqual(live.map(({ frozen: _f, reconciled_on: _r, ...rest }) => rest));
    expect(frozen.map((a) => [a.frozen, a.reconciled_on])).toEqual([
      [true, '2025-04-10'],
      [true, '2025-04-10'],
    ]);
    const again = await reconcile(t.db, { month: '2025-03', asOf: '2025-04-12', operator: OPERATOR });
    expect(again.status).toBe('already-done');
  });

  it('keeps a reconciled month as signed when a late return dated in it arrives, and refuses to redo it', async () => {
    // P3's January payout (64 358.40, paid 02-19) reported returned on 02-28, only on 04-20.
    const p3 = await lineOf(t.db, w.P3.provider_id, '2025-01');
    expect((await importReturns(t.db, '2025-04-20', [{ payment_ref: p3.ref, amount: '64358.40', returned_on: '2025-02-28', reason_code: 'AC04', reason_text: '' }])).accepted).toBe(1);

    const [a] = await acts('2025-02', w.A.mio_bin);
    expect(a.balance).toEqual(balance('0.00', '149311.49', '149311.49', '84953.09', '0.00', '84953.09'));
    const [live] = await computeReconciliationActs(t.db, '2025-02', w.A.mio_bin);
    expect(live.balance).toEqual(balance('0.00', '149311.49', '149311.49', '149311.49', '0.00', '149311.49'));

    const err = await reconcile(t.db, { month: '2025-02', asOf: '2025-04-20', operator: OPERATOR }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect((err as BusinessRuleError).rule).toBe('rerun-changed-inputs');
  });
});
