// `payouts schedule`, `worker`, `scheduler`, `enqueue`, `dashboard`, `status`, `demo`,
// `run nightly|monthly` (owner: the jobs work). Thin: parse, call jobs/, print.
import path from 'node:path';
import type { Command } from 'commander';
import type { DemoResult } from '../../jobs/demo/index.ts';
import { addDays } from '../../pipeline/kernel/dates.ts';
import { MonthRequired, UsageError } from '../../pipeline/kernel/errors.ts';
import { loadCalendar } from '../../pipeline/kernel/reference.ts';
import { Calendar } from '../../pipeline/kernel/calendar.ts';
import {
  dueOn,
  isStepName,
  manualItem,
  monthlyItems,
  plan,
  scheduledDate,
  STEP_ORDER,
  takesMonth,
  toScheduleJson,
  type PlanItem,
} from '../../jobs/planner.ts';
import type { ItemResult } from '../../jobs/runner.ts';
import { describeResult, itemLabel, plural, resultJson, textTable } from '../../jobs/describe.ts';
import { progressBar } from '../../jobs/progress.ts';
import { maskText, maskValue } from '../../pipeline/kernel/mask.ts';
import type { EnqueueOutcome, QueueSnapshot } from '../../jobs/queue.ts';
import {
  DEFAULT_DASHBOARD_PORT,
  DEFAULT_MAX_CATCH_UP_DAYS,
  queuePrefixFromEnv as queuePrefix,
  redisUrlFromEnv,
  requireRedisUrl,
} from '../../jobs/settings.ts';
import { dateOption, globals, monthOption, resolveAsOf, resolveOperator, withContext, type CliContext } from '../context.ts';

// The queue modules load BullMQ, express and node-cron: only the commands that use them load them.
// Likewise the steps (through the runner), the logger and the orders' files: help, a usage error
// and `schedule` load none of them.
const queueModule = () => import('../../jobs/queue.ts');
const runnerModule = () => import('../../jobs/runner.ts');
const loggerModule = () => import('../../pipeline/kernel/logger.ts');
const ordersDir = async (out: string | undefined) => out ?? (await import('../../pipeline/orders/files.ts')).DEFAULT_ORDERS_DIR;

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) <= 0) throw new UsageError(`${name}: ожидается целое положительное число, получено «${value}»`);
  return Number(value);
}

/** A PostgreSQL URL for the long-running processes: PGlite is one process's file, never shared. */
function requirePostgres(cmd: Command, command: string): void {
  if (!(globals(cmd).db || process.env.DATABASE_URL)) {
    throw new UsageError(
      `Команде ${command} нужен PostgreSQL (--db URL или DATABASE_URL): встроенная база PGlite принадлежит одному процессу ` +
        `и не может быть общей для обработчика, планировщика и команд. Без них шаги выполняет payouts run nightly.`,
    );
  }
}

/** Waits for SIGTERM or SIGINT, then runs `stop` once. */
function untilSignal(stop: (signal: string) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let stopping = false;
    const on = (signal: string) => {
      if (stopping) return;
      stopping = true;
      stop(signal).then(resolve, reject);
    };
    process.once('SIGTERM', () => on('SIGTERM'));
    process.once('SIGINT', () => on('SIGINT'));
  });
}

async function printResults(ctx: CliContext, title: string, results: ItemResult[], extra: Record<string, unknown>): Promise<number> {
  const { exitCodeOf } = await runnerModule();
  const code = exitCodeOf(results);
  const lines = results.length ? results.map((r) => `  ${describeResult(r)}`) : ['  нет шагов'];
  ctx.print([title, ...lines].join('\n'), { ...extra, items: results.map(resultJson), exit_code: code });
  return code;
}

async function runInProcess(ctx: CliContext, items: PlanItem[], dryRun: boolean, outDir?: string): Promise<ItemResult[]> {
  const { runItems } = await runnerModule();
  const bar = progressBar({ quiet: ctx.quiet, title: 'шаги' });
  bar.start(items.length, items[0] ? itemLabel(items[0]) : '');
  try {
    return await runItems(ctx.db, items, {
      operator: ctx.operator,
      dryRun,
      outDir,
      onStart: (it, i) => bar.update(i, itemLabel(it)),
      onResult: (_r, i, total) => bar.update(Math.min(i + 1, total), ''),
    });
  } finally {
    bar.stop();
  }
}

function describeEnqueued(it: PlanItem, o: EnqueueOutcome): string {
  switch (o.outcome) {
    case 'added':
      return `  ${itemLabel(it)}: поставлен в очередь (${o.jobId})`;
    case 'retried':
      return `  ${itemLabel(it)}: завершался ошибкой, поставлен повторно (${o.jobId})`;
    default:
      return `  ${itemLabel(it)}: уже в очереди (${o.jobId}, состояние ${o.state}), второй раз не ставится`;
  }
}

const STATUS_RU: Record<string, string> = {
  done: 'выполнено',
  'already-done': 'уже было выполнено',
  'dry-run': 'пробно',
  refused: 'отказ',
  skipped: 'пропущено',
  failed: 'ошибка',
  'not-due': 'срок не наступил',
};

const DEADLINE_RU: Record<string, string> = {
  met: 'соблюдено',
  met_late: 'исполнено с опозданием',
  open: 'срок не истёк',
  breached: 'НАРУШЕНО',
};

function describeDemo(r: DemoResult): string {
  const rel = (p: string) => path.relative(process.cwd(), p) || '.';
  const count = <T,>(xs: T[], key: (x: T) => string) => {
    const m = new Map<string, number>();
    for (const x of xs) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
    return [...m].map(([k, n]) => `${k} ${n}`).join(', ');
  };
  const lines = [
    `Демонстрация цикла выплат: ${r.days} ${plural(r.days, 'день', 'дня', 'дней')} с ${r.from} по ${r.to} по расписанию (payouts schedule), ` +
      `новая встроенная база ${rel(r.db_dir)}, ${(r.elapsed_ms / 1000).toFixed(1)} с.`,
    '',
    `Входные файлы (МИО, банк и поставщик смоделированы; их файлы в ${path.join(rel(r.out_dir), 'inputs')}):`,
    textTable(
      ['Дата', 'Вид', 'Файл', 'Принято', 'Отклонено'],
      r.imports.map((i) => [i.date, i.kind, i.file, i.accepted, i.rejected]),
    ),
    '',
    `Шаги по расписанию: ${r.steps.length} ${plural(r.steps.length, 'запуск', 'запуска', 'запусков')} — ${count(r.steps, (s) => STATUS_RU[s.status] ?? s.status)} ` +
      `(${count(r.steps, (s) => s.item.step)}).`,
    '',
    'Списки (14-го) и потребность (15-го) по месяцу выплаты и МИО:',
    textTable(
      ['Месяц', 'МИО', 'Строк', 'Гарант. сумма', 'Поставщикам', 'ОПВ', 'ОСМС', 'СО', 'Потребность'],
      r.months.map((m) => [m.month, m.mio_bin, m.list_rows, m.guaranteed, m.provider_sum, m.opv, m.osms, m.so, m.demand]),
    ),
    '',
    'Деньги ГК за календарный месяц, комиссии банков (приложение 4) и остаток по акту сверки (приложение 3):',
    textTable(
      ['Месяц', 'МИО', 'Получено', 'Выплат', 'Выплачено', 'Возвр. банками', 'Повторно', 'Возвр. МИО', 'Комиссия', 'Остаток у ГК'],
      r.months.map((m) => [m.month, m.mio_bin, m.received, m.paid_count, m.paid, m.returned, m.repaid, m.sent_back, m.bank_fee, m.closing ?? '—']),
    ),
    '',
    `Сроки (docs/deadlines.md) на ${r.to}: ${Object.entries(r.deadlines.counts).map(([k, n]) => `${DEADLINE_RU[k] ?? k} ${n}`).join(', ') || 'нет'}.`,
    ...r.deadlines.not_met.map((d) => `  ${d.text}`),
    `Профинансировано, но не выплачено: ${
      r.open.unpaid_funded.map((u) => `МИО ${u.mio_bin} — ${u.rows} на ${u.amount} (с ${u.oldest_funded_on})`).join('; ') || 'нет'
    }. Возвраты без новых реквизитов: ${
      r.open.pending_returns.map((p) => `МИО ${p.mio_bin} — ${p.returns} на ${p.amount}`).join('; ') || 'нет'
    }. Открытые потребности: ${r.open.open_demands.map((d) => `МИО ${d.mio_bin} ${d.month} — ${d.open}`).join('; ') || 'нет'}.`,
    '',
    `Платёжных поручений ${r.totals.payment_orders} (строк ${r.totals.payment_lines}), возвратов ${r.totals.returns}, запусков шагов ${r.totals.step_runs}.`,
    `Главная книга: ${r.totals.ledger_balanced ? 'сбалансирована' : 'НЕ СБАЛАНСИРОВАНА'} (оборот ${r.totals.ledger_debit}).`,
    `Отчёты: ${r.files.length} файлов в ${rel(r.out_dir)} (${count(r.files, (f) => f.format)}); платёжные поручения pain.001 — ` +
      `${path.join(rel(r.out_dir), 'payment-orders')}.`,
  ];
  if (r.approvals.length) lines.push('', 'Утверждение платёжных поручений вторым сотрудником:', ...r.approvals.map((n) => `  ${n}`));
  if (r.notes.length) lines.push('', 'Замечания:', ...r.notes.map((n) => `  ${n}`));
  if (r.exit_code) lines.push('', 'Демонстрация завершилась с ошибками (см. замечания).');
  return lines.join('\n');
}

export function registerJobs(program: Command, run: Command): void {
  program
    .command('schedule')
    .description('какой шаг в какой день (календарь рабочих дней РК, Asia/Almaty)')
    .option('--from <date>', 'с даты ГГГГ-ММ-ДД (по умолчанию --as-of)')
    .option('--to <date>', 'по дату ГГГГ-ММ-ДД (по умолчанию через 30 дней)')
    .action(async (opts: { from?: string; to?: string }, cmd: Command) =>
      withContext(cmd, async (ctx) => {
        for (const [name, v] of [['--from', opts.from], ['--to', opts.to]] as const) {
          if (v !== undefined) dateOption(name, v);
        }
        const from = opts.from ?? ctx.asOf;
        const to = opts.to ?? addDays(from, 30);
        if (to < from) throw new UsageError(`--to ${to} раньше --from ${from}`);
        let items: PlanItem[];
        try {
          // The plan needs no database: the working-day calendar is read from the reference
          // files that `db migrate` loads (the command works on a fresh clone).
          const { readReferenceFiles } = await import('../../pipeline/kernel/reference-files.ts');
          items = plan(new Calendar(readReferenceFiles().calendars), from, to);
        } catch (err) {
          if (err instanceof RangeError) throw new UsageError(`Слишком длинный период: не больше трёх лет за один раз`);
          throw err;
        }
        const human = items.length
          ? items.map((it) => `${it.date}  ${it.step.padEnd(15)} ${it.month ?? ''}`.trimEnd()).join('\n')
          : 'В этом периоде шагов нет.';
        ctx.print(`Расписание с ${from} по ${to}:\n${human}`, { from, to, items: items.map(toScheduleJson) });
      }),
    );

  run
    .command('nightly')
    .description(
      'шаги, положенные на --as-of по расписанию, в порядке расписания; без REDIS_URL — в этом процессе, с REDIS_URL — в очередь',
    )
    .option('--dry-run', 'вычислить и показать, ничего не записывать (всегда в этом процессе)')
    .option('--in-process', 'выполнить в этом процессе даже при заданном REDIS_URL')
    .option('--out <dir>', 'куда писать файлы pain.001 платёжных поручений (по умолчанию out/payment-orders)')
    .action(async (opts: { dryRun?: boolean; inProcess?: boolean; out?: string }, cmd: Command) =>
      withContext(cmd, async (ctx) => {
        const items = dueOn(await loadCalendar(ctx.db), ctx.asOf);
        const url = redisUrlFromEnv();
        if (url && !opts.dryRun && !opts.inProcess) {
          const { enqueueItem, openQueue } = await queueModule();
          const queue = openQueue({ url, prefix: queuePrefix() });
          try {
            const outcomes: EnqueueOutcome[] = [];
            for (const it of items) outcomes.push(await enqueueItem(queue, it, { operator: ctx.operator, source: 'nightly' }));
            ctx.print(
              [`Шаги на ${ctx.asOf} поставлены в очередь:`, ...(items.length ? items.map((it, i) => describeEnqueued(it, outcomes[i])) : ['  нет шагов'])].join('\n'),
              { as_of: ctx.asOf, mode: 'queue', jobs: outcomes.map((o, i) => ({ ...toScheduleJson(items[i]), job_id: o.jobId, outcome: o.outcome })) },
            );
          } finally {
            await queue.close();
          }
          return 0;
        }
        const results = await runInProcess(ctx, items, !!opts.dryRun, await ordersDir(opts.out));
        return printResults(ctx, `Ночной запуск на ${ctx.asOf}${opts.dryRun ? ' (пробный)' : ''}:`, results, {
          as_of: ctx.asOf,
          mode: 'in-process',
          dry_run: !!opts.dryRun,
        });
      }),
    );

  run
    .command('monthly')
    .description(
      'месячные шаги: build-lists за M (14-го), form-demand за M (15-го), reconcile за M−1 (в дату акта сверки: 25-е или последний рабочий день до него), bank-fees за M−1 (25-го), каждый на свою дату; ' +
        'шаги с датой позже --as-of не выполняются',
    )
    .requiredOption('--month <YYYY-MM>', 'месяц выплаты M')
    .option('--dry-run', 'вычислить и показать, ничего не записывать')
    .action(async (opts: { month: string; dryRun?: boolean }, cmd: Command) =>
      withContext(cmd, async (ctx) => {
        monthOption(opts.month);
        const all = monthlyItems(opts.month, await loadCalendar(ctx.db));
        const due = all.filter((it) => it.date <= ctx.asOf);
        const ran = await runInProcess(ctx, due, !!opts.dryRun);
        const notDue: ItemResult[] = all
          .filter((it) => it.date > ctx.asOf)
          .map((it) => ({ item: it, status: 'not-due', message: `запланирован на ${it.date}, позже рабочей даты ${ctx.asOf}` }));
        return printResults(ctx, `Месячные шаги за ${opts.month}${opts.dryRun ? ' (пробный запуск)' : ''}:`, [...ran, ...notDue], {
          month: opts.month,
          as_of: ctx.asOf,
          dry_run: !!opts.dryRun,
        });
      }),
    );

  program
    .command('enqueue')
    .argument('<step>', `шаг: ${STEP_ORDER.join(', ')}`)
    .description('поставить один шаг в очередь BullMQ вручную (id задания step@ключ; упавшее задание ставится повторно)')
    .option('--month <YYYY-MM>', 'месяц (для build-lists, form-demand, reconcile, bank-fees)')
    .action(async (step: string, opts: { month?: string }, cmd: Command) => {
      if (!isStepName(step)) throw new UsageError(`Неизвестный шаг «${step}». Доступны: ${STEP_ORDER.join(', ')}`);
      const g = globals(cmd);
      const asOfGiven = g.asOf !== undefined;
      let asOf = resolveAsOf(g);
      if (takesMonth(step)) {
        if (!opts.month) throw new MonthRequired(`Для шага ${step} укажите --month ГГГГ-ММ`);
        monthOption(opts.month);
        // The shipped calendar files: enqueue needs no database.
        if (!asOfGiven) asOf = scheduledDate(step, opts.month, Calendar.fromReferenceFiles());
      } else if (opts.month) {
        throw new UsageError(`Шаг ${step} выполняется на дату: укажите --as-of ГГГГ-ММ-ДД, а не --month`);
      }
      const it = manualItem(step, { month: opts.month, asOf });
      const { enqueueItem, openQueue } = await queueModule();
      const queue = openQueue({ url: requireRedisUrl('enqueue'), prefix: queuePrefix() });
      try {
        const o = await enqueueItem(queue, it, { operator: resolveOperator(g), source: 'enqueue', retryFailed: true });
        const line = describeEnqueued(it, o).trim();
        if (g.json) process.stdout.write(`${JSON.stringify({ ...toScheduleJson(it), key: it.key, job_id: o.jobId, outcome: o.outcome, ...(o.outcome === 'exists' ? { state: o.state } : {}) }, null, 2)}\n`);
        else process.stdout.write(`${line}\n`);
      } finally {
        await queue.close();
      }
    });

  program
    .command('worker')
    .description('обработчик очереди BullMQ (нужны REDIS_URL и PostgreSQL); по SIGTERM доделывает текущий шаг и завершается')
    .option('--lock-duration <ms>', 'срок блокировки задания, мс', '60000')
    .option('--stalled-interval <ms>', 'как часто искать задания упавших обработчиков, мс', '30000')
    .option('--out <dir>', 'куда писать файлы pain.001 платёжных поручений (по умолчанию out/payment-orders)')
    .action(async (opts: { lockDuration: string; stalledInterval: string; out?: string }, cmd: Command) => {
      const url = requireRedisUrl('worker');
      requirePostgres(cmd, 'worker');
      const lockDuration = positiveInt('--lock-duration', opts.lockDuration, 60_000);
      const stalledInterval = positiveInt('--stalled-interval', opts.stalledInterval, 30_000);
      const { startWorker } = await import('../../jobs/worker.ts');
      const { logger } = await loggerModule();
      const outDir = await ordersDir(opts.out);
      await withContext(cmd, async (ctx) => {
        const log = logger().child({ role: 'worker' });
        const w = await startWorker({ url, prefix: queuePrefix(), db: ctx.db, logger: log, lockDuration, stalledInterval, outDir });
        log.info({ lockDuration, stalledInterval }, 'worker started');
        if (!ctx.json) process.stdout.write('Обработчик очереди запущен. Остановка: SIGTERM (доделает текущий шаг).\n');
        await untilSignal(async (signal) => {
          log.info({ signal }, 'stopping after the current job');
          await w.close();
          log.info('worker stopped');
        });
      }, { progress: false });
    });

  program
    .command('scheduler')
    .description('планировщик: каждую ночь в 01:00 (Asia/Almaty) ставит в очередь шаги закрывшегося дня; пропущенные ночи догоняет при запуске')
    .option('--max-catch-up-days <n>', 'сколько пропущенных дней догонять без вмешательства человека', String(DEFAULT_MAX_CATCH_UP_DAYS))
    .action(async (opts: { maxCatchUpDays: string }, cmd: Command) => {
      const url = requireRedisUrl('scheduler');
      requirePostgres(cmd, 'scheduler');
      const maxCatchUpDays = positiveInt('--max-catch-up-days', opts.maxCatchUpDays, DEFAULT_MAX_CATCH_UP_DAYS);
      const { startScheduler } = await import('../../jobs/scheduler.ts');
      const { logger } = await loggerModule();
      const { openQueue } = await queueModule();
      await withContext(cmd, async (ctx) => {
        const log = logger().child({ role: 'scheduler' });
        const queue = openQueue({ url, prefix: queuePrefix() });
        try {
          const s = await startScheduler({ db: ctx.db, queue, operator: `${ctx.operator} (scheduler)`, logger: log, maxCatchUpDays });
          log.info({ caughtUp: s.caughtUp.map((t) => t.date) }, 'scheduler started');
          if (!ctx.json) {
            const caught = s.caughtUp.length ? `догнаны дни: ${s.caughtUp.map((t) => t.date).join(', ')}` : 'пропущенных дней нет';
            process.stdout.write(`Планировщик запущен (01:00 Asia/Almaty); ${caught}.\n`);
          }
          await untilSignal(async (signal) => {
            log.info({ signal }, 'scheduler stopping');
            await s.stop();
          });
        } finally {
          await queue.close();
        }
      }, { progress: false });
    });

  program
    .command('dashboard')
    .description('bull-board на 127.0.0.1 для дежурного инженера (нужен REDIS_URL)')
    .option('--port <n>', 'порт', String(DEFAULT_DASHBOARD_PORT))
    .option('--read-only', 'только просмотр, без повтора и удаления заданий')
    .action(async (opts: { port: string; readOnly?: boolean }, cmd: Command) => {
      const url = requireRedisUrl('dashboard');
      const port = /^\d+$/.test(opts.port) && Number(opts.port) < 65536 ? Number(opts.port) : NaN;
      if (Number.isNaN(port)) throw new UsageError(`--port: ожидается номер порта, получено «${opts.port}»`);
      const { startDashboard } = await import('../../jobs/dashboard.ts');
      const { logger } = await loggerModule();
      const d = await startDashboard({ url, prefix: queuePrefix(), port, readOnly: !!opts.readOnly });
      const log = logger().child({ role: 'dashboard' });
      log.info({ url: d.url }, 'dashboard started');
      process.stdout.write(globals(cmd).json ? `${JSON.stringify({ url: d.url })}\n` : `Панель очереди: ${d.url}\n`);
      await untilSignal(async () => d.close());
    });

  program
    .command('status')
    .description('последние запуски, открытые потребности, профинансированные невыплаченные строки, ожидающие возвраты, очередь')
    .action(async (_opts, cmd: Command) =>
      withContext(cmd, async (ctx) => {
        const { dbStatus, describeStatusSummary, almatyDateTime, STEP_WORDS, JOB_STATE_WORDS } = await import('../../jobs/status.ts');
        const s = await dbStatus(ctx.db);
        const url = redisUrlFromEnv();
        let queueDoc: QueueSnapshot | null = null;
        if (url) {
          const { openQueue, snapshot } = await queueModule();
          const queue = openQueue({ url, prefix: queuePrefix() });
          try {
            queueDoc = await snapshot(queue);
          } finally {
            await queue.close();
          }
        }
        const lines: string[] = [];
        if (queueDoc) {
          const c = queueDoc.counts;
          lines.push(
            `Очередь: ожидают ${c.waiting + c.prioritized}, выполняются ${c.active}, отложены ${c.delayed}, с ошибкой ${c.failed}, выполнено ${c.completed}`,
          );
          for (const j of queueDoc.jobs) {
            const when = j.finishedOn ? `, ${almatyDateTime(j.finishedOn)}` : '';
            lines.push(
              `  ${STEP_WORDS[j.step] ?? j.step} (${j.id}) — ${JOB_STATE_WORDS[j.state] ?? j.state}${when}` +
                `${j.attempts ? `, попыток ${j.attempts}` : ''}${j.reason ? `: ${j.reason}` : ''}`,
            );
          }
        } else {
          lines.push('Очередь: REDIS_URL не задан, шаги выполняются в процессе (payouts run nightly).');
        }
        lines.push('Последние запуски шагов:');
        if (!s.recent_runs.length) lines.push('  нет');
        for (const r of s.recent_runs) {
          lines.push(
            `  ${STEP_WORDS[r.step] ?? r.step} (${r.step}) за ${r.key}: рабочая дата ${r.as_of}, выполнен ${almatyDateTime(r.created_at)} ` +
              `(Asia/Almaty), оператор ${r.operator}; ${describeStatusSummary(r.summary)}`,
          );
        }
        lines.push('Открытые потребности (не профинансированы полностью):');
        if (!s.open_demands.length) lines.push('  нет');
        for (const d of s.open_demands) {
          lines.push(`  МИО ${d.mio_bin}, ${d.month}: потребность ${d.amount}, профинансировано ${d.funded}, остаток ${d.open}, срок финансирования ${d.funding_due}`);
        }
        lines.push('Профинансированные, но не выплаченные строки:');
        if (!s.unpaid_funded.length) lines.push('  нет');
        for (const u of s.unpaid_funded) lines.push(`  МИО ${u.mio_bin}: ${u.rows} строк на ${u.amount}, самая ранняя профинансирована ${u.oldest_funded_on}`);
        lines.push('Возвраты, ожидающие новых реквизитов или возврата МИО:');
        if (!s.pending_returns.length) lines.push('  нет');
        for (const p of s.pending_returns) lines.push(`  МИО ${p.mio_bin}: ${p.returns} на ${p.amount}, самый ранний ${p.oldest_returned_on}`);
        lines.push('Платёжные поручения, ожидающие утверждения вторым сотрудником:');
        if (!s.awaiting_approval.length) lines.push('  нет');
        for (const o of s.awaiting_approval) {
          lines.push(`  № ${o.number} от ${o.date}: МИО ${o.mio_bin}, банк ${o.bik}, строк ${o.count}, сумма ${o.total}, подготовил ${o.prepared_by} — payouts orders approve --date ${o.date}`);
        }
        ctx.print(maskText(lines.join('\n')), maskValue({ queue: queueDoc, ...s }));
      }),
    );

  program
    .command('demo')
    .description('полный цикл за два месяца на встроенных данных в новой встроенной базе (var/demo), отчёты в ./out/demo')
    .option('--out <dir>', 'папка для отчётов, платёжных поручений и смоделированных входных файлов (очищается)', 'out/demo')
    .action(async (opts: { out: string }, cmd: Command) => {
      const g = globals(cmd);
      if (g.db) throw new UsageError('Демонстрация всегда работает на своей встроенной базе var/demo (создаётся заново); --db не используется');
      const { runDemo } = await import('../../jobs/demo/index.ts');
      const bar = progressBar({ quiet: g.quiet, title: 'демонстрация, день' });
      let started = false;
      let result: DemoResult;
      try {
        result = await runDemo({
          outDir: opts.out,
          operator: resolveOperator(g),
          onDay: (date, i, total) => {
            if (!started) bar.start(total, date);
            started = true;
            bar.update(i, date);
          },
        });
      } finally {
        bar.stop();
      }
      if (g.json) process.stdout.write(`${JSON.stringify({ ...result, steps: result.steps.map(resultJson) }, null, 2)}\n`);
      else process.stdout.write(`${describeDemo(result)}\n`);
      if (result.exit_code) process.exitCode = result.exit_code;
    });
}
