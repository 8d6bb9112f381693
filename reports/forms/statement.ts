// The reconciliation with the bank's statements, from the `statement` report: per account, the
// balance by day (the statement's against the ledger's, the difference), the month's entries with
// what each was matched to, the entries that need a look; then the payment orders no statement
// showed debited in time. Not a form of the Algorithm: ГК's own working document.
import type { Column, Section } from '../render/document.ts';
import type { StatementReport } from '../../schemas/reports/index.ts';
import { type FormFile, type FormInput, GK_NAME, dateText, monthText, total, widened } from './common.ts';

export const STATEMENT_FORM = 'Сверка с выпиской банка';
export const STATEMENT_TITLE = `Сверка выписок банка по счёту ${GK_NAME} с учётом средств МИО`;

export const STATEMENT_DAY_COLUMNS: Column[] = [
  { key: 'date', header: 'Дата', type: 'date' },
  { key: 'statement_closing', header: 'Остаток по выписке на конец дня, тенге', type: 'amount' },
  { key: 'ledger_balance', header: 'Средства МИО по учёту на конец дня, тенге', type: 'amount' },
  { key: 'difference', header: 'Расхождение, тенге', type: 'amount' },
  { key: 'credits', header: 'Поступления, тенге', type: 'amount' },
  { key: 'debits', header: 'Списания, тенге', type: 'amount' },
  { key: 'matched', header: 'Сопоставлено операций', type: 'count' },
  { key: 'unmatched', header: 'Не сопоставлено операций', type: 'count' },
];

export const STATEMENT_ENTRY_COLUMNS: Column[] = [
  { key: 'no', header: '№', type: 'count' },
  { key: 'statement', header: 'Выписка', type: 'text' },
  { key: 'booking_date', header: 'Дата проводки', type: 'date' },
  { key: 'direction', header: 'Вид', type: 'text' },
  { key: 'amount', header: 'Сумма, тенге', type: 'amount' },
  { key: 'counterparty', header: 'Контрагент', type: 'text' },
  { key: 'reference', header: 'Референс', type: 'text' },
  { key: 'result', header: 'Сопоставлено с', type: 'text' },
  { key: 'reason', header: 'Причина (если не сопоставлено)', type: 'text' },
];

export const STATEMENT_ORDER_COLUMNS: Column[] = [
  { key: 'no', header: '№', type: 'count' },
  { key: 'number', header: 'Номер поручения', type: 'text' },
  { key: 'date', header: 'Дата поручения', type: 'date' },
  { key: 'mio_bin', header: 'БИН МИО', type: 'text' },
  { key: 'bik', header: 'БИК', type: 'text' },
  { key: 'kind', header: 'Вид', type: 'text' },
  { key: 'total', header: 'Сумма, тенге', type: 'amount' },
  { key: 'due', header: 'Ожидалось списание не позднее', type: 'date' },
  { key: 'working_days', header: 'Рабочих дней без списания', type: 'count' },
];

const DIRECTION = { credit: 'Поступление', debit: 'Списание' } as const;

function statementLabel(e: { statement_no: string; statement_date: string }): string {
  return `${e.statement_no ? `№ ${e.statement_no} ` : ''}от ${dateText(e.statement_date)}`;
}

export function statementForm(doc: StatementReport, input: FormInput): FormFile[] {
  const { month, through, not_debited_after: n } = doc;
  const sections: Section[] = [];
  for (const account of doc.accounts) {
    const { iban, statements, days } = account;
    const differing = days.filter((d) => d.difference !== null && d.difference !== '0.00').length;
    sections.push({
      name: `Остатки ${iban}`,
      heading: [
        `Счёт: ${iban}`,
        statements.length
          ? `Выписки: ${statements.map((s) => `${statementLabel(s)} (${s.file_name})`).join('; ')}`
          : 'Выписок за месяц не загружено',
      ],
      columns: STATEMENT_DAY_COLUMNS,
      rows: days,
      totals: {
        label: 'Итого',
        credits: total(days.map((d) => d.credits)),
        debits: total(days.map((d) => d.debits)),
        matched: days.reduce((a, d) => a + d.matched, 0),
        unmatched: days.reduce((a, d) => a + d.unmatched, 0),
      },
      footer: [
        'Средства МИО по учёту — сумма остатков счетов «Средства МИО в Госкорпорации» всех МИО на конец дня; расхождение = остаток по выписке − средства МИО по учёту. ' +
          'Пустая ячейка — день не покрыт ни одной выпиской.',
        days.every((d) => d.statement_closing === null)
          ? 'Ни один день не покрыт выпиской: сверять не с чем.'
          : differing
            ? `Дней с расхождением: ${differing}.`
            : 'Расхождений в днях, покрытых выписками, нет.',
      ],
    });
    const entries = account.entries.map((e, i) => ({
      no: i + 1,
      statement: statementLabel(e),
      booking_date: e.booking_date,
      direction: DIRECTION[e.direction],
      amount: e.amount,
      counterparty: [e.counterparty_name, e.counterparty_iban].filter(Boolean).join(', '),
      reference: e.reference,
      result: e.fact ?? 'Не сопоставлено',
      reason: e.reason,
      code: e.unmatched_code,
    }));
    sections.push({
      name: `Операции ${iban}`,
      heading: [`Счёт: ${iban}`, `Операции, проведённые ${monthText(month)} г. по ${dateText(through)}: ${entries.length}`],
      columns: widened(STATEMENT_ENTRY_COLUMNS, entries, ['statement', 'counterparty', 'reference', 'result', 'reason']),
      rows: entries,
      footer: entries.length ? [] : ['Операций нет.'],
    });
    const attention = entries.filter((e) => e.code !== null && e.code !== 'bank_fee').map((e, i) => ({ ...e, no: i + 1 }));
    if (attention.length) {
      sections.push({
        name: `Требуют проверки ${iban}`,
        heading: [`Счёт: ${iban}`, `Несопоставленные операции, кроме комиссий банка: ${attention.length}`],
        columns: widened(STATEMENT_ENTRY_COLUMNS, attention, ['statement', 'counterparty', 'reference', 'result', 'reason']),
        rows: attention,
      });
    }
  }
  const orders = doc.orders_not_debited.map((o, i) => ({
    no: i + 1,
    number: `${o.number}/${o.year}`,
    date: o.date,
    mio_bin: o.mio_bin,
    bik: o.bik,
    kind: o.kind === 'to_mio' ? 'Возврат МИО' : 'Выплата поставщикам',
    total: o.total,
    due: o.due,
    working_days: o.working_days,
  }));
  sections.push({
    name: 'Поручения без списания',
    heading: [`Платёжные поручения, не списанные по выпискам в течение ${n} рабочих дней после их даты (на ${dateText(through)})`],
    columns: STATEMENT_ORDER_COLUMNS,
    rows: orders,
    totals: { label: 'Итого', total: total(orders.map((o) => o.total)) },
    footer: orders.length ? [] : ['Таких поручений нет.'],
  });
  return [
    {
      baseName: input.baseName,
      // Counterparties of unmatched entries may be persons.
      personalData: true,
      document: {
        form: STATEMENT_FORM,
        title: STATEMENT_TITLE,
        period: `За ${monthText(month)} г. по состоянию на ${dateText(doc.as_of)}`,
        orientation: 'landscape',
        sections,
      },
    },
  ];
}
