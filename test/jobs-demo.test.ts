// `payouts demo` end to end (in process, on its own embedded database in a temp directory):
// the planner drives 72 days over two payout months and the figures come out as checked by hand.
//
// Astana (МИО 090440003212), payout month 2025-02, service month 2025-01 (hourly rate 536.32):
//   Сапарова, assistant, 168 h: G = 90 101.76; ОПВ 10 % = 9 010.18; ОСМС exempt; provider 81 091.58;
//     СО 5 % × 81 091.58 = 4 054.58
//   Ким, assistant, 120 h, claimed 50 000.00 < G 64 358.40: G = 50 000.00; ОПВ 5 000.00;
//     ОСМС 1 000.00; provider 44 000.00; СО 5 % × 45 000.00 = 2 250.00
//   → guaranteed 140 101.76, provider sums 125 091.58, ОПВ 14 010.18, ОСМС 1 000.00, СО 6 304.58
// Both lines come back from the banks on 2025-02-20. Ким gives new details on 2025-03-03 and is
// paid 44 000.00 again that day; Сапарова never does: 81 091.58 goes back to the МИО on
// 2025-03-31 (last working day of the month after the return), and her March payment
// (160 h: G 85 811.20, ОПВ 8 581.12, provider 77 230.08) waits for details — a breached deadline.
// The reconciliation acts are by reporting period (DOMAIN §5): the act dated in the payout month
// is that of the service month before it. February's row: the act of period 2025-01 (window
// 25 Jan … 25 Feb): 0 + 125 091.58 − 125 091.58 + 125 091.58 returned = 125 091.58. March's row:
// the act of period 2025-02, dated 20 March (21, 24, 25 March off), window 25 Feb … 25 Mar:
// 125 091.58 + 121 230.08 − 88 000.00 + 0 − 0 = 158 321.66 (the send-back of 31 March falls in
// the next act's window).
//
// The money facts come by the statements of ГК's account the simulated bank writes for each
// working day with movements (camt.053, MT940, 1C in turn), the orders debited the working day
// after their date. February: 18th credits 183 016.00 (Almaty, half, rounded down to the tenge)
// + 125 091.58 (Astana) = 308 107.58; 19th + 183 017.04 (Almaty's rest) − orders of the 18th
// 44 000.00 + 81 091.58 + 133 007.36 → 233 025.68; 20th + the two returns 44 000.00 + 81 091.58
// − orders of the 19th 52 822.16 + 85 811.20 + 94 392.32 → 125 091.58, the ledger's balance
// (the two returned sums ГК holds). March: 4th − 44 000.00 (the re-payment) → 81 091.58; 18th
// + 310 255.76 + 121 230.08 → 512 577.42; 19th − 354 255.76 → 158 321.66; 1 April − 81 091.58
// (sent back to Astana) → 77 230.08, Astana's closing balance.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo, type DemoResult } from '../jobs/demo/index.ts';
import { formFiles, renderReportFiles } from '../reports/render-report.ts';
import { APPENDIX_1, APPENDIX_2, APPENDIX_3, APPENDIX_4, type Appendix } from './support/appendix-table.ts';
import { checkPdfPage, checkSheet, pdfRaw } from './support/appendix-check.ts';
import { pdfPages, poppler, readWorkbook } from './support/forms.ts';
import { checkReport } from '../schemas/reports/index.ts';
import { MONTHLY_FORMS } from '../reports/registry.ts';
import { UsageError } from '../pipeline/kernel/errors.ts';

describe('payouts demo', () => {
  let dir: string;
  let r: DemoResult;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'payouts-demo-'));
    r = await runDemo({ dbDir: path.join(dir, 'db'), outDir: path.join(dir, 'out'), operator: 'demo-test', formats: ['json'] });
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs every planned step of the 72 days, all done, the ledger balanced', () => {
    expect(r.exit_code).toBe(0);
    expect(r.days).toBe(72);
    const perStep: Record<string, number> = {};
    for (const s of r.steps) perStep[s.item.step] = (perStep[s.item.step] ?? 0) + 1;
    // Working days: 12 in 13–28 Feb, 17 in March (10, 21, 24, 25 Mar off), 19 in 1–25 Apr.
    expect(perStep).toEqual({
      pay: 48,
      'check-deadlines': 48,
      'build-lists': 3,
      'form-demand': 3,
      reconcile: 3,
      'bank-fees': 3,
      'refund-unsent': 2,
    });
    expect(new Set(r.steps.map((s) => s.status))).toEqual(new Set(['done']));
    expect(r.totals.ledger_balanced).toBe(true);
    expect(r.imports.every((i) => i.rejected === 0)).toBe(true);
  });

  it('Astana: lists, demand, returns, re-payment, sending back and the closing balance as checked by hand', () => {
    const astana = (month: string) => r.months.find((m) => m.month === month && m.mio_bin === '090440003212')!;
    expect(astana('2025-02')).toMatchObject({
      list_rows: 2,
      guaranteed: '140101.76',
      provider_sum: '125091.58',
      opv: '14010.18',
      osms: '1000.00',
      so: '6304.58',
      demand: '125091.58',
      received: '125091.58',
      paid_count: 2,
      paid: '125091.58',
      returned_count: 2,
      returned: '125091.58',
      closing: '125091.58',
    });
    expect(astana('2025-03')).toMatchObject({
      list_rows: 2,
      guaranteed: '135811.20',
      provider_sum: '121230.08',
      demand: '121230.08',
      received: '121230.08',
      paid: '88000.00',
      repaid: '44000.00',
      sent_back: '81091.58',
      closing: '158321.66',
    });
    expect(r.open.unpaid_funded).toEqual([{ mio_bin: '090440003212', rows: 1, amount: '77230.08', oldest_funded_on: '2025-03-18' }]);
    expect(r.open.pending_returns).toEqual([]);
    // No rule of the repealed rules; the one breach is Сапарова's March payment waiting for bank
    // details, explained in words; the act of period 2025-03 is signed on its date, its paper
    // copies are still due (10 May → Monday 12 May).
    expect(r.deadlines.not_met.map((d) => [d.rule, d.status])).toEqual([
      ['payment', 'breached'],
      ['reconciliation-copies', 'open'],
    ]);
    expect(r.deadlines.not_met[0].text).toMatch(/^Нарушен: Выплата поставщику \(2 рабочих дня после поступления средств\) — Потребность 2025-03, МИО 090440003212: акт .+; срок \d\d\.\d\d\.2025, просрочка \d+ раб\. дн\. \(не выплачено: банк вернул платёж по реквизитам поставщика, они отмечены неверными, новых реквизитов поставщик не подал\)$/);
    expect(r.deadlines.not_met[1].text).toMatch(/^В работе: Получение от МИО двух подписанных экземпляров акта сверки .+ — Акт сверки за 2025-03, МИО \d{12}; срок 12\.05\.2025$/);
  });

  it('writes every report and the payment orders into the out folder, and the simulated inputs beside them', () => {
    const out = path.join(dir, 'out');
    const files = readdirSync(out);
    expect(files).toEqual(expect.arrayContaining(['inputs', 'payment-orders']));
    for (const form of ['list', 'transmission', 'demand', 'payment-orders', 'contributions', 'returns', 'reconciliation', 'bank-fees']) {
      expect(files).toContain(`${form}_2025-02.json`);
      expect(files).toContain(`${form}_2025-03.json`);
    }
    expect(files).toEqual(expect.arrayContaining(['deadlines_2025-04-25.json', 'ledger_2025-04-25.json']));
    expect(readdirSync(path.join(out, 'payment-orders'))).toHaveLength(r.totals.payment_orders);
    expect(files).toEqual(expect.arrayContaining(['statement_2025-02.json', 'statement_2025-03.json']));
    // No funding files: the МИО's transfers come by statement; one return by pain.002 first.
    expect(readdirSync(path.join(out, 'inputs')).sort()).toEqual([
      'acts_2025-03-12.csv',
      'bank-details_2025-03-03.csv',
      'returns_2025-02-20_1.xml',
      'statement_2025-02-18.xml',
      'statement_2025-02-19.sta',
      'statement_2025-02-20.txt',
      'statement_2025-03-04.xml',
      'statement_2025-03-18.sta',
      'statement_2025-03-19.txt',
      'statement_2025-04-01.xml',
    ]);
  });

  it('imports the simulated bank\'s statements in all three formats, every entry matched, the balances as checked by hand', () => {
    const statements = r.imports.filter((i) => i.kind === 'statement');
    expect(statements.map((i) => [i.date, path.extname(i.file), i.accepted, i.rejected, i.status])).toEqual([
      ['2025-02-18', '.xml', 2, 0, 'done'],
      ['2025-02-19', '.sta', 4, 0, 'done'],
      ['2025-02-20', '.txt', 5, 0, 'done'],
      ['2025-03-04', '.xml', 1, 0, 'done'],
      ['2025-03-18', '.sta', 2, 0, 'done'],
      ['2025-03-19', '.txt', 4, 0, 'done'],
      ['2025-04-01', '.xml', 1, 0, 'done'],
    ]);
    expect(r.imports.filter((i) => i.kind === 'funding')).toEqual([]);
    const out = path.join(dir, 'out');
    type Doc = {
      accounts: { statements: { format: string; opening: string; closing: string; unmatched: number }[]; entries: { booking_date: string; match: string | null; amount: string }[] }[];
      orders_not_debited: unknown[];
    };
    const doc = (month: string) => JSON.parse(readFileSync(path.join(out, `statement_${month}.json`), 'utf8')) as Doc;
    const feb = doc('2025-02').accounts[0];
    const mar = doc('2025-03').accounts[0];
    expect(feb.statements.map((s) => [s.format, s.opening, s.closing, s.unmatched])).toEqual([
      ['camt053', '0.00', '308107.58', 0],
      ['mt940', '308107.58', '233025.68', 0],
      ['onec', '233025.68', '125091.58', 0],
    ]);
    expect(mar.statements.map((s) => [s.format, s.opening, s.closing])).toEqual([
      ['camt053', '125091.58', '81091.58'],
      ['mt940', '81091.58', '512577.42'],
      ['onec', '512577.42', '158321.66'],
    ]);
    const kinds = (entries: { match: string | null }[]) => entries.map((e) => e.match);
    expect(kinds(feb.entries)).toEqual(['transfer', 'transfer', 'transfer', 'order_debit', 'order_debit', 'order_debit', 'return', 'return', 'order_debit', 'order_debit', 'order_debit']);
    expect(kinds(mar.entries)).toEqual(['order_debit', 'transfer', 'transfer', 'order_debit', 'order_debit', 'order_debit', 'order_debit']);
    expect(doc('2025-03').orders_not_debited).toEqual([]);
  });

  it('writes JSON reports that each match the schema of the form its file names', () => {
    const out = path.join(dir, 'out');
    const reports = readdirSync(out).filter((f) => f.endsWith('.json'));
    expect(reports.sort()).toEqual(r.files.filter((f) => f.format === 'json').map((f) => path.basename(f.file)).sort());
    expect(reports).toHaveLength(MONTHLY_FORMS.length * 2 + 2); // every monthly form for February and March, deadlines and ledger
    for (const file of reports) {
      const doc: unknown = JSON.parse(readFileSync(path.join(out, file), 'utf8'));
      expect(() => checkReport(doc), file).not.toThrow();
      checkReport(doc);
      expect(file.startsWith(`${doc.form}_`), file).toBe(true);
    }
  });

  it('prints its Appendices 1–4 as the approved forms: every PDF and XLSX of the demo read back against the appendices (DOMAIN §6)', async () => {
    const cases: [string, Appendix][] = [
      ['list', APPENDIX_1],
      ['transmission', APPENDIX_2],
      ['reconciliation', APPENDIX_3],
      ['bank-fees', APPENDIX_4],
    ];
    const printed = path.join(dir, 'printed');
    mkdirSync(printed);
    let checked = 0;
    for (const month of ['2025-02', '2025-03']) {
      for (const [form, appendix] of cases) {
        const doc: unknown = JSON.parse(readFileSync(path.join(dir, 'out', `${form}_${month}.json`), 'utf8'));
        checkReport(doc);
        const base = `${form}_${month}`;
        // The files of the form itself (the documents beside it for people have other names).
        const forms = formFiles(doc, base).filter((f) => !/-(held|balance|calc)_/.test(f.baseName));
        const xlsx = await renderReportFiles(doc, 'xlsx', printed, base);
        for (const f of forms) {
          const wb = await readWorkbook(path.join(printed, `${f.baseName}.xlsx`));
          f.document.sections.forEach((section, i) => {
            const rows = Array.isArray(section.rows) ? section.rows.length : Number(section.rowCount);
            checkSheet(wb.worksheets[i], f, i, appendix, rows);
            checked++;
          });
        }
        expect(xlsx.length).toBeGreaterThanOrEqual(forms.length);
        if (!poppler) continue;
        await renderReportFiles(doc, 'pdf', printed, base);
        for (const f of forms) {
          const file = path.join(printed, `${f.baseName}.pdf`);
          const pages = pdfPages(file);
          checkPdfPage(pdfRaw(file, 1), appendix, pdfRaw(file, pages));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(16);
  }, 120_000);
});

describe('payouts demo never wipes what it did not create', () => {
  it('refuses an out folder with someone else\'s files in it, and leaves them', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'payouts-demo-foreign-'));
    try {
      const out = path.join(dir, 'out');
      mkdirSync(out);
      writeFileSync(path.join(out, 'list_2025-02.json'), '{}');
      const err = await runDemo({ dbDir: path.join(dir, 'db'), outDir: out, operator: 'demo-test' }).catch((e) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect(err.message).toMatch(/не пуста и создана не демонстрацией/);
      expect(readdirSync(out)).toEqual(['list_2025-02.json']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
