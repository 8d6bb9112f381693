// Settings of the queue processes that the CLI needs before it loads them (so that `payouts`
// commands that do not use the queue do not load BullMQ, express or node-cron).
import type { ConnectionOptions } from 'bullmq';
import { UsageError } from '../pipeline/kernel/errors.ts';

/** The nightly tick: 01:00 in Asia/Almaty. */
export const NIGHTLY_CRON = '0 1 * * *';
export const TIME_ZONE = 'Asia/Almaty';
/** How many missed days the scheduler catches up without a person deciding. */
export const DEFAULT_MAX_CATCH_UP_DAYS = 7;
export const DASHBOARD_HOST = '127.0.0.1';
export const DEFAULT_DASHBOARD_PORT = 3021;

export function redisUrlFromEnv(): string | undefined {
  return process.env.REDIS_URL || undefined;
}

/** The queue's Redis key prefix: PAYOUTS_QUEUE_PREFIX (tests, several pipelines on one Redis). */
export function queuePrefixFromEnv(): string | undefined {
  return process.env.PAYOUTS_QUEUE_PREFIX || undefined;
}

export function requireRedisUrl(command: string): string {
  const url = redisUrlFromEnv();
  if (!url) {
    throw new UsageError(
      `Команде ${command} нужна очередь: задайте REDIS_URL (например redis://127.0.0.1:6379). ` +
        `Без Redis шаги выполняются в процессе: payouts run nightly / payouts run monthly --month ГГГГ-ММ.`,
    );
  }
  return url;
}

/** ioredis options from a URL; BullMQ's workers need maxRetriesPerRequest: null. */
export function redisConnection(url: string): ConnectionOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`Неверный адрес Redis «${url}»: ожидается redis://хост:порт`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new UsageError(`Неверный адрес Redis «${url}»: ожидается redis://хост:порт`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  return {
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: Number.isInteger(db) ? db : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}
