// `import bank-details`: a provider's changed bank details, a new version in bank_details
// (source 'bank-details'). Versions are never updated: which details a payment went to stays
// as it was. A version dated before the provider's registration is refused.
import { bankDetailSchema, type BankDetailRow } from '../../schemas/bank-details.ts';
import type { ImportKind } from './kind.ts';
import { existingValues, insertByNaturalKey } from './natural-keys.ts';
import { unknownBik, unknownProvider } from './references.ts';

export const bankDetailsImport: ImportKind<BankDetailRow> = {
  kind: 'bank-details',
  title: 'банковские реквизиты',
  schema: bankDetailSchema,
  movesMoney: false,
  async apply(trx, rows, ctx) {
    const banks = await existingValues(trx, 'banks', 'bik', rows.map((r) => r.row.bik));
    const ids = [...new Set(rows.map((r) => r.row.provider_id))];
    const providers = new Map<string, string>(
      (await trx('providers').whereIn('provider_id', ids).select('provider_id', 'registered_on')).map(
        (p: { provider_id: string; registered_on: string }) => [p.provider_id, p.registered_on],
      ),
    );
    return insertByNaturalKey(
      trx,
      {
        table: 'bank_details',
        key: ['provider_id', 'changed_on'],
        keyTypes: ['bpchar', 'date'],
        compare: ['bik', 'iban'],
        noun: 'версия реквизитов',
        loadedWord: 'загружена',
        toRecord: (r) => ({ provider_id: r.provider_id, bik: r.bik, iban: r.iban, changed_on: r.changed_on, source: 'bank-details' }),
        check: ({ row }) => {
          const registeredOn = providers.get(row.provider_id);
          if (registeredOn === undefined) return unknownProvider('provider_id', row.provider_id);
          if (!banks.has(row.bik)) return unknownBik('bik', row.bik);
          if (row.changed_on < registeredOn) {
            return {
              field: 'changed_on',
              reason: `Дата изменения реквизитов ${row.changed_on} раньше регистрации поставщика ${registeredOn}`,
            };
          }
          return null;
        },
      },
      rows,
      ctx,
    );
  },
};
