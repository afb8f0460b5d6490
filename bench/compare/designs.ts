// The three systems under test of `npm run bench`, started against one design's own database and
// Redis prefix: (a) this engine's API and one worker, compiled; (b) the naive synchronous server;
// (c) the plain BullMQ API and its worker. Also the warm-up they all get and the CPU they use.
import type { Config } from '../../src/config.js';
import { JsonClient } from '../../rush/http.js';
import { ManagedProcess, freePort, processCpuMs } from '../../rush/processes.js';
import type { RequestResource } from '../../rush/request-resource.js';
import { API_NODE_OPTIONS, ENGINE_API, ENGINE_WORKER, WORKER_NODE_OPTIONS } from '../../toolkit/engine.js';
import type { ProgressBar } from '../../toolkit/progress.js';
import { servicePids, type Isolated } from '../lib/stack.js';

export type Design = 'engine' | 'naive' | 'plain';

export const LABEL: Record<Design, string> = {
  engine: '(a) engine',
  naive: '(b) naive sync',
  plain: '(c) plain BullMQ c=1',
};

/** What every step of the comparison runs against: the configured MariaDB and Redis, and one progress bar. */
export interface BenchContext {
  config: Config;
  progress: ProgressBar;
}

/** The processes of one design, started against its own database and prefix. */
export async function startDesign(
  { config }: BenchContext,
  design: Design,
  iso: Isolated,
): Promise<{ url: string; children: ManagedProcess[] }> {
  const port = await freePort();
  const env = {
    DATABASE_URL: iso.databaseUrl,
    REDIS_URL: config.REDIS_URL,
    QUEUE_PREFIX: iso.queuePrefix,
    ADMIN_TOKEN: 'bench-admin-token-0000',
    PORT: String(port),
    LOG_LEVEL: 'info',
    METRICS_PORT: '0',
  };
  const children: ManagedProcess[] = [];
  if (design === 'engine') {
    const api = new ManagedProcess(ENGINE_API, { ...env, ...API_NODE_OPTIONS }, { label: 'engine api' });
    const worker = new ManagedProcess(ENGINE_WORKER, { ...env, ...WORKER_NODE_OPTIONS }, { label: 'engine worker' });
    children.push(api, worker);
    await Promise.all([api.waitForLog(/api listening/), worker.waitForLog(/worker started/)]);
  } else if (design === 'naive') {
    const server = new ManagedProcess('bench/naive/server.ts', { ...env, POOL_SIZE: '20' }, { label: 'naive server' });
    children.push(server);
    await server.waitForLog(/naive listening/);
  } else {
    const api = new ManagedProcess('bench/plain-worker/api.ts', env, { label: 'plain api' });
    const worker = new ManagedProcess('bench/plain-worker/worker.ts', env, { label: 'plain worker' });
    children.push(api, worker);
    await Promise.all([api.waitForLog(/plain api listening/), worker.waitForLog(/plain worker ready/)]);
  }
  return { url: `http://127.0.0.1:${port}`, children };
}

/** A few hundred requests first, so that no design is measured while its code is still cold. */
export async function warmUp(url: string, requests: { path: string; body: unknown }[]): Promise<number> {
  const client = new JsonClient(url, 50);
  const queued = new Set<string>();
  let next = 0;
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (next < requests.length) {
        const r = requests[next++] as { path: string; body: unknown };
        const res = await client.post<RequestResource>(r.path, r.body);
        if (res.status === 202 && res.body?.requestId) queued.add(res.body.requestId);
      }
    }),
  );
  await client.close();
  return queued.size;
}

/** CPU used by the design's processes and by MariaDB and Redis between `cpuMeter()` and the call it returns. */
export function cpuMeter({ config }: BenchContext, children: ManagedProcess[]) {
  const services = servicePids(Number(new URL(config.REDIS_URL).port || 6379));
  const read = () => ({
    own: children.reduce((sum, c) => sum + c.cpuMs(), 0),
    services: services.reduce((sum, pid) => sum + processCpuMs(pid), 0),
  });
  const before = read();
  return (requests: number) => {
    const after = read();
    return {
      cpuOwnMs: (after.own - before.own) / requests,
      cpuServicesMs: (after.services - before.services) / requests,
      rssMb: Object.fromEntries(children.map((c) => [c.label, c.peakRssMb()])),
    };
  };
}
