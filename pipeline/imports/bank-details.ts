// `import bank-details`: a provider's changed bank details, a new version in bank_details
// (source 'bank-details'). Versions are never updated: which details a payment went to stays
// as it was. A version dated before the provider's registration is refused, and so are (DOMAIN
// §10) a version dated after the import's as-of date and a change to the very account that was
// just returned: the account of the provider's latest bank return (the version a return marked
// incorrect most recently) — the money would bounce again.
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
    // The account of each provider's latest bank return recorded up to the import date.
    const returned = new Map<string, { iban: string; changed_on: string; marked_on: string }>();
    if (ids.length > 0) {
      const { rows: found } = await trx.raw(
        `select distinct on (b.provider_id) b.provider_id, b.iban, b.changed_on::text as changed_on, e.event_date::text as marked_on
           from bank_detail_events e
           join bank_details b on b.id = e.bank_detail_id
          where e.status = 'incorrect' and e.event_date <= :asOf and b.provider_id = any(:ids::bpchar[])
          order by b.provider_id, e.event_date desc, e.id desc`,
        { ids, asOf: ctx.asOf },
      );
      for (const r of found as { provider_id: string; iban: string; changed_on: string; marked_on: string }[]) returned.set(r.provider_id, r);
    }
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
          if (row.changed_on > ctx.asOf) {
            return {
              field: 'changed_on',
              reason: `Дата изменения реквизитов ${row.changed_on} позже рабочей даты загрузки ${ctx.asOf}: реквизиты будущей датой не принимаются`,
            };
          }
          const bounced = returned.get(row.provider_id);
          if (bounced !== undefined && bounced.iban === row.iban) {
            return {
              field: 'iban',
              reason:
                `Счёт ${row.iban} — тот, на который банк вернул платёж (реквизиты от ${bounced.changed_on} признаны ` +
                `некорректными ${bounced.marked_on}): деньги вернутся снова, укажите другой счёт`,
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
