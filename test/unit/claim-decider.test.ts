import { describe, expect, it } from 'vitest';
import { decideClaims, holderKey, type CouponState } from '../../src/coupon/claim.decider.js';

const at = new Date('2026-06-01T12:00:00Z');
const coupon = (over: Partial<CouponState> = {}): CouponState => ({
  id: 1,
  totalQuantity: 2,
  issuedQuantity: 0,
  claimStartsAt: null,
  claimEndsAt: null,
  ...over,
});

describe('decideClaims', () => {
  it('when claims exceed the stock, then the first distinct users win in the given order', () => {
    const coupons = new Map([[1, coupon()]]);
    const decisions = decideClaims(coupons, new Set(), [
      { couponId: 1, userId: 7, acceptedAt: at },
      { couponId: 1, userId: 7, acceptedAt: at },
      { couponId: 1, userId: 8, acceptedAt: at },
      { couponId: 1, userId: 9, acceptedAt: at },
    ]);
    expect(decisions).toMatchObject([
      { issue: true },
      { issue: false, code: 'ALREADY_ISSUED' },
      { issue: true },
      { issue: false, code: 'SOLD_OUT' },
    ]);
    expect(coupons.get(1)?.issuedQuantity).toBe(2);
  });

  it('when a user already holds the coupon from an earlier batch, then the claim is ALREADY_ISSUED even when sold out', () => {
    const coupons = new Map([[1, coupon({ issuedQuantity: 2 })]]);
    const decisions = decideClaims(coupons, new Set([holderKey(1, 5)]), [
      { couponId: 1, userId: 5, acceptedAt: at },
      { couponId: 1, userId: 6, acceptedAt: at },
    ]);
    expect(decisions).toMatchObject([
      { issue: false, code: 'ALREADY_ISSUED' },
      { issue: false, code: 'SOLD_OUT' },
    ]);
  });

  it('when the coupon is unknown, then COUPON_NOT_FOUND', () => {
    expect(decideClaims(new Map(), new Set(), [{ couponId: 3, userId: 1, acceptedAt: at }])).toMatchObject([
      { issue: false, code: 'COUPON_NOT_FOUND' },
    ]);
  });

  it('when a claim was accepted outside the claim window, then CLAIM_WINDOW_CLOSED, judged at acceptance', () => {
    const coupons = new Map([
      [
        1,
        coupon({
          totalQuantity: 10,
          claimStartsAt: new Date('2026-06-01T12:00:00Z'),
          claimEndsAt: new Date('2026-06-01T13:00:00Z'),
        }),
      ],
    ]);
    const decisions = decideClaims(coupons, new Set(), [
      { couponId: 1, userId: 1, acceptedAt: new Date('2026-06-01T11:59:59.999Z') },
      { couponId: 1, userId: 2, acceptedAt: new Date('2026-06-01T12:00:00Z') },
      { couponId: 1, userId: 3, acceptedAt: new Date('2026-06-01T12:59:59.999Z') },
      { couponId: 1, userId: 4, acceptedAt: new Date('2026-06-01T13:00:00Z') },
    ]);
    expect(decisions.map((d) => (d.issue ? 'ISSUED' : d.code))).toEqual([
      'CLAIM_WINDOW_CLOSED',
      'ISSUED',
      'ISSUED',
      'CLAIM_WINDOW_CLOSED',
    ]);
  });

  it('when two coupons are decided in one batch, then each keeps its own stock and holders', () => {
    const coupons = new Map([
      [1, coupon({ totalQuantity: 1 })],
      [2, coupon({ id: 2, totalQuantity: 1 })],
    ]);
    const decisions = decideClaims(coupons, new Set(), [
      { couponId: 1, userId: 1, acceptedAt: at },
      { couponId: 2, userId: 1, acceptedAt: at },
      { couponId: 1, userId: 2, acceptedAt: at },
    ]);
    expect(decisions.map((d) => d.issue)).toEqual([true, true, false]);
  });
});
