// The compiled CLI (bin/build.mjs, run by `npm ci` through `prepare`): it builds, runs from its
// own folder with the reference data and migrations it needs, and `--help` or a usage error load
// none of the heavy modules (the database drivers, the Excel and PDF writers, the queue) — which
// is what makes them start fast. Built into a folder of its own under var/ (ignored by git; inside
// the repository so that node_modules resolves), not the repository's dist/.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, tempDir } from './support/files.ts';

const run = promisify(execFile);
const HEAVY = ['knex', 'pg', 'exceljs', 'pdfmake', 'bullmq', '@electric-sql/pglite', 'ioredis', 'csv-parse', 'express', 'cli-progress', 'pino'];

let out: string;
let work: string;
beforeAll(async () => {
  const dir = path.join(REPO, 'var', `build-test-${process.pid}-${Date.now()}`);
  out = path.join(dir, 'dist');
  work = tempDir('payouts-build-work-');
  await run(process.execPath, [path.join(REPO, 'bin', 'build.mjs'), '--out', out], { cwd: REPO });
}, 120_000);
afterAll(() => {
  rmSync(path.dirname(out), { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

/** Runs the compiled entry; the child lists the CommonJS packages it loaded into `mods`. */
async function compiled(args: string[], cwd = REPO): Promise<{ code: number; stdout: string; stderr: string; packages: string[] }> {
  const modsFile = path.join(work, `mods-${args.join('_').replace(/\W/g, '')}.json`);
  const probe =
    'data:text/javascript,import M from"node:module";import{writeFileSync}from"node:fs";' +
    'process.on("exit",()=>writeFileSync(process.env.MODS_FILE,JSON.stringify(Object.keys(M._cache))))';
  const env = { ...process.env, MODS_FILE: modsFile, DATABASE_URL: '', REDIS_URL: '', PAYOUTS_PGLITE_DIR: '' };
  const r = await run(process.execPath, ['--import', probe, path.join(out, 'bin', 'payouts.js'), ...args], { cwd, env }).then(
    (x) => ({ code: 0, ...x }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
  const files = JSON.parse(readFileSync(modsFile, 'utf8')) as string[];
  const packages = [...new Set(files.map((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f)?.[1]).filter((p): p is string => !!p))];
  return { ...r, packages };
}

describe('the compiled CLI', () => {
  it('--help and a usage error: Russian, and no heavy module loaded', async () => {
    const help = await compiled(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Использование: payouts \[параметры\] \[команда\]/);
    expect(help.stdout).toContain('import [параметры] <kind> <file>');
    const usage = await compiled(['run', 'build-lists']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^Ошибка: не указан обязательный параметр «--month <YYYY-MM>»/);
    const reportHelp = await compiled(['report', '--help']);
    expect(reportHelp.code).toBe(0);
    for (const r of [help, usage, reportHelp]) expect(r.packages.filter((p) => HEAVY.includes(p))).toEqual([]);
  });

  it('runs from its own folder: schedule (reference calendar), db migrate on PGlite (migrations, reference data)', async () => {
    const schedule = await compiled(['schedule', '--from', '2025-03-14', '--to', '2025-03-14', '--json']);
    expect(schedule.code).toBe(0);
    expect(JSON.parse(schedule.stdout).items).toEqual([
      { date: '2025-03-14', step: 'build-lists', month: '2025-03' },
      { date: '2025-03-14', step: 'pay' },
      { date: '2025-03-14', step: 'check-deadlines' },
    ]);
    const cwd = path.join(work, 'site');
    mkdirSync(cwd);
    const migrate = await compiled(['db', 'migrate', '--json'], cwd);
    expect(migrate.code).toBe(0);
    expect(JSON.parse(migrate.stdout)).toMatchObject({ calendar_years: expect.arrayContaining([2025]), knp: 5 });
    expect(migrate.packages).toContain('@electric-sql/pglite');
  }, 120_000);
});
