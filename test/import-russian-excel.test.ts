// Issue 14: the files finance staff really have. The same acts, exemptions and banks imported
// from a Russian Excel CSV (Windows-1251, «;», ДД.ММ.ГГГГ, ММ.ГГГГ, decimal comma, thousands
// grouped by a no-break space, да/нет), from a UTF-8 comma CSV in the canonical forms, and from a
// workbook whose first sheet is «Лист1» as another program stores it, each into its own database:
// the stored rows are the same. Also: a large Cyrillic sheet keeps every letter (exceljs' own
// streaming reader damaged a letter at each chunk boundary), and encoding and separator detection.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../pipeline/kernel/errors.ts';
import { freshDb, type TestDb } from './support/db.ts';
import { tempDir as tmpDir } from './support/files.ts';
import { synthIin as syntheticIin } from './support/ids.ts';
import { ACT_COLUMNS, act, importFile, loadSample } from './support/imports.ts';

const NBSP = '\u00a0';
const EXEMPTION_COLUMNS = ['iin', 'opv_exempt', 'osms_exempt', 'so_exempt', 'valid_from', 'valid_to', 'reason'];
const BANK_COLUMNS = ['bik', 'name', 'fee_per_payment', 'fee_percent', 'fee_min', 'fee_max'];

/** Windows-1251 bytes (Cyrillic, Ё/ё, «», №, no-break space, ASCII): what a Russian Windows writes. */
function cp1251(text: string): Buffer {
  const special: Record<string, number> = { Ё: 0xa8, ё: 0xb8, '«': 0xab, '»': 0xbb, '№': 0xb9, [NBSP]: 0xa0 };
  return Buffer.from(
    [...text].map((ch) => {
      const c = ch.codePointAt(0)!;
      if (c < 0x80) return c;
      if (c >= 0x410 && c <= 0x44f) return c - 0x410 + 0xc0;
      if (ch in special) return special[ch];
      throw new Error(`no Windows-1251 byte for ${ch}`);
    }),
  );
}

function csvText(columns: string[], rows: Record<string, string>[], delimiter: string, eol: string): string {
  const cell = (v: string) => (v.includes(delimiter) || /["\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [columns.join(delimiter), ...rows.map((r) => columns.map((c) => cell(r[c] ?? '')).join(delimiter))].join(eol) + eol;
}

/** The data, canonical (the portal's UTF-8 CSV). */
const acts = [
  act({ act_no: 'РЕ-1', pwd_iin: syntheticIin(9001), pwd_name: 'Ёлкина Алия Маратовна', hours: '100.5', claimed_amount: '50000.00' }),
  act({ act_no: 'РЕ-2', pwd_iin: syntheticIin(9002), assistant_name: 'Тестов Ерлан «младший»', hours: '160', received_on: '2025-02-04', accepted_on: '2025-02-11' }),
  act({ act_no: 'РЕ-№3', pwd_iin: syntheticIin(9003), hours: '8.25', claimed_amount: '1234.50', service_month: '2025-01' }),
];
const exemptions = [
  { iin: syntheticIin(9101), opv_exempt: 'true', osms_exempt: 'false', so_exempt: 'true', valid_from: '2025-01-01', valid_to: '', reason: 'получатель пенсионных выплат' },
  { iin: syntheticIin(9102), opv_exempt: 'false', osms_exempt: 'true', so_exempt: 'false', valid_from: '2025-02-01', valid_to: '2025-06-30', reason: 'освобождение от ОСМС' },
];
const banks = [
  { bik: 'TSTGKZKA', name: 'АО «Тестовый банк Ёж»', fee_per_payment: '1025.50', fee_percent: '0.15', fee_min: '25', fee_max: '' },
  { bik: 'TSTHKZKA', name: 'АО «Второй банк»', fee_per_payment: '', fee_percent: '0.0125', fee_min: '', fee_max: '12000' },
];

/** ISO → Russian Excel's forms. */
const ruDate = (d: string) => (d ? `${d.slice(8, 10)}.${d.slice(5, 7)}.${d.slice(0, 4)}` : '');
const ruMonth = (m: string) => `${m.slice(5, 7)}.${m.slice(0, 4)}`;
const ruNumber = (n: string) => {
  if (!n) return '';
  const [whole, fraction] = n.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
  return fraction === undefined ? grouped : `${grouped},${fraction}`;
};
const ruBool = (b: string) => (b === 'true' ? 'да' : 'нет');

function russianExcel(dir: string): Record<string, string> {
  const put = (name: string, columns: string[], rows: Record<string, string>[]) => {
    const file = path.join(dir, name);
    writeFileSync(file, cp1251(csvText(columns, rows, ';', '\r\n')));
    return file;
  };
  return {
    banks: put('banks-ru.csv', BANK_COLUMNS, banks.map((b) => ({ ...b, fee_per_payment: ruNumber(b.fee_per_payment), fee_percent: ruNumber(b.fee_percent), fee_min: ruNumber(b.fee_min), fee_max: ruNumber(b.fee_max) }))),
    acts: put(
      'acts-ru.csv',
      ACT_COLUMNS,
      acts.map((a) => ({
        ...a,
        service_month: ruMonth(a.service_month),
        hours: ruNumber(a.hours),
        claimed_amount: ruNumber(a.claimed_amount),
        received_on: ruDate(a.received_on),
        accepted_on: ruDate(a.accepted_on),
      })),
    ),
    exemptions: put(
      'exemptions-ru.csv',
      EXEMPTION_COLUMNS,
      exemptions.map((e) => ({ ...e, opv_exempt: ruBool(e.opv_exempt), osms_exempt: ruBool(e.osms_exempt), so_exempt: ruBool(e.so_exempt), valid_from: ruDate(e.valid_from), valid_to: ruDate(e.valid_to) })),
    ),
  };
}

function utf8Csv(dir: string): Record<string, string> {
  const put = (name: string, columns: string[], rows: Record<string, string>[]) => {
    const file = path.join(dir, name);
    writeFileSync(file, csvText(columns, rows, ',', '\n'));
    return file;
  };
  return { banks: put('banks-utf8.csv', BANK_COLUMNS, banks), acts: put('acts-utf8.csv', ACT_COLUMNS, acts), exemptions: put('exemptions-utf8.csv', EXEMPTION_COLUMNS, exemptions) };
}

/**
 * A workbook as another program stores it: the first sheet «Лист1», relationship targets absolute
 * (as openpyxl writes them), the sheet part not named sheet1.xml, the workbook part stored last.
 */
async function otherProgramWorkbook(file: string, header: string[], rows: unknown[][]): Promise<string> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Лист1');
  ws.addRow(header);
  for (const r of rows) ws.addRow(r);
  wb.addWorksheet('Лист2').addRow(['не эти данные']);
  const zip = await JSZip.loadAsync(await wb.xlsx.writeBuffer());
  const out = new JSZip();
  const rename = (s: string) => s.replace('xl/worksheets/sheet1.xml', 'xl/worksheets/list1.xml');
  const names = Object.keys(zip.files).filter((n) => !zip.files[n].dir);
  for (const name of [...names.filter((n) => n !== 'xl/workbook.xml'), 'xl/workbook.xml']) {
    let content = await zip.file(name)!.async('string');
    if (name === 'xl/_rels/workbook.xml.rels') content = rename(content.replace(/Target="(?!\/)/g, 'Target="/xl/'));
    if (name === '[Content_Types].xml') content = rename(content);
    out.file(rename(name), content);
  }
  writeFileSync(file, await out.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
  return file;
}

async function workbooks(dir: string): Promise<Record<string, string>> {
  const utc = (d: string) => (d ? new Date(`${d}T00:00:00Z`) : null);
  const num = (n: string) => (n ? Number(n) : null);
  return {
    banks: await otherProgramWorkbook(
      path.join(dir, 'banks.xlsx'),
      BANK_COLUMNS,
      // A fee typed as Russian text in one row, as a number cell in the other.
      banks.map((b, i) => [b.bik, b.name, i === 0 ? `1${NBSP}025,50` : num(b.fee_per_payment), num(b.fee_percent), num(b.fee_min), num(b.fee_max)]),
    ),
    acts: await otherProgramWorkbook(
      path.join(dir, 'acts.xlsx'),
      ACT_COLUMNS,
      acts.map((a) =>
        ACT_COLUMNS.map((c) => {
          if (c === 'hours' || c === 'claimed_amount') return num(a[c]);
          if (c === 'received_on' || c === 'accepted_on') return utc(a[c]);
          if (c === 'service_month') return ruMonth(a[c]);
          return a[c];
        }),
      ),
    ),
    exemptions: await otherProgramWorkbook(
      path.join(dir, 'exemptions.xlsx'),
      EXEMPTION_COLUMNS,
      exemptions.map((e) => [e.iin, e.opv_exempt === 'true', e.osms_exempt === 'true', ruBool(e.so_exempt), utc(e.valid_from), utc(e.valid_to), e.reason]),
    ),
  };
}

/** The stored rows of a table, without what differs by import (ids, batches, times). */
async function stored(t: TestDb, table: string, key: string): Promise<Record<string, unknown>[]> {
  const rows = await t.db(table).orderBy(key);
  return rows.map((r: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(r).filter(([k]) => !/^(id|batch_id)$|_at$/.test(k)).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v])),
  );
}

describe('the same data from a Russian Excel CSV, a UTF-8 CSV and a workbook with «Лист1»', () => {
  const forms = ['russian-excel', 'utf8', 'workbook'] as const;
  const dbs: Partial<Record<(typeof forms)[number], TestDb>> = {};
  const reports: Record<string, Awaited<ReturnType<typeof importFile>>[]> = {};

  beforeAll(async () => {
    const dir = tmpDir();
    const files = { 'russian-excel': russianExcel(dir), utf8: utf8Csv(dir), workbook: await workbooks(dir) };
    for (const form of forms) {
      const t = await freshDb();
      dbs[form] = t;
      await loadSample(t.db, dir);
      reports[form] = [];
      for (const kind of ['banks', 'acts', 'exemptions']) reports[form].push(await importFile(t.db, kind, files[form][kind]));
    }
  });
  afterAll(async () => {
    for (const t of Object.values(dbs)) await t?.drop();
  });

  it('each form is taken whole', () => {
    for (const form of forms) {
      expect(reports[form].map((r) => [r.kind, r.accepted, r.rejected, r.errors]), form).toEqual([
        ['banks', 2, 0, []],
        ['acts', 3, 0, []],
        ['exemptions', 2, 0, []],
      ]);
    }
    expect(reports['russian-excel'].map((r) => [r.encoding, r.delimiter])).toEqual(Array(3).fill(['windows-1251', ';']));
    expect(reports.utf8.map((r) => [r.encoding, r.delimiter])).toEqual(Array(3).fill(['utf-8', ',']));
    expect(reports.workbook.map((r) => r.format)).toEqual(['xlsx', 'xlsx', 'xlsx']);
  });

  it('the stored rows are the same, in the canonical form', async () => {
    const canon = {
      acts: await stored(dbs.utf8!, 'acts', 'act_no'),
      exemptions: await stored(dbs.utf8!, 'exemptions', 'iin'),
      banks: await stored(dbs.utf8!, 'banks', 'bik'),
    };
    expect(canon.acts.filter((a) => String(a.act_no).startsWith('РЕ-'))).toHaveLength(3);
    expect(canon.acts.find((a) => a.act_no === 'РЕ-1')).toMatchObject({
      service_month: '2025-01',
      hours: '100.50',
      claimed_amount: '50000.00',
      received_on: '2025-02-03',
      accepted_on: '2025-02-10',
      pwd_name: 'Ёлкина Алия Маратовна',
    });
    expect(canon.banks.find((b) => b.bik === 'TSTGKZKA')).toMatchObject({ name: 'АО «Тестовый банк Ёж»', fee_per_payment: '1025.50', fee_percent: '0.1500', fee_min: '25.00' });
    for (const form of ['russian-excel', 'workbook'] as const) {
      expect(await stored(dbs[form]!, 'acts', 'act_no'), form).toEqual(canon.acts);
      expect(await stored(dbs[form]!, 'exemptions', 'iin'), form).toEqual(canon.exemptions);
      expect(await stored(dbs[form]!, 'banks', 'bik'), form).toEqual(canon.banks);
    }
  });
});

describe('a large Cyrillic workbook', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDb();
  });
  afterAll(async () => t?.drop());

  it('keeps every letter of every name (no letter cut at a chunk boundary)', async () => {
    const dir = tmpDir();
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const rows = Array.from({ length: 3000 }, (_, i) => [
      `T${letters[Math.floor(i / 676) % 26]}${letters[Math.floor(i / 26) % 26]}${letters[i % 26]}KZ${String(i % 100).padStart(2, '0')}`,
      `АО «Банк Жетісу Ёлкинский филиал № ${i}» ${'щэюя'.repeat(1 + (i % 7))}`,
    ]);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Банки');
    ws.addRow(['bik', 'name']);
    for (const r of rows) ws.addRow(r);
    const file = path.join(dir, 'many-banks.xlsx');
    await wb.xlsx.writeFile(file);
    const r = await importFile(t.db, 'banks', file);
    expect([r.accepted, r.rejected]).toEqual([3000, 0]);
    const names = new Map((await t.db('banks').select('bik', 'name')).map((b: { bik: string; name: string }) => [b.bik, b.name]));
    const damaged = rows.filter(([bik, name]) => names.get(bik) !== name);
    expect(damaged).toEqual([]);
  });
});

describe('encoding and separator detection', () => {
  let t: TestDb;
  let dir: string;
  beforeAll(async () => {
    t = await freshDb();
    dir = tmpDir();
    await loadSample(t.db, dir, ['banks']);
  });
  afterAll(async () => t?.drop());

  const bankFile = (name: string, bytes: Buffer | string) => {
    const file = path.join(dir, name);
    writeFileSync(file, bytes);
    return file;
  };

  it('UTF-8 with and without a BOM, Windows-1251; «,» or «;»: the same bank each time', async () => {
    const row = { bik: 'TSTJKZKA', name: 'АО «Ёлка»', fee_per_payment: '10.50' };
    const cols = ['bik', 'name', 'fee_per_payment'];
    const first = await importFile(t.db, 'banks', bankFile('b1.csv', csvText(cols, [row], ',', '\n')));
    expect([first.accepted, first.encoding, first.delimiter]).toEqual([1, 'utf-8', ',']);
    for (const [name, bytes, encoding, delimiter] of [
      ['b2.csv', `\ufeff${csvText(cols, [row], ';', '\r\n')}`, 'utf-8', ';'],
      ['b3.csv', cp1251(csvText(cols, [{ ...row, fee_per_payment: '10,50' }], ';', '\r\n')), 'windows-1251', ';'],
      ['b4.csv', cp1251(csvText(cols, [row], ',', '\r\n')), 'windows-1251', ','],
      // Excel's hint line names the separator.
      ['b5.csv', `sep=;\n${csvText(cols, [row], ';', '\n')}`, 'utf-8', ';'],
    ] as const) {
      const r = await importFile(t.db, 'banks', bankFile(name, bytes));
      expect([name, r.duplicates, r.rejected, r.encoding, r.delimiter]).toEqual([name, 1, 0, encoding, delimiter]);
    }
    // Row numbers count the hint line: the bad row is line 4 of the file.
    const hinted = await importFile(t.db, 'banks', bankFile('b6.csv', `sep=;\n${csvText(cols, [row, { ...row, bik: 'bad' }], ';', '\n')}`));
    expect(hinted.errors.map((e) => [e.row, e.field, e.value])).toEqual([[4, 'bik', 'bad']]);
  });

  it('UTF-16 is named as such; a header under neither separator is quoted as seen', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('bik,name\nTSTJKZKA,x\n', 'utf16le').swap16()]);
    const err = (await importFile(t.db, 'banks', bankFile('u16.csv', utf16)).catch((e: unknown) => e)) as UsageError;
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toMatch(/^Файл u16\.csv в кодировке UTF-16 BE/);
    const tab = (await importFile(t.db, 'banks', bankFile('tab.csv', 'bik|name\nTSTJKZKA|x\n')).catch((e: unknown) => e)) as UsageError;
    expect(tab.message).toBe(
      'Файл tab.csv (banks) не принят: в строке заголовка «bik|name» нет ни одного столбца вида banks — ни при разделителе «,», ни при «;». ' +
        'Ожидаются столбцы: bik, name, fee_per_payment, fee_percent, fee_min, fee_max',
    );
  });
});
