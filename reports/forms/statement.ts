// The reconciliation with the bank's statements, from the `statement` report: per account, the
// balance by day (the statement's against the ledger's, the difference), the month's entries with
// what each was matched to, the entries that need a look; then the payment orders no statement
// showed debited in time. Not a form of the Algorithm: ГК's own working document.
import type { Column, Section } from '../render/document.ts';
import {
  type FormFile,
  type FormInput,
  type Json,
  GK_NAME,
  arrayAt,
  countAt,
  dateText,
  expectForm,
  monthOfDoc,
  monthText,
  optionalStringAt,
  stringAt,
  total,
  widened,
} from './common.ts';

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

function statementLabel(e: Json, F: string): string {
  const no = stringAt(e, 'statement_no', F);
  return `${no ? `№ ${no} ` : ''}от ${dateText(stringAt(e, 'statement_date', F))}`;
}

export function statementForm(doc: Json, input: FormInput): FormFile[] {
  const F = 'statement';
  expectForm(doc, F);
  const month = monthOfDoc(doc, F);
  const through = stringAt(doc, 'through', F);
  const n = countAt(doc, 'not_debited_after', F);
  const sections: Section[] = [];
  for (const account of arrayAt(doc, 'accounts', F)) {
    const iban = stringAt(account, 'iban', F);
    const statements = arrayAt(account, 'statements', F);
    const days = arrayAt(account, 'days', F).map((d) => ({
      date: stringAt(d, 'date', F),
      statement_closing: optionalStringAt(d, 'statement_closing', F),
      ledger_balance: stringAt(d, 'ledger_balance', F),
      difference: optionalStringAt(d, 'difference', F),
      credits: stringAt(d, 'credits', F),
      debits: stringAt(d, 'debits', F),
      matched: countAt(d, 'matched', F),
      unmatched: countAt(d, 'unmatched', F),
    }));
    const differing = days.filter((d) => d.difference !== null && d.difference !== '0.00').length;
    sections.push({
      name: `Остатки ${iban}`,
      heading: [
        `Счёт: ${iban}`,
        statements.length
          ? `Выписки: ${statements.map((s) => `${statementLabel(s, F)} (${stringAt(s, 'file_name', F)})`).join('; ')}`
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
    const entries = arrayAt(account, 'entries', F).map((e, i) => {
      const name = stringAt(e, 'counterparty_name', F);
      const ciban = stringAt(e, 'counterparty_iban', F);
      const fact = optionalStringAt(e, 'fact', F);
      return {
        no: i + 1,
        statement: statementLabel(e, F),
        booking_date: stringAt(e, 'booking_date', F),
        direction: DIRECTION[stringAt(e, 'direction', F) as keyof typeof DIRECTION],
        amount: stringAt(e, 'amount', F),
        counterparty: [name, ciban].filter(Boolean).join(', '),
        reference: stringAt(e, 'reference', F),
        result: fact ?? 'Не сопоставлено',
        reason: optionalStringAt(e, 'reason', F),
        code: optionalStringAt(e, 'unmatched_code', F),
      };
    });
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
  const orders = arrayAt(doc, 'orders_not_debited', F).map((o, i) => ({
    no: i + 1,
    number: `${countAt(o, 'number', F)}/${countAt(o, 'year', F)}`,
    date: stringAt(o, 'date', F),
    mio_bin: stringAt(o, 'mio_bin', F),
    bik: stringAt(o, 'bik', F),
    kind: stringAt(o, 'kind', F) === 'to_mio' ? 'Возврат МИО' : 'Выплата поставщикам',
    total: stringAt(o, 'total', F),
    due: stringAt(o, 'due', F),
    working_days: countAt(o, 'working_days', F),
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
        period: `За ${monthText(month)} г. по состоянию на ${dateText(stringAt(doc, 'as_of', F))}`,
        orientation: 'landscape',
        sections,
      },
    },
  ];
}
