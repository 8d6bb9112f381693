// `payouts import providers`: providers registered on the portal, with their initial bank details.
import { bik, date, iban, idNumber, importSchema, oneOf, optional, text, type RowOf } from './fields.ts';

export const PROVIDER_KINDS = ['assistant', 'entrepreneur', 'legal_entity'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

const columns = {
  provider_id: idNumber('ИИН/БИН поставщика'),
  kind: oneOf('Вид поставщика', PROVIDER_KINDS),
  name: text('Наименование или ФИО поставщика'),
  bik: bik('БИК банка поставщика'),
  iban: iban('IBAN поставщика'),
  registered_on: date('Дата регистрации'),
  deregistered_on: optional(date('Дата снятия с учёта')),
  deregistration_reason: optional(text('Причина снятия с учёта')),
  // The economic sector of a legal entity, the second digit of its КБе (DOMAIN §7); empty: 8.
  sector: optional(text('Сектор экономики (вторая цифра КБе)', 1)),
};

export const providerSchema = importSchema(columns, ['provider_id'], (row, issue) => {
  if (row.deregistered_on !== null && row.deregistered_on < row.registered_on) {
    issue(
      'deregistered_on',
      `Дата снятия с учёта ${row.deregistered_on} раньше даты регистрации ${row.registered_on}`,
    );
  }
  if (row.deregistered_on === null && row.deregistration_reason !== null) {
    issue('deregistered_on', 'Указана причина снятия с учёта, но нет даты снятия');
  }
  if (row.sector !== null) {
    if (!/^[1-9]$/.test(row.sector)) issue('sector', `«${row.sector}»: сектор экономики — одна цифра от 1 до 9`);
    else if (row.kind !== 'legal_entity' && row.sector !== '9') {
      issue('sector', `Сектор ${row.sector} указан для ${row.kind === 'assistant' ? 'физического лица' : 'ИП'}: это домашнее хозяйство, сектор 9 (КБе 19)`);
    }
  }
});
export type ProviderRow = RowOf<typeof columns>;
