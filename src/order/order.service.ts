import type { Transaction } from 'kysely';
import { transactionOf, type Db, type Executor } from '../db/database.js';
import type { Database, OrderRow } from '../db/schema.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../common/errors.js';
import {
  changeStock,
  closeOrder,
  findDueOrders,
  findOrder,
  findOrderItems,
  lockOrder,
  releaseCoupon,
} from './order.repository.js';
import type { StockReturn } from './stock-gate.js';

function toView(o: OrderRow, items: { product_id: number; quantity: number; unit_price: number }[]) {
  return {
    id: o.id,
    userId: o.user_id,
    status: o.status,
    items: items.map((i) => ({ productId: i.product_id, quantity: i.quantity, unitPrice: i.unit_price })),
    totalAmount: o.total_amount,
    discountAmount: o.discount_amount,
    paymentAmount: o.payment_amount,
    userCouponId: o.user_coupon_id,
    createdAt: o.created_at.toISOString(),
    expiresAt: o.expires_at.toISOString(),
    paidAt: o.paid_at?.toISOString() ?? null,
  };
}

const orderNotFound = (id: number) => new NotFoundError('ORDER_NOT_FOUND', `Order ${id} does not exist`);

export async function getOrder(db: Executor, id: number) {
  const order = await findOrder(db, id);
  if (!order) throw orderNotFound(id);
  return toView(order, await findOrderItems(db, id));
}

/**
 * Closes a pending order as CANCELLED or EXPIRED and gives its stock and coupon back, in the caller's
 * transaction. Returns null when the order was not pending (already paid, cancelled or expired),
 * so whichever of cancel, the expiry job and the sweep comes first releases it, exactly once; else
 * the products whose stock came back.
 */
async function release(
  trx: Transaction<Database>,
  orderId: number,
  status: 'CANCELLED' | 'EXPIRED',
  guard: (o: OrderRow) => void,
  now: Date,
  gate: StockReturn | undefined,
): Promise<number[] | null> {
  const order = await lockOrder(trx, orderId);
  if (!order) throw orderNotFound(orderId);
  guard(order);
  if (order.status !== 'PENDING_PAYMENT') return null;
  if (status === 'EXPIRED' && order.expires_at.getTime() > now.getTime()) return null;
  if (!(await closeOrder(trx, orderId, status, now))) return null;
  const items = await findOrderItems(trx, orderId);
  const productIds = items.map((i) => i.product_id);
  await gate?.open(productIds);
  await changeStock(trx, new Map(items.map((i) => [i.product_id, i.quantity])));
  if (order.user_coupon_id !== null) await releaseCoupon(trx, order.user_coupon_id, orderId);
  return productIds;
}

export async function cancelOrder(
  db: Db,
  orderId: number,
  userId: number,
  transact = transactionOf(db),
  gate?: StockReturn,
) {
  const now = new Date();
  let returned: number[] = [];
  const view = await transact(async (trx) => {
    const guard = (o: OrderRow) => {
      if (o.user_id !== userId) throw new ForbiddenError('FORBIDDEN', 'This order belongs to another user');
      if (o.status !== 'PENDING_PAYMENT') {
        throw new ConflictError('ORDER_NOT_CANCELLABLE', `Order ${orderId} is ${o.status} and cannot be cancelled`);
      }
    };
    const productIds = await release(trx, orderId, 'CANCELLED', guard, now, gate);
    if (!productIds) throw new ConflictError('ORDER_NOT_CANCELLABLE', `Order ${orderId} cannot be cancelled`);
    returned = productIds;
    return getOrder(trx, orderId);
  });
  await gate?.reopen(returned);
  return view;
}

/** Expires every order past its payment window; safe to run from several processes at once. */
export async function expireDueOrders(db: Db, now = new Date(), batch = 500, gate?: StockReturn): Promise<number> {
  let expired = 0;
  for (;;) {
    const due = await findDueOrders(db, now, batch);
    for (const { id } of due) {
      const returned = await db.transaction().execute((trx) => release(trx, id, 'EXPIRED', () => undefined, now, gate));
      if (returned) {
        expired++;
        await gate?.reopen(returned);
      }
    }
    if (due.length < batch) return expired;
  }
}
