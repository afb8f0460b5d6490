// A CPU profile of one API process under one request path, the way the request-path figures load it
// (wrk -t1, no worker): `node --cpu-prof` on the API, then the profile's busy time by function and
// by package, counted over the measured seconds only (start-up, warm-up and shutdown left out).
//   npm run bench:profile -- --path submit [--seconds 10 --connections 100 --entry dist/apps/api/main.js]
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../src/config.js';
import { insertCoupon } from '../src/coupon/coupon.repository.js';
import { runCli, UsageError, type ParsedArgs } from '../toolkit/args.js';
import { textTable, timestampForFile } from '../toolkit/report.js';
import { ManagedProcess, freePort } from '../rush/processes.js';
import { isolated, type Isolated } from './lib/stack.js';
import { buildEngine, ENGINE_API } from '../toolkit/engine.js';
import { wrk, wrkAvailable, writeSubmitScript, type WrkResult } from './lib/wrk.js';
import { benchCoupon, prepareRequests } from './request-path.js';

const PATHS = ['submit', 'healthz', 'poll-final', 'poll-queued'] as const;
type PathName = (typeof PATHS)[number];

const command = {
  command: 'npm run bench:profile --',
  summary: 'CPU profile of the API under one request path.',
  options: {
    path: { help: PATHS.join(' | '), default: 'submit' },
    seconds: { help: 'seconds profiled, after a 2 s warm-up', default: '10' },
    connections: { help: 'wrk connections', default: '100' },
    entry: {
      help: 'the API entry point (another checkout’s apps/api/main.ts for a before)',
      default: ENGINE_API,
    },
    anchor: {
      help: 'profile the bare anchor server (bench/plain-worker/api.ts) instead: submit or healthz',
      boolean: true,
    },
    top: { help: 'functions listed', default: '30' },
    out: { help: 'where the .cpuprofile is kept', default: 'reports/profiles' },
  },
};

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function and per package over the last `seconds` before `tailMs` of the profile. */
function summarizeProfile(profile: Profile, seconds: number, tailMs: number, top: number) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const end = profile.endTime - tailMs * 1000;
  const start = end - seconds * 1_000_000;
  const self = new Map<number, number>();
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i] ?? 0;
    if (t >= start && t <= end) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  });
  const place = (n: Node) => {
    const url = n.callFrame.url;
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
    if (pkg) return pkg;
    if (url.startsWith('node:')) return 'node';
    if (url === '') return n.callFrame.functionName.startsWith('(') ? n.callFrame.functionName : '(native)';
    return 'engine';
  };
  let busy = 0;
  const fn = new Map<string, number>();
  const pkg = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id);
    if (!n || n.callFrame.functionName === '(idle)') continue;
    busy += us;
    const where = n.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(src|apps|bench)\//, '$1/');
    const key = `${n.callFrame.functionName || '(anonymous)'} ${where}:${n.callFrame.lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    pkg.set(place(n), (pkg.get(place(n)) ?? 0) + us);
    // Inclusive time by function name: each distinct name once per stack.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const c = byId.get(cur);
      if (!c) break;
      const name = `${c.callFrame.functionName || '(anonymous)'} ${place(c)}`;
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + us);
    }
  }
  const share = (us: number) => `${((100 * us) / Math.max(busy, 1)).toFixed(1)}%`;
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  const wall = seconds * 1_000_000;
  return {
    busyShare: busy / wall,
    functions: sorted(fn).map(([k, us]) => [share(us), k]),
    packages: sorted(pkg).map(([k, us]) => [share(us), k]),
    inclusive: sorted(inclusive).map(([k, us]) => [share(us), k]),
  };
}

interface Options {
  path: PathName;
  seconds: number;
  connections: number;
  top: number;
  anchor: boolean;
  entry: string;
  out: string;
}

function readOptions(args: ParsedArgs): Options {
  const path = args.string('path') as PathName;
  if (!PATHS.includes(path)) throw new UsageError(`--path takes ${PATHS.join(', ')}, not ${path}`);
  const anchor = args.flag('anchor');
  if (anchor && path !== 'submit' && path !== 'healthz') throw new UsageError('the anchor has submit and healthz only');
  return {
    path,
    seconds: args.number('seconds', { min: 1, max: 600 }),
    connections: args.number('connections', { min: 1, max: 10_000 }),
    top: args.number('top', { min: 1, max: 500 }),
    anchor,
    entry: anchor ? resolve('bench/plain-worker/api.ts') : resolve(args.string('entry') as string),
    out: resolve(args.string('out') as string),
  };
}

runCli(command, async (args) => {
  const o = readOptions(args);
  if (!(await wrkAvailable())) throw new UsageError('wrk is not installed (apt-get install wrk)');
  if (o.entry === resolve(ENGINE_API)) buildEngine();
  const config = loadConfig();
  const iso = await isolated(config.DATABASE_URL, config.REDIS_URL, 'prof');
  const profDir = await mkdtemp(join(tmpdir(), 'ce-prof-'));
  const port = await freePort();
  const env = {
    DATABASE_URL: iso.databaseUrl,
    REDIS_URL: config.REDIS_URL,
    QUEUE_PREFIX: iso.queuePrefix,
    PORT: String(port),
    LOG_LEVEL: 'info',
    METRICS_PORT: '0',
    MAX_LANE_DEPTH: '10000000',
  };
  const api = new ManagedProcess(
    o.entry,
    { ...env, NODE_OPTIONS: '--max-old-space-size=128' },
    { label: 'api', nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`] },
  );
  try {
    await api.waitForLog(/api listening/);
    const target = await targetOf(o, iso, `http://127.0.0.1:${port}`, env, profDir);
    await profileUnder(api, target, o, profDir);
  } finally {
    await api.stop();
    await rm(profDir, { recursive: true, force: true });
    await iso.close();
  }
});

interface Target {
  url: string;
  script?: string;
  /** The warm-up's submits, other users than the measured ones. */
  warmScript?: string;
}

/** What wrk loads for the path: a URL, and for submits a script that sends a distinct user each time. */
async function targetOf(o: Options, iso: Isolated, url: string, env: Record<string, string>, dir: string) {
  const { finalId, queuedId, submitCoupon } = o.anchor
    ? { finalId: '', queuedId: '', submitCoupon: await insertCoupon(iso.db, benchCoupon(1_000_000)) }
    : await prepareRequests(iso.db, url, env);
  if (o.path === 'healthz') return { url: `${url}/healthz` };
  if (o.path === 'poll-final') return { url: `${url}/requests/${finalId}` };
  if (o.path === 'poll-queued') return { url: `${url}/requests/${queuedId}` };
  return {
    url,
    script: await writeSubmitScript(dir, submitCoupon, 10_000_000),
    warmScript: await writeSubmitScript(dir, submitCoupon, 1),
  };
}

/** Warms up, loads the API for the measured seconds, stops it and prints its profile (kept in `out`). */
async function profileUnder(api: ManagedProcess, target: Target, o: Options, profDir: string): Promise<void> {
  await wrk(target.url, o.connections, 2, target.warmScript);
  const before = api.cpuMs();
  const r = await wrk(target.url, o.connections, o.seconds, target.script);
  const cpuMs = (api.cpuMs() - before) / Math.max(1, r.requests);
  const stopAt = Date.now();
  await api.stop();
  const tailMs = Date.now() - stopAt;
  const file = (await readdir(profDir)).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('the API wrote no profile');
  const raw = await readFile(join(profDir, file), 'utf8');
  await mkdir(o.out, { recursive: true });
  const kept = join(o.out, `api-${o.path}-${timestampForFile()}.cpuprofile`);
  await writeFile(kept, raw);
  printProfile(o.path, r, cpuMs, kept, summarizeProfile(JSON.parse(raw) as Profile, o.seconds, tailMs, o.top));
}

function printProfile(
  path: PathName,
  r: WrkResult,
  cpuMs: number,
  kept: string,
  s: ReturnType<typeof summarizeProfile>,
): void {
  console.log(
    `${path}: ${r.perSecond.toFixed(0)} req/s, p99 ${r.p99Ms.toFixed(1)} ms, ${r.errors} errors, ` +
      `API ${cpuMs.toFixed(3)} ms CPU per request, busy ${(100 * s.busyShare).toFixed(0)}% of one core (profile: ${kept})\n`,
  );
  console.log(`by package (self time, share of busy time):\n${textTable(['share', 'package'], s.packages)}\n`);
  console.log(`by function, inclusive:\n${textTable(['share', 'function'], s.inclusive)}\n`);
  console.log(`by function, self:\n${textTable(['share', 'function'], s.functions)}`);
}
