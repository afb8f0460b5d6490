// The request path side by side: this engine's API against a bare server on the same adapter (Hono
// on @hono/node-server: parse the JSON, check userId, one Queue.add, answer 202; bench/plain-worker/api.ts),
// measured back to back with wrk, a C load generator that takes little of the cores. No worker runs
// while it is measured, so lanes only grow. Each figure: req/s and p99 over `seconds`, after a
// short warm-up of the same request.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { insertCoupon } from '../src/coupon/coupon.repository.js';
import type { Db } from '../src/db/database.js';
import { isolated, type Isolated } from './lib/stack.js';
import { wrk, writeSubmitScript } from './lib/wrk.js';
import { API_NODE_OPTIONS, ENGINE_API, ENGINE_WORKER } from '../toolkit/engine.js';
import { ManagedProcess, freePort } from '../rush/processes.js';

export interface PathFigure {
  path: string;
  /** `anchor`, `engine`, or `baseline` (the engine API of another checkout, for before and after). */
  target: string;
  perSecond: number;
  p99Ms: number;
  /** Answers other than 2xx/3xx (none expected). */
  errors: number;
  /** CPU of the server process per request, ms. */
  serverCpuMs: number;
  /** wrk's own CPU time as a share of the machine's cores over the measurement. */
  generatorShare: number;
}

/** What each engine figure is compared with, and the ratio it should reach. */
const REQUEST_PATHS = [
  { path: 'submit', anchor: 'submit', target: 0.9 },
  { path: 'GET /healthz', anchor: 'GET /healthz', target: 0.5 },
  { path: 'poll, final', anchor: 'GET /healthz', target: 0.3 },
  { path: 'poll, queued', anchor: 'GET /healthz', target: NaN },
] as const;

export const benchCoupon = (totalQuantity: number) => ({
  name: 'request path',
  discountType: 'FIXED' as const,
  discountValue: 1000,
  maxDiscountAmount: null,
  minOrderAmount: 0,
  totalQuantity,
  claimStartsAt: null,
  claimEndsAt: null,
  validDays: 7,
});

interface RequestPathOptions {
  databaseUrl: string;
  redisUrl: string;
  connections: number;
  seconds: number;
  /** The root of another checkout whose API is measured beside this one (before and after). */
  baselineDir?: string | undefined;
}

/** A server under measurement and what its figures load: a final and a queued request, a coupon to claim. */
interface Server {
  target: string;
  child: ManagedProcess;
  url: string;
  finalId: string;
  queuedId: string;
  coupon: number;
}

export async function measureRequestPath(opts: RequestPathOptions): Promise<PathFigure[]> {
  const engines = [
    { target: 'engine', entry: ENGINE_API },
    ...(opts.baselineDir ? [{ target: 'baseline', entry: join(opts.baselineDir, 'apps/api/main.ts') }] : []),
  ];
  const isos = await Promise.all(engines.map((e) => isolated(opts.databaseUrl, opts.redisUrl, `rp${e.target[0]}`)));
  const anchorIso = await isolated(opts.databaseUrl, opts.redisUrl, 'rpa');
  const dir = await mkdtemp(join(tmpdir(), 'ce-rp-'));
  const children: ManagedProcess[] = [];
  try {
    const anchor = await startAnchor(anchorIso, opts.redisUrl, children);
    const servers: Server[] = [];
    for (const [i, e] of engines.entries()) {
      servers.push(await startEngine(e.target, e.entry, isos[i] as Isolated, opts.redisUrl, children));
    }
    return await measureServers(anchor, servers, opts, dir);
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    await rm(dir, { recursive: true, force: true });
    await Promise.all([...isos, anchorIso].map((i) => i.close()));
  }
}

const serverEnv = async (iso: Isolated, redisUrl: string) => ({
  DATABASE_URL: iso.databaseUrl,
  REDIS_URL: redisUrl,
  QUEUE_PREFIX: iso.queuePrefix,
  PORT: String(await freePort()),
  LOG_LEVEL: 'warn',
  METRICS_PORT: '0',
  MAX_LANE_DEPTH: '10000000',
});

async function startAnchor(iso: Isolated, redisUrl: string, children: ManagedProcess[]): Promise<Server> {
  const env = await serverEnv(iso, redisUrl);
  const child = new ManagedProcess('bench/plain-worker/api.ts', env, { label: 'anchor api' });
  children.push(child);
  await child.waitForLog(/plain api listening/);
  const coupon = await insertCoupon(iso.db, benchCoupon(1_000_000));
  return { target: 'anchor', child, url: `http://127.0.0.1:${env.PORT}`, finalId: '', queuedId: '', coupon };
}

async function startEngine(
  target: string,
  entry: string,
  iso: Isolated,
  redisUrl: string,
  children: ManagedProcess[],
): Promise<Server> {
  const env = await serverEnv(iso, redisUrl);
  const child = new ManagedProcess(
    entry,
    { ...env, ...API_NODE_OPTIONS, LOG_LEVEL: 'info' },
    { label: `${target} api` },
  );
  children.push(child);
  await child.waitForLog(/api listening/);
  const url = `http://127.0.0.1:${env.PORT}`;
  const { finalId, queuedId, submitCoupon } = await prepareRequests(iso.db, url, env);
  return { target, child, url, finalId, queuedId, coupon: submitCoupon };
}

/** Every figure, each engine figure right after its anchor's, so both meet the same load on the machine. */
async function measureServers(anchor: Server, engines: Server[], opts: RequestPathOptions, dir: string) {
  const figures: PathFigure[] = [];
  // A submit's warm-up and its measurement each get a script of their own, so every measured submit is a new user's.
  const run = async (server: Server, path: string, url: string, script?: () => Promise<string>) => {
    await wrk(url, opts.connections, 2, await script?.());
    const measured = await script?.();
    const before = server.child.cpuMs();
    const r = await wrk(url, opts.connections, opts.seconds, measured);
    const serverCpuMs = (server.child.cpuMs() - before) / Math.max(1, r.requests);
    figures.push({ path, target: server.target, ...r, serverCpuMs });
  };
  let firstUser = 1_000;
  const submitScript = async (couponId: number) => {
    const file = await writeSubmitScript(dir, couponId, firstUser);
    firstUser += 10_000_000;
    return file;
  };
  await run(anchor, 'GET /healthz', `${anchor.url}/healthz`);
  for (const t of engines) await run(t, 'GET /healthz', `${t.url}/healthz`);
  for (const t of engines) await run(t, 'poll, final', `${t.url}/requests/${t.finalId}`);
  for (const t of engines) await run(t, 'poll, queued', `${t.url}/requests/${t.queuedId}`);
  await run(anchor, 'submit', anchor.url, () => submitScript(anchor.coupon));
  for (const t of engines) await run(t, 'submit', t.url, () => submitScript(t.coupon));
  return figures;
}

/** One request decided by a worker (then stopped) and one left queued, both on the engine. */
export async function prepareRequests(db: Db, url: string, env: Record<string, string>) {
  const claim = async (couponId: number, userId: number, query = '') => {
    const res = await fetch(`${url}/coupons/${couponId}/claims`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ userId }),
    });
    if (res.status !== 202) throw new Error(`claim answered ${res.status}: ${await res.text()}`);
    const { requestId } = (await res.json()) as { requestId: string };
    if (query) await fetch(`${url}/requests/${requestId}${query}`);
    return requestId;
  };
  const worker = new ManagedProcess(ENGINE_WORKER, { ...env, LOG_LEVEL: 'info' }, { label: 'engine worker' });
  let finalId: string;
  try {
    await worker.waitForLog(/worker started/);
    finalId = await claim(await insertCoupon(db, benchCoupon(10)), 1, '?waitMs=10000');
  } finally {
    await worker.stop();
  }
  const state = (await (await fetch(`${url}/requests/${finalId}`)).json()) as { status: string };
  if (state.status !== 'SUCCEEDED') throw new Error(`request ${finalId} is ${state.status}, not SUCCEEDED`);
  const submitCoupon = await insertCoupon(db, benchCoupon(1_000_000));
  return { finalId, queuedId: await claim(submitCoupon, 2), submitCoupon };
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

/** Medians over runs; every ratio is taken within a run, then its median. */
export function summarizeRequestPath(runs: PathFigure[][], median: (xs: number[]) => number) {
  const targets = [...new Set(runs.flat().map((f) => f.target))].filter((t) => t !== 'anchor');
  const find = (run: PathFigure[], target: string, path: string) =>
    run.find((f) => f.target === target && f.path === path);
  const rows = REQUEST_PATHS.flatMap(({ path, anchor, target: goal }) => {
    const anchorRate = median(runs.map((r) => find(r, 'anchor', anchor)?.perSecond ?? NaN));
    return targets.map((target) => {
      const pick = (f: (x: PathFigure) => number) =>
        median(runs.map((r) => f(find(r, target, path) ?? ({} as PathFigure))));
      const ratio = median(
        runs.map((r) => (find(r, target, path)?.perSecond ?? NaN) / (find(r, 'anchor', anchor)?.perSecond ?? NaN)),
      );
      return {
        path,
        target,
        anchor,
        anchorPerSecond: anchorRate,
        perSecond: pick((x) => x.perSecond),
        p99Ms: pick((x) => x.p99Ms),
        serverCpuMs: pick((x) => x.serverCpuMs),
        generatorShare: pick((x) => x.generatorShare),
        errors: pick((x) => x.errors),
        ratio,
        goal,
      };
    });
  });
  const anchorP99 = (path: string) => median(runs.map((r) => find(r, 'anchor', path)?.p99Ms ?? NaN));
  const header = [
    'path',
    'server',
    'req/s',
    'p99 ms',
    'CPU ms/req',
    'vs anchor',
    'anchor req/s (p99)',
    'target',
    'wrk CPU',
  ];
  const table = rows.map((r) => [
    r.path,
    r.target,
    fmt(r.perSecond),
    fmt(r.p99Ms, 1),
    fmt(r.serverCpuMs, 3),
    `${fmt(r.ratio, 2)}× ${r.anchor === r.path ? '' : `(${r.anchor})`}`.trim(),
    `${fmt(r.anchorPerSecond)} (${fmt(anchorP99(r.anchor), 1)} ms)`,
    Number.isFinite(r.goal)
      ? `≥ ${r.goal}×${r.target === 'engine' ? (r.ratio >= r.goal ? ' met' : ' MISSED') : ''}`
      : '-',
    `${fmt(r.generatorShare * 100, 1)}%`,
  ]);
  return { rows, header, table };
}
