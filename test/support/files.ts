// Where things are for the tests: the repository, the `payouts` binary, temporary folders.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const REPO = path.resolve(import.meta.dirname, '..', '..');
export const BIN = path.join(REPO, 'bin', 'payouts.mjs');

/** A new empty folder under the system's temporary directory; the caller removes it. */
export function tempDir(prefix = 'payouts-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}
