// Returns received in the month (002 §17–20), from the `returns` report: every sum a bank sent
// back, why, and what became of it as of the report date — still waiting for new bank details,
// paid again, or sent back to the МИО; with the totals by status.
import type { Column } from '../render/document.ts';
import type { ReturnDoc, ReturnsReport } from '../../schemas/reports/index.ts';
import { type FormFile, type FormInput, amountText, dateText, monthText, total, widened } from './common.ts';

export const RETURNS_FORM = 'Возвраты уполномоченных организаций (пп. 17–20 Алгоритма взаимодействия)';
export const RETURNS_TITLE = 'Возвраты сумм возмещения стоимости услуг индивидуального помощника уполномоченными организациями';

export const RETURN_STATUS_TEXT: Record<ReturnDoc['status'], string> = {
  pending: 'Ожидает повторной выплаты',
  repaid: 'Выплачено повторно',
  sent_back: 'Возвращено МИО',
};

export const RETURNS_COLUMNS: Column[] = [
  { key: 'no', header: '№', type: 'count' },
  { key: 'ref', header: 'Референс платежа', type: 'text' },
  { key: 'mio_bin', header: 'БИН МИО', type: 'text' },
  { key: 'provider_id', header: 'ИИН/БИН поставщика', type: 'text' },
  { key: 'returned_on', header: 'Дата возврата', type: 'date' },
  { key: 'reason', header: 'Причина возврата', type: 'text' },
  { key: 'amount', header: 'Сумма, тенге', type: 'amount' },
  { key: 'status', header: 'Состояние', type: 'text' },
  { key: 'repaid_ref', header: 'Референс повторной выплаты', type: 'text' },
  { key: 'repaid_on', header: 'Дата повторной выплаты', type: 'date' },
  { key: 'sent_back_on', header: 'Дата возврата МИО', type: 'date' },
];

export function returnsForm(doc: ReturnsReport, input: FormInput): FormFile[] {
  const { month, as_of: asOf, returns } = doc;
  const rows = returns.map((r, i) => ({
    no: i + 1,
    ref: r.ref,
    mio_bin: r.mio_bin,
    provider_id: r.provider_id,
    returned_on: r.returned_on,
    reason: r.reason_text ? `${r.reason_code} — ${r.reason_text}` : r.reason_code,
    amount: r.amount,
    status: RETURN_STATUS_TEXT[r.status],
    statusKey: r.status,
    repaid_ref: r.repaid_ref,
    repaid_on: r.repaid_on,
    sent_back_on: r.sent_back_on,
  }));
  const byStatus = Object.entries(RETURN_STATUS_TEXT).map(([s, text]) => {
    const of = rows.filter((r) => r.statusKey === s);
    return `${text}: ${of.length} на сумму ${amountText(total(of.map((r) => r.amount)))} тенге`;
  });
  const sum = total(rows.map((r) => r.amount));

  return [
    {
      baseName: input.baseName,
      personalData: true,
      document: {
        form: RETURNS_FORM,
        title: RETURNS_TITLE,
        period: `Возвраты за ${monthText(month)} г., состояние на ${dateText(asOf)}`,
        orientation: 'landscape',
        sections: [
          {
            name: 'Возвраты',
            heading: [`Возвратов: ${rows.length}`],
            columns: widened(RETURNS_COLUMNS, rows, ['reason']),
            rows,
            totals: { label: 'Итого', amount: sum },
            footer: rows.length === 0 ? [`Возвратов за ${monthText(month)} г. нет.`] : byStatus,
          },
        ],
      },
    },
  ];
}
