// Appendix 2 — «Сведения на возмещение стоимости услуги индивидуального помощника», from the
// `transmission` report: what Е-Собес sends to АИС «ЦБД» for the month's lists. The form's
// columns in its order; the two identifiers of column 2 (provider, assistant) and the bank
// details of column 4 (БИК, IBAN) each take two cells under one header, so that every
// identifier stays a cell of its own (text in Excel, leading zeros kept).
import type { Column } from '../render/document.ts';
import type { TransmissionReport } from '../../schemas/reports/index.ts';
import { type FormFile, type FormInput, monthText, total } from './common.ts';

export const TRANSMISSION_FORM = 'Приложение 2 к Алгоритму взаимодействия';
export const TRANSMISSION_TITLE = 'Сведения на возмещение стоимости услуги индивидуального помощника';

const IDS = 'ИИН/БИН поставщика и индивидуального помощника';
const BANK = 'Банковские реквизиты поставщика';

export const TRANSMISSION_COLUMNS: Column[] = [
  { key: 'no', header: '№', type: 'count' },
  { key: 'provider_id', header: 'поставщика', type: 'text', group: IDS },
  { key: 'assistant_iin', header: 'индивидуального помощника', type: 'text', group: IDS },
  { key: 'pwd_iin', header: 'ИИН лица с инвалидностью', type: 'text' },
  { key: 'bik', header: 'БИК', type: 'text', group: BANK },
  { key: 'iban', header: 'ИИК (IBAN)', type: 'text', group: BANK },
  { key: 'service_month', header: 'Период оказания услуг (месяц)', type: 'month' },
  { key: 'provider_sum', header: 'Сумма на возмещение, тенге', type: 'amount' },
  { key: 'opv', header: 'Сумма на ОПВ, тенге', type: 'amount' },
  { key: 'osms', header: 'Сумма на ОСМС, тенге', type: 'amount' },
];

export function transmissionForm(doc: TransmissionReport, input: FormInput): FormFile[] {
  const { month, rows } = doc;
  const sumOf = (key: 'provider_sum' | 'opv' | 'osms') => total(rows.map((r) => r[key]));
  return [
    {
      baseName: input.baseName,
      personalData: true,
      document: {
        form: TRANSMISSION_FORM,
        title: TRANSMISSION_TITLE,
        period: `Месяц на выплату: ${monthText(month)} г.`,
        orientation: 'landscape',
        sections: [
          {
            name: 'Сведения на возмещение',
            heading: [`Получатель сведений: АИС «ЦБД»`, `Строк: ${rows.length}`],
            columns: TRANSMISSION_COLUMNS,
            rows,
            totals: { label: 'Итого', provider_sum: sumOf('provider_sum'), opv: sumOf('opv'), osms: sumOf('osms') },
            footer: rows.length === 0 ? [`Сведений за ${monthText(month)} г. нет.`] : [],
          },
        ],
      },
    },
  ];
}
