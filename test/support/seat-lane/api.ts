// The API process with the tests' seat lane type beside the registry's.
import { startApi } from '../../../apps/api/server.js';
import { LANE_TYPES } from '../../../apps/lane-types.js';
import { seatLaneType } from './seat.lane.js';

startApi({ laneTypes: [...LANE_TYPES, seatLaneType] });
