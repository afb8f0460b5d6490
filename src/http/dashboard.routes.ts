// The Bull Board dashboard over every queue of the engine. Read-only: retrying, promoting, adding or
// removing a lane's job by hand would break arrival order (or expire an order early), so the board
// is for looking. Its UI files are served from the installed @bull-board/ui package, found through
// module resolution, so the working directory of the process does not matter.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Queue } from 'bullmq';
import type { Lane } from '../lane/lane.js';

export const DASHBOARD_PATH = '/admin/queues';

type ServeStatic = ConstructorParameters<typeof HonoAdapter>[0];

export function dashboardRoutes(deps: { queues: Map<string, Queue>; lanes: { all: readonly Lane[] } }) {
  const uiBasePath = dirname(createRequire(import.meta.url).resolve('@bull-board/ui/package.json'));
  const staticRoot = join(uiBasePath, 'dist', 'static');
  // The adapter hands serveStatic a root relative to the working directory at start-up; pin it to
  // the package instead.
  const pinnedStatic = ((options: Parameters<typeof serveStatic>[0]) =>
    serveStatic({ ...options, root: staticRoot })) as ServeStatic;

  const lanes = new Map(deps.lanes.all.map((lane) => [lane.name, lane]));
  // In a lane the job id, which the board shows as #id beside the readable job name, is the sequence.
  const adapters = [...deps.queues].map(([name, queue]) => {
    const lane = lanes.get(name);
    return new BullMQAdapter(queue, {
      readOnlyMode: true,
      description: lane ? `${lane.laneType.label} lane: decided strictly by sequence (#id)` : '',
    });
  });

  const serverAdapter = new HonoAdapter(pinnedStatic).setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: adapters,
    // @bull-board/hono pins an older @bull-board/api for its types only (at run time it needs none
    // of it), so the two declarations of the same interface differ by a private field.
    serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
    options: {
      uiBasePath,
      uiConfig: { boardTitle: 'Coupon engine', sortQueues: false },
    },
  });
  return serverAdapter.registerPlugin();
}
