// Appendix 4 — «Сведения по произведенным суммам возмещения … в разрезе уполномоченной
// организации» (002 §23), from the `bank-fees` report: one file per МИО
// (`bank-fees_<month>_<БИН>`), as the form is addressed to one МИО. The eight columns of the
// form with their numbers (transferred, returned, paid: recipients and sum), «ИТОГО», then the
// fee each bank's tariff yields (column 9, beyond the form), the tariffs, the fee in words and
// the signature block of ГК.
import type { Column, Section } from '../render/document.ts';
import type { BankFeePart, BankFeesReport, Tariff } from '../../schemas/reports/index.ts';
import { type FormFile, type FormInput, GK_NAME, amountText, dateText, monthText, signature, totalInWordsLine, widened } from './common.ts';
import { perMioBaseName } from './reconciliation.ts';

export const BANK_FEES_FORM = 'Приложение 4 к Алгоритму взаимодействия';
export const BANK_FEES_TITLE_HEAD =
  'Сведения по произведенным суммам возмещения стоимости услуг индивидуального помощника в разрезе уполномоченной организации по';

const TRANSFERRED = `Перечислено ${GK_NAME}`;
const RETURNED = 'Возвращено уполномоченной организацией';
const PAID = `Выплачено ${GK_NAME}`;
const PARTS = ['transferred', 'returned', 'paid'] as const;

export const BANK_FEES_COLUMNS: Column[] = [
  { key: 'no', header: '№ п/п', type: 'count' },
  { key: 'name', header: 'Наименование уполномоченной организации', type: 'text' },
  { key: 'transferred_count', header: 'количество получателей', type: 'count', group: TRANSFERRED },
  { key: 'transferred_amount', header: 'сумма, тенге', type: 'amount', group: TRANSFERRED },
  { key: 'returned_count', header: 'количество получателей', type: 'count', group: RETURNED },
  { key: 'returned_amount', header: 'сумма, тенге', type: 'amount', group: RETURNED },
  { key: 'paid_count', header: 'количество получателей', type: 'count', group: PAID },
  { key: 'paid_amount', header: 'сумма, тенге', type: 'amount', group: PAID },
  { key: 'fee', header: 'Комиссия уполномоченной организации, тенге', type: 'amount' },
];

/** «50,00 тенге за платёж, 0,1 % от выплаченной суммы, не менее 80,00 и не более 1 000,00 тенге». */
export function tariffText(tariff: Tariff): string {
  const { fee_per_payment: perPayment, fee_percent: percent, fee_min: min, fee_max: max } = tariff;
  const parts: string[] = [];
  if (perPayment !== null) parts.push(`${amountText(perPayment)} тенге за платёж`);
  if (percent !== null) parts.push(`${percent.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '').replace('.', ',')} % от выплаченной суммы`);
  if (parts.length === 0) parts.push('без оплаты');
  const limits: string[] = [];
  if (min !== null) limits.push(`не менее ${amountText(min)}`);
  if (max !== null) limits.push(`не более ${amountText(max)}`);
  return parts.join(' + ') + (limits.length ? `, ${limits.join(' и ')} тенге` : '');
}

/** A row's or the total's parts as the columns' cells: transferred_count, transferred_amount, … */
function flat(o: Record<(typeof PARTS)[number], BankFeePart> & { fee: string }): Record<string, string | number> {
  const out: Record<string, string | number> = { fee: o.fee };
  for (const p of PARTS) {
    out[`${p}_count`] = o[p].count;
    out[`${p}_amount`] = o[p].amount;
  }
  return out;
}

export function bankFeesForm(doc: BankFeesReport, input: FormInput): FormFile[] {
  const { month, mios } = doc;
  const period = `Отчетный период: ${monthText(month)} года`;

  const file = (baseName: string, title: string, section: Section): FormFile => ({
    baseName,
    personalData: false,
    document: { form: BANK_FEES_FORM, title, period, orientation: 'landscape', sections: [section] },
  });

  if (mios.length === 0) {
    return [
      file(input.baseName, `${BANK_FEES_TITLE_HEAD} МИО`, {
        name: 'Сведения',
        heading: ['МИО: —'],
        columns: BANK_FEES_COLUMNS,
        numberRow: true,
        rows: [],
        totals: { label: 'ИТОГО', transferred_count: 0, transferred_amount: '0.00', returned_count: 0, returned_amount: '0.00', paid_count: 0, paid_amount: '0.00', fee: '0.00' },
        footer: [`Платежей за ${monthText(month)} г. нет.`],
      }),
    ];
  }

  return mios.map((m) => {
    const bin = m.mio_bin;
    const name = m.mio_name;
    const fee = m.total.fee;
    const named = m.rows.map((r, i) => ({ no: i + 1, name: `${r.name} (БИК ${r.bik})`, ...flat(r) }));
    const section: Section = {
      name: 'Сведения',
      heading: [`МИО: ${name}, БИН ${bin}`],
      columns: widened(BANK_FEES_COLUMNS, named, ['name']),
      numberRow: true,
      rows: named,
      totals: { label: 'ИТОГО', ...flat(m.total) },
      footer: [
        ...m.rows.map((r) => `Тариф ${r.name}: ${tariffText(r.tariff)}.`),
        totalInWordsLine('Комиссия уполномоченных организаций к оплате МИО за счёт местного бюджета:', fee),
        `Возвраты учтены по состоянию на ${dateText(m.as_of)}.`,
      ],
      signatures: [signature(GK_NAME)],
    };
    return file(perMioBaseName(input.baseName, bin), `${BANK_FEES_TITLE_HEAD} ${name}`, section);
  });
}
