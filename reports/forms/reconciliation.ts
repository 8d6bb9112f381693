// Appendix 3 — «Акт сверки о поступивших суммах …» (002 §21–22), from the `reconciliation`
// report: one file per МИО (`reconciliation_<month>_<БИН>`), since each act is signed by its МИО
// and ГК and goes to that МИО alone. The act: the six columns of the form with their numbers,
// «Всего:» with the total, the total in words (from the report), the signature blocks of the МИО
// and of ГК. Then, beyond the form, the balance of the money ГК holds for the МИО: opening +
// received − paid + returned − sent back = closing, checked here once more.
import Big from 'big.js';
import type { Column, Section } from '../render/document.ts';
import type { ReconciliationActDoc, ReconciliationReport } from '../../schemas/reports/index.ts';
import { type FormFile, type FormInput, GK_NAME, dateText, fail, monthText, signature, totalInWordsLine, widened } from './common.ts';

export const RECONCILIATION_FORM = 'Приложение 3 к Алгоритму взаимодействия';
export const RECONCILIATION_TITLE_HEAD =
  'Акт сверки о поступивших суммах на выплату возмещения стоимости услуги индивидуального помощника между ' + GK_NAME + ' и';

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

const BALANCE_ITEMS: [key: keyof ReconciliationActDoc['balance'], text: string][] = [
  ['opening', 'Остаток средств МИО в Государственной корпорации на начало периода'],
  ['received', 'Поступило от МИО (итог акта сверки)'],
  ['paid', 'Выплачено поставщикам (выплаты и повторные выплаты)'],
  ['returned', 'Возвращено уполномоченными организациями'],
  ['sent_back', 'Возвращено МИО'],
  ['closing', 'Остаток средств МИО в Государственной корпорации на конец периода'],
];

/** `<base>_<БИН>` unless the base already names the МИО (`--mio`). */
export function perMioBaseName(baseName: string, bin: string): string {
  return baseName.endsWith(`_${bin}`) ? baseName : `${baseName}_${bin}`;
}

export function reconciliationForm(doc: ReconciliationReport, input: FormInput): FormFile[] {
  const F = 'reconciliation';
  const { month, acts } = doc;
  const period = `Отчетный период: ${monthText(month)} года`;

  if (acts.length === 0) {
    return [
      {
        baseName: input.baseName,
        personalData: false,
        document: {
          form: RECONCILIATION_FORM,
          title: `${RECONCILIATION_TITLE_HEAD} МИО`,
          period,
          orientation: 'portrait',
          sections: [
            {
              name: 'Акт сверки',
              heading: ['МИО: —'],
              columns: RECONCILIATION_COLUMNS,
              numberRow: true,
              rows: [],
              totals: { label: 'Итого', amount: '0.00' },
              footer: [`Поступлений за ${monthText(month)} г. нет.`],
            },
          ],
        },
      },
    ];
  }

  return acts.map((a) => {
    const bin = a.mio_bin;
    const name = a.mio_name;
    const sum = a.total;
    const b = a.balance;
    const expected = new Big(b.opening).plus(b.received).minus(b.paid).plus(b.returned).minus(b.sent_back);
    if (!expected.eq(b.closing)) fail(F, `МИО ${bin}: the balance does not add up (${expected.toFixed(2)} ≠ ${b.closing})`);
    if (!new Big(b.received).eq(sum)) fail(F, `МИО ${bin}: received ${b.received} ≠ the act's total ${sum}`);
    const status =
      a.frozen && a.reconciled_on
        ? `Сверка проведена ${dateText(a.reconciled_on)}.`
        : 'Предварительные данные: сверка за период ещё не проводилась.';

    const actRows = a.rows.map((r) => ({
      line_code: r.line_code,
      mio_bin: r.mio_bin,
      mio_name: r.mio_name,
      pp_no: r.pp_no,
      pp_date: r.pp_date,
      amount: r.amount,
    }));
    const act: Section = {
      name: 'Акт сверки',
      heading: [`МИО: ${name}, БИН ${bin}`],
      columns: widened(RECONCILIATION_COLUMNS, actRows, ['mio_name']),
      numberRow: true,
      rows: actRows,
      totals: { label: 'Итого', amount: sum },
      footer: [totalInWordsLine('Всего:', sum, a.total_words), status],
      signatures: [signature(name), signature(GK_NAME)],
    };
    const balanceSection: Section = {
      name: 'Остаток средств',
      heading: [`Движение средств МИО в Государственной корпорации (справочно): ${name}, БИН ${bin}`],
      columns: BALANCE_COLUMNS,
      rows: BALANCE_ITEMS.map(([k, text], i) => ({ no: i + 1, item: text, amount: b[k] })),
      footer: ['Остаток на конец = остаток на начало + поступило − выплачено + возвращено уполномоченными организациями − возвращено МИО.'],
    };
    return {
      baseName: perMioBaseName(input.baseName, bin),
      personalData: false,
      document: {
        form: RECONCILIATION_FORM,
        title: `${RECONCILIATION_TITLE_HEAD} ${name}`,
        period,
        orientation: 'portrait',
        sections: [act, balanceSection],
      },
    };
  });
}
