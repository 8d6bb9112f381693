// Injected faults (pipeline/kernel/faults.ts) as the in-process tests arm them.
import { expect } from 'vitest';
import { InjectedFault } from '../../pipeline/kernel/faults.ts';

/**
 * Runs `fn` with the fault point armed (PAYOUTS_FAIL_AT): it must fail there, with InjectedFault.
 * The point is disarmed afterwards, however `fn` ends.
 */
export async function failsAt(point: string, fn: () => Promise<unknown>): Promise<void> {
  process.env.PAYOUTS_FAIL_AT = point;
  try {
    await expect(fn()).rejects.toBeInstanceOf(InjectedFault);
  } finally {
    delete process.env.PAYOUTS_FAIL_AT;
  }
}
