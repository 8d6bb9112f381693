// ГК, the 15th of month M (DOMAIN.md §3, §4.4; 002 §12–15): one demand (потребность) per МИО
// from every list row not yet demanded, plus returned sums that were sent back to the МИО and
// whose provider's current bank details are no longer the returned ones (re-demand). The
// request to the МИО is due the next working day after the demand is formed, the funding 2
// working days after that.
//
// A demand is not a movement of money: it posts nothing to the ledger. It queues the request
// to the МИО in the notifications outbox.
//
// Set-based: what a demand asks for (list rows and re-demands) is staged in a temporary table and
// summed, hashed and written in SQL; the rows never travel to the application.
import type { Db, Trx } from '../../kernel/db.ts';
import type { Calendar } from '../../kernel/calendar.ts';
import type { IsoDate, IsoMonth } from '../../kernel/dates.ts';
import { BusinessRuleError } from '../../kernel/errors.ts';
import { faultPoint } from '../../kernel/faults.ts';
import { formatAmount, sum } from '../../kernel/money.ts';
import { loadCalendar } from '../../kernel/reference.ts';
import { monthStepDates, runStep, type StepOptions, type StepOutcome } from '../../kernel/step-run.ts';
import { insertInChunks } from '../../kernel/bulk.ts';
import { digestRows, type RowsDigest } from '../../kernel/input-digest.ts';
import { bankDetailsInForce } from '../../rules/bank-details-in-force.ts';
import { returnStateSql } from '../../rules/return-state.ts';

export const FORM_DEMAND_STEP = 'form-demand';

export interface DemandPeriod {
  service_month: string;
  rows: number;
  amount: string;
}

export interface FormedDemand {
  mio_bin: string;
  demand_id: number;
  amount: string;
  rows: number;
  redemanded: number;
  periods: DemandPeriod[];
}

export interface FormDemandResult {
  month: string;
  formed_on: string;
  request_due: string;
  funding_due: string;
  demands: FormedDemand[];
  rows: number;
  redemanded: number;
  amount: string;
}

export interface DemandDates {
  formed_on: IsoDate;
  request_due: IsoDate;
  funding_due: IsoDate;
}

/** Formed on the as-of date; request due the next working day; funding due 2 working days later. */
export function demandDates(formedOn: IsoDate, calendar: Calendar): DemandDates {
  const requestDue = calendar.nextWorkingDay(formedOn);
  return { formed_on: formedOn, request_due: requestDue, funding_due: calendar.addWorkingDays(requestDue, 2) };
}

// ---------------------------------------------------------------------------------------------
// Reading

/** The temporary table (dropped at commit) in which a run stages what it demands. */
const CANDIDATES = 'demand_candidates';

/**
 * Stages in demand_candidates the list rows of lists built on or before as-of that no demand of
 * an earlier month has taken. (Demands are formed in month order, so at the first run of M no
 * later demand exists; at a repeated run the rows its own run demanded are still candidates and
 * hash the same.) Rows with a zero provider sum (a zero claim) need no money and are not
 * demanded. The rows stay in the database: a million of them never travel to the application.
 */
async function stageListRows(trx: Trx, month: IsoMonth, asOf: IsoDate): Promise<void> {
  await trx.raw(`drop table if exists ${CANDIDATES}`);
  await trx.raw(
    `create temp table ${CANDIDATES} on commit drop as
     select lr.id as list_row_id, null::bigint as return_id, lr.mio_bin, lr.service_month, lr.provider_sum as amount
       from list_rows lr
       join lists l on l.id = lr.list_id
      where l.built_on <= :asOf and l.month <= :month and lr.provider_sum > 0
        and not exists (
          select 1 from demand_rows dr join demands d on d.id = dr.demand_id
           where dr.list_row_id = lr.id and dr.return_id is null and d.month < :month)`,
    { asOf, month },
  );
}

/** The providers of returned lines: whose bank details in force a re-demand looks at. */
const RETURNED_PROVIDERS = 'select pl.provider_id from returns r join payment_lines pl on pl.id = r.payment_line_id';

/**
 * Returns sent back to the МИО (a 'to_mio' line exists for them, ordered on or before as-of)
 * whose provider's current bank details as of as-of (the latest version changed on or before
 * it) are not the version the returned line went to and are not marked incorrect (an
 * 'incorrect' event dated on or before as-of), and that no demand of an earlier month has taken
 * again. When the fix is dated does not matter — after the send-back, the same day, or before it
 * but too late for that day's `pay` — it is the same rule `pay` applies to a pending return.
 * The list row is found by following the returned line back to its payout: a repayment line
 * quotes the earlier return, whose line is followed in turn. Staged in demand_candidates beside
 * the list rows.
 */
async function stageRedemands(trx: Trx, month: IsoMonth, asOf: IsoDate): Promise<void> {
  await trx.raw(
    `insert into ${CANDIDATES} (list_row_id, return_id, mio_bin, service_month, amount)
     with recursive sent_back as (
       select r.id as return_id, r.amount, r.payment_line_id, rl.mio_bin, rl.service_month
         from returns r
         join (${returnStateSql({ asOf: ':asOf' })}) st on st.return_id = r.id and st.status = 'sent_back'
         join payment_lines rl on rl.id = r.payment_line_id
         join (${bankDetailsInForce(':asOf', RETURNED_PROVIDERS)}) cur on cur.provider_id = rl.provider_id
        where cur.id <> rl.bank_detail_id and not cur.incorrect
          and not exists (select 1 from demand_rows dr join demands d on d.id = dr.demand_id
                           where dr.return_id = r.id and d.month < :month)),
     chain as (
       select s.return_id, s.payment_line_id as line_id, 0 as depth from sent_back s
       union all
       select c.return_id, r2.payment_line_id, c.depth + 1
         from chain c
         join payment_lines pl on pl.id = c.line_id and pl.kind = 'repayment'
         join returns r2 on r2.id = pl.return_id
        where c.depth < 100)
     select dr.list_row_id, s.return_id, s.mio_bin, s.service_month, s.amount
       from sent_back s
       join chain c on c.return_id = s.return_id
       join payment_lines pl on pl.id = c.line_id and pl.kind = 'payout'
       join demand_rows dr on dr.id = pl.demand_row_id
      order by s.return_id`,
    { asOf, month },
  );
}

/** The digest of the staged list rows (or re-demands): count and sha256 of one line per row. */
function digest(trx: Trx, redemands: boolean): Promise<RowsDigest> {
  return digestRows(trx, {
    from: CANDIDATES,
    fields: ['list_row_id', "coalesce(return_id::text, '')", 'mio_bin', 'service_month', 'amount::text'],
    orderBy: 'coalesce(return_id, list_row_id)',
    where: '(return_id is not null) = ?',
    bindings: [redemands],
  });
}

// ---------------------------------------------------------------------------------------------
// Writing

async function assertLaterDemandsAbsent(trx: Trx, month: IsoMonth): Promise<void> {
  const later = await trx('step_runs').where({ step: FORM_DEMAND_STEP }).andWhere('run_key', '>', month).orderBy('run_key').first();
  if (later) {
    throw new BusinessRuleError(
      'demands-in-month-order',
      `Потребность за ${month} не может быть сформирована: уже сформирована потребность за более поздний месяц ` +
        `${later.run_key}. Потребность формируется по порядку месяцев; строки войдут в следующую потребность.`,
    );
  }
}

function validate(opts: StepOptions): { month: IsoMonth; asOf: IsoDate } {
  return monthStepDates(opts, 'Укажите месяц потребности --month ГГГГ-ММ', (month, asOf) =>
    `Потребность за ${month} формируется в этом же месяце (по умолчанию 15-го числа); дата запуска ${asOf} вне месяца`,
  );
}

/** Per МИО: what its demand asks for, by service month, from the staged candidates. */
async function demandsByMio(trx: Trx): Promise<Omit<FormedDemand, 'demand_id'>[]> {
  const { rows } = await trx.raw(
    `select mio_bin, service_month, count(*)::int as rows, count(return_id)::int as redemanded, sum(amount)::text as amount
       from ${CANDIDATES}
      group by mio_bin, service_month
      order by mio_bin collate "C", service_month collate "C"`,
  );
  const out: Omit<FormedDemand, 'demand_id'>[] = [];
  for (const r of rows as { mio_bin: string; service_month: string; rows: number; redemanded: number; amount: string }[]) {
    let d = out[out.length - 1];
    if (!d || d.mio_bin !== r.mio_bin) {
      d = { mio_bin: String(r.mio_bin), amount: '0.00', rows: 0, redemanded: 0, periods: [] };
      out.push(d);
    }
    d.periods.push({ service_month: String(r.service_month), rows: Number(r.rows), amount: formatAmount(r.amount) });
    d.rows += Number(r.rows);
    d.redemanded += Number(r.redemanded);
    d.amount = formatAmount(sum([d.amount, r.amount]));
  }
  return out;
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
    async apply(ctx) {
      const { trx, runId } = ctx;
      await assertLaterDemandsAbsent(trx, month);
      const dates = demandDates(asOf, await loadCalendar(trx));

      const formed = await demandsByMio(trx);
      const demandIds = new Map<string, number>();
      if (formed.length > 0) {
        const inserted: { id: number; mio_bin: string }[] = await trx('demands')
          .insert(formed.map((d) => ({ month, mio_bin: d.mio_bin, ...dates, amount: d.amount, row_count: d.rows, run_id: runId })))
          .returning(['id', 'mio_bin']);
        for (const d of inserted) demandIds.set(d.mio_bin, Number(d.id));
      }
      faultPoint('form-demand.after-demands');

      // The rows, one statement: list rows first, then re-demands, each in id order.
      const { rowCount } = await trx.raw(
        `insert into demand_rows (demand_id, list_row_id, return_id, service_month, amount)
         select d.id, c.list_row_id, c.return_id, c.service_month, c.amount
           from ${CANDIDATES} c
           join demands d on d.run_id = ? and d.mio_bin = c.mio_bin
          order by c.mio_bin, c.return_id is not null, coalesce(c.return_id, c.list_row_id)`,
        [runId],
      );
      const total = formed.reduce((a, d) => a + d.rows, 0);
      if (Number(rowCount) !== total) throw new Error(`form-demand: wrote ${rowCount} demand rows of ${total}`);
      faultPoint('form-demand.rows-half');
      const demands: FormedDemand[] = formed.map((d) => ({ ...d, demand_id: demandIds.get(d.mio_bin)! }));

      // The request (заявка о сумме потребности) to each МИО, through the outbox.
      await insertInChunks(
        trx,
        'notifications',
        demands.map((d) => ({
          dedupe_key: `demand:${month}:${d.mio_bin}`,
          channel: 'mio',
          recipient: d.mio_bin,
          kind: 'demand_request',
          payload: ({
            month,
            mio_bin: d.mio_bin,
            demand_id: d.demand_id,
            amount: d.amount,
            rows: d.rows,
            periods: d.periods,
            ...dates,
            text:
              `Заявка о сумме потребности за ${month}: ${d.amount} тенге (${d.rows} строк). ` +
              `Просим перечислить средства не позднее ${dates.funding_due}.`,
          }),
          created_on: asOf,
        })),
      );
      faultPoint('form-demand.after-requests');

      return {
        month,
        ...dates,
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
