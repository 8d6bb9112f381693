// ГК, the 15th of month M (DOMAIN.md §3, §4.4; 002 §12–15): one demand (потребность) per МИО
// from every list row not yet demanded, plus returned sums that were sent back to the МИО and
// whose provider's current bank details are no longer the returned ones (re-demand). The
// request to the МИО is dated the formation date when it is a working day, else the next
// working day (`request_on`); it is due the next working day after the formation (п. 14), and
// the funding 2 working days after the request is dated (п. 15: «в течение двух рабочих дней
// после поступления заявки»).
//
// A demand is not a movement of money: it posts nothing to the ledger. It queues the request
// to the МИО in the notifications outbox.
//
// Set-based: what a demand asks for (list rows and re-demands) is staged in a temporary table and
// summed, hashed and written in SQL; the rows never travel to the application.
//
// The parts: staging.ts (what the demands ask for), writes.ts (demands, rows, requests).
import type { Db, Trx } from '../../kernel/db.ts';
import type { Calendar } from '../../kernel/calendar.ts';
import type { IsoDate, IsoMonth } from '../../kernel/dates.ts';
import { BusinessRuleError } from '../../kernel/errors.ts';
import { faultPoint } from '../../kernel/faults.ts';
import { formatAmount, sum } from '../../kernel/money.ts';
import { loadCalendar } from '../../kernel/reference.ts';
import { laterRunKey, monthStepDates, runStep, type StepOptions, type StepOutcome } from '../../kernel/step-run.ts';
import { demandsByMio, digest, stageListRows, stageRedemands, type FormedDemand } from './staging.ts';
import { insertDemandRows, insertDemands, queueRequests } from './writes.ts';
import { requestOn } from '../../rules/request-on.ts';

export type { DemandPeriod, FormedDemand } from './staging.ts';

export const FORM_DEMAND_STEP = 'form-demand';

export interface FormDemandResult {
  month: string;
  formed_on: string;
  request_on: string;
  request_due: string;
  funding_due: string;
  demands: FormedDemand[];
  rows: number;
  redemanded: number;
  amount: string;
}

export interface DemandDates {
  formed_on: IsoDate;
  request_on: IsoDate;
  request_due: IsoDate;
  funding_due: IsoDate;
}

/**
 * Formed on the as-of date; the request dated that day when it is a working day, else the next
 * one, and due the next working day; funding due 2 working days after the request's date
 * (DOMAIN.md §3: formed Mon 15 Sep 2025 → request 15 Sep → funding 17 Sep; formed Sat 15 Nov
 * 2025 → request Mon 17 Nov → funding 19 Nov).
 */
export function demandDates(formedOn: IsoDate, calendar: Calendar): DemandDates {
  const on = requestOn(formedOn, calendar);
  return {
    formed_on: formedOn,
    request_on: on,
    request_due: calendar.nextWorkingDay(formedOn),
    funding_due: calendar.addWorkingDays(on, 2),
  };
}

async function assertLaterDemandsAbsent(trx: Trx, month: IsoMonth): Promise<void> {
  const later = await laterRunKey(trx, FORM_DEMAND_STEP, month);
  if (later) {
    throw new BusinessRuleError(
      'demands-in-month-order',
      `Потребность за ${month} не может быть сформирована: уже сформирована потребность за более поздний месяц ` +
        `${later}. Потребность формируется по порядку месяцев; строки войдут в следующую потребность.`,
    );
  }
}

function validate(opts: StepOptions): { month: IsoMonth; asOf: IsoDate } {
  return monthStepDates(opts, 'Укажите месяц потребности --month ГГГГ-ММ', (month, asOf) =>
    `Потребность за ${month} формируется в этом же месяце (по умолчанию 15-го числа); дата запуска ${asOf} вне месяца`,
  );
}

/** `payouts run form-demand --month M`: the demands of month M as of the as-of date. */
export async function formDemand(db: Db, opts: StepOptions): Promise<StepOutcome<FormDemandResult>> {
  const { month, asOf } = validate(opts);

  return runStep<Record<string, unknown>, FormDemandResult>(db, {
    step: FORM_DEMAND_STEP,
    key: month,
    asOf,
    operator: opts.operator,
    dryRun: opts.dryRun,
    async inputs(trx) {
      await stageListRows(trx, month, asOf);
      await stageRedemands(trx, month, asOf);
      return { month, list_rows: await digest(trx, false), redemands: await digest(trx, true) };
    },
    async apply({ trx, runId }) {
      await assertLaterDemandsAbsent(trx, month);
      const calendar = await loadCalendar(trx);
      const run = { month, asOf, runId, dates: demandDates(asOf, calendar) };

      const formed = await demandsByMio(trx);
      const requestDate = requestOn(asOf, calendar);
      const demandIds = await insertDemands(trx, run, formed, requestDate);
      faultPoint('form-demand.after-demands');
      const total = formed.reduce((a, d) => a + d.rows, 0);
      await insertDemandRows(trx, run, total);
      faultPoint('form-demand.rows-half');
      const demands: FormedDemand[] = formed.map((d) => ({ ...d, demand_id: demandIds.get(d.mio_bin)! }));
      await queueRequests(trx, run, demands, requestDate);
      faultPoint('form-demand.after-requests');

      return {
        month,
        ...run.dates,
        demands,
        rows: total,
        redemanded: demands.reduce((a, d) => a + d.redemanded, 0),
        amount: formatAmount(sum(demands.map((d) => d.amount))),
      };
    },
    summarize(r) {
      return {
        month: r.month,
        formed_on: r.formed_on,
        request_on: r.request_on,
        request_due: r.request_due,
        funding_due: r.funding_due,
        demands: r.demands.length,
        rows: r.rows,
        redemanded: r.redemanded,
        amount: r.amount,
        mios: r.demands.map((d) => ({ mio_bin: d.mio_bin, amount: d.amount, rows: d.rows, redemanded: d.redemanded })),
      };
    },
  });
}
