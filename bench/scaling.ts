// The scaling curve: 1, 2, 4 and 8 coupons at once, each in a lane of its own, lanes pre-filled
// (API idle) and drained by worker processes; reports total decided claims/s for each step.
// Rate = claims / (last outcome's finished_at - first outcome's finished_at), as in bench:lane.
//   npm run bench:scaling
//   npm run bench:scaling -- --steps 1,2,4,8 --claims 10000 --stock 2500 --users 7500 --workers 1 --runs 3
// With REDIS_CLUSTER_NODES set, the lanes live on that Redis Cluster.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.js';
import { createDb, type Db } from '../src/db/database.js';
import { dropDatabase, migrateToLatest } from '../src/db/migrate.js';
import { createRedis, deleteKeysWithPrefix, type RedisClient } from '../src/redis.js';
import { createLaneQueue, laneForCoupon } from '../rush/lanes.js';
import { commandArgs, UsageError } from '../toolkit/args.js';
import { cpuSeconds, machineTicks, mysqlCpuSeconds, redisCpuSeconds } from './lib/cpu.js';
import { claimJob, insertCoupon, prefill } from './lib/prefill.js';
import { buildEngine, ENGINE_WORKER, WORKER_NODE_OPTIONS } from '../toolkit/engine.js';

const command = {
  command: 'npm run bench:scaling --',
  summary: 'Total decided claims/s with 1, 2, 4 … busy lanes on the worker processes.',
  options: {
    steps: { help: 'comma-separated numbers of coupons (lanes) at once, each 1 … 8', default: '1,2,4,8' },
    claims: { help: 'claims pre-filled per lane', default: '10000' },
    stock: { help: 'totalQuantity of each coupon', default: '2500' },
    users: { help: 'distinct users per coupon (the rest are repeats)', default: '7500' },
    workers: { help: 'worker processes', default: '1' },
    batch: { help: "the workers' LANE_BATCH_SIZE (default: the engine's)" },
    runs: { help: 'runs per step; the median run stands for the step', default: '1' },
  },
};
const LANES = 8;
const { steps, perLane, stock, users, workerCount, batch, runs } = commandArgs(command, (args) => {
  const steps = (args.string('steps') as string).split(',').map(Number);
  if (steps.some((n) => !Number.isInteger(n) || n < 1 || n > LANES)) throw new UsageError(`--steps must be 1…${LANES}`);
  return {
    steps,
    perLane: args.number('claims', { min: 1, max: 10_000_000 }),
    stock: args.number('stock', { min: 1, max: 1_000_000_000 }),
    users: args.number('users', { min: 1, max: 10_000_000 }),
    workerCount: args.number('workers', { min: 1, max: 32 }),
    batch: args.optionalNumber('batch', { min: 1, max: 100_000 }),
    runs: args.number('runs', { min: 1, max: 50 }),
  };
});

const base = loadConfig();

interface Measured {
  coupons: number;
  claims: number;
  seconds: number;
  rate: number;
  perLane: number[];
  workerCpu: number;
  redisCpu: number;
  mysqlCpu: number;
  machineCpu: number;
}

async function measure(coupons: number): Promise<Measured> {
  const suffix = randomBytes(3).toString('hex');
  const url = new URL(base.DATABASE_URL);
  url.pathname = `/ce_scaling_${suffix}`;
  const databaseUrl = url.toString();
  const prefix = `cescale${suffix}`;
  await migrateToLatest(databaseUrl);
  const db = createDb(databaseUrl);
  const redis = createRedis(base);
  let workers: ChildProcess[] = [];
  try {
    await fillLanes(db, redis, prefix, coupons);
    const total = coupons * perLane;
    workers = startWorkers(databaseUrl, prefix);
    const sample = async () => ({
      worker: (await Promise.all(workers.map((w) => cpuSeconds(w.pid ?? -1)))).reduce((a, b) => a + b, 0),
      redis: await redisCpuSeconds(redis),
      mysql: await mysqlCpuSeconds(db),
      ticks: await machineTicks(),
    });
    const { from, atEnd } = await awaitDecided(db, total, sample);
    const spans = await laneSpans(db);
    const first = Math.min(...spans.map((s) => s.first));
    const wall = Math.max(0.001, (Math.max(...spans.map((s) => s.last)) - first) / 1000);
    return {
      coupons,
      claims: total,
      seconds: wall,
      rate: total / wall,
      perLane: spans.map((s) => s.n / Math.max(0.001, (s.last - s.first) / 1000)),
      workerCpu: (atEnd.worker - from.worker) / wall,
      redisCpu: (atEnd.redis - from.redis) / wall,
      mysqlCpu: (atEnd.mysql - from.mysql) / wall,
      machineCpu: (atEnd.ticks.busy - from.ticks.busy) / Math.max(1, atEnd.ticks.total - from.ticks.total),
    };
  } finally {
    await stopWorkers(workers);
    await db.destroy();
    await deleteKeysWithPrefix(redis, prefix);
    redis.disconnect();
    await dropDatabase(databaseUrl);
  }
}

/** One coupon per lane, each lane pre-filled with `perLane` claims. */
async function fillLanes(db: Db, redis: RedisClient, prefix: string, coupons: number): Promise<void> {
  const ids: number[] = [];
  for (let i = 0; i < coupons; i++) ids.push(await insertCoupon(db, 'scaling', stock));
  const lanes = ids.map((id) => laneForCoupon(id, LANES));
  if (new Set(lanes.map((l) => l.name)).size !== coupons) throw new Error('two coupons share a lane');
  // Fill the lanes side by side so each lane's sequence order is its own arrival order.
  await Promise.all(
    ids.map(async (couponId, k) => {
      const queue = createLaneQueue(prefix, lanes[k]!, redis);
      await prefill(queue, perLane, (i) => claimJob(couponId, i, users));
      await queue.close();
    }),
  );
}

function startWorkers(databaseUrl: string, prefix: string): ChildProcess[] {
  const env = {
    ...process.env,
    ...WORKER_NODE_OPTIONS,
    DATABASE_URL: databaseUrl,
    QUEUE_PREFIX: prefix,
    COUPON_LANES: String(LANES),
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    METRICS_PORT: '0',
    ...(batch ? { LANE_BATCH_SIZE: String(batch) } : {}),
  };
  return Array.from({ length: workerCount }, () =>
    spawn(process.execPath, [ENGINE_WORKER], { env, stdio: ['ignore', 'inherit', 'inherit'] }),
  );
}

/**
 * Waits until every claim is decided; the CPU samples at the first decision and at the end (CPU is
 * counted from the first decision on, so process start-up is left out as in the rate).
 */
async function awaitDecided<S>(db: Db, total: number, sample: () => Promise<S>): Promise<{ from: S; atEnd: S }> {
  const deadline = Date.now() + 600_000;
  let atFirst: S | null = null;
  for (;;) {
    const row = await db
      .selectFrom('request_outcomes')
      .select(sql<number>`COUNT(*)`.as('n'))
      .executeTakeFirstOrThrow();
    const n = Number(row.n);
    if (n > 0 && atFirst === null) atFirst = await sample();
    if (n >= total) break;
    if (Date.now() > deadline) throw new Error(`only ${n} of ${total} claims decided in time`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const atEnd = await sample();
  return { from: atFirst ?? atEnd, atEnd };
}

/** Each lane's first and last decision (epoch ms) and how many it decided. */
async function laneSpans(db: Db): Promise<{ first: number; last: number; n: number }[]> {
  const spans = await db
    .selectFrom('request_outcomes')
    .select([
      'lane',
      sql<Date>`MIN(finished_at)`.as('first'),
      sql<Date>`MAX(finished_at)`.as('last'),
      sql<number>`COUNT(*)`.as('n'),
    ])
    .groupBy('lane')
    .execute();
  return spans.map((s) => ({ first: new Date(s.first).getTime(), last: new Date(s.last).getTime(), n: Number(s.n) }));
}

async function stopWorkers(workers: ChildProcess[]): Promise<void> {
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve) => {
          if (w.exitCode !== null || w.signalCode !== null) return resolve();
          w.once('exit', () => resolve());
          w.kill('SIGTERM');
        }),
    ),
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const cores = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');

console.log(
  `scaling curve: ${perLane} claims per lane (stock ${stock}, ${users} users), ${workerCount} worker process(es), ` +
    `${base.REDIS_CLUSTER_NODES ? `Redis Cluster ${base.REDIS_CLUSTER_NODES.length} nodes` : 'standalone Redis'}, ${runs} run(s) per step`,
);
// The workers run compiled, as `npm run worker` runs them.
buildEngine();
const rows: Measured[] = [];
for (const coupons of steps) {
  const results: Measured[] = [];
  for (let run = 1; run <= runs; run++) {
    const m = await measure(coupons);
    results.push(m);
    console.log(
      `  ${coupons} coupon(s), run ${run}: ${m.claims} claims in ${m.seconds.toFixed(2)} s = ${Math.round(m.rate)}/s ` +
        `(per lane ${m.perLane.map((r) => Math.round(r)).join(', ')}/s; CPU cores: worker ${cores(m.workerCpu)}, ` +
        `Redis ${cores(m.redisCpu)}, MySQL ${cores(m.mysqlCpu)}; machine ${(m.machineCpu * 100).toFixed(0)}% busy)`,
    );
  }
  // The run with the median rate stands for the step, so its CPU figures belong to it.
  const mid = median(results.map((r) => r.rate));
  rows.push(results.find((r) => r.rate === mid) ?? (results[0] as Measured));
}

const one = rows.find((r) => r.coupons === 1)?.rate;
console.log('');
console.log(
  '| coupons (lanes) | decided claims/s | × one lane | median lane claims/s | CPU cores: worker / Redis / MySQL | machine busy |',
);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  console.log(
    `| ${r.coupons} | ${Math.round(r.rate).toLocaleString('en-US')} | ${one ? (r.rate / one).toFixed(2) : '–'} | ` +
      `${Math.round(median(r.perLane)).toLocaleString('en-US')} | ` +
      `${cores(r.workerCpu)} / ${cores(r.redisCpu)} / ${cores(r.mysqlCpu)} | ${(r.machineCpu * 100).toFixed(0)}% |`,
  );
}
