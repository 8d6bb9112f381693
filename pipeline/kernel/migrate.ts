// `payouts db migrate`: applies the migrations, then loads the reference data files
// (rates by year, the working-day calendar, КНП codes) idempotently.
import type { Db } from './db.ts';
import { migrationSource } from '../../migrations/index.ts';
import { readReferenceFiles } from './reference-files.ts';

export interface MigrateResult {
  applied: string[];
  years: number[];
  calendarYears: number[];
  knp: number;
}

export async function migrate(db: Db): Promise<MigrateResult> {
  const [, applied] = (await db.migrate.latest({ migrationSource })) as [number, string[]];
  const ref = readReferenceFiles();
  await db.transaction(async (trx) => {
    // A rates file holds exactly the columns of ref_years (the schema is strict).
    for (const r of ref.rates) await trx('ref_years').insert(r).onConflict('year').merge();
    for (const c of ref.calendars) {
      await trx('ref_calendar_years').insert({ year: c.year }).onConflict('year').ignore();
      await trx('ref_calendar_days')
        .whereBetween('day', [`${c.year}-01-01`, `${c.year}-12-31`])
        .delete();
      const days = [
        ...c.off.map((day) => ({ day, kind: 'off' })),
        ...c.work.map((day) => ({ day, kind: 'work' })),
      ];
      if (days.length) await trx('ref_calendar_days').insert(days);
    }
    for (const k of ref.knp) {
      await trx('ref_knp').insert({ code: k.code, role: k.role, name: k.name }).onConflict('code').merge();
    }
  });
  return {
    applied,
    years: ref.rates.map((r) => r.year),
    calendarYears: ref.calendars.map((c) => c.year),
    knp: ref.knp.length,
  };
}
