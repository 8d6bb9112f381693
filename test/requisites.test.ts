// Site requisites (DOMAIN §6–7, INTERFACE «Site requisites»): `payouts import requisites FILE`
// checks every account and stores a new version (append-only, audited); until one is imported the
// samples of reference/ are in force, and a bank file built from them is written only where
// samples are allowed (PAYOUTS_ALLOW_SAMPLE_REQUISITES=1, set for the tests in vitest.config.ts)
// and then marked «ОБРАЗЕЦ». Outside: `pay` issues its orders, writes no pain.001 and says so
// (exit 0); after the import the same writing function writes them with the site's payer account.
//
// World: one МИО, one assistant P1 with two acts for 2025-01 (R-1 and R-2, two ЛСИ «Получатель N»),
// G 53 632.00 each, ОПВ 5 363.20, ОСМС 1 072.64 → provider sum 47 196.16 each; a demand of
// 94 392.32 formed 2025-02-15 and funded 2025-02-18; pay 2025-02-19 → order № 1 with two lines.
// Four eyes is on until the site's requisites say otherwise: a second operator approves the order.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeOrderFiles } from '../pipeline/orders/files.ts';
import { initialsOf, kbeOf, purposeText } from '../pipeline/orders/pain001.ts';
import { paymentOrdersReport } from '../reports/payment-reports.ts';
import {
  ALLOW_SAMPLE_ENV,
  checkRequisites,
  documentRequisites,
  fourEyesInForce,
  importRequisites,
  requisitesInForce,
  sampleRequisites,
  samplesAllowed,
} from '../pipeline/requisites/index.ts';
import { isValidIinBin, isValidKzIban } from '../pipeline/kernel/identifiers.ts';
import { cli } from './support/cli.ts';
import { insertDemand, insertList } from './support/cycle-rows.ts';
import { count, freshDb, type TestDb } from './support/db.ts';
import { tempDir } from './support/files.ts';
import { synthBin, synthIban, synthIin, validId } from './support/ids.ts';
import { importFile, importTransfers } from './support/imports.ts';
import { writeCsv } from './support/csv.ts';
import { parsePain001 } from './support/pain001-parser.ts';
import { BANKS, seedMio, seedProvider } from './support/world.ts';

let t: TestDb;
let dir: string;
const A = validId('0112400021');
const P1 = validId('8503123021');
const GK_BIN = synthBin();
const GK_IBAN = synthIban('009', 900001);

/** A valid requisites document of a site (synthetic accounts, not the samples of reference/). */
function siteDocument(over: Record<string, unknown> = {}) {
  return {
    state_corporation: { bin: GK_BIN, name: 'НАО «Государственная корпорация «Правительство для граждан»»', bik: 'GCVPKZ2A', iban: GK_IBAN, kbe: '11' },
    contributions: [
      { knp: '010', name: 'Госкорпорация (ОПВ)', bin: '160440007161', bik: 'GCVPKZ2A', iban: 'KZ12009NPS0413609816', kbe: '11' },
      { knp: '122', name: 'Госкорпорация (ВОСМС)', bin: GK_BIN, bik: 'GCVPKZ2A', iban: synthIban('009', 900122), kbe: '11' },
      { knp: '012', name: 'Госкорпорация (СО)', bin: GK_BIN, bik: 'GCVPKZ2A', iban: synthIban('009', 900012), kbe: '11' },
    ],
    four_eyes: false,
    ...over,
  };
}

function writeJson(name: string, doc: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(doc, null, 2));
  return file;
}

/** `payouts …` against the test database, samples not allowed unless `allow`. */
const payouts = (args: string[], allow = false) =>
  cli(args, { db: t.url, env: { PAYOUTS_OPERATOR: 'бухгалтер', [ALLOW_SAMPLE_ENV]: allow ? '1' : undefined } });

beforeAll(async () => {
  t = await freshDb();
  dir = tempDir('payouts-requisites-');
  await seedMio(t.db, { mio_bin: A });
  await seedProvider(t.db, { provider_id: P1, kind: 'assistant', name: 'Ахметова Айгерим Болатовна', bik: BANKS.halyk.bik });
  const [l1, l2] = await insertList(t.db, {
    mioBin: A,
    month: '2025-02',
    builtOn: '2025-02-14',
    rows: [
      { providerId: P1, serviceMonth: '2025-01', actNo: 'R-1', receivedOn: '2025-02-03', guaranteed: '53632.00', opv: '5363.20', osms: '1072.64' },
      { providerId: P1, serviceMonth: '2025-01', actNo: 'R-2', receivedOn: '2025-02-03', guaranteed: '53632.00', opv: '5363.20', osms: '1072.64' },
    ],
  });
  await insertDemand(t.db, { mioBin: A, month: '2025-02', formedOn: '2025-02-15', listRowIds: [l1, l2] });
  const r = await importTransfers(t.db, '2025-02-18', [{ mio_bin: A, pp_no: '1', pp_date: '2025-02-18', amount: '94392.32' }]);
  expect(r.rejected).toEqual([]);
});
afterAll(async () => {
  await t?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the samples of reference/', () => {
  it('hold valid accounts; contributions go to ГК, ОПВ to the account the law names', () => {
    const s = sampleRequisites();
    expect(s.state_corporation).toMatchObject({ bik: 'GCVPKZ2A', kbe: '11' });
    expect(s.contributions.map((c) => [c.knp, c.bik, c.bin])).toEqual([
      ['010', 'GCVPKZ2A', '160440007161'],
      ['122', 'GCVPKZ2A', '160440007161'],
      ['012', 'GCVPKZ2A', '160440007161'],
    ]);
    expect(s.contributions[0].iban).toBe('KZ12009NPS0413609816');
    for (const a of [s.state_corporation, ...s.contributions]) {
      expect(isValidIinBin(a.bin)).toBe(true);
      expect(isValidKzIban(a.iban)).toBe(true);
    }
    expect(s.four_eyes).toBe(true);
    expect(checkRequisites(siteDocument(), ['010', '122', '012'])).toMatchObject({ ok: true });
  });

  it('are in force before any import, allowed here only through the environment', async () => {
    expect(await requisitesInForce(t.db)).toMatchObject({ sample: true, version: null });
    expect(samplesAllowed()).toBe(true); // vitest.config.ts test.env
    expect(await fourEyesInForce(t.db)).toBe(true);
    const saved = process.env[ALLOW_SAMPLE_ENV];
    delete process.env[ALLOW_SAMPLE_ENV];
    try {
      const r = await documentRequisites(t.db, 'Реестр');
      expect(r.ok).toBe(false);
      expect(!r.ok && r.refusal).toMatch(/^Реестр не записаны: реквизиты площадки не загружены.*payouts import requisites ФАЙЛ/s);
      // The register of payment orders is refused the same way (exit 4).
      await expect(paymentOrdersReport(t.db, { month: '2025-02', asOf: '2025-02-28' })).rejects.toMatchObject({ rule: 'sample-requisites', exitCode: 4 });
    } finally {
      process.env[ALLOW_SAMPLE_ENV] = saved;
    }
  });
});

describe('КБе and the payment purpose (DOMAIN §6, §7)', () => {
  it('КБе: a natural person and an ИП 19, a legal entity its sector (default 8: 18), a МИО 12', () => {
    expect([kbeOf('assistant'), kbeOf('entrepreneur'), kbeOf('legal_entity'), kbeOf('legal_entity', '7'), kbeOf('mio')]).toEqual(['19', '19', '18', '17', '12']);
  });

  it('a legal entity carries its sector from the providers file (empty: 8); a person or an ИП is a household', async () => {
    const file = writeCsv(dir, 'providers.csv', ['provider_id', 'kind', 'name', 'bik', 'iban', 'registered_on', 'sector'], [
      [synthBin(), 'legal_entity', 'ТОО «Сектор семь»', BANKS.halyk.bik, synthIban('601'), '2024-01-10', '7'],
      [synthBin(), 'legal_entity', 'ОФ «По умолчанию»', BANKS.halyk.bik, synthIban('601'), '2024-01-10', ''],
      [synthIin(), 'assistant', 'Помощник С Сектором', BANKS.halyk.bik, synthIban('601'), '2024-01-10', '5'],
      [synthBin(), 'legal_entity', 'ОО «Две цифры»', BANKS.halyk.bik, synthIban('601'), '2024-01-10', '77'],
    ]);
    const r = await importFile(t.db, 'providers', file, { asOf: '2025-02-01' });
    expect([r.accepted, r.rejected]).toEqual([2, 2]);
    expect(r.errors.map((e) => [e.row, e.field])).toEqual([
      [4, 'sector'],
      [5, 'sector'],
    ]);
    expect(r.errors[0].reason).toContain('сектор 9 (КБе 19)');
    const stored = await t.db('providers').whereIn('name', ['ТОО «Сектор семь»', 'ОФ «По умолчанию»']).orderBy('name').select('name', 'sector');
    expect(stored.map((p) => [p.name, p.sector, kbeOf('legal_entity', p.sector)])).toEqual([
      ['ОФ «По умолчанию»', null, '18'],
      ['ТОО «Сектор семь»', 7, '17'],
    ]);
  });

  it('names the act, the service month and the ЛСИ by initials; a long act number is cut to fit 140 characters with the codes', () => {
    expect(initialsOf('Иванова Айгуль Маратовна')).toBe('И.А.М.');
    const line = { service_month: '2025-03', provider_id: P1, act_no: 'АВР-17', pwd_name: 'Иванова Айгуль Маратовна' };
    expect(purposeText('payout', line)).toBe('Возмещение стоимости услуг индивидуального помощника по акту № АВР-17 за 03.2025, ЛСИ И.А.М.');
    expect(purposeText('to_mio', line)).toBe(`Возврат невыплаченного возмещения по акту № АВР-17 за 03.2025, поставщик ${P1}`);
    const long = purposeText('repayment', { ...line, act_no: 'Х'.repeat(100) });
    expect([...long].length).toBe(140 - ' КНП 119 КБе 19'.length);
    expect(long).toMatch(/по акту № Х+… за 03\.2025, ЛСИ И\.А\.М\.$/);
  });
});

describe('pay with sample requisites outside the demo, then import requisites', () => {
  let out: string;

  it('pay prepares the order; its approval commits but writes no pain.001 and says why and how to fix it (exit 0)', async (ctx) => {
    if (!t.url) ctx.skip();
    out = path.join(dir, 'orders');
    const r = await payouts(['--as-of', '2025-02-19', 'run', 'pay', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('№ 1: МИО');
    expect(await count(t.db, 'payment_orders')).toBe(1);
    expect(await count(t.db, 'payment_lines')).toBe(2);
    // Four eyes (on until the site says otherwise): a second operator approves; the approval is
    // committed, the file is not written with the sample payer account.
    const approve = await payouts(['--as-of', '2025-02-19', '--operator', 'контролёр', 'orders', 'approve', '--date', '2025-02-19', '--out', out]);
    expect(approve.stderr).toBe('');
    expect(approve.code).toBe(0);
    expect(approve.stdout).toContain('Файлы pain.001 платёжных поручений не записаны: реквизиты площадки не загружены');
    expect(approve.stdout).toContain('payouts import requisites ФАЙЛ');
    expect(approve.stdout).toContain('payouts orders export --date');
    const states = await t.db('payment_order_events').where({ status: 'approved' }).count({ n: '*' });
    expect(Number(states[0].n)).toBe(1);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
    // Export refuses the same way while the samples are in force (nothing written, exit 4).
    const early = await payouts(['orders', 'export', '--date', '2025-02-19', '--out', out]);
    expect(early.code).toBe(4);
    expect(early.stderr).toContain('payouts import requisites ФАЙЛ');
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it('the demand request and the contributions registers are refused the same way (exit 4), nothing written', async (ctx) => {
    if (!t.url) ctx.skip();
    const regs = path.join(dir, 'registers');
    const [request, contributions] = await Promise.all([
      payouts(['report', 'demand', '--month', '2025-02', '--format', 'pdf', '--out', regs]),
      payouts(['run', 'contributions', '--month', '2025-02', '--out', regs]),
    ]);
    expect([request.code, contributions.code]).toEqual([4, 4]);
    expect(request.stderr).toContain('Заявки о сумме потребности не записаны: реквизиты площадки не загружены');
    expect(contributions.stderr).toContain('Реестры и платёжные поручения взносов не записаны');
    expect(contributions.stderr).toContain('payouts import requisites ФАЙЛ');
    expect(existsSync(regs) ? readdirSync(regs) : []).toEqual([]);
  });

  it('a bad requisites file is refused field by field (exit 2), nothing stored', async (ctx) => {
    if (!t.url) ctx.skip();
    const good = siteDocument();
    const bad = {
      ...good,
      state_corporation: { ...good.state_corporation, iban: GK_IBAN.slice(0, 19) + (GK_IBAN.endsWith('1') ? '2' : '1'), bin: '123456789012' },
      contributions: [good.contributions[0], { ...good.contributions[1], bik: 'GCVP', kbe: '5' }, { ...good.contributions[2], knp: '010' }],
      extra: 1,
    };
    const r = await payouts(['import', 'requisites', writeJson('bad.json', bad)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Реквизиты не загружены');
    expect(r.stderr).toContain('(документ): неизвестные поля: extra');
    expect(r.stderr).toContain('state_corporation.bin: некорректный БИН');
    expect(r.stderr).toContain('state_corporation.iban: некорректный IBAN');
    expect(r.stderr).toContain('contributions[1].bik: некорректный БИК');
    expect(r.stderr).toContain('contributions[1].kbe: КБе: две цифры');
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    // The structure fine, the КНП not: each once, all three.
    const r2 = await payouts(['import', 'requisites', writeJson('knp.json', { ...good, contributions: [good.contributions[0], good.contributions[1], { ...good.contributions[2], knp: '010' }] })]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('contributions[2].knp: КНП 010 указан повторно');
    expect(r2.stderr).toContain('contributions: нет счёта для КНП 012');
    // The samples themselves are not a site's requisites.
    const s = sampleRequisites();
    const r3 = await payouts(['import', 'requisites', writeJson('sample.json', { ...good, state_corporation: s.state_corporation })]);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain(`state_corporation.iban: ${s.state_corporation.iban} — счёт-образец из поставки`);
    const r4 = await payouts(['import', 'requisites', path.join(dir, 'missing.json')]);
    expect(r4.code).toBe(2);
    expect(r4.stderr).toContain('файл не найден');
    expect(await count(t.db, 'site_requisites')).toBe(0);
    expect(await t.db('audit_events').where({ action: 'import requisites' })).toEqual([]);
  });

  it('a requisites file read as it is: a key twice, Windows-1251, an invisible or control character are refused (exit 2); a BOM is fine', async () => {
    const good = JSON.stringify(siteDocument());
    const attempt = async (name: string, content: Buffer | string) => {
      const file = path.join(dir, name);
      writeFileSync(file, content);
      return importRequisites(t.db, { file, asOf: '2025-02-19', operator: 'бухгалтер' }).then(
        () => 'imported',
        (e: Error & { exitCode?: number }) => `${e.exitCode}: ${e.message}`,
      );
    };
    // "four_eyes" twice: JSON.parse would silently take the second.
    expect(await attempt('twice.json', good.replace(/}$/, ',"four_eyes":true}'))).toMatch(/^2: .*поле «four_eyes» указано дважды/);
    // Windows-1251 bytes of the same document (А–я at 0xC0–0xFF, «» at 0xAB/0xBB): not UTF-8, refused, never stored garbled.
    const cp1251 = Buffer.from([...good].map((c) => (c < '\x80' ? c.charCodeAt(0) : c >= 'А' && c <= 'я' ? c.charCodeAt(0) - 0x350 : c === '«' ? 0xab : 0xbb)));
    expect(await attempt('cp1251.json', cp1251)).toMatch(/^2: .*UTF-8/);
    const rtl = JSON.stringify(siteDocument({ state_corporation: { ...siteDocument().state_corporation, name: 'ГК\u202eabc' } }));
    expect(await attempt('rtl.json', rtl)).toMatch(/^2: [\s\S]*state_corporation\.name: недопустимый символ U\+202E/);
    const nul = JSON.stringify(siteDocument({ state_corporation: { ...siteDocument().state_corporation, name: 'a\u0000b' } }));
    expect(await attempt('nul.json', nul)).toMatch(/^2: [\s\S]*state_corporation\.name: недопустимый символ U\+0000/);
    expect(await count(t.db, 'site_requisites')).toBe(0);
    // A BOM (Notepad's «UTF-8 с BOM») is read, not refused: checked, then nothing stored by this test.
    const bom = checkRequisites(JSON.parse(new TextDecoder('utf-8').decode(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(good)]))), ['010', '012', '122']);
    expect(bom.ok).toBe(true);
  });

  it('import requisites stores version 1, audited; the same file again changes nothing', async (ctx) => {
    if (!t.url) ctx.skip();
    const file = writeJson('site.json', siteDocument());
    const r = await payouts(['--as-of', '2025-02-19', 'import', 'requisites', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('версия 1, действует с этого момента');
    expect(r.stdout).toContain(`IBAN ${GK_IBAN}`);
    const again = await payouts(['import', 'requisites', file, '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'unchanged', version: 1 });
    expect(await count(t.db, 'site_requisites')).toBe(1);
    const audit = await t.db('audit_events').where({ action: 'import requisites' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ operator: 'бухгалтер', object: 'site.json', as_of: '2025-02-19' });
    const inForce = await requisitesInForce(t.db);
    expect(inForce).toMatchObject({ sample: false, version: 1 });
    expect(inForce.requisites.state_corporation.iban).toBe(GK_IBAN);
    expect(await fourEyesInForce(t.db)).toBe(false);
    // Append-only: a version is never changed or removed.
    await expect(t.db('site_requisites').update({ operator: 'x' })).rejects.toThrow(/append-only/);
    await expect(t.db('site_requisites').del()).rejects.toThrow(/append-only/);
  });

  it('after the import `orders export` writes the files: payer = the site account, no «ОБРАЗЕЦ», the same bytes again but the creation time', async (ctx) => {
    if (!t.url) ctx.skip();
    const r = await payouts(['orders', 'export', '--date', '2025-02-19', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readdirSync(out)).toEqual(['payment-order_2025-1.xml']);
    const file = path.join(out, 'payment-order_2025-1.xml');
    const xml = readFileSync(file, 'utf8');
    const doc = parsePain001(xml);
    expect(doc.debtor).toMatchObject({ bin: GK_BIN, iban: GK_IBAN, bik: 'GCVPKZ2A' });
    expect(xml).not.toContain('ОБРАЗЕЦ');
    // One provider, two acts: two lines that say which act and which ЛСИ each pays.
    expect(doc.transactions.map((x) => [x.amount, x.creditor.idNumber, x.creditor.kbe, x.knp, x.remittance])).toEqual([
      ['47196.16', P1, '19', '119', expect.stringMatching(/^Возмещение стоимости услуг индивидуального помощника по акту № R-1 за 01\.2025, ЛСИ П\.\d+\.$/)],
      ['47196.16', P1, '19', '119', expect.stringMatching(/^Возмещение стоимости услуг индивидуального помощника по акту № R-2 за 01\.2025, ЛСИ П\.\d+\.$/)],
    ]);
    expect(doc.transactions[0].remittance).not.toBe(doc.transactions[1].remittance);
    // The register shows the same per line, with the payer's account and the КНП.
    const register = await paymentOrdersReport(t.db, { month: '2025-02', asOf: '2025-02-28' });
    expect(register.sample).toBe(false);
    expect(register.orders[0]).toMatchObject({ payer: { bin: GK_BIN, iban: GK_IBAN, bik: 'GCVPKZ2A' }, knp: '119', count: 2 });
    expect(register.orders[0].lines.map((l) => [l.ref, l.act_no, l.kbe, l.purpose])).toEqual(
      doc.transactions.map((x, i) => [x.endToEndId, `R-${i + 1}`, '19', x.remittance]),
    );
    // A second export: the same file, byte for byte except the creation time.
    const again = await payouts(['orders', 'export', '--date', '2025-02-19', '--out', out]);
    expect(again.code).toBe(0);
    const noTime = (x: string) => x.replace(/<CreDtTm>[^<]*<\/CreDtTm>/g, '<CreDtTm/>');
    expect(noTime(readFileSync(file, 'utf8'))).toBe(noTime(xml));
    // The function the step and the export share writes the same bytes.
    const ids = (await t.db('payment_orders').select('id')).map((o) => Number(o.id));
    const saved = process.env[ALLOW_SAMPLE_ENV];
    delete process.env[ALLOW_SAMPLE_ENV]; // as outside the tests
    try {
      expect(noTime(readFileSync((await writeOrderFiles(t.db, ids, out))[0], 'utf8'))).toBe(noTime(xml));
    } finally {
      process.env[ALLOW_SAMPLE_ENV] = saved;
    }
  });

  it('a second import is version 2, in force; the first stays as it was', async () => {
    const r = await importRequisites(t.db, { file: writeJson('site2.json', siteDocument({ four_eyes: true })), asOf: '2025-02-20', operator: 'бухгалтер' });
    expect(r).toMatchObject({ status: 'imported', version: 2 });
    expect(await fourEyesInForce(t.db)).toBe(true);
    expect((await t.db('site_requisites').orderBy('version').select('version')).map((v) => v.version)).toEqual([1, 2]);
  });

  it('new requisites never change a file already written: orders export keeps the payer of the first write', async (ctx) => {
    if (!t.url) ctx.skip();
    const file = path.join(out, 'payment-order_2025-1.xml');
    const before = readFileSync(file, 'utf8');
    const NEW_IBAN = synthIban('009', 900777);
    const moved = siteDocument({ state_corporation: { ...siteDocument().state_corporation, iban: NEW_IBAN } });
    expect(await importRequisites(t.db, { file: writeJson('site3.json', moved), asOf: '2025-02-21', operator: 'бухгалтер' })).toMatchObject({ version: 3 });
    const r = await payouts(['orders', 'export', '--date', '2025-02-19', '--out', out]);
    expect(r.code).toBe(0);
    const after = readFileSync(file, 'utf8');
    expect(parsePain001(after).debtor).toMatchObject({ iban: GK_IBAN });
    const noTime = (x: string) => x.replace(/<CreDtTm>[^<]*<\/CreDtTm>/g, '<CreDtTm/>');
    expect(noTime(after)).toBe(noTime(before));
    expect(await t.db('payment_order_file_requisites').select('requisites_version')).toEqual([{ requisites_version: 1 }]);
  });
});
