// Excel and PDF of every report form, built by the real steps on the two-month world of
// test/support/two-month-world.ts (figures hand-checked in its header), read back: every XLSX with
// exceljs (headers in the form's order, every row equal to the JSON report, totals as SUM
// formulas whose cached values are the JSON totals, types and formats), every PDF with pdftotext
// (title, period and «Страница N из M» on every page, totals, the total in words). And the CLI.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './support/cli.ts';
import type { TestDb } from './support/db.ts';
import { postgresAvailable } from './support/services.ts';
import { openTwoMonthWorld, type OpenWorld, type World } from './support/two-month-world.ts';
import { reportBuilders, type FormName } from '../reports/registry.ts';
import { formFiles, renderReportFiles } from '../reports/render-report.ts';
import { checkReport, type AnyReport } from '../schemas/reports/index.ts';
import type { FormFile } from '../reports/forms/common.ts';
import { XLSX_NUMFMT } from '../reports/render/xlsx.ts';
import { LIST_TITLE } from '../reports/forms/list.ts';
import { APPENDIX_1, APPENDIX_2, APPENDIX_3, APPENDIX_4 } from './support/appendix-table.ts';
import { NO_POPPLER_REASON, pdfPages, pdfText, pick, poppler, readTable, readWorkbook, squash, textsBelow } from './support/forms.ts';

if (!poppler) console.warn(`[forms] ${NO_POPPLER_REASON}`);

const AS_OF = '2025-04-30';
const CASES: [FormName, string | undefined][] = [
  ['list', '2025-02'],
  ['transmission', '2025-02'],
  ['demand', '2025-02'],
  ['payment-orders', '2025-03'],
  ['contributions', '2025-02'],
  ['returns', '2025-02'],
  // The act of reporting period 2025-01 (January's services, paid in February; DOMAIN §5), dated 02-25.
  ['reconciliation', '2025-01'],
  ['bank-fees', '2025-02'],
  ['deadlines', undefined],
  ['ledger', undefined],
];

type Json = Record<string, unknown>;
let t: TestDb;
let w: World;
let close: OpenWorld['close'] | undefined;
let dir: string;
/** The documents, typed for the forms and as plain JSON for the assertions. */
const reports = {} as Record<FormName, AnyReport>;
const docs = {} as Record<FormName, Json>;
const forms = {} as Record<FormName, FormFile[]>;
const xlsx = {} as Record<FormName, string[]>;
const pdf = {} as Record<FormName, string[]>;
const pdfForms = {} as Record<FormName, FormFile[]>;
const PDF_FOR_B: FormName[] = ['demand', 'reconciliation', 'bank-fees'];

beforeAll(async () => {
  ({ t, w, close } = await openTwoMonthWorld(AS_OF));
  dir = await mkdtemp(path.join(os.tmpdir(), 'forms-'));
  for (const [form, month] of CASES) {
    const doc = await reportBuilders[form](t.db, { month, asOf: AS_OF });
    reports[form] = doc;
    docs[form] = doc;
    forms[form] = formFiles(doc, base(form, month));
  }
  // Every form to XLSX; to PDF once per form (a PDF costs ≈ 1.5 s of CPU, most of it pdfmake
  // loading in each volume's worker), the per-МИО forms for МИО B only, as `--mio` gives them.
  await Promise.all(CASES.map(async ([form, month]) => (xlsx[form] = await renderReportFiles(reports[form], 'xlsx', dir, base(form, month)))));
  if (poppler) {
    await Promise.all(
      CASES.map(async ([form, month]) => {
        const mio = PDF_FOR_B.includes(form) ? w.B.mio_bin : undefined;
        const doc = mio ? await reportBuilders[form](t.db, { month, mio, asOf: AS_OF }) : reports[form];
        pdfForms[form] = formFiles(doc, base(form, month, mio));
        pdf[form] = await renderReportFiles(doc, 'pdf', dir, base(form, month, mio));
      }),
    );
  }
}, 120_000);
afterAll(async () => {
  await close?.();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function base(form: FormName, month: string | undefined, mio?: string): string {
  return [form, month ?? AS_OF, mio].filter(Boolean).join('_');
}
const arr = (x: unknown) => x as Json[];
const names = (files: string[]) => files.map((f) => path.basename(f));

describe('files', () => {
  it('are named <form>_<month>[_<БИН>] (plus one demand request per МИО), personal data with mode 0600, nothing left over', async () => {
    const A = w.A.mio_bin;
    const B = w.B.mio_bin;
    expect(names(xlsx.list)).toEqual(['list_2025-02.xlsx']);
    expect(names(xlsx.demand)).toEqual(['demand_2025-02.xlsx', `demand-request_2025-02_${A}.xlsx`, `demand-request_2025-02_${B}.xlsx`]);
    expect(names(xlsx.reconciliation)).toEqual([
      `reconciliation_2025-01_${A}.xlsx`,
      `reconciliation-balance_2025-01_${A}.xlsx`,
      `reconciliation_2025-01_${B}.xlsx`,
      `reconciliation-balance_2025-01_${B}.xlsx`,
    ]);
    expect(names(xlsx['bank-fees'])).toEqual([
      `bank-fees_2025-02_${A}.xlsx`,
      `bank-fees-calc_2025-02_${A}.xlsx`,
      `bank-fees_2025-02_${B}.xlsx`,
      `bank-fees-calc_2025-02_${B}.xlsx`,
    ]);
    expect(names(xlsx.deadlines)).toEqual([`deadlines_${AS_OF}.xlsx`]);
    if (poppler) expect(names(pdf.demand)).toEqual([`demand_2025-02_${B}.pdf`, `demand-request_2025-02_${B}.pdf`]);
    const personal: FormName[] = ['list', 'transmission', 'payment-orders', 'contributions', 'returns', 'deadlines'];
    for (const [form] of CASES) {
      for (const f of [...xlsx[form], ...(pdf[form] ?? [])]) {
        expect((await stat(f)).mode & 0o777, f).toBe(personal.includes(form) ? 0o600 : 0o644);
      }
    }
    expect((await readdir(dir)).filter((f) => f.startsWith('.') || f.includes('.tmp'))).toEqual([]);
  });
});

describe('JSON documents', () => {
  it('match the schema of their form', () => {
    for (const [form] of CASES) expect(() => checkReport(reports[form]), form).not.toThrow();
  });

  it('are the single source of the printed forms: the JSON text read back gives the same forms', () => {
    for (const [form, month] of CASES) {
      const text = JSON.parse(JSON.stringify(reports[form]));
      checkReport(text);
      expect(formFiles(text, base(form, month)), form).toEqual(forms[form]);
    }
  });

  it('carry what the printed forms name: the МИО names, the persons of the contributions registers', () => {
    expect(arr(docs.demand.demands).map((d) => d.mio_name)).toEqual([w.A.name, w.B.name]);
    expect(arr(docs['payment-orders'].orders).map((o) => o.mio_name)).toEqual([w.A.name, w.A.name, w.B.name, w.A.name]);
    const b = arr(docs.contributions.mios)[1];
    expect(b.mio_name).toBe(w.B.name);
    const registers = arr(b.registers);
    expect(registers.map((r) => [r.kind, r.knp, r.total])).toEqual([
      ['opv', '010', '2681.60'],
      ['osms', '122', '536.32'],
      ['so', '012', '1206.72'],
    ]);
    expect(arr(registers[0].persons).map((p) => [p.iin, p.period, p.rows, p.amount])).toEqual([[w.P4.provider_id, '2025-01', 1, '2681.60']]);
  });
});

describe('Appendix 1: list', () => {
  const HEADERS = APPENDIX_1.columns.map((c) => c.heading);
  const KEYS = ['no', 'oblast', 'region', 'pwd_iin', 'pwd_name', 'provider_id', 'provider_name', 'assistant_iin', 'assistant_name', 'order_no', 'decision_no', 'act_no', 'received_on', 'service_month', 'guaranteed', 'provider_sum', 'opv', 'osms'];

  it('XLSX: one sheet per МИО, «Подразделение», the 18 columns in order with 1…18 under them, every row, totals as SUM formulas', async () => {
    const wb = await readWorkbook(xlsx.list[0]);
    const divisions = arr(docs.list.divisions);
    expect(divisions.map((d) => d.mio_bin)).toEqual([w.A.mio_bin, w.B.mio_bin]);
    expect(wb.worksheets.map((s) => s.name)).toEqual([`г. Астана ${w.A.mio_bin}`, `г. Алматы ${w.B.mio_bin}`]);
    const section = forms.list[0].document.sections[0];
    divisions.forEach((d, i) => {
      const ws = wb.worksheets[i];
      expect(ws.getCell(3, 1).value).toBe(LIST_TITLE);
      expect(ws.getCell(5, 1).value).toBe(`Подразделение: ${d.mio_name}`);
      expect(ws.getCell(6, 1).value).toBe('Месяц на выплату: февраль 2025 года');
      const rows = arr(d.rows);
      const table = readTable(ws, section, rows.length);
      expect(table.headers).toEqual(HEADERS);
      expect(table.numbers).toEqual(Array.from({ length: 18 }, (_x, k) => k + 1));
      expect(table.rows).toEqual(pick(rows, KEYS));
      const totals = d.totals as Json;
      expect(table.totals?.label).toBe('Итого');
      for (const [k, col] of [['guaranteed', 'O'], ['provider_sum', 'P'], ['opv', 'Q'], ['osms', 'R']] as const) {
        const cell = table.totals!.cells[KEYS.indexOf(k)];
        expect(cell.formula).toBe(`SUM(${col}${table.dataStart}:${col}${table.dataEnd})`);
        expect(cell.value).toBe(totals[k]);
      }
    });
    // Hand-checked (two-month-world header): МИО A, 2025-01 acts of P1, P2 (assistants) and P3 (ИП).
    const a = readTable(wb.worksheets[0], section, 3);
    expect(a.totals!.cells.slice(14).map((c) => c.value)).toEqual(['160896.00', '149311.49', '9653.76', '1930.75']);
    const p1 = a.rows.find((r) => r[5] === w.P1.provider_id)!;
    expect(p1.slice(12)).toEqual(['2025-02-05', '2025-01', '53632.00', '47196.16', '5363.20', '1072.64']);
    const b = readTable(wb.worksheets[1], section, 1);
    expect(b.rows[0].slice(14)).toEqual(['26816.00', '23598.08', '2681.60', '536.32']);
  });

  it('XLSX: ИИН/БИН as text, amounts as numbers with the grouped format, dates as dates; frozen header, autofilter', async () => {
    const ws = (await readWorkbook(xlsx.list[0])).worksheets[0];
    const section = forms.list[0].document.sections[0];
    const table = readTable(ws, section, 3);
    const r = table.dataStart;
    for (const c of [4, 6, 8]) {
      expect(ws.getCell(r, c).type).toBe(ExcelJS.ValueType.String);
      expect(ws.getCell(r, c).numFmt).toBe(XLSX_NUMFMT.text);
    }
    expect(ws.getCell(r, 13).value).toBeInstanceOf(Date);
    expect(ws.getCell(r, 13).numFmt).toBe(XLSX_NUMFMT.date);
    for (const c of [15, 16, 17, 18]) {
      expect(ws.getCell(r, c).type).toBe(ExcelJS.ValueType.Number);
      expect(ws.getCell(r, c).numFmt).toBe('#,##0.00');
    }
    const view = ws.views[0] as ExcelJS.WorksheetViewFrozen;
    expect(view.state).toBe('frozen');
    expect(view.ySplit).toBe(table.dataStart - 1);
    expect(ws.autoFilter).toBe(`A${table.dataStart - 1}:R${table.dataEnd}`);
    expect(ws.getColumn(4).width).toBeGreaterThanOrEqual(12);
    expect(textsBelow(ws, table.dataEnd + 1)).toContain('* ЛСИ - лицо с инвалидностью');
  });

  it.skipIf(!poppler)('PDF: landscape, each МИО on its own page with the title, period, «Подразделение», column numbers, totals and page numbers', () => {
    expect(names(pdf.list)).toEqual(['list_2025-02.pdf']);
    const file = pdf.list[0];
    expect(pdfPages(file)).toBe(2);
    const first = pdfText(file, 1);
    expect(squash(first)).toContain(LIST_TITLE);
    expect(first).toContain('Приложение 1');
    expect(first).toContain('к Алгоритму взаимодействия центральных государственных и');
    expect(first).toContain('Месяц на выплату: февраль 2025 года');
    expect(first).toContain(`Подразделение: ${w.A.name}`);
    expect(first).toMatch(/\b1\s+2\s+3\s+4\s+5\s+6\s+7\s+8\s+9\s+10\s+11\s+12\s+13\s+14\s+15\s+16\s+17\s+18\b/);
    expect(first).toMatch(/Итого\s+160 896,00\s+149 311,49\s+9 653,76\s+1 930,75/);
    expect(first).toContain('Страница 1 из 1'); // each МИО numbers its own pages (DOMAIN §6)
    const second = pdfText(file, 2);
    expect(second).toContain(`Подразделение: ${w.B.name}`);
    expect(second).toMatch(/Итого\s+26 816,00\s+23 598,08\s+2 681,60\s+536,32/);
    expect(second).toContain('Страница 1 из 1');
    const size = /Page size:\s+([\d.]+) x ([\d.]+)/.exec(spawnSync('pdfinfo', [file], { encoding: 'utf8' }).stdout);
    expect(Number(size![1])).toBeGreaterThan(Number(size![2])); // landscape
  });
});

describe('Appendix 2: transmission', () => {
  it('XLSX: exactly the eight columns of the form (DOMAIN §6): both identifiers in one cell, БИК and IBAN in one cell, every row', async () => {
    const ws = (await readWorkbook(xlsx.transmission[0])).worksheets[0];
    const section = forms.transmission[0].document.sections[0];
    const rows = arr(docs.transmission.rows);
    expect(rows).toHaveLength(4);
    const table = readTable(ws, section, rows.length);
    expect(table.groups).toBeNull();
    expect(table.headers).toEqual(APPENDIX_2.columns.map((c) => c.heading));
    expect(table.numbers).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(table.rows).toEqual(
      rows.map((r) => [r.no, `${r.provider_id}\n${r.assistant_iin}`, r.pwd_iin, `${r.bik}\n${r.iban}`, r.service_month, r.provider_sum, r.opv, r.osms]),
    );
    expect(table.totals).toBeNull(); // the appendix has no totals row
  });

  it.skipIf(!poppler)('PDF: the label, the title, the rows, no totals row', () => {
    const text = pdfText(pdf.transmission[0]);
    expect(text).toContain('Приложение 2');
    expect(text).toContain('Сведения на возмещение стоимости услуги индивидуального помощника');
    expect(text).toContain(String(arr(docs.transmission.rows)[0].iban));
    expect(text).not.toMatch(/Итого/);
    expect(text).toContain('Страница 1 из 1');
  });
});

describe('demand and the demand request', () => {
  it('XLSX: the demands per МИО with funded and open, and by period; the request with the sum in words and the dates', async () => {
    const wb = await readWorkbook(xlsx.demand[0]);
    const [summary, periods] = forms.demand[0].document.sections;
    const demands = arr(docs.demand.demands);
    const s = readTable(wb.worksheets[0], summary, demands.length);
    expect(s.rows).toEqual([
      [1, w.A.mio_bin, w.A.name, '2025-02-15', '2025-02-17', '2025-02-19', 3, '149311.49', '149311.49', '0.00'],
      [2, w.B.mio_bin, w.B.name, '2025-02-15', '2025-02-17', '2025-02-19', 1, '23598.08', '23598.08', '0.00'],
    ]);
    expect(s.totals!.cells.slice(6).map((c) => c.value)).toEqual([4, '172909.57', '172909.57', '0.00']);
    const p = readTable(wb.worksheets[1], periods, 2);
    expect(p.rows.map((r) => r.slice(3))).toEqual([
      ['2025-01', 3, '149311.49'],
      ['2025-01', 1, '23598.08'],
    ]);

    const letter = (await readWorkbook(xlsx.demand[1])).worksheets[0];
    const section = forms.demand[1].document.sections[0];
    expect(letter.getCell(5, 1).value).toBe(`Кому: ${w.A.name} (БИН ${w.A.mio_bin})`);
    const l = readTable(letter, section, 1);
    expect(l.headers).toEqual(['№', 'Период оказания услуг', 'Количество строк', 'Сумма, тенге']);
    expect(l.rows).toEqual([[1, 'январь 2025 г.', 3, '149311.49']]);
    const below = textsBelow(letter, l.dataEnd);
    expect(below).toContain('Сумма потребности: 149 311,49 (Сто сорок девять тысяч триста одиннадцать тенге 49 тиын)');
    // No internal deadline in a letter that leaves ГК; ГК's account to transfer to (DOMAIN §6).
    expect(below.some((x) => x.startsWith('Срок направления заявки'))).toBe(false);
    expect(below.some((x) => x.includes('не позднее 19.02.2025'))).toBe(true);
    const payee = docs.demand.payee as { bin: string; iban: string };
    expect(below).toContain(
      `Реквизиты для перечисления: НАО «Государственная корпорация «Правительство для граждан»», БИН ${payee.bin}, ИИК ${payee.iban}, БИК GCVPKZ2A, КБе 11, КНП 119.`,
    );
    // Dated the request's date (formed Saturday 15.02, sent Monday 17.02), with its outgoing number; marked as a sample.
    const request = arr(docs.demand.demands).find((d) => d.mio_bin === w.A.mio_bin)!;
    expect(forms.demand[1].document.period).toBe(`Исх. № ${request.request_no} от 17.02.2025`);
    expect(forms.demand[1].document.form).toMatch(/^ОБРАЗЕЦ — реквизиты не загружены/);
    expect(below).toContain('НАО «Государственная корпорация «Правительство для граждан»»');
    // A long line spans the table and wraps inside it, so that it prints within the page.
    let ask = 0;
    letter.eachRow((row, r) => {
      if (String(row.getCell(1).value).startsWith('Просим перечислить')) ask = r;
    });
    expect(letter.getCell(ask, 4).isMerged).toBe(true);
    expect(letter.getCell(ask, 1).alignment?.wrapText).toBe(true);
    expect(letter.getRow(ask).height).toBeGreaterThan(15);
  });

  it.skipIf(!poppler)('PDF: the request letter in portrait, with the sum in words and the signature of ГК', async () => {
    const text = pdfText(pdf.demand[1]);
    expect(text).toContain('Заявка о сумме потребности на выплату возмещения стоимости услуг индивидуального помощника');
    expect(text).toContain(`Кому: ${w.B.name} (БИН ${w.B.mio_bin})`);
    expect(squash(text)).toContain('Сумма потребности: 23 598,08 (Двадцать три тысячи пятьсот девяносто восемь тенге 08 тиын)');
    expect(text).toContain('(фамилия, имя, отчество (при его наличии), должность и подпись ответственного лица)');
    expect(text).toContain('Страница 1 из 1');
    const summary = pdfText(pdf.demand[0]);
    expect(summary).toMatch(/Итого\s+1\s+23 598,08\s+23 598,08\s+0,00/);
  });
});

describe('payment orders', () => {
  it('XLSX: one sheet per order with its number, date, bank and its register of recipients; the order to the МИО says so', async () => {
    const wb = await readWorkbook(xlsx['payment-orders'][0]);
    const orders = arr(docs['payment-orders'].orders);
    expect(orders.map((o) => [o.number, o.date, o.order_kind, o.total])).toEqual([
      [4, '2025-03-04', 'provider', '47196.16'],
      [5, '2025-03-19', 'provider', '96108.54'],
      [6, '2025-03-28', 'provider', '28317.70'],
      [7, '2025-03-31', 'to_mio', '37756.93'],
    ]);
    expect(wb.worksheets.map((s) => s.name)).toEqual(['ПП 4 от 04.03.2025', 'ПП 5 от 19.03.2025', 'ПП 6 от 28.03.2025', 'ПП 7 от 31.03.2025']);
    const kinds: Record<string, string> = { payout: 'Выплата', repayment: 'Повторная выплата', to_mio: 'Возврат МИО' };
    orders.forEach((o, i) => {
      const ws = wb.worksheets[i];
      const section = forms['payment-orders'][0].document.sections[i];
      expect(ws.getCell(5, 1).value).toBe(`Платёжное поручение № ${o.number} от ${String(o.date).split('-').reverse().join('.')}`);
      const lines = arr(o.lines);
      const table = readTable(ws, section, lines.length);
      expect(table.rows).toEqual(
        // The act, the КБе and the purpose as the pain.001 line carries them (DOMAIN §6).
        lines.map((l, k) => [k + 1, l.ref, l.provider_id, l.provider_name, l.iban, l.service_month, l.act_no, l.kbe, l.purpose, kinds[l.kind as string], l.amount]),
      );
      expect(lines.every((l) => typeof l.purpose === 'string' && String(l.purpose).includes(`по акту № ${l.act_no} `))).toBe(true);
      expect(table.totals!.cells[10]).toEqual({ formula: `SUM(K${table.dataStart}:K${table.dataEnd})`, value: o.total });
    });
    expect(wb.worksheets[3].getCell(7, 1).value).toBe(`Получатель: ${w.A.name} (БИН ${w.A.mio_bin}), БИК ${w.A.bik}`);
    expect(wb.worksheets[2].getCell(8, 1).value).toBe('Банк получателей: АО «Тестовый Народный банк», БИК HSBKKZKX');
  });

  it.skipIf(!poppler)('PDF: each order on its own page with its total in words', () => {
    const file = pdf['payment-orders'][0];
    expect(pdfPages(file)).toBe(4);
    const p2 = squash(pdfText(file, 2));
    expect(p2).toContain('Платёжное поручение № 5 от 19.03.2025');
    expect(p2).toContain('Сумма платёжного поручения: 96 108,54 (Девяносто шесть тысяч сто восемь тенге 54 тиын)');
    expect(p2).toContain('Страница 1 из 1'); // each order numbers its own pages
    expect(squash(pdfText(file, 4))).toContain('Назначение: возврат МИО сумм, не выплаченных поставщикам');
  });
});

describe('contributions', () => {
  it('XLSX: the summary per МИО equals the JSON report; the ОПВ, ВОСМС, СО registers list the assistants with the КНП', async () => {
    const wb = await readWorkbook(xlsx.contributions[0]);
    const [summary, ...registers] = forms.contributions[0].document.sections;
    const s = readTable(wb.worksheets[0], summary, 2);
    expect(s.groups!.slice(3)).toEqual([
      // Paid to the State Corporation's accounts, not to ЕНПФ/ФСМС/ГФСС (DOMAIN §7).
      'ОПВ (КНП 010)',
      'ОПВ (КНП 010)',
      'ВОСМС (КНП 122)',
      'ВОСМС (КНП 122)',
      'СО (КНП 012)',
      'СО (КНП 012)',
    ]);
    expect(s.rows).toEqual(
      arr(docs.contributions.mios).map((m, i) => {
        const k = (x: string) => m[x] as { count: number; amount: string };
        return [i + 1, m.mio_bin, i === 0 ? w.A.name : w.B.name, k('opv').count, k('opv').amount, k('osms').count, k('osms').amount, k('so').count, k('so').amount];
      }),
    );
    // Hand-checked: СО = 5 % × (G − ОПВ): P1 2 413.44 + P2 1 930.75; P4 1 206.72.
    expect(s.rows[0].slice(3)).toEqual([2, '9653.76', 2, '1930.75', 2, '4344.19']);
    expect(s.totals!.cells.slice(3).map((c) => c.value)).toEqual([3, '12335.36', 3, '2467.07', 3, '5550.91']);

    // Six registers: ОПВ, ВОСМС, СО of A, then of B.
    expect(wb.worksheets.map((x) => x.name)).toEqual([
      'Сводная',
      `ОПВ ${w.A.mio_bin}`,
      `ВОСМС ${w.A.mio_bin}`,
      `СО ${w.A.mio_bin}`,
      `ОПВ ${w.B.mio_bin}`,
      `ВОСМС ${w.B.mio_bin}`,
      `СО ${w.B.mio_bin}`,
    ]);
    const so = wb.worksheets[3];
    expect(so.getCell(5, 1).value).toBe('Реестр СО, КНП 012');
    const table = readTable(so, registers[2], 2);
    expect(table.headers).toEqual(['№', 'ИИН', 'ФИО', 'Дата рождения', 'Период (месяц)', 'Количество актов', 'Сумма, тенге']);
    expect(table.rows.map((r) => [r[1], r[4], r[6]]).sort()).toEqual(
      [
        [w.P1.provider_id, '2025-01', '2413.44'],
        [w.P2.provider_id, '2025-01', '1930.75'],
      ].sort(),
    );
    expect(table.totals!.cells[6].value).toBe('4344.19');
    expect(textsBelow(so, table.dataEnd)).toContain('Всего к перечислению: 4 344,19 (Четыре тысячи триста сорок четыре тенге 19 тиын)');
  });

  it.skipIf(!poppler)('PDF: the summary and each register on its own page', () => {
    const file = pdf.contributions[0];
    expect(pdfPages(file)).toBe(7);
    expect(pdfText(file, 1)).toMatch(/Итого\s+3\s+12 335,36\s+3\s+2 467,07\s+3\s+5 550,91/);
    const opv = pdfText(file, 2);
    expect(opv).toContain('Реестр ОПВ, КНП 010');
    expect(opv).toContain(w.P1.provider_id);
    expect(opv).toContain('Страница 1 из 1'); // each register numbers its own pages
  });
});

describe('returns', () => {
  it('XLSX: every return with its reason and what became of it, the total', async () => {
    const ws = (await readWorkbook(xlsx.returns[0])).worksheets[0];
    const section = forms.returns[0].document.sections[0];
    const table = readTable(ws, section, 2);
    expect(table.rows.map((r) => [r[3], r[4], r[5], r[6], r[7], r[9], r[10]])).toEqual([
      [w.P1.provider_id, '2025-02-21', 'AC04 — Счёт закрыт', '47196.16', 'Выплачено повторно', '2025-03-04', null],
      [w.P2.provider_id, '2025-02-26', 'AC01 — Неверный номер счёта', '37756.93', 'Возвращено МИО', '2025-04-17', '2025-03-31'],
    ]);
    expect(table.rows.map((r) => r[1])).toEqual(arr(docs.returns.returns).map((r) => r.ref));
    expect(table.totals!.cells[6].value).toBe('84953.09');
    expect(textsBelow(ws, table.dataEnd + 1)).toEqual([
      'Ожидает повторной выплаты: 0 на сумму 0,00 тенге',
      'Выплачено повторно: 1 на сумму 47 196,16 тенге',
      'Возвращено МИО: 1 на сумму 37 756,93 тенге',
    ]);
  });

  it.skipIf(!poppler)('PDF: the period with the date of the state, the total', () => {
    const text = pdfText(pdf.returns[0]);
    expect(text).toContain('Возвраты за февраль 2025 г., состояние на 30.04.2025');
    expect(text).toMatch(/Итого\s+84 953,09/);
  });
});

describe('Appendix 3: reconciliation', () => {
  it('XLSX: per МИО the act as approved (six columns with 1…6, «Всего:» in words, both signature blocks); the balance is a separate file (DOMAIN §5, §6)', async () => {
    const acts = arr(docs.reconciliation.acts);
    const A = w.A.mio_bin;
    const B = w.B.mio_bin;
    expect(names(xlsx.reconciliation)).toEqual([
      `reconciliation_2025-01_${A}.xlsx`,
      `reconciliation-balance_2025-01_${A}.xlsx`,
      `reconciliation_2025-01_${B}.xlsx`,
      `reconciliation-balance_2025-01_${B}.xlsx`,
    ]);
    const [act] = forms.reconciliation[0].document.sections;
    const wb = await readWorkbook(xlsx.reconciliation[0]);
    expect(wb.worksheets).toHaveLength(1);
    const ws = wb.worksheets[0];
    expect(ws.getCell(3, 1).value).toBe(APPENDIX_3.title);
    expect(ws.getCell(5, 1).value).toBe(w.A.name);
    expect(ws.getCell(6, 1).value).toBe('(наименование МИО)');
    expect(ws.getCell(7, 1).value).toBe('Отчетный период январь 2025 года');
    const table = readTable(ws, act, 1);
    expect(table.headers).toEqual(APPENDIX_3.columns.map((c) => c.heading));
    expect(table.numbers).toEqual([1, 2, 3, 4, 5, 6]);
    expect(table.rows).toEqual([['1', w.A.mio_bin, w.A.name, 'A-0218', '2025-02-18', '149311.49']]);
    expect(table.totals).toBeNull(); // «Всего:» with the words, as the appendix has it
    const below = textsBelow(ws, table.dataEnd);
    expect(below[0]).toBe('Всего: 149 311,49 (Сто сорок девять тысяч триста одиннадцать тенге 49 тиын)');
    expect(acts[0].total_words).toBe('Сто сорок девять тысяч триста одиннадцать тенге 49 тиын');
    expect(ws.headerFooter.oddFooter).toContain('Сверка проведена 25.02.2025.');
    expect(below).toContain(w.A.name);
    expect(below).toContain('НАО "Государственная корпорация "Правительство для граждан"');
    expect(below.filter((x) => x.startsWith('(фамилия, имя, отчество'))).toHaveLength(2);

    // The balance: hand-checked for A over (25 Jan, 25 Feb]: P1's 47 196.16 returned 02-21 (P2's of 02-26 is in the next window).
    const balanceFile = forms.reconciliation[1];
    const b = readTable((await readWorkbook(xlsx.reconciliation[1])).worksheets[0], balanceFile.document.sections[0], 6);
    expect(b.rows.map((r) => r[2])).toEqual(['0.00', '149311.49', '149311.49', '47196.16', '0.00', '47196.16']);
    expect(b.rows[5][1]).toBe('Остаток средств МИО в Государственной корпорации на конец периода');
  });

  it.skipIf(!poppler)('PDF: portrait, the act with the words and ending with the signatures; the balance in its own file', () => {
    expect(names(pdf.reconciliation)).toEqual([`reconciliation_2025-01_${w.B.mio_bin}.pdf`, `reconciliation-balance_2025-01_${w.B.mio_bin}.pdf`]);
    const file = pdf.reconciliation[0];
    expect(pdfPages(file)).toBe(1);
    const p1 = pdfText(file, 1);
    expect(squash(p1)).toContain('Правительство для граждан" и');
    expect(p1).toContain(w.B.name);
    expect(p1).toContain('Приложение 3');
    expect(p1).toContain('Отчетный период январь 2025 года');
    expect(squash(p1)).toContain('Всего: 23 598,08 (Двадцать три тысячи пятьсот девяносто восемь тенге 08 тиын)');
    expect(p1).not.toContain('Остаток');
    expect(p1).toContain('Страница 1 из 1');
    const balance = pdfText(pdf.reconciliation[1], 1);
    expect(balance).toContain('Остаток средств МИО в Государственной корпорации на конец периода');
  });
});

describe('Appendix 4: bank fees', () => {
  it('XLSX: the eight columns of the form under their groups, ИТОГО; the fee in the separate «Расчёт оплаты услуг уполномоченных организаций»', async () => {
    const ws = (await readWorkbook(xlsx['bank-fees'][0])).worksheets[0];
    const section = forms['bank-fees'][0].document.sections[0];
    const table = readTable(ws, section, 2);
    expect(table.headers).toEqual(APPENDIX_4.columns.map((c) => c.heading));
    expect(table.groups).toEqual(APPENDIX_4.columns.map((c) => c.group ?? null));
    expect(table.numbers).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // Hand-checked: Kaspi paid P3 64 358.40; Halyk's two payouts (P1, P2) came back.
    expect(table.rows).toEqual([
      [1, 'АО «Тестовый Каспи Банк»', 1, '64358.40', 0, '0.00', 1, '64358.40'],
      [2, 'АО «Тестовый Народный банк»', 2, '84953.09', 2, '84953.09', 0, '0.00'],
    ]);
    expect(table.totals!.label).toBe('ИТОГО');
    expect(table.totals!.cells.slice(2).map((c) => c.value)).toEqual([3, '149311.49', 2, '84953.09', 1, '64358.40']);
    expect(table.totals!.cells[7].formula).toBe(`SUM(H${table.dataStart}:H${table.dataEnd})`);
    expect(textsBelow(ws, 0).join(' ')).not.toMatch(/Тариф|Комиссия/);

    expect(names(xlsx['bank-fees'])[1]).toBe(`bank-fees-calc_2025-02_${w.A.mio_bin}.xlsx`);
    const calcFile = forms['bank-fees'][1];
    const calcWs = (await readWorkbook(xlsx['bank-fees'][1])).worksheets[0];
    const calc = readTable(calcWs, calcFile.document.sections[0], 2);
    // Hand-checked: Kaspi 0.5 % × 64 358.40 = 321.79; Halyk paid nothing, fee 0.
    expect(calc.rows.map((r) => [r[1], r[3], r[6]])).toEqual([
      ['АО «Тестовый Каспи Банк»', '0,5 % от выплаченной суммы, не менее 200,00 и не более 500,00 тенге', '321.79'],
      ['АО «Тестовый Народный банк»', '50,00 тенге за платёж + 0,1 % от выплаченной суммы, не менее 80,00 и не более 1 000,00 тенге', '0.00'],
    ]);
    expect(calc.totals!.cells[6].value).toBe('321.79');
    expect(textsBelow(calcWs, calc.dataEnd + 1)).toContain(
      'Оплата услуг уполномоченных организаций за счёт средств местного бюджета: 321,79 (Триста двадцать один тенге 79 тиын)',
    );
  });

  it('XLSX: «количество получателей» counts recipients, not lines; the calculation counts the lines (DOMAIN §5)', async () => {
    // March, МИО A at Kaspi: P1 repaid 03-04 and paid for February 03-19, P3 paid 03-19: three
    // lines to two recipients (P1's account is the same both times).
    const march = await reportBuilders['bank-fees'](t.db, { month: '2025-03', mio: w.A.mio_bin, asOf: AS_OF });
    const [form, calc] = formFiles(march, `bank-fees_2025-03_${w.A.mio_bin}`);
    const files = await renderReportFiles(march, 'xlsx', dir, `bank-fees_2025-03_${w.A.mio_bin}`);
    const t4 = readTable((await readWorkbook(files[0])).worksheets[0], form.document.sections[0], 1);
    expect(t4.rows).toEqual([[1, 'АО «Тестовый Каспи Банк»', 2, '143304.70', 0, '0.00', 2, '143304.70']]);
    const tc = readTable((await readWorkbook(files[1])).worksheets[0], calc.document.sections[0], 1);
    expect(tc.rows[0].slice(4)).toEqual([3, '143304.70', '500.00']); // 0.5 % × 143 304.70 = 716.52, cut to the maximum 500.00
  });

  it.skipIf(!poppler)('PDF: one file per МИО with ИТОГО, and its fee calculation beside it', () => {
    expect(names(pdf['bank-fees'])).toEqual([`bank-fees_2025-02_${w.B.mio_bin}.pdf`, `bank-fees-calc_2025-02_${w.B.mio_bin}.pdf`]);
    const text = pdfText(pdf['bank-fees'][0]);
    expect(text).toContain('Приложение 4');
    expect(text).toContain(w.B.name);
    expect(text).toMatch(/ИТОГО\s+1\s+23 598,08\s+0\s+0,00\s+1\s+23 598,08\s*$/m);
    // Hand-checked: Halyk 50.00 + 0.1 % × 23 598.08 = 73.60, raised to the minimum 80.00.
    expect(pdfText(pdf['bank-fees'][1])).toMatch(/Итого\s+1\s+23 598,08\s+80,00/);
  });
});

describe('deadlines and ledger', () => {
  it('XLSX: every deadline in Russian words, in the report\'s order', async () => {
    const ws = (await readWorkbook(xlsx.deadlines[0])).worksheets[0];
    const items = arr(docs.deadlines.items);
    const table = readTable(ws, forms.deadlines[0].document.sections[0], items.length);
    expect(table.headers).toEqual(['№', 'Срок', 'Объект', 'Дата исполнения по сроку', 'Состояние', 'Просрочка, рабочих дней']);
    expect(table.rows.map((r) => [r[3], r[5]])).toEqual(items.map((i) => [i.due, i.days_late]));
    const all = table.rows.flat().join(' ');
    expect(all).not.toMatch(/act:|demand:|return:|breached|met_late|refund-1wd/);
    const late = table.rows.filter((r) => r[4] === 'Исполнен с опозданием');
    expect(late.length).toBe(items.filter((i) => i.status === 'met_late').length);
    expect(table.rows).toContainEqual([expect.any(Number), 'Выплата поставщику (2 рабочих дня после поступления средств)', `Потребность 2025-03, МИО ${w.B.mio_bin}: акт АВР-02-P4, поставщик ${w.P4.provider_id}`, '2025-03-27', 'Исполнен с опозданием', 1]);
  });

  it('XLSX: the trial balance with totals that agree', async () => {
    const ws = (await readWorkbook(xlsx.ledger[0])).worksheets[0];
    const accounts = arr(docs.ledger.accounts);
    const table = readTable(ws, forms.ledger[0].document.sections[0], accounts.length);
    expect(table.rows).toEqual(accounts.map((a, i) => [i + 1, a.name, a.debit, a.credit, a.balance]));
    const totals = docs.ledger.totals as Json;
    expect(table.totals!.cells.slice(2).map((c) => c.value)).toEqual([totals.debit, totals.credit, '0.00']);
    expect(totals.debit).toBe(totals.credit);
    expect(textsBelow(ws, table.dataEnd + 1)).toContain('Обороты по дебету и кредиту равны: учёт сбалансирован.');
  });

  it.skipIf(!poppler)('PDF: as of the date, page numbers, no English codes', () => {
    for (const form of ['deadlines', 'ledger'] as const) {
      const file = pdf[form][0];
      const pages = pdfPages(file);
      for (let p = 1; p <= pages; p++) {
        const text = pdfText(file, p);
        expect(text, `${form} page ${p}`).toContain('По состоянию на 30.04.2025');
        expect(text, `${form} page ${p}`).toContain(`Страница ${p} из ${pages}`);
        expect(text).not.toMatch(/\b(act|demand|return|gk_funds|mio_budget|breached|met)\b/);
      }
    }
  });
});

describe.skipIf(!poppler)('every PDF', () => {
  it('has the title on every section\'s first page (every page for the pipeline\'s own documents), each section\'s own «Страница N из M», no untranslated status codes', () => {
    for (const [form] of CASES) {
      for (const [i, file] of pdf[form].entries()) {
        const doc = pdfForms[form][i].document;
        const pages = pdfPages(file);
        let expected = 1;
        for (let p = 1; p <= pages; p++) {
          const text = pdfText(file, p);
          const [, page, of] = /Страница (\d+) из (\d+)/.exec(text) ?? [];
          expect(Number(page), `${file} page ${p}`).toBe(expected);
          expect(Number(page)).toBeLessThanOrEqual(Number(of));
          expected = Number(page) === Number(of) ? 1 : expected + 1;
          if (!doc.formWord || Number(page) === 1) expect(squash(text), `${file} page ${p}`).toContain(squash(doc.title));
          if (!doc.formWord) expect(squash(text), `${file} page ${p}`).toContain(squash(doc.period));
          expect(text).not.toMatch(/\b(payout|repayment|to_mio|sent_back|pending|repaid|undefined|null|NaN)\b/);
        }
        expect(expected, `${file}: the last section ends on its last page`).toBe(1);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The CLI: `payouts report FORM --format xlsx|pdf --out DIR` against the same database.

const withPostgres = await postgresAvailable();

describe.skipIf(!withPostgres)('payouts report --format xlsx|pdf', () => {
  it('writes the contributions of one МИО with the registers of its persons, mode 0600, and lists the file', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'forms-cli-'));
    try {
      const contrib = await cli(['report', 'contributions', '--month', '2025-02', '--mio', w.B.mio_bin, '--format', 'xlsx', '--out', out, '--json'], {
        db: t.url,
        asOf: AS_OF,
        operator: 'forms-тест',
      });
      expect(contrib.stderr).toBe('');
      expect(contrib.code).toBe(0);
      const file = path.join(out, `contributions_2025-02_${w.B.mio_bin}.xlsx`);
      expect(JSON.parse(contrib.stdout)).toEqual({ files: [file] });
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      // The persons come from the report's registers (pipeline/contributions.ts).
      const wb = await readWorkbook(file);
      expect(wb.worksheets.map((x) => x.name)).toEqual(['Сводная', `ОПВ ${w.B.mio_bin}`, `ВОСМС ${w.B.mio_bin}`, `СО ${w.B.mio_bin}`]);
      expect(textsBelow(wb.worksheets[1], 0)).toContain(w.P4.provider_id);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('a row whose bank details were marked incorrect when its list was built (DOMAIN §4, §6)', () => {
  it('carries bank_details_incorrect in the list and transmission JSON, and «**» with the footnote on both printed forms', async () => {
    // P4's Halyk details, marked incorrect on 03-10 (before March's list of 03-14 took P4's act);
    // the mark quotes one of the world's returns. Removed again afterwards.
    const ret = await t.db('returns').orderBy('id').first('id');
    const [ev] = await t.db('bank_detail_events')
      .insert({ bank_detail_id: w.P4.bank_detail_id, status: 'incorrect', event_date: '2025-03-10', return_id: ret.id })
      .returning('id');
    try {
      const list = await reportBuilders.list(t.db, { month: '2025-03', asOf: AS_OF });
      const transmission = await reportBuilders.transmission(t.db, { month: '2025-03', asOf: AS_OF });
      checkReport(list);
      checkReport(transmission);
      if (list.form !== 'list' || transmission.form !== 'transmission') throw new Error('wrong forms');
      const marked = list.divisions.flatMap((d) => d.rows.filter((r) => r.bank_details_incorrect).map((r) => r.provider_id));
      expect(marked).toEqual([w.P4.provider_id]);
      expect(list.divisions.flatMap((d) => d.rows).filter((r) => 'bank_details_incorrect' in r)).toHaveLength(1); // added only when true
      expect(transmission.rows.filter((r) => r.bank_details_incorrect).map((r) => r.provider_id)).toEqual([w.P4.provider_id]);

      const [listFile] = await renderReportFiles(list, 'xlsx', dir, 'list_2025-03');
      const wb = await readWorkbook(listFile);
      const b = wb.worksheets[1];
      const table = readTable(b, formFiles(list, 'list_2025-03')[0].document.sections[1], 1);
      expect(b.getCell(table.dataStart, 1).numFmt).toBe('0"**"');
      expect(textsBelow(b, table.dataEnd + 1).some((x) => x.startsWith('** Банковские реквизиты поставщика отмечены как неверные'))).toBe(true);
      expect(wb.worksheets[0].getCell(readTable(wb.worksheets[0], formFiles(list, 'x')[0].document.sections[0], 2).dataStart, 1).numFmt).toBe('0');
      if (poppler) {
        const [pdfFile] = await renderReportFiles(transmission, 'pdf', dir, 'transmission_2025-03');
        const text = pdfText(pdfFile);
        expect(text).toMatch(/^\s*3\*\*\s/m);
        expect(text).toContain('** Банковские реквизиты поставщика отмечены как неверные');
      }
    } finally {
      await t.db('bank_detail_events').where({ id: ev.id }).del();
    }
  });
});
