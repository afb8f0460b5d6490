// Liveness and readiness.
import { Hono } from 'hono';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { RedisClient } from '../redis.js';
import { problem, problemResponse } from './problem.js';

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);

export function opsRoutes(deps: { db: Db; redis: RedisClient }) {
  return new Hono()
    .get('/healthz', (c) => c.json({ status: 'ok' }))
    .get('/readyz', async (c) => {
      const [mysql, redis] = await Promise.all([
        withTimeout(sql`SELECT 1`.execute(deps.db), 2_000).then(
          () => true,
          () => false,
        ),
        withTimeout(deps.redis.ping(), 2_000).then(
          () => true,
          () => false,
        ),
      ]);
      if (mysql && redis) return c.json({ status: 'ready', mysql: 'up', redis: 'up' });
      const down = [mysql ? null : 'mysql', redis ? null : 'redis'].filter(Boolean).join(', ');
      return problemResponse(c, {
        ...problem(503, 'NOT_READY', `Dependency unavailable: ${down}`),
        ...{ mysql: mysql ? 'up' : 'down', redis: redis ? 'up' : 'down' },
      });
    });
}
