// Structured logs (pino, JSON lines on stderr) with every ИИН/БИН masked: a 12-digit number
// standing alone, in a message or in any field, is written as 8503****0214. Logs are for
// engineers (English); what finance staff read goes to stdout in Russian.
import pino, { type DestinationStream, type Logger } from 'pino';
import { maskValue } from './mask.ts';

export type { Logger };

// The masking lives in mask.ts (no pino there: the CLI masks its error messages without loading it).
export { maskText, maskValue } from './mask.ts';

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
