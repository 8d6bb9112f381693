// Runs a fixture ledger (fixtures/ledgers/<name>/scenario.json) through the CLI as separate
// processes, one command at a time with its as-of date, and compares every report with the
// hand-written expected JSON. The comparison is a deep subset: every field the expected file
// names must match exactly (arrays must have the same length), so an expected file holds the
// figures that were computed by hand and need not repeat every name.
import { cpSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { cli, type CliRun } from './cli.ts';
import { REPO, tempDir } from './files.ts';

export const LEDGERS_DIR = path.join(REPO, 'fixtures', 'ledgers');

export interface ScenarioStep {
  as_of: string;
  args: string[];
  exit?: number;
  /** Text the combined output must contain (e.g. a refusal reason). */
  output_contains?: string[];
  note?: string;
}

export interface ScenarioReport {
  as_of: string;
  args: string[];
  expected: string;
}

export interface Scenario {
  description: string;
  steps: ScenarioStep[];
  reports: ScenarioReport[];
}

export function listScenarios(): string[] {
  if (!existsSync(LEDGERS_DIR)) return [];
  return readdirSync(LEDGERS_DIR)
    .filter((d) => existsSync(path.join(LEDGERS_DIR, d, 'scenario.json')))
    .sort();
}

export function loadScenario(name: string): { dir: string; scenario: Scenario } {
  const dir = path.join(LEDGERS_DIR, name);
  return { dir, scenario: JSON.parse(readFileSync(path.join(dir, 'scenario.json'), 'utf8')) };
}

/** Runs `payouts` in a child process; arguments naming a file of the scenario get its path. */
export function runCli(dbUrl: string, asOf: string, args: string[], cwd: string, env: Record<string, string | undefined> = {}): Promise<CliRun> {
  const resolved = args.map((a) => (existsSync(path.join(cwd, a)) && /\.\w+$/.test(a) ? path.join(cwd, a) : a));
  return cli(resolved, { db: dbUrl, asOf, operator: 'scenario', cwd, env, timeoutMs: 120_000 });
}

/**
 * A private copy of the scenario's folder to run in, so that what a run writes beside its
 * inputs (rejected rows, payment-order files) never lands in the fixtures.
 */
export function workingCopy(dir: string): string {
  const copy = tempDir(`payouts-${path.basename(dir)}-`);
  cpSync(dir, copy, { recursive: true });
  return copy;
}

/** Lists every difference between the expected subset and the actual value, one readable line each. */
export function diffSubset(expected: unknown, actual: unknown, at = '$'): string[] {
  if (expected === null || typeof expected !== 'object') {
    return Object.is(expected, actual) ? [] : [`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${at}: expected an array, got ${JSON.stringify(actual)}`];
    const out: string[] = [];
    if (expected.length !== actual.length) out.push(`${at}: expected ${expected.length} items, got ${actual.length}`);
    expected.forEach((e, i) => out.push(...diffSubset(e, actual[i], `${at}[${i}]`)));
    return out;
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
    return [`${at}: expected an object, got ${JSON.stringify(actual)}`];
  }
  const out: string[] = [];
  for (const [k, v] of Object.entries(expected as Record<string, unknown>)) {
    if (k.startsWith('//')) continue; // comments: the arithmetic behind a figure
    out.push(...diffSubset(v, (actual as Record<string, unknown>)[k], `${at}.${k}`));
  }
  return out;
}
