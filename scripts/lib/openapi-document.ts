// The OpenAPI document without a running API: the app is built with clients that never connect
// and asked for /openapi.json, so this is exactly what a running API serves.
import { createApp } from '../../apps/api/app.js';
import { LANE_TYPES } from '../../apps/lane-types.js';
import { loadConfig } from '../../src/config.js';
import { createDb } from '../../src/db/database.js';
import { createLogger } from '../../src/logger.js';
import { createRedis } from '../../src/redis.js';
import { LaneProgress } from '../../src/request/lane-progress.js';

/** The document of the default configuration, or of identity mode (user routes need a bearer JWT). */
export async function openApiDocument({ identity = false } = {}): Promise<Record<string, unknown>> {
  // Only the mode matters to the document; the secret is never used to sign or verify anything.
  const config = loadConfig({ LOG_LEVEL: 'silent', ...(identity ? { AUTH_JWT_SECRET: 'x'.repeat(32) } : {}) });
  const logger = createLogger(config, 'openapi');
  const db = createDb(config.DATABASE_URL);
  const redis = createRedis(config, { lazyConnect: true });
  const progress = new LaneProgress(redis, config.QUEUE_PREFIX, logger);
  try {
    const app = createApp({ config, db, redis, logger, queues: new Map(), progress, laneTypes: LANE_TYPES });
    const res = await app.request('/openapi.json');
    if (res.status !== 200) throw new Error(`/openapi.json answered ${res.status}`);
    return (await res.json()) as Record<string, unknown>;
  } finally {
    progress.close();
    redis.disconnect();
    await db.destroy();
  }
}
