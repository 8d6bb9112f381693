// The `payouts` binary in a child process, as finance staff, cron and the drills run it. The child
// gets a clean environment: no fault injection, debug output, database, queue or operator of the
// parent's; what a test wants it to see, it passes in `env` or the global options.
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN, REPO } from './files.ts';

export interface CliOptions {
  /** The global options, given before the command. */
  db?: string;
  asOf?: string;
  operator?: string;
  /** The working directory; the repository unless given. */
  cwd?: string;
  /** Variables on top of the clean environment; `undefined` leaves one out. */
  env?: Record<string, string | undefined>;
  /** Options of node itself (a heap limit, a module to --import). */
  node?: string[];
  /** The child is killed with SIGKILL after this long (and says so on stderr). */
  timeoutMs?: number;
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface CliProcess {
  child: ChildProcess;
  pid: number;
  done: Promise<CliRun>;
}

/** What a child must not inherit: it would change what the command does behind the test's back. */
const INHERITED_NOT = [
  'PAYOUTS_FAIL_AT',
  'PAYOUTS_CRASH_AT',
  'PAYOUTS_PAUSE_AT',
  'PAYOUTS_PAUSE_MARKER',
  'PAYOUTS_PAUSE_TIMEOUT_MS',
  'PAYOUTS_DEBUG',
  'PAYOUTS_OPERATOR',
  'PAYOUTS_PGLITE_DIR',
  'PAYOUTS_QUEUE_PREFIX',
  'DATABASE_URL',
  'REDIS_URL',
];

/**
 * Progress lines (jobs/progress.ts) come every few seconds on a non-terminal stderr: a slow
 * machine would add lines to what a test compares. The child writes one only after ten minutes
 * unless the test asks for progress with a shorter PAYOUTS_PROGRESS_INTERVAL_MS in `env`.
 */
const QUIET_PROGRESS_MS = '600000';

function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = { ...process.env, PAYOUTS_PROGRESS_INTERVAL_MS: QUIET_PROGRESS_MS };
  for (const k of INHERITED_NOT) delete env[k];
  Object.assign(env, extra);
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return env as NodeJS.ProcessEnv;
}

/** Starts `payouts ARGS`; `done` settles when it has exited and its output is read. */
export function startCli(args: string[], opts: CliOptions = {}): CliProcess {
  const started = Date.now();
  const globals = [
    ...(opts.db !== undefined ? ['--db', opts.db] : []),
    ...(opts.asOf !== undefined ? ['--as-of', opts.asOf] : []),
    ...(opts.operator !== undefined ? ['--operator', opts.operator] : []),
  ];
  const child = spawn(process.execPath, [...(opts.node ?? []), BIN, ...globals, ...args], {
    cwd: opts.cwd ?? REPO,
    env: childEnv(opts.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<CliRun>((resolve, reject) => {
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            child.kill('SIGKILL');
            stderr += `\n[test] killed after ${opts.timeoutMs} ms`;
          }, opts.timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
  return { child, pid: child.pid!, done };
}

/** Runs `payouts ARGS` to the end. */
export function cli(args: string[], opts: CliOptions = {}): Promise<CliRun> {
  return startCli(args, opts).done;
}
