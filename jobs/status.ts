// `payouts status`: what the on-call engineer and the finance officer need at a glance, read
// from the database (recent runs, open demands, funded rows not yet paid, returns not yet paid
// again or sent back) and, when there is a queue, from it. Amounts stay decimal strings.
import type { Db } from '../pipeline/kernel/db.ts';
import { demandFunding } from '../pipeline/rules/demand-funding.ts';
import { returnStateSql } from '../pipeline/rules/return-state.ts';
import { ordersAwaitingApproval } from '../pipeline/orders/approval.ts';

export interface DbStatus {
  recent_runs: { step: string; key: string; as_of: string; operator: string; created_at: string; summary: Record<string, unknown> }[];
  open_demands: { mio_bin: string; month: string; formed_on: string; funding_due: string; amount: string; funded: string; open: string }[];
  unpaid_funded: { mio_bin: string; rows: number; amount: string; oldest_funded_on: string }[];
  pending_returns: { mio_bin: string; returns: number; amount: string; oldest_returned_on: string }[];
  /** Payment orders prepared by pay and waiting for a second operator's approval (four eyes). */
  awaiting_approval: { number: number; date: string; mio_bin: string; bik: string; total: string; count: number; prepared_by: string }[];
}

export async function dbStatus(db: Db, opts: { recent?: number } = {}): Promise<DbStatus> {
  const recent = await db('step_runs')
    .select('step', 'run_key', 'as_of', 'operator', 'created_at', 'summary')
    .orderBy('id', 'desc')
    .limit(opts.recent ?? 10);
  const demands = await db.raw(`
    select mio_bin, month, formed_on, funding_due, amount::text as amount,
           funded::numeric(18,2)::text as funded, unfunded::numeric(18,2)::text as open
      from (${demandFunding()}) f
     where unfunded > 0
     order by formed_on, mio_bin`);
  const unpaid = await db.raw(`
    select d.mio_bin, count(*)::int as rows, sum(a.amount)::numeric(18,2)::text as amount, min(a.funded_on) as oldest_funded_on
      from allocations a
      join demand_rows dr on dr.id = a.demand_row_id
      join demands d on d.id = dr.demand_id
     where not exists (select 1 from payment_lines pl where pl.demand_row_id = dr.id and not pl.rejected)
     group by d.mio_bin
     order by d.mio_bin`);
  const pending = await db.raw(`
    select pl.mio_bin, count(*)::int as returns, sum(r.amount)::numeric(18,2)::text as amount, min(r.returned_on) as oldest_returned_on
      from returns r
      join (${returnStateSql()}) st on st.return_id = r.id and st.status = 'pending'
      join payment_lines pl on pl.id = r.payment_line_id
     group by pl.mio_bin
     order by pl.mio_bin`);
  return {
    recent_runs: recent.map((r) => ({
      step: r.step,
      key: r.run_key,
      as_of: r.as_of,
      operator: r.operator,
      created_at: r.created_at instanceof Date ? r.created_at.toISOString() : String(r.created_at),
      summary: typeof r.summary === 'string' ? JSON.parse(r.summary) : r.summary,
    })),
    open_demands: demands.rows,
    unpaid_funded: unpaid.rows,
    pending_returns: pending.rows,
    awaiting_approval: await ordersAwaitingApproval(db),
  };
}

// ---------------------------------------------------------------------------------------------
// The words `payouts status` prints for people (the JSON keeps the keys).

/** Each step by what it does, with its name for `payouts enqueue`. */
export const STEP_WORDS: Record<string, string> = {
  'build-lists': 'списки',
  'form-demand': 'потребность',
  pay: 'платёжные поручения',
  'refund-unsent': 'возврат неотправленных сумм МИО',
  reconcile: 'акт сверки',
  'bank-fees': 'сведения о комиссиях банков',
  'check-deadlines': 'проверка сроков',
};

const SUMMARY_WORDS: Record<string, string> = {
  lists: 'списков',
  rows: 'строк',
  held: 'отложено актов',
  providers_notified: 'уведомлено поставщиков',
  guaranteed: 'гарантированная сумма',
  provider_sum: 'поставщикам',
  opv: 'ОПВ',
  osms: 'ОСМС',
  so: 'СО',
  mios: 'МИО',
  incorrect_bank_details: 'строк с неверными реквизитами',
  demands: 'потребностей',
  redemanded: 'повторно',
  amount: 'сумма',
  formed_on: 'сформирована',
  request_on: 'заявка',
  request_due: 'заявка до',
  funding_due: 'финансирование до',
  payouts: 'выплаты',
  repayments: 'повторные выплаты',
  orders: 'платёжных поручений',
  total: 'всего',
  waiting_for_details: 'ждут новых реквизитов',
  returns: 'возвратов',
  acts: 'актов',
  transfers: 'поступлений',
  received: 'поступило',
  closing: 'остаток',
  banks: 'строк по банкам',
  transferred: 'перечислено',
  returned: 'возвращено',
  paid: 'выплачено',
  fee: 'комиссия',
  items: 'сроков',
  met: 'соблюдено',
  met_late: 'с опозданием',
  open: 'в работе',
  breached: 'нарушено',
  breached_by_rule: 'нарушено по правилам',
  files: 'файлов',
  sent_back: 'возвращено МИО',
  count: 'количество',
  month: 'месяц',
  built_on: 'построены',
  as_of: 'на дату',
};

/** The queue's job states in words. */
export const JOB_STATE_WORDS: Record<string, string> = {
  waiting: 'ожидает обработчика',
  prioritized: 'ожидает обработчика',
  active: 'выполняется',
  delayed: 'отложено',
  failed: 'завершилось ошибкой',
  completed: 'выполнено',
  'waiting-children': 'ожидает',
};

function summaryValue(v: unknown): string {
  if (Array.isArray(v)) return String(v.length);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('count' in o && 'amount' in o) return `${String(o.count)} на ${String(o.amount)}`;
    return Object.entries(o)
      .filter(([, x]) => x === null || typeof x !== 'object')
      .map(([k, x]) => `${SUMMARY_WORDS[k] ?? k} ${String(x)}`)
      .join(', ');
  }
  return String(v);
}

/** A step's summary in words: «строк 12; сумма 1 234.00; …» (a key without a word stays as is). */
export function describeStatusSummary(summary: Record<string, unknown> | undefined): string {
  if (!summary) return '';
  return Object.entries(summary)
    .map(([k, v]) => `${SUMMARY_WORDS[k] ?? k} ${summaryValue(v)}`)
    .join('; ');
}

const ALMATY = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Asia/Almaty',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** A moment as the finance office reads it: «2025-03-18 14:05:09» in Asia/Almaty. */
export function almatyDateTime(moment: string | number | Date): string {
  const d = moment instanceof Date ? moment : new Date(moment);
  return Number.isNaN(d.getTime()) ? String(moment) : ALMATY.format(d);
}
