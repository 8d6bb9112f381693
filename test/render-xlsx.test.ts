// The XLSX renderer: a sample document written with the streaming writer and read back with exceljs.
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Column, type FormDocument, type Row, RenderError, sheetNames } from '../reports/render/document.ts';
import { XLSX_NUMFMT, renderXlsx } from '../reports/render/xlsx.ts';
import { monthFromWords, readWorkbook, xlsxParts } from './support/forms.ts';
import { SAMPLE_ALMATY_ROWS, SAMPLE_APPENDIX1_COLUMNS, SAMPLE_ASTANA_ROWS, sampleDocument, sampleTotals } from '../reports/render/sample.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'render-xlsx-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const V = ExcelJS.ValueType;
// Layout of a sheet (DOMAIN §6): the appendix label, «Форма», the title, the period (empty on
// Appendix 1), two heading lines («Подразделение», «Месяц на выплату»), a blank row, the header
// on two rows («из них» over 16–18), the column numbers, the data.
const GROUPS = 8;
const HEADER = 9;
const NUMBERS = 10;
const FIRST = 11;

describe('renderXlsx', () => {
  let wb: ExcelJS.Workbook;
  let file: string;
  beforeAll(async () => {
    file = path.join(dir, 'list.xlsx');
    await renderXlsx(sampleDocument(), file, { personalData: true });
    wb = await readWorkbook(file);
  });

  it('creates the file with mode 0600 for personal data, and leaves no temporary file', async () => {
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readdir(dir)).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('writes one sheet per section with unique, Excel-safe names', () => {
    const names = wb.worksheets.map((ws) => ws.name);
    expect(names).toEqual(['Управление занятости и социальн', 'Управление занятости и соци (2)']);
    for (const n of names) expect(n.length).toBeLessThanOrEqual(31);
  });

  it('puts the appendix label, «Форма», the title and the heading lines in the appendix\'s order on top', () => {
    const ws = wb.worksheets[0];
    const label = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18].map((c) => ws.getCell(1, c).value).find(Boolean);
    expect(String(label)).toMatch(/^Приложение 1\nк Алгоритму взаимодействия центральных государственных/);
    expect(ws.getCell(2, 18).value).toBe('Форма');
    expect(String(ws.getCell(3, 1).value)).toMatch(/^Список по актам выполненных работ/);
    expect(ws.getCell(4, 1).value ?? null).toBeNull();
    expect(ws.getCell(5, 1).value).toBe('Подразделение: Управление занятости и социальных программ г. Астаны');
    expect(ws.getCell(6, 1).value).toBe('Месяц на выплату: апрель 2025 года');
  });

  it('writes the header in column order, bold and wrapped, then the column numbers', () => {
    for (const ws of wb.worksheets) {
      const headers = SAMPLE_APPENDIX1_COLUMNS.map((c, i) => ws.getCell(c.group ? HEADER : GROUPS, i + 1).value);
      expect(headers).toEqual(SAMPLE_APPENDIX1_COLUMNS.map((c) => c.header));
      expect(ws.getCell(GROUPS, 16).value).toBe('из них');
      expect(ws.getCell(GROUPS, 18).isMerged).toBe(true);
      expect(ws.getCell(HEADER, 5).font?.bold).toBe(true);
      expect(ws.getCell(HEADER, 5).alignment?.wrapText).toBe(true);
      expect(SAMPLE_APPENDIX1_COLUMNS.map((_c, i) => ws.getCell(NUMBERS, i + 1).value)).toEqual(
        SAMPLE_APPENDIX1_COLUMNS.map((_c, i) => i + 1),
      );
    }
  });

  it('writes every value with its type: text as text, amounts as numbers, real dates, months as text', () => {
    const sheets: [ExcelJS.Worksheet, Row[]][] = [
      [wb.worksheets[0], SAMPLE_ASTANA_ROWS],
      [wb.worksheets[1], SAMPLE_ALMATY_ROWS],
    ];
    for (const [ws, rows] of sheets) {
      rows.forEach((row, r) => {
        SAMPLE_APPENDIX1_COLUMNS.forEach((c, i) => {
          const cell = ws.getCell(FIRST + r, i + 1);
          const v = row[c.key];
          const where = `${ws.name} ${cell.address} ${c.key}`;
          if (v === null || v === undefined) {
            expect(cell.value ?? null, where).toBeNull();
            return;
          }
          switch (c.type) {
            case 'month':
              expect(cell.type, where).toBe(V.String);
              expect(monthFromWords(String(cell.value)), where).toBe(String(v));
              expect(cell.numFmt, where).toBe(XLSX_NUMFMT.text);
              break;
            case 'text':
              expect(cell.type, where).toBe(V.String);
              expect(cell.value, where).toBe(String(v));
              expect(cell.numFmt, where).toBe(XLSX_NUMFMT.text);
              break;
            case 'amount':
              expect(cell.type, where).toBe(V.Number);
              expect(cell.value, where).toBe(Number(v));
              expect(cell.numFmt, where).toBe(XLSX_NUMFMT.amount);
              break;
            case 'count':
              expect(cell.value, where).toBe(Number(v));
              expect(Number.isInteger(cell.value), where).toBe(true);
              break;
            case 'date':
              expect(cell.type, where).toBe(V.Date);
              expect((cell.value as Date).toISOString(), where).toBe(`${v}T00:00:00.000Z`);
              expect(cell.numFmt, where).toBe(XLSX_NUMFMT.date);
              break;
          }
        });
      });
      // nothing below the data but the totals row and the footer
      expect(ws.getCell(FIRST + rows.length, 1).value).toBe('Итого');
    }
  });

  it('writes text as inline strings: no shared-strings table, no t="str" cells (formula results only)', async () => {
    const parts = await xlsxParts(file);
    expect([...parts.keys()].filter((p) => /sharedStrings/i.test(p))).toEqual([]);
    const sheet = parts.get('xl/worksheets/sheet1.xml')!;
    expect(sheet).not.toMatch(/t="str"/);
    expect(sheet).not.toMatch(/t="s"/);
    expect(sheet).toContain('<c r="D11" s="');
    expect(sheet).toMatch(/<c r="D11" s="\d+" t="inlineStr"><is><r><t>040512500013<\/t><\/r><\/is><\/c>/);
  });

  it('keeps the leading zero of an ИИН and never turns text into a formula', () => {
    const ws = wb.worksheets[0];
    const iin = ws.getCell(FIRST, 4);
    expect(iin.type).toBe(V.String);
    expect(iin.value).toBe('040512500013');
    const tricky = [ws.getCell(FIRST + 1, 7), ws.getCell(FIRST + 1, 9), ws.getCell(FIRST + 1, 3)];
    expect(tricky.map((c) => c.value)).toEqual(['=SUM(A1)', '-5', '@x']);
    for (const c of tricky) {
      expect(c.type).toBe(V.String);
      expect(c.formula).toBeUndefined();
    }
    // the only formulas in the sheet are the totals
    const formulas: string[] = [];
    ws.eachRow((row) => row.eachCell((cell) => cell.type === V.Formula && formulas.push(cell.address)));
    expect(formulas).toEqual(['O14', 'P14', 'Q14', 'R14']);
  });

  it('writes the totals as SUM formulas over the data with the computed value cached', () => {
    const ws = wb.worksheets[0];
    const totals = sampleTotals(SAMPLE_ASTANA_ROWS);
    const row = FIRST + SAMPLE_ASTANA_ROWS.length;
    const expected = { O: 'guaranteed', P: 'provider_sum', Q: 'opv', R: 'osms' } as const;
    for (const [col, key] of Object.entries(expected)) {
      const cell = ws.getCell(`${col}${row}`);
      expect(cell.type).toBe(V.Formula);
      expect(cell.formula).toBe(`SUM(${col}${FIRST}:${col}${row - 1})`);
      expect(cell.result).toBe(Number(totals[key]));
      expect(cell.font?.bold).toBe(true);
    }
    expect(ws.getCell(`O${row}`).result).toBe(1363268.38);
    expect(ws.getCell(row, 1).value).toBe('Итого');
    expect(ws.getCell(row, 2).isMerged).toBe(true); // the label spans the columns without totals
  });

  it('writes the footer and both signature blocks', () => {
    const ws = wb.worksheets[0];
    const texts: string[] = [];
    ws.eachRow((row, r) => r > FIRST + SAMPLE_ASTANA_ROWS.length && row.eachCell((c) => c.type === V.String && texts.push(String(c.value))));
    expect(texts).toContain('Всего гарантированная сумма: Один миллион триста шестьдесят три тысячи двести шестьдесят восемь тенге 38 тиын');
    expect(texts).toContain('Управление занятости и социальных программ');
    expect(texts).toContain('НАО «Государственная корпорация «Правительство для граждан»');
  });

  it('freezes the header, sets an autofilter over the table, and sizes the columns', () => {
    for (const [ws, rows] of [
      [wb.worksheets[0], SAMPLE_ASTANA_ROWS],
      [wb.worksheets[1], SAMPLE_ALMATY_ROWS],
    ] as const) {
      const view = ws.views[0] as ExcelJS.WorksheetViewFrozen;
      expect(view.state).toBe('frozen');
      expect(view.ySplit).toBe(NUMBERS);
      const last = FIRST + rows.length - 1;
      expect(ws.autoFilter).toBe(`A${NUMBERS}:R${last}`);
      const widths = SAMPLE_APPENDIX1_COLUMNS.map((_c, i) => ws.getColumn(i + 1).width ?? 0);
      expect(Math.min(...widths)).toBeGreaterThanOrEqual(4);
      expect(ws.getColumn(4).width).toBeGreaterThanOrEqual(12); // an ИИН is 12 digits
      expect(ws.getColumn(15).width).toBeGreaterThanOrEqual(14); // «1 234 567,89»
    }
  });
});

describe('renderXlsx: streams, groups, refusals', () => {
  const cols: Column[] = [
    { key: 'no', header: '№', type: 'count' },
    { key: 'bank', header: 'Наименование уполномоченной организации', type: 'text' },
    { key: 'tc', header: 'количество получателей', type: 'count', group: 'Перечислено ГК' },
    { key: 'ta', header: 'сумма, тенге', type: 'amount', group: 'Перечислено ГК' },
    { key: 'rc', header: 'количество получателей', type: 'count', group: 'Возвращено' },
    { key: 'ra', header: 'сумма, тенге', type: 'amount', group: 'Возвращено' },
  ];
  const doc = (rows: FormDocument['sections'][number]['rows'], totals: Record<string, string | number | null>): FormDocument => ({
    form: 'Приложение 4 к Алгоритму взаимодействия',
    title: 'Сведения по произведенным суммам возмещения',
    period: 'Отчетный период: март 2025 года',
    orientation: 'landscape',
    sections: [{ name: 'Банки', heading: [], columns: cols, numberRow: true, rows, totals: { label: 'ИТОГО', ...totals } }],
  });

  it('takes rows from an async generator, 20 000 of them, and sums them exactly', async () => {
    async function* rows(): AsyncGenerator<Row> {
      for (let i = 1; i <= 20_000; i++) yield { no: i, bank: `Банк ${i}`, tc: 1, ta: '0.10', rc: 0, ra: '0.00' };
    }
    const file = path.join(dir, 'many.xlsx');
    await renderXlsx(doc(rows(), { tc: 20_000, ta: '2000.00', rc: 0, ra: '0.00' }), file);
    const ws = (await readWorkbook(file)).worksheets[0];
    // label 1, «Форма» 2, title 3, period 4, blank 5, group row 6, header row 7, numbers 8,
    // data 9…20008, totals 20009
    expect(ws.getCell('C6').value).toBe('Перечислено ГК');
    expect(ws.getCell('D6').isMerged).toBe(true);
    expect(ws.getCell('A6').value).toBe('№');
    expect(ws.getCell('A7').isMerged).toBe(true); // «№» spans both header rows
    expect(ws.getCell('C7').value).toBe('количество получателей');
    expect(ws.getCell('A20008').value).toBe(20_000);
    expect(ws.getCell('D20009').formula).toBe('SUM(D9:D20008)');
    expect(ws.getCell('D20009').result).toBe(2000);
    expect(ws.getCell('C20009').formula).toBe('SUM(C9:C20008)');
    expect(ws.getCell('A20009').value).toBe('ИТОГО');
  });

  it('writes an empty section with plain zero totals (no formula over an empty range)', async () => {
    const file = path.join(dir, 'empty.xlsx');
    await renderXlsx(doc([], { tc: 0, ta: '0.00', rc: 0, ra: '0.00' }), file);
    const ws = (await readWorkbook(file)).worksheets[0];
    expect(ws.getCell('D9').value).toBe(0);
    expect(ws.getCell('D9').type).toBe(V.Number);
  });

  it('refuses totals that do not match the rows, amounts given as numbers, impossible dates', async () => {
    const row = { no: 1, bank: 'Банк', tc: 1, ta: '10.00', rc: 0, ra: '0.00' };
    await expect(renderXlsx(doc([row], { tc: 1, ta: '10.01', rc: 0, ra: '0.00' }), path.join(dir, 'bad1.xlsx'))).rejects.toThrow(
      /totals "ta" is "10.01" but the rows sum to 10.00/,
    );
    await expect(
      renderXlsx(doc([{ ...row, ta: 10 }], { tc: 1, ta: '10.00', rc: 0, ra: '0.00' }), path.join(dir, 'bad2.xlsx')),
    ).rejects.toThrow(RenderError);
    const dated: FormDocument = {
      ...doc([], {}),
      sections: [{ name: 'x', heading: [], columns: [{ key: 'd', header: 'Дата', type: 'date' }], rows: [{ d: '2025-02-30' }] }],
    };
    await expect(renderXlsx(dated, path.join(dir, 'bad3.xlsx'))).rejects.toThrow(/no such date/);
    const left = await readdir(dir);
    expect(left.filter((f) => f.startsWith('bad') || f.includes('.tmp'))).toEqual([]);
  });
});

describe('sheetNames', () => {
  it('removes forbidden characters, trims to 31, avoids History and duplicates ignoring case', () => {
    expect(sheetNames(['a/b\\c?d*e[f]g:h', "'quoted'", 'History', 'Лист', 'ЛИСТ', '', 'x'.repeat(40), 'x'.repeat(40)])).toEqual([
      'a_b_c_d_e_f_g_h',
      'quoted',
      'History_',
      'Лист',
      'ЛИСТ (2)',
      'Лист 6',
      'x'.repeat(31),
      `${'x'.repeat(27)} (2)`,
    ]);
  });
});
