#!/usr/bin/env node
// Entry point. Runs the compiled CLI in dist/ (bin/build.mjs; `npm ci` builds it through the
// `prepare` script) when the build is complete and newer than every source file; otherwise the
// TypeScript sources through tsx, so that a checkout being edited, the tests and a clone without
// a build still work — only slower to start (≈1 s more). At a terminal, a stale build says so.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const BUILT = path.join(ROOT, 'dist', '.built');
// The same folders bin/build.mjs compiles.
const SOURCE_DIRS = ['bin', 'jobs', 'pipeline', 'reports', 'schemas', 'migrations'];

/** The newest modification time of a compiled or copied source (.ts, .mjs outside bin/) under `dir`. */
function newestSource(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'fonts') newest = Math.max(newest, newestSource(p));
    } else if (e.name.endsWith('.ts') || (e.name.endsWith('.mjs') && path.basename(dir) !== 'bin')) {
      newest = Math.max(newest, statSync(p).mtimeMs);
    }
  }
  return newest;
}

function distUpToDate() {
  if (process.env.PAYOUTS_NO_DIST === '1') return false;
  let built;
  try {
    built = statSync(BUILT).mtimeMs;
  } catch {
    return null; // never built
  }
  try {
    return SOURCE_DIRS.every((d) => newestSource(path.join(ROOT, d)) <= built);
  } catch {
    return false;
  }
}

const upToDate = distUpToDate();
if (upToDate) {
  await import('../dist/bin/payouts.js');
} else {
  if (upToDate === false && process.stderr.isTTY && process.env.PAYOUTS_NO_DIST !== '1') {
    process.stderr.write('payouts: dist/ старее исходников — запуск из TypeScript (медленнее); пересборка: npm run build\n');
  }
  const { register } = await import('tsx/esm/api');
  register();
  await import('./payouts.ts');
}
