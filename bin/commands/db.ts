import type { Command } from 'commander';
import { describeTarget } from '../../pipeline/kernel/db.ts';
import { globals, withContext } from '../context.ts';

export function registerDb(program: Command): void {
  const db = program.command('db').description('база данных');
  db.command('migrate')
    .description('применить миграции и загрузить справочники (МРП, МЗП, ставки, календарь, КНП)')
    .action(async (_opts, cmd: Command) =>
      withContext(cmd, async (ctx) => {
        const { migrate } = await import('../../pipeline/kernel/migrate.ts');
        const r = await migrate(ctx.db);
        ctx.print(
          [
            `База данных: ${describeTarget({ url: globals(cmd).db })}`,
            r.applied.length ? `Применены миграции: ${r.applied.join(', ')}` : 'Схема уже актуальна.',
            `Справочники загружены: ставки за ${r.years.join(', ')}; календарь за ${r.calendarYears.join(', ')}; КНП: ${r.knp}.`,
          ].join('\n'),
          { applied: r.applied, years: r.years, calendar_years: r.calendarYears, knp: r.knp },
        );
      }),
    );
}
