// The trial balance as of a date (оборотно-сальдовая ведомость), from the `ledger` report:
// every account's debit and credit turnover and its balance (debit − credit), with the totals
// that must agree (the ledger balances after every step).
import Big from 'big.js';
import type { Column } from '../render/document.ts';
import type { LedgerReport } from '../../schemas/reports/index.ts';
import { type FormFile, type FormInput, dateText, fail, total, widened } from './common.ts';

export const LEDGER_FORM = 'Оборотно-сальдовая ведомость';
export const LEDGER_TITLE = 'Оборотно-сальдовая ведомость по счетам учёта средств на возмещение стоимости услуг индивидуального помощника';

export const LEDGER_COLUMNS: Column[] = [
  { key: 'no', header: '№', type: 'count' },
  { key: 'name', header: 'Счёт', type: 'text' },
  { key: 'debit', header: 'Дебет, тенге', type: 'amount' },
  { key: 'credit', header: 'Кредит, тенге', type: 'amount' },
  { key: 'balance', header: 'Сальдо (дебет − кредит), тенге', type: 'amount' },
];

export function ledgerForm(doc: LedgerReport, input: FormInput): FormFile[] {
  const F = 'ledger';
  const { as_of: asOf, accounts } = doc;
  const rows = accounts.map((a, i) => ({ no: i + 1, name: a.name, debit: a.debit, credit: a.credit, balance: a.balance }));
  for (const r of rows) {
    if (!new Big(r.debit).minus(r.credit).eq(r.balance)) fail(F, `account "${r.name}": balance ${r.balance} ≠ debit − credit`);
  }
  const debit = total(rows.map((r) => r.debit));
  const credit = total(rows.map((r) => r.credit));
  const balanced = doc.balanced && new Big(debit).eq(credit);
  return [
    {
      baseName: input.baseName,
      personalData: false,
      document: {
        form: LEDGER_FORM,
        title: LEDGER_TITLE,
        period: `По состоянию на ${dateText(asOf)}`,
        orientation: 'portrait',
        sections: [
          {
            name: 'Ведомость',
            heading: [`Счетов: ${rows.length}`],
            columns: widened(LEDGER_COLUMNS, rows, ['name']),
            rows,
            totals: { label: 'Итого', debit, credit, balance: total(rows.map((r) => r.balance)) },
            footer: [balanced ? 'Обороты по дебету и кредиту равны: учёт сбалансирован.' : 'ВНИМАНИЕ: обороты по дебету и кредиту не равны — учёт не сбалансирован.'],
          },
        ],
      },
    },
  ];
}
