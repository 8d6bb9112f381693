// The CLI as finance staff and cron run it: child processes against a real PostgreSQL database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './support/cli.ts';
import { count, freshDb, type TestDb } from './support/db.ts';
import { tempDir } from './support/files.ts';
import { fixture, importFile, readRejected } from './support/imports.ts';

let t: TestDb;
let dir: string;
beforeAll(async () => {
  t = await freshDb({ migrate: false });
  dir = tempDir('payouts-import-test-');
});
afterAll(async () => t?.drop());

const payouts = (...args: string[]) => cli(args, { db: t.url, asOf: '2025-02-13', operator: 'cli-test' });

describe('payouts import (CLI)', () => {
  // The CLI starts in a few seconds (tsx), so this file runs as few child processes as it can:
  // the whole-file refusal runs beside `db migrate` (it fails before touching the database).
  it('migrate, then providers with one bad IBAN: counts, the rejected file, exit 3; again: nothing changes', async () => {
    if (!t.url) return; // PGlite only: no server for a child process to share
    const [migrated, empty] = await Promise.all([
      payouts('db', 'migrate'),
      payouts('import', 'acts', fixture('empty.csv', dir)),
    ]);
    expect(migrated.code).toBe(0);

    // An unusable file: exit 2, one Russian line, no stack trace, nothing written.
    expect(empty.code).toBe(2);
    expect(empty.stderr).toBe('Ошибка: Файл empty.csv пуст\n');
    expect(await count(t.db, 'import_batches')).toBe(0);

    // The banks the providers' БИК must exist in (in-process: the CLI is what is tested below).
    expect((await importFile(t.db, 'banks', fixture('banks.csv', dir))).rejected).toBe(0);

    const file = fixture('providers-bad-iban.csv', dir);
    const first = await payouts('import', 'providers', file);
    expect(first.code).toBe(3);
    expect(first.stdout).toContain('Принято: 2, дубликатов: 0, отклонено: 1');
    expect(first.stdout).toContain(`Отклонённые строки с причинами: ${file}.rejected.xlsx`);
    expect(first.stdout).toMatch(/строка 3, iban \(«KZ19722S000000000003»\): IBAN поставщика «KZ19722S000000000003»: неверные контрольные цифры IBAN/);
    expect(first.stderr).toBe('');
    const rejected = await readRejected(`${file}.rejected.xlsx`);
    expect(rejected[0]).toEqual(['Строка файла', 'Поле', 'Значение', 'Причина', 'provider_id', 'kind', 'name', 'bik', 'iban', 'registered_on', 'deregistered_on', 'deregistration_reason']);
    expect(rejected[1].slice(0, 5)).toEqual(['3', 'iban', 'KZ19722S000000000003', expect.stringContaining('неверные контрольные цифры IBAN'), '920715501139']);
    const batch = await t.db('import_batches').where({ kind: 'providers' }).first();
    expect(batch).toMatchObject({ operator: 'cli-test', as_of: '2025-02-13', status: 'partial', accepted: 2, rejected: 1 });

    // Decision: the file still has its bad row, so exit 3 again; the good rows are duplicates,
    // nothing changes (a new batch records the attempt and its rejected row).
    const second = await payouts('--json', 'import', 'providers', file);
    expect(second.code).toBe(3);
    const doc = JSON.parse(second.stdout);
    expect(doc).toMatchObject({
      kind: 'providers',
      file,
      accepted: 0,
      duplicates: 2,
      rejected: 1,
      rejected_file: `${file}.rejected.xlsx`,
      rejected_in: 'file',
      errors: [{ row: 3, field: 'iban', value: 'KZ19722S000000000003' }],
    });
    expect(typeof doc.batch_id).toBe('number');
    expect(await count(t.db, 'providers')).toBe(2);
    expect(await count(t.db, 'bank_details')).toBe(2);
  });
});
