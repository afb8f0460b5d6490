// The pure first-come-first-served rule for coupon claims, applied to a batch in sequence order.

export interface CouponState {
  id: number;
  totalQuantity: number;
  issuedQuantity: number;
  claimStartsAt: Date | null;
  /** With a pre-queue, claims are taken from here on (they reach the lane only after its draw). */
  preQueueOpensAt?: Date | null;
  claimEndsAt: Date | null;
}

export interface ClaimInput {
  couponId: number;
  userId: number;
  acceptedAt: Date;
}

/** The REJECTED codes of a coupon claim (the OpenAPI document lists them from here). */
export const CLAIM_REJECTIONS = ['SOLD_OUT', 'ALREADY_ISSUED', 'COUPON_NOT_FOUND', 'CLAIM_WINDOW_CLOSED'] as const;

export type ClaimDecision =
  { issue: true } | { issue: false; code: (typeof CLAIM_REJECTIONS)[number]; message: string };

export const holderKey = (couponId: number, userId: number) => `${couponId}:${userId}`;

/**
 * Decides claims in the order given. `coupons` and `holders` (couponId:userId pairs already issued)
 * are the database state at the start of the batch; both are updated as claims are issued. The claim
 * window is judged at the moment the request was accepted, not when the lane got to it; a coupon's
 * window opens with its pre-queue, whose claims come into the lane drawn, ahead of every later one.
 */
export function decideClaims(
  coupons: Map<number, CouponState>,
  holders: Set<string>,
  claims: readonly ClaimInput[],
): ClaimDecision[] {
  return claims.map((claim) => {
    const coupon = coupons.get(claim.couponId);
    if (!coupon) return { issue: false, code: 'COUPON_NOT_FOUND', message: `Coupon ${claim.couponId} does not exist` };
    const at = claim.acceptedAt.getTime();
    const opensAt = coupon.preQueueOpensAt ?? coupon.claimStartsAt;
    if ((opensAt && at < opensAt.getTime()) || (coupon.claimEndsAt && at >= coupon.claimEndsAt.getTime())) {
      return { issue: false, code: 'CLAIM_WINDOW_CLOSED', message: 'The coupon could not be claimed at that time' };
    }
    const key = holderKey(claim.couponId, claim.userId);
    if (holders.has(key))
      return { issue: false, code: 'ALREADY_ISSUED', message: 'This user already holds this coupon' };
    if (coupon.issuedQuantity >= coupon.totalQuantity) {
      return { issue: false, code: 'SOLD_OUT', message: 'All coupons have been issued' };
    }
    coupon.issuedQuantity++;
    holders.add(key);
    return { issue: true };
  });
}
