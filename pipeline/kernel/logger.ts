// Structured logs (pino, JSON lines on stderr) with every ИИН/БИН masked: a 12-digit number
// standing alone, in a message or in any field, is written as 8503****0214. Logs are for
// engineers (English); what finance staff read goes to stdout in Russian.
import pino, { type DestinationStream, type Logger } from 'pino';
import { maskIdentifier } from './identifiers.ts';

export type { Logger };

// A 12-digit run not inside a longer number and not the integer part of an amount ("…012.50").
const ID12_RE = /(?<![\d.])\d{12}(?![\d]|\.\d)/g;

/** Masks every ИИН/БИН-looking number in a text. */
export function maskText(text: string): string {
  return text.replace(ID12_RE, (m) => maskIdentifier(m));
}

/** A copy of a value with every string (and 12-digit number) masked, keys included. */
export function maskValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskText(value);
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1e11 && value < 1e12) return maskText(String(value));
  if (typeof value === 'bigint') return maskText(value.toString());
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (value instanceof Error) {
    const out: Record<string, unknown> = { type: value.name, message: maskText(value.message) };
    if (value.stack) out.stack = maskText(value.stack);
    const code = (value as { code?: unknown }).code;
    if (code !== undefined) out.code = code;
    return out;
  }
  if (value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((v) => maskValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[maskText(k)] = maskValue(v, depth + 1);
  return out;
}

export interface LoggerOptions {
  /** Where the JSON lines go; stderr by default. */
  destination?: DestinationStream;
  level?: string;
  name?: string;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const log = pino(
    {
      name: opts.name ?? 'payouts',
      level: opts.level ?? process.env.PAYOUTS_LOG_LEVEL ?? 'info',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        // Every field of every line, whatever the call site passed.
        log: (obj) => maskValue(obj) as Record<string, unknown>,
      },
      hooks: {
        // The message string and its printf-style arguments.
        logMethod(args, method) {
          method.apply(this, args.map((a) => maskValue(a)) as Parameters<typeof method>);
        },
      },
    },
    opts.destination ?? pino.destination(2),
  );
  // Fields bound by logger.child({...}) bypass the formatters: mask them on the way in. Children
  // inherit this method from the root (pino children are prototype-chained to their parent).
  const protoChild = log.child;
  log.child = function (this: Logger, bindings: Record<string, unknown>, options?: unknown) {
    return protoChild.call(this, maskValue(bindings) as Record<string, unknown>, options as never);
  } as Logger['child'];
  return log;
}

let shared: Logger | undefined;

/** The process's logger (stderr). */
export function logger(): Logger {
  shared ??= createLogger();
  return shared;
}
