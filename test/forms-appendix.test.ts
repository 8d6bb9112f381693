// Every approved form read back from its XLSX and its PDF against the table of the Algorithm's
// appendices (test/support/appendix-table.ts, DOMAIN §6): the label and «Форма», the title, the
// header lines in the appendix's order, the column headings in its words with their groups, the
// row of column numbers, the lines under the table and the signature captions — and nothing the
// appendix lacks (no extra column, no fee, no balance, no held acts). Then what goes beside the
// forms as separate documents: the held acts, the balance statement of the act, the fee
// calculation; and the page numbering of each МИО of its own. Hand-built report documents (the
// forms read nothing but the JSON document), checked against their schemas first.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formFiles, renderReportFiles } from '../reports/render-report.ts';
import type { FormFile } from '../reports/forms/common.ts';
import { checkReport, type AnyReport, type BankFeesReport, type ListReport, type ReconciliationReport, type TransmissionReport } from '../schemas/reports/index.ts';
import { makeKzIban } from '../pipeline/kernel/identifiers.ts';
import { formatAmount, sum } from '../pipeline/kernel/money.ts';
import { synthBin, synthIin } from './support/ids.ts';
import { listRow } from './support/report-rows.ts';
import { APPENDIX_1, APPENDIX_2, APPENDIX_3, APPENDIX_4 } from './support/appendix-table.ts';
import { NO_POPPLER_REASON, XLSX_HEADING_START, pdfPages, poppler, readTable, readWorkbook, textsBelow } from './support/forms.ts';
import { checkPdfPage, checkSheet, norm, pdfRaw, rowTexts } from './support/appendix-check.ts';

if (!poppler) console.warn(`[forms-appendix] ${NO_POPPLER_REASON}`);

const A_BIN = synthBin();
const B_BIN = synthBin();
const A_NAME = 'ГУ «Управление занятости и социальных программ города Астаны (синт.)»';
const B_NAME = 'ГУ «Управление координации занятости и социальных программ Акмолинской области (синт.)»';

function listRows(n: number, incorrect: number[] = []) {
  return Array.from({ length: n }, (_v, i) => listRow(i + 1, incorrect.includes(i + 1) ? { bank_details_incorrect: true } : {}));
}

function division(bin: string, name: string, rows: ReturnType<typeof listRows>) {
  const t = (k: 'guaranteed' | 'provider_sum' | 'opv' | 'osms' | 'so') => formatAmount(sum(rows.map((r) => r[k])));
  return { mio_bin: bin, mio_name: name, rows, totals: { guaranteed: t('guaranteed'), provider_sum: t('provider_sum'), opv: t('opv'), osms: t('osms'), so: t('so') } };
}

/** МИО A's list is long enough for three landscape pages; МИО B's fits on one. */
const LIST: ListReport = {
  form: 'list',
  month: '2025-02',
  divisions: [division(A_BIN, A_NAME, listRows(40, [2])), division(B_BIN, B_NAME, listRows(3))],
  held: [{ provider_id: synthIin(), act_no: 'АВР-99', reason: 'Месяц оказания услуг 2025-02 ещё не завершён' }],
};

const IBAN = makeKzIban('722', '0000000000001');
const TRANSMISSION: TransmissionReport = {
  form: 'transmission',
  month: '2025-02',
  rows: [1, 2, 3].map((no) => ({
    no,
    provider_id: synthIin(),
    assistant_iin: synthIin(),
    pwd_iin: synthIin(),
    bik: 'CASPKZKA',
    iban: IBAN,
    service_month: '2025-01',
    provider_sum: '47196.16',
    opv: '5363.20',
    osms: '1072.64',
    ...(no === 3 ? { bank_details_incorrect: true } : {}),
  })),
};

function act(bin: string, name: string, amount: string, words: string) {
  return {
    mio_bin: bin,
    mio_name: name,
    act_date: '2025-03-25',
    window: { after: '2025-02-25', through: '2025-03-25' },
    late: [],
    signed_on: null,
    copies_received_on: null,
    rows: [{ line_code: '1', mio_bin: bin, mio_name: name, pp_no: '101', pp_date: '2025-03-17', amount }],
    total: amount,
    total_words: words,
    balance: { opening: '0.00', received: amount, paid: '100000.00', returned: '0.00', sent_back: '0.00', closing: formatAmount(sum([amount, '-100000.00'])) },
    frozen: true,
    reconciled_on: '2025-03-25',
  };
}
const RECONCILIATION: ReconciliationReport = {
  form: 'reconciliation',
  month: '2025-02',
  acts: [
    act(A_BIN, A_NAME, '149311.49', 'Сто сорок девять тысяч триста одиннадцать тенге 49 тиын'),
    act(B_BIN, B_NAME, '100000.00', 'Сто тысяч тенге 00 тиын'),
  ],
};

const part = (count: number, lines: number, amount: string) => ({ count, lines, amount });
const tariff = { fee_per_payment: '50.00', fee_percent: null, fee_min: null, fee_max: null };
/** One provider paid for three acts through Kaspi is one recipient on three lines (DOMAIN §5). */
const BANK_FEES: BankFeesReport = {
  form: 'bank-fees',
  month: '2025-03',
  mios: [A_BIN, B_BIN].map((bin, i) => ({
    mio_bin: bin,
    mio_name: i === 0 ? A_NAME : B_NAME,
    rows: [
      { bik: 'CASPKZKA', name: 'АО «Kaspi Bank»', transferred: part(1, 3, '300.00'), returned: part(0, 0, '0.00'), paid: part(1, 3, '300.00'), fee: '150.00', tariff },
      { bik: 'HSBKKZKX', name: 'АО «Народный Банк Казахстана»', transferred: part(2, 2, '200.00'), returned: part(1, 1, '100.00'), paid: part(1, 1, '100.00'), fee: '50.00', tariff },
    ],
    total: { transferred: part(3, 5, '500.00'), returned: part(1, 1, '100.00'), paid: part(2, 4, '400.00'), fee: '200.00' },
    as_of: '2025-04-10',
    frozen: true,
  })),
};

let dir: string;
const files = {} as Record<string, { xlsx: string[]; pdf: string[]; forms: FormFile[] }>;
const CASES: [string, AnyReport, string][] = [
  ['list', LIST, 'list_2025-02'],
  ['transmission', TRANSMISSION, 'transmission_2025-02'],
  ['reconciliation', RECONCILIATION, 'reconciliation_2025-02'],
  ['bank-fees', BANK_FEES, 'bank-fees_2025-03'],
];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'forms-appendix-'));
  for (const [form, doc, base] of CASES) {
    checkReport(JSON.parse(JSON.stringify(doc)));
    files[form] = {
      forms: formFiles(doc, base),
      xlsx: await renderReportFiles(doc, 'xlsx', dir, base),
      pdf: poppler ? await renderReportFiles(doc, 'pdf', dir, base) : [],
    };
  }
}, 120_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const names = (list: string[]) => list.map((f) => path.basename(f));
describe('Appendix 1: the list', () => {
  it('XLSX: one sheet per МИО, each the approved form with «из них» over 16–18 and the footnote', async () => {
    const wb = await readWorkbook(files.list.xlsx[0]);
    expect(wb.worksheets).toHaveLength(2);
    const [f] = files.list.forms;
    checkSheet(wb.worksheets[0], f, 0, APPENDIX_1, 40);
    checkSheet(wb.worksheets[1], f, 1, APPENDIX_1, 3);
    expect(rowTexts(wb.worksheets[0], XLSX_HEADING_START)).toEqual([`Подразделение: ${A_NAME}`]);
    expect(rowTexts(wb.worksheets[0], XLSX_HEADING_START + 1)).toEqual(['Месяц на выплату: февраль 2025 года']);
    const t = readTable(wb.worksheets[0], f.document.sections[0], 40);
    expect(t.rows[0][13]).toBe('2025-01'); // printed «январь 2025 г.», read back
    expect(wb.worksheets[0].getCell(t.dataStart, 14).value).toBe('январь 2025 г.');
    expect(wb.worksheets[0].getCell(t.dataStart, 13).numFmt).toBe('dd.mm.yyyy');
  });

  it.skipIf(!poppler)('PDF: every МИО starts on its own page with the form on top and numbers its own pages', () => {
    const [file] = files.list.pdf;
    const pages = pdfPages(file);
    expect(pages).toBeGreaterThanOrEqual(3);
    const texts = Array.from({ length: pages }, (_v, i) => pdfRaw(file, i + 1));
    const bStart = texts.findIndex((t) => t.includes(`Подразделение: ${B_NAME}`));
    expect(bStart).toBe(pages - 1);
    for (let p = 0; p < bStart; p++) expect(texts[p], `page ${p + 1}`).toContain(`Страница ${p + 1} из ${bStart}`);
    expect(texts[bStart]).toContain('Страница 1 из 1');
    checkPdfPage(texts[0], APPENDIX_1, texts[bStart - 1]);
    checkPdfPage(texts[bStart], APPENDIX_1);
    expect(texts[0]).toContain('Месяц на выплату: февраль 2025 года');
    expect(texts[0]).toContain('январь 2025 г.');
    expect(texts[0]).toContain('05.02.2025');
    // a continuation page repeats the headings, not the title
    expect(norm(texts[1])).toContain(norm('Гарантированная сумма, тенге'));
    expect(texts[1]).not.toContain('Форма');
  });

  it('marks the row of a provider whose bank details are marked incorrect: «**» by its number and the footnote (DOMAIN §4, §6)', async () => {
    const wb = await readWorkbook(files.list.xlsx[0]);
    const ws = wb.worksheets[0];
    const t = readTable(ws, files.list.forms[0].document.sections[0], 40);
    const second = ws.getCell(t.dataStart + 1, 1);
    expect(second.value).toBe(2); // the number stays a number…
    expect(second.numFmt).toBe('0"**"'); // …and shows as «2**»
    expect(ws.getCell(t.dataStart, 1).numFmt).toBe('0');
    const below = textsBelow(ws, t.dataEnd);
    expect(below[1]).toBe('* ЛСИ - лицо с инвалидностью');
    expect(below[2]).toMatch(/^\*\* Банковские реквизиты поставщика отмечены как неверные/);
    // МИО B has no such row: no second footnote
    expect(textsBelow(wb.worksheets[1], readTable(wb.worksheets[1], files.list.forms[0].document.sections[1], 3).dataEnd).filter((x) => x.startsWith('**'))).toEqual([]);
    if (poppler) {
      const text = pdfRaw(files.list.pdf[0], 1);
      expect(text).toMatch(/^2\*\* г\. Астана/m);
      expect(text).toMatch(/^1 г\. Астана/m);
    }
  });

  it('puts the held acts into a separate document list-held_<month>, not into the form', async () => {
    expect(names(files.list.xlsx)).toEqual(['list_2025-02.xlsx', 'list-held_2025-02.xlsx']);
    const held = (await readWorkbook(files.list.xlsx[1])).worksheets[0];
    expect(rowTexts(held, 3)).toEqual(['Принятые акты выполненных работ, не включённые в список, и причина']);
    if (poppler) {
      expect(names(files.list.pdf)).toEqual(['list_2025-02.pdf', 'list-held_2025-02.pdf']);
      expect(pdfRaw(files.list.pdf[0])).not.toContain('Причина');
      expect(pdfRaw(files.list.pdf[1])).toContain('АВР-99');
    }
  });
});

describe('Appendix 2: the transmission', () => {
  it('XLSX: exactly eight columns, the two identifiers in one cell and БИК with IBAN in one cell', async () => {
    const ws = (await readWorkbook(files.transmission.xlsx[0])).worksheets[0];
    const [f] = files.transmission.forms;
    checkSheet(ws, f, 0, APPENDIX_2, 3);
    const t = readTable(ws, f.document.sections[0], 3);
    const r = TRANSMISSION.rows[0];
    expect(t.rows[0]).toEqual([1, `${r.provider_id}\n${r.assistant_iin}`, r.pwd_iin, `CASPKZKA\n${IBAN}`, '2025-01', '47196.16', '5363.20', '1072.64']);
    expect(ws.getCell(t.dataStart, 2).alignment?.wrapText).toBe(true);
    expect(t.totals).toBeNull(); // the appendix has no totals row
    expect(ws.getCell(t.dataStart + 2, 1).numFmt).toBe('0"**"');
    expect(ws.headerFooter.oddFooter).toContain('февраль 2025 года');
  });

  it.skipIf(!poppler)('PDF: the approved form, eight columns, the marked row and its footnote', () => {
    const text = pdfRaw(files.transmission.pdf[0], 1);
    checkPdfPage(text, APPENDIX_2);
    expect(text).toContain(TRANSMISSION.rows[0].provider_id);
    expect(text).toContain(IBAN);
    expect(text).toMatch(/^3\*\* /m);
    expect(text).toMatch(/^\*\* Банковские реквизиты поставщика отмечены как неверные/m);
    expect(text).not.toMatch(/Итого/);
  });
});

describe('Appendix 3: the reconciliation act', () => {
  it('XLSX: one file per МИО, the six columns, «Всего:» in words, both signatures; the balance in a separate file', async () => {
    expect(names(files.reconciliation.xlsx)).toEqual([
      `reconciliation_2025-02_${A_BIN}.xlsx`,
      `reconciliation-balance_2025-02_${A_BIN}.xlsx`,
      `reconciliation_2025-02_${B_BIN}.xlsx`,
      `reconciliation-balance_2025-02_${B_BIN}.xlsx`,
    ]);
    const wb = await readWorkbook(files.reconciliation.xlsx[0]);
    expect(wb.worksheets).toHaveLength(1); // the act alone: it ends with its signatures
    const ws = wb.worksheets[0];
    checkSheet(ws, files.reconciliation.forms[0], 0, APPENDIX_3, 1);
    expect(rowTexts(ws, XLSX_HEADING_START)).toEqual([A_NAME]);
    expect(rowTexts(ws, XLSX_HEADING_START + 2)).toEqual(['Отчетный период февраль 2025 года']);
    const below = textsBelow(ws, readTable(ws, files.reconciliation.forms[0].document.sections[0], 1).dataEnd);
    expect(below[0]).toBe('Всего: 149 311,49 (Сто сорок девять тысяч триста одиннадцать тенге 49 тиын)');
    expect(below).toContain(A_NAME);
    expect(below).toContain('НАО "Государственная корпорация "Правительство для граждан"');
    expect(below.join(' ')).not.toMatch(/Остаток|справочно/);

    const balance = (await readWorkbook(files.reconciliation.xlsx[1])).worksheets[0];
    const bf = files.reconciliation.forms[1];
    expect(bf.document.title).toBe('Движение средств МИО в Государственной корпорации к акту сверки (справка)');
    const bt = readTable(balance, bf.document.sections[0], 6);
    expect(bt.rows.map((r) => r[2])).toEqual(['0.00', '149311.49', '100000.00', '0.00', '0.00', '49311.49']);
  });

  it.skipIf(!poppler)('PDF: the act is the approved form on one page, its last lines the signatures', () => {
    const file = files.reconciliation.pdf[0];
    expect(pdfPages(file)).toBe(1);
    const text = pdfRaw(file, 1);
    checkPdfPage(text, APPENDIX_3);
    const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
    const lastCaption = lines.map((l, i) => (l.startsWith('(фамилия') ? i : -1)).filter((i) => i >= 0).pop()!;
    expect(lines.slice(lastCaption + 1).join(' ')).not.toMatch(/Остаток|Поступило|Выплачено/);
    expect(text).toContain('Всего: 149 311,49 (Сто сорок девять тысяч триста одиннадцать тенге 49 тиын)');
    expect(text).not.toMatch(/Итого/); // the appendix has «Всего:» and no totals row
    expect(pdfRaw(files.reconciliation.pdf[1])).toContain('Остаток средств МИО в Государственной корпорации на конец периода');
  });
});

describe('Appendix 4: per authorized organization', () => {
  it('XLSX: eight columns under their groups, recipients not lines, ИТОГО, ГК\'s signature; the fees in a separate file', async () => {
    expect(names(files['bank-fees'].xlsx)).toEqual([
      `bank-fees_2025-03_${A_BIN}.xlsx`,
      `bank-fees-calc_2025-03_${A_BIN}.xlsx`,
      `bank-fees_2025-03_${B_BIN}.xlsx`,
      `bank-fees-calc_2025-03_${B_BIN}.xlsx`,
    ]);
    const ws = (await readWorkbook(files['bank-fees'].xlsx[0])).worksheets[0];
    const f = files['bank-fees'].forms[0];
    checkSheet(ws, f, 0, APPENDIX_4, 2);
    const t = readTable(ws, f.document.sections[0], 2);
    expect(t.rows).toEqual([
      [1, 'АО «Kaspi Bank»', 1, '300.00', 0, '0.00', 1, '300.00'],
      [2, 'АО «Народный Банк Казахстана»', 2, '200.00', 1, '100.00', 1, '100.00'],
    ]);
    expect(t.totals!.cells.slice(2).map((c) => c.value)).toEqual([3, '500.00', 1, '100.00', 2, '400.00']);
    expect(textsBelow(ws, 0).join(' ')).not.toMatch(/Комиссия|Тариф|тариф/);

    const calc = (await readWorkbook(files['bank-fees'].xlsx[1])).worksheets[0];
    const cf = files['bank-fees'].forms[1];
    expect(cf.document.title).toBe('Расчёт оплаты услуг уполномоченных организаций');
    const ct = readTable(calc, cf.document.sections[0], 2);
    expect(ct.rows.map((r) => [r[2], r[3], r[4], r[5], r[6]])).toEqual([
      ['CASPKZKA', '50,00 тенге за платёж', 3, '300.00', '150.00'],
      ['HSBKKZKX', '50,00 тенге за платёж', 1, '100.00', '50.00'],
    ]);
    expect(ct.totals!.cells.slice(4).map((c) => c.value)).toEqual([4, '400.00', '200.00']);
  });

  it.skipIf(!poppler)('PDF: the approved form with no fee and no tariff; the calculation is its own document', () => {
    const text = pdfRaw(files['bank-fees'].pdf[0], 1);
    checkPdfPage(text, APPENDIX_4);
    expect(text).toMatch(/^ИТОГО 3 500,00 1 100,00 2 400,00$/m);
    expect(text).not.toMatch(/Комиссия|Тариф|тариф|за платёж/);
    const calc = pdfRaw(files['bank-fees'].pdf[1]);
    expect(calc).toContain('Расчёт оплаты услуг уполномоченных организаций');
    expect(calc).toContain('Двести тенге 00 тиын');
  });
});
