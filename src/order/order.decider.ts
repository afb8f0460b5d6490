// The pure rule for placing orders, applied to a batch in sequence order: every item must exist,
// stay within the product's per-user limit and have the stock (all or nothing), the coupon must be
// usable; a placed order reserves its stock, counts towards its user's limit and holds its coupon,
// which later orders in the same batch then see.
import { discountFor, type DiscountRule } from './discount.js';

export interface ProductState {
  id: number;
  price: number;
  stock: number;
  /** Most units one user may hold in PENDING_PAYMENT and PAID orders; null or absent: unlimited. */
  maxPerUser?: number | null;
}

/** The key of a user's holding of a product in the `held` map of `decideOrders`. */
export const holdingKey = (userId: number, productId: number) => `${userId}:${productId}`;

export interface CouponHoldState extends DiscountRule {
  id: number;
  userId: number;
  status: 'AVAILABLE' | 'RESERVED' | 'USED';
  expiresAt: Date;
  minOrderAmount: number;
}

export interface OrderInput {
  userId: number;
  items: { productId: number; quantity: number }[];
  userCouponId?: number | undefined;
  acceptedAt: Date;
}

/** The REJECTED codes of an order (the OpenAPI document lists them from here). */
export const ORDER_REJECTIONS = [
  'PRODUCT_NOT_FOUND',
  'INSUFFICIENT_STOCK',
  'COUPON_NOT_USABLE',
  'PURCHASE_LIMIT_EXCEEDED',
] as const;

export type OrderVerdict =
  | {
      placed: true;
      lines: { productId: number; quantity: number; unitPrice: number }[];
      totalAmount: number;
      discountAmount: number;
      paymentAmount: number;
    }
  | { placed: false; code: (typeof ORDER_REJECTIONS)[number]; message: string };

/**
 * Decides `orders` in the given order. `held` maps `holdingKey(user, product)` to the units the user
 * holds in PENDING_PAYMENT and PAID orders (only limited products need an entry); like `products`
 * and `coupons` it is updated as orders are placed.
 */
export function decideOrders(
  products: Map<number, ProductState>,
  coupons: Map<number, CouponHoldState>,
  orders: readonly OrderInput[],
  held: Map<string, number> = new Map(),
): OrderVerdict[] {
  return orders.map((order): OrderVerdict => {
    const lines: { productId: number; quantity: number; unitPrice: number }[] = [];
    for (const item of order.items) {
      const product = products.get(item.productId);
      if (!product)
        return { placed: false, code: 'PRODUCT_NOT_FOUND', message: `Product ${item.productId} does not exist` };
      lines.push({ productId: item.productId, quantity: item.quantity, unitPrice: product.price });
    }
    for (const item of order.items) {
      const limit = products.get(item.productId)?.maxPerUser;
      const holding = held.get(holdingKey(order.userId, item.productId)) ?? 0;
      if (limit != null && holding + item.quantity > limit) {
        return {
          placed: false,
          code: 'PURCHASE_LIMIT_EXCEEDED',
          message: `At most ${limit} units of product ${item.productId} per user (${holding} held)`,
        };
      }
    }
    for (const item of order.items) {
      const product = products.get(item.productId) as ProductState;
      if (product.stock < item.quantity) {
        return { placed: false, code: 'INSUFFICIENT_STOCK', message: `Not enough stock of product ${item.productId}` };
      }
    }
    const totalAmount = lines.reduce((sum, l) => sum + l.unitPrice * l.quantity, 0);
    let discountAmount = 0;
    let coupon: CouponHoldState | undefined;
    if (order.userCouponId !== undefined) {
      coupon = coupons.get(order.userCouponId);
      const usable =
        coupon !== undefined &&
        coupon.userId === order.userId &&
        coupon.status === 'AVAILABLE' &&
        coupon.expiresAt.getTime() > order.acceptedAt.getTime() &&
        totalAmount >= coupon.minOrderAmount;
      if (!usable || !coupon) {
        return { placed: false, code: 'COUPON_NOT_USABLE', message: 'The coupon cannot be used for this order' };
      }
      discountAmount = discountFor(totalAmount, coupon);
    }
    for (const item of order.items) {
      const product = products.get(item.productId) as ProductState;
      product.stock -= item.quantity;
      if (product.maxPerUser != null) {
        const key = holdingKey(order.userId, item.productId);
        held.set(key, (held.get(key) ?? 0) + item.quantity);
      }
    }
    if (coupon) coupon.status = 'RESERVED';
    return { placed: true, lines, totalAmount, discountAmount, paymentAmount: totalAmount - discountAmount };
  });
}
