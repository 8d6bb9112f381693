// `payouts import bank-details`: a provider's new bank details from the portal (a new version).
import { bik, date, iban, idNumber, importSchema, type RowOf } from './fields.ts';

const columns = {
  provider_id: idNumber('ИИН/БИН поставщика'),
  bik: bik('БИК банка поставщика'),
  iban: iban('IBAN поставщика'),
  changed_on: date('Дата изменения реквизитов'),
};

export const bankDetailSchema = importSchema(columns, ['provider_id', 'changed_on']);
export type BankDetailRow = RowOf<typeof columns>;
