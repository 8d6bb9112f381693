// Issue 13.1: every file the pipeline writes can be written for any value import accepts. Names of
// 150 characters (import takes up to 500) — a МИО's, a provider's with a surrogate pair astride
// the 140th character, and one with «» & < > — go through import, lists, demand, pay (by
// «кассир»), approval (by «контролёр»), a return, refund-unsent and the contributions registers.
// Every pain.001 is parsed back: each Nm is fitted to exactly 140 characters at a character
// boundary (as the XSD counts them), the purpose keeps its codes; the database, the registers and
// the reports keep the full names, and the XLSX and PDF forms are written.
// Figures (2025 hourly rate 536.32): the assistant 100 h → 47 196.16 paid, ОПВ 5 363.20,
// ВОСМС 1 072.64; the legal entity 120 h → 64 358.40. Demand 111 554.56.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { Iso20022FormatError } from '../pipeline/kernel/errors.ts';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImport } from '../pipeline/imports/run-import.ts';
import { buildLists } from '../pipeline/steps/build-lists/index.ts';
import { formDemand } from '../pipeline/steps/form-demand/index.ts';
import { pay } from '../pipeline/steps/pay/index.ts';
import { refundUnsent } from '../pipeline/steps/refund-unsent/index.ts';
import { contributionPain001, contributionRegisters } from '../pipeline/contributions.ts';
import { buildReport, writeReport } from '../reports/write-report.ts';
import { approveDay } from './support/approve.ts';
import { writeCsv } from './support/csv.ts';
import { counts, freshDb, type TestDb } from './support/db.ts';
import { xlsxParts } from './support/forms.ts';
import { tempDir } from './support/files.ts';
import { synthBin, synthIban, synthIin } from './support/ids.ts';
import { fund, importReturns, readRejected } from './support/imports.ts';
import { parsePain001 } from './support/pain001-parser.ts';
import { BANKS, seedAct, seedBank } from './support/world.ts';

const chars = (s: string) => [...s].length;

/** `head` filled with `fill` to `n` characters. */
function filled(head: string, fill: string, n: number): string {
  let s = head;
  while (chars(s) < n) s += fill;
  return [...s].slice(0, n).join('');
}

// 139 characters, an emoji (a surrogate pair in UTF-16) as the 140th, then 10 more: 150.
const ASSISTANT_NAME = `${filled('Жарқынбекова Әйгерім Өмірзаққызы ', 'ө', 139)}😀${'қ'.repeat(10)}`;
const COMPANY_NAME = filled('ОФ «Көмек & <Қамқор>» — "Ұлы Дала" ', 'Ғ', 150);
const MIO_NAME = filled('ГУ «Управление занятости [г. Семей]: отдел *1/2? ', 'социальных программ области ', 150);

let t: TestDb;
let dir: string;
let out: string;
const mio = { mio_bin: synthBin(), oblast: 'область Абай', bik: 'KKMFKZ2A', iban: synthIban('070') };
const assistant = { provider_id: synthIin(), kind: 'assistant' as const, name: ASSISTANT_NAME };
const company = { provider_id: synthBin(), kind: 'legal_entity' as const, name: COMPANY_NAME };

beforeAll(async () => {
  t = await freshDb();
  dir = tempDir('payouts-long-names-');
  out = path.join(dir, 'out');
  await seedBank(t.db, { bik: 'KKMFKZ2A', name: 'РГУ «Комитет казначейства»' });
  for (const b of [BANKS.halyk, BANKS.kaspi]) await seedBank(t.db, { bik: b.bik, name: b.name });
});
afterAll(() => t?.drop());

describe('names longer than a pain.001 field (issue 13.1)', () => {
  it('import accepts the 150-character names (up to 500 characters are taken)', async () => {
    expect([chars(ASSISTANT_NAME), chars(COMPANY_NAME), chars(MIO_NAME)]).toEqual([150, 150, 150]);
    expect(ASSISTANT_NAME.length).toBe(151); // the emoji is two UTF-16 units
    const mios = writeCsv(dir, 'mios.csv', ['mio_bin', 'name', 'oblast', 'bik', 'iban'], [{ ...mio, name: MIO_NAME }]);
    const providers = writeCsv(dir, 'providers.csv', ['provider_id', 'kind', 'name', 'bik', 'iban', 'registered_on'], [
      { ...assistant, bik: BANKS.halyk.bik, iban: synthIban(BANKS.halyk.code), registered_on: '2024-01-01' },
      { ...company, bik: BANKS.kaspi.bik, iban: synthIban(BANKS.kaspi.code), registered_on: '2024-01-01' },
    ]);
    for (const [kind, file] of [['mios', mios], ['providers', providers]]) {
      const r = await runImport(t.db, { kind, file, asOf: '2025-03-03', operator: 'test' });
      expect(r.rejected).toBe(0);
    }
    expect((await t.db('mios').first('name')).name).toBe(MIO_NAME);
    expect((await t.db('providers').orderBy('kind').select('name')).map((p) => p.name)).toEqual([ASSISTANT_NAME, COMPANY_NAME]);
  });

  it('a name too long even for an Excel cell is rejected and shown cut, never half a character (the rejected-rows file)', async () => {
    // 32 765 letters, then emoji: the cut at the cell's 32 767 characters would fall inside the first one.
    const name = `${'Ж'.repeat(32765)}${'😀'.repeat(10)}`;
    const file = writeCsv(dir, 'providers-huge.csv', ['provider_id', 'kind', 'name', 'bik', 'iban', 'registered_on'], [
      { provider_id: synthIin(), kind: 'assistant', name, bik: BANKS.halyk.bik, iban: synthIban(BANKS.halyk.code), registered_on: '2024-01-01' },
    ]);
    const r = await runImport(t.db, { kind: 'providers', file, asOf: '2025-03-03', operator: 'test' });
    expect(r.rejected).toBe(1);
    const rows = await readRejected(path.join(dir, 'providers-huge.csv.rejected.xlsx'));
    const value = rows.flat().find((c) => c.startsWith('ЖЖЖ'))!;
    expect(value).toBe(`${'Ж'.repeat(32765)}…`);
  });

  it('pay → approve writes the files; every Nm is 140 characters, the register keeps the full names', async () => {
    const m = { ...mio, name: MIO_NAME };
    await seedAct(t.db, { provider: assistant, mio: m, service_month: '2025-02', hours: '100', pwd_name: `${'Ә'.repeat(5)} ${'Ұ'.repeat(5)} `.repeat(40).trim() });
    await seedAct(t.db, { provider: company, mio: m, service_month: '2025-02', hours: '120' });
    expect((await buildLists(t.db, { month: '2025-03', asOf: '2025-03-14', operator: 'test' })).status).toBe('done');
    expect((await formDemand(t.db, { month: '2025-03', asOf: '2025-03-15', operator: 'test' })).status).toBe('done');
    await fund(t.db, '2025-03-17', [{ mio_bin: mio.mio_bin, pp_no: '501', pp_date: '2025-03-17', amount: '111554.56' }]);

    const paid = await pay(t.db, { asOf: '2025-03-18', operator: 'кассир', outDir: out });
    expect(paid.status).toBe('done');

    // A value no file can carry (U+FFFF: import refuses it, here written straight into the table)
    // is found before approval commits: exit 2, the orders stay prepared, nothing posted.
    await t.db('providers').where({ provider_id: company.provider_id }).update({ name: `${COMPANY_NAME.slice(0, 10)}\uffff` });
    const before = await counts(t.db, ['payment_order_events', 'ledger_entries']);
    const err = await approveDay(t.db, '2025-03-18', { outDir: out }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Iso20022FormatError);
    expect((err as Iso20022FormatError).exitCode).toBe(2);
    expect((err as Error).message).toContain('наименование получателя');
    expect(await counts(t.db, ['payment_order_events', 'ledger_entries'])).toEqual(before);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
    await t.db('providers').where({ provider_id: company.provider_id }).update({ name: COMPANY_NAME });

    const approved = await approveDay(t.db, '2025-03-18', { outDir: out });
    expect(approved!.pendingFiles ?? []).toEqual([]);
    expect(approved!.files).toHaveLength(2);
    const byName = new Map<string, { remittance: string; amount: string }>();
    for (const file of approved!.files) {
      const doc = parsePain001(readFileSync(file, 'utf8'));
      for (const tx of doc.transactions) {
        expect(chars(tx.creditor.name)).toBe(140);
        expect(chars(tx.remittance) + ` КНП 000 КБе 00`.length).toBeLessThanOrEqual(140);
        byName.set(tx.creditor.name, { remittance: tx.remittance, amount: tx.amount });
      }
    }
    // Cut at the 140th character: the emoji stays whole, the rest of the name is dropped.
    const assistantNm = `${[...ASSISTANT_NAME].slice(0, 139).join('')}😀`;
    expect(byName.get(assistantNm)?.amount).toBe('47196.16');
    expect(byName.get([...COMPANY_NAME].slice(0, 140).join(''))?.amount).toBe('64358.40');
    // The ЛСИ's initials of a name of 80 words do not fit: the purpose is cut before its codes.
    expect(byName.get(assistantNm)?.remittance).toMatch(/^Возмещение стоимости услуг индивидуального помощника по акту № /);

    // The register (the payment-orders report) names the providers and the МИО in full.
    const report = (await buildReport(t.db, { form: 'payment-orders', month: '2025-03', asOf: '2025-03-18' })) as unknown as {
      orders: { mio_name: string; lines: { provider_name: string; purpose: string }[] }[];
    };
    expect(report.orders.map((o) => o.mio_name)).toEqual([MIO_NAME, MIO_NAME]);
    expect(report.orders.flatMap((o) => o.lines.map((l) => l.provider_name)).sort()).toEqual([ASSISTANT_NAME, COMPANY_NAME].sort());
    // The purpose the report shows is the one the file carries, cut to the room its codes leave.
    const purpose = report.orders.flatMap((o) => o.lines).find((l) => l.provider_name === ASSISTANT_NAME)!.purpose;
    expect(purpose).toBe(byName.get(assistantNm)?.remittance);
    expect(chars(purpose)).toBe(140 - ' КНП 000 КБе 00'.length);
  });

  it('refund-unsent sends a return back to the МИО: its Nm is fitted too', async () => {
    const line = await t.db('payment_lines').where({ provider_id: assistant.provider_id, kind: 'payout' }).first('ref');
    const r = await importReturns(t.db, '2025-03-20', [{ payment_ref: line.ref, amount: '47196.16', returned_on: '2025-03-20', reason_code: 'AC04', reason_text: 'Счёт закрыт' }]);
    expect(r.accepted).toBe(1);
    const sent = await refundUnsent(t.db, { asOf: '2025-04-30', operator: 'кассир', outDir: out });
    expect(sent.status).toBe('done');
    const approved = await approveDay(t.db, '2025-04-30', { outDir: out });
    const files = [...new Set([...sent.files, ...(approved?.files ?? [])])];
    expect(files).toHaveLength(1);
    const doc = parsePain001(readFileSync(files[0], 'utf8'));
    expect(doc.transactions.map((tx) => [tx.creditor.name, tx.amount])).toEqual([[[...MIO_NAME].slice(0, 140).join('').trimEnd(), '47196.16']]);
    expect(chars(doc.transactions[0].creditor.name)).toBeLessThanOrEqual(140);
  });

  it('the contributions registers keep the full names, their pain.001 fits them', async () => {
    const registers = await contributionRegisters(t.db, '2025-03');
    expect(Object.fromEntries(registers.map((r) => [r.kind, r.total]))).toMatchObject({ opv: '5363.20', osms: '1072.64' });
    for (const r of registers) {
      expect(r.mio.name).toBe(MIO_NAME);
      expect(r.persons.map((p) => p.name)).toContain(ASSISTANT_NAME);
      const doc = parsePain001(contributionPain001(r));
      expect(doc.debtor.name).toBe([...MIO_NAME].slice(0, 140).join('').trimEnd());
      expect(chars(doc.initiatingParty.name)).toBeLessThanOrEqual(140);
      for (const tx of doc.transactions) expect(chars(tx.remittance) + ' КНП 000 КБе 00'.length).toBeLessThanOrEqual(140);
    }
  });

  it('the forms are written to XLSX and PDF with the names in full', async () => {
    const forms = ['list', 'transmission', 'demand', 'payment-orders', 'contributions', 'returns'] as const;
    for (const form of forms) {
      for (const format of ['xlsx', 'pdf'] as const) {
        const files = await writeReport(t.db, { form, month: '2025-03', asOf: '2025-04-30' }, format, path.join(dir, 'reports'));
        expect(files.length, `${form} ${format}`).toBeGreaterThan(0);
        if (form === 'payment-orders' && format === 'xlsx') {
          const text = [...(await xlsxParts(files[0])).values()].join('\n');
          expect(text).toContain(ASSISTANT_NAME);
        }
      }
    }
    // The longest names import takes (500 characters): one unbroken word of emoji, one of letters.
    await t.db('providers').where({ provider_id: company.provider_id }).update({ name: '😀'.repeat(500) });
    await t.db('mios').where({ mio_bin: mio.mio_bin }).update({ name: 'Ә'.repeat(500) });
    for (const form of ['payment-orders', 'demand'] as const) {
      const files = await writeReport(t.db, { form, month: '2025-03', asOf: '2025-04-30' }, 'pdf', path.join(dir, 'reports-500'));
      expect(files.length, form).toBeGreaterThan(0);
    }
  });
});
