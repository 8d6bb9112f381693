// `payouts import KIND FILE [--strict] [--out DIR]`: one validated import
// (pipeline/imports/run-import.ts). Exit 0: every row taken (or a duplicate); 3: some rows rejected
// (the valid ones taken, or with --strict nothing taken) — the message says where the rejected
// rows are; 2: the file is unusable (nothing written).
import type { Command } from 'commander';
import { IMPORT_KINDS } from '../../pipeline/imports/kind.ts';
import type { ImportReport } from '../../pipeline/imports/run-import.ts';
import { UsageError } from '../../pipeline/kernel/errors.ts';
import { withContext } from '../context.ts';

/** How many rejected rows the human summary shows (the rejected-rows file has them all). */
const SHOWN_ERRORS = 10;

/** The exit code of an import that ran: 3 when any row was rejected (taken or, with --strict, not), else 0. */
export function importExitCode(r: ImportReport): number {
  return r.rejected > 0 ? 3 : 0;
}

const SEPARATOR_NAME: Record<string, string> = { ',': 'запятая', ';': 'точка с запятой' };

function errorLine(e: ImportReport['errors'][number]): string {
  const value = e.value !== null && e.value !== '' ? ` («${e.value.length > 60 ? `${e.value.slice(0, 57)}…` : e.value}»)` : '';
  return `  строка ${e.row}${e.field ? `, ${e.field}${value}` : ''}: ${e.reason}`;
}

export function describeImport(r: ImportReport): string {
  const read = r.encoding ? `; ${r.encoding === 'utf-8' ? 'UTF-8' : 'Windows-1251'}, разделитель — ${SEPARATOR_NAME[r.delimiter ?? ',']}` : '';
  const lines = [
    `Импорт ${r.kind} из ${r.file} (пакет № ${r.batch_id}${read}): строк ${r.total_rows}`,
    `Принято: ${r.accepted}, дубликатов: ${r.duplicates}, отклонено: ${r.rejected}`,
  ];
  if (r.status === 'refused') {
    lines.push(
      `Строгий режим (--strict): есть отклонённые строки, поэтому файл не принят и ничего не загружено ` +
        `(годных строк было ${r.valid}). Исправьте строки и загрузите файл снова.`,
    );
  }
  if (r.skipped.length) {
    lines.push(`Операций pain.002 не в статусе RJCT (не возвраты, не загружены): ${r.skipped.length}`);
  }
  if (r.rejected > 0) {
    if (r.rejected_file) {
      if (r.rejected_unwritable.length) lines.push(`Недоступны для записи: ${r.rejected_unwritable.join('; ')}.`);
      lines.push(`Отклонённые строки с причинами: ${r.rejected_file}`);
      for (const e of r.errors.slice(0, SHOWN_ERRORS)) lines.push(errorLine(e));
      if (r.rejected > SHOWN_ERRORS) lines.push(`  … и ещё ${r.rejected - SHOWN_ERRORS} (см. файл)`);
    } else {
      lines.push(
        `Файл отклонённых строк записать не удалось (недоступны для записи: ${r.rejected_unwritable.join('; ')}). ` +
          `Отклонённые строки сохранены в базе данных (таблица rejected_rows, пакет № ${r.batch_id}); все они ниже:`,
      );
      for (const e of r.errors) lines.push(errorLine(e));
    }
  }
  return lines.join('\n');
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description(
      `загрузить файл: KIND — ${IMPORT_KINDS.join(', ')}; FILE — .csv (UTF-8 или Windows-1251, разделитель «,» или «;», ` +
        'строка заголовка), .xlsx (первый лист) или .json (массив объектов); для returns также pain.002 .xml; ' +
        'statement — выписка банка по счёту ГК (camt.053, MT940, 1CClientBankExchange); ' +
        'requisites — реквизиты площадки (JSON: счёт Госкорпорации, счета взносов по КНП, four_eyes). ' +
        'Отклонённые строки — в <FILE>.rejected.xlsx рядом с файлом (или в --out)',
    )
    .argument('<kind>', `вид данных: ${IMPORT_KINDS.join(', ')}, statement, requisites`)
    .argument('<file>', 'файл .csv, .xlsx, .json (returns: также .xml pain.002; statement: выписка)')
    .option('--strict', 'не принимать ничего, если отклонена хотя бы одна строка')
    .option('--out <dir>', 'папка для файла отклонённых строк (по умолчанию рядом с файлом; если туда нельзя писать — ./out/rejected)')
    .option('--dry-run', 'только для statement: показать сопоставление, ничего не записывая')
    .action(async (kind: string, file: string, opts: { strict?: boolean; dryRun?: boolean; out?: string }, cmd: Command) =>
      withContext(cmd, async (ctx) => {
        if (kind === 'statement') {
          if (opts.strict) throw new UsageError('--strict к выписке не применяется: выписка принимается целиком, несопоставленные операции показываются');
          return (await import('./statement.ts')).runStatementImport(ctx, file, !!opts.dryRun);
        }
        if (opts.dryRun) throw new UsageError('--dry-run есть только у import statement');
        if (kind === 'requisites') {
          if (opts.strict) throw new UsageError('--strict к реквизитам не применяется: файл реквизитов принимается только целиком');
          const { importRequisites, describeRequisitesImport } = await import('../../pipeline/requisites/index.ts');
          const r = await importRequisites(ctx.db, { file, asOf: ctx.asOf, operator: ctx.operator });
          ctx.print(describeRequisitesImport(r), r);
          return 0;
        }
        // The readers (exceljs, csv-parse) load when a file is imported, not for help or a usage error.
        const { runImport } = await import('../../pipeline/imports/run-import.ts');
        const report = await runImport(ctx.db, {
          kind,
          file,
          strict: !!opts.strict,
          out: opts.out,
          asOf: ctx.asOf,
          operator: ctx.operator,
        });
        ctx.print(describeImport(report), report);
        return importExitCode(report);
      }),
    );
}
