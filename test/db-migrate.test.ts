import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, freshDb, type TestDb } from './support/db.ts';
import { migrate } from '../pipeline/kernel/migrate.ts';
import { loadCalendar, loadRates } from '../pipeline/kernel/reference.ts';

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
});
afterAll(async () => t?.drop());

describe('db migrate', () => {
  it('loads the reference data and is idempotent', async () => {
    const again = await migrate(t.db);
    expect(again.applied).toEqual([]);
    const rates = await loadRates(t.db);
    expect(rates.map((r) => r.year)).toEqual([2023, 2024, 2025, 2026]);
    const y2026 = rates.find((r) => r.year === 2026)!;
    expect(y2026.rounding).toBe('tenge');
    expect(Number(y2026.mrp)).toBe(4325);
    const n = await count(t.db, 'ref_calendar_days');
    const cal = await loadCalendar(t.db);
    expect(cal.isWorkingDay('2025-03-24')).toBe(false);
    expect(cal.isWorkingDay('2025-01-05')).toBe(true);
    await migrate(t.db);
    expect(await count(t.db, 'ref_calendar_days')).toBe(n);
    const knp = await t.db('ref_knp').select('code', 'role').orderBy('code');
    expect(knp).toEqual(expect.arrayContaining([{ code: '010', role: 'opv' }, { code: '122', role: 'osms' }, { code: '012', role: 'so' }]));
  });

  it('refuses a list row whose parts do not add up to the guaranteed sum', async () => {
    const err = await t.db
      .raw(
        `insert into list_rows (list_id, row_no, act_id, mio_bin, provider_id, provider_kind, service_month, hours,
          hourly_rate, full_guaranteed, guaranteed, co_payment, provider_sum, opv, osms, so,
          opv_exempt, osms_exempt, so_exempt, bank_detail_id)
         values (1, 1, 1, '160440007161', '160440007161', 'assistant', '2025-01', 1, 536.32, 536.32, 536.32, 0,
          400, 53.63, 10.73, 0, false, false, false, 1)`,
      )
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect(String((err as Error).message)).toMatch(/check|violates|foreign/i);
  });

  it('keeps amounts as numeric(18,2) decimal strings and dates as strings', async () => {
    await t.db('mios').insert({ mio_bin: '160440007161', name: 'Тест', oblast: 'г. Астана', bik: 'GCVPKZ2A', iban: 'KZ92009MEDS368609103' });
    await t.db('transfers').insert({ mio_bin: '160440007161', pp_no: '1', pp_date: '2025-02-17', amount: '1234567890123456.78' });
    const row = await t.db('transfers').first();
    expect(row.amount).toBe('1234567890123456.78');
    expect(row.pp_date).toBe('2025-02-17');
    const bad = await t.db('transfers').insert({ mio_bin: '160440007161', pp_no: '2', pp_date: '2025-02-17', amount: '-1' }).catch((e: Error) => e);
    expect(bad).toBeInstanceOf(Error);
  });
});
