// Which real services the tests can use. With REQUIRE_SERVICES=1 a missing one is a failure;
// otherwise the tests that need it fall back (PGlite) or are skipped with a printed reason.
import net from 'node:net';

export const PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function probe(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function hostPort(url: string, defaultPort: number): [string, number] {
  const u = new URL(url);
  return [u.hostname, Number(u.port || defaultPort)];
}

let pgUp: Promise<boolean> | undefined;
let redisUp: Promise<boolean> | undefined;

export function postgresAvailable(): Promise<boolean> {
  pgUp ??= probe(...hostPort(PG_ADMIN_URL, 5432));
  return pgUp;
}

export function redisAvailable(): Promise<boolean> {
  redisUp ??= probe(...hostPort(REDIS_URL, 6379));
  return redisUp;
}

export const servicesRequired = process.env.REQUIRE_SERVICES === '1';
