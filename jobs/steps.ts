// The one mapping from a step's name to the pipeline function that runs it. The CLI composites,
// the in-process runner and the BullMQ worker all go through here, so they run the same code.
import type { Db } from '../pipeline/db.ts';
import type { StepOutcome } from '../pipeline/step-run.ts';
import type { StepName } from './planner.ts';
import { buildLists } from '../pipeline/lists.ts';
import { formDemand } from '../pipeline/demand.ts';
import { pay } from '../pipeline/payments.ts';
import { refundUnsent } from '../pipeline/refund-unsent.ts';
import { reconcile } from '../pipeline/reconciliation.ts';
import { computeBankFees } from '../pipeline/fees.ts';
import { checkDeadlines } from '../pipeline/deadlines.ts';

export interface StepOptions {
  month?: string;
  asOf: string;
  operator: string;
  dryRun?: boolean;
  /** Where pay and refund-unsent write their pain.001 files (their default: out/payment-orders). */
  outDir?: string;
}

export type StepFunction = (db: Db, opts: StepOptions) => Promise<StepOutcome<unknown>>;

/** Finds the function of a step; the worker and the runner take one so tests can add their own. */
export type StepResolver = (step: StepName) => Promise<StepFunction>;

/** A step whose module is not part of this build (yet). */
export class StepUnavailableError extends Error {}

// Steps run by name. Each is `(db, { month?, asOf, operator, dryRun? }) => StepOutcome` (the
// STEP CONVENTIONS); pay and refund-unsent also write pain.001 files beside their orders.
export const STEPS: Record<StepName, StepFunction> = {
  'build-lists': buildLists,
  'form-demand': formDemand,
  pay,
  'refund-unsent': refundUnsent,
  reconcile,
  'bank-fees': computeBankFees,
  'check-deadlines': checkDeadlines,
};

export const stepFunction: StepResolver = async (step) => {
  const f = STEPS[step];
  if (!f) throw new StepUnavailableError(`Шаг ${step} недоступен в этой сборке`);
  return f;
};
