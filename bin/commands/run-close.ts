// `payouts run refund-unsent`, `reconcile`, `bank-fees`, `check-deadlines` (the returns and closing work).
// The month steps default their as-of to their own scheduled date (jobs/planner.ts): reconcile
// for period M to the act's date (the 25th of M+1 or the last working day before it), bank-fees
// for M to the 25th of M+1, so a run by hand and the scheduled run are the same run;
// the date steps default to today.
import type { Command } from 'commander';
import { scheduledDate } from '../../jobs/planner.ts';
import { loadCalendar } from '../../pipeline/kernel/reference.ts';
import { monthOption, withContext, type CliContext } from '../context.ts';
import { pendingFilesText, printStepOutcome } from '../step-output.ts';

/** A month step's as-of: the one given, else its scheduled date. */
async function monthStepAsOf(ctx: CliContext, step: 'reconcile' | 'bank-fees', month: string): Promise<string> {
  return ctx.asOfGiven ? ctx.asOf : scheduledDate(step, month, await loadCalendar(ctx.db));
}

type Summary = Record<string, unknown>;
const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

export function describeRefundUnsent(s: Summary, files: string[] = [], filesRefused: string | null = null): string {
  const lines = [`  возвратов направлено в МИО: ${s.returns ?? 0} на сумму ${s.amount ?? '0.00'}`];
  for (const o of list<Summary>(s.orders)) {
    lines.push(`    платёжное поручение № ${o.number}: МИО ${o.mio_bin}, строк ${o.count}, сумма ${o.total}`);
  }
  for (const f of files) lines.push(`  файл ${f}`);
  if (filesRefused) lines.push(`  ${filesRefused}`);
  return lines.join('\n');
}

export function describeReconcile(s: Summary): string {
  return [
    `  актов сверки: ${s.acts ?? 0}, платёжных поручений МИО: ${s.transfers ?? 0}`,
    `  акт датирован ${s.act_date ?? '—'}; поступило ${s.received ?? '0.00'}, остаток средств МИО в Госкорпорации на конец периода ${s.closing ?? '0.00'}`,
    ...(Number(s.late ?? 0) > 0 ? [`  учтено фактов, датированных в уже закрытом периоде: ${s.late}`] : []),
  ].join('\n');
}

export function describeBankFees(s: Summary): string {
  return [
    `  МИО: ${s.mios ?? 0}, строк по банкам: ${s.banks ?? 0}`,
    `  перечислено ${s.transferred ?? '0.00'}, возвращено ${s.returned ?? '0.00'}, выплачено ${s.paid ?? '0.00'}`,
    `  комиссия банков к оплате МИО: ${s.fee ?? '0.00'}`,
  ].join('\n');
}

export function describeDeadlines(s: Summary, ruleText: Record<string, string> = {}): string {
  const lines = [
    `  сроков: ${s.items ?? 0}; соблюдено ${s.met ?? 0}, с опозданием ${s.met_late ?? 0}, ` +
      `в работе ${s.open ?? 0}, нарушено ${s.breached ?? 0}`,
  ];
  for (const [rule, n] of Object.entries((s.breached_by_rule as Record<string, number> | undefined) ?? {})) {
    lines.push(`    нарушено «${ruleText[rule] ?? rule}»: ${n}`);
  }
  // Four eyes: what waits for a second operator, so the morning's check says it.
  const awaiting = (s.awaiting_approval as { number: number; date: string; mio_bin: string; total: string }[] | undefined) ?? [];
  if (awaiting.length > 0) {
    lines.push(`  платёжные поручения ждут утверждения вторым сотрудником: ${awaiting.length} на сумму ${s.awaiting_approval_total}`);
    for (const o of awaiting) lines.push(`    № ${o.number} от ${o.date}, МИО ${o.mio_bin}: ${o.total} — payouts orders approve --date ${o.date}`);
  }
  return lines.join('\n');
}

export function registerCloseSteps(run: Command): void {
  run
    .command('refund-unsent')
    .description(
      'ГК: возвращённые банками суммы, не выплаченные повторно к последнему рабочему дню месяца, следующего за ' +
        'месяцем возврата, — платёжным поручением на счёт МИО (в нерабочий день запрещено); файлы pain.001 в --out',
    )
    .option('--dry-run', 'рассчитать и показать, ничего не записывая')
    .option('--out <dir>', 'папка для файлов платёжных поручений pain.001 (по умолчанию out/payment-orders)')
    .action(async (opts: { dryRun?: boolean; out?: string }, cmd: Command) =>
      withContext(cmd, async (ctx) => {
        // Each step loads when it runs, not for help or a usage error.
        const [{ refundUnsent }, { DEFAULT_ORDERS_DIR }] = await Promise.all([
          import('../../pipeline/steps/refund-unsent/index.ts'),
          import('../../pipeline/orders/files.ts'),
        ]);
        const outcome = await refundUnsent(ctx.db, {
          asOf: ctx.asOf,
          operator: ctx.operator,
          dryRun: !!opts.dryRun,
          outDir: opts.out ?? DEFAULT_ORDERS_DIR,
        });
        printStepOutcome(ctx, 'refund-unsent', ctx.asOf, outcome, (s) => 
          [
            describeRefundUnsent(s, outcome.files, outcome.filesRefused),
            ...pendingFilesText(outcome.pendingFiles, outcome.fileError, `payouts orders export --date ${ctx.asOf} --out ${opts.out ?? DEFAULT_ORDERS_DIR}`),
          ].join('\n'),
        );
      }),
    );

  run
    .command('reconcile')
    .description(
      'акт сверки (Приложение 3) по каждому МИО за отчётный период M (месяц оказания услуг): поступления после 25-го ' +
        'числа M по 25-е число M+1 и остаток средств в Госкорпорации; фиксирует акт. --as-of по умолчанию дата акта: ' +
        '25-е число M+1 или последний рабочий день до него',
    )
    .requiredOption('--month <YYYY-MM>', 'отчётный период (месяц оказания услуг)')
    .option('--dry-run', 'рассчитать и показать, ничего не записывая')
    .action(async (opts: { month: string; dryRun?: boolean }, cmd: Command) =>
      withContext(cmd, async (ctx) => {
        const month = monthOption(opts.month);
        const asOf = await monthStepAsOf(ctx, 'reconcile', month);
        const { reconcile } = await import('../../pipeline/steps/reconcile/index.ts');
        const outcome = await reconcile(ctx.db, { month, asOf, operator: ctx.operator, dryRun: !!opts.dryRun });
        printStepOutcome({ ...ctx, asOf }, 'reconcile', month, outcome, describeReconcile);
      }),
    );

  run
    .command('bank-fees')
    .description(
      'сведения по уполномоченным организациям (Приложение 4) и комиссия банков по тарифам за платежи месяца; ' +
        'фиксирует сведения. --as-of по умолчанию 25-е число следующего месяца',
    )
    .requiredOption('--month <YYYY-MM>', 'месяц платежей')
    .option('--dry-run', 'рассчитать и показать, ничего не записывая')
    .action(async (opts: { month: string; dryRun?: boolean }, cmd: Command) =>
      withContext(cmd, async (ctx) => {
        const month = monthOption(opts.month);
        const asOf = await monthStepAsOf(ctx, 'bank-fees', month);
        const { computeBankFees } = await import('../../pipeline/steps/bank-fees/index.ts');
        const outcome = await computeBankFees(ctx.db, { month, asOf, operator: ctx.operator, dryRun: !!opts.dryRun });
        printStepOutcome({ ...ctx, asOf }, 'bank-fees', month, outcome, describeBankFees);
      }),
    );

  run
    .command('check-deadlines')
    .description('проверка сроков (docs/deadlines.md) на дату --as-of: соблюдённые, в работе и нарушенные; сохраняется')
    .option('--dry-run', 'рассчитать и показать, ничего не записывая')
    .action(async (opts: { dryRun?: boolean }, cmd: Command) =>
      withContext(cmd, async (ctx) => {
        const [{ checkDeadlines }, { DEADLINE_RULE_TEXT }] = await Promise.all([
          import('../../pipeline/steps/check-deadlines/index.ts'),
          import('../../reports/forms/deadlines.ts'),
        ]);
        const outcome = await checkDeadlines(ctx.db, { asOf: ctx.asOf, operator: ctx.operator, dryRun: !!opts.dryRun });
        printStepOutcome(ctx, 'check-deadlines', ctx.asOf, outcome, (sum) => describeDeadlines(sum, DEADLINE_RULE_TEXT));
      }),
    );
}
