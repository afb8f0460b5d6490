// Queue depth and lag read from Redis when Prometheus scrapes, so every API process reports the
// same numbers and a lane that stops draining shows within one scrape: its oldest waiting request
// keeps ageing and its decided sequence stops while the accepted one climbs.
import type { Queue } from 'bullmq';
import { Gauge, type Registry } from 'prom-client';
import type { Logger } from '../logger.js';
import type { RedisClient } from '../redis.js';
import { laneKeys } from '../lane/lane-keys.js';
import type { Lane } from '../lane/lane.js';

interface QueueStats {
  queue: string;
  waiting: number;
  active: number;
  oldestAgeSeconds: number;
  lastSequence: number;
  decidedSequence: number | null;
}

/** One read serves every gauge of a scrape (they are collected concurrently). */
const CACHE_MS = 500;

interface QueueMetricsDeps {
  redis: RedisClient;
  /** Every queue of the engine by name: the lanes and any other queue (they all show up). */
  queues: Map<string, Queue>;
  config: { QUEUE_PREFIX: string };
  logger: Logger;
  lanes: { all: readonly Lane[] };
}

type Snapshot = () => Promise<QueueStats[] | null>;

export function registerQueueMetrics(registry: Registry, deps: QueueMetricsDeps): void {
  const snapshot = cachedStats(deps);
  const registers = [registry];
  const gauge = (name: string, help: string, label: string, pick: (s: QueueStats) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: [label],
      registers,
      async collect() {
        const stats = await snapshot();
        // Without Redis there is nothing true to report: drop the series rather than repeat old values.
        this.reset();
        for (const s of stats ?? []) {
          const v = pick(s);
          if (v !== null) this.set({ [label]: s.queue }, v);
        }
      },
    });

  gauge(
    'ce_queue_waiting_jobs',
    'Jobs waiting in the queue (for a lane: accepted, not yet taken)',
    'queue',
    (s) => s.waiting,
  );
  gauge('ce_queue_active_jobs', 'Jobs taken by a consumer and not yet completed', 'queue', (s) => s.active);
  gauge(
    'ce_queue_oldest_waiting_age_seconds',
    'Age of the job that has waited longest (0 when none waits)',
    'queue',
    (s) => s.oldestAgeSeconds,
  );
  gauge('ce_lane_accepted_sequence', 'Last sequence handed out by the lane (requests accepted so far)', 'lane', (s) =>
    s.decidedSequence === null ? null : s.lastSequence,
  );
  gauge('ce_lane_decided_sequence', 'Last sequence the lane has decided', 'lane', (s) => s.decidedSequence);
  new Gauge({
    name: 'ce_redis_up',
    help: '1 when the queue statistics could be read from Redis at the last scrape',
    registers,
    async collect() {
      this.set((await snapshot()) ? 1 : 0);
    },
  });
}

/** Every queue's statistics, read at most once per CACHE_MS; null while Redis does not answer. */
function cachedStats(deps: QueueMetricsDeps): Snapshot {
  const decidedKeys = new Map(
    deps.lanes.all.map((lane) => [lane.name, laneKeys(deps.config.QUEUE_PREFIX, lane).decided]),
  );
  let cached: { at: number; stats: Promise<QueueStats[] | null> } | undefined;
  return () => {
    if (!cached || Date.now() - cached.at > CACHE_MS) {
      const reads = [...deps.queues].map(([name, queue]) => readQueue(deps.redis, name, queue, decidedKeys.get(name)));
      const stats = Promise.all(reads).catch((err: Error) => {
        deps.logger.debug({ err: err.message }, 'queue metrics unavailable');
        return null;
      });
      cached = { at: Date.now(), stats };
    }
    return cached.stats;
  };
}

async function readQueue(redis: RedisClient, name: string, queue: Queue, decidedKey?: string): Promise<QueueStats> {
  // One pipeline per queue: a queue's keys share a hash tag, so this also works on Redis Cluster.
  const pipeline = redis
    .pipeline()
    .llen(queue.toKey('wait'))
    .llen(queue.toKey('active'))
    .lindex(queue.toKey('wait'), -1)
    .get(queue.toKey('id'));
  if (decidedKey) pipeline.get(decidedKey);
  const results = (await pipeline.exec()) ?? [];
  for (const [err] of results) if (err) throw err;
  const value = (i: number) => results[i]?.[1];
  // BullMQ pushes new jobs on the left and takes from the right: the right end waited longest.
  const oldestId = value(2);
  let oldestAgeSeconds = 0;
  if (typeof oldestId === 'string') {
    const timestamp = Number(await redis.hget(queue.toKey(oldestId), 'timestamp'));
    if (timestamp > 0) oldestAgeSeconds = Math.max(0, (Date.now() - timestamp) / 1000);
  }
  return {
    queue: name,
    waiting: Number(value(0) ?? 0),
    active: Number(value(1) ?? 0),
    oldestAgeSeconds,
    lastSequence: Number(value(3) ?? 0),
    decidedSequence: decidedKey ? Number(value(4) ?? 0) : null,
  };
}
