// The CLI's start time, as a person feels it: `payouts --help` and a usage error (an unknown
// command), each run a few times in a fresh process; the median wall time and the median CPU time
// of the child (user + system, less sensitive to a busy machine). Whether the compiled dist/ ran
// (bin/payouts.mjs falls back to tsx when dist/ is missing or older than the sources) is reported.
//   node --import tsx bench/cli-start.ts [--runs N]
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'payouts.mjs');

export interface CliStart {
  /** dist/ is built (bin/payouts.mjs runs it when it is newer than every source). */
  compiled: boolean;
  help_ms: number;
  help_cpu_ms: number;
  usage_error_ms: number;
  usage_error_cpu_ms: number;
  runs: number;
}

// The child reports its own CPU time as it exits (no --import of TypeScript needed).
const PROBE =
  'data:text/javascript,process.on("exit",()=>{const u=process.cpuUsage();process.stderr.write(`\\ncpu_us=${u.user+u.system}\\n`)})';

function once(args: string[]): Promise<{ ms: number; cpuMs: number; code: number | null }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', PROBE, BIN, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, DATABASE_URL: '', REDIS_URL: '' },
    });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const m = /cpu_us=(\d+)/.exec(err);
      resolve({ ms, cpuMs: m ? Number(m[1]) / 1000 : NaN, code });
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function measureCliStart(runs = 5): Promise<CliStart> {
  let compiled = false;
  try {
    compiled = statSync(path.join(ROOT, 'dist', '.built')).isFile();
  } catch {
    compiled = false;
  }
  const help: { ms: number; cpuMs: number }[] = [];
  const usage: { ms: number; cpuMs: number }[] = [];
  for (let i = 0; i < runs; i++) {
    help.push(await once(['--help']));
    usage.push(await once(['no-such-command']));
  }
  const round = (x: number) => Math.round(x);
  return {
    compiled,
    help_ms: round(median(help.map((r) => r.ms))),
    help_cpu_ms: round(median(help.map((r) => r.cpuMs))),
    usage_error_ms: round(median(usage.map((r) => r.ms))),
    usage_error_cpu_ms: round(median(usage.map((r) => r.cpuMs))),
    runs,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--runs');
  const r = await measureCliStart(i > 0 ? Number(process.argv[i + 1]) : 5);
  process.stdout.write(
    `CLI start (${r.compiled ? 'dist/' : 'tsx'}): --help ${r.help_ms} ms (CPU ${r.help_cpu_ms} ms), ` +
      `usage error ${r.usage_error_ms} ms (CPU ${r.usage_error_cpu_ms} ms), median of ${r.runs}\n`,
  );
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
