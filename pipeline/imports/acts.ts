// `import acts`: accepted acts of completed work. Beyond the row format (schemas/acts.ts):
// a known provider and МИО, a service month inside the provider's registration (DOMAIN §10: not
// before the month of registration, not after the month of de-registration), hours within 8 a
// day of the days the provider was registered in that month (both the registration and the
// de-registration day count), for kind `assistant` the assistant being the provider (DOMAIN §2:
// the contributions are registered to the person paid), rates loaded for the service month's
// year and no date after the import's as-of date (DOMAIN §10: such an act is rejected here rather
// than block every МИО's list), and one act per (provider, ЛСИ, assistant, service month),
// against the database and within the file.
// Everything is fetched per chunk in a handful of queries, never per row.
import type { Knex } from 'knex';
import Big from 'big.js';
import { actSchema, MAX_HOURS_PER_DAY, type ActRow } from '../../schemas/acts.ts';
import { daysBetween, firstDayOfMonth, lastDayOfMonth } from '../kernel/dates.ts';
import { loadRates } from '../kernel/reference.ts';
import type { ProviderKind } from '../kernel/reference-files.ts';
import type { ImportKind } from './kind.ts';
import { existingValues, insertByNaturalKey, keysIn } from './natural-keys.ts';
import { unknownMio, unknownProvider } from './references.ts';

interface Registration {
  kind: ProviderKind;
  registered_on: string;
  deregistered_on: string | null;
}

/** The days of the service month the provider was registered (registration and de-registration day included). */
export function registeredDays(reg: Pick<Registration, 'registered_on' | 'deregistered_on'>, serviceMonth: string): number {
  const first = firstDayOfMonth(serviceMonth);
  const last = lastDayOfMonth(serviceMonth);
  const from = reg.registered_on > first ? reg.registered_on : first;
  const through = reg.deregistered_on !== null && reg.deregistered_on < last ? reg.deregistered_on : last;
  return from > through ? 0 : daysBetween(from, through) + 1;
}

const serviceKey = (r: { provider_id: string; pwd_iin: string; assistant_iin: string; service_month: string }) =>
  `${r.provider_id}|${r.pwd_iin}|${r.assistant_iin}|${r.service_month}`;

async function registrations(trx: Knex.Transaction, ids: string[]): Promise<Map<string, Registration>> {
  const rows: (Registration & { provider_id: string })[] = await trx('providers')
    .whereRaw('provider_id = any(?::bpchar[])', [[...new Set(ids)]])
    .select('provider_id', 'kind', 'registered_on', 'deregistered_on');
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
    const rateYears = new Set((await loadRates(trx)).map((r) => Number(r.year)));
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
          if (reg.kind === 'assistant' && row.assistant_iin !== row.provider_id) {
            return {
              field: 'assistant_iin',
              reason:
                `ИИН помощника ${row.assistant_iin} не совпадает с ИИН поставщика ${row.provider_id}: поставщик вида «помощник» ` +
                `оказывает услуги сам, иначе взносы были бы учтены за другого человека`,
            };
          }
          if (!rateYears.has(Number(row.service_month.slice(0, 4)))) {
            return {
              field: 'service_month',
              reason: `Для ${row.service_month.slice(0, 4)} года не загружены показатели (МРП, МЗП, ставки взносов): акт за ${row.service_month} не может быть рассчитан`,
            };
          }
          for (const [field, label] of [['received_on', 'поступления'], ['accepted_on', 'принятия']] as const) {
            if (row[field] > ctx.asOf) {
              return { field, reason: `Дата ${label} акта ${row[field]} позже рабочей даты загрузки ${ctx.asOf}` };
            }
          }
          const days = registeredDays(reg, row.service_month);
          const limit = MAX_HOURS_PER_DAY * days;
          if (new Big(row.hours).gt(limit)) {
            return {
              field: 'hours',
              reason:
                `Часы: ${row.hours} больше ${limit} (не более ${MAX_HOURS_PER_DAY} часов в день × ${days} дн. месяца ${row.service_month}, ` +
                `когда поставщик состоял на учёте: регистрация ${reg.registered_on}` +
                (reg.deregistered_on !== null ? `, снятие с учёта ${reg.deregistered_on})` : ')'),
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
