// Builds the consumers of every lane this process can serve.
import type { Queue } from 'bullmq';
import type { Config } from '../src/config.js';
import type { Db } from '../src/db/database.js';
import type { Logger } from '../src/logger.js';
import type { RedisClient } from '../src/redis.js';
import { claimProcessor } from '../src/coupon/claim.processor.js';
import { LaneConsumer, type LaneHooks } from '../src/lane/lane-consumer.js';
import type { LaneProcessor } from '../src/lane/lane-processor.js';
import { allLanes, laneKeys, type Lane } from '../src/queues/lanes.js';
import { expiryScheduler } from '../src/order/order-expiry.js';
import { orderProcessor } from '../src/order/order.processor.js';

export function createLaneConsumers(deps: {
  config: Config;
  db: Db;
  redis: RedisClient;
  queues: Map<string, Queue>;
  expiryQueue: Queue;
  logger: Logger;
  hooks?: LaneHooks;
  mayAcquire?: () => boolean;
  onReleased?: (lane: string, reason: 'handoff' | 'shutdown') => void;
  /** Wraps every lane's processor (the tests' deliberately unfair worker reverses batches this way). */
  wrapProcessor?: (processor: LaneProcessor<unknown>) => LaneProcessor<unknown>;
}): LaneConsumer<unknown>[] {
  const { config } = deps;
  const scheduleExpiry = expiryScheduler(deps.expiryQueue);
  const processorFor = (lane: Lane): LaneProcessor<unknown> =>
    lane.type === 'ORDER'
      ? orderProcessor({ paymentWindowMs: config.ORDER_PAYMENT_WINDOW_MS, scheduleExpiry })
      : claimProcessor({
          redis: deps.redis,
          soldOutKey: laneKeys(config.QUEUE_PREFIX, lane).soldOut,
        });

  return allLanes(config.COUPON_LANES).map((lane) => {
    const queue = deps.queues.get(lane.name);
    if (!queue) throw new Error(`missing queue for ${lane.name}`);
    return new LaneConsumer({
      lane,
      queuePrefix: config.QUEUE_PREFIX,
      queue,
      redis: deps.redis,
      db: deps.db,
      logger: deps.logger,
      processor: deps.wrapProcessor ? deps.wrapProcessor(processorFor(lane)) : processorFor(lane),
      batchSize: config.LANE_BATCH_SIZE,
      leaseMs: config.LANE_LEASE_MS,
      ...(deps.hooks ? { hooks: deps.hooks } : {}),
      ...(deps.mayAcquire ? { mayAcquire: deps.mayAcquire } : {}),
      ...(deps.onReleased ? { onReleased: deps.onReleased } : {}),
    });
  });
}
