// The one way the engine connects to Redis: a standalone server (REDIS_URL) or a Redis Cluster
// (REDIS_CLUSTER_NODES). Everything else takes a RedisClient and does not care which; multi-key
// operations keep their keys in one hash slot (see src/queues/lanes.ts), so both work the same.
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { ClusterNodeAddress } from './config.js';

export type RedisClient = Redis | Cluster;

export interface RedisTarget {
  REDIS_URL: string;
  REDIS_CLUSTER_NODES?: readonly ClusterNodeAddress[] | undefined;
}

/**
 * A Redis client for the engine. `maxRetriesPerRequest: null` is what BullMQ requires for its
 * blocking connections; request-path clients pass a small number so that a Redis outage fails a
 * submit quickly (503) instead of hanging it. On a cluster, options that concern the whole client
 * (offline queue, ready check, lazy connect, auto-pipelining) apply to the Cluster and the rest to each node's connection.
 */
export function createRedis(target: RedisTarget, options: RedisOptions = {}): RedisClient {
  const merged: RedisOptions = { maxRetriesPerRequest: null, enableReadyCheck: true, ...options };
  if (!target.REDIS_CLUSTER_NODES?.length) return new Redis(target.REDIS_URL, merged);
  const {
    enableOfflineQueue,
    enableReadyCheck,
    lazyConnect,
    enableAutoPipelining,
    // Per-node settings a Cluster manages itself.
    retryStrategy: _retryStrategy,
    readOnly: _readOnly,
    host: _host,
    port: _port,
    path: _path,
    sentinels: _sentinels,
    himportFieldsets: _himportFieldsets,
    ...redisOptions
  } = merged;
  return new Cluster(
    target.REDIS_CLUSTER_NODES.map((n) => ({ host: n.host, port: n.port })),
    {
      redisOptions,
      enableReadyCheck,
      ...(enableOfflineQueue !== undefined ? { enableOfflineQueue } : {}),
      ...(lazyConnect !== undefined ? { lazyConnect } : {}),
      ...(enableAutoPipelining !== undefined ? { enableAutoPipelining } : {}),
    },
  );
}

export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}

/** A new connection with the same settings (BullMQ workers want their own). */
export function duplicateRedis(client: RedisClient): RedisClient {
  return isCluster(client) ? client.duplicate() : client.duplicate();
}

/** The nodes that hold keys: the masters of a cluster, or the one standalone server. */
export function masterNodes(client: RedisClient): Redis[] {
  return isCluster(client) ? client.nodes('master') : [client];
}

/** The keys that start with `prefix`, a page at a time with the master that holds them (SCAN, never KEYS). */
export async function* scanPrefix(
  client: RedisClient,
  prefix: string,
): AsyncGenerator<{ node: Redis; keys: string[] }> {
  // A cluster knows its masters only once it has loaded the slot map.
  if (isCluster(client)) await whenReady(client, 10_000);
  for (const node of masterNodes(client)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) yield { node, keys };
    } while (cursor !== '0');
  }
}

/**
 * Deletes every key that starts with `prefix`, on every master (tests and benchmarks tidy up their
 * own prefix this way). One key per UNLINK: keys of different slots cannot share a command on a cluster.
 */
export async function deleteKeysWithPrefix(client: RedisClient, prefix: string): Promise<number> {
  let deleted = 0;
  for await (const { node, keys } of scanPrefix(client, prefix)) {
    const pipeline = node.pipeline();
    for (const key of keys) pipeline.unlink(key);
    for (const [err, n] of (await pipeline.exec()) ?? []) if (!err) deleted += Number(n);
  }
  return deleted;
}

/** Resolves once the client is ready to take commands; rejects if it gives up or `ms` pass first. */
export function whenReady(client: RedisClient, ms: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('end', onEnd);
      if (err) reject(err);
      else resolve();
    };
    const onReady = () => done();
    const onEnd = () => done(new Error('redis connection ended before it was ready'));
    const timer = setTimeout(() => done(new Error(`redis not ready after ${ms} ms`)), ms);
    client.once('ready', onReady);
    client.once('end', onEnd);
  });
}
