// Decides a batch of coupon claims inside the lane transaction and publishes sold-out flags; its
// owner task draws the lane's pre-queues.
import type { Decision, LaneItem, LaneProcessor } from '../lane/lane-processor.js';
import { ClaimPayload } from './claim.payload.js';
import type { RedisClient } from '../redis.js';
import type { OwnerTask } from '../lane/owner-task.js';
import { addIssued, findHolders, insertUserCoupons, lockCoupons } from './coupon.repository.js';
import { decideClaims, holderKey, type CouponState } from './claim.decider.js';

const DAY_MS = 24 * 60 * 60 * 1000;

function couponState(r: Awaited<ReturnType<typeof lockCoupons>>[number]): CouponState {
  return {
    id: r.id,
    totalQuantity: r.total_quantity,
    issuedQuantity: r.issued_quantity,
    claimStartsAt: r.claim_starts_at,
    preQueueOpensAt: r.pre_queue_opens_at,
    claimEndsAt: r.claim_ends_at,
  };
}

export function claimProcessor(deps: {
  redis: RedisClient;
  soldOutKey: (couponId: number) => string;
  /** Draws the lane's pre-queues at their start (pre-queue.draw.ts). */
  ownerTask?: OwnerTask;
}): LaneProcessor<ClaimPayload> {
  return {
    ...(deps.ownerTask ? { ownerTask: deps.ownerTask } : {}),
    async decide(trx, items: LaneItem<ClaimPayload>[], now) {
      const couponIds = [...new Set(items.map((i) => i.payload.couponId))];
      const userIds = [...new Set(items.map((i) => i.payload.userId))];
      const rows = await lockCoupons(trx, couponIds);
      const coupons = new Map<number, CouponState>(rows.map((r) => [r.id, couponState(r)]));
      const holders = new Set(
        (rows.length > 0 ? await findHolders(trx, [...coupons.keys()], userIds) : []).map((h) =>
          holderKey(h.coupon_id, h.user_id),
        ),
      );
      const verdicts = decideClaims(
        coupons,
        holders,
        items.map((i) => ({ couponId: i.payload.couponId, userId: i.payload.userId, acceptedAt: i.acceptedAt })),
      );

      const validDays = new Map(rows.map((r) => [r.id, r.valid_days]));
      const issued = items
        .filter((_, i) => verdicts[i]?.issue)
        .map((i) => ({
          couponId: i.payload.couponId,
          userId: i.payload.userId,
          requestId: i.requestId,
          issuedAt: now,
          expiresAt: new Date(now.getTime() + (validDays.get(i.payload.couponId) ?? 0) * DAY_MS),
        }));
      const ids = await insertUserCoupons(trx, issued);
      const perCoupon = new Map<number, number>();
      for (const row of issued) perCoupon.set(row.couponId, (perCoupon.get(row.couponId) ?? 0) + 1);
      for (const [couponId, count] of perCoupon) await addIssued(trx, couponId, count);

      const expiresAt = new Map(issued.map((r) => [r.requestId, r.expiresAt]));
      const decisions = items.map((item, i): Decision => {
        const v = verdicts[i];
        if (!v) throw new Error('missing verdict');
        if (!v.issue) return { status: 'REJECTED', error: { code: v.code, message: v.message } };
        const { requestId, payload } = item;
        const result = {
          userCouponId: ids.get(requestId),
          couponId: payload.couponId,
          expiresAt: expiresAt.get(requestId)?.toISOString(),
        };
        return { status: 'SUCCEEDED', result };
      });
      const soldOut = [...coupons.values()].filter((c) => c.issuedQuantity >= c.totalQuantity).map((c) => c.id);
      return { decisions, ...(soldOut.length > 0 ? { afterCommit: () => publishSoldOut(soldOut) } : {}) };
    },
  };

  async function publishSoldOut(couponIds: number[]): Promise<void> {
    const pipeline = deps.redis.pipeline();
    for (const id of couponIds) pipeline.set(deps.soldOutKey(id), '1', 'EX', 30 * 24 * 3600);
    await pipeline.exec();
  }
}
