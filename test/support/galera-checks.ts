// What a keyed rush through a failing database must leave behind: every key answered by exactly one
// request, every accepted request final (none lost, none FAILED), each lane's outcomes exactly the
// accepted requests (none doubled), the claims and orders oracles passing, and every payment,
// even one sent twice at once, charged exactly once.
import { expect, inject } from 'vitest';
import { laneForCoupon, ORDER_LANE } from './lanes.js';
import { verifyOrders, type StoredOrderObservation } from '../../src/verify/orders.oracle.js';
import type { ClaimPlanItem } from '../../rush/claims.js';
import { finalsOrLost, isFinalStatus } from '../../rush/poll.js';
import { pacedPool, pool } from '../../rush/pool.js';
import { laneDecisions, orderObservations, verifyCouponLane, type Answer } from './chaos.js';
import { sendKeyed, type Attempts, type RushItem, type Shop } from './galera-rush.js';
import { orderClient } from './order-client.js';
import type { Stack } from './processes.js';

/** The engine's default COUPON_LANES, which the stacks of these tests keep. */
const COUPON_LANES = 4;

const requestIdsOf = (attempts: Attempts) =>
  new Set(attempts.map((a) => a.body?.requestId).filter((id): id is string => typeof id === 'string'));

/** The checks over a finished rush; the orders placed, for the payments. */
export async function verifyKeyedRush(stack: Stack, url: string, shop: Shop, plan: RushItem[], results: Attempts[]) {
  const unanswered = plan.filter((_, i) => ![200, 202].includes(results[i]?.at(-1)?.status ?? 0));
  expect(unanswered.map((p) => p.key)).toEqual([]);
  expect(results.filter((r) => requestIdsOf(r).size !== 1).length).toBe(0);
  const requestId = (i: number) => [...requestIdsOf(results[i] ?? [])][0] as string;
  const accepted = (kind: RushItem['kind']) => [
    ...new Set(plan.flatMap((p, i) => (p.kind === kind && results[i]?.at(-1)?.status === 202 ? [requestId(i)] : []))),
  ];
  const claims = accepted('claim');
  const orders = accepted('order');
  const finals = await finalsOrLost(url, [...claims, ...orders], 120_000);
  const notDone = [...finals].filter(([, f]) => f === 'LOST' || f.status === 'FAILED' || !isFinalStatus(f.status));
  expect(notDone.map(([id, f]) => `${id}: ${f === 'LOST' ? f : f.status}`)).toEqual([]);

  const claimLane = laneForCoupon(shop.couponId, COUPON_LANES);
  const claimDecisions = await laneDecisions(stack.databaseUrl, inject('redisUrl'), stack.queuePrefix, claimLane);
  expect(claimDecisions.map((d) => d.requestId).sort()).toEqual(claims.sort());
  const claimAnswers: Answer<ClaimPlanItem>[] = plan.flatMap((p, i) =>
    p.kind === 'claim'
      ? [
          {
            item: p,
            index: i,
            status: results[i]?.at(-1)?.status ?? null,
            body: results[i]?.at(-1)?.body,
            sentAt: 0,
            ms: 0,
          },
        ]
      : [],
  );
  const claimReport = await verifyCouponLane(
    url,
    shop.couponId,
    claimAnswers.map((a) => a.item),
    claimAnswers,
    claimDecisions,
  );
  expect(claimReport.violations).toEqual([]);

  const orderDecisions = await laneDecisions(stack.databaseUrl, inject('redisUrl'), stack.queuePrefix, ORDER_LANE);
  expect(orderDecisions.map((d) => d.requestId).sort()).toEqual(orders.sort());
  const orderReport = await verifyOrderLane(url, shop, orderDecisions);
  expect(orderReport.violations).toEqual([]);
  const placed = orderDecisions.flatMap((d) =>
    typeof d.result?.orderId === 'number' ? [{ orderId: d.result.orderId, userId: Number(d.data?.userId) }] : [],
  );
  return { claims: claims.length, orders: orders.length, claimReport, orderReport, placed };
}

async function verifyOrderLane(url: string, shop: Shop, decisions: Awaited<ReturnType<typeof laneDecisions>>) {
  const observations = orderObservations(decisions);
  const stored: StoredOrderObservation[] = [];
  await pool(
    observations.filter((o) => o.orderId !== undefined),
    20,
    async (o) => {
      const order = (await (await fetch(`${url}/orders/${o.orderId}`)).json()) as StoredOrderObservation & {
        id: number;
      };
      stored.push({ orderId: order.id, userId: order.userId, status: order.status, items: order.items });
    },
  );
  const shopClient = orderClient(url);
  const products = await Promise.all(
    shop.productIds.map(async (productId, i) => ({
      productId,
      initialStock: shop.stocks[i] as number,
      stock: await shopClient.stock(productId),
    })),
  );
  return verifyOrders(observations, products, stored);
}

/**
 * Every placed order paid by its user with a key of its own, a third of them twice at once with the
 * same key (a double tap), retried after no answer or a 503 as a client would.
 */
export async function payAll(
  url: string,
  placed: { orderId: number; userId: number }[],
  perSecond: number,
): Promise<Attempts[][]> {
  const deadline = Date.now() + 120_000;
  return pacedPool(placed, { concurrency: 40, perSecond }, async ({ orderId, userId }, i) => {
    const key = `pay-${orderId}-${crypto.randomUUID()}`;
    const send = () => sendKeyed(url, `/orders/${orderId}/payment`, key, { userId }, deadline);
    return i % 3 === 0 ? Promise.all([send(), send()]) : [await send()];
  });
}

/** Each payment answered PAID with one amount, the order PAID, the balance lowered by it exactly once. */
export async function verifyPayments(
  url: string,
  shop: Shop,
  placed: { orderId: number; userId: number }[],
  answers: Attempts[][],
): Promise<number> {
  const shopClient = orderClient(url);
  const wrong: string[] = [];
  await pool(placed, 20, async ({ orderId, userId }, i) => {
    const finals = (answers[i] ?? []).map((a) => a.at(-1));
    const amounts = new Set(finals.map((f) => (f?.status === 200 ? f.body?.paidAmount : `status ${f?.status}`)));
    const order = (await shopClient.call('GET', `/orders/${orderId}`)).body;
    const balance = await shopClient.balance(userId);
    const paid = [...amounts][0];
    if (amounts.size !== 1 || typeof paid !== 'number')
      wrong.push(`order ${orderId}: answers ${[...amounts].join(', ')}`);
    else if (order.status !== 'PAID') wrong.push(`order ${orderId}: ${String(order.status)}`);
    else if (balance !== shop.balance - paid) wrong.push(`user ${userId}: balance ${balance}, paid ${paid}`);
  });
  expect(wrong).toEqual([]);
  return answers.filter((a) => a.length === 2).length;
}
