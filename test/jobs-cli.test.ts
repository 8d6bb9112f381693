// The jobs commands as cron and the on-call engineer use them: `payouts schedule`, `run nightly`,
// `run monthly`, `enqueue`, `status`, and their refusals (exit codes of INTERFACE.md, Russian
// messages, no stack traces). Child processes against a real database.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './support/cli.ts';
import { freshDb, type TestDb } from './support/db.ts';
import { tempDir } from './support/files.ts';
import { seedWorld, WORLD } from './support/one-month-world.ts';
import { dropPrefix, REDIS_URL, uniquePrefix } from './support/queue.ts';
import { postgresAvailable, redisAvailable, servicesRequired } from './support/services.ts';

const pgOk = await postgresAvailable();
const redisOk = await redisAvailable();
if (!pgOk) {
  if (servicesRequired) throw new Error('REQUIRE_SERVICES=1 but PostgreSQL is not reachable');
  console.warn('[skip] test/jobs-cli.test.ts: the CLI runs in child processes that need a PostgreSQL server to share the database.');
}

/** `payouts` in the test's own folder, its logs at warn (the child gets no DATABASE_URL or REDIS_URL of ours). */
const payouts = (args: string[], opts: { cwd: string; env?: Record<string, string> }) =>
  cli(args, { cwd: opts.cwd, env: { PAYOUTS_LOG_LEVEL: 'warn', ...opts.env } });

describe.skipIf(!pgOk)('payouts schedule / run nightly / run monthly / enqueue / status', () => {
  let t: TestDb;
  let cwd: string;
  let db: string;
  const prefix = uniquePrefix();

  beforeAll(async () => {
    t = await freshDb();
    await seedWorld(t.db);
    cwd = tempDir('payouts-jobs-cli-');
    db = t.url!;
  });
  afterAll(async () => {
    await t?.drop();
    rmSync(cwd, { recursive: true, force: true });
    if (redisOk) await dropPrefix(prefix);
  });

  it('schedule --json; a queue command without REDIS_URL is refused (exit 2, Russian, no stack trace)', async () => {
    const [schedule, noRedis, closing] = await Promise.all([
      payouts(['schedule', '--from', '2025-03-13', '--to', '2025-03-16', '--json', '--db', db], { cwd }),
      payouts(['enqueue', 'pay', '--as-of', '2025-03-18', '--db', db], { cwd }),
      payouts(['schedule', '--from', '2025-03-19', '--to', '2025-03-25', '--json', '--db', db], { cwd }),
    ]);
    // The act of period 2025-02 on its date, Thursday 03-20 (21, 24, 25 March off); bank fees on the 25th (DOMAIN §5).
    expect(JSON.parse(closing.stdout).items.filter((i: { month?: string }) => i.month)).toEqual([
      { date: '2025-03-20', step: 'reconcile', month: '2025-02' },
      { date: '2025-03-25', step: 'bank-fees', month: '2025-02' },
    ]);
    expect(schedule.code).toBe(0);
    expect(JSON.parse(schedule.stdout)).toEqual({
      from: '2025-03-13',
      to: '2025-03-16',
      items: [
        { date: '2025-03-13', step: 'pay' },
        { date: '2025-03-13', step: 'check-deadlines' },
        { date: '2025-03-14', step: 'build-lists', month: '2025-03' },
        { date: '2025-03-14', step: 'pay' },
        { date: '2025-03-14', step: 'check-deadlines' },
        { date: '2025-03-15', step: 'form-demand', month: '2025-03' },
      ],
    });
    expect(noRedis).toMatchObject({ code: 2, stdout: '' });
    expect(noRedis.stderr).toBe(
      'Ошибка: Команде enqueue нужна очередь: задайте REDIS_URL (например redis://127.0.0.1:6379). ' +
        'Без Redis шаги выполняются в процессе: payouts run nightly / payouts run monthly --month ГГГГ-ММ.\n',
    );
  });

  it('run nightly (embedded, no REDIS_URL) runs the day\'s steps in order', async () => {
    const first = await payouts(['run', 'nightly', '--as-of', '2025-03-14', '--json', '--db', db, '--operator', 'cron'], { cwd });
    expect(first.code).toBe(0);
    const doc = JSON.parse(first.stdout);
    expect(doc).toMatchObject({ as_of: '2025-03-14', mode: 'in-process', dry_run: false, exit_code: 0 });
    expect(doc.items.map((i: { step: string; key: string; status: string }) => `${i.step}@${i.key}:${i.status}`)).toEqual([
      'build-lists@2025-03:done',
      'pay@2025-03-14:done',
      'check-deadlines@2025-03-14:done',
    ]);
    expect(await t.db('step_runs').where({ step: 'build-lists' }).first('operator', 'as_of')).toEqual({ operator: 'cron', as_of: '2025-03-14' });
  });

  it('run monthly --month M runs the month\'s steps that are due by --as-of and says which are not', async () => {
    const r = await payouts(['run', 'monthly', '--month', WORLD.month, '--as-of', '2025-03-19', '--json', '--db', db], { cwd });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.items.map((i: { step: string; key: string; status: string }) => `${i.step}@${i.key}:${i.status}`)).toEqual([
      'build-lists@2025-03:already-done',
      'form-demand@2025-03:done',
      'reconcile@2025-02:not-due',
      'bank-fees@2025-02:not-due',
    ]);
    // The act of period 2025-02 is dated Thursday 03-20 (21, 24, 25 March are holidays): DOMAIN §5.
    expect(doc.items[2].message).toBe('запланирован на 2025-03-20, позже рабочей даты 2025-03-19');
    expect(doc.items[3].message).toBe('запланирован на 2025-03-25, позже рабочей даты 2025-03-19');
    const [demand] = await t.db('demands').select('formed_on', 'amount');
    expect(demand).toEqual({ formed_on: '2025-03-15', amount: WORLD.demand });
  });

  it.skipIf(!redisOk)('with REDIS_URL: nightly puts the day\'s jobs on the queue; status shows them with the database state', async () => {
    const env = { REDIS_URL, PAYOUTS_QUEUE_PREFIX: prefix };
    const nightly = await payouts(['run', 'nightly', '--as-of', '2025-03-18', '--json', '--db', db], { cwd, env });
    expect(nightly.code).toBe(0);
    expect(JSON.parse(nightly.stdout)).toEqual({
      as_of: '2025-03-18',
      mode: 'queue',
      jobs: [
        { date: '2025-03-18', step: 'pay', job_id: 'pay@2025-03-18', outcome: 'added' },
        { date: '2025-03-18', step: 'check-deadlines', job_id: 'check-deadlines@2025-03-18', outcome: 'added' },
      ],
    });
    const status = await payouts(['status', '--json', '--db', db], { cwd, env });
    const s = JSON.parse(status.stdout);
    expect(s.queue.counts.waiting).toBe(2);
    expect(s.queue.jobs.map((j: { id: string }) => j.id)).toEqual(['pay@2025-03-18', 'check-deadlines@2025-03-18']);
    expect(s.recent_runs.map((r: { step: string }) => r.step)).toEqual(['form-demand', 'check-deadlines', 'pay', 'build-lists']);
    // The demand of 2025-03 is formed and not funded: open in full, nothing funded yet to pay.
    expect(s.open_demands).toEqual([
      expect.objectContaining({ month: '2025-03', amount: WORLD.demand, funded: '0.00', open: WORLD.demand, funding_due: expect.any(String) }),
    ]);
    expect(s.unpaid_funded).toEqual([]);
    expect(s.pending_returns).toEqual([]);
  });
});

describe('argument checks of the queue commands (in process, nothing connects)', () => {
  async function parse(args: string[], env: Record<string, string> = {}): Promise<unknown> {
    const { Command } = await import('commander');
    const { registerJobs } = await import('../bin/commands/jobs.ts');
    const program = new Command().exitOverride().option('--db <url>').option('--as-of <date>').option('--operator <name>').option('--json');
    program.configureOutput({ writeErr: () => {}, writeOut: () => {} });
    registerJobs(program, program.command('run'));
    const keys = ['REDIS_URL', 'DATABASE_URL'];
    const saved = keys.map((k) => process.env[k]);
    for (const k of keys) delete process.env[k];
    Object.assign(process.env, env);
    try {
      await program.parseAsync(['node', 'payouts', ...args]);
      return null;
    } catch (err) {
      return err;
    } finally {
      keys.forEach((k, i) => (saved[i] === undefined ? delete process.env[k] : (process.env[k] = saved[i])));
    }
  }

  it('refuses with exit code 2 and says what is wrong', async () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['enqueue', 'build-lists'], { REDIS_URL }, /^Для шага build-lists укажите --month ГГГГ-ММ$/],
      [['enqueue', 'pay', '--month', '2025-03'], { REDIS_URL }, /^Шаг pay выполняется на дату: укажите --as-of/],
      [['enqueue', 'pay-everyone'], { REDIS_URL }, /^Неизвестный шаг «pay-everyone»/],
      [['enqueue', 'reconcile', '--month', '2025-13'], { REDIS_URL }, /^Неверный месяц «2025-13»/],
      [['worker'], { REDIS_URL }, /^Команде worker нужен PostgreSQL \(--db URL или DATABASE_URL\)/],
      [['scheduler'], {}, /^Команде scheduler нужна очередь: задайте REDIS_URL/],
      [['scheduler', '--max-catch-up-days', '0', '--db', 'postgres://x@127.0.0.1/x'], { REDIS_URL }, /^--max-catch-up-days: ожидается целое положительное число/],
      [['dashboard', '--port', 'http'], { REDIS_URL }, /^--port: ожидается номер порта/],
    ];
    for (const [args, env, message] of cases) {
      const err = (await parse(args, env)) as { exitCode?: number; message?: string };
      expect({ args, exitCode: err?.exitCode, message: err?.message }).toEqual({ args, exitCode: 2, message: expect.stringMatching(message) });
    }
  });
});
