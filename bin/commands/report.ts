// `payouts report FORM --month M [--mio BIN] --format json|xlsx|pdf [--out DIR]`
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { FORMS, MONTHLY_FORMS, reportBuilders, type FormName } from '../../reports/registry.ts';
import { MonthRequired, UsageError } from '../../pipeline/kernel/errors.ts';
import { isValidIinBin } from '../../pipeline/kernel/identifiers.ts';
import { monthOption, withContext } from '../context.ts';
import { renderReportFiles } from '../../reports/render-report.ts';


export function registerReport(program: Command): void {
  program
    .command('report')
    .argument('<form>', `форма: ${FORMS.join(', ')}`)
    .description('отчёт или форма за месяц: JSON, Excel или PDF')
    .option('--month <YYYY-MM>', 'отчётный месяц')
    .option('--mio <bin>', 'только один МИО (БИН)')
    .option('--format <fmt>', 'json, xlsx или pdf', 'json')
    .option('--out <dir>', 'папка для файлов (для json без неё — вывод на экран)')
    .action(async (form: string, opts: { month?: string; mio?: string; format: string; out?: string }, cmd: Command) =>
      withContext(cmd, async (ctx) => {
        if (!(FORMS as readonly string[]).includes(form)) {
          throw new UsageError(`Неизвестная форма «${form}». Доступны: ${FORMS.join(', ')}`);
        }
        const name = form as FormName;
        if (MONTHLY_FORMS.includes(name) && !opts.month) throw new MonthRequired(`Для формы ${name} укажите --month ГГГГ-ММ`);
        if (opts.month) monthOption(opts.month);
        if (opts.mio && !isValidIinBin(opts.mio)) throw new UsageError(`Неверный БИН МИО «${opts.mio}»`);
        if (!['json', 'xlsx', 'pdf'].includes(opts.format)) throw new UsageError(`Неизвестный формат «${opts.format}»: json, xlsx или pdf`);
        const builder = reportBuilders[name];
        if (!builder) throw new UsageError(`Форма ${name} ещё не реализована`);
        const doc = await builder(ctx.db, { month: opts.month, mio: opts.mio, asOf: ctx.asOf });
        const base = [name, opts.month ?? ctx.asOf, opts.mio].filter(Boolean).join('_');
        if (opts.format === 'json') {
          const text = `${JSON.stringify(doc, null, 2)}\n`;
          if (!opts.out) {
            process.stdout.write(text);
            return;
          }
          mkdirSync(opts.out, { recursive: true });
          const file = path.join(opts.out, `${base}.json`);
          writeFileSync(file, text, { mode: 0o600 });
          ctx.print(`Записан ${file}`, { files: [file] });
          return;
        }
        const out = opts.out ?? '.';
        mkdirSync(out, { recursive: true });
        const files = await renderReportFiles(name, doc, opts.format as 'xlsx' | 'pdf', out, base, {
          db: ctx.db,
          month: opts.month,
          mio: opts.mio,
          asOf: ctx.asOf,
        });
        ctx.print(files.map((f) => `Записан ${f}`).join('\n'), { files });
      }),
    );
}
