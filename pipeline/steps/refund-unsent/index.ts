// `payouts run refund-unsent` (DOMAIN.md §4.4, 002 §20): returned sums still unpaid on the last
// working day of the month after the month of the return go back to the МИО that day, by a
// payment order from ГК to the МИО's own account (line kind `to_mio`, one order per МИО and date,
// issued by issueOrders so order numbers stay gapless; it posts 'to_mio_order'). A run on a
// later working day catches up whatever an earlier day missed (the deadline check then reports
// it late). The provider stays owed: when it fixes its bank details, form-demand puts the sum
// into the next demand like a late row.
//
// "Still unpaid" = no repayment and no to_mio line for the return; the database allows only one
// of the two per return (payment_lines_return_once), so a sum is never both repaid and sent back.
import type { Knex } from 'knex';
import type { Db, Trx } from '../../kernel/db.ts';
import { assertDate, firstDayOfMonth, monthOf } from '../../kernel/dates.ts';
import { loadCalendar } from '../../kernel/reference.ts';
import { formatAmount, sum } from '../../kernel/money.ts';
import { assertNotBackdated, runStep, type StepOutcome } from '../../kernel/step-run.ts';
import { assertWorkingDay, issueOrders, orderResult, type OrderResult } from '../../orders/issuing.ts';
import { assertOutDir, checkOrderFiles, DEFAULT_ORDERS_DIR, orderFileName, writeRunOrderFiles, type OrderStepOptions } from '../../orders/files.ts';
import { faultPoint } from '../../kernel/faults.ts';
import { returnStateSql } from '../../rules/return-state.ts';
import { sendBackDeadline } from '../../rules/send-back.ts';

export const REFUND_UNSENT_STEP = 'refund-unsent';

export type RefundUnsentOptions = OrderStepOptions;

export interface UnsentReturn {
  returnId: number;
  ref: string;
  mioBin: string;
  providerId: string;
  serviceMonth: string;
  amount: string;
  returnedOn: string;
  /** The last working day of the month after the month of the return. */
  deadline: string;
  /** The МИО's own account. */
  bik: string;
  iban: string;
}

export interface RefundUnsentResult {
  date: string;
  orders: OrderResult[];
  returns: UnsentReturn[];
}

export type RefundUnsentOutcome = StepOutcome<RefundUnsentResult> & { files: string[]; pendingFiles: string[]; fileError: string | null; filesRefused: string | null };

/**
 * Returns still unpaid on `date` whose send-back deadline is on or before it. Lines of the run
 * `ownRunId` (a previous run of the same date) do not count, so an unchanged world plans the same.
 */
export async function planRefundUnsent(q: Knex | Knex.Transaction, date: string, ownRunId: number | null): Promise<UnsentReturn[]> {
  const calendar = await loadCalendar(q);
  // A deadline on or before `date` lies in date's month at the latest, so the return is from an earlier month.
  const { rows } = await q.raw(
    `select r.id, r.ref, r.amount::text as amount, r.returned_on, pl.mio_bin, pl.provider_id, pl.service_month,
            m.bik, m.iban
       from returns r
       join (${returnStateSql(ownRunId === null ? {} : { exceptRun: ':own' })}) st on st.return_id = r.id and st.status = 'pending'
       join payment_lines pl on pl.id = r.payment_line_id
       join mios m on m.mio_bin = pl.mio_bin
      where r.returned_on < :before and pl.kind in ('payout', 'repayment')
      order by r.id`,
    { before: firstDayOfMonth(monthOf(date)), ...(ownRunId === null ? {} : { own: ownRunId }) },
  );
  const out: UnsentReturn[] = [];
  for (const r of rows as Record<string, string | number>[]) {
    const deadline = sendBackDeadline(calendar, String(r.returned_on));
    if (deadline > date) continue;
    out.push({
      returnId: Number(r.id),
      ref: String(r.ref),
      mioBin: String(r.mio_bin),
      providerId: String(r.provider_id),
      serviceMonth: String(r.service_month),
      amount: formatAmount(String(r.amount)),
      returnedOn: String(r.returned_on),
      deadline,
      bik: String(r.bik),
      iban: String(r.iban),
    });
  }
  return out;
}

/** `payouts run refund-unsent`: to_mio payment orders dated as-of (a working day). */
export async function refundUnsent(db: Db, opts: RefundUnsentOptions): Promise<RefundUnsentOutcome> {
  const date = assertDate(opts.asOf);
  await assertWorkingDay(db, date, 'невыплаченные суммы возвратов направляются в МИО платёжным поручением в рабочий день');
  if (!opts.dryRun) assertOutDir(opts.outDir ?? DEFAULT_ORDERS_DIR);
  const outcome = await runStep<UnsentReturn[], RefundUnsentResult>(db, {
    step: REFUND_UNSENT_STEP,
    key: date,
    asOf: date,
    operator: opts.operator,
    dryRun: opts.dryRun,
    inputs: async (trx: Trx, ownRunId) => {
      await assertNotBackdated(trx, REFUND_UNSENT_STEP, date, ownRunId, 'возврат невыплаченных сумм в МИО (refund-unsent)');
      return planRefundUnsent(trx, date, ownRunId);
    },
    async apply({ trx, runId }, unsent) {
      faultPoint('refund-unsent.planned');
      const orders = await issueOrders(trx, {
        date,
        runId,
        kind: 'to_mio',
        lines: unsent.map((u) => ({
          kind: 'to_mio' as const,
          mioBin: u.mioBin,
          providerId: u.providerId,
          bankDetailId: null,
          bik: u.bik,
          iban: u.iban,
          serviceMonth: u.serviceMonth,
          amount: u.amount,
          returnId: u.returnId,
        })),
      });
      faultPoint('refund-unsent.orders-issued');
      // Their files are written after the commit: checked before it (issue 13.1).
      await checkOrderFiles(trx, orders.map((o) => o.id));
      // The МИО learns of the money coming back and of what it is for.
      if (orders.length > 0) {
        await trx('notifications').insert(
          orders.map((o) => ({
            dedupe_key: `sent-back:${o.year}-${o.number}`,
            channel: 'mio',
            recipient: o.mioBin,
            kind: 'returns_sent_back',
            payload: JSON.stringify({
              order_number: o.number,
              order_date: o.date,
              mio_bin: o.mioBin,
              total: o.total,
              count: o.count,
              returns: unsent.filter((u) => u.mioBin === o.mioBin).map((u) => ({ ref: u.ref, provider_id: u.providerId, amount: u.amount, service_month: u.serviceMonth })),
              text:
                `Платёжным поручением № ${o.number} от ${o.date} Госкорпорация возвращает ${o.total} тенге ` +
                `невыплаченных сумм возмещения (${o.count}): реквизиты поставщиков не исправлены в срок.`,
            }),
            created_on: date,
          })),
        );
      }
      return {
        date,
        orders: orders.map(orderResult),
        returns: unsent,
      };
    },
    summarize: (r) => ({
      date: r.date,
      returns: r.returns.length,
      amount: formatAmount(sum(r.returns.map((u) => u.amount))),
      orders: r.orders.map((o) => ({ number: o.number, mio_bin: o.mio_bin, count: o.count, total: o.total, file: orderFileName(o.year, o.number) })),
    }),
  });
  const written = await writeRunOrderFiles(db, outcome, 'to_mio', opts.outDir, 'refund-unsent.committed');
  return Object.assign(outcome, { files: written.files, pendingFiles: written.pending, fileError: written.error, filesRefused: written.refused });
}
