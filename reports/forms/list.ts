// Appendix 1 — «Список по актам выполненных работ на выплату возмещения стоимости услуг
// индивидуального помощника через Государственную корпорацию», from the `list` report: one
// section (sheet, PDF part) per МИО, the 18 columns of the form in its order with the column
// numbers under the header, the totals row; then, when there are any, the accepted acts this
// list did not take, with the reason. The rows are handed to the renderer as they are in the
// JSON document (no copy): a 50 000-row list streams into the XLSX and is cut into PDF volumes.
import type { Column, Section } from '../render/document.ts';
import type { ListReport } from '../../schemas/reports/index.ts';
import { type FormFile, type FormInput, monthText, widened } from './common.ts';

export const LIST_FORM = 'Приложение 1 к Алгоритму взаимодействия';
export const LIST_TITLE =
  'Список по актам выполненных работ на выплату возмещения стоимости услуг индивидуального помощника через Государственную корпорацию';

/** The 18 columns of Appendix 1, in the form's order; keys are the `list` report's row fields. */
export const LIST_COLUMNS: Column[] = [
  { key: 'no', header: '№', type: 'count' },
  { key: 'oblast', header: 'Область', type: 'text' },
  { key: 'region', header: 'Регион', type: 'text' },
  { key: 'pwd_iin', header: 'ИИН ЛСИ', type: 'text' },
  { key: 'pwd_name', header: 'ФИО ЛСИ', type: 'text' },
  { key: 'provider_id', header: 'БИН НПО/ ИИН ИП/ поставщика', type: 'text' },
  { key: 'provider_name', header: 'Наименование НПО/ИП/ ФИО поставщика', type: 'text' },
  { key: 'assistant_iin', header: 'ИИН помощника', type: 'text' },
  { key: 'assistant_name', header: 'ФИО помощника', type: 'text' },
  { key: 'order_no', header: 'Номер заказа', type: 'text' },
  { key: 'decision_no', header: 'Номер решения', type: 'text' },
  { key: 'act_no', header: 'Номер акта', type: 'text' },
  { key: 'received_on', header: 'Дата поступления акта', type: 'date' },
  { key: 'service_month', header: 'Месяц акта', type: 'month' },
  { key: 'guaranteed', header: 'Гарантированная сумма, тенге', type: 'amount' },
  { key: 'provider_sum', header: 'из них сумма поставщику, тенге', type: 'amount' },
  { key: 'opv', header: 'на обязательные пенсионные взносы (ОПВ), тенге', type: 'amount' },
  { key: 'osms', header: 'на обязательное социальное медицинское страхование (ОСМС), тенге', type: 'amount' },
];

export const HELD_COLUMNS: Column[] = [
  { key: 'no', header: '№', type: 'count' },
  { key: 'provider_id', header: 'БИН НПО/ ИИН ИП/ поставщика', type: 'text' },
  { key: 'act_no', header: 'Номер акта', type: 'text' },
  { key: 'reason', header: 'Причина', type: 'text' },
];

const FOOTNOTE = '* ЛСИ – лицо с инвалидностью';
const AMOUNT_KEYS = ['guaranteed', 'provider_sum', 'opv', 'osms'] as const;

export function listForm(doc: ListReport, input: FormInput): FormFile[] {
  const { month, divisions, held } = doc;
  const sections: Section[] = divisions.map((d) => {
    const bin = d.mio_bin;
    const oblasts = new Set(d.rows.map((r) => r.oblast));
    return {
      name: oblasts.size === 1 ? `${[...oblasts][0]} ${bin}` : `МИО ${bin}`,
      heading: [`Подразделение: ${d.mio_name}`],
      columns: LIST_COLUMNS,
      numberRow: true,
      rows: d.rows,
      totals: { label: 'Итого', ...Object.fromEntries(AMOUNT_KEYS.map((k) => [k, d.totals[k]])) },
      footer: [FOOTNOTE],
    };
  });
  if (sections.length === 0) {
    sections.push({
      name: 'Список',
      heading: ['Подразделение: —'],
      columns: LIST_COLUMNS,
      numberRow: true,
      rows: [],
      totals: { label: 'Итого', guaranteed: '0.00', provider_sum: '0.00', opv: '0.00', osms: '0.00' },
      footer: [`Списков за ${monthText(month)} г. нет.`],
    });
  }
  if (held.length > 0) {
    const heldRows = held.map((h, i) => ({ no: i + 1, provider_id: h.provider_id, act_no: h.act_no, reason: h.reason }));
    sections.push({
      name: 'Не включены в список',
      heading: ['Принятые акты, не включённые в список, и причина'],
      columns: widened(HELD_COLUMNS, heldRows, ['reason']),
      rows: heldRows,
    });
  }
  return [
    {
      baseName: input.baseName,
      personalData: true,
      document: {
        form: LIST_FORM,
        title: LIST_TITLE,
        period: `Месяц на выплату: ${monthText(month)} г.`,
        orientation: 'landscape',
        sections,
      },
    },
  ];
}
