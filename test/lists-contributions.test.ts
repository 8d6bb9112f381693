// Contributions registers of a month's lists (ОПВ, ВОСМС, СО to the State Corporation's accounts of
// the site requisites, DOMAIN §7) and their pain.001 payment orders, read back with parsePain001 and
// checked sum by sum.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Big from 'big.js';
import { freshDb, type TestDb } from './support/db.ts';
import { synthIin } from './support/ids.ts';
import { seedAct, seedExemption, seedMio, seedProvider, type MioSeed, type ProviderSeed } from './support/world.ts';
import { buildLists } from '../pipeline/steps/build-lists/index.ts';
import {
  contributionFileName,
  contributionPain001,
  contributionRegisters,
  type ContributionRegister,
} from '../pipeline/contributions.ts';
import { PAIN001_NAMESPACE } from '../pipeline/iso20022/index.ts';
import { parsePain001 } from './support/pain001-parser.ts';
import { contributionsReport } from '../reports/cycle-reports.ts';
import { birthDateOfIin } from '../pipeline/kernel/identifiers.ts';

let t: TestDb;
let A: MioSeed;
let B: MioSeed;
let P1: ProviderSeed; // assistant, two ЛСИ in 2025-03
let P2: ProviderSeed; // assistant, 2025-02 and 2025-03
let P3: ProviderSeed; // assistant, exempt from ОПВ only
let registers: ContributionRegister[];

beforeAll(async () => {
  t = await freshDb();
  A = await seedMio(t.db);
  B = await seedMio(t.db);
  P1 = await seedProvider(t.db, { kind: 'assistant' });
  P2 = await seedProvider(t.db, { kind: 'assistant' });
  P3 = await seedProvider(t.db, { kind: 'assistant' });
  const E = await seedProvider(t.db, { kind: 'entrepreneur' });
  await seedExemption(t.db, { iin: P3.provider_id, opv_exempt: true, valid_from: '2025-01-01', reason: 'пенсионер по возрасту (синт.)' });
  await seedAct(t.db, { provider: P1, mio: A, service_month: '2025-03', hours: '176', pwd_iin: synthIin() });
  await seedAct(t.db, { provider: P1, mio: A, service_month: '2025-03', hours: '100', pwd_iin: synthIin() });
  await seedAct(t.db, { provider: P2, mio: A, service_month: '2025-02', hours: '80', received_on: '2025-04-01' });
  await seedAct(t.db, { provider: P2, mio: A, service_month: '2025-03', hours: '40' });
  await seedAct(t.db, { provider: P3, mio: A, service_month: '2025-03', hours: '60' });
  await seedAct(t.db, { provider: E, mio: A, service_month: '2025-03', hours: '70' });
  await seedAct(t.db, { provider: E, mio: B, service_month: '2025-03', hours: '70', pwd_iin: synthIin() });
  await buildLists(t.db, { month: '2025-04', asOf: '2025-04-14', operator: 'тест' });
  registers = await contributionRegisters(t.db, '2025-04');
});
afterAll(async () => t?.drop());

describe('contributionRegisters', () => {
  it('one register per МИО and kind with a non-zero amount; persons once per period', () => {
    // МИО B has only an entrepreneur's act: nothing is withheld there, no register.
    expect(registers.map((r) => [r.mio.bin, r.kind, r.knp])).toEqual([
      [A.mio_bin, 'opv', '010'],
      [A.mio_bin, 'osms', '122'],
      [A.mio_bin, 'so', '012'],
    ]);
    const [opv, osms, so] = registers;
    const byIin = <T extends { iin: string; period: string }>(ps: T[]) =>
      [...ps].sort((x, y) => (x.iin + x.period < y.iin + y.period ? -1 : 1));
    // P1 2025-03: 176 h → ОПВ 9439.23, ОСМС 1887.85, СО 4247.65;
    //             100 h → G 53632.00, ОПВ 5363.20, ОСМС 1072.64, СО 5 % × (53632.00 − 5363.20 = 48268.80) = 2413.44
    // P2 2025-02:  80 h → G 42905.60, ОПВ 4290.56, ОСМС 858.112 → 858.11, СО 5 % × 38615.04 = 1930.752 → 1930.75
    // P2 2025-03:  40 h → G 21452.80, ОПВ 2145.28, ОСМС 429.056 → 429.06, СО 5 % × 19307.52 = 965.376 → 965.38
    // P3 2025-03:  60 h → G 32179.20, ОПВ 0 (exempt), ОСМС 643.584 → 643.58, СО 5 % × 32179.20 = 1608.96
    expect(opv.persons.map((p) => [p.iin, p.period, p.amount, p.rows])).toEqual(
      byIin([
        { iin: P1.provider_id, period: '2025-03', amount: '14802.43', rows: 2 }, // 9439.23 + 5363.20
        { iin: P2.provider_id, period: '2025-02', amount: '4290.56', rows: 1 },
        { iin: P2.provider_id, period: '2025-03', amount: '2145.28', rows: 1 },
      ]).map((p) => [p.iin, p.period, p.amount, p.rows]),
    );
    expect([opv.count, opv.total]).toEqual([3, '21238.27']); // 14802.43 + 4290.56 + 2145.28
    // ОСМС: 2960.49 (1887.85 + 1072.64) + 858.11 + 429.06 + 643.58 = 4891.24
    expect([osms.count, osms.total]).toEqual([4, '4891.24']);
    expect(osms.persons.find((p) => p.iin === P1.provider_id)!.amount).toBe('2960.49');
    // СО: 6661.09 (4247.65 + 2413.44) + 1930.75 + 965.38 + 1608.96 = 11166.18
    expect([so.count, so.total]).toEqual([4, '11166.18']);
    expect(so.persons.find((p) => p.iin === P3.provider_id)).toMatchObject({ name: P3.name, period: '2025-03', amount: '1608.96' });
    // To ГК's accounts (the samples of reference/ here): ОПВ to the account the law names.
    expect([opv, osms, so].map((r) => [r.receiver.knp, r.receiver.bik, r.receiver.bin, r.receiver.kbe, r.sample])).toEqual([
      ['010', 'GCVPKZ2A', '160440007161', '11', true],
      ['122', 'GCVPKZ2A', '160440007161', '11', true],
      ['012', 'GCVPKZ2A', '160440007161', '11', true],
    ]);
    expect(opv.receiver.iban).toBe('KZ12009NPS0413609816');
    for (const p of [...opv.persons, ...osms.persons, ...so.persons]) expect(p.birth_date).toBe(birthDateOfIin(p.iin));
    expect(opv.persons.every((p) => /^\d{4}-\d{2}-\d{2}$/.test(p.birth_date ?? ''))).toBe(true);
    expect(opv.mio).toEqual({ bin: A.mio_bin, name: A.name, bik: A.bik, iban: A.iban });
    expect(opv.formed_on).toBe('2025-04-14');
  });

  it('agrees with the contributions report (which counts rows)', async () => {
    const doc = await contributionsReport(t.db, { month: '2025-04', asOf: '2025-04-30' });
    type Kind = { count: number; amount: string };
    const a = (doc.mios as { mio_bin: string; opv: Kind; osms: Kind; so: Kind }[]).find((m) => m.mio_bin === A.mio_bin)!;
    expect(a.opv).toEqual({ count: 4, amount: registers[0].total });
    expect(a.osms).toEqual({ count: 5, amount: registers[1].total });
    expect(a.so).toEqual({ count: 5, amount: registers[2].total });
  });

  it('filters by МИО; a month without lists has no registers', async () => {
    expect(await contributionRegisters(t.db, '2025-04', { mio: B.mio_bin })).toEqual([]);
    expect(await contributionRegisters(t.db, '2025-05')).toEqual([]);
  });
});

describe('contributions per person in a list (DOMAIN §2)', () => {
  it('2026: two acts of 7.5 h of one assistant give ОПВ 885 (rows 443 and 442), each row adds up to G', async () => {
    const P = await seedProvider(t.db, { kind: 'assistant' });
    const first = await seedAct(t.db, { provider: P, mio: B, service_month: '2026-01', hours: '7.5', pwd_iin: synthIin() });
    const second = await seedAct(t.db, { provider: P, mio: B, service_month: '2026-01', hours: '7.5', pwd_iin: synthIin() });
    const out = await buildLists(t.db, { month: '2026-02', asOf: '2026-02-14', operator: 'тест' });
    expect(out.status).toBe('done');
    const rows = await t.db('list_rows').whereIn('act_id', [first.id, second.id]).orderBy('row_no').select('act_id', 'guaranteed', 'opv', 'osms', 'so', 'provider_sum');
    // G = 7.5 × 589.93 = 4424.475 → 4424.48 each; ОПВ = 10 % × 8848.96 = 884.896 → 885 (per act it was 442 + 442 = 884);
    // ОСМС = 2 % × 8848.96 = 176.9792 → 177 (88 + 88 per act); СО = 5 % × (8848.96 − 885) = 398.198 → 398.
    expect(rows.map((r) => [r.guaranteed, r.opv, r.osms, r.so, r.provider_sum])).toEqual([
      ['4424.48', '443.00', '89.00', '199.00', '3892.48'],
      ['4424.48', '442.00', '88.00', '199.00', '3894.48'],
    ]);
    const [register] = await contributionRegisters(t.db, '2026-02', { mio: B.mio_bin });
    expect(register.kind).toBe('opv');
    expect(register.persons).toEqual([expect.objectContaining({ iin: P.provider_id, name: P.name, period: '2026-01', amount: '885.00', rows: 2 })]);
  });
});

describe('contributionPain001', () => {
  it('reads back with every sum, the debtor МИО, the receiver and the КНП', () => {
    for (const r of registers) {
      const xml = contributionPain001(r);
      expect(contributionPain001(r)).toBe(xml); // deterministic
      const p = parsePain001(xml);
      expect(p.messageId).toBe(`${{ opv: 'OPV', osms: 'OSMS', so: 'SO' }[r.kind]}-2025-04-${A.mio_bin}`);
      expect(p.requestedExecutionDate).toBe('2025-04-14');
      expect(p.createdAt).toBe('2025-04-14T09:00:00+05:00');
      expect(p.purposeKnp).toBe(r.knp);
      expect(p.debtor).toEqual({ name: A.name, bin: A.mio_bin, iban: A.iban, bik: A.bik });
      expect(p.initiatingParty).toEqual({ name: `ОБРАЗЕЦ — НЕ ИСПОЛНЯТЬ. ${A.name}`, bin: A.mio_bin }); // sample requisites
      expect(p.control).toEqual({ groupNbOfTxs: String(r.count), groupCtrlSum: r.total, paymentNbOfTxs: String(r.count), paymentCtrlSum: r.total });
      expect(p.transactions).toHaveLength(r.persons.length);
      let total = new Big(0);
      p.transactions.forEach((tx, i) => {
        const person = r.persons[i];
        expect(tx.amount).toBe(person.amount);
        expect(tx.knp).toBe(r.knp);
        expect(tx.creditor).toEqual({ name: r.receiver.name, idNumber: r.receiver.bin, iban: r.receiver.iban, bik: r.receiver.bik, kbe: r.receiver.kbe });
        expect(tx.remittance).toContain(`за ${person.period} ИИН ${person.iin}`);
        expect(tx.endToEndId.length).toBeLessThanOrEqual(35);
        total = total.plus(tx.amount);
      });
      expect(total.toFixed(2)).toBe(r.total);
      expect(new Set(p.transactions.map((tx) => tx.endToEndId)).size).toBe(r.count);
    }
  });

  it('takes an execution date; cuts a long name to fit the payment purpose', () => {
    const r = registers[0];
    const long = { ...r, persons: [{ ...r.persons[0], name: 'Очень-длинное-имя '.repeat(12) }] };
    long.count = 1;
    long.total = r.persons[0].amount;
    const p = parsePain001(contributionPain001(long, { executionDate: '2025-04-21' }));
    expect(p.requestedExecutionDate).toBe('2025-04-21');
    const ustrd = `${p.transactions[0].remittance} КНП 010 КБе ${r.receiver.kbe}`;
    expect([...ustrd].length).toBeLessThanOrEqual(140);
    expect(p.transactions[0].remittance.startsWith(`ОПВ за ${r.persons[0].period} ИИН ${r.persons[0].iin} Очень`)).toBe(true);
    expect(contributionFileName(r)).toBe(`opv_2025-04_${A.mio_bin}.xml`);
    expect(PAIN001_NAMESPACE).toContain('pain.001.001.09');
  });
});

describe('birthDateOfIin', () => {
  it('reads YYMMDD with the century of the 7th digit', () => {
    expect(birthDateOfIin('850312300214')).toBe('1985-03-12'); // 3: a man of the 1900s
    expect(birthDateOfIin('050101600001')).toBe('2005-01-01'); // 6: a woman of the 2000s
    expect(birthDateOfIin('991231100001')).toBe('1899-12-31'); // 1: the 1800s
    expect(birthDateOfIin('160440007161')).toBeNull(); // a БИН: month 04, day 40
    expect(birthDateOfIin('850230300214')).toBeNull(); // 30 February
  });
});
