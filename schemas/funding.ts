// `payouts import funding`: the МИО's payment orders that fund ГК (002 §15).
import { amount, date, idNumber, importSchema, text, type RowOf } from './fields.ts';

const columns = {
  mio_bin: idNumber('БИН МИО'),
  pp_no: text('Номер платёжного поручения', 100),
  pp_date: date('Дата платёжного поручения'),
  amount: amount('Сумма', { positive: true }),
};

export const fundingSchema = importSchema(columns, ['mio_bin', 'pp_no', 'pp_date']);
/** One valid funding row, as `applyTransfers` in pipeline/funding.ts receives it. */
export type FundingRow = RowOf<typeof columns>;
