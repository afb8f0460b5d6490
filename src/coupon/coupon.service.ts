import { transactionOf, type Db, type Executor } from '../db/database.js';
import type { CouponRow, UserCouponStatus } from '../db/schema.js';
import { ConflictError, NotFoundError, UnprocessableError, ValidationError } from '../common/errors.js';
import { findCoupon, insertCoupon, listDraw, listUserCoupons, type NewCoupon } from './coupon.repository.js';

function toCoupon(c: CouponRow) {
  return {
    id: c.id,
    name: c.name,
    discountType: c.discount_type,
    discountValue: c.discount_value,
    maxDiscountAmount: c.max_discount_amount,
    minOrderAmount: c.min_order_amount,
    totalQuantity: c.total_quantity,
    issuedQuantity: c.issued_quantity,
    remaining: c.total_quantity - c.issued_quantity,
    preQueueOpensAt: c.pre_queue_opens_at?.toISOString() ?? null,
    claimStartsAt: c.claim_starts_at?.toISOString() ?? null,
    claimEndsAt: c.claim_ends_at?.toISOString() ?? null,
    validDays: c.valid_days,
  };
}

export async function getCoupon(db: Executor, id: number) {
  const coupon = await findCoupon(db, id);
  if (!coupon) throw new NotFoundError('COUPON_NOT_FOUND', `Coupon ${id} does not exist`);
  return toCoupon(coupon);
}

export async function createCoupon(db: Db, input: NewCoupon, transact = transactionOf(db)) {
  if (input.claimStartsAt && input.claimEndsAt && input.claimEndsAt <= input.claimStartsAt) {
    throw new ValidationError('claimEndsAt must be after claimStartsAt', [
      { path: 'body.claimEndsAt', message: 'must be after claimStartsAt' },
    ]);
  }
  if (input.preQueueOpensAt && !(input.claimStartsAt && input.preQueueOpensAt < input.claimStartsAt)) {
    throw new UnprocessableError(
      'PRE_QUEUE_WINDOW_INVALID',
      input.claimStartsAt
        ? 'preQueueOpensAt must be before claimStartsAt'
        : 'preQueueOpensAt needs a claimStartsAt: the pre-queue is drawn at the start',
    );
  }
  return transact(async (trx) => getCoupon(trx, await insertCoupon(trx, input)));
}

/** The recorded draw of a coupon's pre-queue: when it ran and, in drawn order, each claim. */
export async function getDraw(db: Db, couponId: number) {
  const coupon = await findCoupon(db, couponId);
  if (!coupon) throw new NotFoundError('COUPON_NOT_FOUND', `Coupon ${couponId} does not exist`);
  if (!coupon.pre_queue_opens_at) {
    throw new ConflictError('NO_PRE_QUEUE', `Coupon ${couponId} has no pre-queue (no preQueueOpensAt)`);
  }
  const drawnAt = coupon.pre_queue_drawn_at;
  const claims = drawnAt ? await listDraw(db, couponId) : [];
  return {
    couponId,
    preQueueOpensAt: coupon.pre_queue_opens_at.toISOString(),
    claimStartsAt: coupon.claim_starts_at?.toISOString() ?? null,
    status: drawnAt ? ('DRAWN' as const) : ('PENDING' as const),
    drawnAt: drawnAt?.toISOString() ?? null,
    claims: claims.map((c) => ({
      position: c.position,
      requestId: c.request_id,
      userId: c.user_id,
      sequence: c.sequence,
      acceptedAt: c.accepted_at.toISOString(),
    })),
  };
}

export async function getUserCoupons(db: Db, userId: number, status?: UserCouponStatus | 'EXPIRED', now = new Date()) {
  const rows = await listUserCoupons(db, userId, status, now);
  return {
    items: rows.map((r) => ({
      userCouponId: r.id,
      couponId: r.coupon_id,
      name: r.name,
      discountType: r.discount_type,
      discountValue: r.discount_value,
      maxDiscountAmount: r.max_discount_amount,
      minOrderAmount: r.min_order_amount,
      status: r.status !== 'USED' && r.expires_at.getTime() <= now.getTime() ? ('EXPIRED' as const) : r.status,
      issuedAt: r.issued_at.toISOString(),
      expiresAt: r.expires_at.toISOString(),
      usedAt: r.used_at?.toISOString() ?? null,
    })),
  };
}
