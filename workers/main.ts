// Composition root of a worker process (`npm run worker`).
import { runWorker } from './worker.js';

await runWorker();
