// Progress of long actions, on stderr (stdout stays the command's result), silenced by --quiet:
//  - progressBar: an action of known size (the demo's days, a composite's steps): a bar at a
//    terminal, otherwise a line every few seconds ("3/7 pay на 2025-03-18");
//  - heartbeat: an action of unknown length (an import, one step, a report): at a terminal the
//    elapsed time on one line, otherwise a line every few seconds. Quick commands print nothing:
//    the first line comes after the interval.
// cli-progress loads only when a bar is drawn.
import { createRequire } from 'node:module';

export interface Progress {
  start(total: number, label: string): void;
  update(done: number, label: string): void;
  stop(): void;
}

export interface ProgressOptions {
  /** --quiet: nothing at all. */
  quiet?: boolean;
  /** Kept for callers that pass --json: the progress goes to stderr, so it does not matter. */
  json?: boolean;
  stream?: NodeJS.WriteStream;
  /** What the lines are about (the command). */
  title?: string;
  /** How often a line is written when the stream is not a terminal (default 5 s; PAYOUTS_PROGRESS_INTERVAL_MS). */
  intervalMs?: number;
}

const silent: Progress = { start() {}, update() {}, stop() {} };
const requireLazy = createRequire(import.meta.url);

/** A bar is on the terminal: a heartbeat would scribble over it. */
let barActive = false;

function interval(opts: ProgressOptions): number {
  const env = Number(process.env.PAYOUTS_PROGRESS_INTERVAL_MS);
  return opts.intervalMs ?? (Number.isFinite(env) && env > 0 ? env : 5000);
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} с`;

export function progressBar(opts: ProgressOptions = {}): Progress {
  if (opts.quiet) return silent;
  const stream = opts.stream ?? process.stderr;
  const title = opts.title ? `${opts.title}: ` : '';
  if (!stream.isTTY) {
    // A line every few seconds, for cron's mail and CI logs.
    const every = interval(opts);
    let total = 0;
    let done = 0;
    let label = '';
    let started = 0;
    let timer: NodeJS.Timeout | undefined;
    const line = () => stream.write(`${title}${done}/${total}${label ? ` ${label}` : ''} (${seconds(Date.now() - started)})\n`);
    return {
      start(t, l) {
        total = t;
        label = l;
        started = Date.now();
        barActive = true;
        timer = setInterval(line, every);
        timer.unref();
      },
      update(d, l) {
        done = d;
        if (l) label = l;
      },
      stop() {
        if (timer) clearInterval(timer);
        timer = undefined;
        barActive = false;
      },
    };
  }
  const cliProgress = requireLazy('cli-progress') as typeof import('cli-progress');
  const bar = new cliProgress.SingleBar(
    { format: `${title} {bar} {value}/{total} {label}`, stream, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  return {
    start: (total, label) => {
      barActive = true;
      bar.start(total, 0, { label });
    },
    update: (done, label) => bar.update(done, { label }),
    stop: () => {
      bar.stop();
      barActive = false;
    },
  };
}

/**
 * Shows that an action of unknown length is still running, until `stop()`: at a terminal the
 * elapsed seconds on one line (erased at the end), otherwise a line every few seconds.
 */
export function heartbeat(label: string, opts: ProgressOptions = {}): { stop(): void } {
  if (opts.quiet) return { stop() {} };
  const stream = opts.stream ?? process.stderr;
  const started = Date.now();
  const tty = !!stream.isTTY;
  let drawn = false;
  const tick = () => {
    if (barActive) return;
    const text = `${label}: выполняется, ${seconds(Date.now() - started)}`;
    if (tty) {
      stream.write(`\r${text}\x1b[K`);
      drawn = true;
    } else {
      stream.write(`${text}\n`);
    }
  };
  const timer = setInterval(tick, tty ? 1000 : interval(opts));
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
