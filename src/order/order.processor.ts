// Decides a batch of orders inside the order lane's transaction: reads what the rule needs (products,
// per-user holdings, pending units, balances, coupons) with the rows it changes locked, decides in
// sequence order (order.decider.ts), writes the placed orders, then schedules the batch's expiry
// check and flags the products it left without stock (stock-gate.ts), so that the lane append
// refuses their orders at once.
import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Decision, LaneItem, LaneProcessor } from '../lane/lane-processor.js';
import type { OrderPayload } from './order.payload.js';
import { decideOrders, holdingKey, type CouponHoldState, type OrderVerdict, type UserLimits } from './order.decider.js';
import {
  balancesOf,
  changeStock,
  heldUnits,
  insertOrders,
  lockProducts,
  lockUserCoupons,
  pendingUnits,
  reserveCoupons,
  type NewOrder,
} from './order.repository.js';
import type { StockGate } from './stock-gate.js';

export interface OrderProcessorDeps {
  paymentWindowMs: number;
  /** Asks for an expiry check at the given time (a delayed job); the periodic sweep is the safety net. */
  scheduleExpiry: (at: Date) => Promise<void>;
  /** Out-of-stock flags; without it (or when Redis does not answer) none are set. */
  stockGate?: Pick<StockGate, 'generations' | 'close'> | undefined;
  /** Most units one user may hold in PENDING_PAYMENT orders; null or absent: no cap. */
  maxPendingUnits?: number | null | undefined;
  /** Refuse an order whose payment amount exceeds the user's balance at decision time. */
  checkBalance?: boolean | undefined;
}

type Trx = Transaction<Database>;
type Items = LaneItem<OrderPayload>[];

export function orderProcessor(deps: OrderProcessorDeps): LaneProcessor<OrderPayload> {
  return {
    async decide(trx, items: Items, now) {
      const productIds = [...new Set(items.flatMap((i) => i.payload.items.map((x) => x.productId)))];
      // Read before the rows are locked (stock-gate.ts says why); a failed read only sets no flag.
      const generations = await deps.stockGate?.generations(productIds).catch(() => undefined);
      const products = await readProducts(trx, productIds);
      const initialStock = new Map([...products].map(([id, p]) => [id, p.stock]));
      const held = await readHeld(trx, items, products);
      const limits = await readLimits(trx, items, deps);
      const coupons = await readCoupons(trx, items);
      const orders = items.map((i) => ({ ...i.payload, acceptedAt: i.acceptedAt }));
      const verdicts = decideOrders(products, coupons, orders, held, limits);

      const expiresAt = new Date(now.getTime() + deps.paymentWindowMs);
      const placed = newOrders(items, verdicts, now, expiresAt);
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
      const decisions = items.map((item, i) => decisionOf(verdicts[i], orderIds.get(item.requestId)));
      const closing = soldOut(products, generations);
      if (placed.length === 0 && closing.size === 0) return { decisions };
      return {
        decisions,
        afterCommit: async () => {
          await Promise.all([
            placed.length > 0 ? deps.scheduleExpiry(expiresAt) : undefined,
            closing.size > 0 ? deps.stockGate?.close(closing) : undefined,
          ]);
        },
      };
    },
  };
}

async function readProducts(trx: Trx, productIds: number[]) {
  const rows = await lockProducts(trx, productIds);
  return new Map(rows.map((p) => [p.id, { id: p.id, price: p.price, stock: p.stock, maxPerUser: p.max_per_user }]));
}

/** Units of limited products the batch's users hold in PENDING_PAYMENT and PAID orders. */
async function readHeld(trx: Trx, items: Items, products: Map<number, { id: number; maxPerUser: number | null }>) {
  const limited = [...products.values()].filter((p) => p.maxPerUser !== null).map((p) => p.id);
  const userIds = limited.length > 0 ? [...new Set(items.map((i) => i.payload.userId))] : [];
  const rows = await heldUnits(trx, userIds, limited);
  return new Map(rows.map((h) => [holdingKey(h.user_id, h.product_id), Number(h.units)]));
}

/** The batch's users' units in PENDING_PAYMENT orders and, when checked, their balances. */
async function readLimits(trx: Trx, items: Items, deps: OrderProcessorDeps): Promise<UserLimits> {
  const maxPendingUnits = deps.maxPendingUnits ?? null;
  const userIds = [...new Set(items.map((i) => i.payload.userId))];
  const pending =
    maxPendingUnits === null
      ? []
      : (await pendingUnits(trx, userIds)).map((r) => [r.user_id, Number(r.units)] as const);
  const balances = deps.checkBalance
    ? new Map((await balancesOf(trx, userIds)).map((b) => [b.user_id, Number(b.balance)]))
    : undefined;
  return { maxPendingUnits, pending: new Map(pending), balances };
}

async function readCoupons(trx: Trx, items: Items): Promise<Map<number, CouponHoldState>> {
  const couponIds = [...new Set(items.flatMap((i) => (i.payload.userCouponId ? [i.payload.userCouponId] : [])))];
  const rows = await lockUserCoupons(trx, couponIds);
  return new Map(
    rows.map((c) => [
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
}

function newOrders(items: Items, verdicts: OrderVerdict[], now: Date, expiresAt: Date): NewOrder[] {
  return items.flatMap((item, i): NewOrder[] => {
    const v = verdicts[i];
    if (!v?.placed) return [];
    return [
      {
        userId: item.payload.userId,
        requestId: item.requestId,
        totalAmount: v.totalAmount,
        discountAmount: v.discountAmount,
        paymentAmount: v.paymentAmount,
        userCouponId: item.payload.userCouponId ?? null,
        createdAt: now,
        expiresAt,
        lines: v.lines,
      },
    ];
  });
}

function decisionOf(verdict: OrderVerdict | undefined, orderId: number | undefined): Decision {
  if (!verdict) throw new Error('missing verdict');
  if (!verdict.placed) return { status: 'REJECTED', error: { code: verdict.code, message: verdict.message } };
  return { status: 'SUCCEEDED', result: { orderId } };
}

/**
 * The products the batch left at zero stock, with the generation read before the lock. A product
 * with a per-user limit is not flagged: the lane checks that limit before the stock. The pending cap
 * and the balance are checked after it, so they do not keep a product from being flagged.
 */
function soldOut(
  products: Map<number, { id: number; stock: number; maxPerUser: number | null }>,
  generations: Map<number, string> | undefined,
): Map<number, string> {
  const closing = new Map<number, string>();
  for (const p of products.values()) {
    const generation = generations?.get(p.id);
    if (p.stock <= 0 && p.maxPerUser === null && generation !== undefined) closing.set(p.id, generation);
  }
  return closing;
}
