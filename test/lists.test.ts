// The 14th-of-month lists on real PostgreSQL: hand-computed splits for every provider kind,
// exemptions on both sides of a month boundary, a claim below and above G, holds, late acts,
// bank-details versions, idempotent re-runs, refused re-runs, dry-run, injected crashes, the
// ledger, the notifications and the `list` / `transmission` / `contributions` reports.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counts, freshDb, type TestDb } from './support/db.ts';
import { failsAt } from './support/faults.ts';
import { seedAct, seedBankDetails, seedBanks, seedExemption, seedMio, seedProvider, type ActSeed, type MioSeed, type ProviderSeed } from './support/world.ts';
import { buildLists } from '../pipeline/steps/build-lists/index.ts';
import { holdReason } from '../pipeline/steps/build-lists/holds.ts';
import type { CandidateAct } from '../pipeline/steps/build-lists/staging.ts';
import { trialBalance } from '../pipeline/ledger.ts';
import { BusinessRuleError, UsageError } from '../pipeline/kernel/errors.ts';
import { listReport, transmissionReport, contributionsReport } from '../reports/cycle-reports.ts';
import type { ListRow } from '../schemas/reports/index.ts';

const OP = 'тест-оператор';
let t: TestDb;
let A: MioSeed; // Astana
let B: MioSeed; // Almaty
let P1: ProviderSeed; // assistant
let P2: ProviderSeed; // entrepreneur
let P3: ProviderSeed; // legal entity
let P4: ProviderSeed; // assistant, exempt from ОПВ and ВОСМС since 2025-03-01
let P6: ProviderSeed; // assistant, de-registered 2025-01-31
const act: Record<string, ActSeed> = {};

async function balance(account: string): Promise<string | undefined> {
  const tb = await trialBalance(t.db);
  return tb.accounts.find((a) => a.account === account)?.balance;
}

/** Rows of the tables build-lists writes. */
const written = () => counts(t.db, ['step_runs', 'lists', 'list_rows', 'list_holds', 'notifications', 'ledger_entries', 'ledger_postings', 'audit_events']);

function rowsByAct(doc: Record<string, unknown>): Map<string, Record<string, unknown>> {
  const m = new Map<string, Record<string, unknown>>();
  for (const d of doc.divisions as { rows: Record<string, unknown>[] }[]) for (const r of d.rows) m.set(String(r.act_no), r);
  return m;
}

beforeAll(async () => {
  t = await freshDb();
  await seedBanks(t.db);
  A = await seedMio(t.db, { oblast: 'г. Астана' });
  B = await seedMio(t.db, { oblast: 'г. Алматы' });
  P1 = await seedProvider(t.db, { kind: 'assistant', bik: 'HSBKKZKX' });
  P2 = await seedProvider(t.db, { kind: 'entrepreneur', bik: 'CASPKZKA' });
  P3 = await seedProvider(t.db, { kind: 'legal_entity', bik: 'KCJBKZKX' });
  P4 = await seedProvider(t.db, { kind: 'assistant', bik: 'HSBKKZKX' });
  P6 = await seedProvider(t.db, { kind: 'assistant', deregistered_on: '2025-01-31', deregistration_reason: 'по заявлению' });
  await seedExemption(t.db, { iin: P4.provider_id, opv_exempt: true, osms_exempt: true, so_exempt: false, valid_from: '2025-03-01' });

  // List month 2025-04, as of the 14th. 2025 hourly rate: 3932 × 13.64 % = 536.3248 → 536.32.
  act.a1 = await seedAct(t.db, { provider: P1, mio: A, service_month: '2025-03', hours: '176', act_no: 'А-1' });
  act.a2 = await seedAct(t.db, { provider: P2, mio: A, service_month: '2025-03', hours: '100', act_no: 'А-2' });
  act.a3 = await seedAct(t.db, { provider: P3, mio: A, service_month: '2025-03', hours: '50.5', act_no: 'А-3' });
  act.a4 = await seedAct(t.db, { provider: P4, mio: A, service_month: '2025-02', hours: '160', act_no: 'А-4', received_on: '2025-03-05', accepted_on: '2025-04-02' });
  act.a5 = await seedAct(t.db, { provider: P4, mio: A, service_month: '2025-03', hours: '160', act_no: 'А-5' });
  act.b1 = await seedAct(t.db, { provider: P1, mio: B, service_month: '2025-03', hours: '100', claimed_amount: '50000.55', act_no: 'Б-1' });
  act.b2 = await seedAct(t.db, { provider: P2, mio: B, service_month: '2025-02', hours: '10', claimed_amount: '6000.00', act_no: 'Б-2', received_on: '2025-03-04', accepted_on: '2025-04-03' });
  // Held: the service month 2025-04 is not over on 2025-04-14.
  act.h1 = await seedAct(t.db, { provider: P2, mio: A, service_month: '2025-04', hours: '20', act_no: 'А-7', received_on: '2025-04-10', accepted_on: '2025-04-10' });
  // Held: the provider was de-registered before the service month.
  act.h2 = await seedAct(t.db, { provider: P6, mio: B, service_month: '2025-02', hours: '40', act_no: 'Б-9', received_on: '2025-04-05', accepted_on: '2025-04-05' });
  // Held: the provider's first bank details are dated after the as-of date.
  const P7 = await seedProvider(t.db, { kind: 'entrepreneur', details_on: '2025-04-20' });
  act.h3 = await seedAct(t.db, { provider: P7, mio: A, service_month: '2025-03', hours: '1', act_no: 'А-10' });
  // Accepted after the 14th: not this list's, the next one's.
  act.late = await seedAct(t.db, { provider: P3, mio: A, service_month: '2025-03', hours: '30', act_no: 'А-8', received_on: '2025-04-09', accepted_on: '2025-04-16' });

  // Bank details: P1 changes them after the as-of date (the list keeps the old ones);
  // P2 changed them before it (the list takes the new ones).
  await seedBankDetails(t.db, { provider_id: P1.provider_id, changed_on: '2025-04-20', bik: 'KCJBKZKX' });
  await seedBankDetails(t.db, { provider_id: P2.provider_id, changed_on: '2025-04-01', bik: 'HSBKKZKX' });
});
afterAll(async () => t?.drop());

describe('holdReason', () => {
  const base: CandidateAct = {
    id: 1, provider_id: '000000000000', act_no: 'X', mio_bin: '000000000000', assistant_iin: '000000000000',
    service_month: '2025-03', hours: '10.00', claimed_amount: null, accepted_on: '2025-04-05', kind: 'assistant',
    registered_on: '2024-01-01', deregistered_on: null, deregistration_reason: null, opv_exempt: false, osms_exempt: false,
    so_exempt: false, bank_detail_id: 1, bank_detail_incorrect: false,
  };
  it.each([
    ['a regular act', {}, null],
    ['de-registered on the last day before the month', { deregistered_on: '2025-02-28' }, /снят с учёта 2025-02-28/],
    ['de-registered during the month: still paid', { deregistered_on: '2025-03-01' }, null],
    ['registered after the month', { registered_on: '2025-04-01' }, /предшествует регистрации поставщика 2025-04-01/],
    ['registered on the last day of the month', { registered_on: '2025-03-31' }, null],
    ['the month of the list itself', { service_month: '2025-04' }, /2025-04 ещё не завершён/],
    ['a later month', { service_month: '2025-05' }, /2025-05 ещё не завершён/],
    ['no bank details', { bank_detail_id: null }, /Нет банковских реквизитов поставщика на 2025-04-14/],
  ] as const)('%s', (_name, change, expected) => {
    const reason = holdReason({ ...base, ...change } as CandidateAct, '2025-04', '2025-04-14');
    if (expected === null) expect(reason).toBeNull();
    else expect(reason).toMatch(expected);
  });
});

describe('build-lists 2025-04', () => {
  it('refuses a month or a date it cannot use (exit 2), writing nothing', async () => {
    await expect(buildLists(t.db, { asOf: '2025-04-14', operator: OP })).rejects.toBeInstanceOf(UsageError);
    await expect(buildLists(t.db, { month: '2025-13', asOf: '2025-04-14', operator: OP })).rejects.toBeInstanceOf(UsageError);
    const err = await buildLists(t.db, { month: '2025-04', asOf: '2025-05-14', operator: OP }).catch((e) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(err.exitCode).toBe(2);
    expect((await written()).step_runs).toBe(0);
  });

  it('a dry run computes everything and writes nothing', async () => {
    const before = await written();
    const out = await buildLists(t.db, { month: '2025-04', asOf: '2025-04-14', operator: OP, dryRun: true });
    expect(out.status).toBe('dry-run');
    expect(out.summary).toMatchObject({ lists: 2, rows: 7, held: 3, guaranteed: '402094.63' });
    expect(await written()).toEqual(before);
  });

  it.each(['build-lists.start', 'build-lists.rows-half', 'build-lists.after-rows', 'build-lists.before-ledger', 'ledger.post.chunk', 'build-lists.before-commit'])(
    'a crash at %s writes nothing',
    async (point) => {
      const before = await written();
      await failsAt(point, () => buildLists(t.db, { month: '2025-04', asOf: '2025-04-14', operator: OP }));
      expect(await written()).toEqual(before);
    },
  );

  it('builds one list per МИО with the hand-computed split', async () => {
    const out = await buildLists(t.db, { month: '2025-04', asOf: '2025-04-14', operator: OP });
    expect(out.status).toBe('done');
    // МИО A: Σ G = 85811.20 + 94392.32 + 53632.00 + 27084.16 + 85811.20 = 346730.88
    // МИО B: Σ G = 50000.55 + 5363.20 = 55363.75;  together 402094.63
    expect(out.summary).toMatchObject({
      month: '2025-04',
      built_on: '2025-04-14',
      lists: 2,
      rows: 7,
      held: 3,
      guaranteed: '402094.63',
      provider_sum: '374470.14', // 325106.46 + 49363.68
      opv: '23020.41', //          18020.35 + 5000.06
      osms: '4604.08', //          3604.07 + 1000.01
      so: '14649.73', //           12399.71 + 2250.02
      providers_notified: 4,
    });

    const doc = await listReport(t.db, { month: '2025-04', asOf: '2025-04-30' });
    const rows = rowsByAct(doc);
    const pick = (r: Record<string, unknown> | undefined) => r && { g: r.guaranteed, p: r.provider_sum, opv: r.opv, osms: r.osms, so: r.so };
    // P1 assistant 2025-03, 176 h: G = 176 × 536.32 = 94392.32; ОПВ 10 % = 9439.232 → 9439.23;
    // ОСМС 2 % = 1887.8464 → 1887.85; provider 94392.32 − 9439.23 − 1887.85 = 83065.24;
    // СО 5 % × (94392.32 − 9439.23 = 84953.09) = 4247.6545 → 4247.65
    expect(pick(rows.get('А-1'))).toEqual({ g: '94392.32', p: '83065.24', opv: '9439.23', osms: '1887.85', so: '4247.65' });
    // P2 entrepreneur, 100 h: G = 53632.00, nothing withheld, no СО
    expect(pick(rows.get('А-2'))).toEqual({ g: '53632.00', p: '53632.00', opv: '0.00', osms: '0.00', so: '0.00' });
    // P3 legal entity, 50.5 h: G = 50.5 × 536.32 = 27084.16
    expect(pick(rows.get('А-3'))).toEqual({ g: '27084.16', p: '27084.16', opv: '0.00', osms: '0.00', so: '0.00' });
    // P4 2025-02 (exempt only from 2025-03-01; on 2025-02-28 not exempt), 160 h: G = 85811.20;
    // ОПВ 8581.12; ОСМС 1716.224 → 1716.22; provider 85811.20 − 8581.12 − 1716.22 = 75513.86;
    // СО 5 % × (85811.20 − 8581.12 = 77230.08) = 3861.504 → 3861.50
    expect(pick(rows.get('А-4'))).toEqual({ g: '85811.20', p: '75513.86', opv: '8581.12', osms: '1716.22', so: '3861.50' });
    // P4 2025-03 (exempt from ОПВ and ВОСМС on 2025-03-31): provider gets G; СО 5 % × 85811.20 = 4290.56
    expect(pick(rows.get('А-5'))).toEqual({ g: '85811.20', p: '85811.20', opv: '0.00', osms: '0.00', so: '4290.56' });
    // P1 in МИО B, claim 50000.55 below G = 100 × 536.32 = 53632.00: reimbursed 50000.55;
    // ОПВ 5000.055 → 5000.06; ОСМС 1000.011 → 1000.01; provider 50000.55 − 5000.06 − 1000.01 = 44000.48;
    // СО 5 % × (50000.55 − 5000.06 = 45000.49) = 2250.0245 → 2250.02
    expect(pick(rows.get('Б-1'))).toEqual({ g: '50000.55', p: '44000.48', opv: '5000.06', osms: '1000.01', so: '2250.02' });
    // P2 in МИО B, claim 6000.00 above G = 10 × 536.32 = 5363.20: reimbursed G, co-payment 636.80
    expect(pick(rows.get('Б-2'))).toEqual({ g: '5363.20', p: '5363.20', opv: '0.00', osms: '0.00', so: '0.00' });
    const b2 = await t.db('list_rows').where({ act_id: act.b2.id }).first();
    expect({ full: b2.full_guaranteed, co: b2.co_payment, rate: b2.hourly_rate }).toEqual({ full: '5363.20', co: '636.80', rate: '536.32' });
    const a5 = await t.db('list_rows').where({ act_id: act.a5.id }).first();
    expect([a5.opv_exempt, a5.osms_exempt, a5.so_exempt]).toEqual([true, true, false]);
  });

  it('orders divisions by МИО БИН and rows by service month, provider, act number; totals add up', async () => {
    const doc = await listReport(t.db, { month: '2025-04', asOf: '2025-04-30' });
    const divisions = doc.divisions;
    expect(divisions.map((d) => d.mio_bin)).toEqual([A.mio_bin, B.mio_bin].sort());
    for (const d of divisions) {
      expect(d.rows.map((r) => r.no)).toEqual(d.rows.map((_, i) => i + 1));
      const keys = d.rows.map((r) => [r.service_month, r.provider_id, r.act_no].join('|'));
      expect(keys).toEqual([...keys].sort());
    }
    const a = divisions.find((d) => d.mio_bin === A.mio_bin)!;
    expect(a.rows[0].act_no).toBe('А-4'); // the only 2025-02 row of A comes first
    expect(a.totals).toEqual({ guaranteed: '346730.88', provider_sum: '325106.46', opv: '18020.35', osms: '3604.07', so: '12399.71' });
    const b = divisions.find((d) => d.mio_bin === B.mio_bin)!;
    expect(b.rows.map((r) => r.act_no)).toEqual(['Б-2', 'Б-1']);
    expect(b.totals).toEqual({ guaranteed: '55363.75', provider_sum: '49363.68', opv: '5000.06', osms: '1000.01', so: '2250.02' });
    // Every column of Appendix 1 is there, from the act.
    expect(a.rows[0]).toEqual({
      no: 1,
      oblast: act.a4.oblast,
      region: act.a4.region,
      pwd_iin: act.a4.pwd_iin,
      pwd_name: act.a4.pwd_name,
      provider_id: P4.provider_id,
      provider_name: P4.name,
      assistant_iin: P4.provider_id,
      assistant_name: P4.name,
      order_no: act.a4.order_no,
      decision_no: act.a4.decision_no,
      act_no: 'А-4',
      received_on: '2025-03-05',
      service_month: '2025-02',
      guaranteed: '85811.20',
      provider_sum: '75513.86',
      opv: '8581.12',
      osms: '1716.22',
      so: '3861.50',
    });
    // The accepted act of 2025-04-16 is neither listed nor held in April.
    expect([...rowsByAct(doc).keys()]).not.toContain('А-8');
  });

  it('holds the acts it cannot take, with the reason', async () => {
    const doc = await listReport(t.db, { month: '2025-04', asOf: '2025-04-30' });
    const held = doc.held as { provider_id: string; act_no: string; reason: string }[];
    expect(held).toHaveLength(3);
    expect(held.find((h) => h.act_no === 'А-10')!.reason).toBe(
      'Нет банковских реквизитов поставщика на 2025-04-14: акт войдёт в список после их поступления',
    );
    const notOver = held.find((h) => h.act_no === 'А-7')!;
    expect(notOver.provider_id).toBe(P2.provider_id);
    expect(notOver.reason).toMatch(/Месяц оказания услуг 2025-04 ещё не завершён/);
    const dereg = held.find((h) => h.act_no === 'Б-9')!;
    expect(dereg.reason).toMatch(/снят с учёта 2025-01-31 \(по заявлению\), до начала месяца оказания услуг 2025-02/);
    const onlyB = await listReport(t.db, { month: '2025-04', mio: B.mio_bin, asOf: '2025-04-30' });
    expect((onlyB.divisions as unknown[]).length).toBe(1);
    expect((onlyB.held as { act_no: string }[]).map((h) => h.act_no)).toEqual(['Б-9']);
  });

  it('takes the bank-details version in force on the as-of date (Appendix 2)', async () => {
    const doc = await transmissionReport(t.db, { month: '2025-04', asOf: '2025-04-30' });
    const rows = doc.rows as Record<string, unknown>[];
    expect(rows.map((r) => r.no)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const p1 = rows.filter((r) => r.provider_id === P1.provider_id);
    expect(p1.map((r) => [r.bik, r.iban])).toEqual([
      [P1.bik, P1.iban],
      [P1.bik, P1.iban],
    ]); // the 2025-04-20 version is not yet in force
    const p2 = rows.filter((r) => r.provider_id === P2.provider_id);
    expect(p2.every((r) => r.bik === 'HSBKKZKX' && r.iban !== P2.iban)).toBe(true);
    const a1 = rows.find((r) => r.provider_id === P1.provider_id && r.service_month === '2025-03' && r.provider_sum === '83065.24')!;
    expect(a1).toMatchObject({ assistant_iin: P1.provider_id, pwd_iin: act.a1.pwd_iin, opv: '9439.23', osms: '1887.85' });
  });

  it('posts one balanced ledger entry per list', async () => {
    const tb = await trialBalance(t.db);
    expect(tb.balanced).toBe(true);
    const entries = await t.db('ledger_entries').where({ source: 'list' });
    expect(entries).toHaveLength(2);
    expect(entries.every((e) => e.entry_date === '2025-04-14')).toBe(true);
    // Dr МИО expense = Σ G + Σ СО = 346730.88 + 12399.71 = 359130.59
    expect(await balance(`mio_expense:${A.mio_bin}`)).toBe('359130.59');
    expect(await balance(`provider_payable:${A.mio_bin}`)).toBe('-325106.46');
    expect(await balance(`enpf_payable:${A.mio_bin}`)).toBe('-18020.35');
    expect(await balance(`fsms_payable:${A.mio_bin}`)).toBe('-3604.07');
    expect(await balance(`gfss_payable:${A.mio_bin}`)).toBe('-12399.71');
    // B: 55363.75 + 2250.02 = 57613.77
    expect(await balance(`mio_expense:${B.mio_bin}`)).toBe('57613.77');
  });

  it('notifies every provider of its formed sum once, and ЦБД once per list', async () => {
    const notes = await t.db('notifications').where({ channel: 'provider_cabinet' }).orderBy('dedupe_key');
    expect(notes).toHaveLength(4);
    const p1 = notes.find((n) => n.recipient === P1.provider_id)!;
    expect(p1.dedupe_key).toBe(`list:2025-04:${P1.provider_id}`);
    // P1: 83065.24 (МИО A) + 44000.48 (МИО B) = 127065.72
    expect(p1.payload).toMatchObject({ month: '2025-04', rows: 2, provider_sum: '127065.72' });
    expect(p1.payload.text).toMatch(/127065\.72 тенге/);
    const p4 = notes.find((n) => n.recipient === P4.provider_id)!;
    expect(p4.payload.provider_sum).toBe('161325.06'); // 75513.86 + 85811.20
    expect(notes.some((n) => n.recipient === P6.provider_id)).toBe(false);
    const cbd = await t.db('notifications').where({ channel: 'cbd' }).orderBy('dedupe_key');
    expect(cbd.map((n) => n.dedupe_key).sort()).toEqual([`cbd:list:2025-04:${A.mio_bin}`, `cbd:list:2025-04:${B.mio_bin}`].sort());
    expect(cbd.find((n) => n.payload.mio_bin === A.mio_bin)!.payload).toMatchObject({ rows: 5, provider_sum: '325106.46' });
  });

  it('the contributions report counts the rows with a non-zero amount', async () => {
    const doc = await contributionsReport(t.db, { month: '2025-04', asOf: '2025-04-30' });
    const summary = (m: MioSeed, opv: [number, string], osms: [number, string], so: [number, string]) => ({
      mio_bin: m.mio_bin,
      mio_name: m.name,
      opv: { count: opv[0], amount: opv[1] },
      osms: { count: osms[0], amount: osms[1] },
      so: { count: so[0], amount: so[1] },
      registers: expect.any(Array),
    });
    expect(doc.mios).toEqual(
      [summary(A, [2, '18020.35'], [2, '3604.07'], [3, '12399.71']), summary(B, [1, '5000.06'], [1, '1000.01'], [1, '2250.02'])].sort((x, y) =>
        x.mio_bin < y.mio_bin ? -1 : 1,
      ),
    );
    // The registers the printed form lists pay the same sums, one per kind with a non-zero amount.
    for (const m of doc.mios) {
      expect(m.registers.map((r) => [r.kind, r.payer.bin, r.total, r.persons.reduce((n, p) => n + p.rows, 0)])).toEqual(
        (['opv', 'osms', 'so'] as const).map((k) => [k, m.mio_bin, m[k].amount, m[k].count]),
      );
    }
  });

  it('a second identical run is a no-op', async () => {
    const before = await written();
    const again = await buildLists(t.db, { month: '2025-04', asOf: '2025-04-14', operator: 'другой' });
    expect(again.status).toBe('already-done');
    if (again.status === 'already-done') {
      expect(again.ranOn).toBe('2025-04-14');
      expect(again.operator).toBe(OP);
      expect(again.summary).toMatchObject({ rows: 7, guaranteed: '402094.63' });
    }
    expect(await written()).toEqual(before);
  });

  it('a re-run after a new eligible act appeared is refused (exit 4), nothing written', async () => {
    act.extra = await seedAct(t.db, { provider: P3, mio: A, service_month: '2025-03', hours: '8', act_no: 'А-9', received_on: '2025-04-11', accepted_on: '2025-04-12' });
    const before = await written();
    const err = await buildLists(t.db, { month: '2025-04', asOf: '2025-04-14', operator: OP }).catch((e) => e);
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect(err.exitCode).toBe(4);
    expect(err.rule).toBe('rerun-changed-inputs');
    expect(err.message).toMatch(/Шаг build-lists за 2025-04 уже выполнен/);
    expect(await written()).toEqual(before);
  });
});

describe('build-lists 2025-05: the next list takes what April did not', () => {
  it('takes the late act, the act accepted after the April run, and the act whose month is now over', async () => {
    const out = await buildLists(t.db, { month: '2025-05', asOf: '2025-05-14', operator: OP });
    expect(out.status).toBe('done');
    // А-8: 30 × 536.32 = 16089.60; А-9: 8 × 536.32 = 4290.56; А-10 (details now in force): 1 × 536.32 = 536.32;
    // А-7 (2025-04, entrepreneur): 20 × 536.32 = 10726.40. Σ = 31642.88, all in МИО A, nothing withheld
    expect(out.summary).toMatchObject({ lists: 1, rows: 4, held: 1, guaranteed: '31642.88', provider_sum: '31642.88', opv: '0.00', so: '0.00' });
    const doc = await listReport(t.db, { month: '2025-05', asOf: '2025-05-31' });
    const rows = doc.divisions[0].rows;
    expect(rows.filter((r) => r.act_no !== 'А-10').map((r) => [r.service_month, r.act_no, r.guaranteed])).toEqual([
      ['2025-03', 'А-8', '16089.60'],
      ['2025-03', 'А-9', '4290.56'],
      ['2025-04', 'А-7', '10726.40'],
    ]);
    expect(rows.find((r) => r.act_no === 'А-10')).toMatchObject({ service_month: '2025-03', guaranteed: '536.32' });
    // The de-registered provider's act is held again, never listed.
    expect((doc.held as { act_no: string }[]).map((h) => h.act_no)).toEqual(['Б-9']);
    expect(await t.db('list_rows').where({ act_id: act.h2.id }).first()).toBeUndefined();
    expect((await trialBalance(t.db)).balanced).toBe(true);
  });

  it('April, changed since by the act accepted on the 12th, stays refused; May is a no-op', async () => {
    await expect(buildLists(t.db, { month: '2025-04', asOf: '2025-04-14', operator: OP })).rejects.toMatchObject({ rule: 'rerun-changed-inputs' });
    expect((await buildLists(t.db, { month: '2025-05', asOf: '2025-05-14', operator: OP })).status).toBe('already-done');
  });

  it('refuses to build an earlier month after a later one', async () => {
    const err = await buildLists(t.db, { month: '2025-03', asOf: '2025-03-14', operator: OP }).catch((e) => e);
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect(err.rule).toBe('lists-in-month-order');
    expect(await t.db('step_runs').where({ step: 'build-lists', run_key: '2025-03' }).first()).toBeUndefined();
  });
});

describe('build-lists 2026-02: tiyn rounding for 2025 service months, tenge for 2026', () => {
  it('rounds the contributions of each row by its own service month', async () => {
    const p = await seedProvider(t.db, { kind: 'assistant' });
    await seedAct(t.db, { provider: p, mio: B, service_month: '2026-01', hours: '176', act_no: 'В-1', received_on: '2026-02-05' });
    // A late 2025 act of the same assistant, for another ЛСИ.
    await seedAct(t.db, { provider: p, mio: B, service_month: '2025-12', hours: '176', act_no: 'В-2', received_on: '2026-02-06' });
    // Accepted before its month is over: held in February, taken in March.
    await seedAct(t.db, { provider: p, mio: B, service_month: '2026-02', hours: '8', act_no: 'В-3', received_on: '2026-02-10' });
    const out = await buildLists(t.db, { month: '2026-02', asOf: '2026-02-13', operator: OP });
    expect(out.status).toBe('done');
    const doc = await listReport(t.db, { month: '2026-02', asOf: '2026-02-28' });
    const rows = doc.divisions[0].rows;
    const pick = (r: ListRow) => [r.service_month, r.guaranteed, r.provider_sum, r.opv, r.osms, r.so];
    expect(rows.map(pick)).toEqual([
      // 2025 rates, tiyn: G = 176 × 536.32 = 94392.32; ОПВ 9439.23; ОСМС 1887.85; provider 83065.24; СО 4247.65
      ['2025-12', '94392.32', '83065.24', '9439.23', '1887.85', '4247.65'],
      // 2026 rates, tenge: hourly 4325 × 13.64 % = 589.93; G = 176 × 589.93 = 103827.68;
      // ОПВ 10382.768 → 10383; ОСМС 2076.5536 → 2077; provider 103827.68 − 10383 − 2077 = 91367.68;
      // СО 5 % × (103827.68 − 10383 = 93444.68) = 4672.234 → 4672
      ['2026-01', '103827.68', '91367.68', '10383.00', '2077.00', '4672.00'],
    ]);
    expect((doc.held as { act_no: string }[]).map((h) => h.act_no).sort()).toEqual(['Б-9', 'В-3']);
    expect((await trialBalance(t.db)).balanced).toBe(true);
  });

  it('March takes the act held in February; a repeated February run is still a no-op', async () => {
    const out = await buildLists(t.db, { month: '2026-03', asOf: '2026-03-13', operator: OP });
    // 8 × 589.93 = 4719.44; ОПВ 471.944 → 472; ОСМС 94.3888 → 94; provider 4719.44 − 472 − 94 = 4153.44;
    // СО 5 % × (4719.44 − 472 = 4247.44) = 212.372 → 212
    expect(out.summary).toMatchObject({ rows: 1, guaranteed: '4719.44', provider_sum: '4153.44', opv: '472.00', osms: '94.00', so: '212.00' });
    const again = await buildLists(t.db, { month: '2026-02', asOf: '2026-02-13', operator: OP });
    expect(again.status).toBe('already-done');
    expect((await trialBalance(t.db)).balanced).toBe(true);
  });
});
