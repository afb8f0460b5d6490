import { sql, type Transaction } from 'kysely';
import type { Db } from '../db/database.js';
import type { Database, DiscountType, UserCouponStatus } from '../db/schema.js';

type Executor = Db | Transaction<Database>;

export interface NewCoupon {
  name: string;
  discountType: DiscountType;
  discountValue: number;
  maxDiscountAmount: number | null;
  minOrderAmount: number;
  totalQuantity: number;
  /** Absent or null: no pre-queue. */
  preQueueOpensAt?: Date | null;
  claimStartsAt: Date | null;
  claimEndsAt: Date | null;
  validDays: number;
}

export async function insertCoupon(db: Executor, c: NewCoupon): Promise<number> {
  const result = await db
    .insertInto('coupons')
    .values({
      name: c.name,
      discount_type: c.discountType,
      discount_value: c.discountValue,
      max_discount_amount: c.maxDiscountAmount,
      min_order_amount: c.minOrderAmount,
      total_quantity: c.totalQuantity,
      claim_starts_at: c.claimStartsAt,
      pre_queue_opens_at: c.preQueueOpensAt ?? null,
      claim_ends_at: c.claimEndsAt,
      valid_days: c.validDays,
      created_at: new Date(),
    })
    .executeTakeFirstOrThrow();
  return Number(result.insertId);
}

export async function findCoupon(db: Executor, id: number) {
  return db.selectFrom('coupons').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function lockCoupons(trx: Transaction<Database>, ids: number[]) {
  return trx.selectFrom('coupons').selectAll().where('id', 'in', ids).orderBy('id').forUpdate().execute();
}

export async function findHolders(trx: Transaction<Database>, couponIds: number[], userIds: number[]) {
  return trx
    .selectFrom('user_coupons')
    .select(['coupon_id', 'user_id'])
    .where('coupon_id', 'in', couponIds)
    .where('user_id', 'in', userIds)
    .execute();
}

export async function insertUserCoupons(
  trx: Transaction<Database>,
  rows: { couponId: number; userId: number; requestId: string; issuedAt: Date; expiresAt: Date }[],
) {
  if (rows.length === 0) return new Map<string, number>();
  await trx
    .insertInto('user_coupons')
    .values(
      rows.map((r) => ({
        coupon_id: r.couponId,
        user_id: r.userId,
        status: 'AVAILABLE' as const,
        request_id: r.requestId,
        issued_at: r.issuedAt,
        expires_at: r.expiresAt,
      })),
    )
    .execute();
  const ids = await trx
    .selectFrom('user_coupons')
    .select(['id', 'request_id'])
    .where(
      'request_id',
      'in',
      rows.map((r) => r.requestId),
    )
    .execute();
  return new Map(ids.map((r) => [r.request_id, r.id]));
}

/** Counts issued coupons; the CHECK constraint refuses anything beyond total_quantity. */
export async function addIssued(trx: Transaction<Database>, couponId: number, count: number) {
  await trx
    .updateTable('coupons')
    .set({ issued_quantity: sql`issued_quantity + ${count}` })
    .where('id', '=', couponId)
    .execute();
}

export async function listUserCoupons(
  db: Db,
  userId: number,
  status: UserCouponStatus | 'EXPIRED' | undefined,
  now: Date,
) {
  let query = db
    .selectFrom('user_coupons as uc')
    .innerJoin('coupons as c', 'c.id', 'uc.coupon_id')
    .select([
      'uc.id',
      'uc.coupon_id',
      'uc.status',
      'uc.issued_at',
      'uc.expires_at',
      'uc.used_at',
      'c.name',
      'c.discount_type',
      'c.discount_value',
      'c.max_discount_amount',
      'c.min_order_amount',
    ])
    .where('uc.user_id', '=', userId)
    .orderBy('uc.id', 'desc')
    .limit(500);
  if (status === 'EXPIRED') {
    query = query.where('uc.status', '<>', 'USED').where('uc.expires_at', '<=', now);
  } else if (status === 'USED') {
    query = query.where('uc.status', '=', 'USED');
  } else if (status) {
    query = query.where('uc.status', '=', status).where('uc.expires_at', '>', now);
  }
  return query.execute();
}

/** One line of a pre-queue draw, in drawn order (position 1 … n). */
export interface DrawEntry {
  position: number;
  requestId: string;
  userId: number;
  sequence: number;
  acceptedAt: Date;
}

/** Writes a coupon's draw once: false when it was already recorded (a draw run again after a crash). */
export async function insertDraw(trx: Transaction<Database>, couponId: number, entries: DrawEntry[], at: Date) {
  const coupon = await trx
    .selectFrom('coupons')
    .select('pre_queue_drawn_at')
    .where('id', '=', couponId)
    .forUpdate()
    .executeTakeFirst();
  if (!coupon || coupon.pre_queue_drawn_at) return false;
  for (let i = 0; i < entries.length; i += 1_000) {
    await trx
      .insertInto('coupon_draws')
      .values(
        entries.slice(i, i + 1_000).map((e) => ({
          coupon_id: couponId,
          position: e.position,
          request_id: e.requestId,
          user_id: e.userId,
          sequence: e.sequence,
          accepted_at: e.acceptedAt,
        })),
      )
      .execute();
  }
  await trx.updateTable('coupons').set({ pre_queue_drawn_at: at }).where('id', '=', couponId).execute();
  return true;
}

export async function listDraw(db: Db, couponId: number) {
  return db
    .selectFrom('coupon_draws')
    .select(['position', 'request_id', 'user_id', 'sequence', 'accepted_at'])
    .where('coupon_id', '=', couponId)
    .orderBy('position')
    .execute();
}

export async function findDrawEntry(db: Db, requestId: string) {
  return db
    .selectFrom('coupon_draws')
    .select(['coupon_id', 'user_id', 'sequence', 'accepted_at'])
    .where('request_id', '=', requestId)
    .executeTakeFirst();
}
