// Funding (DOMAIN.md §3, "Decision on funding"): the МИО's transfers to ГК and the whole demand
// rows they fund. The demand is the ceiling (pipeline/rules/transfer-ceiling.ts): a transfer
// larger than what is still open on its МИО's demands is refused and recorded nowhere. An accepted transfer joins the МИО's pool (money
// received and not yet allocated) and the pool funds whole demand rows in a fixed order —
// service month, act received date, provider ИИН/БИН, act number — stopping at the first row
// that does not fit; what is left waits for the next transfer.
import type { Knex } from 'knex';
import { isValidDate } from './kernel/dates.ts';
import { faultPoint } from './kernel/faults.ts';
import { account, post } from './ledger.ts';
import { formatAmount, isAmount, money, parseAmount, type Money } from './kernel/money.ts';
import { receivedAmount, transferCeiling } from './rules/transfer-ceiling.ts';

type Q = Knex | Knex.Transaction;

export interface TransferRow {
  mio_bin: string;
  pp_no: string;
  pp_date: string;
  amount: string;
}

export interface TransferRejection {
  index: number;
  field: string | null;
  reason: string;
}

export interface ApplyTransfersResult {
  accepted: number;
  duplicates: number;
  rejected: TransferRejection[];
}

export interface ApplyTransfersContext {
  batchId: number;
  asOf: string;
  operator: string;
}

/** Money of the МИО that ГК received and has not yet allocated to a demand row. */
export async function unallocatedPool(q: Q, mioBin: string): Promise<Money> {
  const received = await receivedAmount(q, mioBin);
  const [allocated] = (await q('allocations as a')
    .join('transfers as t', 't.id', 'a.transfer_id')
    .where('t.mio_bin', mioBin)
    .sum({ total: 'a.amount' })) as { total: string | null }[];
  return received.minus(allocated?.total ?? '0');
}

export interface FundingResult {
  rows: number;
  amount: Money;
  /** Pool left after funding: waits for the next transfer. */
  leftover: Money;
}

/**
 * Funds the МИО's unfunded demand rows (of demands formed on or before the transfer's date) in
 * the fixed order with the pool, whole rows only, stopping at the first row that does not fit.
 * Each allocation records the transfer that completed the row and its date.
 *
 * Set-based, one statement whatever the number of rows: the open rows in the fixed order carry
 * their running total; amounts are positive, so the rows whose running total fits the pool are
 * exactly the rows before the first that does not fit. The pool is compared as numeric in SQL.
 */
export async function fundDemandRows(
  trx: Knex.Transaction,
  mioBin: string,
  transfer: { id: number; ppDate: string },
): Promise<FundingResult> {
  const pool = await unallocatedPool(trx, mioBin);
  const { rows } = await trx.raw(
    `with open_rows as (
       select dr.id, dr.amount,
              sum(dr.amount) over (order by dr.service_month, act.received_on, act.provider_id, act.act_no, dr.id
                                   rows between unbounded preceding and current row) as running
         from demand_rows dr
         join demands d on d.id = dr.demand_id
         join list_rows lr on lr.id = dr.list_row_id
         join acts act on act.id = lr.act_id
        where d.mio_bin = ? and d.formed_on <= ?
          and not exists (select 1 from allocations a where a.demand_row_id = dr.id)),
     funded as (
       insert into allocations (demand_row_id, transfer_id, funded_on, amount)
       select id, ?, ?, amount from open_rows where running <= ?::numeric order by running
       returning amount)
     select count(*)::int as rows, coalesce(sum(amount), 0)::text as amount from funded`,
    [mioBin, transfer.ppDate, transfer.id, transfer.ppDate, formatAmount(pool)],
  );
  const funded = money(String(rows[0].amount));
  const count = Number(rows[0].rows);
  if (count > 0) faultPoint('funding.allocations-chunk');
  return { rows: count, amount: funded, leftover: pool.minus(funded) };
}

function reject(index: number, field: string | null, reason: string): TransferRejection {
  return { index, field, reason };
}

/**
 * Applies the rows of a `funding` import (the importer has checked the formats and holds the
 * pipeline lock). Per row, by the natural key (mio_bin, pp_no, pp_date): the same row again is a
 * duplicate; another amount under the same key is a conflict; a transfer over the open demand is
 * refused. An accepted transfer is recorded, funds whole demand rows and posts the ledger entry
 * 'transfer' (Dr gk_funds / Cr mio_budget). Rejected rows are recorded nowhere.
 */
export async function applyTransfers(
  trx: Knex.Transaction,
  rows: { index: number; row: TransferRow }[],
  ctx: ApplyTransfersContext,
): Promise<ApplyTransfersResult> {
  const result: ApplyTransfersResult = { accepted: 0, duplicates: 0, rejected: [] };
  for (const { index, row } of rows) {
    const { mio_bin: mioBin, pp_no: ppNo, pp_date: ppDate } = row;
    if (!isValidDate(ppDate)) {
      result.rejected.push(reject(index, 'pp_date', `Некорректная дата платёжного поручения «${ppDate}»: ожидается ГГГГ-ММ-ДД`));
      continue;
    }
    if (!isAmount(row.amount) || parseAmount(row.amount).lte(0)) {
      result.rejected.push(reject(index, 'amount', `Некорректная сумма «${row.amount}»: ожидается положительная сумма с точкой и не более чем двумя знаками`));
      continue;
    }
    const amount = parseAmount(row.amount);
    const mio = await trx('mios').where({ mio_bin: mioBin }).first('mio_bin');
    if (!mio) {
      result.rejected.push(reject(index, 'mio_bin', `МИО с БИН ${mioBin} нет в справочнике МИО`));
      continue;
    }
    const existing = await trx('transfers').where({ mio_bin: mioBin, pp_no: ppNo, pp_date: ppDate }).first('id', 'amount');
    if (existing) {
      if (money(existing.amount).eq(amount)) {
        result.duplicates++;
      } else {
        result.rejected.push(
          reject(
            index,
            'amount',
            `Конфликт: платёжное поручение № ${ppNo} от ${ppDate} МИО ${mioBin} уже принято на сумму ${formatAmount(existing.amount)}, ` +
              `в файле ${formatAmount(amount)}. Перевод не принят`,
          ),
        );
      }
      continue;
    }
    if (ppDate > ctx.asOf) {
      result.rejected.push(
        reject(index, 'pp_date', `Дата платёжного поручения ${ppDate} позже даты операции ${ctx.asOf}: поступление из будущего не принимается`),
      );
      continue;
    }
    const { demanded, received, ceiling } = await transferCeiling(trx, mioBin, ppDate);
    if (amount.gt(ceiling)) {
      const why = demanded.eq(0)
        ? `на ${ppDate} по МИО ${mioBin} не сформировано ни одной потребности`
        : `открытая потребность МИО ${mioBin} на ${ppDate} — ${formatAmount(ceiling)} ` +
          `(сформировано ${formatAmount(demanded)}, уже получено ${formatAmount(received)})`;
      result.rejected.push(
        reject(index, 'amount', `Сумма перевода ${formatAmount(amount)} превышает потребность: ${why}. Потребность — предел финансирования, перевод не принят`),
      );
      continue;
    }
    const [t] = await trx('transfers')
      .insert({ mio_bin: mioBin, pp_no: ppNo, pp_date: ppDate, amount: formatAmount(amount), batch_id: ctx.batchId })
      .returning('id');
    const transferId = Number(t.id);
    faultPoint('funding.transfer-inserted');
    await fundDemandRows(trx, mioBin, { id: transferId, ppDate });
    await post(trx, [
      {
        date: ppDate,
        source: 'transfer',
        sourceId: String(transferId),
        description: `Поступление от МИО ${mioBin}: платёжное поручение № ${ppNo} от ${ppDate}`,
        batchId: ctx.batchId,
        postings: [
          { account: account.gkFunds(mioBin), debit: amount },
          { account: account.mioBudget(mioBin), credit: amount },
        ],
      },
    ]);
    result.accepted++;
    faultPoint('funding.transfer-applied');
  }
  return result;
}
