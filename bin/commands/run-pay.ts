// `payouts run pay` (owner: the payments work): payment orders dated --as-of for funded rows and
// for returns whose bank details were fixed; refused on a non-working day.
import type { Command } from 'commander';
import { pay } from '../../pipeline/steps/pay/index.ts';
import { DEFAULT_ORDERS_DIR } from '../../pipeline/orders/files.ts';
import { withContext } from '../context.ts';
import { printStepOutcome } from '../step-output.ts';

interface PaySummary {
  orders?: { number: number; mio_bin: string; bik: string; count: number; total: string; file: string }[];
  payouts?: { count: number; amount: string };
  repayments?: { count: number; amount: string };
  total?: string;
  waiting_for_details?: { count: number; amount: string };
}

export function describePay(summary: Record<string, unknown>, files: string[] = [], filesRefused: string | null = null): string {
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
  for (const f of files) lines.push(`  файл ${f}`);
  if (filesRefused) lines.push(`  ${filesRefused}`);
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
    .option('--out <dir>', 'папка для файлов платёжных поручений pain.001', DEFAULT_ORDERS_DIR)
    .action(async (opts: { dryRun?: boolean; out: string }, cmd: Command) =>
      withContext(cmd, async (ctx) => {
        const outcome = await pay(ctx.db, { asOf: ctx.asOf, operator: ctx.operator, dryRun: !!opts.dryRun, outDir: opts.out });
        printStepOutcome(ctx, 'pay', ctx.asOf, outcome, (summary) => describePay(summary, outcome.files, outcome.filesRefused));
      }),
    );
}
