import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { discountFor, type DiscountRule } from '../../src/order/discount.js';

const total = fc.integer({ min: 0, max: 20_000_000_000_000 });
const fixed = fc.record({
  discountType: fc.constant('FIXED' as const),
  discountValue: fc.integer({ min: 1, max: 1_000_000_000 }),
  maxDiscountAmount: fc.option(fc.integer({ min: 1, max: 1_000_000_000 }), { nil: null }),
});
const percent = fc.record({
  discountType: fc.constant('PERCENT' as const),
  discountValue: fc.integer({ min: 1, max: 100 }),
  maxDiscountAmount: fc.option(fc.integer({ min: 1, max: 1_000_000_000 }), { nil: null }),
});
const rule: fc.Arbitrary<DiscountRule> = fc.oneof(fixed, percent);

describe('discountFor', () => {
  it('when any coupon meets any total, then the payment never drops below 0 and the discount is an integer', () => {
    fc.assert(
      fc.property(total, rule, (t, r) => {
        const d = discountFor(t, r);
        expect(Number.isSafeInteger(d)).toBe(true);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(t - d).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('when a cap is set, then the discount never exceeds it', () => {
    fc.assert(
      fc.property(total, rule, (t, r) => {
        if (r.maxDiscountAmount !== null) expect(discountFor(t, r)).toBeLessThanOrEqual(r.maxDiscountAmount);
      }),
    );
  });

  it('when the coupon is PERCENT without a cap, then the discount is value% rounded down', () => {
    fc.assert(
      fc.property(total, fc.integer({ min: 1, max: 100 }), (t, v) => {
        const d = discountFor(t, { discountType: 'PERCENT', discountValue: v, maxDiscountAmount: null });
        expect(d).toBe(Math.floor((t * v) / 100));
        expect(d * 100).toBeLessThanOrEqual(t * v);
        expect((d + 1) * 100).toBeGreaterThan(t * v);
      }),
    );
  });

  it('when the coupon is FIXED, then it takes its value off but never more than the total', () => {
    fc.assert(
      fc.property(total, fc.integer({ min: 1, max: 1_000_000_000 }), (t, v) => {
        expect(discountFor(t, { discountType: 'FIXED', discountValue: v, maxDiscountAmount: null })).toBe(
          Math.min(v, t),
        );
      }),
    );
  });

  it('when a few known cases are priced, then they match the rules', () => {
    expect(discountFor(10_000, { discountType: 'PERCENT', discountValue: 10, maxDiscountAmount: 700 })).toBe(700);
    expect(discountFor(999, { discountType: 'PERCENT', discountValue: 15, maxDiscountAmount: null })).toBe(149);
    expect(discountFor(500, { discountType: 'FIXED', discountValue: 1000, maxDiscountAmount: null })).toBe(500);
    expect(discountFor(1000, { discountType: 'PERCENT', discountValue: 100, maxDiscountAmount: null })).toBe(1000);
  });
});
