// Entry point of the tests' deliberately unfair worker process: a real worker whose lanes decide
// each batch newest first (reverse-batches.ts).
import { LANE_TYPES } from '../../apps/lane-types.js';
import { runWorker } from '../../workers/worker.js';
import { reverseBatches } from './reverse-batches.js';

await runWorker({ laneTypes: LANE_TYPES, wrapProcessor: reverseBatches });
