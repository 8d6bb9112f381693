// build-lists, form-demand and contributions through the real CLI (`node bin/payouts.mjs`):
// the month steps' default as-of (the 14th, the 15th), --dry-run, --json, exit codes 0/2/4
// with Russian messages and no stack traces, the reports, and the pain.001 files on disk.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { birthDateOfIin } from '../pipeline/kernel/identifiers.ts';
import { cli as payouts } from './support/cli.ts';
import { count, freshDb, type TestDb } from './support/db.ts';
import { tempDir } from './support/files.ts';
import { seedAct, seedMio, seedProvider, type MioSeed, type ProviderSeed } from './support/world.ts';
import { parsePain001 } from './support/pain001-parser.ts';

let t: TestDb;
let A: MioSeed;
let P: ProviderSeed;
let out: string;

const cli = (args: string[]) => payouts(args, { db: t.url, env: { PAYOUTS_OPERATOR: 'cli-тест' } });

beforeAll(async () => {
  t = await freshDb();
  A = await seedMio(t.db);
  P = await seedProvider(t.db, { kind: 'assistant' });
  const E = await seedProvider(t.db, { kind: 'entrepreneur' });
  await seedAct(t.db, { provider: P, mio: A, service_month: '2025-02', hours: '176' });
  await seedAct(t.db, { provider: E, mio: A, service_month: '2025-02', hours: '100' });
  out = tempDir('payouts-contrib-');
});
afterAll(async () => {
  await t?.drop();
  if (out) rmSync(out, { recursive: true, force: true });
});

describe('cycle commands', () => {
  it('build-lists: dry run, refusals (exit 2), run as of the 14th by default, a second run changes nothing, an earlier month (exit 4)', async (ctx) => {
    if (!t.url) ctx.skip();
    const [dry, bad, outside] = await Promise.all([
      cli(['run', 'build-lists', '--month', '2025-03', '--dry-run', '--json']),
      cli(['run', 'build-lists', '--month', '2025-3']),
      cli(['run', 'build-lists', '--month', '2025-04', '--as-of', '2025-05-02']),
    ]);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ step: 'build-lists', key: '2025-03', as_of: '2025-03-14', status: 'dry-run' });
    expect(await count(t.db, 'lists')).toBe(0);
    expect([bad.code, outside.code]).toEqual([2, 2]);
    expect(bad.stderr).toMatch(/^Ошибка: Неверный месяц «2025-3»/);
    expect(outside.stderr).toMatch(/вне месяца списка/);

    const first = await cli(['run', 'build-lists', '--month', '2025-03', '--json']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    // P 176 h: 94392.32 / 83065.24 / 9439.23 / 1887.85 / СО 4247.65; E 100 h: 53632.00
    expect(JSON.parse(first.stdout)).toMatchObject({
      as_of: '2025-03-14',
      status: 'done',
      summary: { lists: 1, rows: 2, guaranteed: '148024.32', provider_sum: '136697.24', opv: '9439.23', osms: '1887.85', so: '4247.65' },
    });
    expect(await t.db('step_runs').where({ step: 'build-lists' }).first('as_of', 'operator')).toEqual({ as_of: '2025-03-14', operator: 'cli-тест' });

    const [again, earlier] = await Promise.all([cli(['run', 'build-lists', '--month', '2025-03']), cli(['run', 'build-lists', '--month', '2025-02'])]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/уже выполнен 2025-03-14 \(оператор cli-тест\); ничего не изменено/);
    expect(again.stdout).toMatch(/Списков: 1, строк: 2/);
    expect(earlier.code).toBe(4);
    expect(earlier.stderr).toMatch(/уже сформированы списки за более поздний месяц 2025-03/);
    for (const r of [bad, outside, earlier]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('form-demand runs as of the 15th by default (a Saturday): the request dated and due Monday 17th, funding Wednesday 19th (DOMAIN §9)', async (ctx) => {
    if (!t.url) ctx.skip();
    const r = await cli(['run', 'form-demand', '--month', '2025-03']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Шаг form-demand за 2025-03 выполнен/);
    expect(r.stdout).toMatch(/Потребностей: 1, строк: 2 \(повторно: 0\), сумма 136697.24/);
    expect(r.stdout).toMatch(/заявка МИО датирована 2025-03-17 \(срок — 2025-03-17\); финансирование — до 2025-03-19/);
  });

  it('contributions writes a register and a pain.001 per kind; the reports print as JSON', async (ctx) => {
    if (!t.url) ctx.skip();
    const [r, list, report, help] = await Promise.all([
      cli(['run', 'contributions', '--month', '2025-03', '--out', out, '--json']),
      cli(['report', 'list', '--month', '2025-03', '--format', 'json']),
      cli(['report', 'demand', '--month', '2025-03', '--format', 'json', '--as-of', '2025-03-31']),
      cli(['run', 'contributions', '--help']),
    ]);
    expect(report.code).toBe(0);
    expect(JSON.parse(report.stdout)).toMatchObject({
      form: 'demand',
      month: '2025-03',
      demands: [{ mio_bin: A.mio_bin, formed_on: '2025-03-15', amount: '136697.24', rows: 2, funded: '0.00', open: '136697.24' }],
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.registers.map((x: Record<string, unknown>) => [x.kind, x.knp, x.count, x.total])).toEqual([
      ['opv', '010', 1, '9439.23'],
      ['osms', '122', 1, '1887.85'],
      ['so', '012', 1, '4247.65'],
    ]);
    expect(readdirSync(out).sort()).toEqual(
      ['opv', 'osms', 'so'].flatMap((k) => [`${k}_2025-03_${A.mio_bin}.csv`, `${k}_2025-03_${A.mio_bin}.xml`]).sort(),
    );
    const pain = parsePain001(readFileSync(path.join(out, `so_2025-03_${A.mio_bin}.xml`), 'utf8'));
    expect(pain.control.groupCtrlSum).toBe('4247.65');
    expect(pain.requestedExecutionDate).toBe('2025-03-14');
    // To the State Corporation's СО account (DOMAIN §7), the sample one here (allowed in the tests, marked).
    expect(pain.transactions[0].creditor).toMatchObject({ name: 'НАО «Государственная корпорация «Правительство для граждан»» (СО)', bik: 'GCVPKZ2A', kbe: '11' });
    expect(pain.initiatingParty.name).toMatch(/^ОБРАЗЕЦ — НЕ ИСПОЛНЯТЬ\./);
    expect(doc.sample).toBe(true);
    expect(readFileSync(path.join(out, `opv_2025-03_${A.mio_bin}.csv`), 'utf8')).toBe(
      `iin,name,birth_date,period,amount\n${P.provider_id},${P.name},${birthDateOfIin(P.provider_id)},2025-02,9439.23\n`,
    );
    expect(list.code).toBe(0);
    const l = JSON.parse(list.stdout);
    expect(l.divisions[0].totals).toEqual({ guaranteed: '148024.32', provider_sum: '136697.24', opv: '9439.23', osms: '1887.85', so: '4247.65' });
    expect(help.stdout).toMatch(/pain\.001/);
  });
});
