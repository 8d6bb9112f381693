// Contributions of the month's lists (002 §4–5, §8, §10), from the `contributions` report: the
// summary per МИО (ОПВ, ВОСМС, СО: list rows with a non-zero amount and their sum), then the
// registers by which each МИО pays them — ОПВ to ЕНПФ, ВОСМС to ФСМС, СО to ГФСС — with the КНП,
// payer and receiver, one line per assistant and service month (pipeline/contributions.ts).
// The registers must add up to the summary's figures, else nothing is printed.
import Big from 'big.js';
import type { Column, Section } from '../render/document.ts';
import { CONTRIBUTION_KINDS, CONTRIBUTION_LABEL, type ContributionKind, type ContributionRegister } from '../../pipeline/contributions.ts';
import {
  type FormFile,
  type FormInput,
  type Json,
  arrayAt,
  widened,
  countAt,
  expectForm,
  fail,
  monthOfDoc,
  monthText,
  objectAt,
  signature,
  stringAt,
  total,
  totalInWordsLine,
} from './common.ts';
import type { ContributionsExtras } from './extras.ts';

export const CONTRIBUTIONS_FORM = 'Реестры ОПВ, ВОСМС и СО (пп. 4–5, 8, 10 Алгоритма взаимодействия)';
export const CONTRIBUTIONS_TITLE =
  'Обязательные пенсионные взносы, взносы на обязательное социальное медицинское страхование и социальные отчисления по спискам на возмещение стоимости услуг индивидуального помощника';

const RECEIVER_TEXT: Record<ContributionKind, string> = { opv: 'ЕНПФ', osms: 'ФСМС', so: 'ГФСС' };

function summaryColumns(knp: Partial<Record<ContributionKind, string>>): Column[] {
  const group = (k: ContributionKind) => `${CONTRIBUTION_LABEL[k]} (${RECEIVER_TEXT[k]}${knp[k] ? `, КНП ${knp[k]}` : ''})`;
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
  { key: 'period', header: 'Период (месяц)', type: 'month' },
  { key: 'rows', header: 'Количество актов', type: 'count' },
  { key: 'amount', header: 'Сумма, тенге', type: 'amount' },
];

export function contributionsForm(doc: Json, input: FormInput<ContributionsExtras>): FormFile[] {
  const F = 'contributions';
  expectForm(doc, F);
  const month = monthOfDoc(doc, F);
  const mios = arrayAt(doc, 'mios', F);
  const { mioNames, registers } = input.extras;

  const knp: Partial<Record<ContributionKind, string>> = {};
  for (const r of registers ?? []) knp[r.kind] = r.knp;
  const nameOf = (bin: string) => mioNames?.get(bin) ?? registers?.find((r) => r.mio.bin === bin)?.mio.name ?? null;

  const summary = mios.map((m, i) => {
    const bin = stringAt(m, 'mio_bin', F);
    const row: Record<string, string | number | null> = { no: i + 1, mio_bin: bin, mio_name: nameOf(bin) };
    for (const k of CONTRIBUTION_KINDS) {
      const part = objectAt(m, k, F);
      row[`${k}_count`] = countAt(part, 'count', F);
      row[`${k}_amount`] = stringAt(part, 'amount', F);
    }
    return row;
  });
  if (registers) checkRegisters(summary, registers);

  const totals: Record<string, string | number> = {};
  for (const k of CONTRIBUTION_KINDS) {
    totals[`${k}_count`] = summary.reduce((a, r) => a + (r[`${k}_count`] as number), 0);
    totals[`${k}_amount`] = total(summary.map((r) => r[`${k}_amount`] as string));
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
        ...(registers ? [] : ['Реестры получателей не приложены: отчёт сформирован без доступа к базе данных.']),
      ],
    },
  ];
  for (const r of registers ?? []) sections.push(registerSection(r));

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

function registerSection(r: ContributionRegister): Section {
  const label = CONTRIBUTION_LABEL[r.kind];
  const rows = r.persons.map((p, i) => ({ no: i + 1, iin: p.iin, name: p.name, period: p.period, rows: p.rows, amount: p.amount }));
  return {
    name: `${label} ${r.mio.bin}`,
    heading: [
      `Реестр ${label}, КНП ${r.knp}`,
      `Плательщик: ${r.mio.name}, БИН ${r.mio.bin}, ИИК ${r.mio.iban}, БИК ${r.mio.bik}`,
      `Получатель: ${r.receiver.name}, БИН ${r.receiver.bin}, ИИК ${r.receiver.iban}, БИК ${r.receiver.bik}, КБе ${r.receiver.kbe}`,
    ],
    columns: widened(REGISTER_COLUMNS, rows, ['name']),
    rows,
    totals: { label: 'Итого', rows: r.persons.reduce((a, p) => a + p.rows, 0), amount: r.total },
    footer: [`Количество получателей: ${r.count}.`, totalInWordsLine('Всего к перечислению:', r.total)],
    signatures: [signature(r.mio.name)],
  };
}

/** The registers are read after the summary: they must tell the same story, figure for figure. */
function checkRegisters(summary: Record<string, string | number | null>[], registers: ContributionRegister[]): void {
  const F = 'contributions';
  for (const row of summary) {
    for (const k of CONTRIBUTION_KINDS) {
      const reg = registers.filter((r) => r.mio.bin === row.mio_bin && r.kind === k);
      const amount = reg.length ? reg[0].total : '0.00';
      const rows = reg.length ? reg[0].persons.reduce((a, p) => a + p.rows, 0) : 0;
      if (reg.length > 1 || !new Big(amount).eq(row[`${k}_amount`] as string) || rows !== row[`${k}_count`]) {
        fail(F, `МИО ${row.mio_bin}: the ${k} register (${rows} rows, ${amount}) does not match the summary (${row[`${k}_count`]} rows, ${row[`${k}_amount`]})`);
      }
    }
  }
  for (const r of registers) {
    if (!summary.some((s) => s.mio_bin === r.mio.bin)) fail(F, `a ${r.kind} register of МИО ${r.mio.bin} that the summary does not have`);
  }
}
