// `payouts report statement --month M` (reports/statement-reports.ts) on the closing world (test/
// support/two-month-world.ts), the money coming in by the simulated bank's statements
// (pipeline/statements/simulated-bank.ts), one format a day:
//   02-18 (camt.053) the МИО transfers (A 149 311.49, B 23 598.08), a fee of 150.00; opening 1 000 000.00
//   02-19 pay: A Halyk 84 953.09, A Kaspi 64 358.40, B Halyk 23 598.08 (no statement that day)
//   02-20 (MT940) the bank debits the orders of 02-19 but B's (left undebited), and returns P1's 47 196.16
//   02-21 (1C) nothing happens: an empty statement, the balance carried over
// Per day the statement's closing against the ledger's Σ gk_funds: the difference is ГК's own
// 1 000 000.00, less the fee, plus what the bank has not yet debited.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from './support/db.ts';
import { lineOf, OPERATOR, runTimeline, seedWorld, type World } from './support/two-month-world.ts';
import { GK, rawStatementFile } from './support/statements.ts';
import { readTable, readWorkbook, textsBelow, pick, poppler, pdfText, squash } from './support/forms.ts';
import { simulatedStatement } from '../pipeline/statements/simulated-bank.ts';
import { importStatement } from '../pipeline/statements/import.ts';
import { readStatement } from '../pipeline/statements/codecs.ts';
import { payApproved as pay } from './support/approve.ts';
import { reportBuilders } from '../reports/registry.ts';
import { statementReportSchema, type StatementReport } from '../schemas/reports/statement.ts';
import { formFiles, renderReportFiles } from '../reports/render-report.ts';
import { STATEMENT_DAY_COLUMNS, STATEMENT_ORDER_COLUMNS } from '../reports/forms/statement.ts';
import type { Db } from '../pipeline/kernel/db.ts';
import type { StatementFormat } from '../pipeline/statements/model.ts';
import type { BankDay } from '../pipeline/statements/simulated-bank.ts';
import { orderMessageId } from '../pipeline/orders/numbering.ts';

let t: TestDb;
let w: World;
let dir: string;
let doc: StatementReport;

async function bankDay(db: Db, day: BankDay, format: StatementFormat, opening?: string) {
  const sim = await simulatedStatement(db, day, format, { opening });
  // The file reads back as the statement the bank meant.
  const { statement } = readStatement(sim.bytes, sim.fileName);
  expect(statement.entries.map((e) => [e.direction, e.amount])).toEqual(sim.statement.entries.map((e) => [e.direction, e.amount]));
  const r = await importStatement(db, { file: rawStatementFile(`${format}-${sim.fileName}`, sim.bytes), asOf: day.date, operator: OPERATOR });
  expect(r.status).not.toBe('duplicate');
  return r;
}

beforeAll(async () => {
  t = await freshDb();
  w = await seedWorld(t.db);
  await runTimeline(w, '2025-02-15');
  dir = await mkdtemp(path.join(os.tmpdir(), 'statement-report-'));
  const r18 = await bankDay(
    t.db,
    {
      date: '2025-02-18',
      transfers: [
        { mioBin: w.A.mio_bin, ppNo: 'A-0218', amount: '149311.49' },
        { mioBin: w.B.mio_bin, ppNo: 'B-0218', amount: '23598.08' },
      ],
      fees: [{ amount: '150.00', text: 'Комиссия за ведение счёта' }],
    },
    'camt053',
    '1000000.00',
  );
  expect(r18).toMatchObject({ status: 'done', matched: 2, unmatched: 1 });
  expect((await pay(t.db, { asOf: '2025-02-19', operator: OPERATOR, outDir: w.out })).status).toBe('done');
  const bOrder = await t.db('payment_orders').where({ mio_bin: w.B.mio_bin }).first('year', 'number');
  const p1 = await lineOf(t.db, w.P1.provider_id, '2025-01');
  const r20 = await bankDay(
    t.db,
    {
      date: '2025-02-20',
      debitOrdersDated: ['2025-02-19'],
      skipOrders: [orderMessageId(bOrder.year, bOrder.number)],
      returns: [{ ref: p1.ref, reasonCode: 'AC04', reasonText: 'Счёт закрыт' }],
    },
    'mt940',
  );
  expect(r20).toMatchObject({ status: 'done', matched: 3, by_kind: { order_debit: 2, return: 1 } });
  // A day with nothing on it, in 1C: the balance carries over.
  expect(await bankDay(t.db, { date: '2025-02-21', debitOrdersDated: [] }, 'onec')).toMatchObject({ status: 'done', matched: 0, statement: { opening: '1070644.24', closing: '1070644.24', entries: 0 } });
  doc = statementReportSchema.parse(await reportBuilders.statement!(t.db, { month: '2025-02', asOf: '2025-02-24' }));
}, 120_000);

afterAll(async () => {
  await t?.drop();
  if (w) await rm(w.out, { recursive: true, force: true });
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('report statement', () => {
  it('per day: the statement\'s closing against the ledger, the difference, the day\'s movements and matches', () => {
    expect(doc).toMatchObject({ form: 'statement', month: '2025-02', as_of: '2025-02-24', through: '2025-02-24', not_debited_after: 2 });
    expect(doc.accounts.map((a) => a.iban)).toEqual([GK.iban]);
    const [acc] = doc.accounts;
    expect(acc.days).toHaveLength(24);
    const day = (d: string) => acc.days.find((x) => x.date === d)!;
    expect(day('2025-02-17')).toEqual({ date: '2025-02-17', statement_closing: null, ledger_balance: '0.00', difference: null, credits: '0.00', debits: '0.00', matched: 0, unmatched: 0 });
    expect(day('2025-02-18')).toEqual({
      date: '2025-02-18',
      statement_closing: '1172759.57',
      ledger_balance: '172909.57',
      difference: '999850.00',
      credits: '172909.57',
      debits: '150.00',
      matched: 2,
      unmatched: 1,
    });
    // 02-19: paid by the ledger, no statement that day.
    expect(day('2025-02-19')).toMatchObject({ statement_closing: null, ledger_balance: '0.00', difference: null });
    // 02-20: A's orders debited, P1's sum back; B's order not yet debited by the bank.
    expect(day('2025-02-20')).toEqual({
      date: '2025-02-20',
      statement_closing: '1070644.24',
      ledger_balance: '47196.16',
      difference: '1023448.08',
      credits: '47196.16',
      debits: '149311.49',
      matched: 3,
      unmatched: 0,
    });
    expect(acc.statements.map((s) => [s.format, s.from, s.opening, s.closing, s.entries, s.matched, s.unmatched])).toEqual([
      ['camt053', '2025-02-18', '1000000.00', '1172759.57', 3, 2, 1],
      ['mt940', '2025-02-20', '1172759.57', '1070644.24', 3, 3, 0],
      ['onec', '2025-02-21', '1070644.24', '1070644.24', 0, 0, 0],
    ]);
    // 02-21 is covered by the empty statement: the balance carried, the difference as on 02-20.
    expect(day('2025-02-21')).toMatchObject({ statement_closing: '1070644.24', difference: '1023448.08' });
    expect(acc.entries.map((e) => [e.booking_date, e.direction, e.amount, e.match, e.unmatched_code])).toEqual([
      ['2025-02-18', 'credit', '149311.49', 'transfer', null],
      ['2025-02-18', 'credit', '23598.08', 'transfer', null],
      ['2025-02-18', 'debit', '150.00', null, 'bank_fee'],
      ['2025-02-20', 'credit', '47196.16', 'return', null],
      ['2025-02-20', 'debit', expect.any(String), 'order_debit', null],
      ['2025-02-20', 'debit', expect.any(String), 'order_debit', null],
    ]);
  });

  it('lists the orders not debited more than N working days after their date', () => {
    expect(doc.orders_not_debited).toEqual([
      { year: 2025, number: expect.any(Number), date: '2025-02-19', mio_bin: w.B.mio_bin, bik: 'HSBKKZKX', kind: 'provider', total: '23598.08', due: '2025-02-21', working_days: 3 },
    ]);
  });

  it('renders to Excel: the days with their totals, the entries, the orders', async () => {
    const [file] = await renderReportFiles(doc, 'xlsx', dir, 'statement_2025-02');
    const wb = await readWorkbook(file);
    const [form] = await formFiles(doc, 'statement_2025-02');
    const sections = form.document.sections;
    expect(wb.worksheets.map((s) => s.name)).toHaveLength(sections.length);
    const ws = wb.worksheets[0];
    const days = readTable(ws, { ...sections[0], totals: undefined }, 24);
    expect(days.headers).toEqual(STATEMENT_DAY_COLUMNS.map((c) => c.header));
    expect(days.rows).toEqual(pick(doc.accounts[0].days as unknown as Record<string, unknown>[], STATEMENT_DAY_COLUMNS.map((c) => c.key)));
    // The totals row: the label over the balance columns, SUM formulas under the movements.
    const totals = ws.getRow(days.dataEnd + 1);
    expect(totals.getCell(1).value).toBe('Итого');
    expect(totals.getCell(5).formula).toMatch(/^SUM\(/);
    expect(totals.getCell(5).result).toBe(220105.73);
    expect(textsBelow(ws, days.dataEnd).join(' ')).toContain('Дней с расхождением: 3.');
    const orders = readTable(wb.worksheets[wb.worksheets.length - 1], sections[sections.length - 1], 1);
    expect(orders.headers).toEqual(STATEMENT_ORDER_COLUMNS.map((c) => c.header));
    expect(orders.rows[0].slice(2)).toEqual(['2025-02-19', w.B.mio_bin, 'HSBKKZKX', 'Выплата поставщикам', '23598.08', '2025-02-21', 3]);
  });

  it.skipIf(!poppler)('renders to PDF with the title and the difference', async () => {
    const files = await renderReportFiles(doc, 'pdf', dir, 'statement_2025-02');
    const text = squash(pdfText(files[0]));
    expect(text).toContain('Сверка выписок банка по счёту');
    expect(text).toContain('999 850,00');
  });

  it('a month without statements: every day without a statement, the orders all listed', async () => {
    const march = statementReportSchema.parse(await reportBuilders.statement!(t.db, { month: '2025-03', asOf: '2025-03-05' }));
    expect(march.accounts[0].days.every((d) => d.statement_closing === null && d.ledger_balance === '47196.16')).toBe(true);
    expect(march.accounts[0].entries).toEqual([]);
    expect(march.orders_not_debited.map((o) => o.mio_bin)).toEqual([w.B.mio_bin]);
  });
});
