// `import acts` against real PostgreSQL: every row rule, natural-key idempotency, conflicts,
// --strict, set-based chunks, and a failure in the middle.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count as rows, type TestDb } from './support/db.ts';
import { failsAt } from './support/faults.ts';
import { writeCsv } from './support/csv.ts';
import { synthIin } from './support/ids.ts';
import { ACT_COLUMNS, act, fixture, importFile, SAMPLE, openSample, readRejected, type SampleDb } from './support/imports.ts';

let t: TestDb;
let dir: string;
let close: SampleDb['close'] | undefined;
beforeAll(async () => {
  ({ t, dir, close } = await openSample(['banks', 'mios', 'providers', 'acts', 'exemptions']));
});
afterAll(() => close?.());

const count = (table: string, where: Record<string, unknown> = {}) => rows(t.db, table, where);

describe('the sample set', () => {
  it('is coherent: everything was taken', async () => {
    expect(await count('mios')).toBe(2);
    expect(await count('providers')).toBe(5);
    expect(await count('bank_details', { source: 'providers' })).toBe(5);
    expect(await count('acts')).toBe(6);
    expect(await count('exemptions')).toBe(2);
    const kinds = (await t.db('providers').distinct('kind').orderBy('kind')).map((r) => r.kind);
    expect(kinds).toEqual(['assistant', 'entrepreneur', 'legal_entity']);
  });

  it('a second import of the same file takes nothing and reports duplicates', async () => {
    const r = await importFile(t.db, 'acts', fixture('acts.csv', dir));
    expect(r).toMatchObject({ status: 'done', total_rows: 6, accepted: 0, duplicates: 6, rejected: 0, rejected_file: null });
    expect(await count('acts')).toBe(6);
  });

  it('normalized values are the same row: "168" = "168.00", "50000" = "50000.00"', async () => {
    const a1 = await t.db('acts').where({ act_no: 'АВР-2025-0002' }).first();
    expect(a1.claimed_amount).toBe('50000.00');
    const rows = (await t.db('acts').orderBy('act_no').select(ACT_COLUMNS)).map((a) => ({
      ...a,
      hours: String(Number(a.hours)),
      claimed_amount: a.claimed_amount === null ? '' : a.claimed_amount.replace(/\.00$/, ''),
    }));
    const r = await importFile(t.db, 'acts', writeCsv(dir, 'same-normalized.csv', ACT_COLUMNS, rows));
    expect([r.accepted, r.duplicates, r.rejected]).toEqual([0, 6, 0]);
  });
});

describe('acts-bad.csv: one row per rule', () => {
  let report: Awaited<ReturnType<typeof importFile>>;
  let file: string;
  beforeAll(async () => {
    file = fixture('acts-bad.csv', dir);
    report = await importFile(t.db, 'acts', file, { asOf: '2025-03-10', operator: 'inspector' });
  });

  it('takes the valid row, counts the duplicate, rejects the rest', () => {
    expect(report).toMatchObject({ status: 'partial', total_rows: 17, accepted: 1, duplicates: 1, rejected: 15 });
  });

  it.each([
    [3, 'pwd_iin', /ИИН ЛСИ «620421400184»: неверная контрольная цифра/],
    [4, 'provider_id', /Поставщик 930405500880 не зарегистрирован/],
    [5, 'mio_bin', /МИО с БИН 050240001231 нет в справочнике/],
    [6, 'hours', /Часы должны быть больше нуля/],
    [7, 'hours', /Часы: 225\.00 больше 224 \(не более 8 часов в день × 28 дней месяца 2025-02\)/],
    [8, 'act_no', /Второй акт за тот же месяц 2025-01 .* уже есть акт № АВР-2025-0001/],
    [9, 'service_month', /2025-04 позже снятия поставщика 920715501139 с учёта \(2025-03-31\)/],
    [10, 'claimed_amount', /«1\.005»: не больше 2 знаков после точки/],
    [11, 'claimed_amount', /«50,000\.00»: в числе и точка, и запятая — непонятно, что отделяет дробную часть/],
    [12, 'received_on', /даты «2025-02-30» не существует/],
    [13, 'accepted_on', /Дата принятия 2025-03-05 раньше даты поступления акта 2025-03-06/],
    [14, 'hours', /Конфликт по ключу provider_id=850312400217, act_no=АВР-2025-0001: акт уже загружен \(пакет импорта № \d+\) .*hours: было «168\.00», в файле «160\.00»/],
    [16, 'act_no', /Второй акт за тот же месяц 2025-02 .* уже есть акт № АВР-2025-0101/],
    [17, 'service_month', /2024-08 раньше регистрации поставщика 580907300674 \(2024-09-01\)/],
    [18, 'service_month', /месяца «2025-13» не существует/],
  ])('row %i: %s', (row, field, reason) => {
    const e = report.errors.find((x) => x.row === row);
    expect(e, `row ${row}`).toBeDefined();
    expect(e!.field).toBe(field);
    expect(e!.reason).toMatch(reason);
  });

  it('keeps the rejected rows in the database, with the raw row', async () => {
    const rows = await t.db('rejected_rows').where({ batch_id: report.batch_id }).orderBy('row_no');
    expect(rows.map((r) => r.row_no)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 18]);
    expect(rows[0].raw).toMatchObject({ act_no: 'АВР-2025-0103', pwd_iin: '620421400184' });
    const batch = await t.db('import_batches').where({ id: report.batch_id }).first();
    expect(batch).toMatchObject({ kind: 'acts', file_name: 'acts-bad.csv', operator: 'inspector', as_of: '2025-03-10', status: 'partial', total_rows: 17, accepted: 1, duplicates: 1, rejected: 15, strict: false });
    expect(batch.file_sha256).toMatch(/^[0-9a-f]{64}$/);
    const audit = await t.db('audit_events').where({ action: 'import acts', object: 'acts-bad.csv' }).first();
    expect(audit.details).toMatchObject({ batch_id: report.batch_id, accepted: 1, rejected: 15 });
  });

  it('writes the rejected rows beside the input: row, field, value, reason, then the row as read', async () => {
    expect(report.rejected_file).toBe(`${file}.rejected.xlsx`);
    expect(statSync(report.rejected_file!).mode & 0o777).toBe(0o600);
    const rows = await readRejected(report.rejected_file!);
    expect(rows[0]).toEqual(['Строка файла', 'Поле', 'Значение', 'Причина', ...ACT_COLUMNS]);
    expect(rows).toHaveLength(16);
    expect(rows[1].slice(0, 4)).toEqual(['3', 'pwd_iin', '620421400184', 'ИИН ЛСИ «620421400184»: неверная контрольная цифра ИИН/БИН']);
    expect(rows[1][4]).toBe('АВР-2025-0103');
    // The ambiguous amount comes back exactly as it was in the file.
    expect(rows.find((r) => r[0] === '11')?.slice(1, 3)).toEqual(['claimed_amount', '50,000.00']);
  });

  it('the accepted act carries the batch', async () => {
    const a = await t.db('acts').where({ act_no: 'АВР-2025-0101' }).first();
    expect(a).toMatchObject({ provider_id: SAMPLE.entrepreneur, hours: '160.00', service_month: '2025-02', batch_id: report.batch_id });
  });

  it('again: the same rows are rejected again, nothing more is taken', async () => {
    const again = await importFile(t.db, 'acts', file);
    expect([again.accepted, again.duplicates, again.rejected]).toEqual([0, 2, 15]);
  });
});

describe('--strict', () => {
  const rows = () => [
    act({ act_no: 'S-1', pwd_iin: synthIin(10) }),
    act({ act_no: 'S-2', pwd_iin: synthIin(11) }),
    act({ act_no: 'S-3', pwd_iin: synthIin(12), hours: '-1' }),
  ];

  it('any rejected row: nothing taken, the batch refused, the reasons kept', async () => {
    const file = writeCsv(dir, 'strict.csv', ACT_COLUMNS, rows());
    const r = await importFile(t.db, 'acts', file, { strict: true });
    expect(r).toMatchObject({ status: 'refused', accepted: 0, valid: 2, rejected: 1, strict: true });
    expect(await count('acts', { act_no: 'S-1' })).toBe(0);
    expect(await t.db('import_batches').where({ id: r.batch_id }).first()).toMatchObject({ status: 'refused', accepted: 0, rejected: 1 });
    expect(await count('rejected_rows', { batch_id: r.batch_id })).toBe(1);
    expect(existsSync(`${file}.rejected.xlsx`)).toBe(true);
  });

  it('a clean file is taken whole; the stale rejected file goes away', async () => {
    const file = writeCsv(dir, 'strict.csv', ACT_COLUMNS, rows().slice(0, 2));
    const r = await importFile(t.db, 'acts', file, { strict: true });
    expect(r).toMatchObject({ status: 'done', accepted: 2, rejected: 0 });
    expect(existsSync(`${file}.rejected.xlsx`)).toBe(false);
  });
});

describe('conflicts inside one file', () => {
  it('the first row wins, an identical repeat is a duplicate, a different one a conflict naming the earlier row', async () => {
    const a = act({ act_no: 'C-1', pwd_iin: synthIin(20) });
    const file = writeCsv(dir, 'in-file.csv', ACT_COLUMNS, [a, a, { ...a, hours: '150' }]);
    const r = await importFile(t.db, 'acts', file);
    expect([r.accepted, r.duplicates, r.rejected]).toEqual([1, 1, 1]);
    expect(r.errors[0]).toMatchObject({ row: 4, field: 'hours' });
    expect(r.errors[0].reason).toMatch(/act_no=C-1: акт уже загружен в строке 2 этого файла .*hours: было «160\.00», в файле «150\.00»/);
  });
});

describe('big files', () => {
  it('goes in chunks with set-based queries, not a round trip per row', async () => {
    const n = 2500;
    const rows = Array.from({ length: n }, (_, i) => act({ act_no: `B-${i}`, pwd_iin: synthIin(3000 + i) }));
    rows[1700] = { ...rows[1700], provider_id: '930405500880' };
    const file = writeCsv(dir, 'big.csv', ACT_COLUMNS, rows);
    let queries = 0;
    const onQuery = () => queries++;
    t.db.on('query', onQuery);
    try {
      const r = await importFile(t.db, 'acts', file);
      expect([r.accepted, r.rejected]).toEqual([n - 1, 1]);
      expect(r.errors[0].row).toBe(1702);
    } finally {
      t.db.off('query', onQuery);
    }
    expect(queries).toBeLessThan(40);
  });

  it('a failure in the middle leaves nothing: no batch, no acts', async () => {
    const batches = await count('import_batches');
    const rows = Array.from({ length: 1200 }, (_, i) => act({ act_no: `F-${i}`, pwd_iin: synthIin(6000 + i) }));
    const file = writeCsv(dir, 'fail.csv', ACT_COLUMNS, rows);
    await failsAt('import.acts.chunk', () => importFile(t.db, 'acts', file));
    expect(await count('import_batches')).toBe(batches);
    expect(Number((await t.db('acts').where('act_no', 'like', 'F-%').count({ n: '*' }))[0].n)).toBe(0);
    expect(existsSync(path.join(dir, 'fail.csv.rejected.xlsx'))).toBe(false);
  });
});

describe('tighter act checks (DOMAIN §2, §10): the row is rejected with its reason, the rest is taken', () => {
  let r: Awaited<ReturnType<typeof importFile>>;
  beforeAll(async () => {
    const own = { provider_id: SAMPLE.deregistered, assistant_iin: SAMPLE.deregistered, assistant_name: 'Ким Виктор Олегович', mio_bin: SAMPLE.astana };
    const rows = [
      act({ act_no: 'L-1', provider_id: SAMPLE.assistant, assistant_iin: synthIin(41), pwd_iin: synthIin(40) }),
      act({ act_no: 'L-2', provider_id: SAMPLE.assistant, assistant_iin: SAMPLE.assistant, pwd_iin: synthIin(42) }),
      act({ act_no: 'L-3', pwd_iin: synthIin(43), service_month: '2025-02', received_on: '2025-03-05', accepted_on: '2025-03-11' }),
      act({ act_no: 'L-4', pwd_iin: synthIin(44), service_month: '2025-02', received_on: '2025-03-12', accepted_on: '2025-03-12' }),
      // Registered on 2024-06-15: 16 days of June (15th–30th) → at most 8 × 16 = 128 h.
      act({ act_no: 'L-5', ...own, pwd_iin: synthIin(45), service_month: '2024-06', hours: '128.25', received_on: '2024-07-03', accepted_on: '2024-07-05' }),
      act({ act_no: 'L-6', ...own, pwd_iin: synthIin(46), service_month: '2024-06', hours: '128', received_on: '2024-07-03', accepted_on: '2024-07-05' }),
    ];
    r = await importFile(t.db, 'acts', writeCsv(dir, 'tighter.csv', ACT_COLUMNS, rows), { asOf: '2025-03-10' });
  });

  it('takes the valid rows, rejects each new case with a Russian reason', () => {
    expect(r).toMatchObject({ status: 'partial', total_rows: 6, accepted: 2, rejected: 4 });
    expect(r.errors.map((e) => [e.row, e.field])).toEqual([
      [2, 'assistant_iin'],
      [4, 'accepted_on'],
      [5, 'received_on'],
      [6, 'hours'],
    ]);
    expect(r.errors[0].reason).toBe(
      `ИИН помощника ${synthIin(41)} не совпадает с ИИН поставщика ${SAMPLE.assistant}: поставщик вида «помощник» ` +
        'оказывает услуги сам, иначе взносы были бы учтены за другого человека',
    );
    expect(r.errors[1].reason).toBe('Дата принятия акта 2025-03-11 позже рабочей даты загрузки 2025-03-10');
    expect(r.errors[2].reason).toBe('Дата поступления акта 2025-03-12 позже рабочей даты загрузки 2025-03-10');
    expect(r.errors[3].reason).toBe(
      'Часы: 128.25 больше 128 (не более 8 часов в день × 16 дн. месяца 2024-06, когда поставщик состоял на учёте: ' +
        'регистрация 2024-06-15, снятие с учёта 2025-03-31)',
    );
  });

  it('the accepted ones are stored', async () => {
    expect((await t.db('acts').whereIn('act_no', ['L-2', 'L-6']).orderBy('act_no').select('act_no', 'hours')).map((a) => [a.act_no, a.hours])).toEqual([
      ['L-2', '160.00'],
      ['L-6', '128.00'],
    ]);
  });

  it('an act of a year without rates is rejected at import, not at the lists', async () => {
    const rows = [act({ act_no: 'L-7', pwd_iin: synthIin(47), service_month: '2027-01', received_on: '2027-02-03', accepted_on: '2027-02-05' })];
    const y = await importFile(t.db, 'acts', writeCsv(dir, 'no-rates.csv', ACT_COLUMNS, rows), { asOf: '2027-02-10' });
    expect(y).toMatchObject({ status: 'partial', accepted: 0, rejected: 1 });
    expect(y.errors[0]).toMatchObject({
      row: 2,
      field: 'service_month',
      reason: 'Для 2027 года не загружены показатели (МРП, МЗП, ставки взносов): акт за 2027-01 не может быть рассчитан',
    });
  });
});
