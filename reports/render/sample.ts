// Sample documents for the renderer's tests, the benchmark and a look at the output by eye.
// The columns are Appendix 1's (DOMAIN §6); the rows are synthetic.
import Big from 'big.js';
import type { Column, FormDocument, Row, Section, Totals } from './document.ts';
import { LIST_COLUMNS, LIST_FORM } from '../forms/list.ts';
import { FORM_WORD } from '../forms/common.ts';

/** Appendix 1's own columns (reports/forms/list.ts): the sample looks like the real list. */
export const SAMPLE_APPENDIX1_COLUMNS: Column[] = LIST_COLUMNS;

const AMOUNT_KEYS = ['guaranteed', 'provider_sum', 'opv', 'osms'] as const;

/** Totals of the amount columns, big.js. */
export function sampleTotals(rows: Iterable<Row>, label = 'Итого'): Totals {
  const sums = Object.fromEntries(AMOUNT_KEYS.map((k) => [k, new Big(0)])) as Record<(typeof AMOUNT_KEYS)[number], Big>;
  for (const r of rows) for (const k of AMOUNT_KEYS) sums[k] = sums[k].plus((r[k] as string | null) ?? '0');
  return { label, ...Object.fromEntries(AMOUNT_KEYS.map((k) => [k, sums[k].toFixed(2)])) };
}

/** G split for an assistant: ОПВ 10 %, ОСМС 2 %, the provider gets the remainder. */
function split(guaranteed: string): Pick<Row, 'guaranteed' | 'provider_sum' | 'opv' | 'osms'> {
  const g = new Big(guaranteed);
  const opv = g.times('0.1').round(2, Big.roundHalfUp);
  const osms = g.times('0.02').round(2, Big.roundHalfUp);
  return { guaranteed: g.toFixed(2), provider_sum: g.minus(opv).minus(osms).toFixed(2), opv: opv.toFixed(2), osms: osms.toFixed(2) };
}

const SIGNATURES: Section['signatures'] = [
  {
    title: 'Управление занятости и социальных программ',
    lines: ['______________________________', '(фамилия, имя, отчество (при его наличии), должность и подпись ответственного лица)'],
  },
  {
    title: 'НАО «Государственная корпорация «Правительство для граждан»',
    lines: ['______________________________', '(фамилия, имя, отчество (при его наличии), должность и подпись ответственного лица)'],
  },
];

export const SAMPLE_ASTANA_ROWS: Row[] = [
  {
    no: 1, oblast: 'г. Астана', region: 'район Есиль', pwd_iin: '040512500013', pwd_name: 'Әбілқасымова Гүлнұр Сәрсенбайқызы',
    provider_id: '160440007161', provider_name: 'ОФ «Қамқорлық-Өмір»', assistant_iin: '850101300018', assistant_name: 'Нұрланов Ұлан Төлегенұлы',
    order_no: 'З-2025-000101', decision_no: 'Р-101/25', act_no: 'АВР-0001', received_on: '2025-04-03', service_month: '2025-03',
    ...split('1234567.89'),
  },
  {
    no: 2, oblast: 'г. Астана', region: '@x', pwd_iin: '900215400027', pwd_name: 'Һәмит Ғалия Іңкәрқызы',
    provider_id: '990101300015', provider_name: '=SUM(A1)', assistant_iin: '010203400012', assistant_name: '-5',
    order_no: 'З-2025-000102', decision_no: 'Р-102/25', act_no: 'АВР-0002', received_on: '2025-04-07', service_month: '2025-03',
    ...split('128700.48'),
  },
  {
    no: 3, oblast: 'г. Астана', region: 'район Сарыарка', pwd_iin: '770303450016', pwd_name: 'ҒАЛЫМЖАНОВ ҚАЙРАТ ҢӨҰҮҺІӘ',
    provider_id: '050140000123', provider_name: 'ИП Тоғжанов Ә.', assistant_iin: '920630500011', assistant_name: 'Сейтқали Әсел Шаһмұратқызы',
    order_no: 'З-2025-000103', decision_no: null, act_no: 'АВР-0003', received_on: '2025-04-10', service_month: '2025-02',
    ...split('0.01'),
  },
];

export const SAMPLE_ALMATY_ROWS: Row[] = [
  {
    no: 1, oblast: 'г. Алматы', region: 'Медеуский район', pwd_iin: '661122300045', pwd_name: 'Иванов Пётр Сергеевич',
    provider_id: '160440007161', provider_name: 'ОФ «Қамқорлық-Өмір»', assistant_iin: '780812400023', assistant_name: 'Өтепова Жұлдыз Қанатқызы',
    order_no: 'З-2025-000201', decision_no: 'Р-201/25', act_no: 'АВР-0101', received_on: '2025-04-14', service_month: '2025-03',
    ...split('96525.00'),
  },
  {
    no: 2, oblast: 'г. Алматы', region: 'Алмалинский район', pwd_iin: '031231600018', pwd_name: 'Ким Виктория Александровна',
    provider_id: '950505300021', provider_name: 'Ким Александр Витальевич', assistant_iin: '950505300021', assistant_name: 'Ким Александр Витальевич',
    order_no: 'З-2025-000202', decision_no: 'Р-202/25', act_no: 'АВР-0102', received_on: '2025-04-01', service_month: '2025-03',
    ...split('128700.48'),
  },
];

const TITLE =
  'Список по актам выполненных работ на выплату возмещения стоимости услуг индивидуального помощника через Государственную корпорацию';

function appendix1Section(mio: string, rows: Section['rows'], totals: Totals, footer: string[], extra: Partial<Section> = {}): Section {
  return {
    name: mio,
    heading: [`Подразделение: ${mio}`, 'Месяц на выплату: апрель 2025 года'],
    columns: SAMPLE_APPENDIX1_COLUMNS,
    numberRow: true,
    rows,
    totals,
    footer,
    signatures: SIGNATURES,
    ...extra,
  };
}

/** Two divisions, Kazakh names, an ИИН with a leading zero, formula-looking text, big amounts. */
export function sampleDocument(): FormDocument {
  return {
    form: LIST_FORM,
    formWord: FORM_WORD,
    title: TITLE,
    period: '',
    orientation: 'landscape',
    sections: [
      appendix1Section('Управление занятости и социальных программ г. Астаны', SAMPLE_ASTANA_ROWS, sampleTotals(SAMPLE_ASTANA_ROWS), [
        'Всего гарантированная сумма: Один миллион триста шестьдесят три тысячи двести шестьдесят восемь тенге 38 тиын',
      ]),
      appendix1Section('Управление занятости и социальных программ г. Алматы', SAMPLE_ALMATY_ROWS, sampleTotals(SAMPLE_ALMATY_ROWS), [
        'Всего гарантированная сумма: Двести двадцать пять тысяч двести двадцать пять тенге 48 тиын',
      ]),
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Synthetic lists for the benchmark

const SURNAMES = ['Әбілқасымов', 'Нұрланов', 'Сейтқали', 'Өтепов', 'Иванов', 'Ким', 'Жұмабаев', 'Ғалымжанов', 'Құрманғали', 'Һашимов'];
const NAMES = ['Ұлан', 'Гүлнұр', 'Әсел', 'Қайрат', 'Жұлдыз', 'Пётр', 'Іңкәр', 'Ерғали', 'Мөлдір', 'Ілияс'];
const PATRONYMICS = ['Үмбетұлы', 'Сәрсенбайқызы', 'Мұратқызы', 'Қанатұлы', 'Сергеевич', 'Александровна', 'Ерланұлы', 'Болатқызы'];
const REGIONS = ['район Есиль', 'район Сарыарка', 'район Алматы', 'район Байконыр', 'район Нура'];

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function iin(rand: () => number): string {
  return String(Math.floor(rand() * 1e12)).padStart(12, '0');
}

/** `count` Appendix 1-like rows, deterministic; amounts in tiyn arithmetic as strings. */
export function* syntheticAppendix1Rows(count: number, seed = 1): Generator<Row> {
  const rand = lcg(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const person = () => `${pick(SURNAMES)} ${pick(NAMES)} ${pick(PATRONYMICS)}`;
  for (let i = 1; i <= count; i++) {
    const hours = 40 + Math.floor(rand() * 200);
    const g = new Big(536.32).times(hours).toFixed(2);
    yield {
      no: i,
      oblast: 'г. Астана',
      region: pick(REGIONS),
      pwd_iin: iin(rand),
      pwd_name: person(),
      provider_id: iin(rand),
      provider_name: rand() < 0.3 ? `ОФ «${pick(NAMES)}-Қамқор ${i % 97}»` : person(),
      assistant_iin: iin(rand),
      assistant_name: person(),
      order_no: `З-2025-${String(i).padStart(6, '0')}`,
      decision_no: `Р-${i}/25`,
      act_no: `АВР-${String(i).padStart(6, '0')}`,
      received_on: `2025-04-${String(1 + Math.floor(rand() * 14)).padStart(2, '0')}`,
      service_month: '2025-03',
      ...split(g),
    };
  }
}

/** A one-division Appendix 1-like document of `count` rows, streamed from a generator. */
export function syntheticAppendix1Document(count: number): FormDocument {
  const totals = sampleTotals(syntheticAppendix1Rows(count));
  return {
    form: LIST_FORM,
    formWord: FORM_WORD,
    title: TITLE,
    period: '',
    orientation: 'landscape',
    sections: [
      appendix1Section('Управление занятости и социальных программ г. Астаны', syntheticAppendix1Rows(count), totals, [], {
        signatures: SIGNATURES,
      }),
    ],
  };
}
