// Property: whatever acts a month brings (any provider kind, hours with fractions, claims below
// and above G, any exemptions, 2024–2026 rates, assistants with several acts), every list row's
// parts add up to its guaranteed sum exactly, each person's rows add up to the contributions
// computed once on the person's Σ G (DOMAIN §2), the list totals are the sums of the rows, the ledger entry of each
// list matches them and the ledger stays balanced. Each fast-check run is the next list month
// in one real PostgreSQL database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import Big from 'big.js';
import { freshDb, type TestDb } from './support/db.ts';
import { synthIin } from './support/ids.ts';
import { seedAct, seedExemption, seedMio, seedProvider, type MioSeed } from './support/world.ts';
import { buildLists } from '../pipeline/steps/build-lists/index.ts';
import { trialBalance } from '../pipeline/ledger.ts';
import { addMonths, firstDayOfMonth } from '../pipeline/kernel/dates.ts';
import { listReport } from '../reports/cycle-reports.ts';
import { readReferenceFiles } from '../pipeline/kernel/reference-files.ts';
import { ratesForMonth } from '../pipeline/kernel/rates.ts';

const referenceRates = readReferenceFiles().rates;

let t: TestDb;
let mios: MioSeed[];
let month = '2024-02';

beforeAll(async () => {
  t = await freshDb();
  mios = [await seedMio(t.db), await seedMio(t.db)];
});
afterAll(async () => t?.drop());

const actArb = fc.record({
  kind: fc.constantFrom('assistant' as const, 'entrepreneur' as const, 'legal_entity' as const),
  mio: fc.integer({ min: 0, max: 1 }),
  // hours: 0.25 … 224.75 with quarter-hour steps
  quarterHours: fc.integer({ min: 1, max: 899 }),
  claim: fc.option(fc.integer({ min: 0, max: 15_000_000 }), { nil: undefined }), // in tiyn
  opv: fc.boolean(),
  osms: fc.boolean(),
  so: fc.boolean(),
  exempt: fc.boolean(),
  // An assistant's act may belong to one of two persons of the run who have several acts (DOMAIN §2).
  person: fc.option(fc.integer({ min: 0, max: 1 }), { nil: undefined }),
});

describe('list invariants', () => {
  it('parts add up to G on every row; totals equal the sum of rows; ledger matches', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(actArb, { minLength: 1, maxLength: 8 }), async (acts) => {
        month = addMonths(month, 1);
        const serviceMonth = addMonths(month, -1);
        const persons = new Map<number, Awaited<ReturnType<typeof seedProvider>>>();
        for (const a of acts) {
          const shared = a.kind === 'assistant' && a.person !== undefined ? persons.get(a.person) : undefined;
          const provider = shared ?? (await seedProvider(t.db, { kind: a.kind, registered_on: '2023-01-01' }));
          if (a.kind === 'assistant' && a.person !== undefined) persons.set(a.person, provider);
          const hours = new Big(a.quarterHours).div(4).toFixed(2);
          const claimed = a.claim === undefined ? null : new Big(a.claim).div(100).toFixed(2);
          const seeded = await seedAct(t.db, {
            provider,
            mio: mios[a.mio],
            service_month: serviceMonth,
            hours,
            claimed_amount: claimed,
            received_on: `${month}-02`,
            accepted_on: `${month}-03`,
            pwd_iin: synthIin(),
          });
          if (a.exempt && !shared) {
            await seedExemption(t.db, { iin: seeded.assistant_iin, opv_exempt: a.opv, osms_exempt: a.osms, so_exempt: a.so, valid_from: firstDayOfMonth(serviceMonth) });
          }
        }
        const out = await buildLists(t.db, { month, asOf: `${month}-14`, operator: 'свойство' });
        expect(out.status).toBe('done');
        expect(out.summary.rows).toBe(acts.length);

        const rows = await t.db('list_rows as lr').join('lists as l', 'l.id', 'lr.list_id').where('l.month', month).select('lr.*');
        for (const r of rows) {
          const g = new Big(r.guaranteed);
          expect(new Big(r.provider_sum).plus(r.opv).plus(r.osms).eq(g)).toBe(true);
          expect(g.lte(r.full_guaranteed)).toBe(true);
          expect(new Big(r.full_guaranteed).eq(new Big(r.hours).times(r.hourly_rate).round(2, Big.roundHalfUp))).toBe(true);
          for (const k of ['provider_sum', 'opv', 'osms', 'so', 'co_payment']) expect(new Big(r[k]).gte(0)).toBe(true);
          if (r.provider_kind !== 'assistant') expect([r.opv, r.osms, r.so]).toEqual(['0.00', '0.00', '0.00']);
          if (r.opv_exempt) expect(r.opv).toBe('0.00');
          if (r.osms_exempt) expect(r.osms).toBe('0.00');
          if (r.so_exempt) expect(r.so).toBe('0.00');
          if (serviceMonth >= '2026-01') for (const k of ['opv', 'osms', 'so']) expect(r[k].endsWith('.00')).toBe(true);
        }

        // Per person (list, assistant, service month): the rows add up to one rounding of rate × Σ G.
        const { rows: people } = await t.db.raw(
          `select lr.list_id, a.assistant_iin, lr.service_month, lr.provider_kind, bool_or(lr.opv_exempt) as opv_exempt,
                  bool_or(lr.osms_exempt) as osms_exempt, bool_or(lr.so_exempt) as so_exempt, count(*)::int as n,
                  sum(lr.guaranteed)::text as g, sum(lr.opv)::text as opv, sum(lr.osms)::text as osms, sum(lr.so)::text as so
             from list_rows lr join lists l on l.id = lr.list_id join acts a on a.id = lr.act_id
            where l.month = ? group by 1, 2, 3, 4`,
          [month],
        );
        for (const p of people as Record<string, string & boolean>[]) {
          const rates = ratesForMonth(serviceMonth, referenceRates);
          const withholds = p.provider_kind === 'assistant';
          const unit = rates.rounding === 'tiyn' ? 2 : 0;
          const pct = (base: Big, percent: string) => base.times(percent).div(100).round(unit, Big.roundHalfUp);
          const opv = withholds && !p.opv_exempt ? pct(new Big(p.g), rates.opv_percent) : new Big(0);
          expect(p.opv).toBe(opv.toFixed(2));
          expect(p.osms).toBe((withholds && !p.osms_exempt ? pct(new Big(p.g), rates.osms_percent) : new Big(0)).toFixed(2));
          expect(p.so).toBe((withholds && !p.so_exempt ? pct(new Big(p.g).minus(opv), rates.so_percent) : new Big(0)).toFixed(2));
        }

        const doc = await listReport(t.db, { month, asOf: `${month}-28` });
        const divisions = doc.divisions;
        expect(divisions.reduce((n, d) => n + d.rows.length, 0)).toBe(acts.length);
        for (const d of divisions) {
          for (const k of ['guaranteed', 'provider_sum', 'opv', 'osms', 'so'] as const) {
            const s = d.rows.reduce((acc, r) => acc.plus(r[k]), new Big(0));
            expect(d.totals[k]).toBe(s.toFixed(2));
          }
          expect(new Big(d.totals.provider_sum).plus(d.totals.opv).plus(d.totals.osms).toFixed(2)).toBe(d.totals.guaranteed);
          const list = await t.db('lists').where({ month, mio_bin: d.mio_bin }).first();
          const postings = await t.db('ledger_postings as p')
            .join('ledger_entries as e', 'e.id', 'p.entry_id')
            .where({ 'e.source': 'list', 'e.source_id': String(list.id) })
            .select('p.account', 'p.debit', 'p.credit');
          const debit = postings.reduce((acc, p) => acc.plus(p.debit), new Big(0));
          const credit = postings.reduce((acc, p) => acc.plus(p.credit), new Big(0));
          expect(debit.toFixed(2)).toBe(new Big(d.totals.guaranteed).plus(d.totals.so).toFixed(2));
          expect(credit.eq(debit)).toBe(true);
        }
        expect((await trialBalance(t.db)).balanced).toBe(true);
      }),
      { numRuns: 25 },
    );
  });
});
