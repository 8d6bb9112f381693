// Four eyes in tests (issue 16): `pay` prepares orders, a second operator approves them. Tests
// that are about what pay pays (not about approval) run pay and then approve as APPROVER, and see
// the files as pay used to write them.
import type { Db } from '../../pipeline/kernel/db.ts';
import { approveOrders, type ApproveOutcome } from '../../pipeline/orders/approval.ts';
import { pay, type PayOptions, type PayOutcome } from '../../pipeline/steps/pay/index.ts';

/** The second operator of the tests: never the one who ran pay. */
export const APPROVER = 'контролёр';

/** Approves every prepared order dated `date` as APPROVER on `asOf` (default `date`); null when there is no order that day. */
export async function approveDay(db: Db, date: string, opts: { outDir?: string; asOf?: string; operator?: string } = {}): Promise<ApproveOutcome | null> {
  const any = await db('payment_orders').where({ order_date: date }).first('id');
  if (!any) return null;
  return approveOrders(db, { date, asOf: opts.asOf ?? date, operator: opts.operator ?? APPROVER, outDir: opts.outDir });
}

/**
 * `pay`, then the approval of its orders by APPROVER on the same day: the outcome of pay with the
 * files the approval wrote (none for a dry run).
 */
export async function payApproved(db: Db, opts: PayOptions): Promise<PayOutcome> {
  const outcome = await pay(db, opts);
  if (outcome.status === 'dry-run') return outcome;
  const approved = await approveDay(db, opts.asOf, { outDir: opts.outDir });
  if (approved) Object.assign(outcome, { files: approved.files, pendingFiles: approved.pendingFiles, fileError: approved.fileError });
  return outcome;
}
