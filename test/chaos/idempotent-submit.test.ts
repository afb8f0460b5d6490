// Orders sent as a mobile client sends them: each with its own Idempotency-Key, and whatever got no
// answer (or 409/503) is sent again with the same key and body until it gets one. Two faults between
// the add and the answer: an API process killed with SIGKILL mid-rush (retries go to a second API),
// and the API's Redis connection dropped right after a transaction reached Redis. Every key must have
// exactly one order, and every answer to a key must name the same request.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { ORDER_LANE } from '../support/lanes.js';
import { createDb } from '../../src/db/database.js';
import { ADMIN_TOKEN } from '../support/context.js';
import { isolatedStack, type Stack } from '../support/processes.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { finalsOrLost } from '../../rush/poll.js';
import { laneDecisions } from '../support/chaos.js';
import { pacedPool } from '../../rush/pool.js';
import { sleep } from '../../rush/http.js';

let stack: Stack | undefined;
let proxy: TcpProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  await stack?.close();
  stack = undefined;
});

interface Attempt {
  url: string;
  status: number | null;
  requestId?: string;
  replayed: boolean;
}

interface KeyedOrder {
  key: string;
  body: { userId: number; items: { productId: number; quantity: number }[] };
}

async function attempt(url: string, order: KeyedOrder): Promise<Attempt & { retryAfter: number }> {
  try {
    const res = await fetch(`${url}/orders`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': order.key },
      body: JSON.stringify(order.body),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json()) as { requestId?: string };
    return {
      url,
      status: res.status,
      requestId: body.requestId,
      replayed: res.headers.get('Idempotent-Replayed') === 'true',
      retryAfter: Number(res.headers.get('Retry-After') ?? 0),
    };
  } catch {
    return { url, status: null, replayed: false, retryAfter: 0 };
  }
}

/** Sends until an answer other than none, 409 or 503 comes, as told by Retry-After; `url()` picks the API. */
async function sendUntilAnswered(url: () => string, order: KeyedOrder, deadline: number): Promise<Attempt[]> {
  const attempts: Attempt[] = [];
  while (Date.now() < deadline) {
    const a = await attempt(url(), order);
    attempts.push(a);
    if (a.status !== null && a.status !== 409 && a.status !== 503) return attempts;
    await sleep(a.retryAfter > 0 ? Math.min(a.retryAfter * 1000, 1_000) : 200);
  }
  return attempts;
}

async function setUpShop(url: string): Promise<number> {
  const res = await fetch(`${url}/admin/products`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify({ name: 'keyed rush', price: 100, stock: 1_000_000 }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: number }).id;
}

const plan = (productId: number, users: number, firstUser: number): KeyedOrder[] =>
  Array.from({ length: users }, (_, i) => ({
    key: `order-${firstUser + i}-${crypto.randomUUID()}`,
    body: { userId: firstUser + i, items: [{ productId, quantity: 1 + (i % 3) }] },
  }));

/** Every key answered with one request, exactly one order per key (one user per key), none lost. */
async function verifyOnePerKey(s: Stack, url: string, orders: KeyedOrder[], results: Attempt[][]) {
  const unanswered = orders.filter((_, i) => !results[i]?.some((a) => a.status === 202 || a.status === 200));
  expect(unanswered.map((o) => o.key)).toEqual([]);
  const idsPerKey = results.map((r) => new Set(r.filter((a) => a.requestId).map((a) => a.requestId)));
  expect(idsPerKey.filter((ids) => ids.size !== 1).length).toBe(0);
  const requestIds = idsPerKey.map((ids) => [...ids][0] as string);

  const finals = await finalsOrLost(url, requestIds);
  const notSucceeded = requestIds.filter((id) => {
    const f = finals.get(id);
    return f === 'LOST' || f?.status !== 'SUCCEEDED';
  });
  expect(notSucceeded).toEqual([]);

  const db = createDb(s.databaseUrl, { connectionLimit: 1 });
  try {
    const rows = await db.selectFrom('orders').select(['user_id']).execute();
    const perUser = new Map<number, number>();
    for (const r of rows) perUser.set(r.user_id, (perUser.get(r.user_id) ?? 0) + 1);
    const twice = [...perUser].filter(([, n]) => n !== 1);
    expect(twice).toEqual([]);
    expect(rows.length).toBe(orders.length);
  } finally {
    await db.destroy();
  }
  const decisions = await laneDecisions(s.databaseUrl, inject('redisUrl'), s.queuePrefix, ORDER_LANE);
  expect(decisions.length).toBe(orders.length);
  expect(new Set(decisions.map((d) => d.requestId))).toEqual(new Set(requestIds));
}

/** Keys whose first attempt got no answer (or a 5xx) and whose request, found again by a retry, already existed. */
const foundAgain = (results: Attempt[][]) =>
  results.filter((r) => (r[0]?.status === null || (r[0]?.status ?? 0) >= 500) && r.some((a) => a.replayed)).length;

describe('Idempotency-Key across faults between the add and the answer', () => {
  it('when API A is killed with SIGKILL mid-rush and unanswered orders are retried on API B with the same key, then every key has exactly one order and one requestId', async () => {
    stack = await isolatedStack();
    const worker = stack.worker();
    const [a, b] = await Promise.all([stack.api(), stack.api()]);
    const productId = await setUpShop(b.url);
    await worker.waitForLog(/lane acquired/, 30_000, (l) => l.lane === ORDER_LANE.name);
    const orders = plan(productId, 600, 700_000);

    let killed = false;
    const deadline = Date.now() + 120_000;
    const results = await pacedPool(orders, { concurrency: 100, perSecond: 300 }, async (order, i) => {
      if (i === 240) {
        killed = true;
        a.proc.child.kill('SIGKILL');
      }
      return sendUntilAnswered(() => (killed ? b.url : a.url), order, deadline);
    });

    await verifyOnePerKey(stack, b.url, orders, results);
    const lostAnswers = results.filter((r) => r[0]?.url === a.url && r[0]?.status === null).length;
    console.log(
      `keyed orders, API SIGKILL: ${orders.length} keys, ${lostAnswers} sent to A got no answer, ` +
        `${foundAgain(results)} of them had been queued and were found again on B by key; ` +
        `${orders.length} orders in all, one per key`,
    );
  });

  it("when the API's Redis connection drops right after an append reached Redis, then the retry with the same key finds that request and nothing is queued twice", async () => {
    stack = await isolatedStack();
    const redis = new URL(inject('redisUrl'));
    proxy = new TcpProxy(redis.hostname, Number(redis.port || 6379));
    const port = await proxy.start();
    const worker = stack.worker();
    const api = await stack.api({ REDIS_URL: `redis://127.0.0.1:${port}` });
    const productId = await setUpShop(api.url);
    await worker.waitForLog(/lane acquired/, 30_000, (l) => l.lane === ORDER_LANE.name);
    const orders = plan(productId, 400, 800_000);

    const deadline = Date.now() + 120_000;
    const results = await pacedPool(orders, { concurrency: 50, perSecond: 200 }, async (order, i) => {
      // A keyed order's add and record go to Redis as one lane-append script call, whose arguments
      // carry the jobs' stored options (and nothing else sent by the API does).
      if (i === 100) proxy?.cutAfter('"removeOnComplete"', 20);
      return sendUntilAnswered(() => api.url, order, deadline);
    });

    // One append carries every keyed order of an event-loop turn, so how many orders each dropped
    // append held (and so how many drops the rush leaves room for) depends on the machine's load.
    expect(proxy.trapped).toBeGreaterThan(0);
    await verifyOnePerKey(stack, api.url, orders, results);
    // Each dropped append had run in Redis: its key's retry found the request it had made.
    const found = foundAgain(results);
    expect(found).toBeGreaterThan(0);
    console.log(
      `keyed orders, Redis connection dropped after the append: ${proxy.trapped} appends lost their answer, ` +
        `${found} keys first answered 5xx/none and then found their request again; one order per key`,
    );
  });
});
