// The hoarding ceiling by default, through a real API and worker with no setting changed: ten user ids
// of one hoarder fire orders of 10 units at 10 per second each while 200 honest buyers order 2 units
// each. The order lane refuses, in arrival order, whatever would take a user's units in
// PENDING_PAYMENT orders past MAX_PENDING_UNITS_PER_USER (100): the hoarder ends with exactly 100 per
// id although the stock would give it more, every honest buyer gets its units, and the orders oracle,
// told the cap, passes. With ORDER_BALANCE_CHECK, an order past the user's balance is refused.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pool } from '../../rush/pool.js';
import { createDb } from '../../src/db/database.js';
import { verifyOrders, type OrderObservation, type StoredOrderObservation } from '../../src/verify/orders.oracle.js';
import { orderClient, type Resource } from '../support/order-client.js';
import { isolatedStack, type Stack } from '../support/processes.js';

const CAP = 100;
const HOARDER_IDS = Array.from({ length: 10 }, (_, i) => 610_001 + i);
const HONEST_IDS = Array.from({ length: 200 }, (_, i) => 620_001 + i);
const HOARD_MS = 3_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let stack: Stack;
let url: string;
beforeAll(async () => {
  stack = await isolatedStack();
  ({ url } = await stack.api());
  await stack.worker().waitForLog(/lane acquired/, 30_000, (l) => l.lane === 'orders');
});
afterAll(() => stack?.close());

type Answer = Resource & { sequence: number | null; acceptedAt?: string };

interface Sent {
  userId: number;
  items: { productId: number; quantity: number }[];
  status: number;
  body: Answer;
}

async function send(userId: number, productId: number, quantity: number): Promise<Sent> {
  const items = [{ productId, quantity }];
  const res = await fetch(`${url}/orders`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ userId, items }),
  });
  return { userId, items, status: res.status, body: (await res.json()) as Sent['body'] };
}

/** One id of the hoarder: an order of 10 units every 100 ms for HOARD_MS. */
async function hoard(userId: number, productId: number): Promise<Sent[]> {
  const sent: Promise<Sent>[] = [];
  for (let at = 0; at < HOARD_MS; at += 100) {
    sent.push(send(userId, productId, 10));
    await sleep(100);
  }
  return Promise.all(sent);
}

describe('hoarding ceiling (default MAX_PENDING_UNITS_PER_USER)', () => {
  it('when a hoarder with 10 user ids fires orders at 10/s each, then each holds at most the cap, 200 honest buyers still buy, and the oracle passes', async () => {
    const api = orderClient(url);
    // Enough for the hoarder at the cap, every honest buyer and 100 more: every refusal is the cap's.
    const stock = HOARDER_IDS.length * CAP + HONEST_IDS.length * 2 + 100;
    const productId = await api.product(stock);
    const honest = HONEST_IDS.map(async (userId, i) => {
      await sleep((i * HOARD_MS) / HONEST_IDS.length);
      return send(userId, productId, 2);
    });
    const sent = [
      ...(await Promise.all(HOARDER_IDS.map((id) => hoard(id, productId)))).flat(),
      ...(await Promise.all(honest)),
    ];

    const refused = sent.filter((s) => s.status === 429);
    expect(refused.every((s) => HOARDER_IDS.includes(s.userId))).toBe(true);
    const taken = sent.filter((s) => s.status !== 429);
    // 200: an order of the product once the lane left it without stock, answered at once.
    expect(
      taken.every((s) => s.status === 202 || (s.status === 200 && s.body.error?.code === 'INSUFFICIENT_STOCK')),
    ).toBe(true);
    const finals = await pool(taken, 50, async (s) => ({
      ...s,
      final: s.status === 200 ? s.body : ((await api.final(s.body.requestId)) as Answer),
    }));

    const codes = (ids: number[]) =>
      finals.filter((f) => ids.includes(f.userId)).map((f) => f.final.error?.code ?? f.final.status);
    expect(new Set(codes(HONEST_IDS))).toEqual(new Set(['SUCCEEDED']));
    expect(new Set(codes(HOARDER_IDS))).toEqual(new Set(['SUCCEEDED', 'PENDING_LIMIT_EXCEEDED']));
    const db = createDb(stack.databaseUrl, { connectionLimit: 1 });
    try {
      const pending = await sql<{ user_id: number; units: string }>`
        SELECT o.user_id, SUM(oi.quantity) AS units FROM orders o JOIN order_items oi ON oi.order_id = o.id
        WHERE o.status = 'PENDING_PAYMENT' GROUP BY o.user_id`.execute(db);
      const held = new Map(pending.rows.map((r) => [Number(r.user_id), Number(r.units)]));
      for (const id of HOARDER_IDS) expect(held.get(id), `user ${id}`).toBe(CAP);
      for (const id of HONEST_IDS) expect(held.get(id), `user ${id}`).toBe(2);

      const observations: OrderObservation[] = finals.map((f) => ({
        requestId: f.final.requestId,
        userId: f.userId,
        items: f.items,
        status: f.final.status,
        sequence: f.final.sequence,
        errorCode: f.final.error?.code,
        orderId: f.final.result?.orderId,
        acceptedAt: Date.parse(String(f.final.acceptedAt)),
      }));
      const rows = await db
        .selectFrom('orders as o')
        .innerJoin('order_items as oi', 'oi.order_id', 'o.id')
        .select(['o.id', 'o.user_id', 'o.status', 'oi.product_id', 'oi.quantity'])
        .execute();
      const stored: StoredOrderObservation[] = rows.map((r) => ({
        orderId: r.id,
        userId: r.user_id,
        status: r.status,
        items: [{ productId: r.product_id, quantity: r.quantity }],
      }));
      const report = verifyOrders(
        observations,
        [{ productId, initialStock: stock, stock: await api.stock(productId) }],
        stored,
        { maxPendingUnits: CAP },
      );
      expect(report.violations).toEqual([]);
      expect(report.perProduct[0]?.stock).toBe(100);
      console.log(
        `hoarding: ${sent.length} orders sent, ${refused.length} rate limited, codes ${JSON.stringify(report.codes)}`,
      );
    } finally {
      await db.destroy();
    }
  });
});

describe('balance check (ORDER_BALANCE_CHECK=1)', () => {
  let own: Stack;
  let api: ReturnType<typeof orderClient>;
  beforeAll(async () => {
    own = await isolatedStack();
    const env = { ORDER_BALANCE_CHECK: '1' };
    const { url: ownUrl } = await own.api(env);
    await own.worker(env).waitForLog(/lane acquired/, 30_000, (l) => l.lane === 'orders');
    api = orderClient(ownUrl);
  });
  afterAll(() => own?.close());

  it('when an order costs more than the balance at decision time, then it is INSUFFICIENT_BALANCE and reserves nothing; within it, it is placed', async () => {
    const productId = await api.product(10, 1_000);
    await api.charge(640_001, 3_000);
    await api.charge(640_002, 3_999);
    const order = (userId: number, quantity: number) => api.placed({ userId, items: [{ productId, quantity }] });
    expect((await order(640_001, 3)).status).toBe('SUCCEEDED');
    expect((await order(640_002, 4)).error?.code).toBe('INSUFFICIENT_BALANCE');
    expect((await order(640_003, 1)).error?.code).toBe('INSUFFICIENT_BALANCE');
    expect(await api.stock(productId)).toBe(7);
    expect(await api.balance(640_001)).toBe(3_000);
  });
});
