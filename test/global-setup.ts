// Checks the services once before the suite and says what will run where.
import { postgresAvailable, redisAvailable, servicesRequired, PG_ADMIN_URL, REDIS_URL } from './support/services.ts';

export default async function setup(): Promise<void> {
  const [pg, redis] = await Promise.all([postgresAvailable(), redisAvailable()]);
  const missing = [!pg && `PostgreSQL (${PG_ADMIN_URL})`, !redis && `Redis (${REDIS_URL})`].filter(Boolean);
  if (missing.length && servicesRequired) {
    throw new Error(`REQUIRE_SERVICES=1 but these services are not reachable: ${missing.join(', ')}`);
  }
  if (!pg) console.warn('[services] PostgreSQL is down: database tests run on PGlite instead.');
  if (!redis) console.warn('[services] Redis is down: queue and worker tests are skipped (they need a real Redis).');
  if (pg && redis) console.log('[services] PostgreSQL and Redis are up: tests use the real services.');
}
