// `pay` on a working day D (DOMAIN.md §3 "Decision on payment orders", §4.3): payment orders dated
// D for
//  (a) every demand row funded by a transfer received on or before D and not yet paid — a
//      'payout' line to the provider's current bank details (latest version changed on or before
//      D); details marked incorrect are not paid to: the row waits for new details;
//  (b) every returned sum not yet repaid or sent back whose provider's current bank details (the
//      latest version changed on or before D) are not the version the returned line went to and
//      are not marked incorrect — a 'repayment' line from the money ГК already holds, no new
//      demand. When the new details are dated does not matter: a provider who moved banks (new
//      details dated after the payment) and closed the old account, whose payment the bank then
//      returned, is repaid to the new account although the details predate the return. If the
//      current version is the returned one, or is itself marked incorrect, the sum waits rather
//      than going to the returned or to an older, superseded account.
// What cannot be paid is not lost: it is listed in the summary as waiting for new details.
// One order per (МИО, bank БИК, D); numbers gapless per year. Four eyes (issue 16, on unless the
// site turned it off): the orders are only prepared — no ledger entry, no bank file — and wait for
// `payouts orders approve` by another operator (pipeline/orders/approval.ts). Off: pay approves
// its own orders, posts them and writes their pain.001 files after the commit.
//
// Idempotence: the step is keyed by D. A re-run on an unchanged world is a no-op (and rewrites
// the same files). A re-run after the world changed for D — e.g. a transfer dated D that arrived
// after the run — is refused loudly; the next working day's `pay` takes those rows.
//
// The plan is staged in staging.ts; orders are issued and written by pipeline/orders/.
import type { Db, Trx } from '../../kernel/db.ts';
import { faultPoint } from '../../kernel/faults.ts';
import { formatAmount, sum } from '../../kernel/money.ts';
import { assertNotBackdated, runStep, type StepOutcome } from '../../kernel/step-run.ts';
import { assertWorkingDay, issueOrdersFrom, orderResult, type OrderResult } from '../../orders/issuing.ts';
import { assertOutDir, checkOrderFiles, DEFAULT_ORDERS_DIR, orderFileName, writeRunOrderFiles, type OrderStepOptions } from '../../orders/files.ts';
import { fourEyesRequired } from '../../rules/four-eyes.ts';
import { assertDate } from '../../kernel/dates.ts';
import { ACTIONABLE_LINES, paidTotals, planDigest, stagePayPlan, waitingItems, type PaidTotals, type PayInputs, type WaitingItem } from './staging.ts';

export type { PaidTotals, PayInputs, WaitingItem } from './staging.ts';

export type PayOptions = OrderStepOptions;

export interface PayResult {
  date: string;
  orders: OrderResult[];
  payouts: PaidTotals;
  repayments: PaidTotals;
  waiting: WaitingItem[];
  /** True: the orders wait for a second operator's approval (four eyes); false: pay approved them. */
  awaitingApproval: boolean;
}

/** The outcome and the files: written, and still to write after a failed write (the step is committed). */
export type PayOutcome = StepOutcome<PayResult> & { files: string[]; pendingFiles: string[]; fileError: string | null; filesRefused: string | null };

function summarize(r: PayResult): Record<string, unknown> {
  return {
    date: r.date,
    orders: r.orders.map((o) => ({
      number: o.number,
      mio_bin: o.mio_bin,
      bik: o.bik,
      count: o.count,
      total: o.total,
      file: orderFileName(o.year, o.number),
    })),
    awaiting_approval: r.awaitingApproval && r.orders.length > 0,
    payouts: r.payouts,
    repayments: r.repayments,
    total: formatAmount(sum([r.payouts.amount, r.repayments.amount])),
    waiting_for_details: {
      count: r.waiting.length,
      amount: formatAmount(sum(r.waiting.map((w) => w.amount))),
      items: r.waiting.map((w) => ({
        kind: w.kind,
        [w.kind === 'payout' ? 'demand_row_id' : 'return_id']: w.id,
        mio_bin: w.mioBin,
        provider_id: w.providerId,
        amount: w.amount,
        reason: w.reason,
      })),
    },
  };
}

/**
 * `payouts run pay`: payment orders dated `asOf` (a working day) for funded rows and for returns
 * whose bank details were fixed. After the commit (and on an already-done re-run) the orders'
 * pain.001 files are (re)written to `outDir`; their paths come back in `files`.
 */
export async function pay(db: Db, opts: PayOptions): Promise<PayOutcome> {
  const date = assertDate(opts.asOf);
  await assertWorkingDay(db, date, 'платёжные поручения в нерабочий день не выписываются');
  if (!opts.dryRun) assertOutDir(opts.outDir ?? DEFAULT_ORDERS_DIR);
  const outcome = await runStep<PayInputs, PayResult>(db, {
    step: 'pay',
    key: date,
    asOf: date,
    operator: opts.operator,
    dryRun: opts.dryRun,
    // Only what pay acts on is hashed: a change in what merely waits does not refuse a re-run.
    // The plan staged here (under the pipeline lock) is the one apply pays.
    inputs: async (trx: Trx, ownRunId) => {
      await assertNotBackdated(trx, 'pay', date, ownRunId, 'выпуск платёжных поручений (pay)');
      await stagePayPlan(trx, date, ownRunId);
      return planDigest(trx, date);
    },
    summarize,
    apply: async ({ trx, runId }) => {
      // A first run (apply never runs again under the same key), so the staged plan counts no own lines.
      faultPoint('pay.planned');
      const fourEyes = await fourEyesRequired(trx);
      const orders = await issueOrdersFrom(trx, { date, runId, kind: 'provider', approve: !fourEyes }, ACTIONABLE_LINES);
      // Orders approved at once get their files after the commit: checked before it (issue 13.1).
      if (!fourEyes) await checkOrderFiles(trx, orders.map((o) => o.id));
      faultPoint('pay.orders-issued');
      return {
        date,
        orders: orders.map(orderResult),
        ...(await paidTotals(trx)),
        waiting: await waitingItems(trx),
        awaitingApproval: fourEyes,
      };
    },
  });
  const written = await writeRunOrderFiles(db, outcome, 'provider', opts.outDir, 'pay.committed');
  return Object.assign(outcome, { files: written.files, pendingFiles: written.pending, fileError: written.error, filesRefused: written.refused });
}
