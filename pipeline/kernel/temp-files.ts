// Temporary files for the atomic write of an output file (write beside it, then rename).
// The temporary name is hidden and never ends like the target (`.<name>.<pid>.<hex>.tmp`), so a
// process killed between the write and the rename leaves nothing that a bank upload or a reader
// of the outbox could mistake for a real file; the next successful write of the same target
// removes what such dead processes left.
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary files of the given targets left by processes that are no longer running:
 * one directory read per folder, however many targets (a payment run writes hundreds of files).
 */
export function removeStaleTemps(...targets: string[]): void {
  const byDir = new Map<string, Set<string>>();
  for (const t of targets) {
    const dir = path.dirname(t);
    const names = byDir.get(dir) ?? new Set<string>();
    names.add(path.basename(t));
    byDir.set(dir, names);
  }
  for (const [dir, bases] of byDir) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      // .<target>.<pid>.<hex>.tmp
      const m = /^\.(.+)\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name);
      if (!m || !bases.has(m[1]) || alive(Number(m[2]))) continue;
      rmSync(path.join(dir, name), { force: true });
    }
  }
}
