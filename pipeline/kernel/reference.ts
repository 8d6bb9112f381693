// Reference data as the steps read it: from the database tables that `db migrate` loaded.
import type { Knex } from 'knex';
import { Calendar } from './calendar.ts';
import type { YearRates } from './reference-files.ts';

type Q = Knex | Knex.Transaction;

export async function loadCalendar(db: Q): Promise<Calendar> {
  const years: { year: number }[] = await db('ref_calendar_years').select('year').orderBy('year');
  const days: { day: string; kind: 'off' | 'work' }[] = await db('ref_calendar_days').select('day', 'kind');
  return new Calendar(
    years.map(({ year }) => ({
      year,
      off: days.filter((d) => d.kind === 'off' && d.day.startsWith(`${year}-`)).map((d) => d.day),
      work: days.filter((d) => d.kind === 'work' && d.day.startsWith(`${year}-`)).map((d) => d.day),
    })),
  );
}

export async function loadRates(db: Q): Promise<YearRates[]> {
  // ref_years holds exactly the fields of YearRates; numerics come back as decimal strings.
  return db('ref_years').select('*').orderBy('year');
}

export async function knpCode(db: Q, role: string): Promise<string> {
  const row = await db('ref_knp').where({ role }).first();
  if (!row) throw new Error(`КНП для «${role}» не загружен: выполните payouts db migrate`);
  return row.code;
}
