// Which failures are worth retrying: the database or Redis could not be reached or dropped the
// connection, or PostgreSQL asked us to try again (serialization failure, deadlock). A step is
// one transaction, so a retry after such a failure starts from a clean slate. Everything else
// (a business refusal, a bug, bad data) fails at once with its reason: retrying cannot fix it.

const TRANSIENT_NODE_CODES = new Set([
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

// PostgreSQL SQLSTATEs: class 08 (connection exception) is matched by prefix below.
const TRANSIENT_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '53300', // too_many_connections
  '57P01', // admin_shutdown (pg_terminate_backend, restart)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up)
  '55P03', // lock_not_available
]);

const TRANSIENT_MESSAGES = [
  /Connection terminated/i,
  /Client has encountered a connection error/i,
  /Knex: Timeout acquiring a connection/i,
  /timeout exceeded when trying to connect/i,
  /Connection is closed/i, // ioredis
  /Reached the max retries per request limit/i, // ioredis MaxRetriesPerRequestError
  /read ECONNRESET/i,
  /socket hang up/i,
];

function causes(err: unknown, depth = 0): unknown[] {
  if (!err || typeof err !== 'object' || depth > 5) return [];
  const out: unknown[] = [err];
  const e = err as { cause?: unknown; errors?: unknown[]; originalError?: unknown };
  if (e.cause) out.push(...causes(e.cause, depth + 1));
  if (e.originalError) out.push(...causes(e.originalError, depth + 1));
  if (Array.isArray(e.errors)) for (const x of e.errors) out.push(...causes(x, depth + 1));
  return out;
}

export function isTransient(err: unknown): boolean {
  return causes(err).some((c) => {
    const e = c as { code?: unknown; message?: unknown };
    const code = typeof e.code === 'string' ? e.code : '';
    if (TRANSIENT_NODE_CODES.has(code) || TRANSIENT_SQLSTATES.has(code)) return true;
    if (/^08[0-9A-Z]{3}$/.test(code)) return true;
    const message = typeof e.message === 'string' ? e.message : '';
    return TRANSIENT_MESSAGES.some((re) => re.test(message));
  });
}
