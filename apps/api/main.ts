// Composition root of the API process (`npm start`).
import { LANE_TYPES } from '../lane-types.js';
import { startApi } from './server.js';

startApi({ laneTypes: LANE_TYPES });
