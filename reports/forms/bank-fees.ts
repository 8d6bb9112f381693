// Appendix 4 — «Сведения по произведенным суммам возмещения … в разрезе уполномоченной
// организации» (002 §23), from the `bank-fees` report, as the Algorithm's Appendix 4 prints it:
// one file per МИО (`bank-fees_<month>_<БИН>`), the form being addressed to one МИО. The label and
// «Форма», the title ending «… по» with the МИО's name under it and «(наименование МИО)»,
// «Отчетный период … года», the eight columns with their numbers (transferred, returned, paid:
// number of recipients and sum), «ИТОГО», the signature block of ГК. Nothing else: «количество
// получателей» is distinct recipients (provider and account, INTERFACE `count`; a `recipients`
// field wins where the report carries one), never payment lines.
//
// The fee the МИО pays the banks from the local budget is a separate document per МИО (DOMAIN §5,
// §6), `bank-fees-calc_<month>_<БИН>`: «Расчёт оплаты услуг уполномоченных организаций» — each
// bank's tariff, the paid lines and sum it applies to, the fee, the total in words.
import type { Column, Section } from '../render/document.ts';
import type { BankFeePart, BankFeesReport, Tariff } from '../../schemas/reports/index.ts';
import {
  FORM_SIGNATURE_CAPTION,
  FORM_WORD,
  type FormFile,
  type FormInput,
  GK_NAME,
  GK_NAME_FORM,
  MIO_NAME_CAPTION,
  amountText,
  appendixLabel,
  dateText,
  monthYearText,
  perMioBaseName,
  siblingBaseName,
  signature,
  totalInWordsLine,
  widened,
} from './common.ts';

export const BANK_FEES_FORM = appendixLabel(4);
export const BANK_FEES_TITLE =
  'Сведения по произведенным суммам возмещения стоимости услуг индивидуального помощника в разрезе уполномоченной организации по';
export const FEE_CALC_TITLE = 'Расчёт оплаты услуг уполномоченных организаций';

const TRANSFERRED = `Перечислено ${GK_NAME_FORM}`;
const RETURNED = 'Возвращено уполномоченной организации';
const PAID = `Выплачено ${GK_NAME_FORM}`;
const PARTS = ['transferred', 'returned', 'paid'] as const;

export const BANK_FEES_COLUMNS: Column[] = [
  { key: 'no', header: '№ п/п', type: 'count' },
  { key: 'name', header: 'Наименование уполномоченной организации', type: 'text' },
  { key: 'transferred_count', header: 'количество получателей', type: 'count', group: TRANSFERRED },
  { key: 'transferred_amount', header: 'сумма тенге', type: 'amount', group: TRANSFERRED },
  { key: 'returned_count', header: 'количество получателей', type: 'count', group: RETURNED },
  { key: 'returned_amount', header: 'сумма тенге', type: 'amount', group: RETURNED },
  { key: 'paid_count', header: 'количество получателей', type: 'count', group: PAID },
  { key: 'paid_amount', header: 'сумма тенге', type: 'amount', group: PAID },
];

export const FEE_CALC_COLUMNS: Column[] = [
  { key: 'no', header: '№', type: 'count' },
  { key: 'name', header: 'Наименование уполномоченной организации', type: 'text' },
  { key: 'bik', header: 'БИК', type: 'text' },
  { key: 'tariff', header: 'Тариф', type: 'text' },
  { key: 'paid_lines', header: 'Выплачено: количество платежей', type: 'count' },
  { key: 'paid_amount', header: 'Выплачено: сумма, тенге', type: 'amount' },
  { key: 'fee', header: 'Оплата услуг, тенге', type: 'amount' },
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

/** «количество получателей»: distinct recipients (INTERFACE `count`, or `recipients` where given). */
export function recipientsOf(part: BankFeePart): number {
  const r = (part as BankFeePart & { recipients?: number }).recipients;
  return typeof r === 'number' ? r : part.count;
}

/** Payment lines: `lines` where the report carries it, else `count` (one line per credit). */
export function linesOf(part: BankFeePart): number {
  return part.lines ?? part.count;
}

/** A row's or the total's parts as the columns' cells: transferred_count, transferred_amount, … */
function flat(o: Record<(typeof PARTS)[number], BankFeePart>): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const p of PARTS) {
    out[`${p}_count`] = recipientsOf(o[p]);
    out[`${p}_amount`] = o[p].amount;
  }
  return out;
}

const ZERO_TOTALS = { transferred_count: 0, transferred_amount: '0.00', returned_count: 0, returned_amount: '0.00', paid_count: 0, paid_amount: '0.00' };

function formSection(mioName: string, month: string, rows: Section['rows'], columns: Column[], totals: Record<string, string | number>): Section {
  return {
    name: 'Сведения',
    heading: [mioName, MIO_NAME_CAPTION, `Отчетный период ${monthYearText(month)}`],
    columns,
    numberRow: true,
    rows,
    totals: { label: 'ИТОГО', ...totals },
    signatures: [signature(GK_NAME_FORM, FORM_SIGNATURE_CAPTION)],
  };
}

export function bankFeesForm(doc: BankFeesReport, input: FormInput): FormFile[] {
  const { month, mios } = doc;
  const form = { form: BANK_FEES_FORM, formWord: FORM_WORD, title: BANK_FEES_TITLE, period: '', orientation: 'landscape' as const };

  if (mios.length === 0) {
    return [
      {
        baseName: input.baseName,
        personalData: false,
        document: { ...form, note: `Платежей за ${monthYearText(month)} нет.`, sections: [formSection('—', month, [], BANK_FEES_COLUMNS, ZERO_TOTALS)] },
      },
    ];
  }

  return mios.flatMap((m) => {
    const bin = m.mio_bin;
    const name = m.mio_name;
    const baseName = perMioBaseName(input.baseName, bin);
    const asOf = `Возвраты учтены по состоянию на ${dateText(m.as_of)}.`;
    const named = m.rows.map((r, i) => ({ no: i + 1, name: r.name, ...flat(r) }));
    const appendix: FormFile = {
      baseName,
      personalData: false,
      document: {
        ...form,
        note: asOf,
        sections: [formSection(name, month, named, widened(BANK_FEES_COLUMNS, named, ['name']), flat(m.total))],
      },
    };

    const calcRows = m.rows.map((r, i) => ({
      no: i + 1,
      name: r.name,
      bik: r.bik,
      tariff: tariffText(r.tariff),
      paid_lines: linesOf(r.paid),
      paid_amount: r.paid.amount,
      fee: r.fee,
    }));
    const calc: FormFile = {
      baseName: siblingBaseName(baseName, 'bank-fees', 'bank-fees-calc'),
      personalData: false,
      document: {
        form: 'К сведениям в разрезе уполномоченной организации (Приложение 4 к Алгоритму взаимодействия)',
        title: FEE_CALC_TITLE,
        period: `Отчетный период ${monthYearText(month)}`,
        orientation: 'landscape',
        sections: [
          {
            name: 'Расчёт оплаты услуг',
            heading: [`МИО: ${name}, БИН ${bin}`],
            columns: widened(FEE_CALC_COLUMNS, calcRows, ['name', 'tariff']),
            numberRow: true,
            rows: calcRows,
            totals: { label: 'Итого', paid_lines: linesOf(m.total.paid), paid_amount: m.total.paid.amount, fee: m.total.fee },
            footer: [
              'Оплата = количество платежей × плата за платёж + выплаченная сумма × процент / 100, не менее минимума и не более максимума тарифа, с округлением до тиына.',
              totalInWordsLine('Оплата услуг уполномоченных организаций за счёт средств местного бюджета:', m.total.fee),
              asOf,
            ],
            signatures: [signature(GK_NAME)],
          },
        ],
      },
    };
    return [appendix, calc];
  });
}
