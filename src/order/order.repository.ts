import { sql, type Transaction } from 'kysely';
import type { Db } from '../db/database.js';
import type { Database, OrderStatus } from '../db/schema.js';

type Executor = Db | Transaction<Database>;

export async function lockProducts(trx: Transaction<Database>, ids: number[]) {
  if (ids.length === 0) return [];
  return trx
    .selectFrom('products')
    .select(['id', 'price', 'stock', 'max_per_user'])
    .where('id', 'in', ids)
    .orderBy('id')
    .forUpdate()
    .execute();
}

/**
 * Units each of `userIds` holds of each of `productIds` in PENDING_PAYMENT and PAID orders. Only the
 * orders lane adds to these sums, and cancellation or expiry only lowers them, so a plain read inside
 * the lane's transaction can only err on the safe side.
 */
export async function heldUnits(trx: Transaction<Database>, userIds: number[], productIds: number[]) {
  if (userIds.length === 0 || productIds.length === 0) return [];
  return trx
    .selectFrom('orders as o')
    .innerJoin('order_items as oi', 'oi.order_id', 'o.id')
    .select(['o.user_id', 'oi.product_id', sql<string>`SUM(oi.quantity)`.as('units')])
    .where('o.user_id', 'in', userIds)
    .where('oi.product_id', 'in', productIds)
    .where('o.status', 'in', ['PENDING_PAYMENT', 'PAID'])
    .groupBy(['o.user_id', 'oi.product_id'])
    .execute();
}

/**
 * Units each of `userIds` holds in PENDING_PAYMENT orders, over every product. Only the orders lane
 * adds to these sums, and payment, cancellation and expiry only lower them, so a plain read inside
 * the lane's transaction can only err on the safe side.
 */
export async function pendingUnits(trx: Transaction<Database>, userIds: number[]) {
  if (userIds.length === 0) return [];
  return trx
    .selectFrom('orders as o')
    .innerJoin('order_items as oi', 'oi.order_id', 'o.id')
    .select(['o.user_id', sql<string>`SUM(oi.quantity)`.as('units')])
    .where('o.user_id', 'in', userIds)
    .where('o.status', '=', 'PENDING_PAYMENT')
    .groupBy('o.user_id')
    .execute();
}

/** The balances of `userIds` as they are now (a user without an account has none: 0). */
export async function balancesOf(trx: Transaction<Database>, userIds: number[]) {
  if (userIds.length === 0) return [];
  return trx.selectFrom('balances').select(['user_id', 'balance']).where('user_id', 'in', userIds).execute();
}

export async function lockUserCoupons(trx: Transaction<Database>, ids: number[]) {
  if (ids.length === 0) return [];
  return trx
    .selectFrom('user_coupons as uc')
    .innerJoin('coupons as c', 'c.id', 'uc.coupon_id')
    .select([
      'uc.id',
      'uc.user_id',
      'uc.status',
      'uc.expires_at',
      'c.discount_type',
      'c.discount_value',
      'c.max_discount_amount',
      'c.min_order_amount',
    ])
    .where('uc.id', 'in', ids)
    .orderBy('uc.id')
    .forUpdate()
    .execute();
}

/** Changes the stock of several products in one statement; `deltas` maps product id to change. */
export async function changeStock(trx: Transaction<Database>, deltas: Map<number, number>) {
  const entries = [...deltas].filter(([, d]) => d !== 0);
  if (entries.length === 0) return;
  const cases = sql.join(
    entries.map(([id, d]) => sql`WHEN ${id} THEN ${d}`),
    sql` `,
  );
  await trx
    .updateTable('products')
    .set({ stock: sql`stock + CASE id ${cases} END` })
    .where(
      'id',
      'in',
      entries.map(([id]) => id),
    )
    .execute();
}

export interface NewOrder {
  userId: number;
  requestId: string;
  totalAmount: number;
  discountAmount: number;
  paymentAmount: number;
  userCouponId: number | null;
  createdAt: Date;
  expiresAt: Date;
  lines: { productId: number; quantity: number; unitPrice: number }[];
}

/** Inserts orders and their items; returns order ids by request id. */
export async function insertOrders(trx: Transaction<Database>, orders: NewOrder[]): Promise<Map<string, number>> {
  if (orders.length === 0) return new Map();
  await trx
    .insertInto('orders')
    .values(
      orders.map((o) => ({
        user_id: o.userId,
        status: 'PENDING_PAYMENT' as const,
        total_amount: o.totalAmount,
        discount_amount: o.discountAmount,
        payment_amount: o.paymentAmount,
        user_coupon_id: o.userCouponId,
        request_id: o.requestId,
        created_at: o.createdAt,
        expires_at: o.expiresAt,
      })),
    )
    .execute();
  const rows = await trx
    .selectFrom('orders')
    .select(['id', 'request_id'])
    .where(
      'request_id',
      'in',
      orders.map((o) => o.requestId),
    )
    .execute();
  const ids = new Map(rows.map((r) => [r.request_id, r.id]));
  await trx
    .insertInto('order_items')
    .values(
      orders.flatMap((o) =>
        o.lines.map((l) => ({
          order_id: ids.get(o.requestId) as number,
          product_id: l.productId,
          quantity: l.quantity,
          unit_price: l.unitPrice,
        })),
      ),
    )
    .execute();
  return ids;
}

/** Holds coupons for orders: AVAILABLE → RESERVED with the order's id. */
export async function reserveCoupons(trx: Transaction<Database>, holds: { userCouponId: number; orderId: number }[]) {
  if (holds.length === 0) return;
  const cases = sql.join(
    holds.map((h) => sql`WHEN ${h.userCouponId} THEN ${h.orderId}`),
    sql` `,
  );
  await trx
    .updateTable('user_coupons')
    .set({ status: 'RESERVED', order_id: sql`CASE id ${cases} END` })
    .where(
      'id',
      'in',
      holds.map((h) => h.userCouponId),
    )
    .where('status', '=', 'AVAILABLE')
    .execute();
}

export async function findOrder(db: Executor, id: number) {
  return db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function lockOrder(trx: Transaction<Database>, id: number) {
  return trx.selectFrom('orders').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function findOrderItems(db: Executor, orderId: number) {
  return db
    .selectFrom('order_items')
    .select(['product_id', 'quantity', 'unit_price'])
    .where('order_id', '=', orderId)
    .orderBy('product_id')
    .execute();
}

/** Moves a PENDING_PAYMENT order to a final state; false when it was no longer pending. */
export async function closeOrder(
  trx: Transaction<Database>,
  id: number,
  status: Exclude<OrderStatus, 'PENDING_PAYMENT'>,
  at: Date,
) {
  const result = await trx
    .updateTable('orders')
    .set({ status, closed_at: at, ...(status === 'PAID' ? { paid_at: at } : {}) })
    .where('id', '=', id)
    .where('status', '=', 'PENDING_PAYMENT')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function releaseCoupon(trx: Transaction<Database>, userCouponId: number, orderId: number) {
  await trx
    .updateTable('user_coupons')
    .set({ status: 'AVAILABLE', order_id: null })
    .where('id', '=', userCouponId)
    .where('order_id', '=', orderId)
    .where('status', '=', 'RESERVED')
    .execute();
}

export async function useCoupon(trx: Transaction<Database>, userCouponId: number, orderId: number, at: Date) {
  await trx
    .updateTable('user_coupons')
    .set({ status: 'USED', used_at: at })
    .where('id', '=', userCouponId)
    .where('order_id', '=', orderId)
    .where('status', '=', 'RESERVED')
    .execute();
}

export async function findDueOrders(db: Db, now: Date, limit: number) {
  return db
    .selectFrom('orders')
    .select('id')
    .where('status', '=', 'PENDING_PAYMENT')
    .where('expires_at', '<=', now)
    .orderBy('expires_at')
    .limit(limit)
    .execute();
}
