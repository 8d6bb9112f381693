// Hand-built rows of report documents for the form tests (the forms read nothing but the JSON).
import type { ListRow } from '../../schemas/reports/index.ts';
import { personName, synthIin } from './ids.ts';

/** One row of an Appendix 1 list: G 53 632.00 split 47 196.16 + ОПВ 5 363.20 + ОСМС 1 072.64 (СО 2 413.44). */
export function listRow(no: number, over: Partial<ListRow> = {}): ListRow {
  return {
    no,
    oblast: 'г. Астана',
    region: 'район Есиль',
    pwd_iin: synthIin(),
    pwd_name: personName(),
    provider_id: synthIin(),
    provider_name: personName(),
    assistant_iin: synthIin(),
    assistant_name: personName(),
    order_no: `ЗК-${no}`,
    decision_no: `РШ-${no}`,
    act_no: `АВР-${no}`,
    received_on: '2025-02-05',
    service_month: '2025-01',
    guaranteed: '53632.00',
    provider_sum: '47196.16',
    opv: '5363.20',
    osms: '1072.64',
    so: '2413.44',
    ...over,
  };
}
