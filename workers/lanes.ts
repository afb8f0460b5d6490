// Builds the consumers of every lane this process can serve.
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../src/config.js';
import type { Db } from '../src/db/database.js';
import type { Logger } from '../src/logger.js';
import { claimProcessor } from '../src/coupon/claim.processor.js';
import { LaneConsumer, type LaneHooks } from '../src/lane/lane-consumer.js';
import { claimLane, laneKeys } from '../src/queues/lanes.js';

export function createLaneConsumers(deps: {
  config: Config;
  db: Db;
  redis: Redis;
  queues: Map<string, Queue>;
  logger: Logger;
  hooks?: LaneHooks;
}): LaneConsumer<unknown>[] {
  const { config } = deps;
  const consumers: LaneConsumer<unknown>[] = [];
  for (let i = 0; i < config.COUPON_LANES; i++) {
    const lane = claimLane(i);
    const keys = laneKeys(config.QUEUE_PREFIX, lane);
    const queue = deps.queues.get(lane.name);
    if (!queue) throw new Error(`missing queue for ${lane.name}`);
    consumers.push(
      new LaneConsumer({
        lane,
        queuePrefix: config.QUEUE_PREFIX,
        queue,
        redis: deps.redis,
        db: deps.db,
        logger: deps.logger,
        processor: claimProcessor({ redis: deps.redis, soldOutKey: keys.soldOut }),
        batchSize: config.LANE_BATCH_SIZE,
        leaseMs: config.LANE_LEASE_MS,
        ...(deps.hooks ? { hooks: deps.hooks } : {}),
      }) as LaneConsumer<unknown>,
    );
  }
  return consumers;
}
