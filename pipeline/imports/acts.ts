// `import acts`: accepted acts of completed work. Beyond the row format (schemas/acts.ts):
// a known provider and МИО, a service month inside the provider's registration (DOMAIN §10: not
// before the month of registration, not after the month of de-registration), and one act per
// (provider, ЛСИ, assistant, service month), against the database and within the file.
// Everything is fetched per chunk in a handful of queries, never per row.
import type { Knex } from 'knex';
import { actSchema, type ActRow } from '../../schemas/acts.ts';
import type { ImportKind } from './kind.ts';
import { existingValues, insertByNaturalKey, keysIn } from './natural-keys.ts';
import { unknownMio, unknownProvider } from './references.ts';

interface Registration {
  registered_on: string;
  deregistered_on: string | null;
}

const serviceKey = (r: { provider_id: string; pwd_iin: string; assistant_iin: string; service_month: string }) =>
  `${r.provider_id}|${r.pwd_iin}|${r.assistant_iin}|${r.service_month}`;

async function registrations(trx: Knex.Transaction, ids: string[]): Promise<Map<string, Registration>> {
  const rows: (Registration & { provider_id: string })[] = await trx('providers')
    .whereRaw('provider_id = any(?::bpchar[])', [[...new Set(ids)]])
    .select('provider_id', 'registered_on', 'deregistered_on');
  return new Map(rows.map((r) => [r.provider_id, r]));
}

/** Acts already stored for the (provider, ЛСИ, assistant, month) of the chunk: key → act_no. */
async function actsForService(trx: Knex.Transaction, rows: ActRow[]): Promise<Map<string, string>> {
  const tuples = [...new Map(rows.map((r) => [serviceKey(r), [r.provider_id, r.pwd_iin, r.assistant_iin, r.service_month]])).values()];
  const found: (ActRow & { act_no: string })[] = await trx('acts')
    .where(keysIn(trx, ['provider_id', 'pwd_iin', 'assistant_iin', 'service_month'], ['bpchar', 'bpchar', 'bpchar', 'bpchar'], tuples))
    .select('provider_id', 'pwd_iin', 'assistant_iin', 'service_month', 'act_no');
  return new Map(found.map((a) => [serviceKey(a), a.act_no]));
}

export const actsImport: ImportKind<ActRow> = {
  kind: 'acts',
  title: 'акты',
  schema: actSchema,
  movesMoney: false,
  async apply(trx, rows, ctx) {
    if (rows.length === 0) return { accepted: 0, duplicates: 0, rejected: [] };
    const plain = rows.map((r) => r.row);
    const providers = await registrations(trx, plain.map((r) => r.provider_id));
    const mios = await existingValues(trx, 'mios', 'mio_bin', plain.map((r) => r.mio_bin));
    // One act per service: the stored acts, then the acts of this chunk as they are taken.
    const services = await actsForService(trx, plain);
    return insertByNaturalKey(
      trx,
      {
        table: 'acts',
        key: ['provider_id', 'act_no'],
        keyTypes: ['bpchar', 'text'],
        noun: 'акт',
        toRecord: (r) => ({ ...r }),
        check: ({ row }) => {
          const reg = providers.get(row.provider_id);
          if (!reg) return unknownProvider('provider_id', row.provider_id);
          if (!mios.has(row.mio_bin)) return unknownMio('mio_bin', row.mio_bin);
          const from = reg.registered_on.slice(0, 7);
          if (row.service_month < from) {
            return {
              field: 'service_month',
              reason: `Месяц оказания услуг ${row.service_month} раньше регистрации поставщика ${row.provider_id} (${reg.registered_on})`,
            };
          }
          if (reg.deregistered_on !== null && row.service_month > reg.deregistered_on.slice(0, 7)) {
            return {
              field: 'service_month',
              reason:
                `Месяц оказания услуг ${row.service_month} позже снятия поставщика ${row.provider_id} с учёта ` +
                `(${reg.deregistered_on}): акт за месяц после снятия не принимается`,
            };
          }
          const other = services.get(serviceKey(row));
          if (other !== undefined && other !== row.act_no) {
            return {
              field: 'act_no',
              reason:
                `Второй акт за тот же месяц ${row.service_month} по тому же поставщику, ЛСИ и помощнику: ` +
                `уже есть акт № ${other}. Допускается один акт в месяц`,
            };
          }
          services.set(serviceKey(row), row.act_no);
          return null;
        },
      },
      rows,
      ctx,
    );
  },
};
