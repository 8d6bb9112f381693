// Master data imports against real PostgreSQL: mios, banks, providers (with their first bank
// details), bank-details (new versions, never edits) and exemptions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeKzIban } from '../pipeline/kernel/identifiers.ts';
import { count, type TestDb } from './support/db.ts';
import { writeCsv } from './support/csv.ts';
import { synthIin } from './support/ids.ts';
import { fixture, importFile, SAMPLE, openSample, type SampleDb } from './support/imports.ts';

let t: TestDb;
let dir: string;
let close: SampleDb['close'] | undefined;
beforeAll(async () => {
  ({ t, dir, close } = await openSample(['banks', 'mios']));
});
afterAll(() => close?.());

const PROVIDER_COLUMNS = ['provider_id', 'kind', 'name', 'bik', 'iban', 'registered_on', 'deregistered_on', 'deregistration_reason'];
const KASPI_IBAN = makeKzIban('722', 'S000000000099');

describe('banks', () => {
  it('checks tariffs and compares amounts normalized', async () => {
    const cols = ['bik', 'name', 'fee_per_payment', 'fee_percent', 'fee_min', 'fee_max'];
    const r = await importFile(
      t.db,
      'banks',
      writeCsv(dir, 'banks2.csv', cols, [
        { bik: 'HSBKKZKX', name: 'АО «Народный сберегательный банк Казахстана»', fee_per_payment: '50' },
        { bik: 'QRSTKZ55', name: 'Банк', fee_min: '100', fee_max: '10' },
        { bik: 'UVWXKZ66', name: 'Банк', fee_percent: '0.12345' },
        { bik: 'bad', name: 'Банк' },
        { bik: 'CASPKZKA', name: 'АО «Kaspi Bank»', fee_percent: '0.2', fee_min: '25', fee_max: '300' },
      ]),
    );
    expect([r.accepted, r.duplicates, r.rejected]).toEqual([0, 1, 4]);
    expect(r.errors.map((e) => [e.row, e.field])).toEqual([
      [3, 'fee_max'],
      [4, 'fee_percent'],
      [5, 'bik'],
      [6, 'fee_percent'],
    ]);
    expect(r.errors[0].reason).toBe('Максимальная комиссия 10.00 меньше минимальной 100.00');
    expect(r.errors[3].reason).toMatch(/Конфликт по ключу bik=CASPKZKA: банк уже загружен .*fee_percent: было «0\.1000», в файле «0\.2000»/);
  });
});

describe('mios', () => {
  it('checks the БИН and that the БИК is a known bank', async () => {
    const cols = ['mio_bin', 'name', 'oblast', 'bik', 'iban'];
    const bin = synthIin(400);
    const r = await importFile(
      t.db,
      'mios',
      writeCsv(dir, 'mios2.csv', cols, [
        { mio_bin: bin, name: 'ГУ «Тест»', oblast: 'Акмолинская область', bik: 'ZZZZKZ99', iban: makeKzIban('070', '105KSN0000003') },
        { mio_bin: '090440003213', name: 'ГУ «Тест»', oblast: 'Акмолинская область', bik: 'KKMFKZ2A', iban: makeKzIban('070', '105KSN0000003') },
      ]),
    );
    expect(r.errors).toEqual([
      { row: 2, field: 'bik', value: 'ZZZZKZ99', reason: 'БИК ZZZZKZ99 нет в справочнике банков: сначала загрузите банк (payouts import banks)' },
      { row: 3, field: 'mio_bin', value: '090440003213', reason: 'БИН МИО «090440003213»: неверная контрольная цифра ИИН/БИН' },
    ]);
  });
});

describe('providers', () => {
  const provider = (o: Record<string, string>) => ({
    provider_id: synthIin(500),
    kind: 'assistant',
    name: 'Тестова Динара Ериковна',
    bik: 'CASPKZKA',
    iban: KASPI_IBAN,
    registered_on: '2024-05-01',
    ...o,
  });

  it('a provider brings its first bank details as a version', async () => {
    const r = await importFile(t.db, 'providers', writeCsv(dir, 'p1.csv', PROVIDER_COLUMNS, [provider({})]));
    expect(r.accepted).toBe(1);
    const versions = await t.db('bank_details').where({ provider_id: synthIin(500) });
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({ bik: 'CASPKZKA', iban: KASPI_IBAN, changed_on: '2024-05-01', source: 'providers', batch_id: r.batch_id });
  });

  it('bad IBAN, unknown БИК, bad ИИН, unknown kind, de-registration before registration', async () => {
    const badIban = KASPI_IBAN.slice(0, 19) + (KASPI_IBAN[19] === '9' ? '8' : '9');
    const r = await importFile(
      t.db,
      'providers',
      writeCsv(dir, 'p2.csv', PROVIDER_COLUMNS, [
        provider({ provider_id: synthIin(501), iban: badIban }),
        provider({ provider_id: synthIin(502), bik: 'ZZZZKZ99' }),
        provider({ provider_id: '850312400218' }),
        provider({ provider_id: synthIin(503), kind: 'company' }),
        provider({ provider_id: synthIin(504), deregistered_on: '2024-04-30', deregistration_reason: 'решение комиссии' }),
        provider({ provider_id: synthIin(505), deregistration_reason: 'решение комиссии' }),
      ]),
    );
    expect(r.accepted).toBe(0);
    expect(r.errors).toEqual([
      { row: 2, field: 'iban', value: badIban, reason: `IBAN поставщика «${badIban}»: неверные контрольные цифры IBAN (проверка mod 97)` },
      { row: 3, field: 'bik', value: 'ZZZZKZ99', reason: 'БИК ZZZZKZ99 нет в справочнике банков: сначала загрузите банк (payouts import banks)' },
      { row: 4, field: 'provider_id', value: '850312400218', reason: 'ИИН/БИН поставщика «850312400218»: неверная контрольная цифра ИИН/БИН' },
      { row: 5, field: 'kind', value: 'company', reason: 'Вид поставщика «company»: допустимо assistant, entrepreneur, legal_entity' },
      { row: 6, field: 'deregistered_on', value: '2024-04-30', reason: 'Дата снятия с учёта 2024-04-30 раньше даты регистрации 2024-05-01' },
      { row: 7, field: 'deregistered_on', value: '', reason: 'Указана причина снятия с учёта, но нет даты снятия' },
    ]);
  });

  it('the same provider with other bank details is a conflict: details change by bank-details', async () => {
    const other = makeKzIban('722', 'S000000000098');
    const r = await importFile(t.db, 'providers', writeCsv(dir, 'p3.csv', PROVIDER_COLUMNS, [provider({ iban: other })]));
    expect(r.rejected).toBe(1);
    expect(r.errors[0].field).toBe('iban');
    expect(r.errors[0].reason).toContain(`Конфликт по ключу provider_id=${synthIin(500)}: поставщик уже загружен`);
    expect(r.errors[0].reason).toContain(`iban: было «${KASPI_IBAN}», в файле «${other}»`);
    const again = await importFile(t.db, 'providers', writeCsv(dir, 'p4.csv', PROVIDER_COLUMNS, [provider({})]));
    expect([again.accepted, again.duplicates, again.rejected]).toEqual([0, 1, 0]);
  });
});

describe('bank-details', () => {
  const cols = ['provider_id', 'bik', 'iban', 'changed_on'];
  const id = () => synthIin(500);
  const newIban = makeKzIban('601', '0000000000077');

  it('adds a version and never edits the old one', async () => {
    const r = await importFile(
      t.db,
      'bank-details',
      writeCsv(dir, 'bd1.csv', cols, [
        { provider_id: id(), bik: 'HSBKKZKX', iban: newIban, changed_on: '2025-02-20' },
        // The first version again (registered_on, the same details): a duplicate.
        { provider_id: id(), bik: 'CASPKZKA', iban: KASPI_IBAN, changed_on: '2024-05-01' },
      ]),
    );
    expect([r.accepted, r.duplicates, r.rejected]).toEqual([1, 1, 0]);
    const versions = await t.db('bank_details').where({ provider_id: id() }).orderBy('changed_on');
    expect(versions.map((v) => [v.changed_on, v.bik, v.iban, v.source])).toEqual([
      ['2024-05-01', 'CASPKZKA', KASPI_IBAN, 'providers'],
      ['2025-02-20', 'HSBKKZKX', newIban, 'bank-details'],
    ]);
  });

  it('rejects a different version for the same date, an unknown provider or БИК, a date before registration', async () => {
    const r = await importFile(
      t.db,
      'bank-details',
      writeCsv(dir, 'bd2.csv', cols, [
        { provider_id: id(), bik: 'HSBKKZKX', iban: makeKzIban('601', '0000000000078'), changed_on: '2025-02-20' },
        { provider_id: synthIin(599), bik: 'HSBKKZKX', iban: newIban, changed_on: '2025-02-20' },
        { provider_id: id(), bik: 'ZZZZKZ99', iban: newIban, changed_on: '2025-02-21' },
        { provider_id: id(), bik: 'HSBKKZKX', iban: newIban, changed_on: '2024-04-30' },
      ]),
    );
    expect(r.accepted).toBe(0);
    expect(r.errors.map((e) => [e.row, e.field])).toEqual([
      [2, 'iban'],
      [3, 'provider_id'],
      [4, 'bik'],
      [5, 'changed_on'],
    ]);
    expect(r.errors[0].reason).toMatch(new RegExp(`Конфликт по ключу provider_id=${id()}, changed_on=2025-02-20: версия реквизитов уже загружена`));
    expect(r.errors[1].reason).toMatch(/не зарегистрирован/);
    expect(r.errors[3].reason).toBe('Дата изменения реквизитов 2024-04-30 раньше регистрации поставщика 2024-05-01');
    expect(await t.db('bank_details').where({ provider_id: id() })).toHaveLength(2);
  });
});

describe('bank-details dated after the as-of date (DOMAIN §10)', () => {
  it('is rejected with its reason; the rest of the file is taken', async () => {
    const cols = ['provider_id', 'bik', 'iban', 'changed_on'];
    const r = await importFile(
      t.db,
      'bank-details',
      writeCsv(dir, 'bd-future.csv', cols, [
        { provider_id: synthIin(500), bik: 'HSBKKZKX', iban: makeKzIban('601', '0000000000079'), changed_on: '2025-03-11' },
        { provider_id: synthIin(500), bik: 'HSBKKZKX', iban: makeKzIban('601', '0000000000080'), changed_on: '2025-03-10' },
      ]),
      { asOf: '2025-03-10' },
    );
    expect([r.accepted, r.rejected]).toEqual([1, 1]);
    expect(r.errors).toEqual([
      expect.objectContaining({ row: 2, field: 'changed_on', reason: 'Дата изменения реквизитов 2025-03-11 позже рабочей даты загрузки 2025-03-10: реквизиты будущей датой не принимаются' }),
    ]);
    expect(await t.db('bank_details').where({ provider_id: synthIin(500), changed_on: '2025-03-10' }).first()).toMatchObject({ iban: makeKzIban('601', '0000000000080') });
  });
});

describe('exemptions', () => {
  it('checks booleans and the period; the natural key is (iin, valid_from)', async () => {
    const cols = ['iin', 'opv_exempt', 'osms_exempt', 'so_exempt', 'valid_from', 'valid_to', 'reason'];
    const iin = synthIin(600);
    const row = { iin, opv_exempt: 'true', osms_exempt: 'FALSE', so_exempt: 'false', valid_from: '2025-01-01', valid_to: '', reason: 'пенсионер' };
    const r = await importFile(
      t.db,
      'exemptions',
      writeCsv(dir, 'ex.csv', cols, [
        row,
        { ...row, valid_from: '2025-03-01', valid_to: '2025-02-28' },
        { ...row, valid_from: '2025-04-01', so_exempt: 'да' },
        { ...row, valid_from: '2025-05-01', so_exempt: '1' },
      ]),
    );
    expect(r.accepted).toBe(2);
    expect(r.errors.map((e) => [e.row, e.field, e.reason])).toEqual([
      [3, 'valid_to', 'Действует по 2025-02-28 раньше, чем действует с 2025-03-01'],
      [5, 'so_exempt', 'Освобождён от СО «1»: ожидается да или нет (true или false)'],
    ]);
    const again = await importFile(t.db, 'exemptions', writeCsv(dir, 'ex2.csv', cols, [{ ...row, osms_exempt: 'false' }, { ...row, so_exempt: 'true' }]));
    expect([again.duplicates, again.rejected]).toEqual([1, 1]);
    expect(again.errors[0].reason).toMatch(/Конфликт по ключу iin=\d{12}, valid_from=2025-01-01: освобождение уже загружено/);
  });
});

describe('the sample files', () => {
  it('all take cleanly in order and a second pass is all duplicates', async () => {
    for (const kind of ['providers', 'acts', 'exemptions']) {
      const r = await importFile(t.db, kind, fixture(`${kind}.csv`, dir));
      expect([kind, r.rejected]).toEqual([kind, 0]);
    }
    for (const kind of ['banks', 'mios', 'providers', 'acts', 'exemptions']) {
      const r = await importFile(t.db, kind, fixture(`${kind}.csv`, dir));
      expect([kind, r.accepted, r.rejected, r.duplicates > 0]).toEqual([kind, 0, 0, true]);
    }
    expect(await t.db('providers').where({ provider_id: SAMPLE.deregistered }).first()).toMatchObject({
      deregistered_on: '2025-03-31',
    });
  });
});

describe('provider de-registration', () => {
  it('takes a later de-registration of a known provider as the one allowed change, audited; nothing else changes', async () => {
    const id = synthIin(731);
    const base = { provider_id: id, kind: 'assistant', name: 'Тестова Айгерим', bik: 'CASPKZKA', iban: KASPI_IBAN, registered_on: '2025-01-10' };
    const first = await importFile(t.db, 'providers', writeCsv(dir, 'dereg1.csv', PROVIDER_COLUMNS, [base]));
    expect([first.accepted, first.rejected]).toEqual([1, 0]);

    const dereg = { ...base, deregistered_on: '2025-04-20', deregistration_reason: 'по заявлению поставщика' };
    const second = await importFile(t.db, 'providers', writeCsv(dir, 'dereg2.csv', PROVIDER_COLUMNS, [dereg]));
    expect([second.accepted, second.duplicates, second.rejected]).toEqual([1, 0, 0]);
    const row = await t.db('providers').where({ provider_id: id }).first();
    expect([row.deregistered_on, row.deregistration_reason]).toEqual(['2025-04-20', 'по заявлению поставщика']);
    const audit = await t.db('audit_events').where({ action: 'deregister provider', object: id });
    expect(audit).toHaveLength(1);
    expect(await count(t.db, 'bank_details', { provider_id: id })).toBe(1);

    // The same file again is a duplicate; a different date afterwards is a conflict, not an edit.
    const again = await importFile(t.db, 'providers', writeCsv(dir, 'dereg3.csv', PROVIDER_COLUMNS, [dereg]));
    expect([again.accepted, again.duplicates, again.rejected]).toEqual([0, 1, 0]);
    const moved = await importFile(
      t.db,
      'providers',
      writeCsv(dir, 'dereg4.csv', PROVIDER_COLUMNS, [{ ...dereg, deregistered_on: '2025-05-20' }]),
    );
    expect([moved.accepted, moved.rejected]).toEqual([0, 1]);
    expect(moved.errors[0].reason).toMatch(/Конфликт по ключу provider_id=/);
    // A name change together with the de-registration is still a conflict.
    const other = synthIin(732);
    await importFile(t.db, 'providers', writeCsv(dir, 'dereg5.csv', PROVIDER_COLUMNS, [{ ...base, provider_id: other }]));
    const renamed = await importFile(
      t.db,
      'providers',
      writeCsv(dir, 'dereg6.csv', PROVIDER_COLUMNS, [{ ...dereg, provider_id: other, name: 'Другое Имя' }]),
    );
    expect([renamed.accepted, renamed.rejected]).toEqual([0, 1]);
    expect((await t.db('providers').where({ provider_id: other }).first()).deregistered_on).toBeNull();
  });
});
