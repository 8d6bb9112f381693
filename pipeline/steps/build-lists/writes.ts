// build-lists, writing: one list per МИО and its rows (split joined in SQL, numbered by service
// month, provider, act number), the holds, the provider notifications and the ЦБД transmission
// in the outbox, and the 'list' ledger entries — all set-based from the staged candidates.
import type { Trx } from '../../kernel/db.ts';
import type { IsoDate, IsoMonth } from '../../kernel/dates.ts';
import { insertInChunks } from '../../kernel/bulk.ts';
import { formatAmount, money } from '../../kernel/money.ts';
import { account, post, type Entry } from '../../ledger.ts';
import type { HoldDraft } from './holds.ts';
import { SPLIT_JOIN, SPLITS_SQL } from './splits.ts';
import { CANDIDATES } from './staging.ts';

export interface ListTotals {
  guaranteed: string;
  provider_sum: string;
  opv: string;
  osms: string;
  so: string;
}

export interface BuiltList extends ListTotals {
  mio_bin: string;
  list_id: number;
  rows: number;
}

/** Where a run writes: its month, date and step run. */
export interface ListRun {
  month: IsoMonth;
  asOf: IsoDate;
  runId: number;
}

/**
 * One list per МИО of the candidates the run takes, and their rows with the split of
 * `splitsJson` (rows numbered by service month, provider, act number in byte order, as in
 * rowOrder). Returns how many rows were taken and how many of them carry bank details marked
 * incorrect.
 */
export async function writeListRows(trx: Trx, run: ListRun, splitsJson: string): Promise<{ taken: number; incorrect: number }> {
  const { month, asOf, runId } = run;
  const { rows: mioRows } = await trx.raw(`select distinct mio_bin from ${CANDIDATES} where not held order by mio_bin`);
  const mios = (mioRows as { mio_bin: string }[]).map((r) => String(r.mio_bin));
  if (mios.length > 0) {
    await trx('lists').insert(mios.map((mio_bin) => ({ month, mio_bin, built_on: asOf, run_id: runId })));
  }
  const { rowCount } = await trx.raw(
    `insert into list_rows (list_id, row_no, act_id, mio_bin, provider_id, provider_kind, service_month, hours, hourly_rate,
                            full_guaranteed, guaranteed, co_payment, provider_sum, opv, osms, so, opv_exempt, osms_exempt, so_exempt,
                            bank_detail_id)
     select l.id,
            row_number() over (partition by c.mio_bin order by c.service_month collate "C", c.provider_id collate "C", c.act_no collate "C"),
            c.id, c.mio_bin, c.provider_id, c.kind, c.service_month, c.hours::numeric, s.hourly_rate, s.full_guaranteed, s.guaranteed,
            s.co_payment, s.provider_sum, s.opv, s.osms, s.so, c.opv_exempt, c.osms_exempt, c.so_exempt, c.bank_detail_id
       from ${CANDIDATES} c
       join ${SPLITS_SQL} on ${SPLIT_JOIN}
       join lists l on l.run_id = :runId and l.mio_bin = c.mio_bin
      where not c.held`,
    { splits: splitsJson, runId },
  );
  const { rows: counts } = await trx.raw(
    `select count(*) filter (where not held)::int as taken,
            count(*) filter (where not held and bank_detail_incorrect)::int as incorrect
       from ${CANDIDATES}`,
  );
  const taken = Number(counts[0].taken);
  if (Number(rowCount) !== taken) throw new Error(`build-lists: wrote ${rowCount} list rows of ${taken}`);
  return { taken, incorrect: Number(counts[0].incorrect) };
}

/** The acts the list held, with their reasons. */
export async function writeHolds(trx: Trx, run: ListRun, held: HoldDraft[]): Promise<void> {
  await insertInChunks(
    trx,
    'list_holds',
    held.map((h) => ({ month: run.month, act_id: h.act_id, reason: h.reason, run_id: run.runId })),
  );
}

/** Per-list totals as stored, summed in SQL over the rows this run wrote. */
export async function readListTotals(trx: Trx, runId: number): Promise<BuiltList[]> {
  const rows = (await trx('lists as l')
    .join('list_rows as lr', 'lr.list_id', 'l.id')
    .where('l.run_id', runId)
    .groupBy('l.id', 'l.mio_bin')
    .select(
      'l.id as list_id',
      'l.mio_bin',
      trx.raw('count(*)::int as rows'),
      trx.raw('sum(lr.guaranteed)::text as guaranteed'),
      trx.raw('sum(lr.provider_sum)::text as provider_sum'),
      trx.raw('sum(lr.opv)::text as opv'),
      trx.raw('sum(lr.osms)::text as osms'),
      trx.raw('sum(lr.so)::text as so'),
    )
    .orderBy('l.mio_bin')) as Record<string, string | number>[];
  return rows.map((r) => ({
    mio_bin: String(r.mio_bin),
    list_id: Number(r.list_id),
    rows: Number(r.rows),
    guaranteed: formatAmount(String(r.guaranteed)),
    provider_sum: formatAmount(String(r.provider_sum)),
    opv: formatAmount(String(r.opv)),
    osms: formatAmount(String(r.osms)),
    so: formatAmount(String(r.so)),
  }));
}

/**
 * One notification per provider to its cabinet with the sum formed for it in month M's lists
 * (all МИО together), set-based from the rows this run wrote. Returns how many were queued.
 */
export async function notifyProviders(trx: Trx, runId: number, month: IsoMonth, asOf: IsoDate): Promise<number> {
  const { rowCount } = await trx.raw(
    `insert into notifications (dedupe_key, channel, recipient, kind, payload, created_on)
     select 'list:' || :month || ':' || lr.provider_id, 'provider_cabinet', lr.provider_id, 'list_sum',
            jsonb_build_object(
              'month', :month::text,
              'provider_id', lr.provider_id,
              'rows', count(*),
              'provider_sum', sum(lr.provider_sum)::text,
              'guaranteed', sum(lr.guaranteed)::text,
              'opv', sum(lr.opv)::text,
              'osms', sum(lr.osms)::text,
              'text', 'Сформирован список на возмещение за ' || :month || ': актов ' || count(*) ||
                      ', сумма к перечислению ' || sum(lr.provider_sum)::text || ' тенге'),
            :asOf::date
       from list_rows lr join lists l on l.id = lr.list_id
      where l.run_id = :runId
      group by lr.provider_id
      order by lr.provider_id`,
    { month, asOf, runId },
  );
  return Number(rowCount ?? 0);
}

/** The Appendix 2 transmission of each list to ЦБД, through the outbox. */
export async function queueTransmissions(trx: Trx, run: ListRun, lists: BuiltList[]): Promise<void> {
  const { month, asOf } = run;
  await insertInChunks(
    trx,
    'notifications',
    lists.map((l) => ({
      dedupe_key: `cbd:list:${month}:${l.mio_bin}`,
      channel: 'cbd',
      recipient: 'АИС «ЦБД»',
      kind: 'transmission',
      payload: { month, mio_bin: l.mio_bin, list_id: l.list_id, rows: l.rows, guaranteed: l.guaranteed, provider_sum: l.provider_sum, opv: l.opv, osms: l.osms },
      created_on: asOf,
    })),
  );
}

/** The 'list' ledger entry of each list: the МИО's expense against what it owes each receiver. */
export async function postLists(trx: Trx, run: ListRun, lists: BuiltList[]): Promise<void> {
  const { month, asOf, runId } = run;
  await post(
    trx,
    lists.map(
      (l): Entry => ({
        date: asOf,
        source: 'list',
        sourceId: String(l.list_id),
        description: `Список по актам за ${month}, МИО ${l.mio_bin}: ${l.rows} строк`,
        runId,
        postings: [
          { account: account.mioExpense(l.mio_bin), debit: money(l.guaranteed).plus(l.so) },
          { account: account.providerPayable(l.mio_bin), credit: money(l.provider_sum) },
          { account: account.enpfPayable(l.mio_bin), credit: money(l.opv) },
          { account: account.fsmsPayable(l.mio_bin), credit: money(l.osms) },
          { account: account.gfssPayable(l.mio_bin), credit: money(l.so) },
        ],
      }),
    ),
  );
}
