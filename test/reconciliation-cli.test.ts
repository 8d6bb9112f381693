// The closing commands through the real CLI (`node bin/payouts.mjs`) against the PostgreSQL
// database of the two-month world (test/support/two-month-world.ts): exit codes, --json output,
// Russian messages without stack traces, the month steps' default as-of (the 25th of M+1).
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
  it('run reconcile freezes the month as of the 25th of the next month by default; a second run changes nothing; refusals exit 4 and 2 without a stack trace', async () => {
    const first = await cli(['run', 'reconcile', '--month', '2025-03', '--json']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      step: 'reconcile',
      key: '2025-03',
      as_of: '2025-04-25',
      status: 'done',
      summary: { acts: 2, transfers: 2, received: '124426.24', closing: '0.00' },
    });
    expect(await t.db('step_runs').where({ step: 'reconcile', run_key: '2025-03' }).first('as_of', 'operator')).toEqual({ as_of: '2025-04-25', operator: 'cli-тест' });

    // Then, side by side: the same run again, a report, and two refusals.
    const [again, reconciliation, weekend, badMonth] = await Promise.all([
      cli(['run', 'reconcile', '--month', '2025-03']),
      cli(['report', 'reconciliation', '--month', '2025-02', '--mio', w.A.mio_bin, '--format', 'json', '--as-of', '2025-04-30']),
      cli(['run', 'refund-unsent', '--as-of', '2025-05-03']),
      cli(['run', 'reconcile', '--month', '2025-13']),
    ]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/уже выполнен 2025-04-25 \(оператор cli-тест\); ничего не изменено/);
    expect(reconciliation.code).toBe(0);
    expect(JSON.parse(reconciliation.stdout)).toMatchObject({
      form: 'reconciliation',
      month: '2025-02',
      acts: [{ mio_bin: w.A.mio_bin, total: '149311.49', total_words: 'Сто сорок девять тысяч триста одиннадцать тенге 49 тиын', frozen: true }],
    });
    expect(weekend.code).toBe(4);
    expect(weekend.stderr).toMatch(/^Ошибка: 2025-05-03 — нерабочий день/);
    expect(badMonth.code).toBe(2);
    expect(badMonth.stderr).toMatch(/Неверный месяц «2025-13»/);
    for (const r of [weekend, badMonth]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
