// `payouts run build-lists`, `payouts run form-demand`, `payouts run contributions` (the monthly cycle).
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../pipeline/kernel/errors.ts';
import { isValidIinBin } from '../../pipeline/kernel/identifiers.ts';
import { monthOption, withContext, type CliContext } from '../context.ts';
import { printStepOutcome } from '../step-output.ts';

interface MonthStepOptions {
  month: string;
  dryRun?: boolean;
}

/** A month step's as-of: the one given, else its own day of the month (the 14th, the 15th). */
function stepContext(ctx: CliContext, month: string, day: string): CliContext {
  return ctx.asOfGiven ? ctx : { ...ctx, asOf: `${month}-${day}` };
}

function describeLists(s: Record<string, unknown>): string {
  const lines = [
    `Списков: ${s.lists ?? 0}, строк: ${s.rows ?? 0}, отложено актов: ${s.held ?? 0}, уведомлено поставщиков: ${s.providers_notified ?? 0}`,
    `Гарантированная сумма ${s.guaranteed ?? '0.00'}, поставщикам ${s.provider_sum ?? '0.00'}, ` +
      `ОПВ ${s.opv ?? '0.00'}, ОСМС ${s.osms ?? '0.00'}, СО ${s.so ?? '0.00'}`,
  ];
  for (const m of (s.mios as Record<string, unknown>[] | undefined) ?? []) {
    lines.push(`  МИО ${m.mio_bin}: строк ${m.rows}, гарантированная сумма ${m.guaranteed}, поставщикам ${m.provider_sum}`);
  }
  if (Number(s.incorrect_bank_details ?? 0) > 0) {
    lines.push(`Внимание: строк с реквизитами, отмеченными банком как неверные: ${s.incorrect_bank_details}`);
  }
  return lines.join('\n');
}

function describeDemand(s: Record<string, unknown>): string {
  const lines = [
    `Потребностей: ${s.demands ?? 0}, строк: ${s.rows ?? 0} (повторно: ${s.redemanded ?? 0}), сумма ${s.amount ?? '0.00'}`,
    `Сформирована ${s.formed_on}; заявка МИО датирована ${s.request_on} (срок — ${s.request_due}); финансирование — до ${s.funding_due}`,
  ];
  for (const m of (s.mios as Record<string, unknown>[] | undefined) ?? []) {
    lines.push(`  МИО ${m.mio_bin}: ${m.amount} (${m.rows} строк)`);
  }
  return lines.join('\n');
}

export function registerCycleSteps(run: Command): void {
  run
    .command('build-lists')
    .description(
      'Е-Собес, 14-е число: списки (Приложение 1) по принятым и ещё не включённым актам с расчётом ОПВ/ОСМС/СО, ' +
        'уведомления поставщикам, сведения в ЦБД (Приложение 2). --as-of по умолчанию 14-е число месяца',
    )
    .requiredOption('--month <YYYY-MM>', 'месяц списка (месяц выплаты)')
    .option('--dry-run', 'рассчитать и показать, ничего не записывая')
    .action(async (opts: MonthStepOptions, cmd: Command) =>
      withContext(cmd, async (ctx) => {
        const month = monthOption(opts.month);
        const sctx = stepContext(ctx, month, '14');
        // Each step loads when it runs, not for help or a usage error.
        const { buildLists } = await import('../../pipeline/steps/build-lists/index.ts');
        const outcome = await buildLists(sctx.db, { month, asOf: sctx.asOf, operator: sctx.operator, dryRun: !!opts.dryRun });
        printStepOutcome(sctx, 'build-lists', month, outcome, describeLists);
      }),
    );

  run
    .command('form-demand')
    .description(
      'Госкорпорация, 15-е число: потребность по каждому МИО из ещё не востребованных строк списков ' +
        'и повторное финансирование возвращённых МИО сумм; заявка МИО. --as-of по умолчанию 15-е число месяца',
    )
    .requiredOption('--month <YYYY-MM>', 'месяц потребности')
    .option('--dry-run', 'рассчитать и показать, ничего не записывая')
    .action(async (opts: MonthStepOptions, cmd: Command) =>
      withContext(cmd, async (ctx) => {
        const month = monthOption(opts.month);
        const sctx = stepContext(ctx, month, '15');
        const { formDemand } = await import('../../pipeline/steps/form-demand/index.ts');
        const outcome = await formDemand(sctx.db, { month, asOf: sctx.asOf, operator: sctx.operator, dryRun: !!opts.dryRun });
        printStepOutcome(sctx, 'form-demand', month, outcome, describeDemand);
      }),
    );

  run
    .command('contributions')
    .description(
      'реестры взносов по спискам месяца на счета Госкорпорации: ОПВ (КНП 010), ВОСМС (КНП 122), СО (КНП 012) — ' +
        'по каждому МИО реестр лиц (CSV) и платёжное поручение ISO 20022 pain.001 (XML) в папку --out. ' +
        'Дата исполнения — --as-of, если задан, иначе дата формирования списка. Ничего не меняет в базе',
    )
    .requiredOption('--month <YYYY-MM>', 'месяц списка')
    .requiredOption('--out <dir>', 'папка для файлов')
    .option('--mio <bin>', 'только один МИО (БИН)')
    .action(async (opts: { month: string; out: string; mio?: string }, cmd: Command) =>
      withContext(cmd, async (ctx) => {
        const month = monthOption(opts.month);
        if (opts.mio && !isValidIinBin(opts.mio)) throw new UsageError(`Неверный БИН МИО «${opts.mio}»`);
        const [{ CONTRIBUTION_LABEL, contributionFileName, contributionPain001, contributionRegisters }, { writeCsvFile }, { requireDocumentRequisites }] =
          await Promise.all([
            import('../../pipeline/contributions.ts'),
            import('../../pipeline/kernel/csv.ts'),
            import('../../pipeline/requisites/index.ts'),
          ]);
        const site = await requireDocumentRequisites(ctx.db, 'Реестры и платёжные поручения взносов');
        const registers = await contributionRegisters(ctx.db, month, { mio: opts.mio, requisites: site });
        mkdirSync(opts.out, { recursive: true });
        const files: string[] = [];
        const lines: string[] = [];
        for (const r of registers) {
          const xmlFile = path.join(opts.out, contributionFileName(r, 'xml'));
          const csvFile = path.join(opts.out, contributionFileName(r, 'csv'));
          writeFileSync(xmlFile, contributionPain001(r, ctx.asOfGiven ? { executionDate: ctx.asOf } : {}), { mode: 0o600 });
          chmodSync(xmlFile, 0o600); // an older file keeps its mode through writeFileSync
          writeCsvFile(
            csvFile,
            ['iin', 'name', 'birth_date', 'period', 'amount'],
            r.persons.map((p) => [p.iin, p.name, p.birth_date ?? '', p.period, p.amount]),
          );
          files.push(xmlFile, csvFile);
          lines.push(
            `${CONTRIBUTION_LABEL[r.kind]} → ${r.receiver.name}, IBAN ${r.receiver.iban} (КНП ${r.knp}), МИО ${r.mio.bin}: ` +
              `${r.count} лиц, ${r.total} — ${xmlFile}, ${csvFile}`,
          );
        }
        if (site.sample && lines.length) lines.unshift('ОБРАЗЕЦ: реквизиты площадки не загружены, файлы построены по образцам из поставки и в банк не направляются.');
        ctx.print(lines.length ? lines.join('\n') : `Списков за ${month} с взносами нет; файлы не записаны.`, {
          month,
          sample: site.sample,
          registers: registers.map((r) => ({
            mio_bin: r.mio.bin,
            kind: r.kind,
            knp: r.knp,
            receiver_bin: r.receiver.bin,
            count: r.count,
            total: r.total,
          })),
          files,
        });
      }),
    );
}
