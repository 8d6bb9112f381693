// The guide (README.md and docs/): every link inside the repository resolves, nothing points
// outside it, and every `payouts …` command it shows (in code) names a command, step, import kind or
// report form the CLI has.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IMPORT_KINDS } from '../pipeline/imports/kind.ts';
import { STEP_ORDER } from '../jobs/planner.ts';
import { FORMS } from '../reports/registry.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const GUIDE = ['README.md', ...readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => path.join('docs', f))];
const text = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** Text files of the repository (what git would carry): no dependencies, databases or outputs. */
function repositoryFiles(dir = ROOT): string[] {
  const skip = new Set(['node_modules', '.git', 'var', 'out', 'dist']);
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (skip.has(name)) continue;
    const full = path.join(dir, name);
    const st = statSync(full);
    if (st.isDirectory()) out.push(...repositoryFiles(full));
    else if (/\.(ts|mts|mjs|js|json|md|csv|txt|yml|yaml)$/.test(name) && st.size < 2_000_000) out.push(full);
  }
  return out;
}

describe('the guide', () => {
  it('has the pages the README links to, and README links the guide', () => {
    expect(GUIDE).toEqual(
      expect.arrayContaining(['docs/README.md', 'docs/input-files.md', 'docs/monthly-cycle.md', 'docs/requisites.md', 'docs/deadlines.md', 'docs/statements.md'].map((f) => path.normalize(f))),
    );
    expect(text('README.md')).toContain('](docs/README.md)');
  });

  it('links only to files that exist in the repository', () => {
    const broken: string[] = [];
    for (const file of GUIDE) {
      for (const [, target] of text(file).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target)) continue; // an external address
        const local = target.split('#')[0];
        if (!local) continue;
        if (!existsSync(path.resolve(ROOT, path.dirname(file), local))) broken.push(`${file} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('nothing in the repository points outside it (../shared, absolute machine paths)', () => {
    const pointers: string[] = [];
    for (const file of repositoryFiles()) {
      if (file === path.join(ROOT, 'test', 'docs.test.ts')) continue;
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (/\.\.\/shared\b|\/work\/|shared\/DOMAIN|shared\/INTERFACE|\/home\/[a-z]/.test(line)) pointers.push(`${path.relative(ROOT, file)}:${i + 1}`);
      });
    }
    expect(pointers).toEqual([]);
  });

  it('shows only commands the CLI has', () => {
    const top = new Set(['db', 'import', 'run', 'reconcile', 'orders', 'report', 'schedule', 'worker', 'scheduler', 'enqueue', 'dashboard', 'status', 'demo']);
    const runSteps = new Set<string>([...STEP_ORDER, 'nightly', 'monthly']);
    const importKinds = new Set<string>([...IMPORT_KINDS, 'statement', 'requisites', 'KIND']);
    const forms = new Set<string>([...FORMS, 'FORM']);
    const sub: Record<string, Set<string>> = {
      db: new Set(['migrate']),
      run: runSteps,
      import: importKinds,
      report: forms,
      reconcile: new Set(['sign']),
      orders: new Set(['show', 'approve', 'reject', 'export', 'show|approve|reject|export', 'show\\|approve\\|reject\\|export']),
    };
    const unknown: string[] = [];
    let seen = 0;
    for (const file of GUIDE) {
      for (const [, cmd, arg] of text(file).matchAll(/(?:^|`|npx )payouts ([a-z][a-z-]*)(?: ([A-Za-z|\\-]+))?/gm)) {
        seen++;
        if (!top.has(cmd)) unknown.push(`${file}: payouts ${cmd}`);
        else if (sub[cmd] && arg !== undefined && !arg.startsWith('-') && !sub[cmd].has(arg)) unknown.push(`${file}: payouts ${cmd} ${arg}`);
      }
    }
    expect(seen).toBeGreaterThan(40);
    expect(unknown).toEqual([]);
  });
});
