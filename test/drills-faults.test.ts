// pipeline/kernel/faults.ts, the switch of the drills: silent without its variables; PAYOUTS_FAIL_AT
// throws at every hit of a plain point and only at the n-th hit of `point#n`; PAYOUTS_PAUSE_AT
// writes its marker and gives up after its timeout.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { faultPoint, InjectedFault } from '../pipeline/kernel/faults.ts';

const VARS = ['PAYOUTS_CRASH_AT', 'PAYOUTS_FAIL_AT', 'PAYOUTS_PAUSE_AT', 'PAYOUTS_PAUSE_MARKER', 'PAYOUTS_PAUSE_TIMEOUT_MS'];
afterEach(() => {
  for (const v of VARS) delete process.env[v];
});

describe('faultPoint', () => {
  it('does nothing without the variables, or at another point', () => {
    expect(() => faultPoint('drills.silent')).not.toThrow();
    process.env.PAYOUTS_FAIL_AT = 'drills.other';
    expect(() => faultPoint('drills.silent')).not.toThrow();
  });

  it('a plain point fails every time it is reached; point#n only the n-th time', () => {
    process.env.PAYOUTS_FAIL_AT = 'drills.every';
    expect(() => faultPoint('drills.every')).toThrow(InjectedFault);
    expect(() => faultPoint('drills.every')).toThrow('injected fault at drills.every');
    process.env.PAYOUTS_FAIL_AT = 'drills.nth#3';
    const hits = [1, 2, 3, 4].map(() => {
      try {
        faultPoint('drills.nth');
        return 'passed';
      } catch (err) {
        return err instanceof InjectedFault ? 'failed' : 'other';
      }
    });
    expect(hits).toEqual(['passed', 'passed', 'failed', 'passed']);
  });

  it('a pause writes its marker with the point and the pid, and gives up after its timeout', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'payouts-faults-'));
    try {
      const marker = path.join(dir, 'paused.json');
      process.env.PAYOUTS_PAUSE_AT = 'drills.pause';
      process.env.PAYOUTS_PAUSE_MARKER = marker;
      process.env.PAYOUTS_PAUSE_TIMEOUT_MS = '150';
      const started = Date.now();
      expect(() => faultPoint('drills.pause')).toThrow(/paused at drills\.pause for more than 150 ms/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
      expect(existsSync(marker)).toBe(true);
      expect(JSON.parse(readFileSync(marker, 'utf8'))).toEqual({ point: 'drills.pause', pid: process.pid });
      delete process.env.PAYOUTS_PAUSE_MARKER;
      expect(() => faultPoint('drills.pause')).toThrow(/needs PAYOUTS_PAUSE_MARKER/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
