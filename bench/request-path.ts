// The request path side by side: this engine's API against a bare server on the same adapter (Hono
// on @hono/node-server: parse the JSON, check userId, one Queue.add, answer 202; bench/plain-worker/api.ts),
// measured back to back with wrk, a C load generator that takes little of the cores. No worker runs
// while it is measured, so lanes only grow. Each figure: req/s and p99 over `seconds`, after a
// short warm-up of the same request.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { insertCoupon } from '../src/coupon/coupon.repository.js';
import type { Db } from '../src/db/database.js';
import { isolated, type Isolated } from './lib/stack.js';
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
export const REQUEST_PATHS = [
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

export async function wrkAvailable(): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('wrk', ['--version'], { stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('exit', () => resolve(true));
  });
}

export async function measureRequestPath(opts: {
  databaseUrl: string;
  redisUrl: string;
  connections: number;
  seconds: number;
  /** The root of another checkout whose API is measured beside this one (before and after). */
  baselineDir?: string | undefined;
}): Promise<PathFigure[]> {
  const engines = [
    { target: 'engine', entry: ENGINE_API },
    ...(opts.baselineDir ? [{ target: 'baseline', entry: join(opts.baselineDir, 'apps/api/main.ts') }] : []),
  ];
  const isos = await Promise.all(engines.map((e) => isolated(opts.databaseUrl, opts.redisUrl, `rp${e.target[0]}`)));
  const anchorIso = await isolated(opts.databaseUrl, opts.redisUrl, 'rpa');
  const dir = await mkdtemp(join(tmpdir(), 'ce-rp-'));
  const children: ManagedProcess[] = [];
  const env = async (db: { databaseUrl: string; queuePrefix: string }) => ({
    DATABASE_URL: db.databaseUrl,
    REDIS_URL: opts.redisUrl,
    QUEUE_PREFIX: db.queuePrefix,
    PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    METRICS_PORT: '0',
    MAX_LANE_DEPTH: '10000000',
  });
  try {
    const anchorEnv = await env(anchorIso);
    const anchor = new ManagedProcess('bench/plain-worker/api.ts', anchorEnv, { label: 'anchor api' });
    children.push(anchor);
    const anchorUrl = `http://127.0.0.1:${anchorEnv.PORT}`;
    const targets: {
      target: string;
      child: ManagedProcess;
      url: string;
      finalId: string;
      queuedId: string;
      coupon: number;
    }[] = [];
    for (const [i, e] of engines.entries()) {
      const iso = isos[i] as Isolated;
      const engineEnv = await env(iso);
      const child = new ManagedProcess(
        e.entry,
        { ...engineEnv, ...API_NODE_OPTIONS, LOG_LEVEL: 'info' },
        { label: `${e.target} api` },
      );
      children.push(child);
      await child.waitForLog(/api listening/);
      const url = `http://127.0.0.1:${engineEnv.PORT}`;
      const { finalId, queuedId, submitCoupon } = await prepareRequests(iso.db, url, engineEnv);
      targets.push({ target: e.target, child, url, finalId, queuedId, coupon: submitCoupon });
    }
    await anchor.waitForLog(/plain api listening/);
    const anchorCoupon = await insertCoupon(anchorIso.db, benchCoupon(1_000_000));

    const figures: PathFigure[] = [];
    // A submit's warm-up and its measurement each get a script of their own, so every measured submit is a new user's.
    const run = async (
      target: string,
      path: string,
      child: ManagedProcess,
      url: string,
      script?: () => Promise<string>,
    ) => {
      await wrk(url, opts.connections, 2, await script?.());
      const measured = await script?.();
      const before = child.cpuMs();
      const r = await wrk(url, opts.connections, opts.seconds, measured);
      const serverCpuMs = (child.cpuMs() - before) / Math.max(1, r.requests);
      figures.push({ path, target, ...r, serverCpuMs });
    };
    let firstUser = 1_000;
    const submitScript = async (couponId: number) => {
      const file = await writeSubmitScript(dir, couponId, firstUser);
      firstUser += 10_000_000;
      return file;
    };
    // Each engine figure right after its anchor, so both meet the same load on the machine.
    await run('anchor', 'GET /healthz', anchor, `${anchorUrl}/healthz`);
    for (const t of targets) await run(t.target, 'GET /healthz', t.child, `${t.url}/healthz`);
    for (const t of targets) await run(t.target, 'poll, final', t.child, `${t.url}/requests/${t.finalId}`);
    for (const t of targets) await run(t.target, 'poll, queued', t.child, `${t.url}/requests/${t.queuedId}`);
    await run('anchor', 'submit', anchor, anchorUrl, () => submitScript(anchorCoupon));
    for (const t of targets) await run(t.target, 'submit', t.child, t.url, () => submitScript(t.coupon));
    return figures;
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    await rm(dir, { recursive: true, force: true });
    await Promise.all([...isos, anchorIso].map((i) => i.close()));
  }
}

/** A wrk script that claims `couponId`, every request as a new user from `firstUser` on (so no limit per user or place in line ever answers instead). */
export async function writeSubmitScript(dir: string, couponId: number, firstUser: number): Promise<string> {
  const file = join(dir, `submit-${couponId}-${firstUser}.lua`);
  await writeFile(
    file,
    `local n = ${firstUser}\nwrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n` +
      `request = function()\n  n = n + 1\n  return wrk.format(nil, "/coupons/${couponId}/claims", nil, '{"userId":' .. n .. '}')\nend\n`,
  );
  return file;
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

export interface WrkResult {
  perSecond: number;
  p99Ms: number;
  requests: number;
  errors: number;
  generatorShare: number;
}

/** wrk -t1 under bash, whose `times` reports the CPU that wrk used. */
export async function wrk(url: string, connections: number, seconds: number, script?: string): Promise<WrkResult> {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', ...(script ? ['-s', script] : []), url];
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn('bash', ['-c', `wrk ${quoted}; times`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (c: Buffer) => (text += c.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}: ${text}`))));
  });
  const perSecond = Number(/Requests\/sec:\s+([0-9.]+)/.exec(out)?.[1]);
  const requests = Number(/([0-9]+) requests in/.exec(out)?.[1]);
  const p99 = /\s99%\s+([0-9.]+)(us|ms|s)\b/.exec(out);
  const p99Ms = p99 ? Number(p99[1]) * ({ us: 0.001, ms: 1, s: 1000 }[p99[2] as 'us' | 'ms' | 's'] ?? NaN) : NaN;
  const errors = Number(/Non-2xx or 3xx responses:\s+([0-9]+)/.exec(out)?.[1] ?? 0);
  // `times` prints the shell's own user/system time, then its children's: wrk's.
  const child = /\n(\d+)m([0-9.]+)s (\d+)m([0-9.]+)s\s*$/.exec(out);
  const cpuS = child ? Number(child[1]) * 60 + Number(child[2]) + Number(child[3]) * 60 + Number(child[4]) : NaN;
  return { perSecond, p99Ms, requests, errors, generatorShare: cpuS / (seconds * cpus().length) };
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
