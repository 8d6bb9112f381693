// `payouts orders show|approve|reject|export` (four eyes, issue 16): the second operator sees the
// orders `pay` prepared, approves them (the pain.001 files are written) or rejects them (their
// rows are paid again later); `export` (re)writes the files of approved orders.
import type { Command } from 'commander';
import type { OrderSelection, OrderView } from '../../pipeline/orders/approval.ts';
import { UsageError } from '../../pipeline/kernel/errors.ts';

// The pipeline loads when a command runs, not for help or a usage error.
const approval = () => import('../../pipeline/orders/approval.ts');
/** Where the pain.001 files go unless --out says otherwise (pipeline/orders/files.ts DEFAULT_ORDERS_DIR). */
const DEFAULT_ORDERS_DIR = 'out/payment-orders';
import { dateOption, withContext } from '../context.ts';
import { pendingFilesText } from '../step-output.ts';

interface SelectionOpts {
  date: string;
  mio?: string;
  order?: string;
}

const STATE: Record<OrderView['state'], string> = {
  prepared: 'ожидает утверждения',
  approved: 'утверждено',
  rejected: 'отклонено',
};

function selection(opts: SelectionOpts): OrderSelection {
  const date = dateOption('--date', opts.date);
  let number: number | undefined;
  if (opts.order !== undefined) {
    if (!/^[1-9][0-9]{0,8}$/.test(opts.order)) throw new UsageError(`Неверный номер поручения --order «${opts.order}»: ожидается целое число больше нуля`);
    number = Number(opts.order);
  }
  if (opts.mio !== undefined && !/^[0-9]{12}$/.test(opts.mio)) throw new UsageError(`Неверный БИН МИО --mio «${opts.mio}»: ожидается 12 цифр`);
  return { date, mioBin: opts.mio, number };
}

function orderLine(o: OrderView): string {
  const who =
    o.state === 'prepared'
      ? `подготовил ${o.prepared_by}`
      : `подготовил ${o.prepared_by}, ${o.state === 'approved' ? 'утвердил' : 'отклонил'} ${o.decided_by} ${o.decided_on}`;
  return `    № ${o.number} от ${o.date}: МИО ${o.mio_bin}, банк ${o.bik}, строк ${o.count}, сумма ${o.total} — ${STATE[o.state]} (${who})${o.reason ? `; причина: ${o.reason}` : ''}`;
}

export function registerOrders(program: Command): void {
  const orders = program
    .command('orders')
    .description('«четыре глаза»: pay готовит платёжные поручения, другой сотрудник утверждает (файлы для банка) или отклоняет');

  const withSelection = (c: Command) =>
    c
      .requiredOption('--date <YYYY-MM-DD>', 'дата платёжных поручений')
      .option('--mio <BIN>', 'только поручения этого МИО')
      .option('--order <N>', 'только поручение с этим номером');

  withSelection(orders.command('show').description('поручения за дату: состояние, строки, итоги ожидающих утверждения по МИО и банкам')).action(
    async (opts: SelectionOpts, cmd: Command) =>
      withContext(cmd, async (ctx) => {
        const shown = await (await approval()).showOrders(ctx.db, selection(opts));
        const lines = [`Платёжные поручения от ${shown.date}: ${shown.orders.length}`];
        for (const o of shown.orders) {
          lines.push(orderLine(o));
          for (const l of o.lines) {
            const marks = [l.new_details ? 'НОВЫЕ РЕКВИЗИТЫ с прошлой выплаты' : '', l.returned_before ? 'ранее был возврат банком' : ''].filter(Boolean);
            lines.push(
              `      ${l.ref} ${l.provider_id} ${l.provider_name}: ${l.bik} ${l.iban}, ${l.service_month}, ${l.amount}${marks.length ? ` — ${marks.join('; ')}` : ''}`,
            );
          }
        }
        if (shown.awaiting.length > 0) {
          lines.push('  Ожидают утверждения (по МИО и банкам):');
          for (const a of shown.awaiting) lines.push(`    МИО ${a.mio_bin}, банк ${a.bik}: поручений ${a.orders}, строк ${a.lines}, сумма ${a.total}`);
          lines.push(`  Утвердить: payouts orders approve --date ${shown.date} --operator ДРУГОЙ_СОТРУДНИК`);
        }
        ctx.print(lines.join('\n'), shown);
      }),
  );

  withSelection(orders.command('approve').description('утвердить подготовленные поручения (другим сотрудником, не тем, кто запускал pay) и записать файлы pain.001'))
    .option('--out <dir>', 'папка для файлов платёжных поручений pain.001', DEFAULT_ORDERS_DIR)
    .action(async (opts: SelectionOpts & { out: string }, cmd: Command) =>
      withContext(cmd, async (ctx) => {
        const sel = selection(opts);
        const r = await (await approval()).approveOrders(ctx.db, { ...sel, asOf: ctx.asOf, operator: ctx.operator, outDir: opts.out });
        const lines = [
          r.approved.length > 0
            ? `Утверждено платёжных поручений от ${r.date}: ${r.approved.length} (оператор ${ctx.operator}, дата ${ctx.asOf})`
            : `Новых поручений к утверждению от ${r.date} нет; ничего не изменено.`,
          ...r.approved.map(orderLine),
          ...(r.already.length > 0 ? [`  утверждены ранее: ${r.already.map((o) => `№ ${o.number}`).join(', ')}`] : []),
          ...r.files.map((f) => `  файл ${f}`),
          ...(r.filesRefused ? [`  ${r.filesRefused}`] : []),
          ...pendingFilesText(r.pendingFiles, r.fileError, `payouts orders export --date ${r.date} --out ${opts.out}`),
        ];
        ctx.print(lines.join('\n'), {
          // As a step reports itself: 'done' when this command approved orders, 'already-done' when there was nothing new.
          status: r.approved.length > 0 ? 'done' : 'already-done',
          date: r.date,
          approved: r.approved,
          already: r.already,
          files: r.files,
          pending_files: r.pendingFiles,
          files_refused: r.filesRefused,
          ...(r.pendingFiles.length ? { export_command: `payouts orders export --date ${r.date} --out ${opts.out}` } : {}),
        });
      }),
    );

  withSelection(orders.command('reject').description('отклонить подготовленные поручения: их строки будут оплачены заново следующим pay'))
    .requiredOption('--reason <text>', 'причина отклонения')
    .action(async (opts: SelectionOpts & { reason: string }, cmd: Command) =>
      withContext(cmd, async (ctx) => {
        const r = await (await approval()).rejectOrders(ctx.db, { ...selection(opts), asOf: ctx.asOf, operator: ctx.operator, reason: opts.reason });
        ctx.print(
          [
            `Отклонено платёжных поручений от ${r.date}: ${r.rejected.length}, строк ${r.lines}, сумма ${r.amount}. Причина: ${opts.reason.trim()}`,
            ...r.rejected.map(orderLine),
            '  Номера поручений сохранены (отклонённые); строки будут оплачены следующим запуском pay.',
          ].join('\n'),
          r,
        );
      }),
    );

  orders
    .command('export')
    .description('(пере)записать файлы pain.001 утверждённых поручений за дату; идемпотентно (после сбоя записи файлов)')
    .requiredOption('--date <YYYY-MM-DD>', 'дата платёжных поручений')
    .option('--mio <BIN>', 'только поручения этого МИО')
    .option('--order <N>', 'только поручение с этим номером')
    .option('--out <dir>', 'папка для файлов платёжных поручений pain.001', DEFAULT_ORDERS_DIR)
    .action(async (opts: SelectionOpts & { out: string }, cmd: Command) =>
      withContext(cmd, async (ctx) => {
        const r = await (await approval()).exportOrders(ctx.db, { ...selection(opts), outDir: opts.out });
        ctx.print(
          [`Файлы утверждённых платёжных поручений от ${r.date}: ${r.files.length}`, ...r.files.map((f) => `  файл ${f}`)].join('\n'),
          { date: r.date, orders: r.orders.map((o) => o.number), files: r.files },
        );
      }),
    );
}
