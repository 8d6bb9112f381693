// `payouts run check-deadlines`: every deadline of DOMAIN.md §9 the data can show, judged as of
// the date (deadlines.ts: the rules, their due dates and how an item is judged), stored in
// deadline_checks so the report of that date shows what the check saw.
import type { Knex } from 'knex';
import type { Db } from '../../kernel/db.ts';
import { assertDate } from '../../kernel/dates.ts';
import { runStep, type StepOptions, type StepOutcome } from '../../kernel/step-run.ts';
import { insertInChunks } from '../../kernel/bulk.ts';
import { faultPoint } from '../../kernel/faults.ts';
import { computeDeadlines, RULE_ORDER, type DeadlineItem, type DeadlineStatus } from './deadlines.ts';
import { ordersAwaitingApproval } from '../../orders/approval.ts';
import { formatAmount, sum } from '../../kernel/money.ts';

type Q = Knex | Knex.Transaction;

export const CHECK_DEADLINES_STEP = 'check-deadlines';

/** The deadlines of a date as the report shows them: those stored by the check of that date, else live. */
export async function deadlineItems(db: Q, asOf: string): Promise<{ items: DeadlineItem[]; checked: boolean }> {
  const stored: DeadlineItem[] = await db('deadline_checks')
    .where('as_of', asOf)
    .select('rule', 'object', 'due', 'status', 'days_late')
    .orderBy([{ column: 'due' }, { column: 'id' }]);
  if (stored.length > 0) return { items: stored.map((s) => ({ ...s, days_late: Number(s.days_late) })), checked: true };
  const run = await db('step_runs').where({ step: CHECK_DEADLINES_STEP, run_key: asOf }).first('id');
  if (run) return { items: [], checked: true };
  return { items: await computeDeadlines(db, asOf), checked: false };
}

export interface CheckDeadlinesResult {
  as_of: string;
  items: DeadlineItem[];
  /** Payment orders prepared by `pay` and not yet approved or rejected as of the date (four eyes). */
  awaiting_approval: { number: number; date: string; mio_bin: string; total: string }[];
}

function countBy(items: DeadlineItem[], status: DeadlineStatus): number {
  return items.filter((i) => i.status === status).length;
}

/** `payouts run check-deadlines`: the deadlines as of the date, stored in deadline_checks. */
export async function checkDeadlines(
  db: Db,
  opts: StepOptions,
): Promise<StepOutcome<CheckDeadlinesResult>> {
  const asOf = assertDate(opts.asOf);
  return runStep<DeadlineItem[], CheckDeadlinesResult>(db, {
    step: CHECK_DEADLINES_STEP,
    key: asOf,
    asOf,
    operator: opts.operator,
    dryRun: opts.dryRun,
    // The step writes only deadline_checks, which no rule reads: the items are its inputs.
    inputs: (trx) => computeDeadlines(trx, asOf),
    async apply({ trx, runId }, items) {
      faultPoint('check-deadlines.computed');
      await insertInChunks(
        trx,
        'deadline_checks',
        items.map((i) => ({ as_of: asOf, rule: i.rule, object: i.object, due: i.due, status: i.status, days_late: i.days_late, run_id: runId })),
        'check-deadlines.rows-half',
      );
      const awaiting = (await ordersAwaitingApproval(trx, asOf)).map((o) => ({ number: o.number, date: o.date, mio_bin: o.mio_bin, total: o.total }));
      return { as_of: asOf, items, awaiting_approval: awaiting };
    },
    summarize: (r) => {
      const breached = r.items.filter((i) => i.status === 'breached');
      return {
        as_of: r.as_of,
        items: r.items.length,
        met: countBy(r.items, 'met'),
        met_late: countBy(r.items, 'met_late'),
        open: countBy(r.items, 'open'),
        breached: breached.length,
        breached_by_rule: Object.fromEntries(
          RULE_ORDER.map((rule) => [rule, breached.filter((i) => i.rule === rule).length]).filter(([, n]) => n !== 0),
        ),
        awaiting_approval: r.awaiting_approval,
        awaiting_approval_total: formatAmount(sum(r.awaiting_approval.map((o) => o.total))),
      };
    },
  });
}
