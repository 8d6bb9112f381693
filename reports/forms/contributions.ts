// Contributions of the month's lists (002 §4–5, §8, §10), from the `contributions` report: the
// summary per МИО (ОПВ, ВОСМС, СО: list rows with a non-zero amount and their sum), then the
// registers by which each МИО pays them to the State Corporation's account of each КНП (DOMAIN §7)
// — with the КНП, payer and receiver, one line per assistant and service month (ИИН, ФИО, date
// of birth, period, amount) (the report's `registers`, from
// pipeline/contributions.ts). The registers must add up to the summary's figures, else nothing
// is printed.
import Big from 'big.js';
import type { Column, Section } from '../render/document.ts';
import { CONTRIBUTION_KINDS, CONTRIBUTION_LABEL, type ContributionKind } from '../../pipeline/contributions.ts';
import type { ContributionRegisterDoc, ContributionsMio, ContributionsReport } from '../../schemas/reports/index.ts';
import { type FormFile, type FormInput, fail, monthText, signature, total, totalInWordsLine, widened } from './common.ts';

export const CONTRIBUTIONS_FORM = 'Реестры ОПВ, ВОСМС и СО (пп. 4–5, 8, 10 Алгоритма взаимодействия)';
export const CONTRIBUTIONS_TITLE =
  'Обязательные пенсионные взносы, взносы на обязательное социальное медицинское страхование и социальные отчисления по спискам на возмещение стоимости услуг индивидуального помощника';

function summaryColumns(knp: Partial<Record<ContributionKind, string>>): Column[] {
  const group = (k: ContributionKind) => `${CONTRIBUTION_LABEL[k]}${knp[k] ? ` (КНП ${knp[k]})` : ''}`;
  return [
    { key: 'no', header: '№', type: 'count' },
    { key: 'mio_bin', header: 'БИН МИО', type: 'text' },
    { key: 'mio_name', header: 'Наименование МИО', type: 'text' },
    ...CONTRIBUTION_KINDS.flatMap((k): Column[] => [
      { key: `${k}_count`, header: 'количество строк списка', type: 'count', group: group(k) },
      { key: `${k}_amount`, header: 'сумма, тенге', type: 'amount', group: group(k) },
    ]),
  ];
}

export const REGISTER_COLUMNS: Column[] = [
  { key: 'no', header: '№', type: 'count' },
  { key: 'iin', header: 'ИИН', type: 'text' },
  { key: 'name', header: 'ФИО', type: 'text' },
  { key: 'birth_date', header: 'Дата рождения', type: 'date' },
  { key: 'period', header: 'Период (месяц)', type: 'month' },
  { key: 'rows', header: 'Количество актов', type: 'count' },
  { key: 'amount', header: 'Сумма, тенге', type: 'amount' },
];

export function contributionsForm(doc: ContributionsReport, input: FormInput): FormFile[] {
  const { month, mios } = doc;
  for (const m of mios) checkRegisters(m);

  const knp: Partial<Record<ContributionKind, string>> = {};
  for (const m of mios) for (const r of m.registers) knp[r.kind] = r.knp;

  const summary = mios.map((m, i) => {
    const row: Record<string, string | number | null> = { no: i + 1, mio_bin: m.mio_bin, mio_name: m.mio_name };
    for (const k of CONTRIBUTION_KINDS) {
      row[`${k}_count`] = m[k].count;
      row[`${k}_amount`] = m[k].amount;
    }
    return row;
  });

  const totals: Record<string, string | number> = {};
  for (const k of CONTRIBUTION_KINDS) {
    totals[`${k}_count`] = mios.reduce((a, m) => a + m[k].count, 0);
    totals[`${k}_amount`] = total(mios.map((m) => m[k].amount));
  }
  const sections: Section[] = [
    {
      name: 'Сводная',
      heading: ['Суммы взносов и отчислений по МИО'],
      columns: widened(summaryColumns(knp), summary, ['mio_name']),
      rows: summary,
      totals: { label: 'Итого', ...totals },
      footer: [
        ...(summary.length === 0 ? [`Списков за ${monthText(month)} г. нет.`] : []),
        'ОПВ и ВОСМС удерживаются в пределах гарантированной суммы, СО уплачиваются МИО сверх неё.',
      ],
    },
  ];
  for (const m of mios) for (const r of m.registers) sections.push(registerSection(r));

  return [
    {
      baseName: input.baseName,
      personalData: true,
      document: {
        form: CONTRIBUTIONS_FORM,
        title: CONTRIBUTIONS_TITLE,
        period: `Месяц на выплату: ${monthText(month)} г.`,
        orientation: 'landscape',
        sections,
      },
    },
  ];
}

function registerSection(r: ContributionRegisterDoc): Section {
  const label = CONTRIBUTION_LABEL[r.kind];
  const rows = r.persons.map((p, i) => ({ no: i + 1, iin: p.iin, name: p.name, birth_date: p.birth_date ?? null, period: p.period, rows: p.rows, amount: p.amount }));
  return {
    name: `${label} ${r.payer.bin}`,
    heading: [
      `Реестр ${label}, КНП ${r.knp}`,
      `Плательщик: ${r.payer.name}, БИН ${r.payer.bin}, ИИК ${r.payer.iban}, БИК ${r.payer.bik}`,
      `Получатель: ${r.receiver.name}, БИН ${r.receiver.bin}, ИИК ${r.receiver.iban}, БИК ${r.receiver.bik}, КБе ${r.receiver.kbe}`,
    ],
    columns: widened(REGISTER_COLUMNS, rows, ['name']),
    rows,
    totals: { label: 'Итого', rows: r.persons.reduce((a, p) => a + p.rows, 0), amount: r.total },
    footer: [`Количество получателей: ${r.count}.`, totalInWordsLine('Всего к перечислению:', r.total)],
    signatures: [signature(r.payer.name)],
  };
}

/** A МИО's registers are printed under its summary row: they must tell the same story, figure for figure. */
function checkRegisters(m: ContributionsMio): void {
  const F = 'contributions';
  for (const r of m.registers) {
    if (r.payer.bin !== m.mio_bin) fail(F, `МИО ${m.mio_bin}: its ${r.kind} register is paid by МИО ${r.payer.bin}`);
  }
  for (const k of CONTRIBUTION_KINDS) {
    const reg = m.registers.filter((r) => r.kind === k);
    const amount = reg.length ? reg[0].total : '0.00';
    const rows = reg.length ? reg[0].persons.reduce((a, p) => a + p.rows, 0) : 0;
    if (reg.length > 1 || !new Big(amount).eq(m[k].amount) || rows !== m[k].count) {
      fail(F, `МИО ${m.mio_bin}: the ${k} register (${rows} rows, ${amount}) does not match the summary (${m[k].count} rows, ${m[k].amount})`);
    }
  }
}
