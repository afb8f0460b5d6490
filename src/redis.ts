import { Redis, type RedisOptions } from 'ioredis';

/**
 * A Redis client for the engine. `maxRetriesPerRequest: null` is what BullMQ requires for its
 * blocking connections; request-path clients pass a small number so that a Redis outage fails a
 * submit quickly (503) instead of hanging it.
 */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, ...options });
}
