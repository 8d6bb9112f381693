// The demand (потребность, 002 §12–13) and the demand request to each МИО (заявка о сумме
// потребности, 002 §14), from the `demand` report:
//   demand_<month>                 the demands formed in the month, one row per МИО, with what is
//                                  funded and open; and the demands by period of service
//   demand-request_<month>_<БИН>   one letter per МИО, dated the request's date with its outgoing
//                                  number: the periods, the sum in figures and in words, ГК's
//                                  account to transfer to (БИК, IBAN, КБе, КНП) and by when
import type { Column, Section } from '../render/document.ts';
import type { DemandReport } from '../../schemas/reports/index.ts';
import { type FormFile, type FormInput, GK_NAME, dateText, inMonthText, mioLabel, monthText, signature, total, totalInWordsLine, widened } from './common.ts';

export const DEMAND_FORM = 'Потребность (пп. 12–13 Алгоритма взаимодействия)';
export const DEMAND_TITLE = 'Потребность в средствах на выплату возмещения стоимости услуг индивидуального помощника';
export const REQUEST_FORM = 'Заявка о сумме потребности (п. 14 Алгоритма взаимодействия)';
export const REQUEST_TITLE = 'Заявка о сумме потребности на выплату возмещения стоимости услуг индивидуального помощника';

export const DEMAND_COLUMNS: Column[] = [
  { key: 'no', header: '№', type: 'count' },
  { key: 'mio_bin', header: 'БИН МИО', type: 'text' },
  { key: 'mio_name', header: 'Наименование МИО', type: 'text' },
  { key: 'formed_on', header: 'Дата формирования', type: 'date' },
  { key: 'request_due', header: 'Срок направления заявки', type: 'date' },
  { key: 'funding_due', header: 'Срок перечисления средств', type: 'date' },
  { key: 'rows', header: 'Количество строк', type: 'count' },
  { key: 'amount', header: 'Сумма потребности, тенге', type: 'amount' },
  { key: 'funded', header: 'Профинансировано, тенге', type: 'amount' },
  { key: 'open', header: 'Не профинансировано, тенге', type: 'amount' },
];

export const DEMAND_PERIOD_COLUMNS: Column[] = [
  { key: 'no', header: '№', type: 'count' },
  { key: 'mio_bin', header: 'БИН МИО', type: 'text' },
  { key: 'mio_name', header: 'Наименование МИО', type: 'text' },
  { key: 'service_month', header: 'Период оказания услуг (месяц)', type: 'month' },
  { key: 'rows', header: 'Количество строк', type: 'count' },
  { key: 'amount', header: 'Сумма, тенге', type: 'amount' },
];

export const REQUEST_COLUMNS: Column[] = [
  { key: 'no', header: '№', type: 'count' },
  { key: 'period', header: 'Период оказания услуг', type: 'text' },
  { key: 'rows', header: 'Количество строк', type: 'count' },
  { key: 'amount', header: 'Сумма, тенге', type: 'amount' },
];

export function demandForm(doc: DemandReport, input: FormInput): FormFile[] {
  const { month, demands } = doc;
  const letters = new Map(demands.map((d) => [d.mio_bin, d]));
  const summary = demands.map((d, i) => ({
    no: i + 1,
    mio_bin: d.mio_bin,
    mio_name: d.mio_name,
    formed_on: d.formed_on,
    request_due: d.request_due,
    funding_due: d.funding_due,
    rows: d.rows,
    amount: d.amount,
    funded: d.funded,
    open: d.open,
  }));
  const periodRows = demands.flatMap((d) =>
    d.periods.map((p) => ({ mio_bin: d.mio_bin, mio_name: d.mio_name, service_month: p.service_month, rows: p.rows, amount: p.amount })),
  );
  const sections: Section[] = [
    {
      name: 'Потребность',
      heading: [`Потребность по МИО, сформированная ${inMonthText(month)}`],
      columns: widened(DEMAND_COLUMNS, summary, ['mio_name']),
      rows: summary,
      totals: {
        label: 'Итого',
        rows: summary.reduce((a, r) => a + r.rows, 0),
        amount: total(summary.map((r) => r.amount)),
        funded: total(summary.map((r) => r.funded)),
        open: total(summary.map((r) => r.open)),
      },
      footer: summary.length === 0 ? ['Потребность в этом месяце не формировалась.'] : [],
    },
    {
      name: 'По периодам',
      heading: ['Потребность по периодам оказания услуг'],
      columns: widened(DEMAND_PERIOD_COLUMNS, periodRows, ['mio_name']),
      rows: periodRows.map((r, i) => ({ no: i + 1, ...r })),
      totals: { label: 'Итого', rows: periodRows.reduce((a, r) => a + r.rows, 0), amount: total(periodRows.map((r) => r.amount)) },
    },
  ];

  const files: FormFile[] = [
    {
      baseName: input.baseName,
      personalData: false,
      document: { form: DEMAND_FORM, title: DEMAND_TITLE, period: `Месяц формирования: ${monthText(month)} г.`, orientation: 'landscape', sections },
    },
  ];
  for (const d of summary) {
    const periods = periodRows.filter((p) => p.mio_bin === d.mio_bin);
    const letter = letters.get(d.mio_bin)!;
    const requestDate = letter.request_on ?? d.formed_on;
    const payee = doc.payee;
    files.push({
      baseName: `demand-request_${month}_${d.mio_bin}`,
      personalData: false,
      document: {
        form: REQUEST_FORM,
        title: REQUEST_TITLE,
        period: `Исх. № ${letter.request_no ?? 'б/н'} от ${dateText(requestDate)}`,
        orientation: 'portrait',
        sections: [
          {
            name: 'Заявка',
            heading: [
              `Кому: ${mioLabel(d.mio_bin, d.mio_name)}`,
              `От кого: ${payee?.name ?? GK_NAME}`,
              `Потребность сформирована ${dateText(d.formed_on)} за ${monthText(month)} г.`,
            ],
            columns: REQUEST_COLUMNS,
            rows: periods.map((p, i) => ({ no: i + 1, period: `${monthText(p.service_month)} г.`, rows: p.rows, amount: p.amount })),
            totals: { label: 'Итого', rows: d.rows, amount: d.amount },
            footer: [
              totalInWordsLine('Сумма потребности:', d.amount),
              `Просим перечислить указанную сумму в ${payee?.name ?? GK_NAME} не позднее ${dateText(d.funding_due)} ` +
                '(в течение двух рабочих дней со дня получения заявки, п. 15 Алгоритма взаимодействия).',
              ...(payee
                ? [
                    `Реквизиты для перечисления: ${payee.name}, БИН ${payee.bin}, ИИК ${payee.iban}, БИК ${payee.bik}, ` +
                      `КБе ${payee.kbe}, КНП ${payee.knp}.`,
                  ]
                : []),
            ],
            signatures: [signature(GK_NAME)],
          },
        ],
      },
    });
  }
  return files;
}
