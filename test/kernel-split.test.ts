import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import Big from 'big.js';
import { readReferenceFiles } from '../pipeline/kernel/reference-files.ts';
import { ratesForMonth } from '../pipeline/kernel/rates.ts';
import { allocateLargestRemainder, capCheck, computeSplit, personContributions, SplitError, type Split, type SplitInput } from '../pipeline/kernel/split.ts';
import { providerKinds } from '../pipeline/kernel/reference-files.ts';

const { rates } = readReferenceFiles();
const r2023 = ratesForMonth('2023-06', rates);
const r2024 = ratesForMonth('2024-06', rates);
const r2025 = ratesForMonth('2025-06', rates);
const r2026 = ratesForMonth('2026-06', rates);
const NONE = { opv: false, osms: false, so: false };

/** The split as strings with two decimals, for readable expectations. */
function split(input: Partial<SplitInput> & Pick<SplitInput, 'hours' | 'rates'>): Record<string, string> {
  const s = computeSplit({ providerKind: 'assistant', exempt: NONE, ...input });
  const keys = ['hourlyRate', 'fullGuaranteed', 'guaranteed', 'coPayment', 'opv', 'osms', 'providerSum', 'so'] as const;
  return Object.fromEntries(keys.map((k) => [k, s[k].toFixed(2)]));
}

describe('computeSplit, hand-computed', () => {
  it('2025, assistant, 176 h', () => {
    expect(split({ hours: '176', rates: r2025 })).toEqual({
      hourlyRate: '536.32', //   3932 × 13.64 % = 536.3248 → 536.32
      fullGuaranteed: '94392.32', // 176 × 536.32 = 94392.32
      guaranteed: '94392.32',
      coPayment: '0.00',
      opv: '9439.23', //         10 % × 94392.32 = 9439.232 → 9439.23
      osms: '1887.85', //         2 % × 94392.32 = 1887.8464 → 1887.85
      providerSum: '83065.24', // 94392.32 − 9439.23 − 1887.85 = 83065.24
      so: '4247.65', //           5 % × (94392.32 − 9439.23 = 84953.09) = 4247.6545 → 4247.65
    });
  });

  it('2026, assistant, 176 h: contributions rounded to the tenge', () => {
    expect(split({ hours: '176', rates: r2026 })).toEqual({
      hourlyRate: '589.93', //   4325 × 13.64 % = 589.93
      fullGuaranteed: '103827.68', // 176 × 589.93 = 103840 − 176 × 0.07 = 103840 − 12.32 = 103827.68
      guaranteed: '103827.68',
      coPayment: '0.00',
      opv: '10383.00', //        10 % × 103827.68 = 10382.768 → 10383
      osms: '2077.00', //         2 % × 103827.68 = 2076.5536 → 2077
      providerSum: '91367.68', // 103827.68 − 10383 − 2077 = 91367.68
      so: '4672.00', //           5 % × (103827.68 − 10383 = 93444.68) = 4672.234 → 4672
    });
  });

  it('2024, assistant, 8 h: СО at 3.5 %', () => {
    expect(split({ hours: '8', rates: r2024 })).toMatchObject({
      hourlyRate: '503.59', //   3692 × 13.64 % = 503.5888 → 503.59
      guaranteed: '4028.72', //  8 × 503.59 = 4028.72
      opv: '402.87', //          402.872 → 402.87
      osms: '80.57', //          80.5744 → 80.57
      providerSum: '3545.28', // 4028.72 − 402.87 − 80.57 = 3545.28
      so: '126.90', //           3.5 % × (4028.72 − 402.87 = 3625.85) = 126.90475 → 126.90
    });
  });

  it('G is rounded half-up to the tiyn; fractional hours', () => {
    // 1.5 × 503.59 = 755.385 → 755.39
    expect(split({ hours: '1.5', rates: r2024 }).guaranteed).toBe('755.39');
    // 7.5 × 536.32 = 4022.40
    expect(split({ hours: '7.5', rates: r2025 }).guaranteed).toBe('4022.40');
    // 0.01 × 470.58 = 4.7058 → 4.71; ОПВ 0.471 → 0.47; ОСМС 0.0942 → 0.09; provider 4.71 − 0.47 − 0.09 = 4.15;
    // СО 3.5 % × (4.71 − 0.47 = 4.24) = 0.1484 → 0.15
    expect(split({ hours: '0.01', rates: r2023 })).toMatchObject({
      guaranteed: '4.71',
      opv: '0.47',
      osms: '0.09',
      providerSum: '4.15',
      so: '0.15',
    });
  });

  it('a claimed amount below G is what is reimbursed', () => {
    // G = 100 × 536.32 = 53632.00 > 50000.55
    expect(split({ hours: '100', claimedAmount: '50000.55', rates: r2025 })).toEqual({
      hourlyRate: '536.32',
      fullGuaranteed: '53632.00',
      guaranteed: '50000.55',
      coPayment: '0.00',
      opv: '5000.06', //          5000.055 → 5000.06 (half-up at .005)
      osms: '1000.01', //         1000.011 → 1000.01
      providerSum: '44000.48', // 50000.55 − 5000.06 − 1000.01 = 44000.48
      so: '2250.02', //           5 % × (50000.55 − 5000.06 = 45000.49) = 2250.0245 → 2250.02
    });
  });

  it('a claim over G: G is reimbursed, the excess is the co-payment', () => {
    // G = 10 × 536.32 = 5363.20; claimed 6000.00 → co-payment 636.80
    expect(split({ hours: '10', claimedAmount: '6000.00', rates: r2025 })).toEqual({
      hourlyRate: '536.32',
      fullGuaranteed: '5363.20',
      guaranteed: '5363.20',
      coPayment: '636.80',
      opv: '536.32', //          536.32
      osms: '107.26', //         107.264 → 107.26
      providerSum: '4719.62', // 5363.20 − 536.32 − 107.26 = 4719.62
      so: '241.34', //           5 % × (5363.20 − 536.32 = 4826.88) = 241.344 → 241.34
    });
    const equal = split({ hours: '10', claimedAmount: '5363.20', rates: r2025 });
    expect([equal.guaranteed, equal.coPayment]).toEqual(['5363.20', '0.00']);
  });

  it('2026, half a tenge rounds up', () => {
    // G = 8 × 589.93 = 4719.44 > claimed 1005.00; ОПВ 100.50 → 101; ОСМС 20.10 → 20;
    // provider 1005 − 101 − 20 = 884; СО 5 % × (1005 − 101 = 904) = 45.20 → 45
    expect(split({ hours: '8', claimedAmount: '1005', rates: r2026 })).toMatchObject({
      fullGuaranteed: '4719.44',
      guaranteed: '1005.00',
      opv: '101.00',
      osms: '20.00',
      providerSum: '884.00',
      so: '45.00',
    });
  });

  it('an entrepreneur or a legal entity: nothing withheld, no СО', () => {
    for (const providerKind of ['entrepreneur', 'legal_entity'] as const) {
      expect(split({ hours: '176', rates: r2025, providerKind })).toEqual({
        hourlyRate: '536.32',
        fullGuaranteed: '94392.32',
        guaranteed: '94392.32',
        coPayment: '0.00',
        opv: '0.00',
        osms: '0.00',
        providerSum: '94392.32',
        so: '0.00',
      });
    }
  });

  it('exempt assistants', () => {
    // exempt from ОПВ only: ОСМС 1887.85; provider 94392.32 − 1887.85 = 92504.47;
    // СО 5 % × (94392.32 − 0) = 4719.616 → 4719.62
    expect(split({ hours: '176', rates: r2025, exempt: { opv: true, osms: false, so: false } })).toMatchObject({
      opv: '0.00',
      osms: '1887.85',
      providerSum: '92504.47',
      so: '4719.62',
    });
    // exempt from ОСМС only: provider 94392.32 − 9439.23 = 84953.09; СО as usual 4247.65
    expect(split({ hours: '176', rates: r2025, exempt: { opv: false, osms: true, so: false } })).toMatchObject({
      opv: '9439.23',
      osms: '0.00',
      providerSum: '84953.09',
      so: '4247.65',
    });
    // exempt from СО only
    expect(split({ hours: '176', rates: r2025, exempt: { opv: false, osms: false, so: true } })).toMatchObject({
      opv: '9439.23',
      osms: '1887.85',
      providerSum: '83065.24',
      so: '0.00',
    });
    // exempt from everything
    expect(split({ hours: '176', rates: r2025, exempt: { opv: true, osms: true, so: true } })).toMatchObject({
      opv: '0.00',
      osms: '0.00',
      providerSum: '94392.32',
      so: '0.00',
    });
  });

  it('returns the contribution bases', () => {
    const s = computeSplit({ hours: '176', providerKind: 'assistant', exempt: { opv: false, osms: true, so: false }, rates: r2025 });
    expect([s.bases.opv.toFixed(2), s.bases.osms.toFixed(2), s.bases.so.toFixed(2)]).toEqual(['94392.32', '0.00', '84953.09']);
  });

  it('refuses malformed hours and claims', () => {
    for (const hours of ['7.555', '-1', 'abc', '', '1e2', '7,5']) {
      expect(() => computeSplit({ hours, providerKind: 'assistant', exempt: NONE, rates: r2025 })).toThrow(SplitError);
    }
    expect(() => computeSplit({ hours: '8', claimedAmount: '12.345', providerKind: 'assistant', exempt: NONE, rates: r2025 })).toThrow(
      /Некорректная заявленная сумма/,
    );
  });
});

describe('capCheck', () => {
  it('2025: 50, 10 and 7 МЗП of 85 000', () => {
    const ok = capCheck({ opvBase: '94392.32', osmsBase: '94392.32', soBase: '84953.09' }, r2025);
    expect(ok).toEqual([]);
    // exactly at the cap does not bind: 50 × 85000 = 4250000, 10 × 85000 = 850000, 7 × 85000 = 595000
    expect(capCheck({ opvBase: '4250000.00', osmsBase: '850000.00', soBase: '595000.00' }, r2025)).toEqual([]);
    const over = capCheck({ opvBase: '4250000.01', osmsBase: '850000.01', soBase: '595000.01' }, r2025);
    expect(over.map((b) => [b.kind, b.cap.toFixed(2)])).toEqual([
      ['opv', '4250000.00'],
      ['osms', '850000.00'],
      ['so', '595000.00'],
    ]);
    expect(over[1].message).toMatch(/ВОСМС 850000\.01.*10 МЗП = 850000\.00/);
  });

  it('2026: ВОСМС cap 20 МЗП', () => {
    expect(capCheck({ opvBase: '0', osmsBase: '850000.01', soBase: '0' }, r2026)).toEqual([]);
    expect(capCheck({ opvBase: '0', osmsBase: '1700000.01', soBase: '0' }, r2026).map((b) => b.kind)).toEqual(['osms']);
  });

  it('2023: МЗП 70 000', () => {
    expect(capCheck({ opvBase: '0', osmsBase: '0', soBase: '490000.01' }, r2023).map((b) => b.cap.toFixed(2))).toEqual(['490000.00']);
  });
});

describe('computeSplit, properties', () => {
  const hundredths = (n: number) => `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`;
  const arbInput = fc.record({
    hours: fc.integer({ min: 0, max: 8 * 31 * 100 }).map(hundredths),
    claimedAmount: fc.option(fc.integer({ min: 0, max: 20_000_000 }).map(hundredths), { nil: null }),
    providerKind: fc.constantFrom(...providerKinds),
    exempt: fc.record({ opv: fc.boolean(), osms: fc.boolean(), so: fc.boolean() }),
    rates: fc.constantFrom(r2023, r2024, r2025, r2026),
  });
  const decimals = (b: Big) => Math.max(0, b.c.length - b.e - 1);

  it('parts add up, nothing negative, provider ≤ guaranteed ≤ G, claim = guaranteed + co-payment', () => {
    fc.assert(
      fc.property(arbInput, (input) => {
        const s: Split = computeSplit(input);
        expect(s.opv.plus(s.osms).plus(s.providerSum).eq(s.guaranteed)).toBe(true);
        for (const k of ['fullGuaranteed', 'guaranteed', 'coPayment', 'opv', 'osms', 'providerSum', 'so'] as const) {
          expect(s[k].gte(0)).toBe(true);
          expect(decimals(s[k])).toBeLessThanOrEqual(2);
        }
        expect(s.providerSum.lte(s.guaranteed)).toBe(true);
        expect(s.guaranteed.lte(s.fullGuaranteed)).toBe(true);
        if (input.claimedAmount != null) expect(s.guaranteed.plus(s.coPayment).eq(input.claimedAmount)).toBe(true);
        else expect(s.guaranteed.eq(s.fullGuaranteed) && s.coPayment.eq(0)).toBe(true);
        if (input.rates.rounding === 'tenge') {
          for (const k of ['opv', 'osms', 'so'] as const) expect(decimals(s[k])).toBe(0);
        }
        if (input.providerKind !== 'assistant') {
          expect([s.opv, s.osms, s.so].every((x) => x.eq(0))).toBe(true);
          expect(s.providerSum.eq(s.guaranteed)).toBe(true);
        }
        if (input.exempt.opv) expect(s.opv.eq(0)).toBe(true);
        if (input.exempt.osms) expect(s.osms.eq(0)).toBe(true);
        if (input.exempt.so) expect(s.so.eq(0)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('personContributions, per person by the largest remainder (DOMAIN §2)', () => {
  const g = (hours: string, rates = r2026) => computeSplit({ hours, providerKind: 'assistant', exempt: NONE, rates }).guaranteed;

  it('2026, two acts of 7.5 h: ОПВ 885 (not 442 + 442 = 884), rows 443 and 442', () => {
    // 7.5 × 589.93 = 4424.475 → G 4424.48 each; Σ G = 8848.96
    const p = personContributions([{ guaranteed: g('7.5') }, { guaranteed: g('7.5') }], { providerKind: 'assistant', exempt: NONE, rates: r2026 });
    const rows = p.acts.map((a) => [a.opv, a.osms, a.so, a.providerSum].map((x) => x.toFixed(2)));
    expect(p.opv.toFixed(2)).toBe('885.00'); //   10 % × 8848.96 = 884.896 → 885; shares 442.448 each → 442 + 442, one unit left: first row by order
    expect(p.osms.toFixed(2)).toBe('177.00'); //   2 % × 8848.96 = 176.9792 → 177; shares 88.4896 each → 88 + 88 + 1
    expect(p.so.toFixed(2)).toBe('398.00'); //     5 % × (8848.96 − 885 = 7963.96) = 398.198 → 398
    expect(rows).toEqual([
      // 5 % × (4424.48 − 443) = 199.074 → 199; 4424.48 − 443 − 89 = 3892.48
      ['443.00', '89.00', '199.00', '3892.48'],
      // 5 % × (4424.48 − 442) = 199.124 → 199; 4424.48 − 442 − 88 = 3894.48
      ['442.00', '88.00', '199.00', '3894.48'],
    ]);
    expect(p.bases.opv.toFixed(2)).toBe('8848.96');
    expect(p.bases.so.toFixed(2)).toBe('7963.96');
  });

  it('the leftover goes to the largest remainder, ties by order', () => {
    // exact 1.004, 2.006, 3.009 (tiyn): floors 1.00 + 2.00 + 3.00; total 6.02 leaves 2 tiyn for 3.009 and 2.006
    expect(allocateLargestRemainder([new Big('1.004'), new Big('2.006'), new Big('3.009')], new Big('6.02'), 'tiyn').map((x) => x.toFixed(2))).toEqual(['1.00', '2.01', '3.01']);
    expect(allocateLargestRemainder([new Big('0.5'), new Big('0.5')], new Big('1'), 'tenge').map((x) => x.toFixed(0))).toEqual(['1', '0']);
    expect(() => allocateLargestRemainder([new Big('1.5')], new Big('3'), 'tenge')).toThrow(SplitError);
  });

  it('an entrepreneur or an exemption withholds nothing', () => {
    const e = personContributions([{ guaranteed: g('7.5') }, { guaranteed: g('7.5') }], { providerKind: 'entrepreneur', exempt: NONE, rates: r2026 });
    expect([e.opv, e.osms, e.so].map((x) => x.toFixed(2))).toEqual(['0.00', '0.00', '0.00']);
    expect(e.acts.map((a) => a.providerSum.toFixed(2))).toEqual(['4424.48', '4424.48']);
    const x = personContributions([{ guaranteed: g('7.5') }, { guaranteed: g('7.5') }], { providerKind: 'assistant', exempt: { opv: true, osms: false, so: false }, rates: r2026 });
    expect(x.opv.toFixed(2)).toBe('0.00');
    expect(x.so.toFixed(2)).toBe('442.00'); // 5 % × 8848.96 = 442.448 → 442
  });

  const hundredths = (n: number) => `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`;
  const arbPerson = fc.record({
    hours: fc.array(fc.integer({ min: 1, max: 8 * 31 * 4 }).map((q) => (q / 4).toFixed(2)), { minLength: 1, maxLength: 6 }),
    claims: fc.array(fc.option(fc.integer({ min: 100, max: 20_000_000 }).map(hundredths), { nil: null }), { minLength: 6, maxLength: 6 }),
    providerKind: fc.constantFrom(...providerKinds),
    exempt: fc.record({ opv: fc.boolean(), osms: fc.boolean(), so: fc.boolean() }),
    rates: fc.constantFrom(r2023, r2024, r2025, r2026),
  });

  it('property: every act adds up to its G, the acts add up to the person, the person is rounded once on Σ G', () => {
    fc.assert(
      fc.property(arbPerson, ({ hours, claims, providerKind, exempt, rates }) => {
        const singles = hours.map((h, i) => computeSplit({ hours: h, claimedAmount: claims[i], providerKind, exempt, rates }));
        const p = personContributions(singles.map((s) => ({ guaranteed: s.guaranteed })), { providerKind, exempt, rates });
        const total = (xs: Big[]) => xs.reduce((a, b) => a.plus(b), new Big(0));
        p.acts.forEach((a, i) => {
          expect(a.opv.plus(a.osms).plus(a.providerSum).eq(singles[i].guaranteed)).toBe(true);
          for (const k of ['opv', 'osms', 'so', 'providerSum'] as const) expect(a[k].gte(0)).toBe(true);
        });
        expect(total(p.acts.map((a) => a.opv)).eq(p.opv)).toBe(true);
        expect(total(p.acts.map((a) => a.osms)).eq(p.osms)).toBe(true);
        expect(total(p.acts.map((a) => a.so)).eq(p.so)).toBe(true);
        // The person-level computation: one rounding on the person's total.
        const sumG = total(singles.map((s) => s.guaranteed));
        const unit = rates.rounding === 'tiyn' ? 2 : 0;
        const withholds = rates.withholding_kinds.includes(providerKind);
        const pct = (base: Big, percent: string) => base.times(percent).div(100).round(unit, Big.roundHalfUp);
        const opv = withholds && !exempt.opv ? pct(sumG, rates.opv_percent) : new Big(0);
        expect(p.opv.eq(opv)).toBe(true);
        expect(p.osms.eq(withholds && !exempt.osms ? pct(sumG, rates.osms_percent) : new Big(0))).toBe(true);
        expect(p.so.eq(withholds && !exempt.so ? pct(sumG.minus(opv), rates.so_percent) : new Big(0))).toBe(true);
        // One act: exactly the per-act split.
        if (singles.length === 1) {
          expect([p.acts[0].opv, p.acts[0].osms, p.acts[0].so, p.acts[0].providerSum].map((x) => x.toFixed(2))).toEqual(
            [singles[0].opv, singles[0].osms, singles[0].so, singles[0].providerSum].map((x) => x.toFixed(2)),
          );
        }
      }),
      { numRuns: 2000 },
    );
  });
});
