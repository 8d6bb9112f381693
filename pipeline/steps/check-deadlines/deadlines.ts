// Deadlines (DOMAIN.md §9; Алгоритм … (приказ № 277 / № 459/НҚ), п. 14–22 only: the earlier
// reimbursement rules, which set the act submission, acceptance, rework and 10-working-day
// payment deadlines, were repealed on 01.07.2023). Every deadline the data can show, judged as
// of a date. One item per (rule, object):
//
//   rule                   object                                   due                                   met by
//   demand-request         demand:<month>:<mio>                     request_due (next wd after formed_on)  the request in the outbox
//   funding                demand:<month>:<mio>                     funding_due (2 wd after request_on)   the first transfer that funded
//                                                                                                         rows of it: a partial transfer in
//                                                                                                         time is on time, the unfunded rest
//                                                                                                         is shown by the demand report
//   payment                demand:<month>:<mio>:act:<prov>/<act>    2 working days after funded_on        the bank's debit of the order where a
//                                                                                         statement confirmed it, else its order date
//                          (a sum demanded again after it was sent back: …:return:<ref>)
//   return-relayed         return:<ref>                             next working day after returned_on     Е-Собес notification
//   return-shown           return:<ref>                             1 working day after it was relayed     provider-cabinet notification
//   repayment              return:<ref>                             2 wd after max(new details, return)    repayment's order date
//                          (sent back on or before that due day: the payout of the sum demanded again)
//   sent-back              return:<ref>                             last wd of the month after the return  to_mio order date
//   reconciliation-signed  reconciliation:<period>:<mio>            25th of period+1 (next wd if off)      `reconcile sign --signed-on`
//   reconciliation-copies  reconciliation:<period>:<mio>            10th of period+2 (next wd if off)      `reconcile sign --copies-received-on`
//
// A deadline stated as a calendar date that falls on a non-working day moves to the next working
// day (pipeline/rules/act-window.ts). The acts watched are those of every period whose act's
// date has come: the МИО had money moving at ГК in its window (25th of M, 25th of M+1], or the
// act was built.
//
// Status: 'met' (done on or before due), 'met_late' (done after), 'open' (not done, due not
// passed), 'breached' (not done and due passed, or closed without being done: a repayment whose
// sum was sent back to the МИО instead, a sum repaid after its send-back day). days_late =
// calendar.workingDaysBetween(due, done or as-of). Only events dated on or before as-of count.
//
// What is listed: every item not yet closed, and the items closed from the first day of the
// previous month on (so a nightly check always shows what was met or missed recently, and the
// table deadline_checks stays bounded). Sums sent back and demanded again are watched by the
// demand rules.
import type { Knex } from 'knex';
import { addMonths, assertDate, firstDayOfMonth, monthOf } from '../../kernel/dates.ts';
import { actDeadlines, actWindow } from '../../rules/act-window.ts';
import type { Calendar } from '../../kernel/calendar.ts';
import { loadCalendar } from '../../kernel/reference.ts';
import { returnNotificationKey } from '../../returns.ts';
import { returnStates } from '../../rules/return-state.ts';
import { demandFunding } from '../../rules/demand-funding.ts';
import { sendBackDeadline } from '../../rules/send-back.ts';
import { DEADLINE_RULES, DEADLINE_STATUSES } from '../../../schemas/reports/deadlines.ts';

type Q = Knex | Knex.Transaction;

// The rules, in the order the report lists them on one due date, and the statuses: one home, the
// report's schema.
export type DeadlineRule = (typeof DEADLINE_RULES)[number];

export type DeadlineStatus = (typeof DEADLINE_STATUSES)[number];

export interface DeadlineItem {
  rule: DeadlineRule;
  object: string;
  due: string;
  status: DeadlineStatus;
  days_late: number;
}

/** Done on `on` (fulfilled), closed on `on` without being done, or still pending. */
type Outcome = { done: string } | { closedUndone: string } | null;

/** Judges one deadline as of a date. */
export function judgeDeadline(calendar: Calendar, due: string, asOf: string, outcome: Outcome): { status: DeadlineStatus; days_late: number } {
  if (outcome && 'done' in outcome) {
    const late = outcome.done > due;
    return { status: late ? 'met_late' : 'met', days_late: late ? calendar.workingDaysBetween(due, outcome.done) : 0 };
  }
  const until = outcome ? outcome.closedUndone : asOf;
  if (until <= due) return { status: 'open', days_late: 0 };
  return { status: 'breached', days_late: calendar.workingDaysBetween(due, until) };
}

class Collector {
  readonly items: DeadlineItem[] = [];
  constructor(
    private readonly calendar: Calendar,
    private readonly asOf: string,
    private readonly windowStart: string,
  ) {}

  add(rule: DeadlineRule, object: string, due: string, outcome: Outcome): void {
    // An obligation that ended otherwise before it fell due was never missed: no item. (A refund
    // whose sum was sent back on or before its due day is not such a case: returnRules follows
    // it to the payout of the sum demanded again.)
    if (outcome && 'closedUndone' in outcome && outcome.closedUndone <= due) return;
    const closedOn = outcome ? ('done' in outcome ? outcome.done : outcome.closedUndone) : null;
    if (closedOn !== null && closedOn < this.windowStart) return;
    this.items.push({ rule, object, due, ...judgeDeadline(this.calendar, due, this.asOf, outcome) });
  }
}

const done = (d: string | null): Outcome => (d === null ? null : { done: d });

async function demandRules(db: Q, c: Collector, cal: Calendar, asOf: string, windowStart: string): Promise<void> {
  const { rows: demands } = await db.raw(
    `select d.month, d.mio_bin, d.request_due, d.funding_due, n.created_on as requested_on, f.first_funded_on
       from demands d
       join (${demandFunding(':asOf')}) f on f.demand_id = d.id
       left join notifications n on n.dedupe_key = 'demand:' || d.month || ':' || d.mio_bin and n.created_on <= :asOf
      where d.formed_on <= :asOf
      order by d.month, d.mio_bin`,
    { asOf },
  );
  for (const d of demands as Record<string, string | null>[]) {
    const object = `demand:${d.month}:${d.mio_bin}`;
    c.add('demand-request', object, String(d.request_due), done(d.requested_on));
    // «в пределах сумм»: funded by the first transfer that funded its rows; the rest is not a breach.
    c.add('funding', object, String(d.funding_due), done(d.first_funded_on));
  }

  const { rows: funded } = await db.raw(
    `select d.month, d.mio_bin, act.provider_id, act.act_no, ret.ref as return_ref, a.funded_on, p.paid_on
       from allocations a
       join demand_rows dr on dr.id = a.demand_row_id
       left join returns ret on ret.id = dr.return_id
       join demands d on d.id = dr.demand_id
       join list_rows lr on lr.id = dr.list_row_id
       join acts act on act.id = lr.act_id
       left join lateral (
         -- Paid when the bank debited the order (a statement confirmed it), else on the day a second
         -- operator approved it (four eyes: a prepared order waiting for approval is not paid yet, so
         -- its rows stay open, then breached, until approved; a rejected order's lines never count).
         select min(coalesce(ev.event_date, ap.event_date)) as paid_on from payment_lines pl join payment_orders o on o.id = pl.order_id
           join payment_order_events ap on ap.order_id = o.id and ap.status = 'approved' and ap.event_date <= :asOf
           left join payment_order_events ev on ev.order_id = o.id and ev.status = 'debited' and ev.event_date <= :asOf
          where pl.demand_row_id = dr.id and pl.kind = 'payout' and not pl.rejected and o.order_date <= :asOf) p on true
      where a.funded_on <= :asOf and (p.paid_on is null or p.paid_on >= :windowStart)
      order by d.month, d.mio_bin, act.provider_id, act.act_no, dr.id`,
    { asOf, windowStart },
  );
  for (const r of funded as Record<string, string | null>[]) {
    const again = r.return_ref === null ? '' : `:return:${r.return_ref}`;
    const object = `demand:${r.month}:${r.mio_bin}:act:${r.provider_id}/${r.act_no}${again}`;
    c.add('payment', object, cal.addWorkingDays(String(r.funded_on), 2), done(r.paid_on));
  }
}

async function returnRules(db: Q, c: Collector, cal: Calendar, asOf: string): Promise<void> {
  const returns = await returnStates(db, { asOf });
  if (returns.length === 0) return;
  const notes = new Map<string, string>(
    (
      await db('notifications')
        .whereIn('dedupe_key', returns.flatMap((r) => [returnNotificationKey.esobes(r.ref), returnNotificationKey.providerCabinet(r.ref)]))
        .where('created_on', '<=', asOf)
        .select('dedupe_key', 'created_on')
    ).map((n: { dedupe_key: string; created_on: string }) => [n.dedupe_key, n.created_on]),
  );
  // When the provider had new details for the return: its first bank-details version (up to
  // as-of) newer than the version the returned line went to — the version `pay` repays to,
  // whether it is dated before the return (details changed while the payment was on its way) or
  // after — counted from the return at the earliest: max(changed_on, returned_on). A line whose
  // version is unknown counts versions dated on or after the return.
  const { rows: fixes } = await db.raw(
    `select r.id as return_id, greatest(min(b.changed_on), r.returned_on) as fixed_on
       from returns r
       join payment_lines pl on pl.id = r.payment_line_id
       left join bank_details lv on lv.id = pl.bank_detail_id
       join bank_details b on b.provider_id = pl.provider_id and b.changed_on <= ?
                          and b.id is distinct from pl.bank_detail_id
                          and b.changed_on > coalesce(lv.changed_on, r.returned_on - 1)
      where r.returned_on <= ?
      group by r.id, r.returned_on`,
    [asOf, asOf],
  );
  const fixedOn = new Map<number, string>((fixes as { return_id: number; fixed_on: string }[]).map((f) => [Number(f.return_id), f.fixed_on]));

  for (const r of returns) {
    const object = `return:${r.ref}`;
    const relayDue = cal.nextWorkingDay(r.returnedOn);
    const relayedOn = notes.get(returnNotificationKey.esobes(r.ref)) ?? null;
    c.add('return-relayed', object, relayDue, done(relayedOn));
    c.add('return-shown', object, cal.addWorkingDays(relayedOn ?? relayDue, 1), done(notes.get(returnNotificationKey.providerCabinet(r.ref)) ?? null));

    const repaidOn = r.status === 'repaid' ? r.repaidOn : null;
    const sentBackOn = r.sentBackOn;
    const fixed = fixedOn.get(r.id) ?? null;
    if (fixed !== null && (sentBackOn === null || fixed <= sentBackOn)) {
      const due = cal.addWorkingDays(fixed, 2);
      // Sent back after the refund fell due: breached, closed by the send-back. Sent back on or
      // before the due day (details fixed on the send-back day, or just before it): the sum is
      // owed all the same and reaches the provider only through the next demand, so the item
      // stays and is met by that payout (r.repaidOn of a sent-back return), open or breached
      // until then — never dropped.
      const outcome: Outcome = repaidOn
        ? { done: repaidOn }
        : sentBackOn === null
          ? null
          : sentBackOn > due
            ? { closedUndone: sentBackOn }
            : done(r.repaidOn);
      c.add('repayment', object, due, outcome);
    }
    const sendBackDue = sendBackDeadline(cal, r.returnedOn);
    if (repaidOn !== null && repaidOn <= sendBackDue) continue; // repaid in time: nothing to send back
    c.add('sent-back', object, sendBackDue, sentBackOn ? { done: sentBackOn } : repaidOn ? { closedUndone: repaidOn } : null);
  }
}

async function reconciliationRules(db: Q, c: Collector, cal: Calendar, asOf: string): Promise<void> {
  // The acts of every period whose act's date has come: the МИО had money moving at ГК in the
  // period's window (an entry dated d belongs to the period of d − 25 days: the window
  // (25th of M, 25th of M+1]), or the act was built.
  const { rows } = await db.raw(
    `select distinct to_char(e.entry_date - 25, 'YYYY-MM') as month, substr(p.account, 10) as mio_bin
       from ledger_postings p join ledger_entries e on e.id = p.entry_id
      where p.account like 'gk_funds:%' and e.entry_date <= ?
     union
     select r.month, r.mio_bin from reconciliations r join step_runs s on s.id = r.run_id where s.as_of <= ?
     order by 1, 2`,
    [asOf, asOf],
  );
  const { rows: signatures } = await db.raw(`select month, mio_bin, kind, event_date from reconciliation_signatures where event_date <= ?`, [asOf]);
  const signed = new Map<string, string>(
    (signatures as { month: string; mio_bin: string; kind: string; event_date: string }[]).map((s) => [`${s.kind}:${s.month}:${s.mio_bin}`, s.event_date]),
  );
  for (const r of rows as { month: string; mio_bin: string }[]) {
    if (actWindow(cal, r.month).act_date > asOf) continue;
    const key = `${r.month}:${r.mio_bin}`;
    const { signed_due, copies_due } = actDeadlines(cal, r.month);
    const object = `reconciliation:${key}`;
    c.add('reconciliation-signed', object, signed_due, done(signed.get(`signed:${key}`) ?? null));
    c.add('reconciliation-copies', object, copies_due, done(signed.get(`copies_received:${key}`) ?? null));
  }
}

export const RULE_ORDER: readonly DeadlineRule[] = DEADLINE_RULES;

/** The first day from which closed items are still listed: the first day of the previous month. */
export function deadlineWindowStart(asOf: string): string {
  return firstDayOfMonth(addMonths(monthOf(asOf), -1));
}

/** Every deadline item as of a date, ordered by due date, rule, object. */
export async function computeDeadlines(db: Q, asOf: string): Promise<DeadlineItem[]> {
  assertDate(asOf);
  const calendar = await loadCalendar(db);
  const windowStart = deadlineWindowStart(asOf);
  const c = new Collector(calendar, asOf, windowStart);
  await demandRules(db, c, calendar, asOf, windowStart);
  await returnRules(db, c, calendar, asOf);
  await reconciliationRules(db, c, calendar, asOf);
  const rank = (r: DeadlineRule) => RULE_ORDER.indexOf(r);
  return c.items.sort((a, b) => (a.due < b.due ? -1 : a.due > b.due ? 1 : rank(a.rule) - rank(b.rule) || (a.object < b.object ? -1 : a.object > b.object ? 1 : 0)));
}
