// `payouts import statement` (pipeline/statements/import.ts) on the world of
// test/support/two-month-world.ts (lists 02-14, demand 02-15: МИО A 149 311.49, МИО B 23 598.08;
// pay 02-19: A at Halyk 84 953.09 (P1 47 196.16 + P2 37 756.93), A at Kaspi 64 358.40 (P3),
// B at Halyk 23 598.08 (P4)). In each of the three formats: the МИО's transfers come in by the
// statement (the same rules as `import funding`), the bank's debits confirm the payment orders
// (the payment deadline then judged by the debit date), a credit quoting a paid line is a return
// (the same rules as `import returns`), the fee and an unknown credit are listed unmatched;
// --dry-run writes nothing and the same file again changes nothing. Then, in one world: the
// refusals (exit 2 and 4), every unmatched reason, a fact recorded by a funding CSV confirmed, and
// the CLI's exit codes.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from './support/db.ts';
import { lineOf, OPERATOR, runTimeline, seedWorld, type World } from './support/two-month-world.ts';
import { importTransfers } from './support/imports.ts';
import { FORMATS, GK, rawStatementFile, statementFile, statementOf, type EntrySpec } from './support/statements.ts';
import { importStatement, type StatementImportReport } from '../pipeline/statements/import.ts';
import { statementExitCode } from '../bin/commands/statement.ts';
import { payApproved as pay } from './support/approve.ts';
import { computeDeadlines } from '../pipeline/steps/check-deadlines/deadlines.ts';
import { account, accountMovement, trialBalance } from '../pipeline/ledger.ts';
import { formatAmount } from '../pipeline/kernel/money.ts';
import { orderMessageId } from '../pipeline/orders/numbering.ts';
import { BusinessRuleError, UsageError } from '../pipeline/kernel/errors.ts';
import type { Db } from '../pipeline/kernel/db.ts';
import type { StatementFormat } from '../pipeline/statements/model.ts';
import { writeStatement } from '../pipeline/statements/codecs.ts';
import { encodeCp1251 } from '../pipeline/statements/onec.ts';

const BIN = path.resolve(import.meta.dirname, '..', 'bin', 'payouts.mjs');
const TABLES = ['transfers', 'allocations', 'returns', 'statements', 'statement_entries', 'payment_order_events', 'import_batches', 'ledger_entries', 'audit_events', 'notifications'];

async function counts(db: Db): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) out[t] = Number((await db(t).count({ n: '*' }))[0].n);
  return out;
}

const gkHeld = async (db: Db, mio: string, to?: string) => formatAmount(await accountMovement(db, account.gkFunds(mio), to ? { to } : {}));

/** The fee entry in a format: its bank code (camt, MT940) or its purpose (1C). */
function fee(format: StatementFormat, amount: string): EntrySpec {
  const code = format === 'camt053' ? 'ACMT/MDOP/CHRG' : format === 'mt940' ? 'NCHG' : '';
  return { dir: 'debit', amount, bankTxCode: code, purpose: 'Комиссия банка за ведение счёта' };
}

/** The debit of an order as the format carries it: the message id (camt, MT940) or number and date (1C). */
async function debitOf(db: Db, number: number, on: string): Promise<EntrySpec> {
  const o = await db('payment_orders').where({ year: 2025, number }).first('number', 'order_date', 'total');
  return { dir: 'debit', amount: o.total, on, messageId: orderMessageId(2025, number), documentNumber: String(o.number), documentDate: o.order_date, purpose: 'Выплата' };
}

async function orderNo(db: Db, mio: string, bik: string): Promise<number> {
  return Number((await db('payment_orders').where({ mio_bin: mio, bik, order_date: '2025-02-19' }).first('number')).number);
}

async function closingOf(db: Db): Promise<string> {
  const last = await db('statements').orderBy('period_to', 'desc').first('closing');
  return last.closing;
}

const unmatched = (r: StatementImportReport) => r.entries.filter((e) => e.match === null).map((e) => [e.seq, e.unmatched_code]);

describe.each(FORMATS)('import statement, %s', (format) => {
  let t: TestDb;
  let w: World;
  beforeAll(async () => {
    t = await freshDb();
    w = await seedWorld(t.db);
    await runTimeline(w, '2025-02-15');
  });
  afterAll(async () => {
    await t?.drop();
    if (w) rmSync(w.out, { recursive: true, force: true });
  });

  it('transfers from the МИО fund their demands; the fee and a stranger\'s credit are listed; --dry-run writes nothing; the same file again changes nothing', async () => {
    const file = statementFile(
      statementOf(format, {
        date: '2025-02-18',
        opening: '1000000',
        entries: [
          { dir: 'credit', amount: '149311.49', instructionId: 'A-0218', counterpartyIban: w.A.iban, counterpartyName: w.A.name, counterpartyId: w.A.mio_bin },
          { dir: 'credit', amount: '23598.08', instructionId: 'B-0218', counterpartyIban: w.B.iban, counterpartyName: w.B.name, counterpartyId: w.B.mio_bin },
          fee(format, '150.00'),
          { dir: 'credit', amount: '500.00', instructionId: 'X-1', counterpartyIban: 'KZ86125KZT5004100100', counterpartyName: 'ТОО «Посторонний»' },
        ],
      }),
    );
    const before = await counts(t.db);
    const dry = await importStatement(t.db, { file, asOf: '2025-02-18', operator: OPERATOR, dryRun: true });
    expect(dry).toMatchObject({ dry_run: true, status: 'partial', batch_id: null, matched: 2, unmatched: 2, needs_attention: 1, by_kind: { transfer: 2, order_debit: 0, return: 0 } });
    expect(unmatched(dry)).toEqual([[3, 'bank_fee'], [4, 'no_match']]);
    expect(await counts(t.db)).toEqual(before);

    const r = await importStatement(t.db, { file, asOf: '2025-02-18', operator: OPERATOR });
    expect(r).toMatchObject({ dry_run: false, status: 'partial', matched: 2, needs_attention: 1, statement: { opening: '1000000.00', closing: '1173259.57', credits: '173409.57', debits: '150.00' } });
    expect(statementExitCode(r)).toBe(3);
    expect(r.entries.map((e) => [e.seq, e.match, e.fact])).toEqual([
      [1, 'transfer', `поступление от МИО ${w.A.mio_bin}, п/п № A-0218 от 2025-02-18`],
      [2, 'transfer', `поступление от МИО ${w.B.mio_bin}, п/п № B-0218 от 2025-02-18`],
      [3, null, null],
      [4, null, null],
    ]);
    expect(r.entries[3].reason).toBe(
      'Поступление не сопоставлено: счёт плательщика KZ86125KZT5004100100 не принадлежит ни одному МИО, ссылки на проведённый платёж Госкорпорации нет',
    );
    expect(await t.db('transfers').orderBy('mio_bin').select('mio_bin', 'pp_no', 'pp_date', 'amount', 'batch_id')).toEqual(
      [
        { mio_bin: w.A.mio_bin, pp_no: 'A-0218', pp_date: '2025-02-18', amount: '149311.49', batch_id: r.batch_id },
        { mio_bin: w.B.mio_bin, pp_no: 'B-0218', pp_date: '2025-02-18', amount: '23598.08', batch_id: r.batch_id },
      ].sort((a, b) => a.mio_bin.localeCompare(b.mio_bin)),
    );
    expect(Number((await t.db('allocations').count({ n: '*' }))[0].n)).toBe(4); // every demand row funded
    expect(await gkHeld(t.db, w.A.mio_bin)).toBe('149311.49');
    expect((await trialBalance(t.db)).balanced).toBe(true);
    expect(await t.db('statement_entries').where({ statement_id: r.statement_id }).orderBy('seq').pluck('unmatched_code')).toEqual([null, null, 'bank_fee', 'no_match']);

    const after = await counts(t.db);
    const again = await importStatement(t.db, { file, asOf: '2025-02-19', operator: OPERATOR });
    expect(again).toMatchObject({ status: 'duplicate', statement_id: r.statement_id, matched: 2 });
    expect(statementExitCode(again)).toBe(0);
    expect(await importStatement(t.db, { file, asOf: '2025-02-19', operator: OPERATOR, dryRun: true })).toMatchObject({ status: 'duplicate', dry_run: true });
    expect(await counts(t.db)).toEqual(after);
  });

  it('debits confirm the orders (the payment deadline judged by the debit date), a credit quoting a paid line is a return', async () => {
    expect((await pay(t.db, { asOf: '2025-02-19', operator: OPERATOR, outDir: w.out })).status).toBe('done');
    const aHalyk = await orderNo(t.db, w.A.mio_bin, 'HSBKKZKX');
    const aKaspi = await orderNo(t.db, w.A.mio_bin, 'CASPKZKA');
    const bHalyk = await orderNo(t.db, w.B.mio_bin, 'HSBKKZKX');
    const p1 = await lineOf(t.db, w.P1.provider_id, '2025-01');
    const feb20 = statementOf(format, {
      date: '2025-02-20',
      opening: await closingOf(t.db),
      entries: [
        await debitOf(t.db, aHalyk, '2025-02-20'),
        await debitOf(t.db, aKaspi, '2025-02-20'),
        { dir: 'credit', amount: p1.amount, endToEndId: p1.ref, reasonCode: 'AC04', reasonText: 'Счёт закрыт', counterpartyName: 'АО «Тестовый Народный банк»', purpose: `Возврат платежа ${p1.ref}` },
      ],
    });
    const r20 = await importStatement(t.db, { file: statementFile(feb20), asOf: '2025-02-20', operator: OPERATOR });
    expect(r20).toMatchObject({ status: 'done', matched: 3, unmatched: 0, by_kind: { transfer: 0, order_debit: 2, return: 1 } });
    expect(statementExitCode(r20)).toBe(0);
    expect(await t.db('returns').where({ ref: p1.ref }).first('amount', 'returned_on', 'reason_code', 'reason_text', 'batch_id')).toEqual({
      amount: '47196.16',
      returned_on: '2025-02-20',
      reason_code: 'AC04',
      reason_text: 'Счёт закрыт',
      batch_id: r20.batch_id,
    });
    // B's order is debited a day later than its due day (funded 02-18, due 02-20).
    const feb21 = statementOf(format, { date: '2025-02-21', opening: await closingOf(t.db), entries: [await debitOf(t.db, bHalyk, '2025-02-21')] });
    const asOf20 = await computeDeadlines(t.db, '2025-02-20');
    const r21 = await importStatement(t.db, { file: statementFile(feb21), asOf: '2025-02-21', operator: OPERATOR });
    expect(r21).toMatchObject({ status: 'done', matched: 1 });

    expect(
      // The debits (four eyes adds the prepared and approved events of every order, not this test's subject).
      await t.db('payment_order_events as ev').join('payment_orders as o', 'o.id', 'ev.order_id').where('ev.status', 'debited').orderBy('o.number').select('o.number', 'ev.status', 'ev.event_date'),
    ).toEqual(
      [
        { number: aHalyk, status: 'debited', event_date: '2025-02-20' },
        { number: aKaspi, status: 'debited', event_date: '2025-02-20' },
        { number: bHalyk, status: 'debited', event_date: '2025-02-21' },
      ].sort((a, b) => a.number - b.number),
    );
    // ГК holds for A: received 149 311.49 − paid 84 953.09 − 64 358.40 + returned 47 196.16.
    expect(await gkHeld(t.db, w.A.mio_bin)).toBe('47196.16');
    const payment = (items: Awaited<ReturnType<typeof computeDeadlines>>, provider: string) =>
      items.find((i) => i.rule === 'payment' && i.object.includes(provider));
    // As of 02-20 no statement had confirmed B's order: judged by its date (02-19), met.
    expect(payment(asOf20, w.P4.provider_id)).toMatchObject({ status: 'met', days_late: 0 });
    const asOf24 = await computeDeadlines(t.db, '2025-02-24');
    expect(payment(asOf24, w.P4.provider_id)).toMatchObject({ due: '2025-02-20', status: 'met_late', days_late: 1 });
    expect(payment(asOf24, w.P1.provider_id)).toMatchObject({ due: '2025-02-20', status: 'met', days_late: 0 });
  });
});

describe('import statement: refusals and every unmatched reason', () => {
  let t: TestDb;
  let w: World;
  beforeAll(async () => {
    t = await freshDb();
    w = await seedWorld(t.db);
    await runTimeline(w, '2025-02-15');
  });
  afterAll(async () => {
    await t?.drop();
    if (w) rmSync(w.out, { recursive: true, force: true });
  });

  const fail = async (file: string, asOf = '2025-02-18') => {
    try {
      await importStatement(t.db, { file, asOf, operator: OPERATOR });
    } catch (e) {
      return e as Error;
    }
    throw new Error('expected a refusal');
  };

  it('refuses, changing nothing: another account, a broken balance, an entry outside the period, a file that is no statement', async () => {
    const before = await counts(t.db);
    const s = statementOf('camt053', { date: '2025-02-18', entries: [{ dir: 'credit', amount: '10.00', counterpartyIban: w.A.iban, instructionId: 'Z' }] });
    const other = await fail(statementFile({ ...s, account: { ...s.account, iban: w.A.iban } }, 'other.xml'));
    expect(other).toBeInstanceOf(UsageError);
    expect(other.message).toBe(
      `Выписка other.xml по счёту ${w.A.iban}: это не счёт Госкорпорации (${GK.iban}). Принимаются только выписки по счёту ГК; ничего не загружено`,
    );
    const xml = writeStatement(s, 'camt053').toString('utf8');
    const broken = await fail(rawStatementFile('broken.xml', xml.replace(/<Amt Ccy="KZT">10\.00<\/Amt>(\s*<CdtDbtInd>CRDT<\/CdtDbtInd>\s*<Dt>)/, '<Amt Ccy="KZT">10.01</Amt>$1')));
    expect(broken).toBeInstanceOf(UsageError);
    expect(broken.message).toContain('Выписка broken.xml: остатки не сходятся с операциями — входящий остаток 0.00 + поступления 10.00 − списания 0.00 = 10.00, а исходящий остаток в выписке 10.01');
    const outside = await fail(statementFile({ ...s, entries: [{ ...s.entries[0], bookingDate: '2025-02-17' }] }, 'outside.xml'));
    expect(outside.message).toContain('операция № 1 проведена 2025-02-17, вне периода выписки 2025-02-18 — 2025-02-18');
    expect(await fail(rawStatementFile('funding.csv', 'mio_bin,pp_no,pp_date,amount\n'))).toBeInstanceOf(UsageError);
    // A NUL byte the database cannot hold: the file is refused (exit 2), not an unexpected failure.
    expect(xml).toContain('<InstrId>Z</InstrId>');
    const nul = await fail(rawStatementFile('nul.xml', xml.replace('<InstrId>Z</InstrId>', '<InstrId>Z\u0000</InstrId>')));
    expect(nul).toBeInstanceOf(UsageError);
    expect(nul.message).toMatch(/^Выписка nul\.xml: поле .+ содержит недопустимый символ U\+0000/);
    expect(await counts(t.db)).toEqual(before);
  });

  it('a transfer over the open demand, a return of another amount, a second debit of one order, a shared МИО account, a reversal: unmatched with the rules\' reasons', async () => {
    // A third МИО with A's account: a credit from it could be either.
    await t.db('mios').insert({ mio_bin: '990340000017', name: 'ГУ «Двойник» (синт.)', oblast: 'г. Астана', bik: w.A.bik, iban: w.A.iban });
    // B's transfer was typed in by hand before the statement came: the statement confirms it.
    await importTransfers(t.db, '2025-02-18', [{ mio_bin: w.B.mio_bin, pp_no: 'B-0218', pp_date: '2025-02-18', amount: '23598.08' }]);
    const feb18 = statementOf('mt940', {
      date: '2025-02-18',
      no: '00049/001',
      entries: [
        { dir: 'credit', amount: '23598.09', instructionId: 'B-0218A', counterpartyIban: w.B.iban },
        { dir: 'credit', amount: '23598.08', instructionId: 'B-0218', counterpartyIban: w.B.iban },
        { dir: 'credit', amount: '100.00', instructionId: 'A-1', counterpartyIban: w.A.iban },
        { dir: 'credit', amount: '5.00', instructionId: 'R-1', counterpartyIban: w.B.iban, reversal: true },
      ],
    });
    const r = await importStatement(t.db, { file: statementFile(feb18), asOf: '2025-02-18', operator: OPERATOR });
    expect(r.entries.map((e) => [e.seq, e.match, e.unmatched_code])).toEqual([
      [1, null, 'refused'],
      [2, 'transfer', null],
      [3, null, 'ambiguous'],
      [4, null, 'reversal'],
    ]);
    expect(r.entries[0].reason).toBe(
      `Сумма перевода 23598.09 превышает потребность: открытая потребность МИО ${w.B.mio_bin} на 2025-02-18 — 0.00 (сформировано 23598.08, уже получено 23598.08). ` +
        'Потребность — предел финансирования, перевод не принят',
    );
    expect(r.entries[1].note).toMatch(/^учтено ранее импортом \(пакет № \d+\); выписка его подтверждает$/);
    const both = [w.A.mio_bin, '990340000017'].sort().map((bin) => `поступление от МИО ${bin}, п/п № A-1 от 2025-02-18`);
    expect(r.entries[2].reason).toBe(`Операция подходит к нескольким фактам: ${both.join('; ')}. Не сопоставлена: ничего не угадывается`);
    expect(await t.db('transfers').count({ n: '*' }).first()).toEqual({ n: 1 });

    // A's money comes in; pay; the bank debits A's Halyk order twice and returns P2 with a wrong amount.
    const a = statementOf('mt940', {
      date: '2025-02-19',
      no: '00050/001',
      opening: await closingOf(t.db),
      entries: [{ dir: 'credit', amount: '149311.49', instructionId: 'A-0219', counterpartyIban: w.A.iban }],
    });
    // (the shared account would make A's credit ambiguous too: the twin goes first)
    await t.db('mios').where({ mio_bin: '990340000017' }).delete();
    expect(await importStatement(t.db, { file: statementFile(a), asOf: '2025-02-19', operator: OPERATOR })).toMatchObject({ status: 'done', matched: 1 });
    expect((await pay(t.db, { asOf: '2025-02-19', operator: OPERATOR, outDir: w.out })).status).toBe('done');
    const aHalyk = await orderNo(t.db, w.A.mio_bin, 'HSBKKZKX');
    const p2 = await lineOf(t.db, w.P2.provider_id, '2025-01');
    const debit = await debitOf(t.db, aHalyk, '2025-02-20');
    const feb20 = statementOf('mt940', {
      date: '2025-02-20',
      no: '00051/001',
      opening: await closingOf(t.db),
      entries: [
        debit,
        debit,
        { dir: 'credit', amount: '37756.00', endToEndId: p2.ref, reasonCode: 'AC01', reasonText: 'Неверный счёт' },
        { dir: 'debit', amount: '12.00', messageId: 'GK2025-000777' },
      ],
    });
    const r20 = await importStatement(t.db, { file: statementFile(feb20), asOf: '2025-02-20', operator: OPERATOR });
    expect(r20.entries.map((e) => [e.seq, e.match, e.unmatched_code])).toEqual([
      [1, 'order_debit', null],
      [2, null, 'already_matched'],
      [3, null, 'refused'],
      [4, null, 'no_match'],
    ]);
    expect(r20.entries[1].reason).toContain('что и у операции № 1 этой выписки');
    expect(r20.entries[2].reason).toBe(
      `Сумма возврата 37756.00 не равна сумме платежа «${p2.ref}» 37756.93: возврат принимается только на точную сумму платежа`,
    );
    expect(r20.entries[3].reason).toBe(
      'Списание не сопоставлено: ни номер сообщения, ни номер, дата и сумма не указывают на платёжное поручение Госкорпорации (платёжного поручения с номером сообщения GK2025-000777 нет)',
    );
    expect(await t.db('returns').count({ n: '*' }).first()).toEqual({ n: 0 });
    expect((await trialBalance(t.db)).balanced).toBe(true);
  });

  it('the same statement with other content, an overlapping period, a broken chain, a statement from the future: refused (business rules)', async () => {
    const before = await counts(t.db);
    const last = await t.db('statements').orderBy('period_to', 'desc').first();
    const same = statementOf('mt940', { date: '2025-02-20', no: '00051/001', opening: formatAmount(last.opening), entries: [{ dir: 'debit', amount: '1.00', purpose: 'x' }] });
    const conflict = await fail(statementFile(same, 'same-id.sta'), '2025-02-21');
    expect(conflict).toBeInstanceOf(BusinessRuleError);
    expect(conflict.message).toMatch(/^Выписка SWIFT MT940 № 00051\/001 за 2025-02-20 по счёту \S+ уже загружена \(файл .+, пакет № \d+\), а в этом файле она другая/);
    const overlap = await fail(statementFile({ ...same, statementNo: '00052/001' }, 'overlap.sta'), '2025-02-21');
    expect((overlap as BusinessRuleError).rule).toBe('statement-overlap');
    const gap = statementOf('mt940', { date: '2025-02-24', no: '00055/001', opening: '1.00', entries: [] });
    const chain = await fail(statementFile(gap, 'gap.sta'), '2025-02-24');
    expect((chain as BusinessRuleError).rule).toBe('statement-chain');
    expect(chain.message).toContain(`Входящий остаток выписки SWIFT MT940 № 00055/001 за 2025-02-24 (1.00) не равен исходящему остатку предыдущей выписки за 2025-02-20 (${formatAmount(last.closing)}`);
    const future = await fail(statementFile({ ...gap, opening: formatAmount(last.closing), closing: formatAmount(last.closing) }, 'future.sta'), '2025-02-21');
    expect((future as BusinessRuleError).rule).toBe('statement-from-future');
    expect(await counts(t.db)).toEqual(before);
  });

  it('the CLI: exit 3 with the entries that need a look, exit 2 with the reason for a broken file, --dry-run the same code and nothing written', async () => {
    if (!t.url) return; // PGlite only: no server for a child process to share
    const run = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(process.execPath, [BIN, '--db', t.url!, '--as-of', '2025-02-24', '--operator', 'cli-test', ...args], { env: { ...process.env, PAYOUTS_DEBUG: '' } }, (err, stdout, stderr) =>
          resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
        ),
      );
    const last = await t.db('statements').orderBy('period_to', 'desc').first('closing');
    const s = statementOf('onec', { date: '2025-02-21', opening: formatAmount(last.closing), entries: [{ dir: 'credit', amount: '7.00', counterpartyIban: 'KZ86125KZT5004100100', instructionId: '5' }] });
    const file = statementFile(s, 'kl_to_1c.txt');
    const text = new TextDecoder('windows-1251').decode(writeStatement(s, 'onec'));
    const broken = rawStatementFile('broken_1c.txt', encodeCp1251(text.replace(/КонечныйОстаток=.*/, 'КонечныйОстаток=0.01'), 'тест'));
    const before = await counts(t.db);
    const [dry, bad] = await Promise.all([run('--json', 'import', 'statement', file, '--dry-run'), run('import', 'statement', broken)]);
    expect(dry.code).toBe(3);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dry_run: true, status: 'partial', needs_attention: 1, entries: [{ seq: 1, unmatched_code: 'no_match' }] });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Ошибка: Выписка broken_1c.txt: остатки не сходятся с операциями');
    expect(await counts(t.db)).toEqual(before);
    const real = await run('import', 'statement', file);
    expect(real.code).toBe(3);
    expect(real.stdout).toContain('Сопоставлено: 0 (поступление от МИО: 0, списание по поручению: 0, возврат: 0); не сопоставлено: 1, из них требуют проверки: 1');
    expect(real.stdout).toContain('операция 1 (2025-02-21, поступление 7.00): Поступление не сопоставлено');
  });
});
