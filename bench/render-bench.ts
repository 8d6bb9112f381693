// Renderer benchmark: a 50 000-row Appendix 1-like list (18 columns) to XLSX and to PDF volumes.
// Each format runs in its own child process so that its peak RSS is its own; prints one JSON line.
//
//   node --import tsx bench/render-bench.ts [--rows N] [--max-rows-per-volume N] [--keep]
//   node --import tsx bench/render-bench.ts --phase xlsx|pdf --out DIR [...]   (one phase, used by the above)
//
// Targets: XLSX < 15 s; PDF peak RSS < 600 MB.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderXlsx } from '../reports/render/xlsx.ts';
import { renderPdf, DEFAULT_MAX_ROWS_PER_VOLUME } from '../reports/render/pdf.ts';
import { syntheticAppendix1Document } from '../reports/render/sample.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const rows = Number(arg('--rows') ?? 50_000);
const maxRowsPerVolume = Number(arg('--max-rows-per-volume') ?? DEFAULT_MAX_ROWS_PER_VOLUME);
const phase = arg('--phase');

const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024); // maxRSS is in KiB

async function runPhase(which: string, outDir: string): Promise<Record<string, unknown>> {
  const doc = syntheticAppendix1Document(rows); // rows are generated lazily as the renderer pulls them
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const cpu = () => round((process.cpuUsage(c0).user + process.cpuUsage(c0).system) / 1e6); // all threads
  if (which === 'xlsx') {
    const file = path.join(outDir, 'list.xlsx');
    await renderXlsx(doc, file, { personalData: true });
    return { xlsx_s: round((performance.now() - t0) / 1000), xlsx_cpu_s: cpu(), xlsx_mb: round((await stat(file)).size / 2 ** 20), xlsx_peak_rss_mb: peakRssMb() };
  }
  const files = await renderPdf(doc, outDir, 'list', { personalData: true, maxRowsPerVolume });
  let bytes = 0;
  for (const f of files) bytes += (await stat(f)).size;
  return {
    pdf_s: round((performance.now() - t0) / 1000),
    pdf_cpu_s: cpu(),
    pdf_volumes: files.length,
    pdf_mb: round(bytes / 2 ** 20),
    pdf_peak_rss_mb: peakRssMb(),
  };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

if (phase) {
  const out = arg('--out');
  if (!out) throw new Error('--out DIR is required with --phase');
  process.stdout.write(`${JSON.stringify(await runPhase(phase, out))}\n`);
} else {
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'payouts-render-bench-'));
  const self = fileURLToPath(import.meta.url);
  const result: Record<string, unknown> = { bench: 'render', rows, columns: 18, max_rows_per_volume: maxRowsPerVolume };
  try {
    for (const p of ['xlsx', 'pdf']) {
      const child = spawnSync(
        process.execPath,
        [...process.execArgv, self, '--phase', p, '--out', outDir, '--rows', String(rows), '--max-rows-per-volume', String(maxRowsPerVolume)],
        { encoding: 'utf8', maxBuffer: 1 << 20 },
      );
      if (child.status !== 0) throw new Error(`${p} phase failed:\n${child.stderr}`);
      Object.assign(result, JSON.parse(child.stdout.trim().split('\n').pop() as string));
    }
    result.targets_met = (result.xlsx_s as number) < 15 && (result.pdf_peak_rss_mb as number) < 600;
    if (process.argv.includes('--keep')) result.out = outDir;
    else result.files = (await readdir(outDir)).length;
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    if (!process.argv.includes('--keep')) await rm(outDir, { recursive: true, force: true });
  }
}
