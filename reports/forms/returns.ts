// Returns received in the month (002 §17–20), from the `returns` report: every sum a bank sent
// back, why, and what became of it as of the report date — still waiting for new bank details,
// paid again, or sent back to the МИО; with the totals by status.
import type { Column } from '../render/document.ts';
import {
  type FormFile,
  type FormInput,
  type Json,
  amountText,
  arrayAt,
  dateText,
  expectForm,
  fail,
  monthOfDoc,
  monthText,
  optionalStringAt,
  stringAt,
  total,
  widened,
} from './common.ts';

export const RETURNS_FORM = 'Возвраты уполномоченных организаций (пп. 17–20 Алгоритма взаимодействия)';
export const RETURNS_TITLE = 'Возвраты сумм возмещения стоимости услуг индивидуального помощника уполномоченными организациями';

export const RETURN_STATUS_TEXT: Record<string, string> = {
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

export function returnsForm(doc: Json, input: FormInput): FormFile[] {
  const F = 'returns';
  expectForm(doc, F);
  const month = monthOfDoc(doc, F);
  const asOf = optionalStringAt(doc, 'as_of', F);
  const returns = arrayAt(doc, 'returns', F);

  const rows = returns.map((r, i) => {
    const status = stringAt(r, 'status', F);
    const code = stringAt(r, 'reason_code', F);
    const text = optionalStringAt(r, 'reason_text', F);
    return {
      no: i + 1,
      ref: stringAt(r, 'ref', F),
      mio_bin: optionalStringAt(r, 'mio_bin', F),
      provider_id: stringAt(r, 'provider_id', F),
      returned_on: stringAt(r, 'returned_on', F),
      reason: text ? `${code} — ${text}` : code,
      amount: stringAt(r, 'amount', F),
      status: RETURN_STATUS_TEXT[status] ?? fail(F, `unknown status ${JSON.stringify(status)}`),
      statusKey: status,
      repaid_ref: optionalStringAt(r, 'repaid_ref', F),
      repaid_on: optionalStringAt(r, 'repaid_on', F),
      sent_back_on: optionalStringAt(r, 'sent_back_on', F),
    };
  });
  const byStatus = Object.keys(RETURN_STATUS_TEXT).map((s) => {
    const of = rows.filter((r) => r.statusKey === s);
    return `${RETURN_STATUS_TEXT[s]}: ${of.length} на сумму ${amountText(total(of.map((r) => r.amount)))} тенге`;
  });
  const sum = total(rows.map((r) => r.amount));

  return [
    {
      baseName: input.baseName,
      personalData: true,
      document: {
        form: RETURNS_FORM,
        title: RETURNS_TITLE,
        period: `Возвраты за ${monthText(month)} г.${asOf ? `, состояние на ${dateText(asOf)}` : ''}`,
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
