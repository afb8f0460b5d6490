// Composition root of the API process (`npm start`).
import { startApi } from './server.js';

startApi();
