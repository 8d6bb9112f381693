// Properties of the money ГК holds, over random months run through the real steps (build-lists,
// form-demand, funding, pay, returns, new bank details, refund-unsent, reconcile):
//   1. for every МИО, received = paid − returned + sent back + held, where "held" is the balance
//      of gk_funds in the ledger and the other terms are summed from the tables, independently;
//      held is never negative;
//   1a. the reconciliation acts, each built on its own date (the 25th of M+1 or the last working
//      day before it) while the months run, chain for every МИО: an act's opening is the previous
//      act's closing, the last closing is what ГК holds, every transfer is listed in exactly one
//      act, and a fact listed as late is dated in an earlier window (returns are often dated on
//      their order's day but imported days later, after the act of that window) — DOMAIN §5;
//   2. no act is ever paid more than its provider's sum: per list row, Σ payout and repayment
//      lines − Σ returns of them ≤ provider_sum (and ≥ 0);
//   3. a repayment never goes to the version its return came from, nor to one dated before it;
//   4. Appendix 4 adds up: transferred = returned + paid (lines and amounts; recipients within
//      bounds), and transferred = the month's lines;
//   5. the ledger balances.
import { rmSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, freshDb, type TestDb } from './support/db.ts';
import { tempDir } from './support/files.ts';
import { fund, importReturns } from './support/imports.ts';
import { HALYK, KASPI, OPERATOR } from './support/two-month-world.ts';
import { seedAct, seedBank, seedBankDetails, seedMio, seedProvider, type MioSeed, type ProviderSeed } from './support/world.ts';
import { addMonths, firstDayOfMonth, lastDayOfMonth } from '../pipeline/kernel/dates.ts';
import { transferCeiling } from '../pipeline/rules/transfer-ceiling.ts';
import { account, accountMovement, trialBalance } from '../pipeline/ledger.ts';
import { formatAmount, money, sum, ZERO, type Money } from '../pipeline/kernel/money.ts';
import { buildLists } from '../pipeline/steps/build-lists/index.ts';
import { formDemand } from '../pipeline/steps/form-demand/index.ts';
import { payApproved as pay } from './support/approve.ts';
import { refundUnsent } from '../pipeline/steps/refund-unsent/index.ts';
import { reconcile, reconciliationActs } from '../pipeline/steps/reconcile/index.ts';
import { actWindow } from '../pipeline/rules/act-window.ts';
import { computeBankFeeReports } from '../pipeline/steps/bank-fees/index.ts';
import { returnStates } from '../pipeline/rules/return-state.ts';
import { loadCalendar } from '../pipeline/kernel/reference.ts';
import type { Calendar } from '../pipeline/kernel/calendar.ts';
import type { Db } from '../pipeline/kernel/db.ts';

let t: TestDb;
let cal: Calendar;
const out = tempDir('payouts-close-');

beforeAll(async () => {
  t = await freshDb();
  cal = await loadCalendar(t.db);
});
afterAll(async () => {
  await t?.drop();
  rmSync(out, { recursive: true, force: true });
});

/**
 * Empties every table but the reference data, the order statuses and the migrations' own. DELETE with the foreign-key
 * triggers off (returns and payment lines refer to each other) is much faster than TRUNCATE here.
 */
async function reset(db: Db): Promise<void> {
  const { rows } = await db.raw(
    // payment_order_statuses is the vocabulary of order events (the migrations fill it), not data.
    `select tablename from pg_tables where schemaname = 'public' and tablename not like 'ref\\_%' and tablename not like 'knex\\_%'
        and tablename <> 'payment_order_statuses'`,
  );
  await db.transaction(async (trx) => {
    await trx.raw('set local session_replication_role = replica');
    for (const { tablename } of rows as { tablename: string }[]) await trx.raw(`delete from "${tablename}"`);
  });
}

/** A stream of random choices from fast-check, read in turn. */
class Choices {
  private i = 0;
  constructor(private readonly values: number[]) {}
  /** An integer in [0, n). */
  next(n: number): number {
    const v = this.values[this.i % this.values.length];
    this.i++;
    return v % n;
  }
  chance(percent: number): boolean {
    return this.next(100) < percent;
  }
}

interface Scenario {
  mios: number;
  providers: { mio: number; kind: 'assistant' | 'entrepreneur'; bank: 0 | 1; hours: number[] }[];
  months: number;
  choices: number[];
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  mios: fc.integer({ min: 1, max: 2 }),
  providers: fc.array(
    fc.record({
      mio: fc.integer({ min: 0, max: 1 }),
      kind: fc.constantFrom('assistant' as const, 'entrepreneur' as const),
      bank: fc.constantFrom(0 as const, 1 as const),
      // Hours per service month in tenths (0 = no act that month).
      hours: fc.array(fc.integer({ min: 0, max: 1800 }), { minLength: 4, maxLength: 4 }),
    }),
    { minLength: 2, maxLength: 4 },
  ),
  months: fc.integer({ min: 2, max: 3 }),
  choices: fc.array(fc.integer({ min: 0, max: 9999 }), { minLength: 40, maxLength: 40 }),
});

const BANKS = [HALYK, KASPI];

async function done(what: string, p: Promise<{ status: string }>): Promise<void> {
  const o = await p;
  if (o.status !== 'done') throw new Error(`${what}: ${o.status}`);
}

/** Runs the scenario: list months 2025-02 onward, each with funding, payments, returns and fixes. */
async function play(db: Db, s: Scenario): Promise<{ months: string[]; periods: string[] }> {
  const rnd = new Choices(s.choices);
  const mios: MioSeed[] = [];
  for (let i = 0; i < s.mios; i++) mios.push(await seedMio(db));
  for (const b of BANKS) await seedBank(db, b);
  const providers: { seed: ProviderSeed; mio: MioSeed; hours: number[] }[] = [];
  for (const p of s.providers) {
    const seed = await seedProvider(db, { kind: p.kind, bik: BANKS[p.bank].bik });
    providers.push({ seed, mio: mios[p.mio % mios.length], hours: p.hours });
  }

  // The act of each reporting period is built on its date, before any later event is recorded.
  const periods: string[] = [];
  const reconcileUpTo = async (day: string) => {
    for (;;) {
      const period = periods.length === 0 ? '2025-01' : addMonths(periods[periods.length - 1], 1);
      const { act_date } = actWindow(cal, period);
      if (act_date >= day) return;
      await done('reconcile', reconcile(db, { month: period, asOf: act_date, operator: OPERATOR }));
      periods.push(period);
    }
  };

  const months: string[] = [];
  for (let k = 0; k < s.months; k++) {
    const month = addMonths('2025-02', k);
    months.push(month);
    const service = addMonths(month, -1);
    for (const p of providers) {
      const tenths = p.hours[k];
      if (tenths === 0) continue;
      await seedAct(db, {
        provider: p.seed,
        mio: p.mio,
        service_month: service,
        hours: money(String(tenths)).div(10).toFixed(1),
        received_on: `${month}-05`,
        accepted_on: `${month}-07`,
      });
    }
    await reconcileUpTo(`${month}-14`);
    await done('build-lists', buildLists(db, { month, asOf: `${month}-14`, operator: OPERATOR }));
    await done('form-demand', formDemand(db, { month, asOf: `${month}-15`, operator: OPERATOR }));

    const t1 = cal.workingDayOnOrAfter(`${month}-16`);
    const pay1 = cal.nextWorkingDay(t1);
    const t2 = cal.nextWorkingDay(pay1);
    const returnDay = cal.nextWorkingDay(t2);
    const fixDay = cal.nextWorkingDay(returnDay);
    const pay2 = cal.nextWorkingDay(fixDay);
    const lastDay = cal.lastWorkingDayOfMonth(month);

    // Funding: part of what is open on the 16th-ish, maybe the rest (or part of it) a few days later.
    const transfers = async (day: string, tag: string) => {
      for (const m of mios) {
        const open = (await transferCeiling(db, m.mio_bin, day)).ceiling;
        if (open.lte(0)) continue;
        const share = [100, 100, 60, 35, 0][rnd.next(5)];
        const amount = open.times(share).div(100).round(2, 0);
        if (amount.lte(0)) continue;
        await fund(db, day, [{ mio_bin: m.mio_bin, pp_no: `${tag}-${m.mio_bin.slice(-4)}`, pp_date: day, amount: formatAmount(amount) }]);
      }
    };
    await reconcileUpTo(t1);
    await transfers(t1, `${month}-1`);
    await reconcileUpTo(pay1);
    await done('pay', pay(db, { asOf: pay1, operator: OPERATOR, outDir: out }));
    await reconcileUpTo(t2);
    await transfers(t2, `${month}-2`);

    // Returns of some of this month's provider lines.
    const lines: { ref: string; amount: string; order_date: string }[] = await db('payment_lines as l')
      .join('payment_orders as o', 'o.id', 'l.order_id')
      .whereIn('l.kind', ['payout', 'repayment'])
      .whereBetween('o.order_date', [firstDayOfMonth(month), returnDay])
      .orderBy('l.id')
      .select('l.ref', 'l.amount', 'o.order_date');
    const returns = lines
      .filter(() => rnd.chance(50))
      .map((l) => ({ payment_ref: l.ref, amount: l.amount, returned_on: rnd.chance(50) ? l.order_date : returnDay, reason_code: 'AC04', reason_text: 'Счёт закрыт' }));
    await reconcileUpTo(returnDay);
    if (returns.length) {
      const r = await importReturns(db, returnDay, returns);
      if (r.rejected.length) throw new Error(`returns rejected: ${JSON.stringify(r.rejected)}`);
    }

    // Some providers with a return not repaid give new details.
    const open = (await returnStates(db, { asOf: fixDay })).filter((r) => r.status !== 'repaid');
    await reconcileUpTo(fixDay);
    for (const providerId of [...new Set(open.map((r) => r.providerId))]) {
      if (rnd.chance(50)) await seedBankDetails(db, { provider_id: providerId, changed_on: fixDay, bik: BANKS[rnd.next(2)].bik });
    }
    await reconcileUpTo(pay2);
    await done('pay', pay(db, { asOf: pay2, operator: OPERATOR, outDir: out }));
    await reconcileUpTo(lastDay);
    await done('refund-unsent', refundUnsent(db, { asOf: lastDay, operator: OPERATOR, outDir: out }));
  }
  // A late return: the bank reports, on the last day, a payout of an order dated inside a window
  // whose act is already built (DOMAIN §5: it is counted by the next act, listed as late).
  const lastDay = cal.lastWorkingDayOfMonth(months[months.length - 1]);
  const closedThrough = actWindow(cal, periods[periods.length - 1]).through;
  const late = await db('payment_lines as l')
    .join('payment_orders as o', 'o.id', 'l.order_id')
    .leftJoin('returns as r', 'r.payment_line_id', 'l.id')
    .where('l.kind', 'payout')
    .whereNull('r.id')
    .where('o.order_date', '<=', closedThrough)
    .orderBy('l.id', 'desc')
    .first('l.ref', 'l.amount', 'o.order_date');
  if (late) {
    const r = await importReturns(db, lastDay, [{ payment_ref: late.ref, amount: late.amount, returned_on: late.order_date, reason_code: 'AC04', reason_text: 'Счёт закрыт' }]);
    if (r.rejected.length) throw new Error(`late return rejected: ${JSON.stringify(r.rejected)}`);
  }
  // The act of the last list month's period closes the run: everything is dated before its window ends.
  await reconcileUpTo(`${addMonths(months[months.length - 1], 2)}-01`);
  return { months, periods };
}

async function tableSum(q: Promise<{ total: string | null }[]>): Promise<Money> {
  const [r] = await q;
  return money(r?.total ?? '0');
}

/** Checks the invariants; returns the number of late facts the acts listed. */
async function checkInvariants(db: Db, { months, periods }: { months: string[]; periods: string[] }): Promise<number> {
  expect((await trialBalance(db)).balanced).toBe(true);
  let lateFacts = 0;
  const listed: string[] = [];

  // 1. received = paid − returned + sent back + held, per МИО.
  const lineSum = (bin: string, kinds: string[]) =>
    tableSum(db('payment_lines').where('mio_bin', bin).whereIn('kind', kinds).sum({ total: 'amount' }) as unknown as Promise<{ total: string | null }[]>);
  for (const { mio_bin: bin } of await db('mios').select('mio_bin')) {
    const received = await tableSum(db('transfers').where('mio_bin', bin).sum({ total: 'amount' }) as unknown as Promise<{ total: string | null }[]>);
    const paid = await lineSum(bin, ['payout', 'repayment']);
    const sentBack = await lineSum(bin, ['to_mio']);
    const returned = await tableSum(
      db('returns as r').join('payment_lines as l', 'l.id', 'r.payment_line_id').where('l.mio_bin', bin).sum({ total: 'r.amount' }) as unknown as Promise<{ total: string | null }[]>,
    );
    const held = await accountMovement(db, account.gkFunds(bin));
    expect(formatAmount(received)).toBe(formatAmount(paid.minus(returned).plus(sentBack).plus(held)));
    expect(held.gte(0)).toBe(true);

    // 1a. The acts chain period to period and end at what ГК holds.
    let previous = '0.00';
    for (const period of periods) {
      const [act] = await reconciliationActs(db, period, '2026-12-31', bin);
      if (!act) continue; // nothing held and nothing counted: no act, the chain carries on at 0
      expect(act.frozen).toBe(true);
      expect(act.balance.opening).toBe(previous);
      for (const late of act.late) expect(late.dated <= act.window.after).toBe(true);
      lateFacts += act.late.length;
      listed.push(...act.rows.map((r) => `${r.pp_no}@${r.pp_date}`));
      previous = act.balance.closing;
    }
    expect(previous).toBe(formatAmount(held));
  }
  const transfers = ((await db('transfers').select('pp_no', 'pp_date')) as { pp_no: string; pp_date: string }[]).map((r) => `${r.pp_no}@${r.pp_date}`);
  expect(listed.sort()).toEqual(transfers.sort());

  // 2. No act paid more than its provider's sum.
  const lines: { id: number; kind: string; amount: string; list_row_id: number | null; returned_line: number | null; bank_detail_id: number | null }[] = (
    await db.raw(
      `select l.id, l.kind, l.amount::text as amount, dr.list_row_id, r.payment_line_id as returned_line, l.bank_detail_id
         from payment_lines l
         left join demand_rows dr on dr.id = l.demand_row_id
         left join returns r on r.id = l.return_id`,
    )
  ).rows;
  const byId = new Map(lines.map((l) => [Number(l.id), l]));
  const listRowOf = (id: number): number => {
    const l = byId.get(id)!;
    return l.list_row_id != null ? Number(l.list_row_id) : listRowOf(Number(l.returned_line));
  };
  const net = new Map<number, Money>();
  for (const l of lines) {
    if (l.kind === 'to_mio') continue;
    const row = listRowOf(Number(l.id));
    net.set(row, (net.get(row) ?? ZERO).plus(l.amount));
  }
  for (const r of await db('returns').select('payment_line_id', 'amount')) {
    const row = listRowOf(Number(r.payment_line_id));
    net.set(row, (net.get(row) ?? ZERO).minus(r.amount));
  }
  const providerSums = new Map<number, string>((await db('list_rows').select('id', 'provider_sum')).map((r) => [Number(r.id), r.provider_sum]));
  for (const [row, amount] of net) {
    expect(amount.gte(0)).toBe(true);
    expect(amount.lte(money(providerSums.get(row)!))).toBe(true);
  }

  // 3. Repayments go to a version other than the returned one, dated on or after the return.
  const { rows: repayments } = await db.raw(
    `select rp.bank_detail_id, bd.changed_on, r.returned_on, ol.bank_detail_id as returned_version
       from payment_lines rp
       join returns r on r.id = rp.return_id
       join payment_lines ol on ol.id = r.payment_line_id
       join bank_details bd on bd.id = rp.bank_detail_id
      where rp.kind = 'repayment'`,
  );
  for (const r of repayments as { bank_detail_id: number; changed_on: string; returned_on: string; returned_version: number }[]) {
    expect(Number(r.bank_detail_id)).not.toBe(Number(r.returned_version));
    expect(r.changed_on >= r.returned_on).toBe(true);
  }

  // 4. Appendix 4 adds up.
  for (const month of months) {
    const asOf = lastDayOfMonth(addMonths(months[months.length - 1], 1));
    const reports = await computeBankFeeReports(db, month, asOf);
    for (const rep of reports) {
      for (const row of rep.rows) {
        // Lines subtract; recipients (provider and account) do not: one may have a returned and a paid line.
        expect(row.transferred.lines).toBe(row.returned.lines + row.paid.lines);
        expect(row.transferred.count).toBeLessThanOrEqual(row.returned.count + row.paid.count);
        expect(row.transferred.count).toBeGreaterThanOrEqual(Math.max(row.returned.count, row.paid.count));
        expect(row.transferred.count).toBeLessThanOrEqual(row.transferred.lines);
        expect(formatAmount(row.transferred.amount)).toBe(formatAmount(money(row.returned.amount).plus(row.paid.amount)));
      }
    }
    const monthLines = await tableSum(
      db('payment_lines as l')
        .join('payment_orders as o', 'o.id', 'l.order_id')
        .whereIn('l.kind', ['payout', 'repayment'])
        .whereBetween('o.order_date', [firstDayOfMonth(month), lastDayOfMonth(month)])
        .sum({ total: 'l.amount' }) as unknown as Promise<{ total: string | null }[]>,
    );
    expect(formatAmount(sum(reports.map((r) => r.total.transferred.amount)))).toBe(formatAmount(monthLines));
  }
  return lateFacts;
}

/**
 * A world found to take every path: returns, repayments after new details, a sum sent back to the
 * МИО and demanded again after its fix (four list months).
 */
const EVERY_PATH: Scenario = {
  mios: 2,
  providers: [
    { mio: 0, kind: 'assistant', bank: 0, hours: [1000, 905, 1204, 300] },
    { mio: 0, kind: 'entrepreneur', bank: 1, hours: [800, 0, 1500, 200] },
    { mio: 1, kind: 'assistant', bank: 0, hours: [1205, 1300, 400, 500] },
  ],
  months: 4,
  choices: Array.from({ length: 40 }, (_, i) => (i * 37 + 808 + ((i * i * 11) % 97)) % 10000),
};

describe('money held by ГК over months', () => {
  it('holds on a world that takes every path', async () => {
    await reset(t.db);
    const run = await play(t.db, EVERY_PATH);
    expect(run.periods).toEqual(['2025-01', '2025-02', '2025-03', '2025-04', '2025-05']);
    // Some returns are dated on their order's day and imported after that window's act.
    expect(await checkInvariants(t.db, run)).toBeGreaterThan(0);
    const kinds = Object.fromEntries(
      ((await t.db('payment_lines').select('kind').count({ n: '*' }).groupBy('kind')) as { kind: string; n: number }[]).map((r) => [r.kind, Number(r.n)]),
    );
    expect(kinds).toEqual({ payout: 12, repayment: 4, to_mio: 1 });
    expect(Number((await t.db('demand_rows').whereNotNull('return_id').count({ n: '*' }))[0].n)).toBe(1);
    expect(await count(t.db, 'returns')).toBe(6); // five in the months, the late one at the end
  });

  it('received = paid − returned + sent back + held for every МИО, and no act is paid more than its sum (random months)', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        await reset(t.db);
        await checkInvariants(t.db, await play(t.db, s));
      }),
      { numRuns: 6, endOnFailure: true },
    );
  });
});
