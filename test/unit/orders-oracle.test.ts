import { describe, expect, it } from 'vitest';
import {
  verifyOrders,
  type OrderObservation,
  type ProductObservation,
  type StoredOrderObservation,
} from '../../src/verify/orders.oracle.js';

const order = (
  seq: number,
  userId: number,
  status: string,
  extra: { code?: string; orderId?: number; items?: OrderObservation['items'] } = {},
): OrderObservation => ({
  requestId: `o${seq}`,
  userId,
  items: extra.items ?? [{ productId: 1, quantity: 1 }],
  status,
  sequence: seq,
  errorCode: extra.code,
  orderId: extra.orderId,
});

/** Stock 2: the first two single-unit orders by sequence are placed, the rest refused. */
const fair = (): OrderObservation[] => [
  order(1, 10, 'SUCCEEDED', { orderId: 100 }),
  order(2, 11, 'SUCCEEDED', { orderId: 101 }),
  order(3, 12, 'REJECTED', { code: 'INSUFFICIENT_STOCK' }),
  order(4, 13, 'REJECTED', { code: 'INSUFFICIENT_STOCK' }),
];
const product = (over: Partial<ProductObservation> = {}): ProductObservation => ({
  productId: 1,
  initialStock: 2,
  stock: 0,
  ...over,
});
const storedOf = (orders: OrderObservation[]): StoredOrderObservation[] =>
  orders
    .filter((o) => o.orderId !== undefined)
    .map((o) => ({ orderId: o.orderId as number, userId: o.userId, status: 'PENDING_PAYMENT', items: o.items }));

/** An order answered at once as out of stock (no sequence), accepted at `acceptedAt`. */
const atOnce = (
  id: string,
  userId: number,
  acceptedAt: number,
  over: Partial<OrderObservation> = {},
): OrderObservation => ({
  requestId: id,
  userId,
  items: [{ productId: 1, quantity: 1 }],
  status: 'REJECTED',
  sequence: null,
  errorCode: 'INSUFFICIENT_STOCK',
  acceptedAt,
  ...over,
});
const timed = () => fair().map((o, i) => ({ ...o, acceptedAt: 1_000 + i }));

describe('verifyOrders with orders answered at once', () => {
  it('when they came after the stock was gone, then it passes', () => {
    const orders = [...timed(), atOnce('x-1', 20, 1_010), atOnce('x-2', 21, 1_011)];
    const report = verifyOrders(orders, [product()], storedOf(orders));
    expect(report.violations).toEqual([]);
    expect(report.codes).toEqual({ SUCCEEDED: 2, INSUFFICIENT_STOCK: 4 });
  });

  it('when one was given while the replay keeps stock, then it names it', () => {
    const orders = [...timed().slice(0, 2), atOnce('x-1', 20, 1_010)];
    const report = verifyOrders(orders, [product({ initialStock: 5, stock: 3 })], storedOf(orders));
    const text = report.violations.join('\n');
    expect(report.violations).toHaveLength(1);
    expect(text).toContain('request x-1 was refused at once as out of stock, but product 1 kept 3 units');
  });

  it('when one was given before an order that was still placed, then it names it', () => {
    const orders = [...timed(), atOnce('x-1', 20, 1_000)];
    const text = verifyOrders(orders, [product()], storedOf(orders)).violations.join('\n');
    expect(text).toContain(
      'request x-1 was refused at once as out of stock before a later order for product 1 was placed',
    );
  });

  it('when an unsequenced answer is not an out-of-stock refusal of one product, then it is named', () => {
    const twoItems = atOnce('x-1', 20, 1_010, {
      items: [
        { productId: 1, quantity: 1 },
        { productId: 2, quantity: 1 },
      ],
    });
    const other = atOnce('x-2', 21, 1_010, { errorCode: 'COUPON_NOT_USABLE' });
    const text = verifyOrders([...timed(), twoItems, other], [product()]).violations.join('\n');
    expect(text).toContain('2 order requests have no sequence and are no instant out-of-stock answer');
  });
});

describe('verifyOrders', () => {
  it('when the first orders by sequence took the stock and the rest were refused, then it passes', () => {
    const report = verifyOrders(fair(), [product()], storedOf(fair()));
    expect(report.violations).toEqual([]);
    expect(report).toMatchObject({ ok: true, succeeded: 2, expectedSucceeded: 2, distinctWinners: 2 });
    expect(report.codes).toEqual({ SUCCEEDED: 2, INSUFFICIENT_STOCK: 2 });
    expect(report.perProduct).toEqual([{ productId: 1, initialStock: 2, unitsPlaced: 2, expectedStock: 0, stock: 0 }]);
  });

  it('when there is more stock than orders, then every order must be placed and the rest stays', () => {
    const orders = [order(1, 10, 'SUCCEEDED', { orderId: 1 }), order(2, 11, 'SUCCEEDED', { orderId: 2 })];
    expect(verifyOrders(orders, [product({ initialStock: 5, stock: 3 })]).violations).toEqual([]);
  });

  it('when a later order was placed instead of an earlier one, then it names both requests', () => {
    const orders = fair();
    orders[1] = order(2, 11, 'REJECTED', { code: 'INSUFFICIENT_STOCK' });
    orders[2] = order(3, 12, 'SUCCEEDED', { orderId: 102 });
    const report = verifyOrders(orders, [product()], storedOf(orders));
    expect(report.ok).toBe(false);
    const text = report.violations.join('\n');
    expect(text).toMatch(/o2 \(seq 2, user 11\) should have been placed but is REJECTED INSUFFICIENT_STOCK/);
    expect(text).toMatch(/o3 \(seq 3, user 12\) was placed although earlier orders had taken the stock/);
  });

  it('when more units were placed than the stock, then it reports the oversell and the stock mismatch', () => {
    const orders = fair();
    orders[2] = order(3, 12, 'SUCCEEDED', { orderId: 102 });
    const report = verifyOrders(orders, [product({ stock: -1 })]);
    const text = report.violations.join('\n');
    expect(text).toMatch(/3 orders SUCCEEDED, expected exactly 2/);
    expect(text).toMatch(/3 units placed, stock was 2 \(oversold\)/);
    expect(text).toMatch(/stock read back is negative/);
  });

  it('when the stock read back does not match the placed units, then it fails', () => {
    const report = verifyOrders(fair(), [product({ stock: 1 })]);
    expect(report.violations).toEqual(['product 1: stock read back 1, expected 2 - 2 = 0']);
  });

  it('when a request is not final or FAILED, then it fails', () => {
    const orders = fair();
    orders[3] = order(4, 13, 'QUEUED');
    orders.push(order(5, 14, 'FAILED', { code: 'PROCESSING_ERROR' }));
    const text = verifyOrders(orders, [product()]).violations.join('\n');
    expect(text).toMatch(/1 requests are not final \(e.g. o4\)/);
    expect(text).toMatch(/1 requests FAILED \(e.g. o5: PROCESSING_ERROR\)/);
  });

  it('when two requests share a sequence or an order id, then it fails', () => {
    const orders = fair();
    orders[1] = { ...order(1, 11, 'SUCCEEDED', { orderId: 100 }), requestId: 'o1b' };
    const text = verifyOrders(orders, [product()]).violations.join('\n');
    expect(text).toMatch(/sequence 1 given to two requests/);
    expect(text).toMatch(/order 100 is the result of two requests/);
  });

  it('when an order needs several products, then it is placed all or nothing', () => {
    const both = [
      { productId: 1, quantity: 2 },
      { productId: 2, quantity: 1 },
    ];
    const orders = [
      order(1, 10, 'REJECTED', { code: 'INSUFFICIENT_STOCK', items: both }),
      order(2, 11, 'SUCCEEDED', { orderId: 1, items: [{ productId: 1, quantity: 2 }] }),
      order(3, 12, 'REJECTED', { code: 'PRODUCT_NOT_FOUND', items: [{ productId: 9, quantity: 1 }] }),
    ];
    const products = [product({ initialStock: 2, stock: 0 }), { productId: 2, initialStock: 0, stock: 0 }];
    expect(verifyOrders(orders, products, storedOf(orders)).violations).toEqual([]);

    const partial = [
      { ...orders[0], status: 'SUCCEEDED', orderId: 7 } as OrderObservation,
      orders[1] as OrderObservation,
    ];
    expect(verifyOrders(partial, products).ok).toBe(false);
  });

  it('when a placed order reads back with another user, other items or cancelled, then it names the order', () => {
    const stored = storedOf(fair());
    stored[0] = { ...(stored[0] as StoredOrderObservation), userId: 99 };
    stored[1] = { ...(stored[1] as StoredOrderObservation), items: [{ productId: 1, quantity: 3 }] };
    const text = verifyOrders(fair(), [product()], stored).violations.join('\n');
    expect(text).toMatch(/order 100 belongs to user 99/);
    expect(text).toMatch(/order 101 holds other items/);

    const cancelled = storedOf(fair()).map((s) => ({ ...s, status: 'CANCELLED' }));
    expect(verifyOrders(fair(), [product()], cancelled.slice(1)).violations.join('\n')).toMatch(
      /order 100 of request o1 .* cannot be read back[\s\S]*order 101 is CANCELLED/,
    );
  });

  describe('per-user limit', () => {
    const limited = (over: Partial<ProductObservation> = {}) =>
      product({ initialStock: 10, stock: 8, maxPerUser: 2, ...over });
    const kept = (): OrderObservation[] => [
      order(1, 10, 'SUCCEEDED', { orderId: 1 }),
      order(2, 10, 'SUCCEEDED', { orderId: 2 }),
      order(3, 10, 'REJECTED', { code: 'PURCHASE_LIMIT_EXCEEDED' }),
    ];

    it('when the user got exactly its limit by sequence, then it passes', () => {
      expect(verifyOrders(kept(), [limited()]).violations).toEqual([]);
    });

    it('when a third order of the user was placed past the limit, then it names it', () => {
      const orders = kept();
      orders[2] = order(3, 10, 'SUCCEEDED', { orderId: 3 });
      const text = verifyOrders(orders, [limited({ stock: 7 })]).violations.join('\n');
      expect(text).toMatch(/o3 \(seq 3, user 10\) was placed although the user's earlier orders had used up its limit/);
    });

    it('when units held before count and the limit was ignored, then it fails; refused for the wrong reason also fails', () => {
      const orders = [order(1, 10, 'SUCCEEDED', { orderId: 1 })];
      expect(verifyOrders(orders, [limited({ stock: 9, heldBefore: { 10: 2 } })]).ok).toBe(false);
      const wrong = [order(1, 10, 'REJECTED', { code: 'INSUFFICIENT_STOCK' })];
      expect(verifyOrders(wrong, [limited({ stock: 10, heldBefore: { 10: 2 } })]).violations.join('\n')).toMatch(
        /rejected with INSUFFICIENT_STOCK, expected PURCHASE_LIMIT_EXCEEDED/,
      );
    });
  });
});

describe('verifyOrders with the deployment-wide limits', () => {
  const plenty = (over: Partial<ProductObservation> = {}) => product({ initialStock: 100, stock: 95, ...over });
  const capped = (): OrderObservation[] => [
    order(1, 10, 'SUCCEEDED', { orderId: 1, items: [{ productId: 1, quantity: 3 }] }),
    order(2, 11, 'SUCCEEDED', { orderId: 2, items: [{ productId: 1, quantity: 2 }] }),
    order(3, 10, 'REJECTED', { code: 'PENDING_LIMIT_EXCEEDED', items: [{ productId: 1, quantity: 2 }] }),
  ];

  it('when a user was refused past the pending cap in sequence order, then it passes', () => {
    expect(verifyOrders(capped(), [plenty()], undefined, { maxPendingUnits: 4 }).violations).toEqual([]);
  });

  it('when an order past the cap was placed, then the oracle fails and names it', () => {
    const orders = capped();
    orders[2] = order(3, 10, 'SUCCEEDED', { orderId: 3, items: [{ productId: 1, quantity: 2 }] });
    const report = verifyOrders(orders, [plenty({ stock: 93 })], undefined, { maxPendingUnits: 4 });
    expect(report.ok).toBe(false);
    expect(report.violations.join('\n')).toMatch(
      /o3 \(seq 3, user 10\) was placed although the user's orders awaiting payment had reached the cap \(expected PENDING_LIMIT_EXCEEDED\)/,
    );
  });

  it("when units pending before count, or the cap is not the deployment's, then a refusal is wrong", () => {
    const before = verifyOrders(capped().slice(0, 2), [plenty()], undefined, {
      maxPendingUnits: 4,
      pendingBefore: { 10: 2 },
    });
    expect(before.violations.join('\n')).toMatch(
      /o1 \(seq 1, user 10\) was placed although .* \(expected PENDING_LIMIT_EXCEEDED\)/,
    );
    expect(verifyOrders(capped(), [plenty()]).violations.join('\n')).toMatch(
      /o3 .* should have been placed but is REJECTED PENDING_LIMIT_EXCEEDED/,
    );
  });

  it("when balances are checked, then an order past its user's balance must be INSUFFICIENT_BALANCE", () => {
    const orders = [
      order(1, 10, 'SUCCEEDED', { orderId: 1, items: [{ productId: 1, quantity: 2 }] }),
      order(2, 11, 'REJECTED', { code: 'INSUFFICIENT_BALANCE', items: [{ productId: 1, quantity: 2 }] }),
    ];
    const rules = { balances: { 10: 200, 11: 199 } };
    expect(verifyOrders(orders, [plenty({ stock: 98, price: 100 })], undefined, rules).violations).toEqual([]);
    const placed = [orders[0] as OrderObservation, order(2, 11, 'SUCCEEDED', { orderId: 2, items: orders[1]?.items })];
    expect(verifyOrders(placed, [plenty({ stock: 96, price: 100 })], undefined, rules).violations.join('\n')).toMatch(
      /o2 .* was placed although its payment amount exceeds the balance/,
    );
  });
});
