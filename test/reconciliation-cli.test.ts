// The closing commands through the real CLI (`node bin/payouts.mjs`) against the PostgreSQL
// database of the two-month world (test/support/two-month-world.ts): exit codes, --json output,
// Russian messages without stack traces, the month steps' default as-of (reconcile: the act's
// date, the 25th of M+1 or the last working day before it — DOMAIN §5), and `reconcile sign`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli as payouts } from './support/cli.ts';
import type { TestDb } from './support/db.ts';
import { postgresAvailable } from './support/services.ts';
import { openTwoMonthWorld, type OpenWorld, type World } from './support/two-month-world.ts';

// A child process needs a database it can reach: PostgreSQL (an in-memory PGlite is not shared).
const withPostgres = await postgresAvailable();
let t: TestDb;
let w: World;
let close: OpenWorld['close'] | undefined;

const cli = (args: string[]) => payouts(args, { db: t.url, env: { PAYOUTS_OPERATOR: 'cli-тест' } });

beforeAll(async () => {
  if (!withPostgres) return;
  ({ t, w, close } = await openTwoMonthWorld('2025-04-30'));
});
afterAll(() => close?.());

describe.skipIf(!withPostgres)('closing commands', () => {
  it('run reconcile freezes the period as of the act\'s date by default (25 April 2025, a Friday); a second run changes nothing; refusals exit 4 and 2 without a stack trace', async () => {
    const first = await cli(['run', 'reconcile', '--month', '2025-03', '--json']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      step: 'reconcile',
      key: '2025-03',
      as_of: '2025-04-25',
      status: 'done',
      summary: { act_date: '2025-04-25', acts: 2, transfers: 1, received: '37756.93', late: 0, closing: '0.00' },
    });
    expect(await t.db('step_runs').where({ step: 'reconcile', run_key: '2025-03' }).first('as_of', 'operator')).toEqual({ as_of: '2025-04-25', operator: 'cli-тест' });

    // Then, side by side: the same run again, a report, and two refusals.
    const [again, reconciliation, weekend, badMonth] = await Promise.all([
      cli(['run', 'reconcile', '--month', '2025-03']),
      cli(['report', 'reconciliation', '--month', '2025-01', '--mio', w.A.mio_bin, '--format', 'json', '--as-of', '2025-04-30']),
      cli(['run', 'refund-unsent', '--as-of', '2025-05-03']),
      cli(['run', 'reconcile', '--month', '2025-13']),
    ]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/уже выполнен 2025-04-25 \(оператор cli-тест\); ничего не изменено/);
    expect(reconciliation.code).toBe(0);
    expect(JSON.parse(reconciliation.stdout)).toMatchObject({
      form: 'reconciliation',
      month: '2025-01',
      acts: [{ mio_bin: w.A.mio_bin, act_date: '2025-02-25', window: { after: '2025-01-25', through: '2025-02-25' }, total: '149311.49', total_words: 'Сто сорок девять тысяч триста одиннадцать тенге 49 тиын', frozen: true }],
    });
    expect(weekend.code).toBe(4);
    expect(weekend.stderr).toMatch(/^Ошибка: 2025-05-03 — нерабочий день/);
    expect(badMonth.code).toBe(2);
    expect(badMonth.stderr).toMatch(/Неверный месяц «2025-13»/);
    for (const r of [weekend, badMonth]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('reconcile sign records ГК\'s signature and the МИО\'s copies once, audited; a different date, an act not built, copies before the signature are refused (exit 4); a bad date exits 2', async () => {
    // The act of 2025-03 was built by the test above; the act of 2025-02 by the world on 03-20.
    const signed = await cli(['reconcile', 'sign', '--month', '2025-02', '--mio', w.A.mio_bin, '--signed-on', '2025-03-20', '--as-of', '2025-03-26', '--json']);
    expect(signed.stderr).toBe('');
    expect(signed.code).toBe(0);
    expect(JSON.parse(signed.stdout)).toEqual({
      month: '2025-02',
      mio_bin: w.A.mio_bin,
      act_date: '2025-03-20',
      signed_on: '2025-03-20',
      copies_received_on: null,
      recorded: ['signed'],
    });
    const [again, conflict, early, missing, badDate] = await Promise.all([
      cli(['reconcile', 'sign', '--month', '2025-02', '--mio', w.A.mio_bin, '--signed-on', '2025-03-20', '--as-of', '2025-04-01']),
      cli(['reconcile', 'sign', '--month', '2025-02', '--mio', w.A.mio_bin, '--signed-on', '2025-03-26', '--as-of', '2025-04-01']),
      cli(['reconcile', 'sign', '--month', '2025-02', '--mio', w.B.mio_bin, '--copies-received-on', '2025-04-01', '--as-of', '2025-04-01']),
      cli(['reconcile', 'sign', '--month', '2025-04', '--mio', w.A.mio_bin, '--signed-on', '2025-05-23', '--as-of', '2025-05-23']),
      cli(['reconcile', 'sign', '--month', '2025-02', '--mio', w.A.mio_bin, '--signed-on', '20.03.2025']),
    ]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/уже записано: ничего не изменено/);
    expect(conflict.code).toBe(4);
    expect(conflict.stderr).toMatch(/уже записано подписание акта Госкорпорацией 2025-03-20/);
    expect(early.code).toBe(4);
    expect(early.stderr).toMatch(/не могут быть получены раньше подписания/);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/Акт сверки за отчётный период 2025-04 по МИО [\d*]{12} не составлен/);
    expect(badDate.code).toBe(2);
    for (const r of [conflict, early, missing, badDate]) expect(r.stderr).not.toMatch(/\n\s+at /);

    const copies = await cli(['reconcile', 'sign', '--month', '2025-02', '--mio', w.A.mio_bin, '--copies-received-on', '2025-04-08', '--as-of', '2025-04-08']);
    expect(copies.code).toBe(0);
    const report = await cli(['report', 'reconciliation', '--month', '2025-02', '--mio', w.A.mio_bin, '--format', 'json', '--as-of', '2025-04-30']);
    expect(JSON.parse(report.stdout).acts[0]).toMatchObject({ act_date: '2025-03-20', signed_on: '2025-03-20', copies_received_on: '2025-04-08' });
    expect(await t.db('audit_events').where('action', 'like', 'reconcile sign%').orderBy('id').pluck('action')).toEqual([
      'reconcile sign signed',
      'reconcile sign copies_received',
    ]);
  });
});
