// The engine as the benchmarks and the soak run it: compiled (`npm run build`), as `npm start` and
// `npm run worker` run it, with their heap caps.
import { spawnSync } from 'node:child_process';

export const ENGINE_API = 'dist/apps/api/main.js';
export const ENGINE_WORKER = 'dist/workers/main.js';

/** Compiles the engine to dist/ (what ENGINE_API and ENGINE_WORKER run). */
export function buildEngine(): void {
  const built = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error(`npm run build exited ${built.status}`);
}

/** The engine's API runs with the heap cap of `npm start` (package.json). */
export const API_NODE_OPTIONS = { NODE_OPTIONS: '--max-old-space-size=128' };
/** The worker runs with the heap cap of `npm run worker`. */
export const WORKER_NODE_OPTIONS = { NODE_OPTIONS: '--max-old-space-size=96' };
