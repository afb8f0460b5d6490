import type { ClusterNodeAddress } from '../../src/config.js';
import { createRedis, deleteKeysWithPrefix as deleteFrom } from '../../src/redis.js';

/** Deletes a test's keys from the standalone Redis, or from every master of a cluster when given. */
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
