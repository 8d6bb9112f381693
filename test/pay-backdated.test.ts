// Issue 13.6: a dated step is never run before the latest committed run of the same step.
// pay 2025-03-26 pays the one-month world's three rows; pay 2025-03-18 afterwards would date
// orders before orders that exist (and the deadline check would call them on time): refused,
// exit 4, nothing changed. The same for refund-unsent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StepBackdated } from '../pipeline/kernel/errors.ts';
import { pay } from '../pipeline/steps/pay/index.ts';
import { refundUnsent } from '../pipeline/steps/refund-unsent/index.ts';
import { counts, freshDb, type TestDb } from './support/db.ts';
import { tempDir } from './support/files.ts';
import { fundedWorld } from './support/one-month-world.ts';

let t: TestDb;
let out: string;

beforeAll(async () => {
  t = await freshDb();
  out = tempDir('payouts-backdated-');
  await fundedWorld(t.db);
});
afterAll(() => t.drop());

const TABLES = ['step_runs', 'payment_orders', 'payment_lines', 'ledger_entries', 'audit_events'];

describe('back-dated steps (issue 13.6)', () => {
  it('refuses pay dated before a committed pay, exit 4, nothing changed; a re-run of the later date is still a no-op', async () => {
    const later = await pay(t.db, { asOf: '2025-03-26', operator: 'кассир', outDir: out });
    expect(later.status).toBe('done');
    const before = await counts(t.db, TABLES);
    const err = await pay(t.db, { asOf: '2025-03-18', operator: 'кассир', outDir: out }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepBackdated);
    expect((err as StepBackdated).exitCode).toBe(4);
    expect((err as StepBackdated).rule).toBe('step-backdated');
    expect((err as Error).message).toMatch(/Шаг pay датой 2025-03-18 запрещён: .* уже выполнен датой 2025-03-26/);
    expect(await counts(t.db, TABLES)).toEqual(before);
    expect((await pay(t.db, { asOf: '2025-03-26', operator: 'кассир', outDir: out })).status).toBe('already-done');
  });

  it('refuses refund-unsent dated before a committed refund-unsent', async () => {
    expect((await refundUnsent(t.db, { asOf: '2025-03-31', operator: 'кассир', outDir: out })).status).toBe('done');
    const err = await refundUnsent(t.db, { asOf: '2025-03-28', operator: 'кассир', outDir: out }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepBackdated);
    expect((err as Error).message).toMatch(/Шаг refund-unsent датой 2025-03-28 запрещён/);
  });
});
