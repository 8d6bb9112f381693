// Fault injection for the failure drills (test/drills*.test.ts, `npm run drills`). Without these
// variables faultPoint does nothing:
//  - PAYOUTS_CRASH_AT=<point> kills the process with SIGKILL when it reaches that point;
//  - PAYOUTS_FAIL_AT=<point> throws InjectedFault there instead (for in-process tests);
//  - PAYOUTS_PAUSE_AT=<point> with PAYOUTS_PAUSE_MARKER=<file>: writes the marker file (JSON
//    {point, pid}) and blocks there until the file is removed, so that a drill can cut the
//    step's database connection at that very moment; then the step carries on (and fails on its
//    dead connection). It gives up after PAYOUTS_PAUSE_TIMEOUT_MS (default 60 000) with
//    InjectedFault.
// A point may be written `<point>#<n>`: the fault then fires only the n-th time the process
// reaches the point (a chunk loop's second chunk, say); a plain `<point>` fires every time.
import { existsSync, writeFileSync } from 'node:fs';

export class InjectedFault extends Error {}

const hits = new Map<string, number>();

/** Whether the variable names this point at this hit. */
function targets(value: string | undefined, point: string, hit: number): boolean {
  if (!value) return false;
  const at = value.lastIndexOf('#');
  if (at < 0) return value === point;
  return value.slice(0, at) === point && Number(value.slice(at + 1)) === hit;
}

function pause(point: string): void {
  const marker = process.env.PAYOUTS_PAUSE_MARKER;
  if (!marker) throw new InjectedFault(`PAYOUTS_PAUSE_AT=${point} needs PAYOUTS_PAUSE_MARKER (the marker file)`);
  writeFileSync(marker, JSON.stringify({ point, pid: process.pid }));
  const timeoutMs = Number(process.env.PAYOUTS_PAUSE_TIMEOUT_MS || 60_000);
  const deadline = Date.now() + timeoutMs;
  // Block the whole process (no event loop): nothing of the step moves while it is paused.
  const cell = new Int32Array(new SharedArrayBuffer(4));
  while (existsSync(marker)) {
    if (Date.now() > deadline) throw new InjectedFault(`paused at ${point} for more than ${timeoutMs} ms`);
    Atomics.wait(cell, 0, 0, 20);
  }
}

export function faultPoint(point: string): void {
  const { PAYOUTS_CRASH_AT: crash, PAYOUTS_FAIL_AT: fail, PAYOUTS_PAUSE_AT: pauseAt } = process.env;
  if (!crash && !fail && !pauseAt) return;
  const hit = (hits.get(point) ?? 0) + 1;
  hits.set(point, hit);
  if (targets(crash, point, hit)) process.kill(process.pid, 'SIGKILL');
  if (targets(fail, point, hit)) throw new InjectedFault(`injected fault at ${point}`);
  if (targets(pauseAt, point, hit)) pause(point);
}
