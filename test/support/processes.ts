// Real API and worker processes for end-to-end tests, each with its own database and key prefix.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { dropDatabase, migrateToLatest } from '../../src/db/migrate.js';
import { freePort, ManagedProcess } from '../../rush/processes.js';
import { deleteKeysWithPrefix } from '../../rush/redis-cleanup.js';
import { ADMIN_TOKEN } from './context.js';

/**
 * A database and Redis prefix of their own, so lanes of different tests never meet. With
 * `redisClusterNodes`, every process of the stack uses that Redis Cluster (REDIS_CLUSTER_NODES);
 * with `databaseUrl`, its database lives on that server (e.g. a Galera cluster) instead of the run's.
 */
export async function isolatedStack({
  redisClusterNodes,
  databaseUrl: baseUrl = inject('databaseUrl'),
}: { redisClusterNodes?: string; databaseUrl?: string } = {}) {
  const suffix = randomBytes(3).toString('hex');
  const url = new URL(baseUrl);
  url.pathname = `${url.pathname}_${suffix}`;
  const databaseUrl = url.toString();
  const queuePrefix = `${inject('queuePrefix')}-${suffix}`;
  await migrateToLatest(databaseUrl);
  const procs: ManagedProcess[] = [];
  const env = (extra: Record<string, string> = {}): Record<string, string> => ({
    DATABASE_URL: databaseUrl,
    REDIS_URL: inject('redisUrl'),
    QUEUE_PREFIX: queuePrefix,
    ADMIN_TOKEN,
    LOG_LEVEL: 'info',
    ...(redisClusterNodes ? { REDIS_CLUSTER_NODES: redisClusterNodes } : {}),
    ...extra,
  });
  return {
    databaseUrl,
    queuePrefix,
    env,
    /**
     * `cwd` runs the API from another working directory (it must not depend on it); `startTimeoutMs`
     * gives a slow start (many processes starting at once) longer than the default.
     */
    async api(
      extra: Record<string, string> = {},
      options: { cwd?: string; startTimeoutMs?: number; entry?: string } = {},
    ) {
      const port = await freePort();
      const entry = options.entry ?? 'apps/api/main.ts';
      const proc = new ManagedProcess(entry, env({ PORT: String(port), ...extra }), { cwd: options.cwd });
      procs.push(proc);
      await proc.waitForLog(/api listening/, options.startTimeoutMs ?? 30_000);
      return { proc, url: `http://127.0.0.1:${port}` };
    },
    /** `entry` runs another worker entry point (the tests' unfair worker, test/support/reverse-worker.ts). */
    worker(extra: Record<string, string> = {}, entry = 'workers/main.ts') {
      const proc = new ManagedProcess(entry, env({ METRICS_PORT: '0', ...extra }));
      procs.push(proc);
      return proc;
    },
    async close() {
      await Promise.all(procs.map((p) => p.kill('SIGKILL')));
      await dropDatabase(databaseUrl);
      const cluster = redisClusterNodes ? loadConfig({ REDIS_CLUSTER_NODES: redisClusterNodes }) : null;
      await deleteKeysWithPrefix(inject('redisUrl'), queuePrefix, cluster?.REDIS_CLUSTER_NODES);
    },
  };
}

export type Stack = Awaited<ReturnType<typeof isolatedStack>>;
