// One command that drives the same rush through three designs against the same MariaDB and Redis,
// each with its own database and Redis prefix, and verifies each with the oracles:
//   (a) engine: this engine's API and one worker process (lanes decided in batches),
//   (b) naive:  one row-locked transaction per claim inside the HTTP handler (bench/naive),
//   (c) plain:  an API that enqueues + one BullMQ worker, concurrency 1, one transaction per job.
// Then each lane's decide rate with the lane pre-filled ((a) vs (c)), an order rush (a) vs (b), and
// the request path against a bare enqueue with wrk. The steps live in bench/compare/.
//   npm run bench -- [--claims 20000 --stock 5000 --users 15000 --connections 200 --runs 1]
import { loadavg } from 'node:os';
import { loadConfig } from '../src/config.js';
import { makePlan } from '../rush/claims.js';
import { runCli, UsageError, type ParsedArgs } from '../toolkit/args.js';
import { buildEngine } from '../toolkit/engine.js';
import { median } from '../toolkit/histogram.js';
import { ProgressBar } from '../toolkit/progress.js';
import { textTable } from '../toolkit/report.js';
import { claimRush } from './compare/claims.js';
import { LABEL, type BenchContext, type Design } from './compare/designs.js';
import { printRow, type RushResult } from './compare/figures.js';
import { laneRate } from './compare/lane-rate.js';
import { orderRush } from './compare/orders.js';
import { describeMachine, writeResult, type Machine } from './compare/report.js';
import { summarize, type LaneRates } from './compare/summary.js';
import { wrkAvailable } from './lib/wrk.js';
import { measureRequestPath, summarizeRequestPath, type PathFigure } from './request-path.js';

const command = {
  command: 'npm run bench --',
  summary: 'Engine vs naive vs plain-worker benchmark.',
  options: {
    claims: { help: 'claims in the coupon rush', default: '20000' },
    stock: { help: 'coupon totalQuantity', default: '5000' },
    users: { help: 'distinct users (the rest are repeat claims)', default: '15000' },
    connections: { help: 'connections of the load generator', default: '200' },
    runs: { help: 'repeat everything N times and report medians', default: '1' },
    designs: { help: 'comma-separated subset of engine,naive,plain', default: 'engine,naive,plain' },
    'lane-claims': { help: 'claims pre-filled for the lane decide rate (0 = skip)', default: '20000' },
    orders: { help: 'orders in the order rush, (a) vs (b) (0 = skip)', default: '20000' },
    'order-stock': { help: 'stock of the product in the order rush', default: '5000' },
    'request-path': {
      help: 'seconds per request-path figure, engine API vs a bare enqueue, with wrk (0 = skip)',
      default: '10',
    },
    'request-path-connections': { help: 'wrk connections for the request-path figures', default: '100' },
    baseline: { help: 'root of another checkout whose API the request-path figures measure too (before/after)' },
    only: { help: '`request-path`: measure only the request path, no rushes' },
    out: { help: 'directory for the JSON result', default: 'reports' },
  },
};

interface Params {
  claims: number;
  stock: number;
  users: number;
  connections: number;
  runs: number;
  laneClaims: number;
  orders: number;
  orderStock: number;
  designs: Design[];
  outDir: string;
  pathSeconds: number;
  pathConnections: number;
  baselineDir: string | undefined;
  withRushes: boolean;
}

/** Everything measured, run by run. */
interface Collected {
  rushes: RushResult[][];
  lanes: LaneRates[];
  paths: PathFigure[][];
  /** The 1-minute load average before the first run and after the last. */
  loads: number[];
}

runCli(command, async (args) => {
  const p = readParams(args);
  const withPath = p.pathSeconds > 0 && (await wrkAvailable());
  if (p.pathSeconds > 0 && !withPath) console.log('request path: skipped, wrk is not installed (apt-get install wrk)');
  buildEngine();
  const ctx: BenchContext = { config: loadConfig(), progress: new ProgressBar() };
  const machine = await describeMachine(ctx.config);
  console.log(
    `bench: ${p.claims} claims on a coupon of ${p.stock} by ${p.users} users, ${p.connections} connections, ${p.runs} run(s)\n` +
      `machine: ${machine.cpus} cpus, ${machine.memoryGiB} GiB, Node ${machine.node}, MariaDB ${machine.mariadb}, Redis ${machine.redis}`,
  );
  const started = Date.now();
  const collected: Collected = { rushes: [], lanes: [], paths: [], loads: [loadavg()[0] as number] };
  for (let run = 1; run <= p.runs; run++) await runOnce(ctx, p, run, withPath, collected);
  collected.loads.push(loadavg()[0] as number);
  await finish(p, machine, collected, started);
});

function readParams(args: ParsedArgs): Params {
  const claims = args.number('claims', { min: 100, max: 1_000_000 });
  const designs = (args.string('designs') as string).split(',').map((d) => d.trim()) as Design[];
  for (const d of designs) if (!(d in LABEL)) throw new UsageError(`unknown design ${d}`);
  const only = args.string('only');
  if (only !== undefined && only !== 'request-path') throw new UsageError(`--only takes request-path, not ${only}`);
  return {
    claims,
    stock: args.number('stock', { min: 1, max: claims }),
    users: args.number('users', { min: 1, max: claims }),
    connections: args.number('connections', { min: 1, max: 2_000 }),
    runs: args.number('runs', { min: 1, max: 20 }),
    laneClaims: args.number('lane-claims', { min: 0, max: 1_000_000 }),
    orders: args.number('orders', { min: 0, max: 1_000_000 }),
    orderStock: args.number('order-stock', { min: 1, max: 1_000_000_000 }),
    designs,
    outDir: args.string('out') as string,
    pathSeconds: args.number('request-path', { min: 0, max: 600 }),
    pathConnections: args.number('request-path-connections', { min: 1, max: 10_000 }),
    baselineDir: args.string('baseline'),
    withRushes: only === undefined,
  };
}

const tableOf = (s: { header: string[]; table: string[][] }) => [s.header, s.table] as const;

/** One run: the request path, then the rushes, then the lanes' decide rates. */
async function runOnce(ctx: BenchContext, p: Params, run: number, withPath: boolean, collected: Collected) {
  // Other processes on the machine skew every figure; the load average says how much there was.
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  console.log(`\n== run ${run} of ${p.runs} (load average ${load})`);
  if (withPath) {
    const figures = await measureRequestPath({
      databaseUrl: ctx.config.DATABASE_URL,
      redisUrl: ctx.config.REDIS_URL,
      connections: p.pathConnections,
      seconds: p.pathSeconds,
      baselineDir: p.baselineDir,
    });
    console.log(textTable(...tableOf(summarizeRequestPath([figures], median))));
    collected.paths.push(figures);
  }
  if (!p.withRushes) return;
  collected.rushes.push(await rushes(ctx, p, run));
  if (p.laneClaims > 0) collected.lanes.push(await laneRates(ctx, p));
}

/** The claim rush through every design, then the order rush through the engine and the naive design. */
async function rushes(ctx: BenchContext, p: Params, run: number): Promise<RushResult[]> {
  const plan = makePlan([1], p.users, p.claims, 1_000_000 + run * 10_000_000).map((item) => item.userId);
  const results: RushResult[] = [];
  for (const design of p.designs) {
    const result = await claimRush(ctx, design, plan, p.stock, p.connections);
    printRow(result);
    results.push(result);
  }
  if (p.orders === 0 || !p.designs.includes('engine')) return results;
  const orderPlan = Array.from({ length: p.orders }, (_, i) => 50_000_000 + run * 1_000_000 + i);
  for (const design of ['engine', 'naive'] as const) {
    if (!p.designs.includes(design)) continue;
    const result = await orderRush(ctx, design, orderPlan, p.orderStock, p.connections);
    printRow(result);
    results.push(result);
  }
  return results;
}

async function laneRates(ctx: BenchContext, p: Params): Promise<LaneRates> {
  const users = Math.round(p.laneClaims * (p.users / p.claims));
  const plan = makePlan([1], users, p.laneClaims, 1).map((item) => item.userId);
  const engine = p.designs.includes('engine') ? await laneRate(ctx, 'engine', plan, p.stock) : NaN;
  const plain = p.designs.includes('plain') ? await laneRate(ctx, 'plain', plan, p.stock) : NaN;
  console.log(
    `lane decide rate, pre-filled ${p.laneClaims}: engine ${Math.round(engine)}/s, plain ${Math.round(plain)}/s`,
  );
  return { engine, plain };
}

/** Prints the medians over every run and writes the JSON result. */
async function finish(p: Params, machine: Machine, c: Collected, started: number): Promise<void> {
  const summary = summarize(c.rushes, c.lanes, p.runs);
  const pathSummary = c.paths.length > 0 ? summarizeRequestPath(c.paths, median) : undefined;
  console.log(
    `\n== medians of ${p.runs} run(s), ${((Date.now() - started) / 1000).toFixed(0)} s in all, 1-minute load average ${c.loads[0]?.toFixed(2)} before, ${c.loads.at(-1)?.toFixed(2)} after`,
  );
  if (p.withRushes) console.log(summary.text);
  if (pathSummary) {
    console.log(`\nrequest path (wrk -t1 -c${p.pathConnections}, ${p.pathSeconds} s each, no worker running):`);
    console.log(textTable(...tableOf(pathSummary)));
  }
  const { claims, stock, users, connections, runs, laneClaims, orders, orderStock } = p;
  const file = await writeResult(p.outDir, {
    machine,
    params: { claims, stock, users, connections, runs, laneClaims, orders, orderStock },
    loadAverage: c.loads,
    rushes: c.rushes,
    lanes: c.lanes,
    medians: summary.medians,
    requestPath: { runs: c.paths, medians: pathSummary?.rows },
  });
  console.log(`\nresult: ${file}`);
}
