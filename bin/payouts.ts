// The payouts CLI: parse, call a pipeline step or a report, print. No business rules here.
import { Command, CommanderError } from 'commander';
import { isConnectionFailure, PayoutsError, unusableDatabaseMessage } from '../pipeline/kernel/errors.ts';
import type { Command as CommandType } from 'commander';
import { russianCommander } from './usage-ru.ts';
import { maskText } from '../pipeline/kernel/mask.ts';

// Each command module pulls in its part of the pipeline (and exceljs, pdfmake, bullmq…), which
// costs seconds of start-up. Only the module of the command being run is loaded; help and an
// unknown command load them all.
type Loader = (program: CommandType, run: CommandType) => Promise<void>;
const loaders: Record<string, Loader> = {
  db: async (p) => (await import('./commands/db.ts')).registerDb(p),
  import: async (p) => (await import('./commands/import.ts')).registerImport(p),
  report: async (p) => (await import('./commands/report.ts')).registerReport(p),
  cycle: async (_p, r) => (await import('./commands/run-cycle.ts')).registerCycleSteps(r),
  pay: async (_p, r) => (await import('./commands/run-pay.ts')).registerPaySteps(r),
  close: async (_p, r) => (await import('./commands/run-close.ts')).registerCloseSteps(r),
  jobs: async (p, r) => (await import('./commands/jobs.ts')).registerJobs(p, r),
  reconcile: async (p) => (await import('./commands/reconcile.ts')).registerReconcile(p),
  orders: async (p) => (await import('./commands/orders.ts')).registerOrders(p),
};
const RUN_STEPS: Record<string, string> = {
  'build-lists': 'cycle',
  'form-demand': 'cycle',
  contributions: 'cycle',
  pay: 'pay',
  'refund-unsent': 'close',
  reconcile: 'close',
  'bank-fees': 'close',
  'check-deadlines': 'close',
  nightly: 'jobs',
  monthly: 'jobs',
};

const TOP_LEVEL: Record<string, string> = {
  db: 'db',
  orders: 'orders',
  import: 'import',
  report: 'report',
  schedule: 'jobs',
  worker: 'jobs',
  scheduler: 'jobs',
  enqueue: 'jobs',
  dashboard: 'jobs',
  status: 'jobs',
  demo: 'jobs',
  reconcile: 'reconcile',
};

/** The loaders the command line needs: the first two words that are not options decide. */
function loadersFor(argv: string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length && words.length < 2; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') return Object.keys(loaders);
    if (a.startsWith('-')) {
      if (['--db', '--as-of', '--operator'].includes(a)) i++;
      continue;
    }
    words.push(a);
  }
  const [cmd, sub] = words;
  if (cmd === 'run') return sub && RUN_STEPS[sub] ? [RUN_STEPS[sub]] : ['cycle', 'pay', 'close', 'jobs'];
  if (cmd && TOP_LEVEL[cmd]) return [TOP_LEVEL[cmd]];
  return Object.keys(loaders);
}

const program = russianCommander(new Command());
program
  .name('payouts')
  .description(
    'Возмещение стоимости услуг индивидуального помощника через Госкорпорацию:\n' +
      'списки 14-го числа, потребность 15-го, финансирование, платёжные поручения, возвраты, сверка.',
  )
  .option('--db <url>', 'строка подключения PostgreSQL (по умолчанию DATABASE_URL, иначе встроенная база ./var/pglite)')
  .option('--as-of <date>', 'рабочая дата команды ГГГГ-ММ-ДД (по умолчанию сегодня, Asia/Almaty)')
  .option('--operator <name>', 'кто выполняет (по умолчанию PAYOUTS_OPERATOR, иначе пользователь ОС)')
  .option('--json', 'машиночитаемый вывод (один JSON-документ)')
  .option('--quiet', 'без индикатора хода длинных действий (он выводится в stderr)');

const run = program.command('run').description('шаги месячного цикла (каждый идемпотентен, --dry-run ничего не пишет)');
for (const name of loadersFor(process.argv.slice(2))) await loaders[name](program, run);

async function main(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors with 2.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    if (err instanceof PayoutsError) {
      process.stderr.write(`Ошибка: ${maskText(err.message)}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    const unusable = unusableDatabaseMessage(err);
    if (unusable) {
      process.stderr.write(`Ошибка: ${maskText(unusable)}\n`);
      process.exitCode = 2;
      return;
    }
    // A lost or refused database connection: PostgreSQL rolled the transaction back.
    if (isConnectionFailure(err)) {
      process.stderr.write(
        'Ошибка: нет соединения с базой данных (база недоступна или соединение прервано). ' +
          'Незавершённая транзакция отменена; повторите команду, когда база будет доступна: повтор безопасен.\n',
      );
      if (process.env.PAYOUTS_DEBUG) process.stderr.write(`${maskText(String((err as Error)?.stack))}\n`);
      process.exitCode = 1;
      return;
    }
    process.stderr.write(`Непредвиденная ошибка: ${maskText(String((err as Error)?.message ?? err))}\n`);
    if (process.env.PAYOUTS_DEBUG) process.stderr.write(`${maskText(String((err as Error)?.stack))}\n`);
    process.exitCode = 1;
  }
}

await main();

// Every exit path closes what it opened (the database, the queue); should anything still hold
// the event loop after the command has finished, the process exits anyway instead of hanging a
// cron job. The timer is unref'd: it never keeps an already idle process alive.
setTimeout(() => {
  if (process.env.PAYOUTS_DEBUG) process.stderr.write('[payouts] handles still open after the command finished; exiting\n');
  process.exit();
}, 2000).unref();
