// `payouts reconcile sign --month M --mio BIN [--signed-on D] [--copies-received-on D]`: records
// ГК's signature of the reconciliation act and the МИО's two signed paper copies
// (pipeline/steps/reconcile/sign.ts). Exit 0 recorded or unchanged, 2 bad options, 4 refused.
import type { Command } from 'commander';
import { signAct, type SignResult } from '../../pipeline/steps/reconcile/sign.ts';
import { dateOption, monthOption, withContext } from '../context.ts';

export function describeSign(r: SignResult): string {
  const lines = [`Акт сверки за отчётный период ${r.month} (от ${r.act_date}), МИО ${r.mio_bin}:`];
  if (r.recorded.length === 0) lines.push('  уже записано: ничего не изменено');
  lines.push(`  подписан Госкорпорацией: ${r.signed_on ?? 'нет'}`);
  lines.push(`  два подписанных экземпляра от МИО получены: ${r.copies_received_on ?? 'нет'}`);
  return lines.join('\n');
}

export function registerReconcile(program: Command): void {
  const reconcile = program.command('reconcile').description('акт сверки: отметки о подписании');
  reconcile
    .command('sign')
    .description(
      'записывает подписание акта сверки Госкорпорацией (--signed-on, срок — 25-е число месяца после отчётного периода) ' +
        'и получение двух подписанных экземпляров от МИО (--copies-received-on, срок — 10-е число следующего месяца)',
    )
    .requiredOption('--month <YYYY-MM>', 'отчётный период акта (месяц оказания услуг)')
    .requiredOption('--mio <BIN>', 'БИН МИО')
    .option('--signed-on <date>', 'дата подписания акта Госкорпорацией ГГГГ-ММ-ДД')
    .option('--copies-received-on <date>', 'дата получения двух подписанных экземпляров от МИО ГГГГ-ММ-ДД')
    .action(async (opts: { month: string; mio: string; signedOn?: string; copiesReceivedOn?: string }, cmd: Command) =>
      withContext(cmd, async (ctx) => {
        const result = await signAct(ctx.db, {
          month: monthOption(opts.month),
          mioBin: opts.mio,
          signedOn: opts.signedOn === undefined ? undefined : dateOption('--signed-on', opts.signedOn),
          copiesReceivedOn: opts.copiesReceivedOn === undefined ? undefined : dateOption('--copies-received-on', opts.copiesReceivedOn),
          asOf: ctx.asOf,
          operator: ctx.operator,
        });
        ctx.print(describeSign(result), result);
      }),
    );
}
