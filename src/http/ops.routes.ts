// Liveness and readiness.
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { RedisClient } from '../redis.js';
import { json, ProblemSchema, route } from './openapi.js';
import { problem } from './problem.js';

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);

const Up = z.enum(['up', 'down']);
const Ready = z.object({ status: z.literal('ready'), mysql: z.literal('up'), redis: z.literal('up') }).openapi('Ready');
const NotReady = ProblemSchema.extend({ code: z.literal('NOT_READY'), mysql: Up, redis: Up }).openapi('NotReady');

export function opsRoutes(deps: { db: Db; redis: RedisClient }) {
  return new OpenAPIHono()
    .openapi(
      route({
        method: 'get',
        path: '/healthz',
        operationId: 'getHealth',
        summary: 'Liveness: 200 while the process runs',
        tags: ['Operations'],
        access: 'public',
        responses: { 200: json(z.object({ status: z.literal('ok') }).openapi('Health'), 'The process runs') },
      }),
      (c) => c.json({ status: 'ok' as const }, 200),
    )
    .openapi(
      route({
        method: 'get',
        path: '/readyz',
        operationId: 'getReadiness',
        summary: 'Readiness: 200 when MySQL and Redis answer, else 503 naming which does not',
        tags: ['Operations'],
        access: 'public',
        responses: {
          200: json(Ready, 'MySQL and Redis answer'),
          503: {
            description: 'NOT_READY: MySQL or Redis does not answer (named in `detail`, `mysql`, `redis`)',
            content: { 'application/problem+json': { schema: NotReady } },
          },
        },
      }),
      async (c) => {
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
        if (mysql && redis)
          return c.json({ status: 'ready' as const, mysql: 'up' as const, redis: 'up' as const }, 200);
        const down = [mysql ? null : 'mysql', redis ? null : 'redis'].filter(Boolean).join(', ');
        const body = {
          ...problem(503, 'NOT_READY', `Dependency unavailable: ${down}`),
          code: 'NOT_READY' as const,
          mysql: mysql ? ('up' as const) : ('down' as const),
          redis: redis ? ('up' as const) : ('down' as const),
        };
        return c.json(body, 503, { 'Content-Type': 'application/problem+json' });
      },
    );
}
