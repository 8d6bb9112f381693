// The one mapping from a step's name to the pipeline function that runs it. The CLI composites,
// the in-process runner and the BullMQ worker all go through here, so they run the same code.
import type { Db } from '../pipeline/kernel/db.ts';
import type { StepOutcome } from '../pipeline/kernel/step-run.ts';
import type { OrderStepOptions } from '../pipeline/orders/files.ts';
import type { StepName } from './planner.ts';
import { buildLists } from '../pipeline/steps/build-lists/index.ts';
import { formDemand } from '../pipeline/steps/form-demand/index.ts';
import { pay } from '../pipeline/steps/pay/index.ts';
import { refundUnsent } from '../pipeline/steps/refund-unsent/index.ts';
import { reconcile } from '../pipeline/steps/reconcile/index.ts';
import { computeBankFees } from '../pipeline/steps/bank-fees/index.ts';
import { checkDeadlines } from '../pipeline/steps/check-deadlines/index.ts';

/** The options every step takes; outDir is where pay and refund-unsent write their pain.001 files. */
export type StepOptions = OrderStepOptions;

export type StepFunction = (db: Db, opts: StepOptions) => Promise<StepOutcome<unknown>>;

/** Finds the function of a step; the worker and the runner take one so tests can add their own. */
export type StepResolver = (step: StepName) => Promise<StepFunction>;

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

export const stepFunction: StepResolver = async (step) => STEPS[step];
