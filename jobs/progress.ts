// Progress bars for long composite runs, only for a person at a terminal: nothing when stdout is
// not a TTY (cron, CI, pipes) or when --json asks for one machine-readable document.
import cliProgress from 'cli-progress';

export interface Progress {
  start(total: number, label: string): void;
  update(done: number, label: string): void;
  stop(): void;
}

const quiet: Progress = { start() {}, update() {}, stop() {} };

export function progressBar(opts: { json?: boolean; stream?: NodeJS.WriteStream } = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  if (opts.json || !process.stdout.isTTY || !stream.isTTY) return quiet;
  const bar = new cliProgress.SingleBar(
    { format: ' {bar} {value}/{total} {label}', stream, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  return {
    start: (total, label) => bar.start(total, 0, { label }),
    update: (done, label) => bar.update(done, { label }),
    stop: () => bar.stop(),
  };
}
