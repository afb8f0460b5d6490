// For tests that work on lane queues in Redis directly: a connection and a key prefix of the test
// file's own (the prefix's keys are deleted after the file), and a claim's append entry.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { createRedis, type RedisClient } from '../../src/redis.js';
import type { AppendEntry } from '../../src/request/lane-append.js';
import { deleteKeysWithPrefix } from '../../rush/redis-cleanup.js';
import { testConfig } from './context.js';

export function laneRedis(label: string) {
  const config = testConfig();
  const prefix = `${config.QUEUE_PREFIX}-${label}-${randomBytes(3).toString('hex')}`;
  let client: RedisClient | undefined;
  beforeAll(() => {
    client = createRedis(config, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await deleteKeysWithPrefix(config.REDIS_URL, prefix);
    client?.disconnect();
  });
  return {
    config,
    prefix,
    get redis(): RedisClient {
      if (!client) throw new Error('laneRedis: the connection opens in beforeAll');
      return client;
    },
  };
}

/** A claim of coupon 7 by `userId` that holds its user's place in line. */
export const claimEntry = (nonce: string, userId: number): AppendEntry => ({
  name: 'claim',
  data: { couponId: 7, userId, acceptedAt: 1_700_000_000_123, nonce },
  once: { rule: { dedupeId: `u:7:${userId}` }, nonce, acceptedAt: 1_700_000_000_123 },
});
