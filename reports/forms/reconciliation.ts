// Appendix 3 — «Акт сверки о поступивших суммах …» (002 §21–22), from the `reconciliation`
// report, as the Algorithm's Appendix 3 prints it: one file per МИО (`reconciliation_<month>_<БИН>`),
// since each act is signed by its МИО and ГК and goes to that МИО alone. The label and «Форма»,
// the title ending «… и» with the МИО's name under it and «(наименование МИО)», «Отчетный период
// … года», the six columns with their numbers, «Всего:» with the total and the total in words,
// then the signature blocks of the МИО and of ГК: the act ends with its signatures.
//
// Beyond the form, a separate document per МИО (`reconciliation-balance_<month>_<БИН>`, DOMAIN §5,
// §6): the balance of the money ГК holds for the МИО over the act's window — opening + received −
// paid + returned − sent back = closing, checked here once more — and the facts of a closed window
// this act counts. Whether the act is preliminary is said in the page footer, outside the form.
import Big from 'big.js';
import type { Column, Section } from '../render/document.ts';
import type { ReconciliationActDoc, ReconciliationReport } from '../../schemas/reports/index.ts';
import {
  FORM_SIGNATURE_CAPTION,
  FORM_WORD,
  type FormFile,
  type FormInput,
  GK_NAME_FORM,
  MIO_NAME_CAPTION,
  amountText,
  appendixLabel,
  dateText,
  fail,
  monthYearText,
  siblingBaseName,
  signature,
  totalInWordsLine,
  perMioBaseName,
  widened,
} from './common.ts';
import { amountInWords } from '../amount-words.ts';

export const RECONCILIATION_FORM = appendixLabel(3);
export const RECONCILIATION_TITLE =
  'Акт сверки о поступивших суммах на выплату возмещения стоимости услуги индивидуального помощника между ' + GK_NAME_FORM + ' и';
export const BALANCE_TITLE = 'Движение средств МИО в Государственной корпорации к акту сверки (справка)';

export const RECONCILIATION_COLUMNS: Column[] = [
  { key: 'line_code', header: 'Код строки', type: 'text' },
  { key: 'mio_bin', header: 'Бизнес-идентификационный номер МИО', type: 'text' },
  { key: 'mio_name', header: 'Наименование МИО', type: 'text' },
  { key: 'pp_no', header: '№ платежного поручения о поступивших суммах возмещения', type: 'text' },
  { key: 'pp_date', header: 'Дата платежного поручения о поступивших суммах возмещения', type: 'date' },
  { key: 'amount', header: 'Сумма, тенге', type: 'amount' },
];

export const BALANCE_COLUMNS: Column[] = [
  { key: 'no', header: '№', type: 'count' },
  { key: 'item', header: 'Показатель', type: 'text', width: 70 },
  { key: 'amount', header: 'Сумма, тенге', type: 'amount' },
];

export const LATE_COLUMNS: Column[] = [
  { key: 'no', header: '№', type: 'count' },
  { key: 'kind', header: 'Вид', type: 'text' },
  { key: 'ref', header: 'Документ', type: 'text' },
  { key: 'dated', header: 'Дата', type: 'date' },
  { key: 'amount', header: 'Сумма, тенге', type: 'amount' },
];

const BALANCE_ITEMS: [key: keyof ReconciliationActDoc['balance'], text: string][] = [
  ['opening', 'Остаток средств МИО в Государственной корпорации на начало периода'],
  ['received', 'Поступило от МИО (итог акта сверки)'],
  ['paid', 'Выплачено поставщикам (выплаты и повторные выплаты)'],
  ['returned', 'Возвращено уполномоченными организациями'],
  ['sent_back', 'Возвращено МИО'],
  ['closing', 'Остаток средств МИО в Государственной корпорации на конец периода'],
];


function actSection(name: string, month: string, rows: Section['rows'], columns: Column[], sum: string, words: string, signatures: Section['signatures']): Section {
  return {
    name: 'Акт сверки',
    heading: [name, MIO_NAME_CAPTION, `Отчетный период ${monthYearText(month)}`],
    columns,
    numberRow: true,
    rows,
    footer: [totalInWordsLine('Всего:', sum, words)],
    signatures,
  };
}

const signatures = (mioName: string) => [signature(mioName, FORM_SIGNATURE_CAPTION), signature(GK_NAME_FORM, FORM_SIGNATURE_CAPTION)];

export function reconciliationForm(doc: ReconciliationReport, input: FormInput): FormFile[] {
  const F = 'reconciliation';
  const { month, acts } = doc;
  const form = { form: RECONCILIATION_FORM, formWord: FORM_WORD, title: RECONCILIATION_TITLE, period: '', orientation: 'portrait' as const };

  if (acts.length === 0) {
    return [
      {
        baseName: input.baseName,
        personalData: false,
        document: {
          ...form,
          note: `Поступлений за отчетный период ${monthYearText(month)} нет.`,
          sections: [actSection('—', month, [], RECONCILIATION_COLUMNS, '0.00', amountInWords('0.00'), signatures('_______________'))],
        },
      },
    ];
  }

  return acts.flatMap((a) => {
    const bin = a.mio_bin;
    const name = a.mio_name;
    const sum = a.total;
    const b = a.balance;
    const expected = new Big(b.opening).plus(b.received).minus(b.paid).plus(b.returned).minus(b.sent_back);
    if (!expected.eq(b.closing)) fail(F, `МИО ${bin}: the balance does not add up (${expected.toFixed(2)} ≠ ${b.closing})`);
    if (!new Big(b.received).eq(sum)) fail(F, `МИО ${bin}: received ${b.received} ≠ the act's total ${sum}`);
    const rowsTotal = a.rows.reduce((t, r) => t.plus(r.amount), new Big(0));
    if (!rowsTotal.eq(sum)) fail(F, `МИО ${bin}: the rows sum to ${rowsTotal.toFixed(2)}, the act's total is ${sum}`);
    const status =
      a.frozen && a.reconciled_on
        ? `Сверка проведена ${dateText(a.reconciled_on)}.`
        : 'Предварительные данные: сверка за период ещё не проводилась.';
    const window = a.window ? `Поступления после ${dateText(a.window.after)} по ${dateText(a.window.through)} включительно` : null;

    const actRows = a.rows.map((r) => ({
      line_code: r.line_code,
      mio_bin: r.mio_bin,
      mio_name: r.mio_name,
      pp_no: r.pp_no,
      pp_date: r.pp_date,
      amount: r.amount,
    }));
    const act: FormFile = {
      baseName: perMioBaseName(input.baseName, bin),
      personalData: false,
      document: {
        ...form,
        note: [a.act_date ? `Акт от ${dateText(a.act_date)}` : null, status].filter(Boolean).join('. '),
        sections: [actSection(name, month, actRows, widened(RECONCILIATION_COLUMNS, actRows, ['mio_name']), sum, a.total_words, signatures(name))],
      },
    };

    const balanceSections: Section[] = [
      {
        name: 'Остаток средств',
        heading: [`МИО: ${name}, БИН ${bin}`, ...(window ? [window] : [])],
        columns: BALANCE_COLUMNS,
        rows: BALANCE_ITEMS.map(([k, text], i) => ({ no: i + 1, item: text, amount: b[k] })),
        footer: [
          'Остаток на конец = остаток на начало + поступило − выплачено + возвращено уполномоченными организациями − возвращено МИО.',
          `Итог акта сверки: ${amountText(sum)} тенге. ${status}`,
        ],
      },
    ];
    const late = a.late ?? [];
    if (late.length > 0) {
      const lateRows = late.map((l, i) => ({ no: i + 1, kind: l.kind, ref: l.ref, dated: l.dated, amount: l.amount }));
      balanceSections.push({
        name: 'Учтено позже',
        heading: ['Факты, датированные закрытым периодом и учтённые в этом периоде'],
        columns: widened(LATE_COLUMNS, lateRows, ['kind', 'ref']),
        rows: lateRows,
      });
    }
    const balance: FormFile = {
      baseName: siblingBaseName(perMioBaseName(input.baseName, bin), 'reconciliation', 'reconciliation-balance'),
      personalData: false,
      document: {
        form: 'К акту сверки (Приложение 3 к Алгоритму взаимодействия)',
        title: BALANCE_TITLE,
        period: `Отчетный период ${monthYearText(month)}`,
        orientation: 'portrait',
        sections: balanceSections,
      },
    };
    return [act, balance];
  });
}
