// Metrics of the lanes a worker process serves, fed by the lane consumers' hooks.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { LaneHooks } from '../lane/lane-consumer.js';

/** `lanes` start as not owned, so a lane nobody owns shows as 0 rather than as a missing series. */
export function createLaneMetrics(registry: Registry, lanes: readonly string[]): LaneHooks {
  const registers = [registry];
  const decisions = new Counter({
    name: 'ce_lane_decisions_total',
    help: 'Requests decided by this process, by lane and outcome (SUCCEEDED or the rejection/failure code)',
    labelNames: ['lane', 'outcome'] as const,
    registers,
  });
  const batchSize = new Histogram({
    name: 'ce_lane_batch_size',
    help: 'Requests decided per batch transaction',
    labelNames: ['lane'] as const,
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000],
    registers,
  });
  const batchDuration = new Histogram({
    name: 'ce_lane_batch_duration_seconds',
    help: 'Time to decide, commit and complete one batch',
    labelNames: ['lane'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  const ownershipChanges = new Counter({
    name: 'ce_lane_ownership_changes_total',
    help: 'Lanes acquired (owned="true") and given up or lost (owned="false") by this process',
    labelNames: ['lane', 'owned'] as const,
    registers,
  });
  const owned = new Gauge({
    name: 'ce_lane_owned',
    help: '1 while this process owns the lane; the sum over all workers should be 1 for every lane',
    labelNames: ['lane'] as const,
    registers,
  });
  const retries = new Counter({
    name: 'ce_lane_batch_retries_total',
    help: 'Batch attempts that failed and were retried in place (database or Redis trouble, poison isolation)',
    labelNames: ['lane'] as const,
    registers,
  });
  for (const lane of lanes) owned.set({ lane }, 0);

  return {
    onBatch(lane, { size, ms, outcomes }) {
      batchSize.observe({ lane }, size);
      batchDuration.observe({ lane }, ms / 1000);
      for (const [outcome, n] of Object.entries(outcomes)) decisions.inc({ lane, outcome }, n);
    },
    onOwnership(lane, isOwner) {
      owned.set({ lane }, isOwner ? 1 : 0);
      ownershipChanges.inc({ lane, owned: String(isOwner) });
    },
    onRetry(lane) {
      retries.inc({ lane });
    },
  };
}
