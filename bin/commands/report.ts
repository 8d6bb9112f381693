// `payouts report FORM --month M [--mio BIN] --format json|xlsx|pdf [--out DIR]`
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { FORMS, MONTHLY_FORMS, reportBuilders, type FormName } from '../../reports/registry.ts';
import type { Db } from '../../pipeline/kernel/db.ts';
import { isValidMonth } from '../../pipeline/kernel/dates.ts';
import { UsageError } from '../../pipeline/kernel/errors.ts';
import { isValidIinBin } from '../../pipeline/kernel/identifiers.ts';
import { withContext } from '../context.ts';
import { renderReportFiles } from '../../reports/render-report.ts';

export interface ReportRequest {
  form: FormName;
  month?: string;
  mio?: string;
  asOf: string;
}

/** The file base name of a report: `<form>_<month or as-of>[_<mio>]`. */
export function reportBaseName(r: ReportRequest): string {
  return [r.form, r.month ?? r.asOf, r.mio].filter(Boolean).join('_');
}

/**
 * Writes a report into `out` as `payouts report --out` does: the JSON document (mode 0600), or
 * the form's Excel or PDF files. Returns the paths written.
 */
export async function writeReport(db: Db, r: ReportRequest, format: 'json' | 'xlsx' | 'pdf', out: string): Promise<string[]> {
  const doc = await reportBuilders[r.form](db, { month: r.month, mio: r.mio, asOf: r.asOf });
  mkdirSync(out, { recursive: true });
  if (format === 'json') {
    const file = path.join(out, `${reportBaseName(r)}.json`);
    writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
    return [file];
  }
  return renderReportFiles(r.form, doc, format, out, reportBaseName(r), { db, month: r.month, mio: r.mio, asOf: r.asOf });
}

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
        if (MONTHLY_FORMS.includes(name) && !opts.month) throw new UsageError(`Для формы ${name} укажите --month ГГГГ-ММ`);
        if (opts.month && !isValidMonth(opts.month)) throw new UsageError(`Неверный месяц «${opts.month}»: ожидается ГГГГ-ММ`);
        if (opts.mio && !isValidIinBin(opts.mio)) throw new UsageError(`Неверный БИН МИО «${opts.mio}»`);
        if (!['json', 'xlsx', 'pdf'].includes(opts.format)) throw new UsageError(`Неизвестный формат «${opts.format}»: json, xlsx или pdf`);
        const request: ReportRequest = { form: name, month: opts.month, mio: opts.mio, asOf: ctx.asOf };
        if (opts.format === 'json' && !opts.out) {
          const doc = await reportBuilders[name](ctx.db, request);
          process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
          return;
        }
        const files = await writeReport(ctx.db, request, opts.format as 'json' | 'xlsx' | 'pdf', opts.out ?? '.');
        ctx.print(files.map((f) => `Записан ${f}`).join('\n'), { files });
      }),
    );
}
