// The payment orders of ГК dated in the month (002 §16, §20), from the `payment-orders` report:
// one section (sheet, PDF part) per order — its number, date, payer, bank and purpose on top,
// the register of its recipients (reference, provider, account, period, kind, sum), the total
// in figures and words, the signature of ГК. An order to the МИО (sums sent back) says so.
import type { Column, Section } from '../render/document.ts';
import type { PaymentOrderLine, PaymentOrdersReport } from '../../schemas/reports/index.ts';
import { type FormFile, type FormInput, GK_NAME, dateText, fail, mioLabel, monthText, signature, totalInWordsLine, widened } from './common.ts';

export const PAYMENT_ORDERS_FORM = 'Платёжные поручения Государственной корпорации (пп. 16, 20 Алгоритма взаимодействия)';
export const PAYMENT_ORDERS_TITLE = 'Платёжные поручения с реестрами получателей возмещения стоимости услуг индивидуального помощника';

export const LINE_KIND_TEXT: Record<PaymentOrderLine['kind'], string> = {
  payout: 'Выплата',
  repayment: 'Повторная выплата',
  to_mio: 'Возврат МИО',
};

export const PAYMENT_ORDER_COLUMNS: Column[] = [
  { key: 'no', header: '№', type: 'count' },
  { key: 'ref', header: 'Референс платежа', type: 'text' },
  { key: 'provider_id', header: 'ИИН/БИН поставщика', type: 'text' },
  { key: 'provider_name', header: 'Наименование / ФИО поставщика', type: 'text' },
  { key: 'iban', header: 'ИИК получателя (IBAN)', type: 'text' },
  { key: 'service_month', header: 'Период оказания услуг (месяц)', type: 'month' },
  { key: 'act_no', header: 'Номер акта', type: 'text' },
  { key: 'kbe', header: 'КБе', type: 'text' },
  { key: 'purpose', header: 'Назначение платежа', type: 'text', width: 40 },
  { key: 'kind', header: 'Вид', type: 'text' },
  { key: 'amount', header: 'Сумма, тенге', type: 'amount' },
];

export function paymentOrdersForm(doc: PaymentOrdersReport, input: FormInput): FormFile[] {
  const F = 'payment-orders';
  const { month, orders } = doc;

  const sections: Section[] = orders.map((o) => {
    const { number, date, bik, count, lines } = o;
    const toMio = o.order_kind === 'to_mio';
    if (count !== lines.length) fail(F, `order ${number}: count ${count} but ${lines.length} lines`);
    const orderTotal = o.total;
    const mio = mioLabel(o.mio_bin, o.mio_name);
    const rows = lines.map((l, i) => ({
      no: i + 1,
      ref: l.ref,
      provider_id: l.provider_id,
      provider_name: l.provider_name,
      iban: l.iban,
      service_month: l.service_month,
      act_no: l.act_no ?? null,
      kbe: l.kbe ?? null,
      purpose: l.purpose ?? null,
      kind: LINE_KIND_TEXT[l.kind],
      amount: l.amount,
    }));
    return {
      name: `ПП ${number} от ${dateText(date)}`,
      heading: [
        `Платёжное поручение № ${number} от ${dateText(date)}`,
        o.payer
          ? `Плательщик: ${o.payer.name}, БИН ${o.payer.bin}, ИИК ${o.payer.iban}, БИК ${o.payer.bik}${o.knp ? `; КНП ${o.knp}` : ''}`
          : `Плательщик: ${GK_NAME}`,
        toMio ? `Получатель: ${mio}, БИК ${bik}` : `Средства МИО: ${mio}`,
        toMio
          ? 'Назначение: возврат МИО сумм, не выплаченных поставщикам (п. 20 Алгоритма взаимодействия)'
          : `Банк получателей: ${o.bank_name ?? '—'}, БИК ${bik}`,
      ],
      columns: widened(PAYMENT_ORDER_COLUMNS, rows, ['provider_name']),
      rows,
      totals: { label: 'Итого', amount: orderTotal },
      footer: [`Количество получателей: ${count}.`, totalInWordsLine('Сумма платёжного поручения:', orderTotal)],
      signatures: [signature(GK_NAME)],
    };
  });
  if (sections.length === 0) {
    sections.push({
      name: 'Платёжные поручения',
      heading: ['Платёжные поручения'],
      columns: PAYMENT_ORDER_COLUMNS,
      rows: [],
      footer: [`Платёжных поручений за ${monthText(month)} г. нет.`],
    });
  }
  return [
    {
      baseName: input.baseName,
      personalData: true,
      document: {
        form: PAYMENT_ORDERS_FORM,
        title: PAYMENT_ORDERS_TITLE,
        period: `Период: ${monthText(month)} г.`,
        orientation: 'landscape',
        sections,
      },
    },
  ];
}
