import { describe, expect, it } from 'vitest';
import Big from 'big.js';
import fc from 'fast-check';
import {
  formatAmount,
  isAmount,
  max,
  min,
  money,
  MoneyFormatError,
  parseAmount,
  percentOf,
  roundHalfUp,
  splitWithRemainder,
  sum,
} from '../pipeline/kernel/money.ts';

describe('money', () => {
  it('parses amounts strictly', () => {
    expect(parseAmount('1234.5').toString()).toBe('1234.5');
    expect(parseAmount(' 0 ').toString()).toBe('0');
    expect(isAmount('12.345')).toBe(false);
    expect(isAmount('-1.00')).toBe(false);
    expect(isAmount('1,00')).toBe(false);
    expect(isAmount('1e3')).toBe(false);
    expect(isAmount('.5')).toBe(false);
    expect(() => parseAmount('12.345')).toThrow(MoneyFormatError);
  });

  it('formats with two decimals, dot, no grouping', () => {
    expect(formatAmount('1234.5')).toBe('1234.50');
    expect(formatAmount('0')).toBe('0.00');
    expect(formatAmount(new Big('94392.32'))).toBe('94392.32');
    expect(formatAmount('12345678901234.1')).toBe('12345678901234.10');
    expect(formatAmount('0.005')).toBe('0.01');
  });

  it('gives back a canonical amount as it is, and any other text as big.js prints it', () => {
    const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
    const text = fc.tuple(fc.constantFrom('', '-'), digits(1, 16), fc.constantFrom('', '.'), digits(0, 4)).map(([sign, int, dot, frac]) => sign + int + (dot && frac ? dot + frac : ''));
    fc.assert(
      fc.property(text, (s) => {
        expect(formatAmount(s)).toBe(new Big(s).toFixed(2, Big.roundHalfUp));
      }),
      { numRuns: 2000 },
    );
    for (const s of ['0.00', '007.50', '-0.00', '-12.30', '10.5', '1e3']) expect(formatAmount(s)).toBe(new Big(s).toFixed(2, Big.roundHalfUp));
  });

  it('rounds half-up at .005 to the tiyn', () => {
    expect(roundHalfUp(money('1.005')).toFixed(2)).toBe('1.01');
    expect(roundHalfUp(money('1.0049999')).toFixed(2)).toBe('1.00');
    expect(roundHalfUp(money('755.385')).toFixed(2)).toBe('755.39'); // 1.5 h × 503.59
    expect(roundHalfUp(money('2.675')).toFixed(2)).toBe('2.68'); // a float would give 2.67
    expect(roundHalfUp(money('503.5888')).toFixed(2)).toBe('503.59');
  });

  it('rounds half-up to the tenge', () => {
    expect(roundHalfUp(money('10382.768'), 'tenge').toFixed(2)).toBe('10383.00');
    expect(roundHalfUp(money('2076.5536'), 'tenge').toFixed(2)).toBe('2077.00');
    expect(roundHalfUp(money('100.5'), 'tenge').toFixed(2)).toBe('101.00');
    expect(roundHalfUp(money('100.49'), 'tenge').toFixed(2)).toBe('100.00');
    expect(roundHalfUp(money('4672.234'), 'tenge').toFixed(2)).toBe('4672.00');
  });

  it('percent of, sums, min, max', () => {
    expect(percentOf(money('94392.32'), '10').toFixed(2)).toBe('9439.23'); // 9439.232
    expect(percentOf(money('94392.32'), '2').toFixed(2)).toBe('1887.85'); // 1887.8464
    expect(percentOf(money('3932'), '13.64').toFixed(2)).toBe('536.32'); // 536.3248
    expect(percentOf(money('103827.68'), '10', 'tenge').toFixed(2)).toBe('10383.00');
    expect(sum(['0.10', '0.20', money('0.30')]).toFixed(2)).toBe('0.60'); // exact, unlike floats
    expect(min(money('1'), money('2')).toString()).toBe('1');
    expect(max(money('1'), money('2')).toString()).toBe('2');
  });

  it('splits with an exact remainder and refuses a negative one', () => {
    const { remainder } = splitWithRemainder(money('94392.32'), [money('9439.23'), money('1887.85')]);
    expect(remainder.toFixed(2)).toBe('83065.24');
    expect(() => splitWithRemainder(money('1.00'), [money('0.60'), money('0.41')])).toThrow();
  });
});
