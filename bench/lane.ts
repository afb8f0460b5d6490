// Measures one lane's decide rate: the lane is pre-filled (API idle), then a real worker process
// drains it. Rate = requests / (last outcome's finished_at - first outcome's finished_at).
//   npm run bench:lane -- --claims 20000 --stock 5000 --users 15000 --runs 3
//   npm run bench:lane -- --lane orders --claims 20000 --stock 5000 --runs 3   (single-item orders)
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.js';
import { createDb } from '../src/db/database.js';
import { dropDatabase, migrateToLatest } from '../src/db/migrate.js';
import { createRedis, deleteKeysWithPrefix } from '../src/redis.js';
import { claimLane, createLaneQueue, ORDER_LANE, type Lane } from '../rush/lanes.js';
import { claimJob, insertCoupon, orderJob, prefill } from './lib/prefill.js';
import { commandArgs, UsageError } from '../toolkit/args.js';
import { decideSpan } from './lib/stack.js';
import { buildEngine, ENGINE_WORKER, WORKER_NODE_OPTIONS } from '../toolkit/engine.js';

const command = {
  command: 'npm run bench:lane --',
  summary: "One lane's decide rate, pre-filled, API idle.",
  options: {
    claims: { help: 'requests pre-filled into the lane', default: '20000' },
    stock: { help: 'coupon totalQuantity (product stock with --lane orders)', default: '5000' },
    users: { help: 'distinct users (the rest are repeats)', default: '15000' },
    batch: { help: "the worker's LANE_BATCH_SIZE (default: the engine's)" },
    runs: { help: 'runs; the median is reported', default: '3' },
    lane: { help: 'claims or orders', default: 'claims' },
  },
};
const { claims, stock, users, batch, runs, orders } = commandArgs(command, (args) => {
  const lane = args.string('lane');
  if (lane !== 'claims' && lane !== 'orders') throw new UsageError(`--lane takes claims or orders, not ${lane}`);
  return {
    claims: args.number('claims', { min: 1, max: 10_000_000 }),
    stock: args.number('stock', { min: 1, max: 1_000_000_000 }),
    users: args.number('users', { min: 1, max: 10_000_000 }),
    batch: args.optionalNumber('batch', { min: 1, max: 100_000 }),
    runs: args.number('runs', { min: 1, max: 50 }),
    orders: lane === 'orders',
  };
});

const base = loadConfig();
const results: number[] = [];

// The worker runs compiled, as `npm run worker` runs it.
buildEngine();
for (let run = 1; run <= runs; run++) {
  const suffix = randomBytes(3).toString('hex');
  const url = new URL(base.DATABASE_URL);
  url.pathname = `/ce_bench_${suffix}`;
  const databaseUrl = url.toString();
  const prefix = `cebench${suffix}`;
  await migrateToLatest(databaseUrl);
  const db = createDb(databaseUrl);
  const redis = createRedis(base);
  try {
    let lane: Lane = ORDER_LANE;
    let makeJob: (i: number) => { name: string; data: Record<string, unknown> };
    if (orders) {
      const product = await db
        .insertInto('products')
        .values({ name: 'bench', price: 1000, stock, created_at: new Date() })
        .executeTakeFirstOrThrow();
      const productId = Number(product.insertId);
      makeJob = (i) => orderJob(productId, i, users);
    } else {
      const couponId = await insertCoupon(db, 'bench', stock);
      lane = claimLane(couponId % base.COUPON_LANES);
      makeJob = (i) => claimJob(couponId, i, users);
    }
    const queue = createLaneQueue(prefix, lane, redis);
    await prefill(queue, claims, makeJob);
    await queue.close();

    const worker = spawn(process.execPath, [ENGINE_WORKER], {
      env: {
        ...process.env,
        ...WORKER_NODE_OPTIONS,
        DATABASE_URL: databaseUrl,
        QUEUE_PREFIX: prefix,
        LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
        METRICS_PORT: '0',
        ...(batch ? { LANE_BATCH_SIZE: String(batch) } : {}),
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const deadline = Date.now() + 300_000;
    for (;;) {
      const row = await db
        .selectFrom('request_outcomes')
        .select(sql<number>`COUNT(*)`.as('n'))
        .executeTakeFirstOrThrow();
      if (Number(row.n) >= claims || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    worker.kill('SIGTERM');
    const span = await decideSpan(db);
    const won = await db
      .selectFrom('request_outcomes')
      .select(sql<number>`COUNT(*)`.as('n'))
      .where('status', '=', 'SUCCEEDED')
      .executeTakeFirstOrThrow();
    const { seconds, rate } = span;
    results.push(rate);
    console.log(
      `run ${run}: ${span.decided} ${orders ? 'orders' : 'claims'} decided in ${seconds.toFixed(2)} s = ${Math.round(rate)}/s (succeeded ${won.n}, stock ${stock})`,
    );
    await new Promise((r) => worker.once('exit', r));
  } finally {
    await db.destroy();
    await deleteKeysWithPrefix(redis, prefix);
    redis.disconnect();
    await dropDatabase(databaseUrl);
  }
}
const sorted = [...results].sort((a, b) => a - b);
console.log(
  `median ${orders ? 'order' : 'claim'} lane decide rate over ${runs} runs: ${Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0)}/s`,
);
