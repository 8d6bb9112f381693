// Amounts in words for the reconciliation act (DOMAIN.md §5): Russian cardinal numerals, first
// letter capital, feminine thousands, "тенге" never declines, then the tiyn as two digits and
// "тиын". "123045.45" → "Сто двадцать три тысячи сорок пять тенге 45 тиын".
//
// The amount never becomes a JS number: the integer part is read as a string of digits and
// spelled three digits at a time; only single digits (0–9) are held as numbers, as table indexes.
import Big from 'big.js';
import { MoneyFormatError } from '../pipeline/kernel/money.ts';

const AMOUNT_RE = /^\d{1,16}(\.\d{1,2})?$/;

const UNITS_MASCULINE = ['', 'один', 'два', 'три', 'четыре', 'пять', 'шесть', 'семь', 'восемь', 'девять'];
const UNITS_FEMININE = ['', 'одна', 'две', 'три', 'четыре', 'пять', 'шесть', 'семь', 'восемь', 'девять'];
const TEENS = [
  'десять', 'одиннадцать', 'двенадцать', 'тринадцать', 'четырнадцать',
  'пятнадцать', 'шестнадцать', 'семнадцать', 'восемнадцать', 'девятнадцать',
];
const TENS = ['', '', 'двадцать', 'тридцать', 'сорок', 'пятьдесят', 'шестьдесят', 'семьдесят', 'восемьдесят', 'девяносто'];
const HUNDREDS = ['', 'сто', 'двести', 'триста', 'четыреста', 'пятьсот', 'шестьсот', 'семьсот', 'восемьсот', 'девятьсот'];

interface Scale {
  /** Forms for 1, 2–4 and 5–20 (and 0, 11–14). */
  forms: [string, string, string];
  feminine: boolean;
}

// Index = power of a thousand. Index 0 (units) carries no word: "тенге" does not decline.
const SCALES: Scale[] = [
  { forms: ['', '', ''], feminine: false },
  { forms: ['тысяча', 'тысячи', 'тысяч'], feminine: true },
  { forms: ['миллион', 'миллиона', 'миллионов'], feminine: false },
  { forms: ['миллиард', 'миллиарда', 'миллиардов'], feminine: false },
  { forms: ['триллион', 'триллиона', 'триллионов'], feminine: false },
  { forms: ['квадриллион', 'квадриллиона', 'квадриллионов'], feminine: false },
];

function digit(ch: string): number {
  return ch.charCodeAt(0) - 48;
}

/** Words for a group of three digits ("000"–"999"); empty for "000". */
function tripletWords(triplet: string, feminine: boolean): string[] {
  const h = digit(triplet[0]);
  const t = digit(triplet[1]);
  const u = digit(triplet[2]);
  const words: string[] = [];
  if (h > 0) words.push(HUNDREDS[h]);
  if (t === 1) {
    words.push(TEENS[u]);
  } else {
    if (t > 1) words.push(TENS[t]);
    if (u > 0) words.push((feminine ? UNITS_FEMININE : UNITS_MASCULINE)[u]);
  }
  return words;
}

/** Which of the three forms agrees with the group: 1 → one, 2–4 → few, else many. */
function pluralForm(triplet: string, forms: [string, string, string]): string {
  const t = digit(triplet[1]);
  const u = digit(triplet[2]);
  if (t === 1) return forms[2];
  if (u === 1) return forms[0];
  if (u >= 2 && u <= 4) return forms[1];
  return forms[2];
}

/** Words of a whole number of tenge given as a string of digits without leading zeros. */
function integerWords(digits: string): string {
  if (/^0+$/.test(digits)) return 'ноль';
  const padded = digits.padStart(Math.ceil(digits.length / 3) * 3, '0');
  const groups: string[] = [];
  for (let i = 0; i < padded.length; i += 3) groups.push(padded.slice(i, i + 3));
  const words: string[] = [];
  groups.forEach((triplet, index) => {
    const power = groups.length - 1 - index;
    if (triplet === '000') return;
    const scale = SCALES[power];
    words.push(...tripletWords(triplet, scale.feminine));
    if (power > 0) words.push(pluralForm(triplet, scale.forms));
  });
  return words.join(' ');
}

/**
 * The amount in words as the reconciliation act writes it:
 * "1001" → "Одна тысяча один тенге 00 тиын", "0" → "Ноль тенге 00 тиын".
 * Accepts a decimal string with a dot and at most two decimals (up to 16 integer digits);
 * throws MoneyFormatError on a negative or malformed amount.
 */
export function amountInWords(amount: string): string {
  if (typeof amount !== 'string') throw new MoneyFormatError('сумма прописью: ожидается строка с суммой');
  const s = amount.trim();
  if (/^-/.test(s)) throw new MoneyFormatError(`сумма прописью: отрицательная сумма «${amount}»`);
  if (!AMOUNT_RE.test(s)) throw new MoneyFormatError(`сумма прописью: некорректная сумма «${amount}»`);
  const [whole, tiyn] = new Big(s).toFixed(2).split('.');
  const text = `${integerWords(whole)} тенге ${tiyn} тиын`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}
