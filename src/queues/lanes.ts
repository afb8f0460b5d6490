// One BullMQ queue per lane, with the engine's retention of finished jobs.
import { Queue, type ConnectionOptions } from 'bullmq';
import { lanePrefix } from '../lane/lane-keys.js';
import type { LaneSpec } from '../lane/lane.js';

const JOB_RETENTION = {
  removeOnComplete: { age: 3600, count: 20_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

/** `completedRetentionS`: how long a completed job stays (COMPLETED_JOB_RETENTION_S). */
export function createLaneQueue(
  queuePrefix: string,
  lane: { name: string },
  connection: ConnectionOptions,
  completedRetentionS: number = JOB_RETENTION.removeOnComplete.age,
): Queue {
  return new Queue(lane.name, {
    connection,
    prefix: lanePrefix(queuePrefix, lane),
    defaultJobOptions: {
      ...JOB_RETENTION,
      removeOnComplete: { ...JOB_RETENTION.removeOnComplete, age: completedRetentionS },
    },
  });
}

export function createLaneQueues(
  config: { QUEUE_PREFIX: string; COMPLETED_JOB_RETENTION_S?: number },
  connection: ConnectionOptions,
  lanes: readonly LaneSpec[],
): Map<string, Queue> {
  return new Map(
    lanes.map((lane) => [
      lane.name,
      createLaneQueue(config.QUEUE_PREFIX, lane, connection, config.COMPLETED_JOB_RETENTION_S),
    ]),
  );
}
