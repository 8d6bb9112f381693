#!/usr/bin/env node
// Compiles the TypeScript sources the CLI runs into plain JavaScript under dist/ (the same tree:
// dist/bin, dist/jobs, dist/pipeline, dist/reports, dist/schemas, dist/migrations), so that
// `payouts` starts without compiling TypeScript at every run. `npm ci` runs it through the
// `prepare` script; `npm run build` runs it by hand. Each file is transpiled on its own (types
// are checked by `npm run lint`, not here), with the `.ts` of relative imports rewritten to `.js`.
//
// Files read at run time relative to the source (reference data, fonts, the demo's fixtures, the
// PDF worker) are where the compiled code looks for them: the data folders are symbolic links to
// the repository's own (one copy, a new reference file needs no rebuild), plain JavaScript
// modules are copied. dist/.built marks a finished build; bin/payouts.mjs runs dist only when
// that mark is newer than every source.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// TypeScript is a development dependency: an install without them (`npm ci --omit=dev`) has no
// compiler, and the CLI runs from the sources through tsx as before. Not an error.
let ts;
try {
  ts = (await import('typescript')).default;
} catch {
  process.stderr.write('payouts: TypeScript не установлен (npm ci --omit=dev?) — dist/ не собран, CLI запускается из исходников через tsx\n');
  process.exit(0);
}

const ROOT = path.resolve(import.meta.dirname, '..');
// `--out DIR` builds elsewhere (the tests); the default is dist/ beside the sources.
const outArg = process.argv.indexOf('--out');
const TARGET = outArg > 0 ? path.resolve(process.argv[outArg + 1]) : path.join(ROOT, 'dist');
// Built beside the target and swapped in at the end: a `payouts` started meanwhile runs the old
// build or, with no finished build, the sources; never a half-written one.
const DIST = `${TARGET}.new-${process.pid}`;
/** The source folders the CLI runs (tests and the benchmark run under vitest and tsx). */
export const SOURCE_DIRS = ['bin', 'jobs', 'pipeline', 'reports', 'schemas', 'migrations'];
/** Data folders read relative to the compiled code: linked, not copied. */
const LINKED = ['reference', 'fixtures', path.join('reports', 'fonts')];

const compilerOptions = {
  module: ts.ModuleKind.ESNext,
  target: ts.ScriptTarget.ES2022,
  rewriteRelativeImportExtensions: true,
  esModuleInterop: true,
  sourceMap: false,
};

function* files(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else yield p;
  }
}

const started = Date.now();
rmSync(DIST, { recursive: true, force: true });
let compiled = 0;
for (const dir of SOURCE_DIRS) {
  for (const file of files(path.join(ROOT, dir))) {
    const rel = path.relative(ROOT, file);
    if (LINKED.some((l) => rel.startsWith(`${l}${path.sep}`))) continue;
    const out = path.join(DIST, rel);
    mkdirSync(path.dirname(out), { recursive: true });
    if (file.endsWith('.ts') && !file.endsWith('.d.ts')) {
      const r = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions, fileName: file, reportDiagnostics: true });
      const errors = (r.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
      if (errors.length) {
        for (const d of errors) process.stderr.write(`${rel}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}\n`);
        process.exit(1);
      }
      writeFileSync(out.replace(/\.ts$/, '.js'), r.outputText);
      compiled++;
    } else if (/\.(mjs|js|json)$/.test(file) && path.dirname(rel) !== 'bin') {
      // Plain modules beside the sources (the PDF worker); bin/*.mjs are the entry and this script.
      copyFileSync(file, out);
    }
  }
}
for (const l of LINKED) {
  const link = path.join(DIST, l);
  mkdirSync(path.dirname(link), { recursive: true });
  symlinkSync(path.relative(path.dirname(link), path.join(ROOT, l)), link, 'dir');
}
writeFileSync(path.join(DIST, '.built'), `${new Date().toISOString()}\n`);
const old = `${TARGET}.old-${process.pid}`;
if (existsSync(TARGET)) renameSync(TARGET, old);
renameSync(DIST, TARGET);
rmSync(old, { recursive: true, force: true });
if (!process.env.npm_lifecycle_event || process.env.npm_lifecycle_event === 'build') {
  process.stderr.write(`${path.relative(process.cwd(), TARGET) || TARGET}: ${compiled} модулей скомпилировано за ${((Date.now() - started) / 1000).toFixed(1)} с\n`);
}
