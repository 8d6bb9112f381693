// Appendix 2 — «Сведения на возмещение стоимости услуги индивидуального помощника», from the
// `transmission` report: what Е-Собес sends to АИС «ЦБД» for the month's lists, as the Algorithm's
// Appendix 2 prints it — exactly eight columns in its words, a row of their numbers (DOMAIN §6):
// the provider's and the assistant's identifiers share column 2 (one under the other), БИК and
// IBAN share column 4. The appendix has no header lines and no totals row; the month of the lists
// it belongs to is said in the page footer, outside the form.
//
// A row whose provider's bank details a bank return marked incorrect is marked as in Appendix 1:
// «**» beside its row number and the footnote under the table.
import type { Column } from '../render/document.ts';
import type { TransmissionReport } from '../../schemas/reports/index.ts';
import { FORM_WORD, type FormFile, type FormInput, appendixLabel, monthYearText } from './common.ts';
import { INCORRECT_FOOTNOTE, INCORRECT_MARK } from './list.ts';

export const TRANSMISSION_FORM = appendixLabel(2);
export const TRANSMISSION_TITLE = 'Сведения на возмещение стоимости услуги индивидуального помощника';

export const TRANSMISSION_COLUMNS: Column[] = [
  { key: 'no', header: '№', type: 'count' },
  {
    key: 'ids',
    header: 'Индивидуальный идентификационный номер или бизнес-идентификационный номер поставщика и индивидуального помощника',
    type: 'text',
  },
  { key: 'pwd_iin', header: 'Индивидуальный идентификационный номер лица с инвалидностью', type: 'text' },
  { key: 'bank', header: 'Банковские реквизиты поставщика', type: 'text' },
  { key: 'service_month', header: 'Период оказания услуг (месяц)', type: 'month' },
  { key: 'provider_sum', header: 'Сумма на возмещение', type: 'amount' },
  { key: 'opv', header: 'Сумма на ОПВ', type: 'amount' },
  { key: 'osms', header: 'Сумма на ОСМС', type: 'amount' },
];

export function transmissionForm(doc: TransmissionReport, input: FormInput): FormFile[] {
  const { month, rows } = doc;
  const cells = rows.map((r) => ({
    no: r.no,
    ids: `${r.provider_id}\n${r.assistant_iin}`,
    pwd_iin: r.pwd_iin,
    bank: `${r.bik}\n${r.iban}`,
    service_month: r.service_month,
    provider_sum: r.provider_sum,
    opv: r.opv,
    osms: r.osms,
    bank_details_incorrect: r.bank_details_incorrect === true,
  }));
  const marked = cells.some((r) => r.bank_details_incorrect);
  return [
    {
      baseName: input.baseName,
      personalData: true,
      document: {
        form: TRANSMISSION_FORM,
        formWord: FORM_WORD,
        title: TRANSMISSION_TITLE,
        period: '',
        note: `К спискам на выплату: ${monthYearText(month)}${rows.length === 0 ? ' — сведений нет' : `, строк: ${rows.length}`}`,
        orientation: 'landscape',
        sections: [
          {
            name: 'Сведения на возмещение',
            heading: [],
            columns: TRANSMISSION_COLUMNS,
            numberRow: true,
            rows: cells,
            marks: { key: 'bank_details_incorrect', sign: INCORRECT_MARK },
            footer: marked ? [INCORRECT_FOOTNOTE] : [],
          },
        ],
      },
    },
  ];
}
