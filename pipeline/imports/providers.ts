// `import providers`: a provider and its initial bank details, which become the first version
// in bank_details (source 'providers', changed_on = registered_on). A re-import is compared
// with both; changing a provider's details is a `bank-details` import, never an edit.
import type { Knex } from 'knex';
import { providerSchema, type ProviderRow } from '../../schemas/providers.ts';
import { insertInChunks } from '../kernel/bulk.ts';
import type { ImportKind } from './kind.ts';
import { existingValues, insertByNaturalKey } from './natural-keys.ts';
import { unknownBik } from './references.ts';

async function fetchProviders(trx: Knex.Transaction, keys: string[][]): Promise<Record<string, unknown>[]> {
  return trx('providers as p')
    .leftJoin('bank_details as bd', function () {
      this.on('bd.provider_id', '=', 'p.provider_id').andOn('bd.source', '=', trx.raw('?', ['providers']));
    })
    .whereIn(
      'p.provider_id',
      keys.map((k) => k[0]),
    )
    .select(
      'p.provider_id',
      'p.kind',
      'p.name',
      'p.registered_on',
      'p.deregistered_on',
      'p.deregistration_reason',
      trx.raw('p.sector::text as sector'),
      'p.batch_id',
      'bd.bik',
      'bd.iban',
    );
}

export const providersImport: ImportKind<ProviderRow> = {
  kind: 'providers',
  title: 'поставщики',
  schema: providerSchema,
  movesMoney: false,
  async apply(trx, rows, ctx) {
    const banks = await existingValues(trx, 'banks', 'bik', rows.map((r) => r.row.bik));
    return insertByNaturalKey(
      trx,
      {
        table: 'providers',
        key: ['provider_id'],
        keyTypes: ['bpchar'],
        noun: 'поставщик',
        toRecord: (r) => ({
          provider_id: r.provider_id,
          kind: r.kind,
          name: r.name,
          registered_on: r.registered_on,
          deregistered_on: r.deregistered_on,
          deregistration_reason: r.deregistration_reason,
          sector: r.sector,
          bik: r.bik,
          iban: r.iban,
        }),
        fetchExisting: fetchProviders,
        // De-registration (DOMAIN §10) arrives as the same provider row with deregistered_on
        // filled in; it is the one change a re-import may make, recorded in the audit trail.
        amend: {
          allows: (now, record, diff) =>
            !now.deregistered_on &&
            !!record.deregistered_on &&
            diff.every((c) => c === 'deregistered_on' || c === 'deregistration_reason'),
          async apply(t, items, c) {
            for (const { record, was } of items) {
              await t('providers')
                .where({ provider_id: record.provider_id })
                .whereNull('deregistered_on')
                .update({ deregistered_on: record.deregistered_on, deregistration_reason: record.deregistration_reason });
              await t('audit_events').insert({
                as_of: c.asOf,
                operator: c.operator,
                action: 'deregister provider',
                object: String(record.provider_id),
                details: JSON.stringify({
                  batch_id: c.batchId,
                  deregistered_on: record.deregistered_on,
                  reason: record.deregistration_reason,
                  previous: { deregistered_on: was.deregistered_on ?? null, reason: was.deregistration_reason ?? null },
                }),
              });
            }
          },
        },
        check: ({ row }) => (banks.has(row.bik) ? null : unknownBik('bik', row.bik)),
        async insert(t, items, c) {
          await insertInChunks(
            t,
            'providers',
            items.map(({ item: { row } }) => ({
              provider_id: row.provider_id,
              kind: row.kind,
              name: row.name,
              registered_on: row.registered_on,
              deregistered_on: row.deregistered_on,
              deregistration_reason: row.deregistration_reason,
              sector: row.sector === null ? null : Number(row.sector),
              batch_id: c.batchId,
            })),
          );
          await insertInChunks(
            t,
            'bank_details',
            items.map(({ item: { row } }) => ({
              provider_id: row.provider_id,
              bik: row.bik,
              iban: row.iban,
              changed_on: row.registered_on,
              source: 'providers',
              batch_id: c.batchId,
            })),
          );
        },
      },
      rows,
      ctx,
    );
  },
};
