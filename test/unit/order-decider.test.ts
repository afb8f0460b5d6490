import { describe, expect, it } from 'vitest';
import { decideOrders, holdingKey, type CouponHoldState, type ProductState } from '../../src/order/order.decider.js';

const at = new Date('2026-06-01T12:00:00Z');
const products = (...list: [number, number, number][]) =>
  new Map<number, ProductState>(list.map(([id, price, stock]) => [id, { id, price, stock }]));
const coupon = (over: Partial<CouponHoldState> = {}): CouponHoldState => ({
  id: 1,
  userId: 7,
  status: 'AVAILABLE',
  expiresAt: new Date('2026-07-01T00:00:00Z'),
  discountType: 'FIXED',
  discountValue: 1000,
  maxDiscountAmount: null,
  minOrderAmount: 0,
  ...over,
});

describe('decideOrders', () => {
  it('when one item of a multi-item order is short, then nothing of the order is reserved', () => {
    const p = products([1, 100, 5], [2, 200, 1]);
    const verdicts = decideOrders(p, new Map(), [
      {
        userId: 1,
        items: [
          { productId: 1, quantity: 2 },
          { productId: 2, quantity: 2 },
        ],
        acceptedAt: at,
      },
    ]);
    expect(verdicts[0]).toMatchObject({ placed: false, code: 'INSUFFICIENT_STOCK' });
    expect(p.get(1)?.stock).toBe(5);
    expect(p.get(2)?.stock).toBe(1);
  });

  it('when orders compete for the last units, then the earlier ones in the batch get them', () => {
    const p = products([1, 100, 3]);
    const verdicts = decideOrders(
      p,
      new Map(),
      [2, 2, 1].map((quantity, userId) => ({
        userId: userId + 1,
        items: [{ productId: 1, quantity }],
        acceptedAt: at,
      })),
    );
    expect(verdicts.map((v) => v.placed)).toEqual([true, false, true]);
    expect(p.get(1)?.stock).toBe(0);
  });

  it('when a product is unknown, then PRODUCT_NOT_FOUND and nothing reserved', () => {
    const p = products([1, 100, 3]);
    const verdicts = decideOrders(p, new Map(), [
      {
        userId: 1,
        items: [
          { productId: 1, quantity: 1 },
          { productId: 9, quantity: 1 },
        ],
        acceptedAt: at,
      },
    ]);
    expect(verdicts[0]).toMatchObject({ placed: false, code: 'PRODUCT_NOT_FOUND' });
    expect(p.get(1)?.stock).toBe(3);
  });

  it('when a coupon is applied, then the order is priced with it and the coupon is held', () => {
    const c = new Map([[1, coupon()]]);
    const verdicts = decideOrders(products([1, 3000, 10]), c, [
      { userId: 7, items: [{ productId: 1, quantity: 2 }], userCouponId: 1, acceptedAt: at },
    ]);
    expect(verdicts[0]).toMatchObject({ placed: true, totalAmount: 6000, discountAmount: 1000, paymentAmount: 5000 });
    expect(c.get(1)?.status).toBe('RESERVED');
  });

  it.each([
    ['another user’s coupon', { userId: 8 }],
    ['a coupon already held by an order', { status: 'RESERVED' as const }],
    ['a used coupon', { status: 'USED' as const }],
    ['an expired coupon', { expiresAt: new Date('2026-06-01T11:59:59Z') }],
    ['an order below the minimum', { minOrderAmount: 100_000 }],
  ])('when the order brings %s, then COUPON_NOT_USABLE and nothing reserved', (_name, over) => {
    const p = products([1, 3000, 10]);
    const verdicts = decideOrders(p, new Map([[1, coupon(over)]]), [
      { userId: 7, items: [{ productId: 1, quantity: 1 }], userCouponId: 1, acceptedAt: at },
    ]);
    expect(verdicts[0]).toMatchObject({ placed: false, code: 'COUPON_NOT_USABLE' });
    expect(p.get(1)?.stock).toBe(10);
  });

  it('when two orders in one batch bring the same coupon, then only the first may use it', () => {
    const verdicts = decideOrders(products([1, 3000, 10]), new Map([[1, coupon()]]), [
      { userId: 7, items: [{ productId: 1, quantity: 1 }], userCouponId: 1, acceptedAt: at },
      { userId: 7, items: [{ productId: 1, quantity: 1 }], userCouponId: 1, acceptedAt: at },
    ]);
    expect(verdicts.map((v) => (v.placed ? 'placed' : v.code))).toEqual(['placed', 'COUPON_NOT_USABLE']);
  });

  it('when a coupon is unknown, then COUPON_NOT_USABLE', () => {
    const verdicts = decideOrders(products([1, 3000, 10]), new Map(), [
      { userId: 7, items: [{ productId: 1, quantity: 1 }], userCouponId: 42, acceptedAt: at },
    ]);
    expect(verdicts[0]).toMatchObject({ placed: false, code: 'COUPON_NOT_USABLE' });
  });

  describe('per-user limit', () => {
    const limited = (maxPerUser: number) =>
      new Map<number, ProductState>([[1, { id: 1, price: 100, stock: 100, maxPerUser }]]);
    const one = (userId: number, quantity = 1) => ({ userId, items: [{ productId: 1, quantity }], acceptedAt: at });
    const codes = (verdicts: ReturnType<typeof decideOrders>) => verdicts.map((v) => (v.placed ? 'placed' : v.code));

    it('when one user orders three times in a batch against a limit of 2, then the third is refused and others are not counted', () => {
      const held = new Map<string, number>();
      const verdicts = decideOrders(limited(2), new Map(), [one(7), one(8), one(7), one(8), one(7)], held);
      expect(codes(verdicts)).toEqual(['placed', 'placed', 'placed', 'placed', 'PURCHASE_LIMIT_EXCEEDED']);
      expect(held.get(holdingKey(7, 1))).toBe(2);
    });

    it('when the user already holds units, then they count, and a quantity beyond the rest is refused whole', () => {
      const p = limited(5);
      const held = new Map([[holdingKey(7, 1), 3]]);
      const verdicts = decideOrders(p, new Map(), [one(7, 3), one(7, 2), one(7, 1)], held);
      expect(codes(verdicts)).toEqual(['PURCHASE_LIMIT_EXCEEDED', 'placed', 'PURCHASE_LIMIT_EXCEEDED']);
      expect(p.get(1)?.stock).toBe(98);
    });

    it('when an order of several items exceeds the limit of one, then nothing of it is reserved', () => {
      const p = new Map<number, ProductState>([
        [1, { id: 1, price: 100, stock: 10 }],
        [2, { id: 2, price: 100, stock: 10, maxPerUser: 1 }],
      ]);
      const verdicts = decideOrders(p, new Map(), [
        {
          userId: 7,
          items: [
            { productId: 1, quantity: 1 },
            { productId: 2, quantity: 2 },
          ],
          acceptedAt: at,
        },
      ]);
      expect(codes(verdicts)).toEqual(['PURCHASE_LIMIT_EXCEEDED']);
      expect([p.get(1)?.stock, p.get(2)?.stock]).toEqual([10, 10]);
    });
  });
});

describe('decideOrders with the deployment-wide limits', () => {
  const stocked = () => products([1, 100, 1_000], [2, 50, 0]);
  const order = (userId: number, quantity: number, productId = 1) => ({
    userId,
    items: [{ productId, quantity }],
    acceptedAt: at,
  });
  const codes = (verdicts: ReturnType<typeof decideOrders>) => verdicts.map((v) => (v.placed ? 'placed' : v.code));

  it('when a user reaches the pending cap within a batch, then later orders past it are refused and others still buy', () => {
    const pending = new Map([[7, 4]]);
    const p = stocked();
    const verdicts = decideOrders(p, new Map(), [order(7, 3), order(8, 10), order(7, 3), order(7, 3)], new Map(), {
      maxPendingUnits: 10,
      pending,
    });
    expect(codes(verdicts)).toEqual(['placed', 'placed', 'placed', 'PENDING_LIMIT_EXCEEDED']);
    expect(pending.get(7)).toBe(10);
    expect(p.get(1)?.stock).toBe(984);
  });

  it('when a user over the cap orders a product without stock, then the answer is INSUFFICIENT_STOCK, as the instant answer says', () => {
    const verdicts = decideOrders(stocked(), new Map(), [order(7, 1, 2)], new Map(), {
      maxPendingUnits: 10,
      pending: new Map([[7, 10]]),
    });
    expect(codes(verdicts)).toEqual(['INSUFFICIENT_STOCK']);
  });

  it('when the balance is checked, then an order whose payment amount exceeds it is INSUFFICIENT_BALANCE; the discount counts', () => {
    const balances = new Map([[7, 300]]);
    const limits = { maxPendingUnits: null, pending: new Map(), balances };
    const verdicts = decideOrders(
      stocked(),
      new Map([[1, coupon({ discountValue: 100 })]]),
      [order(7, 4), { ...order(7, 4), userCouponId: 1 }, order(7, 3), order(9, 1)],
      new Map(),
      limits,
    );
    expect(codes(verdicts)).toEqual(['INSUFFICIENT_BALANCE', 'placed', 'placed', 'INSUFFICIENT_BALANCE']);
  });
});
