import Big from 'big.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { amountInWords } from '../reports/amount-words.ts';
import { MoneyFormatError } from '../pipeline/kernel/money.ts';

describe('amountInWords', () => {
  const cases: Array<[string, string]> = [
    ['0', 'Ноль тенге 00 тиын'],
    ['1', 'Один тенге 00 тиын'],
    ['2', 'Два тенге 00 тиын'],
    ['5', 'Пять тенге 00 тиын'],
    ['11', 'Одиннадцать тенге 00 тиын'],
    ['12', 'Двенадцать тенге 00 тиын'],
    ['19', 'Девятнадцать тенге 00 тиын'],
    ['21', 'Двадцать один тенге 00 тиын'],
    ['101', 'Сто один тенге 00 тиын'],
    ['111', 'Сто одиннадцать тенге 00 тиын'],
    ['1000', 'Одна тысяча тенге 00 тиын'],
    ['1001', 'Одна тысяча один тенге 00 тиын'],
    ['2000', 'Две тысячи тенге 00 тиын'],
    ['5000', 'Пять тысяч тенге 00 тиын'],
    ['11000', 'Одиннадцать тысяч тенге 00 тиын'],
    ['21000', 'Двадцать одна тысяча тенге 00 тиын'],
    ['22000', 'Двадцать две тысячи тенге 00 тиын'],
    ['123045.45', 'Сто двадцать три тысячи сорок пять тенге 45 тиын'],
    ['1000000', 'Один миллион тенге 00 тиын'],
    ['1002000', 'Один миллион две тысячи тенге 00 тиын'],
    ['2021311.10', 'Два миллиона двадцать одна тысяча триста одиннадцать тенге 10 тиын'],
    ['5000000', 'Пять миллионов тенге 00 тиын'],
    ['11000000.05', 'Одиннадцать миллионов тенге 05 тиын'],
    [
      '999999999.99',
      'Девятьсот девяносто девять миллионов девятьсот девяносто девять тысяч девятьсот девяносто девять тенге 99 тиын',
    ],
    ['1000000000', 'Один миллиард тенге 00 тиын'],
    ['2000001000', 'Два миллиарда одна тысяча тенге 00 тиын'],
    ['0.01', 'Ноль тенге 01 тиын'],
    ['7.5', 'Семь тенге 50 тиын'],
    ['40.00', 'Сорок тенге 00 тиын'],
    ['001', 'Один тенге 00 тиын'],
  ];

  it.each(cases)('%s → %s', (amount, words) => {
    expect(amountInWords(amount)).toBe(words);
  });

  it.each(['-1', '-0.01', '1,5', '1.234', 'abc', '', ' ', '1e3', '.5', '5.', '12345678901234567'])(
    'refuses %j',
    (amount) => {
      expect(() => amountInWords(amount)).toThrow(MoneyFormatError);
    },
  );

  it('says which amount is wrong, in Russian', () => {
    expect(() => amountInWords('-5')).toThrow('отрицательная сумма «-5»');
    expect(() => amountInWords('1.234')).toThrow('некорректная сумма «1.234»');
  });

  // An independent reader of the words: turning them back into digits must give the amount.
  const VALUES: Record<string, number> = {
    ноль: 0, один: 1, одна: 1, два: 2, две: 2, три: 3, четыре: 4, пять: 5, шесть: 6, семь: 7,
    восемь: 8, девять: 9, десять: 10, одиннадцать: 11, двенадцать: 12, тринадцать: 13,
    четырнадцать: 14, пятнадцать: 15, шестнадцать: 16, семнадцать: 17, восемнадцать: 18,
    девятнадцать: 19, двадцать: 20, тридцать: 30, сорок: 40, пятьдесят: 50, шестьдесят: 60,
    семьдесят: 70, восемьдесят: 80, девяносто: 90, сто: 100, двести: 200, триста: 300,
    четыреста: 400, пятьсот: 500, шестьсот: 600, семьсот: 700, восемьсот: 800, девятьсот: 900,
  };
  const SCALE_WORDS: Array<[RegExp, string]> = [
    [/^тысяч(а|и|)$/, '1000'],
    [/^миллион(а|ов|)$/, '1000000'],
    [/^миллиард(а|ов|)$/, '1000000000'],
    [/^триллион(а|ов|)$/, '1000000000000'],
  ];
  function readBack(text: string): string {
    const m = /^(.+) тенге (\d\d) тиын$/.exec(text);
    if (!m) throw new Error(`bad shape: ${text}`);
    let total = new Big(0);
    let group = new Big(0);
    for (const word of m[1].toLowerCase().split(' ')) {
      const scale = SCALE_WORDS.find(([re]) => re.test(word));
      if (scale) {
        total = total.plus(group.times(scale[1]));
        group = new Big(0);
      } else if (word in VALUES) {
        group = group.plus(VALUES[word]);
      } else {
        throw new Error(`unknown word ${word} in ${text}`);
      }
    }
    return `${total.plus(group).toFixed(0)}.${m[2]}`;
  }

  function expectedForm(n: Big, scale: 'тысяч' | 'миллион'): RegExp {
    const lastTwo = Number(n.mod(100).toFixed(0));
    const last = lastTwo % 10;
    if (lastTwo >= 11 && lastTwo <= 14) return scale === 'тысяч' ? /^тысяч$/ : /^миллионов$/;
    if (last === 1) return scale === 'тысяч' ? /^тысяча$/ : /^миллион$/;
    if (last >= 2 && last <= 4) return scale === 'тысяч' ? /^тысячи$/ : /^миллиона$/;
    return scale === 'тысяч' ? /^тысяч$/ : /^миллионов$/;
  }

  const amountArb = fc
    .tuple(fc.bigInt({ min: 0n, max: 999_999_999_999_999n }), fc.integer({ min: 0, max: 99 }))
    .map(([whole, tiyn]) => `${whole.toString()}.${String(tiyn).padStart(2, '0')}`);

  it('reads back to the same amount, capitalised, one space between words', () => {
    fc.assert(
      fc.property(amountArb, (amount) => {
        const words = amountInWords(amount);
        expect(words).toMatch(/^[А-ЯЁ][а-яё]*( [а-яё]+)* тенге \d\d тиын$/);
        expect(readBack(words)).toBe(new Big(amount).toFixed(2));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees thousands and millions with their number', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 999 }), fc.integer({ min: 1, max: 999 }), (thousands, millions) => {
        const t = amountInWords(`${thousands}000`).split(' ');
        expect(t[t.length - 4]).toMatch(expectedForm(new Big(thousands), 'тысяч'));
        const m = amountInWords(`${millions}000000`).split(' ');
        expect(m[m.length - 4]).toMatch(expectedForm(new Big(millions), 'миллион'));
        // Thousands are feminine: never "один тысяча" / "два тысячи".
        expect(amountInWords(`${thousands}000`)).not.toMatch(/(^|\s)(один|два) тысяч/i);
        // Millions are masculine: never "одна миллион" / "две миллиона".
        expect(amountInWords(`${millions}000000`)).not.toMatch(/(^|\s)(одна|две) миллион/i);
      }),
    );
  });
});
