// Tidying up after a rush, a bench design or a test: every key under its own prefix, found with
// SCAN (never KEYS, which blocks the server) on the standalone Redis or every master of a cluster.
import type { ClusterNodeAddress } from '../src/config.js';
import { createRedis, deleteKeysWithPrefix as deleteFrom } from '../src/redis.js';

/** Deletes the keys that start with `prefix`; how many it deleted. */
export async function deleteKeysWithPrefix(
  redisUrl: string,
  prefix: string,
  clusterNodes?: readonly ClusterNodeAddress[],
): Promise<number> {
  const redis = createRedis({ REDIS_URL: redisUrl, REDIS_CLUSTER_NODES: clusterNodes }, { maxRetriesPerRequest: 1 });
  try {
    return await deleteFrom(redis, prefix);
  } finally {
    redis.disconnect();
  }
}
