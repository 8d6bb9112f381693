import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeStaleTemps, tempPathFor } from '../pipeline/kernel/temp-files.ts';

/** A pid that surely ran and is gone now: a short child process, already reaped. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('temporary files of atomic writes', () => {
  it('are hidden and never end like the target, so nothing mistakes them for the file', () => {
    const tmp = tempPathFor('/out/payment-order_2025-7.xml');
    expect(path.dirname(tmp)).toBe('/out');
    expect(path.basename(tmp)).toMatch(new RegExp(`^\\.payment-order_2025-7\\.xml\\.${process.pid}\\.[0-9a-f]{8}\\.tmp$`));
  });

  it("removes a dead process's leftovers of the same target and keeps the rest", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'payouts-temps-'));
    const target = path.join(dir, 'payment-order_2025-7.xml');
    const dead = deadPid();
    const keep = [
      'payment-order_2025-7.xml',
      `.payment-order_2025-7.xml.${process.pid}.0badf00d.tmp`, // ours: maybe being written now
      `.payment-order_2025-8.xml.${dead}.deadbeef.tmp`, // another target
      `.payment-order_2025-7.xml.${process.ppid}.00c0ffee.tmp`, // a live process
    ];
    for (const f of [...keep, `.payment-order_2025-7.xml.${dead}.deadbeef.tmp`]) writeFileSync(path.join(dir, f), 'x');
    removeStaleTemps(target);
    expect(readdirSync(dir).sort()).toEqual([...keep].sort());
  });

  it('sweeps the leftovers of several targets in one call, and only theirs', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'payouts-temps-'));
    const dead = deadPid();
    const gone = [`.payment-order_2025-1.xml.${dead}.0000aaaa.tmp`, `.payment-order_2025-2.xml.${dead}.0000bbbb.tmp`];
    const keep = [`.payment-order_2025-3.xml.${dead}.0000cccc.tmp`, 'payment-order_2025-1.xml'];
    for (const f of [...gone, ...keep]) writeFileSync(path.join(dir, f), 'x');
    removeStaleTemps(path.join(dir, 'payment-order_2025-1.xml'), path.join(dir, 'payment-order_2025-2.xml'));
    expect(readdirSync(dir).sort()).toEqual([...keep].sort());
  });

  it('does nothing when the folder is gone', () => {
    expect(() => removeStaleTemps('/nonexistent-payouts-dir/x.xml')).not.toThrow();
  });
});
