// `payouts import mios`: the local executive bodies (МИО), one per division of the lists.
import { bik, iban, idNumber, importSchema, text, type RowOf } from './fields.ts';

const columns = {
  mio_bin: idNumber('БИН МИО'),
  name: text('Наименование МИО'),
  oblast: text('Область'),
  bik: bik('БИК банка МИО'),
  iban: iban('IBAN МИО'),
};

export const mioSchema = importSchema(columns, ['mio_bin']);
export type MioRow = RowOf<typeof columns>;
