// Composition root of a worker process (`npm run worker`).
import { LANE_TYPES } from '../apps/lane-types.js';
import { runWorker } from './worker.js';

await runWorker({ laneTypes: LANE_TYPES });
