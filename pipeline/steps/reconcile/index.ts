// The reconciliation act (акт сверки), DOMAIN.md §5; Алгоритм … (приказ № 277 / № 459/НҚ),
// п. 21–22, Appendix 3. «Отчетный период» is the service month M: the act of M is dated the 25th
// of M+1 (or the last working day before it) and counts the facts of the window
// (25th of M, 25th of M+1] (pipeline/rules/act-window.ts).
//
// Per МИО: every transfer received from the МИО that the act counts (line code, МИО БИН, МИО
// name, payment-order number and date, sum) and the total (the report adds it in words); and,
// beyond the form, the balance of the money ГК holds for the МИО over the same window, read from
// the ledger account gk_funds:<БИН> by entry source (pipeline/ledger.ts):
//   opening   the previous act's closing
//   received  'transfer'      (debit)   — equals the form's total, checked
//   paid      'payout_order'  (credit)  — payouts and repayments
//   returned  'return'        (debit)   — sums the banks sent back to ГК
//   sent_back 'to_mio_order'  (credit)  — unsent returns paid back to the МИО
//   closing   opening + received − paid + returned − sent_back
// Any other source moving gk_funds is refused as an unknown movement, so the act and the ledger
// cannot drift apart.
//
// The chain never breaks. What the acts up to period j have counted, Cum(j), is every gk_funds
// entry dated on or before the 25th of j+1 and recorded no later than j's closing (the
// ledger's high-water mark stored by `reconcile` in reconciliation_closings; for a period not
// closed, that of the first later closing, else everything recorded so far). The act of M
// counts Cum(M) − Cum(M−1): its opening is the balance of Cum(M−1), the previous act's closing,
// and a fact dated inside a window already closed (a return dated 30 Sep imported on 2 Oct) is
// counted by the first open act and listed there under `late`. An act already built is never
// rebuilt: its closing fixes what it counted, and a re-run changes nothing.
//
// Line code (column 1 of the form): the ordinal of the row in the act, "1", "2", … in the order
// of the payment orders (date, number). The form gives no code table; the total row "Всего"
// carries no code.
import type { Knex } from 'knex';
import type { Db } from '../../kernel/db.ts';
import { addMonths, assertMonth, compareDates } from '../../kernel/dates.ts';
import { BusinessRuleError, MonthRequired } from '../../kernel/errors.ts';
import { formatAmount, money, sum, ZERO, type Money } from '../../kernel/money.ts';
import { loadCalendar } from '../../kernel/reference.ts';
import { laterRunKey, runStep, type StepOptions, type StepOutcome } from '../../kernel/step-run.ts';
import { faultPoint } from '../../kernel/faults.ts';
import { actWindow, windowBounds, type ActWindow } from '../../rules/act-window.ts';

type Q = Knex | Knex.Transaction;

export const RECONCILE_STEP = 'reconcile';

export interface ReconciliationRow {
  line_code: string;
  mio_bin: string;
  mio_name: string;
  pp_no: string;
  pp_date: string;
  amount: string;
}

export interface ReconciliationBalance {
  opening: string;
  received: string;
  paid: string;
  returned: string;
  sent_back: string;
  closing: string;
}

/** A fact dated in an earlier, closed window that this act counts. */
export interface LateFact {
  kind: 'transfer' | 'payment' | 'return' | 'sent_back';
  /** Transfer: the МИО's payment-order number; payment and send-back: ГК's order number; return: the line's reference. */
  ref: string;
  dated: string;
  amount: string;
}

export interface ReconciliationAct {
  month: string;
  mio_bin: string;
  mio_name: string;
  act_date: string;
  window: { after: string; through: string };
  rows: ReconciliationRow[];
  total: string;
  balance: ReconciliationBalance;
  late: LateFact[];
}

const GK_FUNDS_PREFIX = 'gk_funds:';
const LATE_KIND: Record<string, LateFact['kind']> = {
  transfer: 'transfer',
  payout_order: 'payment',
  return: 'return',
  to_mio_order: 'sent_back',
};

export class ReconciliationMismatchError extends Error {}

/** What the acts up to a period have counted: entries dated ≤ through, recorded ≤ highWater (null: all). */
interface Cut {
  through: string;
  highWater: number | null;
}

interface Closing {
  month: string;
  act_date: string;
  ledger_high_water: number;
}

async function closings(db: Q): Promise<Closing[]> {
  const rows: { month: string; act_date: string; ledger_high_water: string | number }[] = await db('reconciliation_closings')
    .select('month', 'act_date', 'ledger_high_water')
    .orderBy('month');
  return rows.map((r) => ({ month: r.month, act_date: r.act_date, ledger_high_water: Number(r.ledger_high_water) }));
}

/** Cum(j): a closed period's own mark, else the first later closing's, else none. */
function cutOf(all: Closing[], month: string): Cut {
  const own = all.find((c) => c.month >= month);
  return { through: windowBounds(month).through, highWater: own ? own.ledger_high_water : null };
}

function inCut(q: Knex.QueryBuilder, cut: Cut): Knex.QueryBuilder {
  q.where('e.entry_date', '<=', cut.through);
  if (cut.highWater !== null) q.where('e.id', '<=', cut.highWater);
  return q;
}

function gkFunds(db: Q, mioBin?: string): Knex.QueryBuilder {
  const q = db('ledger_postings as p').join('ledger_entries as e', 'e.id', 'p.entry_id');
  if (mioBin) q.where('p.account', `${GK_FUNDS_PREFIX}${mioBin}`);
  else q.where('p.account', 'like', `${GK_FUNDS_PREFIX}%`);
  return q;
}

interface CountedEntry {
  bin: string;
  id: number;
  date: string;
  source: string;
  sourceId: string;
  net: Money;
}

/** The acts of period M computed from the current data and the closings: one per МИО with money at ГК or counted facts. */
export async function computeReconciliationActs(db: Q, month: string, mioBin?: string): Promise<ReconciliationAct[]> {
  assertMonth(month);
  const win: ActWindow = actWindow(await loadCalendar(db), month);
  const all = await closings(db);
  const cut = cutOf(all, month);
  const prev = cutOf(all, addMonths(month, -1));

  // Opening: the balance of Cum(M−1) per МИО.
  const openingRows = (await inCut(gkFunds(db, mioBin), prev)
    .select('p.account')
    .sum({ debit: 'p.debit', credit: 'p.credit' })
    .groupBy('p.account')) as unknown as { account: string; debit: string; credit: string }[];
  const opening = new Map(openingRows.map((r) => [r.account.slice(GK_FUNDS_PREFIX.length), money(r.debit).minus(money(r.credit))]));

  // Counted: Cum(M) − Cum(M−1), entry by entry.
  const countedQ = inCut(gkFunds(db, mioBin), cut)
    .select('p.account', 'e.id', 'e.entry_date', 'e.source', 'e.source_id')
    .sum({ debit: 'p.debit', credit: 'p.credit' })
    .groupBy('p.account', 'e.id', 'e.entry_date', 'e.source', 'e.source_id')
    .orderBy([{ column: 'e.entry_date' }, { column: 'e.id' }]);
  countedQ.whereNot((w) => {
    w.where('e.entry_date', '<=', prev.through);
    if (prev.highWater !== null) w.where('e.id', '<=', prev.highWater);
  });
  const counted: CountedEntry[] = (
    (await countedQ) as unknown as { account: string; id: string; entry_date: string; source: string; source_id: string; debit: string; credit: string }[]
  ).map((r) => ({
    bin: r.account.slice(GK_FUNDS_PREFIX.length),
    id: Number(r.id),
    date: r.entry_date,
    source: r.source,
    sourceId: r.source_id,
    net: money(r.debit).minus(money(r.credit)),
  }));
  const unknown = counted.filter((c) => !(c.source in LATE_KIND));
  if (unknown.length) {
    throw new ReconciliationMismatchError(
      `gk_funds moved for the act of ${month} by unexpected ledger sources: ${[...new Set(unknown.map((u) => u.source))].join(', ')}`,
    );
  }

  const idsOf = (source: string) => counted.filter((c) => c.source === source).map((c) => Number(c.sourceId));
  const transferIds = idsOf('transfer');
  const transfers = new Map<number, { mio_bin: string; pp_no: string; pp_date: string; amount: string }>(
    transferIds.length === 0
      ? []
      : ((await db('transfers').whereIn('id', transferIds).select('id', 'mio_bin', 'pp_no', 'pp_date', 'amount')) as {
          id: string;
          mio_bin: string;
          pp_no: string;
          pp_date: string;
          amount: string;
        }[]).map((t) => [Number(t.id), t]),
  );
  const orderIds = [...idsOf('payout_order'), ...idsOf('to_mio_order')];
  const orderNumbers = new Map<number, string>(
    orderIds.length === 0
      ? []
      : ((await db('payment_orders').whereIn('id', orderIds).select('id', 'number')) as { id: string; number: number }[]).map((o) => [
          Number(o.id),
          String(o.number),
        ]),
  );
  const returnIds = idsOf('return');
  const returnRefs = new Map<number, string>(
    returnIds.length === 0
      ? []
      : ((await db('returns').whereIn('id', returnIds).select('id', 'ref')) as { id: string; ref: string }[]).map((r) => [Number(r.id), r.ref]),
  );

  const bins = [...new Set([...opening.keys(), ...counted.map((c) => c.bin)])].sort();
  if (bins.length === 0) return [];
  const names = new Map<string, string>(
    (await db('mios').whereIn('mio_bin', bins).select('mio_bin', 'name')).map((m: { mio_bin: string; name: string }) => [m.mio_bin, m.name]),
  );

  const acts = bins.map((bin): ReconciliationAct => {
    const mioName = names.get(bin) ?? '';
    const mine = counted.filter((c) => c.bin === bin);
    const rows: ReconciliationRow[] = mine
      .filter((c) => c.source === 'transfer')
      .map((c) => transfers.get(Number(c.sourceId))!)
      .sort((a, b) => compareDates(a.pp_date, b.pp_date) || (a.pp_no < b.pp_no ? -1 : a.pp_no > b.pp_no ? 1 : 0))
      .map((t, i) => ({ line_code: String(i + 1), mio_bin: bin, mio_name: mioName, pp_no: t.pp_no, pp_date: t.pp_date, amount: formatAmount(t.amount) }));
    const total = sum(rows.map((r) => r.amount));
    const net = (source: string) => mine.filter((c) => c.source === source).reduce((a, c) => a.plus(c.net), ZERO);
    const open = opening.get(bin) ?? ZERO;
    const received = net('transfer');
    const paid = net('payout_order').times(-1);
    const returned = net('return');
    const sentBack = net('to_mio_order').times(-1);
    const closing = open.plus(received).minus(paid).plus(returned).minus(sentBack);
    if (!received.eq(total)) {
      throw new ReconciliationMismatchError(
        `gk_funds:${bin} received ${formatAmount(received)} for the act of ${month} by the ledger, but the transfers total ${formatAmount(total)}`,
      );
    }
    const refOf = (c: CountedEntry): string => {
      const id = Number(c.sourceId);
      if (c.source === 'transfer') return transfers.get(id)!.pp_no;
      if (c.source === 'return') return returnRefs.get(id) ?? c.sourceId;
      return orderNumbers.get(id) ?? c.sourceId;
    };
    const late: LateFact[] = mine
      .filter((c) => c.date <= win.after)
      .map((c) => ({ kind: LATE_KIND[c.source], ref: refOf(c), dated: c.date, amount: formatAmount(c.net.abs()) }));
    return {
      month,
      mio_bin: bin,
      mio_name: mioName,
      act_date: win.act_date,
      window: { after: win.after, through: win.through },
      rows,
      total: formatAmount(total),
      balance: {
        opening: formatAmount(open),
        received: formatAmount(received),
        paid: formatAmount(paid),
        returned: formatAmount(returned),
        sent_back: formatAmount(sentBack),
        closing: formatAmount(closing),
      },
      late,
    };
  });
  // A МИО with nothing at ГК and nothing counted in the window has nothing to reconcile.
  return acts.filter((a) => a.rows.length > 0 || a.late.length > 0 || Object.values(a.balance).some((v) => !money(v).eq(0)));
}

export interface Signatures {
  signed_on: string | null;
  copies_received_on: string | null;
}

export interface StoredAct extends ReconciliationAct, Signatures {
  /** True when the act comes from a `reconcile` run (frozen), false when computed now. */
  frozen: boolean;
  /** The business date of the run that froze it. */
  reconciled_on: string | null;
}

/** The signing events of period M per МИО, as of a date (events recorded later do not count). */
export async function actSignatures(db: Q, month: string, asOf: string, mioBin?: string): Promise<Map<string, Signatures>> {
  const q = db('reconciliation_signatures').where({ month }).where('event_date', '<=', asOf).select('mio_bin', 'kind', 'event_date');
  if (mioBin) q.where('mio_bin', mioBin);
  const out = new Map<string, Signatures>();
  for (const s of (await q) as { mio_bin: string; kind: string; event_date: string }[]) {
    const sig = out.get(s.mio_bin) ?? { signed_on: null, copies_received_on: null };
    if (s.kind === 'signed') sig.signed_on = s.event_date;
    else sig.copies_received_on = s.event_date;
    out.set(s.mio_bin, sig);
  }
  return out;
}

/** The acts of period M as the report shows them: frozen where reconciled, else live; signatures as of the date. */
export async function reconciliationActs(db: Q, month: string, asOf: string, mioBin?: string): Promise<StoredAct[]> {
  const fq = db('reconciliations as r')
    .join('step_runs as s', 's.id', 'r.run_id')
    .where('r.month', month)
    .select('r.mio_bin', 'r.data', 's.as_of')
    .orderBy('r.mio_bin');
  if (mioBin) fq.where('r.mio_bin', mioBin);
  const frozen: { mio_bin: string; data: ReconciliationAct | string; as_of: string }[] = await fq;
  const signatures = await actSignatures(db, month, asOf, mioBin);
  const signed = (bin: string): Signatures => signatures.get(bin) ?? { signed_on: null, copies_received_on: null };
  const byBin = new Map<string, StoredAct>();
  for (const f of frozen) {
    const data = typeof f.data === 'string' ? (JSON.parse(f.data) as ReconciliationAct) : f.data;
    byBin.set(f.mio_bin, { ...data, ...signed(f.mio_bin), frozen: true, reconciled_on: f.as_of });
  }
  const closed = await db('reconciliation_closings').where({ month }).first('month');
  if (!closed) {
    for (const act of await computeReconciliationActs(db, month, mioBin)) {
      if (!byBin.has(act.mio_bin)) byBin.set(act.mio_bin, { ...act, ...signed(act.mio_bin), frozen: false, reconciled_on: null });
    }
  }
  return [...byBin.values()].sort((a, b) => (a.mio_bin < b.mio_bin ? -1 : a.mio_bin > b.mio_bin ? 1 : 0));
}

export interface ReconcileResult {
  month: string;
  act_date: string;
  acts: ReconciliationAct[];
}

/** `payouts run reconcile --month M`: computes and freezes the act of every МИО for period M. */
export async function reconcile(db: Db, opts: StepOptions): Promise<StepOutcome<ReconcileResult>> {
  if (!opts.month) throw new MonthRequired('Для сверки укажите отчётный период (--month ГГГГ-ММ, месяц оказания услуг)');
  const month = assertMonth(opts.month);
  const win = actWindow(await loadCalendar(db), month);
  if (compareDates(opts.asOf, win.act_date) < 0) {
    throw new BusinessRuleError(
      'reconciliation-window-open',
      `Акт сверки за отчётный период ${month} датируется ${win.act_date} и охватывает поступления ` +
        `после ${win.after} по ${win.through}: его нельзя составить раньше ${win.act_date}, рабочая дата ${opts.asOf}`,
    );
  }
  return runStep<ReconciliationAct[], ReconcileResult>(db, {
    step: RECONCILE_STEP,
    key: month,
    asOf: opts.asOf,
    operator: opts.operator,
    dryRun: opts.dryRun,
    // The step writes no money: the acts computed from the ledger and the closings are exactly
    // what it acts on, and after it ran its own closing fixes them (a re-run is a no-op).
    inputs: (trx) => computeReconciliationActs(trx, month),
    async apply({ trx, runId }, acts) {
      const later = await laterRunKey(trx, RECONCILE_STEP, month);
      if (later) {
        throw new BusinessRuleError(
          'reconciliation-in-month-order',
          `Акт сверки за ${month} не может быть составлен: уже составлен акт за более поздний период ${later}. ` +
            `Акты составляются по порядку периодов; факты периода ${month} учтены в следующем акте.`,
        );
      }
      const hw = await trx('ledger_entries').max({ id: 'id' }).first();
      await trx('reconciliation_closings').insert({
        month,
        act_date: win.act_date,
        window_after: win.after,
        window_through: win.through,
        ledger_high_water: Number(hw?.id ?? 0),
        run_id: runId,
      });
      for (const [i, act] of acts.entries()) {
        await trx('reconciliations').insert({ month, mio_bin: act.mio_bin, data: JSON.stringify(act), run_id: runId });
        if (i === 0) faultPoint('reconcile.after-first-act');
      }
      faultPoint('reconcile.after-acts');
      return { month, act_date: win.act_date, acts };
    },
    summarize: (r) => ({
      month: r.month,
      act_date: r.act_date,
      acts: r.acts.length,
      transfers: r.acts.reduce((n, a) => n + a.rows.length, 0),
      received: formatAmount(sum(r.acts.map((a) => a.total))),
      late: r.acts.reduce((n, a) => n + a.late.length, 0),
      closing: formatAmount(sum(r.acts.map((a) => a.balance.closing))),
    }),
  });
}
