// Cycle state inserted directly, for the funding and payment tests that must not depend on the
// list and demand steps: accepted acts with one list per МИО and month and its ledger entry, the
// demand over list rows, a bank return of a paid line. Master data comes from world.ts.
import type { Knex } from 'knex';
import type { Db } from '../../pipeline/kernel/db.ts';
import { account, post } from '../../pipeline/ledger.ts';
import { formatAmount, money, sum } from '../../pipeline/kernel/money.ts';
import { validId } from './ids.ts';

let runSeq = 0;
async function fixtureRun(db: Db | Knex.Transaction, what: string, asOf: string): Promise<number> {
  runSeq++;
  const [row] = await db('step_runs')
    .insert({ step: `fixture-${what}`, run_key: `${what}-${runSeq}-${process.pid}`, input_hash: '0'.repeat(64), operator: 'test', as_of: asOf })
    .returning('id');
  return Number(row.id);
}

export interface FixtureListRow {
  providerId: string;
  serviceMonth: string;
  actNo: string;
  receivedOn: string;
  /** The guaranteed sum G and its withheld parts; provider sum = G − ОПВ − ОСМС. */
  guaranteed: string;
  opv?: string;
  osms?: string;
}

let pwdSeq = 0;

/**
 * Inserts accepted acts and one list (МИО, month) with a row per act, and posts the list's
 * ledger entry. Returns the list row ids in the order given.
 */
export async function insertList(
  db: Db,
  l: { mioBin: string; month: string; builtOn: string; rows: FixtureListRow[] },
): Promise<number[]> {
  const runId = await fixtureRun(db, 'list', l.builtOn);
  return db.transaction(async (trx) => {
    const [list] = await trx('lists').insert({ month: l.month, mio_bin: l.mioBin, built_on: l.builtOn, run_id: runId }).returning('id');
    const ids: number[] = [];
    let rowNo = 0;
    for (const r of l.rows) {
      rowNo++;
      pwdSeq++;
      const provider = await trx('providers').where({ provider_id: r.providerId }).first();
      const details = await trx('bank_details').where({ provider_id: r.providerId }).orderBy('changed_on', 'desc').first();
      const pwd = validId(`450101${String(pwdSeq).padStart(4, '0')}`);
      const [act] = await trx('acts')
        .insert({
          provider_id: r.providerId,
          act_no: r.actNo,
          order_no: `З-${r.actNo}`,
          decision_no: `Р-${r.actNo}`,
          mio_bin: l.mioBin,
          oblast: 'г. Астана',
          region: 'Есильский район',
          pwd_iin: pwd,
          pwd_name: `Получатель ${pwdSeq}`,
          assistant_iin: provider.kind === 'assistant' ? r.providerId : validId(`880101${String(pwdSeq).padStart(4, '0')}`),
          assistant_name: `Помощник ${pwdSeq}`,
          service_month: r.serviceMonth,
          hours: '100',
          received_on: r.receivedOn,
          accepted_on: r.receivedOn,
        })
        .returning('id');
      const g = money(r.guaranteed);
      const opv = money(r.opv ?? '0');
      const osms = money(r.osms ?? '0');
      const [row] = await trx('list_rows')
        .insert({
          list_id: list.id,
          row_no: rowNo,
          act_id: act.id,
          mio_bin: l.mioBin,
          provider_id: r.providerId,
          provider_kind: provider.kind,
          service_month: r.serviceMonth,
          hours: '100',
          hourly_rate: '536.32',
          full_guaranteed: formatAmount(g),
          guaranteed: formatAmount(g),
          co_payment: '0',
          provider_sum: formatAmount(g.minus(opv).minus(osms)),
          opv: formatAmount(opv),
          osms: formatAmount(osms),
          so: '0',
          opv_exempt: false,
          osms_exempt: false,
          so_exempt: false,
          bank_detail_id: details.id,
        })
        .returning('id');
      ids.push(Number(row.id));
    }
    const g = sum(l.rows.map((r) => r.guaranteed));
    const opv = sum(l.rows.map((r) => r.opv ?? '0'));
    const osms = sum(l.rows.map((r) => r.osms ?? '0'));
    await post(trx, [
      {
        date: l.builtOn,
        source: 'list',
        sourceId: String(list.id),
        description: `fixture list ${l.month} ${l.mioBin}`,
        runId,
        postings: [
          { account: account.mioExpense(l.mioBin), debit: g },
          { account: account.providerPayable(l.mioBin), credit: g.minus(opv).minus(osms) },
          { account: account.enpfPayable(l.mioBin), credit: opv },
          { account: account.fsmsPayable(l.mioBin), credit: osms },
        ],
      },
    ]);
    return ids;
  });
}

/** Inserts the demand of a МИО over the given list rows (their provider sums). Returns the demand row ids. */
export async function insertDemand(
  db: Db,
  d: { mioBin: string; month: string; formedOn: string; listRowIds: number[] },
): Promise<number[]> {
  const runId = await fixtureRun(db, 'demand', d.formedOn);
  return db.transaction(async (trx) => {
    const rows = await trx('list_rows').whereIn('id', d.listRowIds).select('id', 'service_month', 'provider_sum');
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    const amount = sum(rows.map((r) => r.provider_sum));
    const [demand] = await trx('demands')
      .insert({
        month: d.month,
        mio_bin: d.mioBin,
        formed_on: d.formedOn,
        request_due: d.formedOn,
        funding_due: d.formedOn,
        amount: formatAmount(amount),
        row_count: rows.length,
        run_id: runId,
      })
      .returning('id');
    const ids: number[] = [];
    for (const id of d.listRowIds) {
      const r = byId.get(id)!;
      const [dr] = await trx('demand_rows')
        .insert({ demand_id: demand.id, list_row_id: id, service_month: r.service_month, amount: r.provider_sum })
        .returning('id');
      ids.push(Number(dr.id));
    }
    return ids;
  });
}

/**
 * A bank return of a paid line, as the returns import records it: the return row, the line's
 * 'returned' event, the incorrect mark on the version paid to, and the ledger entry 'return'.
 */
export async function insertReturn(db: Db, ref: string, returnedOn: string): Promise<number> {
  return db.transaction(async (trx) => {
    const line = await trx('payment_lines').where({ ref }).first();
    const [ret] = await trx('returns')
      .insert({ payment_line_id: line.id, ref, amount: line.amount, returned_on: returnedOn, reason_code: 'AC04', reason_text: 'Счёт закрыт' })
      .returning('id');
    await trx('payment_line_events').insert({ line_id: line.id, status: 'returned', event_date: returnedOn, return_id: ret.id });
    await trx('bank_detail_events').insert({ bank_detail_id: line.bank_detail_id, status: 'incorrect', event_date: returnedOn, return_id: ret.id });
    const amount = money(line.amount);
    await post(trx, [
      {
        date: returnedOn,
        source: 'return',
        sourceId: String(ret.id),
        description: `fixture return ${ref}`,
        postings: [
          { account: account.gkFunds(line.mio_bin), debit: amount },
          { account: account.bankClearing(line.bik), credit: amount },
          { account: account.bankClearing(line.bik), debit: amount },
          { account: account.providerPayable(line.mio_bin), credit: amount },
        ],
      },
    ]);
    return Number(ret.id);
  });
}
