// Bank fees (Appendix 4, DOMAIN.md §5) through the two-month world of
// test/support/two-month-world.ts. Tariffs: Halyk 50.00 per payment + 0.1 %, min 80.00, max 1 000.00;
// Kaspi 0.5 %, min 200.00, max 500.00. Hand-computed:
//   2025-02 A Halyk  transferred 2 / 84 953.09 (P1, P2), both returned → paid 0 → fee 0.00
//           A Kaspi  1 / 64 358.40 paid → 0.5 % = 321.792 → 321.79
//           B Halyk  1 / 23 598.08 paid → 50 + 23.59808 = 73.59808 → raised to the minimum 80.00
//   2025-03 A Kaspi  3 lines / 143 304.70 (repayment 47 196.16, payouts 42 476.54, 53 632.00) → 716.5235 → cut to 500.00;
//                    2 recipients: P1's repayment and payout went to the same new Kaspi account
//           (the to_mio line of 03-31 is not a bank's service)
//           B Halyk  1 / 28 317.70 → 78.3177 → 80.00
//   2025-04 A Halyk  1 / 37 756.93 → 50 + 37.75693 = 87.75693 → 87.76
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, type TestDb } from './support/db.ts';
import { importReturns } from './support/imports.ts';
import { HALYK, KASPI, lineOf, openTwoMonthWorld, OPERATOR, type OpenWorld, type World } from './support/two-month-world.ts';
import { BusinessRuleError } from '../pipeline/kernel/errors.ts';
import { bankFee, computeBankFees, type Tariff } from '../pipeline/steps/bank-fees/index.ts';
import { formatAmount, money } from '../pipeline/kernel/money.ts';
import { bankFeesReport } from '../reports/closing-reports.ts';

let t: TestDb;
let w: World;

const tariff = (t: Partial<Tariff>): Tariff => ({ fee_per_payment: null, fee_percent: null, fee_min: null, fee_max: null, ...t });
/** A part of a row: `count` distinct recipients (provider and account), `lines` payment lines (INTERFACE `bank-fees`). */
const ca = (count: number, amount: string, lines = count) => ({ count, lines, amount });

describe('bankFee', () => {
  it('adds the per-payment fee and the percent, raises to the minimum, cuts to the maximum, half-up to the tiyn', () => {
    const halyk = tariff(HALYK);
    expect(formatAmount(bankFee(halyk, 3, '100000.00'))).toBe('250.00'); // 150 + 100
    expect(formatAmount(bankFee(halyk, 1, '23598.08'))).toBe('80.00'); // 73.59808 → min
    expect(formatAmount(bankFee(halyk, 1, '37756.93'))).toBe('87.76'); // 87.75693
    expect(formatAmount(bankFee(halyk, 10, '1000000.00'))).toBe('1000.00'); // 1 500 → max
    expect(formatAmount(bankFee(tariff({ fee_percent: '0.5' }), 1, '1.01'))).toBe('0.01'); // 0.00505 → 0.01
    expect(formatAmount(bankFee(tariff({ fee_percent: '0.5' }), 1, '0.99'))).toBe('0.00'); // 0.00495 → 0.00
    expect(formatAmount(bankFee(tariff({ fee_per_payment: '35.00' }), 4, '999.99'))).toBe('140.00');
    expect(formatAmount(bankFee(tariff({}), 5, '1000.00'))).toBe('0.00');
    // Nothing paid, no fee — not even the minimum.
    expect(formatAmount(bankFee(halyk, 0, '0'))).toBe('0.00');
  });

  it('stays within [min, max] and grows with what was paid (property)', () => {
    const amount = fc.bigInt({ min: 1n, max: 10_000_000_000n }).map((n) => formatAmount(money(n.toString()).div(100)));
    const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
    fc.assert(
      fc.property(
        opt(fc.integer({ min: 0, max: 50_000 }).map((n) => formatAmount(money(String(n)).div(100)))),
        opt(fc.integer({ min: 0, max: 20_000 }).map((n) => money(String(n)).div(10_000).toFixed(4))),
        opt(fc.integer({ min: 0, max: 100_000 })),
        opt(fc.integer({ min: 0, max: 100_000 })),
        fc.integer({ min: 1, max: 500 }),
        amount,
        amount,
        (perPayment, percent, lo, hi, count, a, b) => {
          const [min, max] = lo !== null && hi !== null && lo > hi ? [hi, lo] : [lo, hi];
          const tf = tariff({
            fee_per_payment: perPayment,
            fee_percent: percent,
            fee_min: min === null ? null : formatAmount(money(String(min))),
            fee_max: max === null ? null : formatAmount(money(String(max))),
          });
          const fa = bankFee(tf, count, a);
          expect(fa.eq(fa.round(2))).toBe(true);
          if (tf.fee_min !== null) expect(fa.gte(tf.fee_min)).toBe(true);
          if (tf.fee_max !== null) expect(fa.lte(tf.fee_max)).toBe(true);
          const [small, large] = money(a).lte(money(b)) ? [a, b] : [b, a];
          expect(bankFee(tf, count, small).lte(bankFee(tf, count, large))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('bank-fees over the two months', () => {
  let close: OpenWorld['close'] | undefined;
  beforeAll(async () => {
    ({ t, w, close } = await openTwoMonthWorld('2025-04-30'));
  });
  afterAll(() => close?.());

  const halykRow = { bik: HALYK.bik, name: HALYK.name };
  const kaspiRow = { bik: KASPI.bik, name: KASPI.name };

  it('computes Appendix 4 of February live: returns counted, paid = transferred − returned, the fee per tariff', async () => {
    const doc = await bankFeesReport(t.db, { month: '2025-02', asOf: '2025-03-05' });
    expect(doc).toMatchObject({ form: 'bank-fees', month: '2025-02' });
    expect(doc.mios).toMatchObject([
      {
        mio_bin: w.A.mio_bin,
        rows: [
          { ...kaspiRow, transferred: ca(1, '64358.40'), returned: ca(0, '0.00'), paid: ca(1, '64358.40'), fee: '321.79' },
          { ...halykRow, transferred: ca(2, '84953.09'), returned: ca(2, '84953.09'), paid: ca(0, '0.00'), fee: '0.00' },
        ].sort((x, y) => (x.bik < y.bik ? -1 : 1)),
        total: { transferred: ca(3, '149311.49'), returned: ca(2, '84953.09'), paid: ca(1, '64358.40'), fee: '321.79' },
        frozen: false,
        as_of: '2025-03-05',
      },
      {
        mio_bin: w.B.mio_bin,
        rows: [{ ...halykRow, transferred: ca(1, '23598.08'), returned: ca(0, '0.00'), paid: ca(1, '23598.08'), fee: '80.00' }],
        total: { transferred: ca(1, '23598.08'), returned: ca(0, '0.00'), paid: ca(1, '23598.08'), fee: '80.00' },
      },
    ]);
    // As of a day before P2's return, only P1's had come back.
    const earlier = await bankFeesReport(t.db, { month: '2025-02', asOf: '2025-02-25', mio: w.A.mio_bin });
    const halyk = (earlier.mios as { rows: { bik: string; returned: unknown; paid: unknown }[] }[])[0].rows.find((r) => r.bik === HALYK.bik);
    expect(halyk).toMatchObject({ returned: ca(1, '47196.16'), paid: ca(1, '37756.93') });
  });

  it('counts repayments, leaves out sums sent back to the МИО, and applies the maximum', async () => {
    const doc = await bankFeesReport(t.db, { month: '2025-03', asOf: '2025-04-30' });
    expect(doc.mios).toMatchObject([
      // P1 (repaid 03-04, paid for February 03-19) and P3 at Kaspi: three lines, two recipients
      // (INTERFACE `count` is distinct recipients, `lines` payment lines; DOMAIN §5).
      {
        mio_bin: w.A.mio_bin,
        rows: [
          {
            ...kaspiRow,
            transferred: { count: 2, lines: 3, amount: '143304.70' },
            returned: ca(0, '0.00'),
            paid: { count: 2, lines: 3, amount: '143304.70' },
            fee: '500.00',
          },
        ],
        total: { transferred: { count: 2, lines: 3, amount: '143304.70' }, paid: { count: 2, lines: 3, amount: '143304.70' } },
      },
      { mio_bin: w.B.mio_bin, rows: [{ ...halykRow, transferred: ca(1, '28317.70'), paid: ca(1, '28317.70'), fee: '80.00' }] },
    ]);
    const april = await bankFeesReport(t.db, { month: '2025-04', asOf: '2025-04-30' });
    expect(april.mios).toMatchObject([{ mio_bin: w.A.mio_bin, rows: [{ ...halykRow, paid: ca(1, '37756.93'), fee: '87.76' }], total: { fee: '87.76' } }]);
  });

  it('charges the per-payment fee on lines, not recipients', async () => {
    // Kaspi with 10.00 per payment and no maximum: 3 lines × 10.00 + 143 304.70 × 0.5 % (716.5235) = 746.5235 → 746.52
    // (on the 2 recipients it would be 736.52).
    await t.db('banks').where({ bik: KASPI.bik }).update({ fee_per_payment: '10.00', fee_max: null });
    try {
      const doc = await bankFeesReport(t.db, { month: '2025-03', asOf: '2025-04-30', mio: w.A.mio_bin });
      expect(doc.mios[0].rows[0]).toMatchObject({ bik: KASPI.bik, paid: ca(2, '143304.70', 3), fee: '746.52' });
      expect(doc.mios[0].total).toMatchObject({ transferred: ca(2, '143304.70', 3), paid: ca(2, '143304.70', 3), fee: '746.52' });
    } finally {
      await t.db('banks').where({ bik: KASPI.bik }).update({ fee_per_payment: KASPI.fee_per_payment, fee_max: KASPI.fee_max });
    }
  });

  it('is refused before the month is over', async () => {
    const err = await computeBankFees(t.db, { month: '2025-04', asOf: '2025-04-30', operator: OPERATOR }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect((err as BusinessRuleError).rule).toBe('bank-fees-month-open');
  });

  it('freezes what the run computed; a return after it does not move the frozen figures; a re-run sees it and is refused', async () => {
    const dry = await computeBankFees(t.db, { month: '2025-02', asOf: '2025-03-05', operator: OPERATOR, dryRun: true });
    expect(dry.status).toBe('dry-run');
    expect(await count(t.db, 'bank_fee_reports')).toBe(0);

    const run = await computeBankFees(t.db, { month: '2025-02', asOf: '2025-03-05', operator: OPERATOR });
    expect(run.status).toBe('done');
    expect(run.summary).toEqual({
      month: '2025-02',
      mios: 2,
      banks: 3,
      transferred: '172909.57',
      returned: '84953.09',
      paid: '87956.48',
      fee: '401.79',
    });

    // P3's January payout comes back on 04-20, after the run.
    const p3 = await lineOf(t.db, w.P3.provider_id, '2025-01');
    expect((await importReturns(t.db, '2025-04-20', [{ payment_ref: p3.ref, amount: '64358.40', returned_on: '2025-04-20', reason_code: 'AC04', reason_text: '' }])).accepted).toBe(1);

    const frozen = await bankFeesReport(t.db, { month: '2025-02', asOf: '2025-04-30', mio: w.A.mio_bin });
    expect(frozen.mios).toMatchObject([{ frozen: true, as_of: '2025-03-05', total: { paid: ca(1, '64358.40'), fee: '321.79' } }]);

    // The same run again is a no-op; a run as of a date that sees the new return is refused.
    expect((await computeBankFees(t.db, { month: '2025-02', asOf: '2025-03-05', operator: OPERATOR })).status).toBe('already-done');
    const err = await computeBankFees(t.db, { month: '2025-02', asOf: '2025-04-25', operator: OPERATOR }).catch((e: unknown) => e);
    expect((err as BusinessRuleError).rule).toBe('rerun-changed-inputs');
  });
});
