// Whole-file problems (exit 2, nothing written, not even a batch row) and the three readers:
// CSV (BOM, CRLF, quoted line breaks, cp1251, semicolons), XLSX (typed cells) and JSON.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../pipeline/kernel/errors.ts';
import { count, type TestDb } from './support/db.ts';
import { writeCsv } from './support/csv.ts';
import { synthIin } from './support/ids.ts';
import { ACT_COLUMNS, act, fixture, importFile, SAMPLE, openSample, readRejected, type SampleDb } from './support/imports.ts';

let t: TestDb;
let dir: string;
let close: SampleDb['close'] | undefined;
beforeAll(async () => {
  ({ t, dir, close } = await openSample());
});
afterAll(() => close?.());

const batchCount = () => count(t.db, 'import_batches');

/** Runs an import that must be refused as a whole: UsageError, and nothing written. */
async function refused(kind: string, file: string): Promise<string> {
  const before = await batchCount();
  const actsBefore = await count(t.db, 'acts');
  const err = await importFile(t.db, kind, file).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(UsageError);
  expect((err as UsageError).exitCode).toBe(2);
  expect(await batchCount()).toBe(before);
  expect(await count(t.db, 'acts')).toBe(actsBefore);
  expect(existsSync(`${file}.rejected.xlsx`)).toBe(false);
  const message = (err as Error).message;
  expect(message).not.toMatch(/\n/);
  return message;
}

describe('unusable files', () => {
  it('an empty file', async () => {
    expect(await refused('acts', fixture('empty.csv', dir))).toMatch(/empty\.csv пуст/);
  });

  it('a header and no rows', async () => {
    const file = writeCsv(dir, 'header-only.csv', ACT_COLUMNS, []);
    expect(await refused('acts', file)).toMatch(/нет ни одной строки данных/);
  });

  it('an unknown column', async () => {
    expect(await refused('acts', fixture('acts-unknown-column.csv', dir))).toMatch(/неизвестные столбцы «comment»/);
  });

  it('a missing required column names it', async () => {
    expect(await refused('acts', fixture('acts-missing-column.csv', dir))).toMatch(/нет обязательных столбцов «hours» \(Часы\)/);
  });

  it('a missing optional column is fine', async () => {
    const cols = ACT_COLUMNS.filter((c) => c !== 'claimed_amount');
    const file = writeCsv(dir, 'no-claimed.csv', cols, [act({ act_no: 'OPT-1', pwd_iin: synthIin(700) })]);
    const r = await importFile(t.db, 'acts', file);
    expect([r.accepted, r.rejected]).toEqual([1, 0]);
  });

  it('a repeated column', async () => {
    const file = path.join(dir, 'dup.csv');
    writeFileSync(file, 'bik,name,name\nHSBKKZKX,a,b\n');
    expect(await refused('banks', file)).toMatch(/столбец «name» повторяется/);
  });

  it('an upper-case column gets a hint', async () => {
    const file = path.join(dir, 'upper.csv');
    writeFileSync(file, 'BIK,name\nHSBKKZKX,a\n');
    expect(await refused('banks', file)).toMatch(/неизвестные столбцы «BIK» \(возможно, имелось в виду «bik»\)/);
  });

  it('a cp1251 file is read as Windows-1251, not as mojibake: the same МИО as mios.csv are duplicates', async () => {
    const r = await importFile(t.db, 'mios', fixture('mios-cp1251.csv', dir));
    expect(r).toMatchObject({ encoding: 'windows-1251', delimiter: ',', accepted: 0, duplicates: 2, rejected: 0 });
  });

  it('a UTF-8 file with a Windows-1251 line deep inside is refused as mixed: nothing of it is taken', async () => {
    const rows = Array.from({ length: 1500 }, (_, i) => act({ act_no: `BIG-${i}`, pwd_iin: synthIin(1000 + i) }));
    const file = writeCsv(dir, 'late-cp1251.csv', ACT_COLUMNS, rows);
    writeFileSync(file, Buffer.concat([readFileSync(file), Buffer.from('x,\xc0\xe1\xe2\n', 'latin1')]));
    expect(await refused('acts', file)).toBe(
      'Файл late-cp1251.csv: смешаны кодировки — строка 2 записана в UTF-8, а строка 1502 не в UTF-8 (похоже на Windows-1251): сохраните весь файл в одной кодировке',
    );
    expect(await t.db('acts').where('act_no', 'like', 'BIG-%').count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('a UTF-8 line with a broken byte is refused, not read as Windows-1251 mojibake', async () => {
    const file = path.join(dir, 'broken-utf8.csv');
    writeFileSync(file, Buffer.concat([Buffer.from('bik,name\nTESTKZKB,Банк ', 'utf8'), Buffer.from([0xff, 0xfe]), Buffer.from(' тест\n', 'utf8')]));
    expect(await refused('banks', file)).toBe(
      'Файл broken-utf8.csv: строка 2 записана в UTF-8, но в ней есть байты не в UTF-8 (файл повреждён): кодировку не определить, сохраните файл заново в UTF-8 или Windows-1251',
    );
    expect(await t.db('banks').where({ bik: 'TESTKZKB' })).toEqual([]);
  });

  it('a semicolon-separated file is read: the same bank as banks.csv is a duplicate', async () => {
    const r = await importFile(t.db, 'banks', fixture('banks-semicolon.csv', dir));
    expect(r).toMatchObject({ encoding: 'utf-8', delimiter: ';', accepted: 0, duplicates: 1, rejected: 0 });
  });

  it('an unclosed quote', async () => {
    const file = path.join(dir, 'quote.csv');
    writeFileSync(file, 'bik,name\nHSBKKZKX,"АО «Банк»\n');
    expect(await refused('banks', file)).toMatch(/не разобрать как CSV.*кавычка/);
  });

  it('an unknown extension, a missing file, an unknown kind', async () => {
    const txt = path.join(dir, 'banks.txt');
    writeFileSync(txt, 'bik,name\n');
    expect(await refused('banks', txt)).toMatch(/неизвестный формат «\.txt»/);
    expect(await refused('banks', path.join(dir, 'nope.csv'))).toMatch(/не найден/);
    expect(await refused('payments', txt)).toMatch(/Неизвестный вид импорта «payments»/);
    expect(await refused('banks', path.join(dir, 'x.xml'))).toMatch(/не найден/);
    const xml = path.join(dir, 'banks.xml');
    writeFileSync(xml, '<a/>');
    expect(await refused('banks', xml)).toMatch(/только для returns/);
  });

  it('JSON that is not an array of objects, or has unknown keys', async () => {
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, '{"bik":"HSBKKZKX"}');
    expect(await refused('banks', file)).toMatch(/JSON-массив/);
    writeFileSync(file, '[{"bik":"HSBKKZKX","name":"a","extra":1}]');
    expect(await refused('banks', file)).toMatch(/неизвестные столбцы «extra»/);
    writeFileSync(file, '[{"bik":"HSBKKZKX"');
    expect(await refused('banks', file)).toMatch(/не разобрать как JSON/);
    writeFileSync(file, '[]');
    expect(await refused('banks', file)).toMatch(/пустой массив/);
    // JSON.parse would keep the last of two equal keys without a word.
    writeFileSync(file, '[{"bik":"HSBKKZKX","name":"a","name":"b"}]');
    expect(await refused('banks', file)).toMatch(/поле «name» указано дважды в одном объекте/);
  });

  it('a file that is not an XLSX workbook', async () => {
    const file = path.join(dir, 'fake.xlsx');
    writeFileSync(file, 'bik,name\nHSBKKZKX,a\n');
    expect(await refused('banks', file)).toMatch(/не читается как книга Excel/);
  });
});

describe('CSV reader', () => {
  it('accepts a UTF-8 BOM and CRLF line ends', async () => {
    const r = await importFile(t.db, 'banks', fixture('banks-bom.csv', dir));
    expect([r.accepted + r.duplicates, r.rejected]).toEqual([1, 0]);
  });

  it('reports the line where a record starts, across quoted line breaks and blank lines', async () => {
    const file = path.join(dir, 'lines.csv');
    writeFileSync(
      file,
      'bik,name\r\n' +
        'MNOPKZ44,"АО «Банк ""Тест""»"\r\n' +
        '\r\n' +
        'ABCDKZ11,"Многострочное\r\nназвание"\r\n' +
        ',\r\n' +
        'bad,Банк\r\n' +
        'EFGHKZ22,Банк,лишнее\r\n',
    );
    const r = await importFile(t.db, 'banks', file);
    expect(r.errors.map((e) => [e.row, e.field])).toEqual([
      [4, 'name'],
      [7, 'bik'],
      [8, null],
    ]);
    expect(r.errors[2].reason).toMatch(/лишние значения справа/);
    const rejected = await readRejected(`${file}.rejected.xlsx`);
    expect(rejected.map((r) => r.slice(0, 3))).toEqual([
      ['Строка файла', 'Поле', 'Значение'],
      ['4', 'name', 'Многострочное[U+000A]название'],
      ['7', 'bik', 'bad'],
      ['8', '', ''],
    ]);
  });

  it('keeps a formula-looking name as text, and never hands it to Excel as a formula', async () => {
    const formula = '=HYPERLINK("http://example.invalid","Жми")';
    const file = writeCsv(
      dir,
      'formula.csv',
      ['provider_id', 'kind', 'name', 'bik', 'iban', 'registered_on'],
      [
        { provider_id: synthIin(900), kind: 'assistant', name: formula, bik: 'HSBKKZKX', iban: SAMPLE.halykIban, registered_on: '2024-01-01' },
        { provider_id: synthIin(901), kind: 'assistant', name: formula, bik: 'HSBKKZKX', iban: 'KZ00', registered_on: '2024-01-01' },
      ],
    );
    const r = await importFile(t.db, 'providers', file);
    expect([r.accepted, r.rejected]).toEqual([1, 1]);
    const p = await t.db('providers').where({ provider_id: synthIin(900) }).first();
    expect(p.name).toBe(formula);
    // The rejected-rows workbook shows it as it was, as text: a cell of text is never a formula.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(`${file}.rejected.xlsx`);
    const cell = wb.worksheets[0].getRow(2).getCell(4 + 3);
    expect(cell.text).toBe(formula);
    expect(cell.formula).toBeUndefined();
    expect([ExcelJS.ValueType.String, ExcelJS.ValueType.RichText]).toContain(cell.type);
  });
});

describe('XLSX reader', () => {
  async function workbook(file: string, build: (ws: ExcelJS.Worksheet) => void, firstSheetName = 'Акты'): Promise<string> {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet(firstSheetName);
    build(ws);
    wb.addWorksheet('Прочее').addRow(['что-то ещё']);
    await wb.xlsx.writeFile(file);
    return file;
  }

  it('reads typed cells back: dates, months, number cells; an ИИН that lost its leading zero is refused', async () => {
    const file = await workbook(path.join(dir, 'acts.xlsx'), (ws) => {
      ws.addRow(ACT_COLUMNS);
      const good = act({ act_no: 'X-1', pwd_iin: synthIin(800) });
      ws.addRow(
        ACT_COLUMNS.map((c) => {
          if (c === 'hours') return 160;
          if (c === 'claimed_amount') return 50000.5;
          if (c === 'received_on') return new Date(Date.UTC(2025, 1, 3));
          if (c === 'accepted_on') return new Date(Date.UTC(2025, 1, 10));
          if (c === 'service_month') return new Date(Date.UTC(2025, 0, 1));
          if (c === 'act_no') return 1042;
          return good[c];
        }),
      );
      // The leading-zero ИИН of the sample (010205500792) typed as a number: 10205500792.
      ws.addRow(ACT_COLUMNS.map((c) => (c === 'pwd_iin' ? 10205500792 : c === 'act_no' ? 'X-2' : act()[c])));
      ws.getCell('O2').numFmt = 'dd.mm.yyyy';
      ws.getCell('P2').numFmt = 'dd.mm.yyyy';
      ws.getCell('L2').numFmt = 'mmm-yy';
    });
    const r = await importFile(t.db, 'acts', file);
    expect(r.format).toBe('xlsx');
    expect([r.accepted, r.rejected]).toEqual([1, 1]);
    expect(r.errors[0]).toEqual({
      row: 3,
      field: 'pwd_iin',
      value: '10205500792',
      reason:
        'ИИН ЛСИ: записан в Excel числом и потерял ведущий ноль (10205500792, 11 цифр вместо 12); ' +
        'отформатируйте столбец как текст и введите все 12 цифр',
    });
    const a = await t.db('acts').where({ provider_id: SAMPLE.npo, act_no: '1042' }).first();
    expect(a).toMatchObject({
      service_month: '2025-01',
      hours: '160.00',
      claimed_amount: '50000.50',
      received_on: '2025-02-03',
      accepted_on: '2025-02-10',
    });
    // The rejected file repeats the row as read (the number as Excel shows it).
    expect((await readRejected(`${file}.rejected.xlsx`))[1].slice(0, 3)).toEqual(['3', 'pwd_iin', '10205500792']);
  });

  it('keeps a formula-looking text cell as text and takes a formula cell by its value', async () => {
    const file = await workbook(path.join(dir, 'banks.xlsx'), (ws) => {
      ws.addRow(['bik', 'name', 'fee_per_payment']);
      ws.addRow(['IJKLKZ33', '=1+2', { formula: '10*5', result: 50 }]);
    });
    const r = await importFile(t.db, 'banks', file);
    expect([r.accepted, r.rejected]).toEqual([1, 0]);
    expect(await t.db('banks').where({ bik: 'IJKLKZ33' }).first()).toMatchObject({ name: '=1+2', fee_per_payment: '50.00' });
  });

  it('an empty first sheet is an empty file', async () => {
    const file = await workbook(path.join(dir, 'empty.xlsx'), () => {});
    expect(await refused('banks', file)).toMatch(/пуст/);
  });
});

describe('JSON reader', () => {
  it('takes an array of objects; a key absent from one object is that row\'s problem', async () => {
    const file = path.join(dir, 'exemptions.json');
    writeFileSync(
      file,
      JSON.stringify([
        { iin: synthIin(950), opv_exempt: true, osms_exempt: 'false', so_exempt: false, valid_from: '2025-01-01', reason: 'тест' },
        { iin: synthIin(951), opv_exempt: true, osms_exempt: false, valid_from: '2025-01-01', valid_to: null, reason: 'тест' },
        'не объект',
      ]),
    );
    const r = await importFile(t.db, 'exemptions', file);
    expect(r.accepted).toBe(1);
    expect(r.errors.map((e) => [e.row, e.field])).toEqual([
      [2, 'so_exempt'],
      [3, null],
    ]);
    expect(r.errors[0].reason).toBe('Освобождён от СО: не заполнено');
  });
});
