// Contribution caps per assistant and month (DOMAIN.md §2): where a cap would bind, the whole
// list run is refused with the rule named, and nothing is written — not even the innocent rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counts, freshDb, type TestDb } from './support/db.ts';
import { synthIin } from './support/ids.ts';
import { seedAct, seedMio, seedProvider, type MioSeed, type ProviderSeed } from './support/world.ts';
import { buildLists } from '../pipeline/steps/build-lists/index.ts';
import { trialBalance } from '../pipeline/ledger.ts';
import { BusinessRuleError } from '../pipeline/kernel/errors.ts';
import { maskIdentifier } from '../pipeline/kernel/identifiers.ts';

const OP = 'тест';
let t: TestDb;
let A: MioSeed;
let P: ProviderSeed; // the assistant whose July adds up
let Q: ProviderSeed; // an unrelated assistant

/** Rows of the tables build-lists writes. */
const written = () => counts(t.db, ['step_runs', 'lists', 'list_rows', 'list_holds', 'notifications', 'ledger_entries', 'audit_events']);

/** A full July for one more ЛСИ: 8 h × 31 days = 248 h. */
function fullJuly(provider: ProviderSeed, acceptedOn: string, actNo: string) {
  return seedAct(t.db, { provider, mio: A, service_month: '2025-07', hours: '248', act_no: actNo, received_on: '2025-08-04', accepted_on: acceptedOn, pwd_iin: synthIin() });
}

beforeAll(async () => {
  t = await freshDb();
  A = await seedMio(t.db);
  P = await seedProvider(t.db, { kind: 'assistant' });
  Q = await seedProvider(t.db, { kind: 'assistant' });
});
afterAll(async () => t?.drop());

describe('caps', () => {
  it('four full months for four ЛСИ stay under every cap and are listed', async () => {
    for (let i = 1; i <= 4; i++) await fullJuly(P, '2025-08-05', `И-${i}`);
    // An entrepreneur's act for the same person withholds nothing, so adds no base.
    const firm = await seedProvider(t.db, { kind: 'entrepreneur' });
    await seedAct(t.db, { provider: firm, mio: A, service_month: '2025-07', hours: '248', assistant_iin: P.provider_id, assistant_name: P.name, received_on: '2025-08-04', accepted_on: '2025-08-05' });
    const out = await buildLists(t.db, { month: '2025-08', asOf: '2025-08-14', operator: OP });
    // Per act: G = 248 × 536.32 = 133007.36; ОПВ 13300.736 → 13300.74; СО base = 133007.36 − 13300.74 = 119706.62.
    // For P: ОПВ base 4 × 133007.36 = 532029.44 ≤ 50 × 85000 = 4250000; ВОСМС base 532029.44 ≤ 10 × 85000 = 850000;
    // СО base per person 532029.44 − 53202.94 = 478826.50 ≤ 7 × 85000 = 595000.
    expect(out.status).toBe('done');
    expect(out.summary).toMatchObject({ rows: 5 });
  });

  it('a fifth act later would make СО bind (with the four already listed): the whole run is refused', async () => {
    await fullJuly(P, '2025-08-20', 'И-5');
    // An innocent act of another assistant in the same run.
    await seedAct(t.db, { provider: Q, mio: A, service_month: '2025-08', hours: '10', received_on: '2025-09-03', accepted_on: '2025-09-03' });
    const before = await written();
    const tb = await trialBalance(t.db);
    const err = await buildLists(t.db, { month: '2025-09', asOf: '2025-09-12', operator: OP }).catch((e) => e);
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect(err.exitCode).toBe(4);
    expect(err.rule).toBe('contribution-cap');
    // ОПВ per person in the first list (DOMAIN §2): 10 % × 532029.44 = 53202.944 → 53202.94, so its СО base is
    // 532029.44 − 53202.94 = 478826.50 (per act it was 4 × 119706.62 = 478826.48); with the fifth act's
    // 119706.62: 598533.12 > 595000.00; ОПВ 665036.80 and ВОСМС 665036.80 stay under their caps.
    expect(err.message).toContain(`помощник ${maskIdentifier(P.provider_id)} за 2025-07`);
    expect(err.message).toContain('База СО 598533.12 за месяц превышает предел 7.00 МЗП = 595000.00');
    expect(err.message).not.toContain('База ОПВ');
    expect(err.message).not.toContain('База ВОСМС');
    expect(err.message).toContain('(в прежнем списке)');
    expect(err.message).toContain('ничего не записано');
    expect(err.message).not.toContain(P.provider_id); // the ИИН is masked
    expect(await written()).toEqual(before);
    expect(await trialBalance(t.db)).toEqual(tb);
  });

  it('the dry run is refused the same way', async () => {
    await expect(buildLists(t.db, { month: '2025-09', asOf: '2025-09-12', operator: OP, dryRun: true })).rejects.toMatchObject({ rule: 'contribution-cap' });
  });

  it('ВОСМС binds first within a single run of seven full months', async () => {
    const R = await seedProvider(t.db, { kind: 'assistant' });
    for (let i = 1; i <= 7; i++) {
      await seedAct(t.db, { provider: R, mio: A, service_month: '2025-10', hours: '248', received_on: '2025-11-03', accepted_on: '2025-11-04', pwd_iin: synthIin() });
    }
    // ВОСМС base 7 × 133007.36 = 931051.52 > 850000.00; СО per person (DOMAIN §2): ОПВ 10 % × 931051.52 = 93105.152
    // → 93105.15, base 931051.52 − 93105.15 = 837946.37 > 595000.00 as well (per act it was 7 × 119706.62 = 837946.34).
    const err = await buildLists(t.db, { month: '2025-11', asOf: '2025-11-14', operator: OP }).catch((e) => e);
    expect(err.rule).toBe('contribution-cap');
    expect(err.message).toContain('База ВОСМС 931051.52 за месяц превышает предел 10.00 МЗП = 850000.00');
    expect(err.message).toContain('База СО 837946.37');
    expect(err.message).toMatch(/помощников: 2/); // P's July is still pending too
  });
});
