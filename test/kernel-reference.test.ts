import { afterAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_REFERENCE_DIR, readReferenceFiles, ReferenceFileError } from '../pipeline/kernel/reference-files.ts';
import { hourlyRate, ratesForMonth, RatesError } from '../pipeline/kernel/rates.ts';

const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A copy of the shipped reference folder with one file replaced. */
function withFile(relPath: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'payouts-ref-'));
  tmpDirs.push(dir);
  cpSync(DEFAULT_REFERENCE_DIR, dir, { recursive: true });
  writeFileSync(join(dir, relPath), content);
  return dir;
}

describe('reference files', () => {
  const ref = readReferenceFiles();

  it('ships calendars 2024–2026 as listed in DOMAIN.md §8', () => {
    expect(ref.calendars.map((c) => c.year)).toEqual([2024, 2025, 2026]);
    const [c2024, c2025, c2026] = ref.calendars;
    expect(c2024.off).toHaveLength(13);
    expect(c2025.off).toHaveLength(16);
    expect(c2026.off).toHaveLength(15);
    expect(c2024.work).toEqual([]);
    expect(c2025.work).toEqual(['2025-01-05']);
    expect(c2026.work).toEqual([]);
    expect(c2025.off).toEqual(expect.arrayContaining(['2025-03-21', '2025-03-24', '2025-03-25', '2025-06-06']));
  });

  it('ships rates 2023–2026 with the hourly rates of DOMAIN.md §2', () => {
    expect(ref.rates.map((r) => r.year)).toEqual([2023, 2024, 2025, 2026]);
    // МРП × 13.64 %: 3450 → 470.58; 3692 → 503.5888 → 503.59; 3932 → 536.3248 → 536.32; 4325 → 589.93
    expect(ref.rates.map((r) => hourlyRate(r).toFixed(2))).toEqual(['470.58', '503.59', '536.32', '589.93']);
    expect(ref.rates.map((r) => [r.mrp, r.mzp, r.so_percent, r.osms_cap_mzp, r.rounding])).toEqual([
      ['3450', '70000', '3.5', '10', 'tiyn'],
      ['3692', '85000', '3.5', '10', 'tiyn'],
      ['3932', '85000', '5', '10', 'tiyn'],
      ['4325', '85000', '5', '20', 'tenge'],
    ]);
    for (const r of ref.rates) {
      expect(r.withholding_kinds).toEqual(['assistant']);
      expect([r.opv_percent, r.osms_percent, r.opv_cap_mzp, r.so_cap_mzp]).toEqual(['10', '2', '50', '7']);
    }
  });

  it('ships KNP codes, one per role', () => {
    const byRole = Object.fromEntries(ref.knp.map((k) => [k.role, k.code]));
    expect(byRole).toMatchObject({ opv: '010', osms: '122', so: '012' });
    expect(byRole.reimbursement).toMatch(/^\d{3}$/);
    expect(byRole.to_mio).toMatch(/^\d{3}$/);
  });

  it('rates by service month', () => {
    expect(ratesForMonth('2025-12', ref.rates).year).toBe(2025);
    expect(ratesForMonth('2026-01', ref.rates).rounding).toBe('tenge');
    expect(() => ratesForMonth('2027-01', ref.rates)).toThrow(RatesError);
    expect(() => ratesForMonth('2027-01', ref.rates)).toThrow(/не загружены для 2027 года/);
    expect(() => ratesForMonth('2025-13', ref.rates)).toThrow(/Некорректный месяц/);
  });

  it('refuses a bad rates file with a clear message', () => {
    const bad = { ...ref.rates[2], mrp: 3932 };
    const dir = withFile('rates/2025.json', JSON.stringify(bad));
    expect(() => readReferenceFiles(dir)).toThrow(ReferenceFileError);
    expect(() => readReferenceFiles(dir)).toThrow(/2025\.json.*mrp/);
  });

  it('refuses an unknown field, a wrong rounding unit, a year not matching the file name', () => {
    expect(() => readReferenceFiles(withFile('rates/2025.json', JSON.stringify({ ...ref.rates[2], extra: '1' })))).toThrow(/extra/);
    expect(() => readReferenceFiles(withFile('rates/2025.json', JSON.stringify({ ...ref.rates[2], rounding: 'cent' })))).toThrow(/rounding/);
    expect(() => readReferenceFiles(withFile('rates/2025.json', JSON.stringify({ ...ref.rates[2], year: 2024 })))).toThrow(
      /не совпадает с именем файла/,
    );
  });

  it('refuses bad calendar files', () => {
    const cal = (c: object) => withFile('calendar/2025.json', JSON.stringify(c));
    expect(() => readReferenceFiles(cal({ year: 2025, off: ['2025-02-30'], work: [] }))).toThrow(/off\.0/);
    expect(() => readReferenceFiles(cal({ year: 2025, off: ['2025-03-23'], work: [] }))).toThrow(/2025-03-23 выходной день/);
    expect(() => readReferenceFiles(cal({ year: 2025, off: [], work: ['2025-01-06'] }))).toThrow(/2025-01-06 не выходной день/);
    expect(() => readReferenceFiles(cal({ year: 2025, off: ['2024-03-25'], work: [] }))).toThrow(/не относится к 2025 году/);
    expect(() => readReferenceFiles(cal({ year: 2025, off: ['2025-03-24', '2025-03-24'], work: [] }))).toThrow(/дважды/);
    expect(() => readReferenceFiles(withFile('calendar/2025.json', '{ not json'))).toThrow(/Не удалось прочитать/);
  });

  it('refuses a KNP file with a missing role', () => {
    const knp = ref.knp.filter((k) => k.role !== 'so');
    expect(() => readReferenceFiles(withFile('knp.json', JSON.stringify(knp)))).toThrow(/"so"/);
  });
});
