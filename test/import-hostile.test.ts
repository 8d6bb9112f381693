// Issue 13 (3, 8): hostile bytes and unwritable folders. A NUL byte, a control character, a lone
// surrogate, a noncharacter, a line or paragraph separator, a bidi override in any field of any
// kind is a rejected row naming the field (NUL crashed the import with the SQL text); the rejected
// rows are stored and written readable, mode 0600; a folder that cannot be written never loses the
// good rows; every CSV the pipeline writes neutralizes formulas and is mode 0600.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importKinds } from '../pipeline/imports/kinds.ts';
import { IMPORT_KINDS } from '../pipeline/imports/kind.ts';
import { runImport } from '../pipeline/imports/run-import.ts';
import { csvText, writeCsvFile } from '../pipeline/kernel/csv.ts';
import { UsageError } from '../pipeline/kernel/errors.ts';
import { freshDb, type TestDb } from './support/db.ts';
import { postgresAvailable } from './support/services.ts';
import { tempDir as tmpDir } from './support/files.ts';
import { importFile, readRejected } from './support/imports.ts';

const REPO = path.resolve(import.meta.dirname, '..');
const BIN = path.join(REPO, 'bin', 'payouts.mjs');

/** One of each kind of character that never belongs in a value, and how the reason names it. */
const HOSTILE: [string, string][] = [
  ['\u0000', 'U+0000 (NUL, нулевой байт)'],
  ['\u0007', 'U+0007 (управляющий символ)'],
  ['\t', 'U+0009 (табуляция)'],
  ['\n', 'U+000A (перевод строки)'],
  ['\r', 'U+000D (возврат каретки)'],
  ['\u001b', 'U+001B (ESC)'],
  ['\u007f', 'U+007F (DEL)'],
  ['\u0085', 'U+0085 (управляющий символ)'],
  ['\ud800', 'U+D800 (половина суррогатной пары, испорченный Юникод)'],
  ['\udfff', 'U+DFFF (половина суррогатной пары, испорченный Юникод)'],
  ['\ufffe', 'U+FFFE (не символ Юникода)'],
  ['\uffff', 'U+FFFF (не символ Юникода)'],
  ['\u2028', 'U+2028 (разделитель строк)'],
  ['\u2029', 'U+2029 (разделитель абзацев)'],
  ['\u202e', 'U+202E (управление направлением текста)'],
  ['\u2066', 'U+2066 (управление направлением текста)'],
  ['\ufeff', 'U+FEFF (метка порядка байтов, BOM)'],
];

describe('every field of every kind', () => {
  it.each(HOSTILE)('rejects %j inside a value, naming the field and the character', (ch, name) => {
    for (const kind of IMPORT_KINDS) {
      const schema = importKinds[kind].schema;
      // Inside, at the start, alone: each field reports its own problem.
      for (const value of [`12${ch}34`, `${ch}1234`, ch]) {
        const row = Object.fromEntries(schema.columns.map((c) => [c, value]));
        const r = schema.row.safeParse(row);
        expect(r.success, `${kind} ${JSON.stringify(value)}`).toBe(false);
        const byField = new Map(r.error!.issues.map((i) => [String(i.path[0]), i.message]));
        for (const c of schema.columns) {
          expect(byField.get(c), `${kind}.${c} ${JSON.stringify(value)}`).toBe(
            `${schema.labels[c]}: недопустимый символ ${name} на ${value.startsWith(ch) ? 1 : 3}-й позиции; такие символы в значениях не допускаются`,
          );
        }
      }
    }
  });

  it('a surrogate pair (a character outside the Basic Plane) is not a lone surrogate', () => {
    const r = importKinds.banks.schema.row.safeParse({ bik: 'TSTKKZKA', name: 'АО «Банк 𝔸»' });
    expect(r.success).toBe(true);
  });
});

describe('the import', () => {
  let t: TestDb;
  let dir: string;
  beforeAll(async () => {
    t = await freshDb();
    dir = tmpDir();
  });
  afterAll(async () => t?.drop());

  it('takes the good rows and rejects the NUL row: stored as [U+0000], the workbook 0600 whatever the umask', async () => {
    const file = path.join(dir, 'banks-nul.csv');
    writeFileSync(file, 'bik,name,fee_per_payment\nTSTLKZKA,АО «Хороший банк»,10\nTSTMKZKA,АО «Банк\u0000»,1\u000020\n');
    const umask = process.umask(0);
    let r;
    try {
      r = await importFile(t.db, 'banks', file);
    } finally {
      process.umask(umask);
    }
    expect([r.accepted, r.rejected]).toEqual([1, 1]);
    expect(r.errors).toEqual([
      {
        row: 3,
        field: 'name, fee_per_payment',
        value: 'name: АО «Банк[U+0000]»; fee_per_payment: 1[U+0000]20',
        reason:
          'Наименование банка: недопустимый символ U+0000 (NUL, нулевой байт) на 9-й позиции; такие символы в значениях не допускаются; ' +
          'Комиссия за платёж: недопустимый символ U+0000 (NUL, нулевой байт) на 2-й позиции; такие символы в значениях не допускаются',
      },
    ]);
    const [kept] = await t.db('rejected_rows').where({ batch_id: r.batch_id });
    expect(kept.raw).toEqual({ bik: 'TSTMKZKA', name: 'АО «Банк[U+0000]»', fee_per_payment: '1[U+0000]20' });
    expect(r.rejected_file).toBe(`${file}.rejected.xlsx`);
    expect(statSync(r.rejected_file!).mode & 0o777).toBe(0o600);
    expect((await readRejected(r.rejected_file!))[1]).toEqual(['3', 'name, fee_per_payment', 'name: АО «Банк[U+0000]»; fee_per_payment: 1[U+0000]20', r.errors[0].reason, 'TSTMKZKA', 'АО «Банк[U+0000]»', '1[U+0000]20']);
    expect(await t.db('banks').where({ bik: 'TSTLKZKA' }).first()).toMatchObject({ name: 'АО «Хороший банк»', fee_per_payment: '10.00' });
  });

  it('a lone surrogate in a JSON value is a rejected row; in a key, a one-line refusal', async () => {
    const file = path.join(dir, 'banks-surrogate.json');
    writeFileSync(file, '[{"bik":"TSTNKZKA","name":"\\ud83d Банк"}]');
    const r = await importFile(t.db, 'banks', file);
    expect(r.errors).toEqual([
      { row: 1, field: 'name', value: '[U+D83D] Банк', reason: 'Наименование банка: недопустимый символ U+D83D (половина суррогатной пары, испорченный Юникод) на 1-й позиции; такие символы в значениях не допускаются' },
    ]);
    writeFileSync(file, '[{"bik":"TSTNKZKA","name\\u0000\\ud800":"Банк"}]');
    const err = (await importFile(t.db, 'banks', file).catch((e: unknown) => e)) as UsageError;
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe(
      'Файл banks-surrogate.json (banks) не принят: неизвестные столбцы «name[U+0000][U+D800]»; нет обязательных столбцов «name» (Наименование банка). ' +
        'Ожидаются столбцы: bik, name, fee_per_payment, fee_percent, fee_min, fee_max',
    );
  });

  it('a file name with a line break is quoted on one line', async () => {
    const file = path.join(dir, 'bad\nname.csv');
    writeFileSync(file, 'bik;name\n');
    const err = (await importFile(t.db, 'banks', file).catch((e: unknown) => e)) as UsageError;
    expect(err.message).toBe('Файл bad[U+000A]name.csv: нет ни одной строки данных (только заголовок)');
  });

  it('--out that cannot be written: the workbook goes beside the input, and the report says why', async () => {
    const notADir = path.join(dir, 'not-a-folder');
    writeFileSync(notADir, '');
    const file = path.join(dir, 'banks-out.csv');
    writeFileSync(file, 'bik,name\nTSTOKZKA,АО «Банк»\nbad,АО «Банк»\n');
    const r = await runImport(t.db, { kind: 'banks', file, out: notADir, asOf: '2025-03-10', operator: 'test' });
    expect(r).toMatchObject({ accepted: 1, rejected: 1, rejected_in: 'file', rejected_file: `${file}.rejected.xlsx` });
    expect(r.rejected_unwritable).toEqual([`${notADir} (это не папка)`]);
  });
});

describe('a CSV the pipeline writes', () => {
  it('neutralizes every cell a spreadsheet would run; numbers stay numbers', () => {
    const text = csvText(['name', 'amount'], [
      ['=HYPERLINK("http://example.invalid","Жми")', '-5.00'],
      ['+7 701 000 00 00', '+12'],
      ['-2+3+cmd', '100.50'],
      ['@SUM(A1:A9)', '0'],
      ['\tвкладка', '\rвозврат'],
      ['Иванов', null],
    ]);
    expect(text).toBe(
      'name,amount\n' +
        `"'=HYPERLINK(""http://example.invalid"",""Жми"")",-5.00\n` +
        "'+7 701 000 00 00,+12\n" +
        "'-2+3+cmd,100.50\n" +
        "'@SUM(A1:A9),0\n" +
        "'\tвкладка,\"'\rвозврат\"\n" +
        'Иванов,\n',
    );
  });

  it('is written whole, mode 0600 whatever the umask, also over an older 0644 file', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'register.csv');
    writeFileSync(file, 'old\n', { mode: 0o644 });
    const umask = process.umask(0);
    try {
      writeCsvFile(file, ['iin', 'name'], [['850312400217', '=1+2']], { bom: true, delimiter: ';' });
    } finally {
      process.umask(umask);
    }
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe("\ufeffiin;name\n850312400217;'=1+2\n");
    expect(readdirSync(dir)).toEqual(['register.csv']);
  });

  it('every CSV writer of the pipeline goes through pipeline/kernel/csv.ts', () => {
    const offenders: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && p !== path.join(REPO, 'pipeline', 'kernel', 'csv.ts')) {
          readFileSync(p, 'utf8')
            .split('\n')
            .forEach((line, i) => {
              if (/csv-stringify|(writeFileSync|createWriteStream)\(.*\.csv/.test(line)) offenders.push(`${path.relative(REPO, p)}:${i + 1}`);
            });
        }
      }
    };
    for (const d of ['pipeline', 'reports', 'jobs', 'bin']) walk(path.join(REPO, d));
    expect(offenders).toEqual([]);
  });
});

const pgUp = await postgresAvailable();
if (!pgUp) console.warn('[import-hostile] PostgreSQL is down: the unwritable-folder round (child processes) is skipped.');

describe('an input folder that cannot be written (CLI)', () => {
  let t: TestDb;
  beforeAll(async () => {
    if (pgUp) t = await freshDb();
  });
  afterAll(async () => t?.drop());

  // Root writes anywhere: as root the CLI runs as nobody, for whom a root-owned 0555 folder is read-only.
  const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  function payouts(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [BIN, '--db', t.url!, '--as-of', '2025-02-13', '--operator', 'ro-test', ...args],
        { cwd, env: { ...process.env, PAYOUTS_DEBUG: '' }, ...asUser },
        (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  it.skipIf(!pgUp)('writes the rejected rows where it can — --out, ./out/rejected, else the database and stdout — and keeps the good rows', async () => {
    const root = tmpDir();
    chmodSync(root, 0o755);
    const folder = (name: string, mode: number, file?: [string, string]) => {
      const d = path.join(root, name);
      mkdirSync(d);
      if (file) writeFileSync(path.join(d, file[0]), file[1], { mode: 0o644 });
      chmodSync(d, mode);
      return d;
    };
    const banks = (bik: string) => `bik;name\n${bik};АО «Банк»\nTSTZKZKA;АО «Банк\u0000»\n`;
    const roA = folder('in-a', 0o555, ['a.csv', banks('TSTPKZKA')]);
    const cwdA = folder('work-a', 0o777);
    const roB = folder('in-b', 0o555, ['b.csv', banks('TSTQKZKA')]);
    const outB = folder('out-b', 0o777);
    const roC = folder('in-c', 0o555, ['c.csv', banks('TSTRKZKA')]);

    const [a, b, c] = await Promise.all([
      payouts(cwdA, '--json', 'import', 'banks', path.join(roA, 'a.csv')),
      payouts(root, '--json', 'import', 'banks', path.join(roB, 'b.csv'), '--out', outB),
      payouts(roC, 'import', 'banks', path.join(roC, 'c.csv')),
    ]);

    // A: beside the input is read-only, so ./out/rejected of the working directory.
    expect([a.code, a.stderr]).toEqual([3, '']);
    const docA = JSON.parse(a.stdout);
    const fileA = path.join(cwdA, 'out', 'rejected', 'a.csv.rejected.xlsx');
    expect(docA).toMatchObject({ accepted: 1, rejected: 1, rejected_in: 'file', rejected_file: fileA, rejected_unwritable: [`${roA} (нет прав на запись)`] });
    expect(statSync(fileA).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(fileA)).mode & 0o777).toBe(0o700);
    expect(existsSync(path.join(roA, 'a.csv.rejected.xlsx'))).toBe(false);
    const sheet = new ExcelJS.Workbook();
    await sheet.xlsx.readFile(fileA);
    expect(sheet.worksheets[0].getRow(2).getCell(3).text).toBe('АО «Банк[U+0000]»');

    // B: --out.
    expect(b.code).toBe(3);
    expect(JSON.parse(b.stdout)).toMatchObject({ rejected_in: 'file', rejected_file: path.join(outB, 'b.csv.rejected.xlsx'), rejected_unwritable: [] });

    // C: nothing writable: the database, and every rejected row on stdout.
    expect([c.code, c.stderr]).toEqual([3, '']);
    expect(c.stdout).toContain('Принято: 1, дубликатов: 0, отклонено: 1');
    expect(c.stdout).toMatch(
      new RegExp(
        `Файл отклонённых строк записать не удалось \\(недоступны для записи: ${roC} \\(нет прав на запись\\); ${roC}/out/rejected \\(нет прав на запись\\)\\)\\. ` +
          'Отклонённые строки сохранены в базе данных \\(таблица rejected_rows, пакет № \\d+\\); все они ниже:',
      ),
    );
    expect(c.stdout).toContain(
      '  строка 3, name («АО «Банк[U+0000]»»): Наименование банка: недопустимый символ U+0000 (NUL, нулевой байт) на 9-й позиции; такие символы в значениях не допускаются',
    );
    expect(readdirSync(roC)).toEqual(['c.csv']);

    // The good rows of all three were taken; the rejected ones are in the database.
    expect(await t.db('banks').whereIn('bik', ['TSTPKZKA', 'TSTQKZKA', 'TSTRKZKA']).orderBy('bik').pluck('bik')).toEqual(['TSTPKZKA', 'TSTQKZKA', 'TSTRKZKA']);
    expect(await t.db('rejected_rows').count({ n: '*' })).toEqual([{ n: 3 }]);
  });
});
