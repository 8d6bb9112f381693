// `payouts run pay` (owner: the payments work): payment orders dated --as-of for funded rows and
// for returns whose bank details were fixed; refused on a non-working day.
import type { Command } from 'commander';
import { withContext } from '../context.ts';
import { pendingFilesText, printStepOutcome } from '../step-output.ts';

interface PaySummary {
  orders?: { number: number; mio_bin: string; bik: string; count: number; total: string; file: string }[];
  payouts?: { count: number; amount: string };
  repayments?: { count: number; amount: string };
  total?: string;
  waiting_for_details?: { count: number; amount: string };
  awaiting_approval?: boolean;
  date?: string;
}

export function describePay(
  summary: Record<string, unknown>,
  files: string[] = [],
  filesRefused: string | null = null,
  pending: string[] = [],
  error: string | null = null,
  outDir = 'out/payment-orders',
): string {
  const s = summary as PaySummary;
  const lines = [
    `  выплаты: ${s.payouts?.count ?? 0} на сумму ${s.payouts?.amount ?? '0.00'}`,
    `  повторные выплаты по возвратам: ${s.repayments?.count ?? 0} на сумму ${s.repayments?.amount ?? '0.00'}`,
    `  платёжных поручений: ${s.orders?.length ?? 0}, всего ${s.total ?? '0.00'}`,
  ];
  for (const o of s.orders ?? []) {
    lines.push(`    № ${o.number}: МИО ${o.mio_bin}, банк ${o.bik}, строк ${o.count}, сумма ${o.total}`);
  }
  const w = s.waiting_for_details;
  if (w && w.count > 0) {
    lines.push(`  ожидают новых банковских реквизитов: ${w.count} на сумму ${w.amount} (не выплачены)`);
  }
  if (s.awaiting_approval) {
    lines.push(
      `  поручения подготовлены и ждут утверждения другим сотрудником (принцип «четырёх глаз»); файлы для банка не записаны.`,
      `  Проверить: payouts orders show --date ${s.date}; утвердить: payouts orders approve --date ${s.date} --operator ДРУГОЙ_СОТРУДНИК`,
    );
  }
  for (const f of files) lines.push(`  файл ${f}`);
  if (filesRefused) lines.push(`  ${filesRefused}`);
  lines.push(...pendingFilesText(pending, error, `payouts orders export --date ${s.date} --out ${outDir}`));
  return lines.join('\n');
}

export function registerPaySteps(run: Command): void {
  run
    .command('pay')
    .description(
      'ГК: платёжные поручения датой --as-of по профинансированным строкам и по возвратам с новыми реквизитами ' +
        '(в нерабочий день запрещено); файлы pain.001 в --out',
    )
    .option('--dry-run', 'рассчитать и показать, ничего не записывая')
    .option('--out <dir>', 'папка для файлов платёжных поручений pain.001 (по умолчанию out/payment-orders)')
    .action(async (opts: { dryRun?: boolean; out?: string }, cmd: Command) =>
      withContext(cmd, async (ctx) => {
        // The step loads when it runs, not for help or a usage error.
        const [{ pay }, { DEFAULT_ORDERS_DIR }] = await Promise.all([
          import('../../pipeline/steps/pay/index.ts'),
          import('../../pipeline/orders/files.ts'),
        ]);
        const outcome = await pay(ctx.db, { asOf: ctx.asOf, operator: ctx.operator, dryRun: !!opts.dryRun, outDir: opts.out ?? DEFAULT_ORDERS_DIR });
        printStepOutcome(ctx, 'pay', ctx.asOf, outcome, (summary) =>
          describePay(summary, outcome.files, outcome.filesRefused, outcome.pendingFiles, outcome.fileError, opts.out ?? DEFAULT_ORDERS_DIR),
        );
      }),
    );
}
