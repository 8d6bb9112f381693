// The field types of the input files (schemas/fields.ts): no database.
import Big from 'big.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  amount,
  bool,
  CellError,
  date,
  decimal,
  ExcelNumber,
  excelNumberText,
  iban,
  idNumber,
  month,
  optional,
  text,
  type Field,
} from '../schemas/fields.ts';
import { actSchema } from '../schemas/acts.ts';
import { returnSchema } from '../schemas/returns.ts';
import { neutralizeFormula } from '../pipeline/kernel/csv.ts';
import { makeKzIban } from '../pipeline/kernel/identifiers.ts';
import { act } from './support/imports.ts';

function ok<T>(f: Field<T>, v: unknown): T {
  const r = f.schema.safeParse(v);
  if (!r.success) throw new Error(r.error.issues.map((i) => i.message).join('; '));
  return r.data;
}

function why<T>(f: Field<T>, v: unknown): string {
  const r = f.schema.safeParse(v);
  if (r.success) throw new Error(`accepted ${JSON.stringify(r.data)}`);
  return r.error.issues.map((i) => i.message).join('; ');
}

describe('amount', () => {
  const f = amount('Сумма');
  it('normalizes to two decimals and accepts an Excel number cell by the text Excel shows', () => {
    expect(ok(f, '100')).toBe('100.00');
    expect(ok(f, ' 1234.5 ')).toBe('1234.50');
    expect(ok(f, new ExcelNumber(1234.56))).toBe('1234.56');
    // A formula's floating-point noise is read as Excel shows it (15 significant digits).
    expect(ok(f, new ExcelNumber(0.1 + 0.2))).toBe('0.30');
  });

  it('takes a decimal comma and grouped thousands; refuses three decimals, a sign, a JSON number, text', () => {
    expect(ok(f, '1,5')).toBe('1.50');
    expect(ok(f, '1 000.00')).toBe('1000.00');
    expect(why(f, '1.005')).toMatch(/не больше 2 знаков после точки/);
    expect(why(f, '1,005')).toMatch(/не больше 2 знаков после запятой/);
    expect(why(f, new ExcelNumber(1.005))).toMatch(/не больше 2 знаков/);
    expect(why(f, '-5')).toMatch(/отрицательное/);
    expect(why(f, 100.5)).toMatch(/в JSON сумма пишется строкой/);
    expect(why(f, 'сто')).toMatch(/ожидается число, например 1234.50 или 1 234,50/);
    expect(why(f, '')).toBe('Сумма: не заполнено');
    expect(why(amount('Сумма', { positive: true }), '0.00')).toMatch(/больше нуля/);
  });

  it('property: every amount with at most two decimals survives an Excel number cell exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 99_999_999_999_99n }), (tiyn) => {
        const text = new Big(tiyn.toString()).div(100).toFixed(2);
        expect(ok(f, text)).toBe(text);
        expect(ok(f, new ExcelNumber(Number(text)))).toBe(text);
      }),
    );
  });

  it('property: an amount with three or more significant decimals is always refused', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.integer({ min: 1, max: 9 }), (whole, last) => {
        expect(why(f, `${whole}.00${last}`)).toMatch(/не больше 2 знаков/);
      }),
    );
  });
});

describe('ИИН/БИН', () => {
  const f = idNumber('ИИН ЛСИ');
  it('checks the check digit', () => {
    expect(ok(f, '160440007161')).toBe('160440007161');
    expect(why(f, '160440007162')).toBe('ИИН ЛСИ «160440007162»: неверная контрольная цифра ИИН/БИН');
    expect(why(f, '16044000716')).toMatch(/ровно 12 цифр/);
  });

  it('refuses a number that lost its leading zero instead of padding it', () => {
    expect(why(f, new ExcelNumber(50240001231))).toMatch(
      /записан в Excel числом и потерял ведущий ноль \(50240001231, 11 цифр вместо 12\)/,
    );
    expect(why(f, 50240001231)).toMatch(/записан в JSON числом и потерял ведущий ноль/);
    // Twelve digits typed as a number lose nothing.
    expect(ok(f, new ExcelNumber(160440007161))).toBe('160440007161');
  });
});

describe('other fields', () => {
  it('IBAN: spaces and case are normalized, mod 97 is checked', () => {
    const good = makeKzIban('601', '0000000000001');
    expect(ok(iban('IBAN'), good.toLowerCase().replace(/(.{4})/g, '$1 '))).toBe(good);
    const bad = good.slice(0, 2) + (good[2] === '9' ? '0' : String(Number(good[2]) + 1)) + good.slice(3);
    expect(why(iban('IBAN'), bad)).toMatch(/неверные контрольные цифры IBAN/);
    expect(why(iban('IBAN'), 'KZ12')).toMatch(/20 символов/);
  });

  it('dates must exist; Excel date cells are read as their UTC calendar date', () => {
    expect(ok(date('Дата'), '2024-02-29')).toBe('2024-02-29');
    expect(why(date('Дата'), '2025-02-30')).toBe('Дата: даты «2025-02-30» не существует');
    expect(ok(date('Дата'), '14.02.2025')).toBe('2025-02-14');
    expect(why(date('Дата'), '14/02/2025')).toMatch(/ДД\.ММ\.ГГГГ или ГГГГ-ММ-ДД/);
    expect(ok(date('Дата'), new Date(Date.UTC(2025, 1, 14)))).toBe('2025-02-14');
    expect(why(date('Дата'), new ExcelNumber(45702))).toMatch(/ожидается дата/);
  });

  it('months: YYYY-MM, or the first of the month Excel makes of it', () => {
    expect(ok(month('Месяц'), '2025-01')).toBe('2025-01');
    expect(ok(month('Месяц'), new Date(Date.UTC(2025, 0, 1)))).toBe('2025-01');
    expect(why(month('Месяц'), '2025-13')).toMatch(/не существует/);
    expect(why(month('Месяц'), new Date(Date.UTC(2025, 0, 15)))).toMatch(/ожидается месяц ММ\.ГГГГ/);
  });

  it('booleans are да/нет or true/false', () => {
    expect(ok(bool('Флаг'), 'TRUE')).toBe(true);
    expect(ok(bool('Флаг'), false)).toBe(false);
    expect(ok(bool('Флаг'), 'да')).toBe(true);
    expect(why(bool('Флаг'), '1')).toMatch(/ожидается да или нет \(true или false\)/);
  });

  it('text keeps a formula-looking value as text, refuses line breaks and spreadsheet errors', () => {
    expect(ok(text('Имя'), '=HYPERLINK("http://example.invalid","x")')).toBe('=HYPERLINK("http://example.invalid","x")');
    expect(why(text('Имя'), 'a\nb')).toBe('Имя: недопустимый символ U+000A (перевод строки) на 2-й позиции; такие символы в значениях не допускаются');
    expect(why(text('Имя'), new CellError('#N/A'))).toMatch(/#N\/A/);
    expect(ok(text('Номер'), new ExcelNumber(1042))).toBe('1042');
    // Invisible format characters: a name that looks like another but differs in the bank's file.
    for (const [cp, v] of [[0x200b, 'Иванов\u200bИван'], [0x200d, 'a\u200db'], [0x00ad, 'Ива\u00adнов'], [0xe0041, 'a\u{e0041}'], [0x2060, 'a\u2060b']] as const) {
      expect(why(text('Имя'), v)).toMatch(new RegExp(`U\\+${cp.toString(16).toUpperCase().padStart(4, '0')} \\(невидимый символ\\)`));
    }
    expect(ok(text('Имя'), 'Әбілқасымова Гүлнұр Сәрсенбайқызы')).toBe('Әбілқасымова Гүлнұр Сәрсенбайқызы');
  });

  it('optional fields give null for an empty cell and still check a filled one', () => {
    expect(ok(optional(decimal('%', 4)), '')).toBeNull();
    expect(ok(optional(decimal('%', 4)), '0.15')).toBe('0.1500');
    expect(why(optional(decimal('%', 4)), '0.12345')).toMatch(/не больше 4 знаков/);
  });

  it('a CSV the pipeline writes never hands Excel a formula', () => {
    expect(neutralizeFormula('=1+2')).toBe("'=1+2");
    expect(neutralizeFormula('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(neutralizeFormula('-5')).toBe('-5');
    expect(neutralizeFormula('Иванов')).toBe('Иванов');
  });

  it('excelNumberText refuses what it cannot show exactly', () => {
    expect(excelNumberText(1e15)).toBeNull();
    expect(excelNumberText(Number.NaN)).toBeNull();
    expect(excelNumberText(-0)).toBe('0');
  });
});

describe('row schemas', () => {
  it('acts: hours > 0 and ≤ 8 × days of the service month; accepted on or after received', () => {
    const parse = (o: Record<string, string>) => actSchema.row.safeParse(act(o));
    expect(parse({ hours: '248', service_month: '2025-01' }).success).toBe(true);
    expect(parse({ hours: '248.01', service_month: '2025-01' }).error?.issues[0].message).toMatch(/больше 248/);
    expect(parse({ hours: '232', service_month: '2024-02', received_on: '2024-03-01', accepted_on: '2024-03-02' }).success).toBe(true);
    expect(parse({ hours: '0' }).error?.issues[0].message).toMatch(/больше нуля/);
    expect(parse({ received_on: '2025-02-11' }).error?.issues[0].path).toEqual(['accepted_on']);
  });

  it('returns: reason_text may be empty and becomes ""', () => {
    const r = returnSchema.row.safeParse({ payment_ref: 'R-1', amount: '10', returned_on: '2025-02-20', reason_code: 'AC04' });
    expect(r.success && r.data).toEqual({ payment_ref: 'R-1', amount: '10.00', returned_on: '2025-02-20', reason_code: 'AC04', reason_text: '', message_id: '' });
  });
});
