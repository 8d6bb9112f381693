// The error table. Every expected failure is one class below, with its exit code (INTERFACE.md:
// 2 an unusable command or file, 4 refused by a business rule; nothing changed in either case)
// and its rule id. It is raised where the fact is known — the date parser, the calendar, the
// step that checks the rule — with a Russian message a finance officer understands, and nobody
// translates it on the way out: bin/payouts.ts prints the message and exits with the code, the
// runner and the worker report the rule. Anything else is an unexpected failure (exit 1).
//
//   class                 exit  rule                    raised by
//   UsageError            2     usage                   the CLI and the importers: a command or file that cannot be used
//   MonthRequired         2     month-required          a monthly step, form or job without its month
//   InvalidMonth          2     invalid-month           the date parser (assertMonth), the CLI's --month
//   InvalidDate           2     invalid-date            the date parser (assertDate), the CLI's date options
//   Iso20022FormatError   2     iso20022-format         the ISO 20022 codecs (pipeline/iso20022/)
//   DatabaseNotMigrated   2     db-not-migrated         the CLI: a table is missing and migrations are not all applied
//   BusinessRuleError     4     named where raised      the one place that checks the rule:
//                                 non-working-day, order-date-backdated, gk-funds-insufficient  pipeline/orders/issuing.ts
//                                 rerun-changed-inputs                                          pipeline/kernel/step-run.ts
//   StepBackdated         4     step-backdated          pipeline/kernel/step-run.ts (pay, refund-unsent: a date before a committed later run)
//                                 lists-in-month-order, contribution-cap, rates-missing, split  build-lists
//                                 demands-in-month-order                                        form-demand
//                                 reconciliation-month-open, bank-fees-month-open               reconcile, bank-fees
//                                 scheduler-gap                                                 jobs/scheduler.ts
//   CalendarYearMissing   4     calendar-year-missing   the calendar: a date in a year it does not cover
//   CalendarInvalid       4     calendar-invalid        the calendar: its data contradict themselves
//   PayoutsError          1     demo-input-rejected     the demo, when the pipeline rejects a row of its own fixtures
//   (connection lost)     1     —                       isConnectionFailure below; the CLI says so in Russian
//
// Kernel errors with a single caller that adds what only it knows (RatesError and SplitError get
// the act in build-lists) stay plain errors of their modules and are translated by that caller.
// A broken invariant (UnbalancedEntryError of the ledger, ReconciliationMismatchError) is a bug,
// not a refusal: exit 1, and the transaction is rolled back.

export class PayoutsError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly rule: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Exit 2: an unusable command or file; nothing changed. */
export class UsageError extends PayoutsError {
  constructor(message: string, rule = 'usage') {
    super(message, 2, rule);
  }
}

/** Exit 2: a monthly step, form or job called without its month. The message says which month. */
export class MonthRequired extends UsageError {
  constructor(message: string) {
    super(message, 'month-required');
  }
}

/** Exit 2: a month that is not YYYY-MM (or out of range). */
export class InvalidMonth extends UsageError {
  constructor(message: string) {
    super(message, 'invalid-month');
  }
}

/** Exit 2: a date that is not YYYY-MM-DD (or not a day of the calendar). */
export class InvalidDate extends UsageError {
  constructor(message: string) {
    super(message, 'invalid-date');
  }
}

/** Exit 2: an ISO 20022 message that cannot be built or read. */
export class Iso20022FormatError extends UsageError {
  constructor(message: string) {
    super(message, 'iso20022-format');
  }
}

/** Exit 2: the database was never migrated (or misses migrations): nothing can run on it yet. */
export class DatabaseNotMigrated extends UsageError {
  constructor(missing: number, total: number) {
    super(
      missing === total
        ? 'База данных не подготовлена: в ней нет таблиц системы. Выполните `payouts db migrate` (с теми же --db или DATABASE_URL) и повторите команду.'
        : `Схема базы данных устарела: не применены миграции (${missing} из ${total}). ` +
            'Выполните `payouts db migrate` (с теми же --db или DATABASE_URL) и повторите команду.',
      'db-not-migrated',
    );
  }
}

/** PostgreSQL's undefined_table (42P01) anywhere in the error's causes. */
export function isUndefinedTable(err: unknown): boolean {
  return causes(err).some((c) => codeOf(c) === '42P01');
}

// SQLSTATEs of a server that answers but will not let this connection in: a wrong role or
// password, a database that does not exist. The --db (or DATABASE_URL) cannot be used: exit 2.
const UNUSABLE_DATABASE_SQLSTATES = new Set(['28000', '28P01', '3D000']);

/** The server refused the role, the password or the database named by the connection string. */
export function unusableDatabaseMessage(err: unknown): string | null {
  const c = causes(err).find((x) => UNUSABLE_DATABASE_SQLSTATES.has(codeOf(x)));
  if (!c) return null;
  return (
    `база данных не принимает подключение (${(c as Error).message}). ` +
    'Проверьте пользователя, пароль и имя базы в --db или DATABASE_URL; ничего не изменено.'
  );
}

/** Exit 4: refused by a business rule; nothing changed. `rule` names the rule. */
export class BusinessRuleError extends PayoutsError {
  constructor(rule: string, message: string) {
    super(message, 4, rule);
  }
}

/**
 * Exit 4: a dated step (pay, refund-unsent) asked for a date before the latest committed run of
 * the same step: its orders would be dated before orders that exist, and the deadline check would
 * call them on time.
 */
export class StepBackdated extends BusinessRuleError {
  constructor(
    readonly step: string,
    readonly date: string,
    readonly later: string,
    what: string,
  ) {
    super(
      'step-backdated',
      `Шаг ${step} датой ${date} запрещён: ${what} уже выполнен датой ${later}. ` +
        `Шаг не выполняется задним числом; всё невыплаченное войдёт в шаг ближайшего рабочего дня (не ранее ${later}).`,
    );
  }
}

/** Exit 4: the working-day calendar cannot answer (DOMAIN.md §8: an error, never a guess). */
export class CalendarError extends BusinessRuleError {}

/** A date in a year the calendar does not cover. */
export class CalendarYearMissing extends CalendarError {
  constructor(readonly year: number) {
    super(
      'calendar-year-missing',
      `Календарь рабочих дней не загружен для ${year} года: рабочие дни этого года не определить ` +
        `(год без календаря — ошибка, а не догадка). Добавьте файл reference/calendar/${year}.json и выполните payouts db migrate.`,
    );
  }
}

/** Calendar data that contradict themselves: a year given twice, a month without a working day. */
export class CalendarInvalid extends CalendarError {
  constructor(message: string) {
    super('calendar-invalid', message);
  }
}

// ---------------------------------------------------------------------------------------------
// Failures of the connection to PostgreSQL or Redis. A step is one transaction, so after such a
// failure PostgreSQL has rolled it back and a retry starts from a clean slate: the CLI says so,
// the worker retries, the runner stops the day.

const CONNECTION_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTCONN',
]);

// PostgreSQL SQLSTATEs of a lost or refused connection; class 08 (connection exception) is
// matched by prefix below.
const CONNECTION_SQLSTATES = new Set([
  '53300', // too_many_connections
  '57P01', // admin_shutdown (pg_terminate_backend, restart)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up)
]);

// SQLSTATEs by which PostgreSQL asks to try again.
const RETRY_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
]);

const CONNECTION_MESSAGES = [
  /Connection terminated/i,
  /connection ended unexpectedly/i,
  /terminating connection/i,
  /connection error and is not queryable/i, // pg: "Client has encountered a connection error and is not queryable"
  /Client has encountered a connection error/i,
  /Knex: Timeout acquiring a connection/i,
  /timeout exceeded when trying to connect/i,
  /Connection is closed/i, // ioredis
  /Reached the max retries per request limit/i, // ioredis MaxRetriesPerRequestError
  /read ECONNRESET/i,
  /socket hang up/i,
];

/** The error and its causes (cause, knex's originalError, an AggregateError's errors). */
function causes(err: unknown, depth = 0): unknown[] {
  if (!err || typeof err !== 'object' || depth > 5) return [];
  const out: unknown[] = [err];
  const e = err as { cause?: unknown; errors?: unknown[]; originalError?: unknown };
  if (e.cause) out.push(...causes(e.cause, depth + 1));
  if (e.originalError) out.push(...causes(e.originalError, depth + 1));
  if (Array.isArray(e.errors)) for (const x of e.errors) out.push(...causes(x, depth + 1));
  return out;
}

function codeOf(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? code : '';
}

/** The database or Redis could not be reached, or dropped the connection. */
export function isConnectionFailure(err: unknown): boolean {
  return causes(err).some((c) => {
    const code = codeOf(c);
    if (CONNECTION_NODE_CODES.has(code) || CONNECTION_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
    const message = (c as { message?: unknown }).message;
    return typeof message === 'string' && CONNECTION_MESSAGES.some((re) => re.test(message));
  });
}

/**
 * Worth retrying: a connection failure, or PostgreSQL asked to try again (serialization failure,
 * deadlock, lock not available). Everything else (a business refusal, a bug, bad data) fails at
 * once with its reason: retrying cannot fix it.
 */
export function isTransient(err: unknown): boolean {
  return isConnectionFailure(err) || causes(err).some((c) => RETRY_SQLSTATES.has(codeOf(c)));
}
