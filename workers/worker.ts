// A worker process: it takes its fair share of the lanes (LaneBalancer), serves the lanes it owns
// and watches the others as a hot standby. Started by workers/main.ts.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { loadConfig, type Config } from '../src/config.js';
import { assertBullmqSupported } from '../src/bullmq/support.js';
import { createDb, type Db } from '../src/db/database.js';
import { createLogger, type Logger } from '../src/logger.js';
import { createRedis, type RedisClient } from '../src/redis.js';
import { createLaneQueues } from '../src/queues/lanes.js';
import { LaneSet } from '../src/lane/lane-set.js';
import { createExpiryQueue, startExpiry } from '../src/order/order-expiry.js';
import { startIdempotencyPurge } from '../src/http/idempotency-purge.js';
import { createLaneMetrics } from '../src/metrics/lane.metrics.js';
import { startMetricsServer } from '../src/metrics/metrics.routes.js';
import { LaneBalancer } from '../src/lane/lane-balancer.js';
import type { LaneProcessor } from '../src/lane/lane-processor.js';
import type { JobEnvelope, LaneKind } from '../src/lane/lane.js';
import { onShutdownSignal } from '../src/common/shutdown.js';
import { createLaneConsumers } from './lanes.js';

export interface WorkerOptions {
  /** The lane types to serve (apps/lane-types.ts). */
  laneTypes: readonly LaneKind[];
  /** Wraps every lane's processor; only the tests' deliberately unfair worker uses it. */
  wrapProcessor?: (processor: LaneProcessor<JobEnvelope>) => LaneProcessor<JobEnvelope>;
}

export async function runWorker(options: WorkerOptions): Promise<void> {
  assertBullmqSupported();
  const config = loadConfig();
  const logger = createLogger(config, 'worker');
  const db = createDb(config.DATABASE_URL, { connectionLimit: config.COUPON_LANES + 4 });
  // Reconnect at least every 500 ms (ioredis backs off up to seconds), so lanes resume soon after Redis returns.
  const redis = createRedis(config, { retryStrategy: (times) => Math.min(times * 100, 500) });
  redis.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis error'));
  const lanes = new LaneSet(options.laneTypes, config);
  const queues = createLaneQueues(config, redis, lanes.all);

  const expiryQueue = createExpiryQueue(config.QUEUE_PREFIX, redis);
  const { purge, expiry } = startHousekeeping(config, db, redis, logger);

  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const hooks = createLaneMetrics(metrics, [...queues.keys()]);
  // METRICS_PORT=0 runs without a metrics server (tests start many workers on one machine).
  const metricsServer = config.METRICS_PORT > 0 ? await startMetricsServer(metrics, config.METRICS_PORT, logger) : null;

  const balancer = new LaneBalancer({
    redis,
    subscriber: createRedis(config),
    key: `${config.QUEUE_PREFIX}:worker-processes`,
    channel: `${config.QUEUE_PREFIX}:lane-released`,
    processId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    heartbeatMs: Math.max(200, Math.floor(config.LANE_LEASE_MS / 2)),
    logger,
  });
  const consumers = createLaneConsumers({
    config,
    db,
    redis,
    queues,
    expiryQueue,
    logger,
    hooks,
    mayAcquire: balancer.mayAcquire,
    onReleased: balancer.released,
    lanes: lanes.all,
    ...(options.wrapProcessor ? { wrapProcessor: options.wrapProcessor } : {}),
  });
  await balancer.start(consumers);
  for (const consumer of consumers) consumer.start();
  logger.info({ lanes: consumers.length, pid: process.pid }, 'worker started');

  onShutdownSignal(
    logger,
    config.SHUTDOWN_TIMEOUT_MS,
    'worker stopping: finishing batches in hand and releasing lanes',
    async () => {
      await balancer.stop();
      await Promise.all([...consumers.map((c) => c.stop()), expiry.stop(), purge.stop()]);
      balancer.close();
      metricsServer?.close();
      await expiryQueue.close().catch(() => undefined);
      await Promise.all([...queues.values()].map((q) => q.close().catch(() => undefined)));
      await redis.quit().catch(() => undefined);
      await db.destroy();
      logger.info('worker stopped');
    },
  );
}

/** The order expiry and the idempotency purge, beside the lanes. */
function startHousekeeping(config: Config, db: Db, redis: RedisClient, logger: Logger) {
  const purge = startIdempotencyPurge({
    db,
    intervalMs: config.IDEMPOTENCY_PURGE_INTERVAL_MS,
    logger,
    ttlS: config.IDEMPOTENCY_TTL_S,
    outcomeRetentionS: config.REQUEST_OUTCOME_RETENTION_S,
  });
  const expiry = startExpiry({
    db,
    queuePrefix: config.QUEUE_PREFIX,
    connection: redis,
    redis,
    sweepIntervalMs: config.EXPIRY_SWEEP_INTERVAL_MS,
    logger,
  });

  return { purge, expiry };
}
