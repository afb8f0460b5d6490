// A worker process that also serves the tests' seat lane type.
import { runWorker } from '../../../workers/worker.js';
import { LANE_TYPES } from '../../../apps/lane-types.js';
import { seatLaneType } from './seat.lane.js';

await runWorker({ laneTypes: [...LANE_TYPES, seatLaneType] });
