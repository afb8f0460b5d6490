// Soak: steady mixed traffic against a stack of its own (an API and two workers on DATABASE_URL,
// REDIS_URL and QUEUE_PREFIX), sampling what must stay flat: the RSS of every process, Redis memory
// and key count under the prefix, and the rows of the tables that retention bounds, beside the
// business tables that grow by design (orders, issued coupons, balance history).
//   npm run soak -- --minutes 10
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.js';
import { createDb } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createRedis } from '../src/redis.js';
import { ManagedProcess, freePort } from '../rush/processes.js';
import { buildEngine, ENGINE_API, ENGINE_WORKER } from '../toolkit/engine.js';
import { commandArgs } from '../toolkit/args.js';
import { JsonClient, sleep } from '../rush/http.js';

const command = {
  command: 'npm run soak --',
  summary: 'Steady mixed traffic; RSS, Redis memory and table sizes over time.',
  options: {
    minutes: { help: 'how long the traffic runs', default: '10' },
    'sample-seconds': { help: 'seconds between samples', default: '30' },
    'claims-per-second': { help: 'coupon claims per second (a fifth of them repeats)', default: '20' },
    'orders-per-second': {
      help: 'keyed orders per second (a tenth sent twice; each paid or left to expire)',
      default: '10',
    },
    'idempotency-ttl': {
      help: 'IDEMPOTENCY_TTL_S of the stack (short, to see the bound within the run)',
      default: '60',
    },
    'outcome-retention': { help: 'REQUEST_OUTCOME_RETENTION_S of the stack', default: '120' },
    'job-retention': { help: 'COMPLETED_JOB_RETENTION_S of the stack', default: '60' },
    out: { help: 'directory for the JSON report', default: 'reports' },
  },
};
const args = commandArgs(command, (args) => ({
  minutes: args.number('minutes', { min: 0.1, max: 24 * 60, fractional: true }),
  sampleMs: args.number('sample-seconds', { min: 1 }) * 1000,
  claimsPerSecond: args.number('claims-per-second', { min: 0, max: 5000 }),
  ordersPerSecond: args.number('orders-per-second', { min: 0, max: 5000 }),
  idempotencyTtl: args.number('idempotency-ttl', { min: 1 }),
  outcomeRetention: args.number('outcome-retention', { min: 0 }),
  jobRetention: args.number('job-retention', { min: 1 }),
  out: args.string('out') as string,
}));
const { minutes, sampleMs, claimsPerSecond, ordersPerSecond } = args;

const base = loadConfig();
const ADMIN = 'soak-admin-token-0000';
const env = {
  DATABASE_URL: base.DATABASE_URL,
  REDIS_URL: base.REDIS_URL,
  QUEUE_PREFIX: base.QUEUE_PREFIX,
  ADMIN_TOKEN: ADMIN,
  LOG_LEVEL: 'info',
  METRICS_PORT: '0',
  ORDER_PAYMENT_WINDOW_MS: '30000',
  EXPIRY_SWEEP_INTERVAL_MS: '5000',
  IDEMPOTENCY_TTL_S: String(args.idempotencyTtl),
  REQUEST_OUTCOME_RETENTION_S: String(args.outcomeRetention),
  COMPLETED_JOB_RETENTION_S: String(args.jobRetention),
  IDEMPOTENCY_PURGE_INTERVAL_MS: '10000',
};

await migrateToLatest(base.DATABASE_URL);
buildEngine();
const port = await freePort();
const api = new ManagedProcess(ENGINE_API, { ...env, PORT: String(port) }, { label: 'api' });
const workers = [
  new ManagedProcess(ENGINE_WORKER, env, { label: 'worker 1' }),
  new ManagedProcess(ENGINE_WORKER, env, { label: 'worker 2' }),
];
const procs = [api, ...workers];
await api.waitForLog(/api listening/);
const url = `http://127.0.0.1:${port}`;
const client = new JsonClient(url, 50);
const admin = new JsonClient(url, 2, { authorization: `Bearer ${ADMIN}` });
const db = createDb(base.DATABASE_URL, { connectionLimit: 2 });
const redis = createRedis(base);

const product = await admin.post<{ id: number }>('/admin/products', { name: 'soak', price: 100, stock: 100_000_000 });
const newCoupon = async () =>
  (
    await admin.post<{ id: number }>('/admin/coupons', {
      name: 'soak',
      discountType: 'FIXED',
      discountValue: 10,
      totalQuantity: 300,
      validDays: 1,
    })
  ).body.id;

const counts: Record<string, number> = {};
const count = (what: string) => (counts[what] = (counts[what] ?? 0) + 1);
const random = (n: number) => 1 + Math.floor(Math.random() * n);

async function claim(couponId: number, userId: number) {
  const res = await client.post<{ requestId?: string }>(`/coupons/${couponId}/claims`, { userId });
  count(`claim ${res.status}`);
  if (res.status === 202 && res.body.requestId) await client.get(`/requests/${res.body.requestId}?waitMs=2000`);
}

async function order(userId: number, i: number) {
  const key = `soak-${i}-${Math.random().toString(36).slice(2)}`;
  const headers = { 'idempotency-key': key };
  const body = { userId, items: [{ productId: product.body.id, quantity: 1 }] };
  const res = await client.post<{ requestId?: string }>('/orders', body, headers);
  count(`order ${res.status}`);
  if (i % 10 === 0) count(`order repeat ${(await client.post('/orders', body, headers)).status}`);
  if (res.status !== 202 || !res.body.requestId) return;
  const done = await client.get<{ status?: string; result?: { orderId?: number } }>(
    `/requests/${res.body.requestId}?waitMs=5000`,
  );
  const orderId = done.body.result?.orderId;
  // Half are paid (a keyed charge, then a keyed payment), the rest expire and give their stock back.
  if (!orderId || i % 2 === 1) return;
  await client.post(`/users/${userId}/balance/charge`, { amount: 100 }, { 'idempotency-key': `${key}-charge` });
  count(
    `pay ${(await client.post(`/orders/${orderId}/payment`, { userId }, { 'idempotency-key': `${key}-pay` })).status}`,
  );
}

async function redisKeys(): Promise<number> {
  let n = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${base.QUEUE_PREFIX}:*`, 'COUNT', 2000);
    cursor = next;
    n += keys.length;
  } while (cursor !== '0');
  return n;
}

const TABLES = ['idempotency_keys', 'request_outcomes', 'orders', 'user_coupons', 'balance_history'] as const;

async function sample(t0: number) {
  const rows: Record<string, number> = {};
  for (const table of TABLES) {
    const r = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(table)}`.execute(db);
    rows[table] = Number(r.rows[0]?.n ?? 0);
  }
  const info = await redis.info('memory');
  return {
    minute: Math.round((Date.now() - t0) / 6000) / 10,
    rssMiB: Object.fromEntries(procs.map((p) => [p.label, Math.round(p.rssMb() * 10) / 10])),
    redisUsedMiB: Math.round(Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN) / 104857.6) / 10,
    redisKeys: await redisKeys(),
    rows,
  };
}

const samples: Awaited<ReturnType<typeof sample>>[] = [];
const header = `${'min'.padStart(5)} ${procs.map((p) => p.label.padStart(9)).join(' ')} ${'redis MiB'.padStart(9)} ${'keys'.padStart(7)} ${TABLES.map((t) => t.padStart(16)).join(' ')}`;
const line = (s: (typeof samples)[number]) =>
  `${s.minute.toFixed(1).padStart(5)} ${procs.map((p) => String(s.rssMiB[p.label]).padStart(9)).join(' ')} ${String(s.redisUsedMiB).padStart(9)} ${String(s.redisKeys).padStart(7)} ${TABLES.map((t) => String(s.rows[t]).padStart(16)).join(' ')}`;

const t0 = Date.now();
const end = t0 + minutes * 60_000;
let couponId = await newCoupon();
const inFlight = new Set<Promise<void>>();
const launch = (p: Promise<void>) => {
  const tracked: Promise<void> = p
    .catch(() => {
      count('error');
    })
    .finally(() => inFlight.delete(tracked));
  inFlight.add(tracked);
};
const sampler = (async () => {
  console.log(`soak: ${minutes} min, ${claimsPerSecond} claims/s, ${ordersPerSecond} orders/s; RSS in MiB`);
  console.log(header);
  while (Date.now() < end + 1) {
    const s = await sample(t0);
    samples.push(s);
    console.log(line(s));
    if (Date.now() >= end) break;
    await sleep(Math.min(sampleMs, Math.max(0, end - Date.now())));
  }
})();

let claims = 0;
let orders = 0;
let lastCoupon = Date.now();
let lastUser = 0;
while (Date.now() < end) {
  const elapsed = (Date.now() - t0) / 1000;
  if (Date.now() - lastCoupon > 60_000) {
    couponId = await newCoupon();
    lastCoupon = Date.now();
  }
  while (claims < elapsed * claimsPerSecond && inFlight.size < 200) {
    claims++;
    // A fifth are repeats by a user who just claimed (a double tap), the rest new users.
    const userId = claims % 5 === 0 && lastUser ? lastUser : (lastUser = random(1_000_000));
    launch(claim(couponId, userId));
  }
  while (orders < elapsed * ordersPerSecond && inFlight.size < 200) {
    orders++;
    launch(order(random(1_000_000), orders));
  }
  await sleep(50);
}
await Promise.all(inFlight);
await sampler;

console.log(`\nanswers: ${JSON.stringify(counts)}`);
await mkdir(args.out, { recursive: true });
const file = join(args.out, `soak-${new Date().toISOString().replace(/[:.]/g, '')}.json`);
await writeFile(file, JSON.stringify({ minutes, claimsPerSecond, ordersPerSecond, env, counts, samples }, null, 2));
console.log(`report: ${file}`);

await client.close();
await admin.close();
await Promise.all(procs.map((p) => p.stop()));
redis.disconnect();
await db.destroy();
