// `payouts report FORM --month M [--mio BIN] --format json|xlsx|pdf [--out DIR]`
import type { Command } from 'commander';
import { FORMS, MONTHLY_FORMS, type FormName } from '../../reports/form-names.ts';
import { MonthRequired, UsageError } from '../../pipeline/kernel/errors.ts';
import { isValidIinBin } from '../../pipeline/kernel/identifiers.ts';
import { monthOption, withContext } from '../context.ts';
import type { ReportRequest } from '../../reports/write-report.ts';

// The builders and renderers (exceljs, pdfmake) load when a report is made, not for help or a usage error.
const reportWriter = () => import('../../reports/write-report.ts');

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
        if (opts.out !== undefined && opts.out.trim() === '') throw new UsageError('--out: укажите папку для файлов (пустое значение)');
        // The folder is usable before anything is built (a file, /dev/null, a read-only disk: exit 2).
        if (opts.out !== undefined || opts.format !== 'json') (await import('../../pipeline/orders/files.ts')).assertOutDir(opts.out ?? '.');
        const request: ReportRequest = { form: name, month: opts.month, mio: opts.mio, asOf: ctx.asOf };
        const { buildReport, writeReport } = await reportWriter();
        if (opts.format === 'json' && !opts.out) {
          process.stdout.write(`${JSON.stringify(await buildReport(ctx.db, request), null, 2)}\n`);
          return;
        }
        const files = await writeReport(ctx.db, request, opts.format as 'json' | 'xlsx' | 'pdf', opts.out ?? '.');
        ctx.print(files.map((f) => `Записан ${f}`).join('\n'), { files });
      }),
    );
}
