// What a component test needs: the real database and Redis of this run, and the real app.
import { randomInt } from 'node:crypto';
import { inject } from 'vitest';
import { createApp } from '../../apps/api/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createDb, type Db } from '../../src/db/database.js';
import { createLogger } from '../../src/logger.js';
import { createRedis } from '../../src/redis.js';
import { LANE_TYPES } from '../../apps/lane-types.js';
import { LaneSet } from '../../src/lane/lane-set.js';
import { createLaneQueues } from '../../src/queues/lanes.js';
import type { LaneType } from '../../src/queues/lane-type.js';
import { LaneProgress } from '../../src/request/lane-progress.js';
import { checkRequests } from './openapi-conformance.js';

export const ADMIN_TOKEN = 'test-admin-token';

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    DATABASE_URL: inject('databaseUrl'),
    REDIS_URL: inject('redisUrl'),
    QUEUE_PREFIX: inject('queuePrefix'),
    ADMIN_TOKEN,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...overrides,
  });
}

/** `connectionLimit: 1` puts every query of the app on one MySQL session, whose counters a test can read. */
export function createTestContext(
  overrides: Record<string, string> = {},
  { connectionLimit = 20, laneTypes = LANE_TYPES }: { connectionLimit?: number; laneTypes?: readonly LaneType[] } = {},
) {
  const config = testConfig(overrides);
  const logger = createLogger(config, 'test');
  const db: Db = createDb(config.DATABASE_URL, { connectionLimit });
  const redis = createRedis(config, { maxRetriesPerRequest: 1 });
  const queues = createLaneQueues(config, redis, new LaneSet(laneTypes, config).all);
  const progress = new LaneProgress(createRedis(config), config.QUEUE_PREFIX, logger);
  const app = createApp({ config, db, redis, logger, queues, progress, laneTypes });
  // Every answer a component test sees is also checked against the app's OpenAPI document.
  checkRequests(app);
  return {
    config,
    db,
    redis,
    app,
    logger,
    queues,
    async close() {
      progress.close();
      await Promise.all([...queues.values()].map((q) => q.close().catch(() => undefined)));
      redis.disconnect();
      await db.destroy();
    },
  };
}

export type TestContext = ReturnType<typeof createTestContext>;

/** A user id no other test uses (ids are random in a wide range). */
export function newUserId(): number {
  return randomInt(1, 2 ** 47);
}

export const adminHeaders = { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' };

export async function postJson(
  ctx: TestContext,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return ctx.app.request(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
