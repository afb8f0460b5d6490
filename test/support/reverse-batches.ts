// A deliberately unfair lane for the tests: each batch is decided newest first, so a later request
// overtakes earlier ones. It exists to show that the fairness oracles catch a lane that breaks
// arrival order; production code has no such mode.
import type { LaneProcessor } from '../../src/lane/lane-processor.js';

export function reverseBatches<P>(processor: LaneProcessor<P>): LaneProcessor<P> {
  return {
    ...processor,
    async decide(trx, items, now) {
      const batch = await processor.decide(trx, [...items].reverse(), now);
      // The decisions belong to the reversed items; turn them back to line up with `items`.
      return { ...batch, decisions: [...batch.decisions].reverse() };
    },
  };
}
