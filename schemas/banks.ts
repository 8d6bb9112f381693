// `payouts import banks`: authorized organizations (banks, Kazpost) and their tariffs.
import Big from 'big.js';
import { amount, bik, decimal, importSchema, optional, text, type RowOf } from './fields.ts';

const columns = {
  bik: bik('БИК'),
  name: text('Наименование банка'),
  fee_per_payment: optional(amount('Комиссия за платёж')),
  fee_percent: optional(decimal('Комиссия, %', 4)),
  fee_min: optional(amount('Минимальная комиссия')),
  fee_max: optional(amount('Максимальная комиссия')),
};

export const bankSchema = importSchema(columns, ['bik'], (row, issue) => {
  if (row.fee_percent !== null && new Big(row.fee_percent).gt(100)) {
    issue('fee_percent', `Комиссия, %: «${row.fee_percent}» больше 100`);
  }
  if (row.fee_min !== null && row.fee_max !== null && new Big(row.fee_min).gt(row.fee_max)) {
    issue('fee_max', `Максимальная комиссия ${row.fee_max} меньше минимальной ${row.fee_min}`);
  }
});
export type BankRow = RowOf<typeof columns>;
