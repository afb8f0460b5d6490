import { transactionOf, type Db, type Executor } from '../db/database.js';
import type { CouponRow, UserCouponStatus } from '../db/schema.js';
import { ConflictError, NotFoundError, UnprocessableError, ValidationError } from '../common/errors.js';
import { laneForCoupon } from '../queues/lanes.js';
import type { RequestDeps, SubmitOptions } from '../request/request.service.js';
import { submitQueued, type Submitted } from '../request/submit.service.js';
import { findCoupon, insertCoupon, listDraw, listUserCoupons, type NewCoupon } from './coupon.repository.js';
import { preQueueStep } from './pre-queue.step.js';
import type { CouponWindow } from './pre-queue.js';

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

/**
 * Accepts a claim into the coupon's lane, one place in line per user: while the user's claim for
 * this coupon waits or runs, another returns it. A coupon that its lane has marked sold out is
 * answered at once (no later claim can succeed: issued coupons never return to the pool). A coupon
 * with a pre-queue takes claims from preQueueOpensAt into it, and lets later ones into the lane only
 * once the pre-queue is drawn (pre-queue.step.ts).
 */
export function submitClaim(
  deps: RequestDeps,
  couponId: number,
  userId: number,
  options: SubmitOptions = {},
): Promise<Submitted> {
  const acceptedAt = Date.now();
  // Known after a coupon's first claim: then the submit goes on in this turn. Not an async function,
  // so the submit's promise is handed on as it is, not wrapped in another.
  const known = deps.preQueue.known(couponId);
  return known === undefined
    ? deps.preQueue.window(couponId).then((window) => claimWithin(deps, couponId, userId, options, acceptedAt, window))
    : claimWithin(deps, couponId, userId, options, acceptedAt, known);
}

function claimWithin(
  deps: RequestDeps,
  couponId: number,
  userId: number,
  options: SubmitOptions,
  acceptedAt: number,
  window: CouponWindow | null,
): Promise<Submitted> {
  const lane = laneForCoupon(couponId, deps.config.COUPON_LANES);
  const { httpRequestId } = options;
  const payload = httpRequestId ? { couponId, userId, acceptedAt, httpRequestId } : { couponId, userId, acceptedAt };
  const preQueue =
    window?.preQueueOpensAt != null && window.claimStartsAt !== null && acceptedAt >= window.preQueueOpensAt
      ? preQueueStep(deps, lane, { couponId, userId, acceptedAt, claimStartsAt: window.claimStartsAt })
      : undefined;
  return submitQueued(deps, {
    admit: options.admit,
    userLimit: options.userLimit,
    idempotency: options.idempotency,
    lane,
    jobName: lane.laneType.jobName(payload),
    payload,
    userId,
    claim: { couponId, preQueue },
  });
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
