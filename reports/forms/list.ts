// Appendix 1 — «Список по актам выполненных работ на выплату возмещения стоимости услуг
// индивидуального помощника через Государственную корпорацию», from the `list` report, as the
// Algorithm's Appendix 1 prints it: the label and «Форма», the title, «Подразделение» then
// «Месяц на выплату», the 18 columns in its words with «из них» over 16–18, the row of column
// numbers, the rows, a totals row (DOMAIN §6 allows it) and the footnote «* ЛСИ - лицо с
// инвалидностью». One section (sheet, PDF pages with their own numbering) per МИО.
//
// A row whose provider's bank details a bank return marked incorrect is listed (DOMAIN §4, §6)
// and marked the way the appendix itself marks things: a footnote sign «**» beside its row number
// and the footnote under the table; no column is added.
//
// What the pipeline adds for people — the accepted acts this list did not take, with the reason —
// is a separate document, `list-held_<month>[_<БИН>]` («Принятые акты, не включённые в список»),
// written by the same `report list` beside the form.
// The rows are handed to the renderer as they are in the JSON document (no copy): a 50 000-row
// list streams into the XLSX and is cut into PDF volumes.
import type { Column, Section } from '../render/document.ts';
import type { ListReport } from '../../schemas/reports/index.ts';
import { FORM_WORD, type FormFile, type FormInput, appendixLabel, monthText, monthYearText, siblingBaseName, widened } from './common.ts';

export const LIST_FORM = appendixLabel(1);
export const LIST_TITLE =
  'Список по актам выполненных работ на выплату возмещения стоимости услуг индивидуального помощника через Государственную корпорацию';
export const HELD_TITLE = 'Принятые акты выполненных работ, не включённые в список, и причина';

const OF_THEM = 'из них';

/** The 18 columns of Appendix 1, in the form's order and words; keys are the `list` report's row fields. */
export const LIST_COLUMNS: Column[] = [
  { key: 'no', header: '№', type: 'count' },
  { key: 'oblast', header: 'Область', type: 'text' },
  { key: 'region', header: 'Регион', type: 'text' },
  { key: 'pwd_iin', header: 'ИИН ЛСИ', type: 'text' },
  { key: 'pwd_name', header: 'ФИО ЛСИ', type: 'text' },
  { key: 'provider_id', header: 'БИН НПО/ИИН ИП/поставщика', type: 'text' },
  { key: 'provider_name', header: 'Наименование НПО/ИП/ФИО поставщика', type: 'text' },
  { key: 'assistant_iin', header: 'ИИН помощника', type: 'text' },
  { key: 'assistant_name', header: 'ФИО помощника', type: 'text' },
  { key: 'order_no', header: 'Номер заказа', type: 'text' },
  { key: 'decision_no', header: 'Номер решения', type: 'text' },
  { key: 'act_no', header: 'Номер акта', type: 'text' },
  { key: 'received_on', header: 'Дата поступления акта', type: 'date' },
  { key: 'service_month', header: 'Месяц акта', type: 'month' },
  { key: 'guaranteed', header: 'Гарантированная сумма, тенге', type: 'amount' },
  { key: 'provider_sum', header: 'сумма поставщику, тенге', type: 'amount', group: OF_THEM },
  { key: 'opv', header: 'на обязательные пенсионные взносы (ОПВ), тенге', type: 'amount', group: OF_THEM },
  { key: 'osms', header: 'на обязательное социальное медицинское страхование (ОСМС), тенге', type: 'amount', group: OF_THEM },
];

export const HELD_COLUMNS: Column[] = [
  { key: 'no', header: '№', type: 'count' },
  { key: 'provider_id', header: 'БИН НПО/ИИН ИП/поставщика', type: 'text' },
  { key: 'act_no', header: 'Номер акта', type: 'text' },
  { key: 'reason', header: 'Причина', type: 'text' },
];

export const LIST_FOOTNOTE = '* ЛСИ - лицо с инвалидностью';
/** The sign beside the row number of a provider whose bank details are marked incorrect. */
export const INCORRECT_MARK = '**';
export const INCORRECT_FOOTNOTE = `${INCORRECT_MARK} Банковские реквизиты поставщика отмечены как неверные по возврату уполномоченной организации: сумма будет выплачена после их изменения поставщиком.`;
const AMOUNT_KEYS = ['guaranteed', 'provider_sum', 'opv', 'osms'] as const;

export function listForm(doc: ListReport, input: FormInput): FormFile[] {
  const { month, divisions, held } = doc;
  const payMonth = `Месяц на выплату: ${monthYearText(month)}`;
  const sections: Section[] = divisions.map((d) => {
    const bin = d.mio_bin;
    const oblasts = new Set(d.rows.map((r) => r.oblast));
    const marked = d.rows.some((r) => r.bank_details_incorrect === true);
    return {
      name: oblasts.size === 1 ? `${[...oblasts][0]} ${bin}` : `МИО ${bin}`,
      heading: [`Подразделение: ${d.mio_name}`, payMonth],
      columns: LIST_COLUMNS,
      numberRow: true,
      rows: d.rows,
      marks: { key: 'bank_details_incorrect', sign: INCORRECT_MARK },
      totals: { label: 'Итого', ...Object.fromEntries(AMOUNT_KEYS.map((k) => [k, d.totals[k]])) },
      footer: marked ? [LIST_FOOTNOTE, INCORRECT_FOOTNOTE] : [LIST_FOOTNOTE],
    };
  });
  if (sections.length === 0) {
    sections.push({
      name: 'Список',
      heading: ['Подразделение: —', payMonth],
      columns: LIST_COLUMNS,
      numberRow: true,
      rows: [],
      totals: { label: 'Итого', guaranteed: '0.00', provider_sum: '0.00', opv: '0.00', osms: '0.00' },
      footer: [LIST_FOOTNOTE],
    });
  }
  const files: FormFile[] = [
    {
      baseName: input.baseName,
      personalData: true,
      document: {
        form: LIST_FORM,
        formWord: FORM_WORD,
        title: LIST_TITLE,
        period: '',
        note: divisions.length === 0 ? `Списков за ${monthText(month)} г. нет.` : undefined,
        orientation: 'landscape',
        sections,
      },
    },
  ];
  if (held.length > 0) {
    const heldRows = held.map((h, i) => ({ no: i + 1, provider_id: h.provider_id, act_no: h.act_no, reason: h.reason }));
    files.push({
      baseName: siblingBaseName(input.baseName, 'list', 'list-held'),
      personalData: true,
      document: {
        form: 'К списку по актам выполненных работ (Приложение 1 к Алгоритму взаимодействия)',
        title: HELD_TITLE,
        period: `Месяц на выплату: ${monthYearText(month)}`,
        orientation: 'landscape',
        sections: [{ name: 'Не включены в список', heading: [], columns: widened(HELD_COLUMNS, heldRows, ['reason']), numberRow: true, rows: heldRows }],
      },
    });
  }
  return files;
}
