import type { DiscountType } from '../db/schema.js';

export interface DiscountRule {
  discountType: DiscountType;
  discountValue: number;
  maxDiscountAmount: number | null;
}

/**
 * The discount a coupon gives on an order total: FIXED takes its value off, PERCENT takes
 * value% rounded down and at most maxDiscountAmount; never more than the total, so a payment is
 * never below 0. Integer arithmetic only (totals stay far below 2^53 / 100).
 */
export function discountFor(total: number, rule: DiscountRule): number {
  if (total <= 0) return 0;
  const raw = rule.discountType === 'FIXED' ? rule.discountValue : Math.floor((total * rule.discountValue) / 100);
  const capped = rule.maxDiscountAmount !== null ? Math.min(raw, rule.maxDiscountAmount) : raw;
  return Math.max(0, Math.min(capped, total));
}
