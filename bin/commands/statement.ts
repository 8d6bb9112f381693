// `payouts import statement FILE [--dry-run]` (pipeline/statements/import.ts): what the human
// summary says and the exit code. Exit 0: every entry matched, or only the bank's fees left
// unmatched, or the statement was imported before (nothing changed); 3: some entries need an
// officer's look (the statement and the matched entries are taken all the same); with --dry-run
// the same code the import would give, nothing written. A refused file: 2 or 4 (the error).
import { importStatement, type StatementImportReport } from '../../pipeline/statements/import.ts';
import type { CliContext } from '../context.ts';

/** How many entries needing a look the human summary lists. */
const SHOWN = 20;

const MATCH_TEXT = { transfer: 'поступление от МИО', order_debit: 'списание по поручению', return: 'возврат' } as const;

export function statementExitCode(r: StatementImportReport): number {
  return r.status === 'partial' ? 3 : 0;
}

export function describeStatementImport(r: StatementImportReport): string {
  const s = r.statement;
  const head = r.dry_run ? 'Проверка без записи (--dry-run): ничего не загружено. ' : '';
  const lines = [
    `${head}Выписка ${s.statement_no ? `№ ${s.statement_no} ` : ''}по счёту ${s.account} за ${s.from === s.to ? s.to : `${s.from} — ${s.to}`} ` +
      `(${r.format}, правила ${r.mapping})${r.batch_id ? `, пакет № ${r.batch_id}` : ''}`,
    `Входящий остаток ${s.opening}, поступления ${s.credits}, списания ${s.debits}, исходящий остаток ${s.closing}; операций ${s.entries}`,
  ];
  if (r.status === 'duplicate') {
    lines.push('Эта выписка уже загружена: ничего не изменено.');
    return lines.join('\n');
  }
  lines.push(
    `Сопоставлено: ${r.matched} (${Object.entries(r.by_kind)
      .map(([k, n]) => `${MATCH_TEXT[k as keyof typeof MATCH_TEXT]}: ${n}`)
      .join(', ')}); не сопоставлено: ${r.unmatched}, из них требуют проверки: ${r.needs_attention}`,
  );
  if (r.skipped.length) lines.push(`Непроведённых операций (не учтены): ${r.skipped.length}`);
  const shown = r.entries.filter((e) => e.unmatched_code !== null && e.unmatched_code !== 'bank_fee');
  for (const e of shown.slice(0, SHOWN)) {
    lines.push(`  операция ${e.seq} (${e.booking_date}, ${e.direction === 'credit' ? 'поступление' : 'списание'} ${e.amount}): ${e.reason}`);
  }
  if (shown.length > SHOWN) lines.push(`  … и ещё ${shown.length - SHOWN} (см. отчёт report statement)`);
  return lines.join('\n');
}

export async function runStatementImport(ctx: CliContext, file: string, dryRun: boolean): Promise<number> {
  const report = await importStatement(ctx.db, { file, asOf: ctx.asOf, operator: ctx.operator, dryRun });
  ctx.print(describeStatementImport(report), report);
  return statementExitCode(report);
}
