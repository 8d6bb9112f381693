// The two-month world of the returns and closing tests, run through the real steps (build-lists,
// form-demand, funding, pay, returns, refund-unsent). Master data and acts are inserted with
// test/support/world.ts (synthetic ИИН/БИН and IBAN with valid check digits, generated names).
// Figures, hand-computed (2025 hourly rate 536.32; ОПВ 10 %, ОСМС 2 %, half-up to the tiyn):
//
//   service month 2025-01, listed 02-14:
//     A  P1 assistant    100 h  G 53 632.00  ОПВ 5 363.20  ОСМС 1 072.64  → 47 196.16   Halyk
//     A  P2 assistant     80 h  G 42 905.60  ОПВ 4 290.56  ОСМС   858.11  → 37 756.93   Halyk
//     A  P3 entrepreneur 120 h  G 64 358.40                               → 64 358.40   Kaspi
//     B  P4 assistant     50 h  G 26 816.00  ОПВ 2 681.60  ОСМС   536.32  → 23 598.08   Halyk
//        demand 02-15: A 149 311.49, B 23 598.08; transfers 02-18 in full; pay 02-19.
//   02-21 the bank returns P1's payout (file of 02-24); 02-26 it returns P2's (pain.002 of 02-26).
//   03-03 P1 gives new details at Kaspi; pay 03-04 repays P1 47 196.16 (Kaspi).
//   service month 2025-02, listed 03-14:
//     A  P1  90 h  G 48 268.80  ОПВ 4 826.88  ОСМС 965.38  → 42 476.54   Kaspi (the new details)
//     A  P3 100 h  G 53 632.00                             → 53 632.00   Kaspi
//     B  P4  60 h  G 32 179.20  ОПВ 3 217.92  ОСМС 643.58  → 28 317.70   Halyk
//        demand 03-15: A 96 108.54, B 28 317.70; A funds 03-18, B late on 03-20.
//        pay 03-19 (A), pay 03-28 (B, a day late).
//   02-25 reconcile 2025-01 (the act of January's services: transfers after 01-25 through 02-25).
//   03-20 reconcile 2025-02 (after 02-25 through 03-25; dated 03-20, the last working day
//   before the 25th: 21 and 24–25 March 2025 are holidays).   03-31 refund-unsent sends P2's 37 756.93 back to МИО A.
//   04-02 P2 gives new details (Halyk, new account); form-demand 04-15 demands 37 756.93 again
//   (service month 2025-01); A funds it 04-16; pay 04-17 pays it to the new account.
import { rmSync } from 'node:fs';
import type { Db } from '../../pipeline/kernel/db.ts';
import { buildLists } from '../../pipeline/steps/build-lists/index.ts';
import { formDemand } from '../../pipeline/steps/form-demand/index.ts';
import type { TransferRow } from '../../pipeline/funding.ts';
import { payApproved as pay } from './approve.ts';
import { refundUnsent } from '../../pipeline/steps/refund-unsent/index.ts';
import { reconcile } from '../../pipeline/steps/reconcile/index.ts';
import { freshDb, type TestDb } from './db.ts';
import { tempDir } from './files.ts';
import { fund, importPain002, importReturns, pain002Of } from './imports.ts';
import { BANKS, seedAct, seedBank, seedBankDetails, seedMio, seedProvider, type MioSeed, type ProviderSeed } from './world.ts';

export const OPERATOR = 'тест-оператор';
/** The world's banks with their tariffs (Appendix 4). */
export const HALYK = { bik: BANKS.halyk.bik, name: BANKS.halyk.name, fee_per_payment: '50.00', fee_percent: '0.1000', fee_min: '80.00', fee_max: '1000.00' };
export const KASPI = { bik: BANKS.kaspi.bik, name: BANKS.kaspi.name, fee_per_payment: null, fee_percent: '0.5000', fee_min: '200.00', fee_max: '500.00' };

/** The МИО's transfers of the timeline, by the world's operator: each must be taken. */
const transfers = (w: World, asOf: string, rows: TransferRow[]) => fund(w.db, asOf, rows, OPERATOR);

export interface World {
  db: Db;
  out: string;
  A: MioSeed;
  B: MioSeed;
  P1: ProviderSeed;
  P2: ProviderSeed;
  P3: ProviderSeed;
  P4: ProviderSeed;
  /** Filled as the timeline runs. */
  p1NewDetails?: { id: number; bik: string; iban: string };
  p2NewDetails?: { id: number; bik: string; iban: string };
}

/** МИО, banks with their tariffs, providers and the acts of both months. */
export async function seedWorld(db: Db): Promise<World> {
  await seedBank(db, HALYK);
  await seedBank(db, KASPI);
  const A = await seedMio(db, { name: 'ГУ «Управление занятости и социальных программ г. Астаны» (синт.)', oblast: 'г. Астана' });
  const B = await seedMio(db, { name: 'ГУ «Управление занятости и социальной защиты г. Алматы» (синт.)', oblast: 'г. Алматы' });
  const P1 = await seedProvider(db, { kind: 'assistant', bik: HALYK.bik });
  const P2 = await seedProvider(db, { kind: 'assistant', bik: HALYK.bik });
  const P3 = await seedProvider(db, { kind: 'entrepreneur', bik: KASPI.bik });
  const P4 = await seedProvider(db, { kind: 'assistant', bik: HALYK.bik });
  const jan = { service_month: '2025-01', received_on: '2025-02-05', accepted_on: '2025-02-07' };
  await seedAct(db, { provider: P1, mio: A, hours: '100', act_no: 'АВР-01-P1', ...jan });
  await seedAct(db, { provider: P2, mio: A, hours: '80', act_no: 'АВР-01-P2', ...jan });
  await seedAct(db, { provider: P3, mio: A, hours: '120', act_no: 'АВР-01-P3', ...jan });
  // P4's act arrives a day after the 10th (a late submission) and is accepted the next day.
  await seedAct(db, { provider: P4, mio: B, hours: '50', act_no: 'АВР-01-P4', service_month: '2025-01', received_on: '2025-02-11', accepted_on: '2025-02-12' });
  const feb = { service_month: '2025-02', received_on: '2025-03-05', accepted_on: '2025-03-07' };
  await seedAct(db, { provider: P1, mio: A, hours: '90', act_no: 'АВР-02-P1', ...feb });
  await seedAct(db, { provider: P3, mio: A, hours: '100', act_no: 'АВР-02-P3', ...feb });
  await seedAct(db, { provider: P4, mio: B, hours: '60', act_no: 'АВР-02-P4', ...feb });
  return { db, out: tempDir('payouts-close-'), A, B, P1, P2, P3, P4 };
}

/** The payment line of a provider's payout (or repayment, to_mio) for a service month; `nth` of them by id. */
export async function lineOf(
  db: Db,
  providerId: string,
  serviceMonth: string,
  kind: 'payout' | 'repayment' | 'to_mio' = 'payout',
  nth = 0,
): Promise<{ id: number; ref: string; amount: string; bank_detail_id: number | null; bik: string; iban: string; order_date: string; order_id: number }> {
  const rows = await db('payment_lines as l')
    .join('payment_orders as o', 'o.id', 'l.order_id')
    .where({ 'l.provider_id': providerId, 'l.service_month': serviceMonth, 'l.kind': kind })
    .orderBy('l.id')
    .select('l.id', 'l.ref', 'l.amount', 'l.bank_detail_id', 'l.bik', 'l.iban', 'o.order_date', 'l.order_id');
  if (rows.length <= nth) throw new Error(`no ${kind} line #${nth} of ${providerId} for ${serviceMonth} (found ${rows.length})`);
  return { ...rows[nth], id: Number(rows[nth].id), order_id: Number(rows[nth].order_id) };
}

function expectDone(what: string, outcome: { status: string }): void {
  if (outcome.status !== 'done') throw new Error(`${what}: expected a done run, got ${outcome.status}`);
}

type Stage = { date: string; name: string; run: (w: World) => Promise<void> };

/** The timeline of the header, in date order. */
export const TIMELINE: Stage[] = [
  { date: '2025-02-14', name: 'build-lists 2025-02', run: async (w) => expectDone('build-lists', await buildLists(w.db, { month: '2025-02', asOf: '2025-02-14', operator: OPERATOR })) },
  { date: '2025-02-15', name: 'form-demand 2025-02', run: async (w) => expectDone('form-demand', await formDemand(w.db, { month: '2025-02', asOf: '2025-02-15', operator: OPERATOR })) },
  {
    date: '2025-02-18',
    name: 'transfers 02-18',
    run: (w) =>
      transfers(w, '2025-02-18', [
        { mio_bin: w.A.mio_bin, pp_no: 'A-0218', pp_date: '2025-02-18', amount: '149311.49' },
        { mio_bin: w.B.mio_bin, pp_no: 'B-0218', pp_date: '2025-02-18', amount: '23598.08' },
      ]),
  },
  { date: '2025-02-19', name: 'pay 02-19', run: async (w) => expectDone('pay', await pay(w.db, { asOf: '2025-02-19', operator: OPERATOR, outDir: w.out })) },
  {
    date: '2025-02-24',
    name: 'return of P1 (CSV)',
    run: async (w) => {
      const line = await lineOf(w.db, w.P1.provider_id, '2025-01');
      const r = await importReturns(
        w.db,
        '2025-02-24',
        [{ payment_ref: line.ref, amount: '47196.16', returned_on: '2025-02-21', reason_code: 'AC04', reason_text: 'Счёт закрыт' }],
        OPERATOR,
      );
      if (r.accepted !== 1) throw new Error(`return of P1 not accepted: ${JSON.stringify(r)}`);
    },
  },
  { date: '2025-02-25', name: 'reconcile 2025-01', run: async (w) => expectDone('reconcile', await reconcile(w.db, { month: '2025-01', asOf: '2025-02-25', operator: OPERATOR })) },
  {
    date: '2025-02-26',
    name: 'return of P2 (pain.002)',
    run: async (w) => {
      const line = await lineOf(w.db, w.P2.provider_id, '2025-01');
      const xml = pain002Of([{ ref: line.ref, amount: '37756.93', on: '2025-02-26', code: 'AC01', text: 'Неверный номер счёта' }]);
      const r = await importPain002(w.db, '2025-02-26', xml, OPERATOR);
      if (r.accepted !== 1) throw new Error(`return of P2 not accepted: ${JSON.stringify(r)}`);
    },
  },
  {
    date: '2025-03-03',
    name: 'P1 new details',
    run: async (w) => {
      w.p1NewDetails = await seedBankDetails(w.db, { provider_id: w.P1.provider_id, changed_on: '2025-03-03', bik: KASPI.bik });
    },
  },
  { date: '2025-03-04', name: 'pay 03-04', run: async (w) => expectDone('pay', await pay(w.db, { asOf: '2025-03-04', operator: OPERATOR, outDir: w.out })) },
  { date: '2025-03-14', name: 'build-lists 2025-03', run: async (w) => expectDone('build-lists', await buildLists(w.db, { month: '2025-03', asOf: '2025-03-14', operator: OPERATOR })) },
  { date: '2025-03-15', name: 'form-demand 2025-03', run: async (w) => expectDone('form-demand', await formDemand(w.db, { month: '2025-03', asOf: '2025-03-15', operator: OPERATOR })) },
  {
    date: '2025-03-18',
    name: 'transfer A 03-18',
    run: (w) => transfers(w, '2025-03-18', [{ mio_bin: w.A.mio_bin, pp_no: 'A-0318', pp_date: '2025-03-18', amount: '96108.54' }]),
  },
  { date: '2025-03-19', name: 'pay 03-19', run: async (w) => expectDone('pay', await pay(w.db, { asOf: '2025-03-19', operator: OPERATOR, outDir: w.out })) },
  {
    date: '2025-03-20',
    name: 'transfer B 03-20 and reconcile 2025-02',
    run: async (w) => {
      await transfers(w, '2025-03-20', [{ mio_bin: w.B.mio_bin, pp_no: 'B-0320', pp_date: '2025-03-20', amount: '28317.70' }]);
      expectDone('reconcile', await reconcile(w.db, { month: '2025-02', asOf: '2025-03-20', operator: OPERATOR }));
    },
  },
  { date: '2025-03-28', name: 'pay 03-28', run: async (w) => expectDone('pay', await pay(w.db, { asOf: '2025-03-28', operator: OPERATOR, outDir: w.out })) },
  { date: '2025-03-31', name: 'refund-unsent 03-31', run: async (w) => expectDone('refund-unsent', await refundUnsent(w.db, { asOf: '2025-03-31', operator: OPERATOR, outDir: w.out })) },
  {
    date: '2025-04-02',
    name: 'P2 new details',
    run: async (w) => {
      w.p2NewDetails = await seedBankDetails(w.db, { provider_id: w.P2.provider_id, changed_on: '2025-04-02', bik: HALYK.bik });
    },
  },
  { date: '2025-04-15', name: 'form-demand 2025-04', run: async (w) => expectDone('form-demand', await formDemand(w.db, { month: '2025-04', asOf: '2025-04-15', operator: OPERATOR })) },
  {
    date: '2025-04-16',
    name: 'transfer A 04-16',
    run: (w) => transfers(w, '2025-04-16', [{ mio_bin: w.A.mio_bin, pp_no: 'A-0416', pp_date: '2025-04-16', amount: '37756.93' }]),
  },
  { date: '2025-04-17', name: 'pay 04-17', run: async (w) => expectDone('pay', await pay(w.db, { asOf: '2025-04-17', operator: OPERATOR, outDir: w.out })) },
];

/** Runs the stages dated after `from` and on or before `until` (names listed in `skip` are left out). */
export async function runTimeline(w: World, until: string, opts: { from?: string; skip?: string[] } = {}): Promise<void> {
  for (const stage of TIMELINE) {
    if (opts.from && stage.date <= opts.from) continue;
    if (stage.date > until) break;
    if (opts.skip?.includes(stage.name)) continue;
    try {
      await stage.run(w);
    } catch (e) {
      throw new Error(`timeline stage «${stage.name}» failed: ${(e as Error).message}`, { cause: e });
    }
  }
}


export interface OpenWorld {
  t: TestDb;
  w: World;
  /** Drops the database and removes the orders folder. */
  close(): Promise<void>;
}

/** A fresh database holding the world, its timeline run through `until` when given. */
export async function openTwoMonthWorld(until?: string): Promise<OpenWorld> {
  const t = await freshDb();
  let w: World | undefined;
  const close = async () => {
    await t.drop();
    if (w) rmSync(w.out, { recursive: true, force: true });
  };
  try {
    w = await seedWorld(t.db);
    if (until) await runTimeline(w, until);
    return { t, w, close };
  } catch (err) {
    await close();
    throw err;
  }
}
