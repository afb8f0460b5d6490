// Payment: one transaction turns a reservation into a sale.
import { transactionOf, type Db } from '../db/database.js';
import { deductFromBalance, recordBalanceChange } from '../balance/balance.repository.js';
import { closeOrder, findOrderItems, lockOrder, useCoupon } from '../order/order.repository.js';
import { addDailySales } from '../product/product.repository.js';
import { utcDate } from '../product/product.service.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../common/errors.js';

/**
 * Charges the order's payment amount to the user's balance and marks the order PAID and its coupon
 * USED, counting the units in the day's sales. The stock was reserved when the order was placed, so
 * it cannot be short here. The order row lock makes concurrent payments of one order charge once.
 */
export async function payOrder(
  db: Db,
  orderId: number,
  userId: number,
  transact = transactionOf(db),
  now = new Date(),
) {
  return transact(async (trx) => {
    const order = await lockOrder(trx, orderId);
    if (!order) throw new NotFoundError('ORDER_NOT_FOUND', `Order ${orderId} does not exist`);
    if (order.user_id !== userId) throw new ForbiddenError('FORBIDDEN', 'This order belongs to another user');
    if (order.status !== 'PENDING_PAYMENT' || order.expires_at.getTime() <= now.getTime()) {
      const state = order.status === 'PENDING_PAYMENT' ? 'past its payment window' : order.status;
      throw new ConflictError('ORDER_NOT_PAYABLE', `Order ${orderId} is ${state}`);
    }
    if (!(await deductFromBalance(trx, userId, order.payment_amount))) {
      throw new ConflictError('INSUFFICIENT_BALANCE', `The balance does not cover ${order.payment_amount}`);
    }
    await closeOrder(trx, orderId, 'PAID', now);
    if (order.user_coupon_id !== null) await useCoupon(trx, order.user_coupon_id, orderId, now);
    const items = await findOrderItems(trx, orderId);
    await addDailySales(
      trx,
      utcDate(now),
      items.map((i) => ({ productId: i.product_id, quantity: i.quantity })),
    );
    const balance = await recordBalanceChange(trx, { userId, kind: 'PAYMENT', amount: order.payment_amount, orderId });
    return { orderId, status: 'PAID' as const, paidAmount: order.payment_amount, balance };
  });
}
