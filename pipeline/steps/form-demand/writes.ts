// form-demand, writing: one demand per МИО with its dates and rows (list rows first, then
// re-demands, each in id order), and the request to each МИО through the notifications outbox.
// A demand is not a movement of money: nothing is posted to the ledger.
import type { Trx } from '../../kernel/db.ts';
import type { IsoDate, IsoMonth } from '../../kernel/dates.ts';
import { insertInChunks } from '../../kernel/bulk.ts';
import type { DemandDates } from './index.ts';
import { CANDIDATES, type FormedDemand } from './staging.ts';

/** Where a run writes: its month, date and step run, and the demand's dates. */
export interface DemandRun {
  month: IsoMonth;
  asOf: IsoDate;
  runId: number;
  dates: DemandDates;
}

/**
 * The demands, one per МИО; their ids by МИО. Each request gets its outgoing number: gapless in
 * the year of the request's date (`requestOn`), in МИО order, after the last number of that year
 * (the step runs under the pipeline lock; the database refuses a gap or a repeat). A re-run of
 * the step never comes here again, so the numbers are stable.
 */
export async function insertDemands(
  trx: Trx,
  run: DemandRun,
  formed: Omit<FormedDemand, 'demand_id'>[],
  requestOnDate: IsoDate,
): Promise<Map<string, number>> {
  const demandIds = new Map<string, number>();
  if (formed.length === 0) return demandIds;
  const year = Number(requestOnDate.slice(0, 4));
  const last = Number((await trx('demands').where({ request_year: year }).max({ n: 'request_no' }))[0]?.n ?? 0);
  const ordered = [...formed].sort((a, b) => (a.mio_bin < b.mio_bin ? -1 : a.mio_bin > b.mio_bin ? 1 : 0));
  const inserted: { id: number; mio_bin: string }[] = await trx('demands')
    .insert(
      ordered.map((d, i) => ({
        month: run.month,
        mio_bin: d.mio_bin,
        ...run.dates,
        amount: d.amount,
        row_count: d.rows,
        run_id: run.runId,
        request_year: year,
        request_no: last + i + 1,
      })),
    )
    .returning(['id', 'mio_bin']);
  for (const d of inserted) demandIds.set(d.mio_bin, Number(d.id));
  return demandIds;
}

/** The rows, one statement: list rows first, then re-demands, each in id order. */
export async function insertDemandRows(trx: Trx, run: DemandRun, expected: number): Promise<void> {
  const { rowCount } = await trx.raw(
    `insert into demand_rows (demand_id, list_row_id, return_id, service_month, amount)
     select d.id, c.list_row_id, c.return_id, c.service_month, c.amount
       from ${CANDIDATES} c
       join demands d on d.run_id = ? and d.mio_bin = c.mio_bin
      order by c.mio_bin, c.return_id is not null, coalesce(c.return_id, c.list_row_id)`,
    [run.runId],
  );
  if (Number(rowCount) !== expected) throw new Error(`form-demand: wrote ${rowCount} demand rows of ${expected}`);
}

/** The request (заявка о сумме потребности) to each МИО, through the outbox, with its date and outgoing number. */
export async function queueRequests(trx: Trx, run: DemandRun, demands: FormedDemand[], requestOnDate: IsoDate): Promise<void> {
  const { month, asOf, dates } = run;
  const numbers = new Map<string, number>(
    (await trx('demands').where({ run_id: run.runId }).select('mio_bin', 'request_no')).map((d: { mio_bin: string; request_no: number }) => [
      d.mio_bin,
      Number(d.request_no),
    ]),
  );
  await insertInChunks(
    trx,
    'notifications',
    demands.map((d) => ({
      dedupe_key: `demand:${month}:${d.mio_bin}`,
      channel: 'mio',
      recipient: d.mio_bin,
      kind: 'demand_request',
      payload: {
        month,
        mio_bin: d.mio_bin,
        demand_id: d.demand_id,
        amount: d.amount,
        rows: d.rows,
        periods: d.periods,
        ...dates,
        request_on: requestOnDate,
        request_no: numbers.get(d.mio_bin) ?? null,
        text:
          `Заявка о сумме потребности № ${numbers.get(d.mio_bin)} от ${requestOnDate} за ${month}: ${d.amount} тенге (${d.rows} строк). ` +
          `Просим перечислить средства не позднее ${dates.funding_due}.`,
      },
      created_on: asOf,
    })),
  );
}
