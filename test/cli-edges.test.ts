// The CLI at its edges, as cron and a finance officer meet them: the argument parser speaks
// Russian (exit 2), the embedded database never keeps the process alive after an error, a
// database that was never migrated says «payouts db migrate», a connection string that is not
// PostgreSQL is a usage error, USER unset still connects as the OS user, `schedule` needs no
// database, and ИИН/БИН in error messages are masked. Child processes through test/support/cli.ts.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './support/cli.ts';
import { createPostgresDatabase, freshDb, type TestDb } from './support/db.ts';
import { tempDir } from './support/files.ts';
import { synthBin } from './support/ids.ts';
import { seedWorld, WORLD } from './support/one-month-world.ts';
import { PG_ADMIN_URL, postgresAvailable, servicesRequired } from './support/services.ts';
import { russianUsageMessage } from '../bin/usage-ru.ts';

const pgOk = await postgresAvailable();
if (!pgOk) {
  if (servicesRequired) throw new Error('REQUIRE_SERVICES=1 but PostgreSQL is not reachable');
  console.warn('[skip] test/cli-edges.test.ts: the never-migrated and USER-unset cases need a PostgreSQL server.');
}

/** A hang shows as a kill after this long (the commands below finish in seconds). */
const HANG_MS = 45_000;

let cwd: string;
beforeAll(() => {
  cwd = tempDir('payouts-cli-edges-');
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const payouts = (args: string[], env: Record<string, string | undefined> = {}) =>
  cli(args, { cwd, timeoutMs: HANG_MS, env: { PAYOUTS_LOG_LEVEL: 'warn', ...env } });

describe('commander in Russian (exit 2, nothing in English)', () => {
  it('unknown command, required option, missing argument, too many arguments, unknown option', async () => {
    const runs = await Promise.all([
      payouts(['frobnicate']),
      payouts(['run', 'build-lists']),
      payouts(['import', 'acts']),
      payouts(['import', 'acts', 'a.csv', 'b.csv']),
      payouts(['report', 'list', '--bogus']),
      payouts(['run', 'reconsile', '--month', '2025-02']),
    ]);
    const first = runs.map((r) => r.stderr.split('\n')[0]);
    expect(first).toEqual([
      'Ошибка: неизвестная команда «frobnicate»',
      'Ошибка: не указан обязательный параметр «--month <YYYY-MM>»',
      'Ошибка: не указан обязательный аргумент «file»',
      'Ошибка: лишние аргументы у команды «import»: ожидается 2, получено 3',
      'Ошибка: неизвестный параметр «--bogus»',
      'Ошибка: неизвестная команда «reconsile»',
    ]);
    expect(runs[5].stderr).toContain('(Возможно, имелось в виду: reconcile)');
    for (const r of runs) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('Использование: payouts');
      expect(r.stderr).not.toMatch(/error:|Usage:|Options:|display help|Did you mean/);
    }
    // None of them opened the embedded database.
    expect(existsSync(path.join(cwd, 'var'))).toBe(false);
  });

  it('help in Russian, exit 0', async () => {
    const [top, sub] = await Promise.all([payouts(['--help']), payouts(['report', '--help'])]);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/^Использование: payouts \[параметры\] \[команда\]/);
    expect(top.stdout).toContain('Параметры:');
    expect(top.stdout).toContain('Команды:');
    expect(top.stdout).toContain('-h, --help');
    expect(top.stdout).toContain('показать справку по команде');
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain('Аргументы:');
    expect(sub.stdout).toContain('(по умолчанию: "json")');
    for (const r of [top, sub]) expect(r.stdout).not.toMatch(/Usage:|Options:|Commands:|display help|default:/);
    expect(existsSync(path.join(cwd, 'var'))).toBe(false);
  });

  it('the translation table itself', () => {
    expect(russianUsageMessage("error: option '--month <YYYY-MM>' argument missing\n")).toBe(
      'Ошибка: у параметра «--month <YYYY-MM>» не указано значение\n',
    );
    expect(russianUsageMessage("error: unknown option '--dryrun'\n(Did you mean --dry-run?)\n")).toBe(
      'Ошибка: неизвестный параметр «--dryrun»\n(Возможно, имелось в виду: --dry-run)\n',
    );
  });
});

describe('the embedded database never hangs the CLI', () => {
  it('usage errors after the database was or was not opened: the error, exit 2, the process ends', async () => {
    // One after another: they share the embedded database folder of `cwd`.
    const cases: [string[], RegExp][] = [
      [['import', 'acts', 'nofile.csv'], /^Ошибка: Файл nofile\.csv не найден\n$/],
      [['report', 'list', '--format', 'xls'], /^Ошибка: Для формы list укажите --month/],
      [['report', 'lists'], /^Ошибка: Неизвестная форма «lists»/],
      [['run', 'reconcile', '--month', '2025-2'], /^Ошибка: Неверный месяц «2025-2»/],
      [['report', 'list', '--month', '2025-02', '--format', 'xls'], /^Ошибка: Неизвестный формат «xls»/],
      // --out that cannot be a folder: said before anything is built (exit 2, not an unexpected failure).
      [['report', 'ledger', '--month', '2025-02', '--format', 'pdf', '--out', '/dev/null'], /^Ошибка: «\/dev\/null» — файл, а не папка/],
      [['report', 'ledger', '--month', '2025-02', '--format', 'pdf', '--out', ''], /^Ошибка: --out: укажите папку для файлов/],
    ];
    for (const [args, message] of cases) {
      const r = await payouts(args);
      expect(r.signal, args.join(' ')).toBeNull();
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.ms).toBeLessThan(HANG_MS);
    }
  });

  it('one process at a time on an embedded database: a second waits, then is refused (exit 2); a lock of a process that is gone is taken over', async () => {
    const dir = tempDir('payouts-cli-edges-lock-');
    try {
      const lock = path.join(dir, 'var', 'pglite', 'payouts.lock');
      mkdirSync(path.dirname(lock), { recursive: true });
      writeFileSync(lock, String(process.pid)); // this test's own process: alive, not the child
      const busy = await cli(['status'], { cwd: dir, timeoutMs: HANG_MS, env: { PAYOUTS_PGLITE_LOCK_WAIT_MS: '300' } });
      expect(busy.code).toBe(2);
      expect(busy.stderr).toMatch(new RegExp(`^Ошибка: Встроенная база данных .* занята другим процессом payouts \\(pid ${process.pid}\\)`));
      expect(readFileSync(lock, 'utf8')).toBe(String(process.pid)); // not taken from a live process
      // kill -9 leaves the lock of a dead process: the next command takes it over and releases it.
      const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
      writeFileSync(lock, String(dead));
      const next = await cli(['db', 'migrate'], { cwd: dir, timeoutMs: HANG_MS });
      expect(next.code, next.stderr).toBe(0);
      expect(existsSync(lock)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a never-migrated embedded database: «payouts db migrate», exit 2, no SQL', async () => {
    const dir = tempDir('payouts-cli-edges-pglite-');
    try {
      const r = await cli(['status'], { cwd: dir, timeoutMs: HANG_MS });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^Ошибка: База данных не подготовлена: .*Выполните `payouts db migrate`/);
      expect(r.stderr).not.toMatch(/relation|does not exist|select/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('connection strings', () => {
  it('garbage and mysql:// are usage errors (exit 2), said in Russian', async () => {
    const [garbage, mysql, env] = await Promise.all([
      payouts(['--db', 'garbage', 'status']),
      payouts(['--db', 'mysql://user@127.0.0.1/payouts', 'status']),
      payouts(['run', 'pay', '--as-of', '2025-03-18'], { DATABASE_URL: 'sqlite:payouts.db' }),
    ]);
    expect(garbage).toMatchObject({ code: 2, stdout: '' });
    expect(garbage.stderr).toMatch(/^Ошибка: Неверная строка подключения к базе данных «garbage»/);
    expect(mysql).toMatchObject({ code: 2, stdout: '' });
    expect(mysql.stderr).toMatch(/^Ошибка: База данных «mysql» не поддерживается: нужен PostgreSQL/);
    expect(env.code).toBe(2);
    expect(env.stderr).toMatch(/«sqlite» не поддерживается/);
  });

  it('schedule needs no database: works with an unreachable --db and creates no embedded one', async () => {
    const r = await payouts(['--db', 'postgres://nobody@127.0.0.1:1/none', 'schedule', '--from', '2025-02-14', '--to', '2025-02-15', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).items).toEqual([
      { date: '2025-02-14', step: 'build-lists', month: '2025-02' },
      { date: '2025-02-14', step: 'pay' },
      { date: '2025-02-14', step: 'check-deadlines' },
      { date: '2025-02-15', step: 'form-demand', month: '2025-02' },
    ]);
    const fresh = tempDir('payouts-cli-edges-schedule-');
    try {
      const local = await cli(['schedule', '--from', '2025-02-14', '--to', '2025-02-14'], { cwd: fresh, timeoutMs: HANG_MS });
      expect(local.code).toBe(0);
      expect(local.stdout).toContain('2025-02-14  build-lists     2025-02');
      expect(existsSync(path.join(fresh, 'var'))).toBe(false);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!pgOk)('PostgreSQL edges', () => {
  let t: TestDb;
  let bare: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    t = await freshDb();
    bare = await createPostgresDatabase();
  });
  afterAll(async () => {
    await t?.drop();
    await bare?.drop();
  });

  it('a database that was never migrated: «payouts db migrate», exit 2', async () => {
    const [status, pay] = await Promise.all([
      payouts(['--db', bare.url, 'status']),
      payouts(['--db', bare.url, 'run', 'pay', '--as-of', '2025-03-18']),
    ]);
    for (const r of [status, pay]) {
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^Ошибка: База данных не подготовлена: .*`payouts db migrate`/);
      expect(r.stderr).not.toMatch(/relation|does not exist/);
    }
  });

  it('USER unset: the role defaults to the OS user as libpq does', async () => {
    const u = new URL(t.url!);
    const noUser = `postgres://${u.host}${u.pathname}`;
    const r = await payouts(['--db', noUser, 'status', '--json'], { USER: undefined, PGUSER: undefined, LOGNAME: undefined });
    expect(r.stderr).not.toMatch(/no PostgreSQL user name/);
    const osUser = os.userInfo().username;
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    const { rows } = await admin.query('select 1 from pg_roles where rolname = $1', [osUser]);
    await admin.end();
    if (rows.length) {
      // The OS user's role exists here: the command ran as it.
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).recent_runs).toEqual([]);
    } else {
      // No such role on this server: the server names the OS user it was asked for (exit 2).
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(osUser);
    }
  });

  it('status in words: steps by what they do, times in Asia/Almaty, summaries without keys, БИН masked', async () => {
    const mio = await seedWorld(t.db);
    const monthly = await payouts(['--db', t.url!, 'run', 'monthly', '--month', WORLD.month, '--as-of', '2025-03-20']);
    expect(monthly.code).toBe(0);
    const [human, json] = await Promise.all([payouts(['--db', t.url!, 'status']), payouts(['--db', t.url!, 'status', '--json'])]);
    expect(human.code).toBe(0);
    const masked = `${mio.mio_bin.slice(0, 4)}****${mio.mio_bin.slice(8)}`;
    expect(human.stdout).toMatch(
      /^ {2}потребность \(form-demand\) за 2025-03: рабочая дата 2025-03-15, выполнен \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(Asia\/Almaty\), оператор [^;]+; .*потребностей 1; .*финансирование до 2025-03-19/m,
    );
    expect(human.stdout).toContain(`сумма ${WORLD.demand}`);
    expect(human.stdout).toContain('месяц 2025-03');
    expect(human.stdout).toMatch(/^ {2}списки \(build-lists\) за 2025-03: /m);
    expect(human.stdout).toContain(`МИО ${masked}, 2025-03: потребность ${WORLD.demand}`);
    expect(human.stdout).not.toContain(mio.mio_bin);
    expect(human.stdout).not.toMatch(/formed_on|provider_sum|guaranteed|built_on|month /);
    // The time shown is the run's created_at in UTC+5.
    const run = await t.db('step_runs').where({ step: 'form-demand' }).first('created_at');
    const almaty = new Date(new Date(run.created_at).getTime() + 5 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
    expect(human.stdout).toContain(`выполнен ${almaty} (Asia/Almaty)`);
    expect(json.stdout).not.toContain(mio.mio_bin);
    expect(JSON.parse(json.stdout).open_demands[0].mio_bin).toBe(masked);
  });

  it('progress: a line every few seconds on stderr when not a terminal; --quiet silences it', async () => {
    const env = { PAYOUTS_PROGRESS_INTERVAL_MS: '50' };
    const [loud, quiet] = await Promise.all([
      payouts(['--db', t.url!, 'run', 'check-deadlines', '--as-of', '2025-03-21', '--dry-run'], env),
      payouts(['--db', t.url!, '--quiet', 'run', 'check-deadlines', '--as-of', '2025-03-21', '--dry-run'], env),
    ]);
    expect(loud.code).toBe(0);
    expect(quiet.code).toBe(0);
    expect(loud.stderr).toMatch(/^payouts run check-deadlines: выполняется, \d+ с$/m);
    expect(quiet.stderr).toBe('');
    expect(loud.stdout).toBe(quiet.stdout);
  });

  it('CLI error messages mask ИИН/БИН', async () => {
    // A БИН with a wrong check digit: refused, and the message shows it masked.
    const valid = synthBin(7);
    const bad = `${valid.slice(0, 11)}${(Number(valid[11]) + 1) % 10}`;
    const r = await payouts(['--db', t.url!, 'report', 'list', '--month', '2025-02', '--mio', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`Ошибка: Неверный БИН МИО «${bad.slice(0, 4)}****${bad.slice(8)}»\n`);
  });
});
