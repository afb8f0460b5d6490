// Builds the consumers of every lane this process can serve, one per lane of each lane type.
import type { Queue } from 'bullmq';
import type { Config } from '../src/config.js';
import type { Db } from '../src/db/database.js';
import type { Logger } from '../src/logger.js';
import type { RedisClient } from '../src/redis.js';
import { LaneConsumer, type LaneHooks } from '../src/lane/lane-consumer.js';
import type { LaneProcessor } from '../src/lane/lane-processor.js';
import type { JobEnvelope, Lane } from '../src/lane/lane.js';
import { expiryScheduler } from '../src/order/order-expiry.js';

export function createLaneConsumers(deps: {
  config: Config;
  db: Db;
  redis: RedisClient;
  queues: Map<string, Queue>;
  expiryQueue: Queue;
  logger: Logger;
  lanes: readonly Lane[];
  hooks?: LaneHooks;
  mayAcquire?: () => boolean;
  onReleased?: (lane: string, reason: 'handoff' | 'shutdown') => void;
  /** Wraps every lane's processor (the tests' deliberately unfair worker reverses batches this way). */
  wrapProcessor?: (processor: LaneProcessor<JobEnvelope>) => LaneProcessor<JobEnvelope>;
}): LaneConsumer<JobEnvelope>[] {
  const { config, redis } = deps;
  const scheduleExpiry = expiryScheduler(deps.expiryQueue);
  return deps.lanes.map((lane) => {
    const queue = deps.queues.get(lane.name);
    if (!queue) throw new Error(`missing queue for ${lane.name}`);
    const processor = lane.laneType.processor({ config, db: deps.db, redis, lane, scheduleExpiry });
    return new LaneConsumer({
      lane,
      queuePrefix: config.QUEUE_PREFIX,
      queue,
      redis,
      db: deps.db,
      logger: deps.logger,
      processor: deps.wrapProcessor ? deps.wrapProcessor(processor) : processor,
      batchSize: config.LANE_BATCH_SIZE,
      leaseMs: config.LANE_LEASE_MS,
      ...(deps.hooks ? { hooks: deps.hooks } : {}),
      ...(deps.mayAcquire ? { mayAcquire: deps.mayAcquire } : {}),
      ...(deps.onReleased ? { onReleased: deps.onReleased } : {}),
    });
  });
}
