// Decides a batch of orders inside the order lane's transaction: reserves stock and holds coupons
// in sequence order, then schedules the batch's expiry check and flags the products it left without
// stock (stock-gate.ts), so that the lane append refuses their orders at once.
import type { Decision, LaneItem, LaneProcessor } from '../lane/lane-processor.js';
import { OrderPayload } from './order.payload.js';
import { decideOrders, holdingKey, type CouponHoldState } from './order.decider.js';
import {
  changeStock,
  heldUnits,
  insertOrders,
  lockProducts,
  lockUserCoupons,
  reserveCoupons,
  type NewOrder,
} from './order.repository.js';
import type { StockGate } from './stock-gate.js';

export function orderProcessor(deps: {
  paymentWindowMs: number;
  /** Asks for an expiry check at the given time (a delayed job); the periodic sweep is the safety net. */
  scheduleExpiry: (at: Date) => Promise<void>;
  /** Out-of-stock flags; without it (or when Redis does not answer) none are set. */
  stockGate?: Pick<StockGate, 'generations' | 'close'> | undefined;
}): LaneProcessor<OrderPayload> {
  const { stockGate } = deps;
  return {
    async decide(trx, items: LaneItem<OrderPayload>[], now) {
      const productIds = [...new Set(items.flatMap((i) => i.payload.items.map((x) => x.productId)))];
      // Read before the rows are locked (stock-gate.ts says why); a failed read only sets no flag.
      const generations = await stockGate?.generations(productIds).catch(() => undefined);
      const couponIds = [...new Set(items.flatMap((i) => (i.payload.userCouponId ? [i.payload.userCouponId] : [])))];
      const products = new Map(
        (await lockProducts(trx, productIds)).map((p) => [
          p.id,
          { id: p.id, price: p.price, stock: p.stock, maxPerUser: p.max_per_user },
        ]),
      );
      const limited = [...products.values()].filter((p) => p.maxPerUser !== null).map((p) => p.id);
      const userIds = limited.length > 0 ? [...new Set(items.map((i) => i.payload.userId))] : [];
      const held = new Map(
        (await heldUnits(trx, userIds, limited)).map((h) => [holdingKey(h.user_id, h.product_id), Number(h.units)]),
      );
      const coupons = new Map<number, CouponHoldState>(
        (await lockUserCoupons(trx, couponIds)).map((c) => [
          c.id,
          {
            id: c.id,
            userId: c.user_id,
            status: c.status,
            expiresAt: c.expires_at,
            discountType: c.discount_type,
            discountValue: c.discount_value,
            maxDiscountAmount: c.max_discount_amount,
            minOrderAmount: c.min_order_amount,
          },
        ]),
      );
      const initialStock = new Map([...products].map(([id, p]) => [id, p.stock]));
      const verdicts = decideOrders(
        products,
        coupons,
        items.map((i) => ({ ...i.payload, acceptedAt: i.acceptedAt })),
        held,
      );

      const expiresAt = new Date(now.getTime() + deps.paymentWindowMs);
      const placed: NewOrder[] = [];
      items.forEach((item, i) => {
        const v = verdicts[i];
        if (!v?.placed) return;
        placed.push({
          userId: item.payload.userId,
          requestId: item.requestId,
          totalAmount: v.totalAmount,
          discountAmount: v.discountAmount,
          paymentAmount: v.paymentAmount,
          userCouponId: item.payload.userCouponId ?? null,
          createdAt: now,
          expiresAt,
          lines: v.lines,
        });
      });
      await changeStock(
        trx,
        new Map([...products].map(([id, p]) => [id, p.stock - (initialStock.get(id) ?? p.stock)])),
      );
      const orderIds = await insertOrders(trx, placed);
      await reserveCoupons(
        trx,
        placed
          .filter((o) => o.userCouponId !== null)
          .map((o) => ({ userCouponId: o.userCouponId as number, orderId: orderIds.get(o.requestId) as number })),
      );

      const decisions = items.map((item, i): Decision => {
        const v = verdicts[i];
        if (!v) throw new Error('missing verdict');
        if (!v.placed) return { status: 'REJECTED', error: { code: v.code, message: v.message } };
        return { status: 'SUCCEEDED', result: { orderId: orderIds.get(item.requestId) } };
      });
      // A product with a per-user limit is not flagged: the lane checks the limit before the stock.
      const closing = new Map<number, string>();
      for (const p of products.values()) {
        const generation = generations?.get(p.id);
        if (p.stock <= 0 && p.maxPerUser === null && generation !== undefined) closing.set(p.id, generation);
      }
      if (placed.length === 0 && closing.size === 0) return { decisions };
      return {
        decisions,
        afterCommit: async () => {
          await Promise.all([
            placed.length > 0 ? deps.scheduleExpiry(expiresAt) : undefined,
            closing.size > 0 ? stockGate?.close(closing) : undefined,
          ]);
        },
      };
    },
  };
}
