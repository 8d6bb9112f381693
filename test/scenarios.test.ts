// Every fixture ledger, run through the CLI as separate processes on a fresh database.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createPostgresDatabase } from './support/db.ts';
import { tempDir } from './support/files.ts';
import { postgresAvailable } from './support/services.ts';
import { diffSubset, listScenarios, loadScenario, runCli, workingCopy } from './support/fixture-ledgers.ts';
import { checkReport } from '../schemas/reports/index.ts';

const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const d of drops) await d();
});

async function databaseUrl(): Promise<string> {
  if (await postgresAvailable()) {
    const created = await createPostgresDatabase();
    drops.push(created.drop);
    return created.url;
  }
  // Without PostgreSQL the children share an embedded database directory, one at a time.
  return '';
}

const scenarios = listScenarios();

// Scenarios run concurrently: each is a chain of child processes on its own database.
describe.concurrent.each(scenarios)('fixture ledger %s', (name) => {
  it('runs through the CLI and every report equals the hand-checked figures and matches its schema', { timeout: 900_000 }, async () => {
    const { dir: source, scenario } = loadScenario(name);
    const dir = workingCopy(source);
    const url = await databaseUrl();
    const env = url ? {} : { DATABASE_URL: '', PAYOUTS_PGLITE_DIR: tempDir('payouts-scn-') };
    const failures: string[] = [];
    const migrate = await runCli(url, scenario.steps[0]?.as_of ?? '2025-01-01', ['db', 'migrate'], dir, env);
    expect(migrate.code, migrate.stderr).toBe(0);
    for (const [i, step] of scenario.steps.entries()) {
      const r = await runCli(url, step.as_of, step.args, dir, env);
      const label = `step ${i + 1} (${step.as_of}: payouts ${step.args.join(' ')})`;
      if (r.code !== (step.exit ?? 0)) failures.push(`${label}: exit ${r.code}, expected ${step.exit ?? 0}\n${r.stderr}${r.stdout}`);
      for (const text of step.output_contains ?? []) {
        if (!`${r.stdout}${r.stderr}`.includes(text)) failures.push(`${label}: output lacks «${text}»\n${r.stderr}${r.stdout}`);
      }
    }
    for (const rep of scenario.reports) {
      const r = await runCli(url, rep.as_of, [...rep.args, '--format', 'json'], dir, env);
      const label = `report ${rep.args.join(' ')} as of ${rep.as_of}`;
      if (r.code !== 0) {
        failures.push(`${label}: exit ${r.code}\n${r.stderr}`);
        continue;
      }
      const expected = JSON.parse(readFileSync(path.join(dir, rep.expected), 'utf8'));
      const actual: unknown = JSON.parse(r.stdout);
      try {
        checkReport(actual);
      } catch (e) {
        failures.push(`${label}: ${(e as Error).message}`);
      }
      const diffs = diffSubset(expected, actual);
      if (diffs.length) failures.push(`${label} differs from ${rep.expected}:\n  ${diffs.join('\n  ')}`);
    }
    expect(failures, failures.join('\n\n')).toEqual([]);
  });
});

it('has fixture ledgers to run', () => {
  expect(scenarios.length).toBeGreaterThan(0);
});
