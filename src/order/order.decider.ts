// The pure rule for placing orders, applied to a batch in sequence order: every item must exist and
// have the stock (all or nothing), the coupon must be usable; a placed order reserves its stock and
// holds its coupon, which later orders in the same batch then see.
import { discountFor, type DiscountRule } from './discount.js';

export interface ProductState {
  id: number;
  price: number;
  stock: number;
}

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

export interface NewOrderLine {
  productId: number;
  quantity: number;
  unitPrice: number;
}

export type OrderVerdict =
  | {
      placed: true;
      lines: { productId: number; quantity: number; unitPrice: number }[];
      totalAmount: number;
      discountAmount: number;
      paymentAmount: number;
    }
  | { placed: false; code: 'PRODUCT_NOT_FOUND' | 'INSUFFICIENT_STOCK' | 'COUPON_NOT_USABLE'; message: string };

export function decideOrders(
  products: Map<number, ProductState>,
  coupons: Map<number, CouponHoldState>,
  orders: readonly OrderInput[],
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
    for (const item of order.items) (products.get(item.productId) as ProductState).stock -= item.quantity;
    if (coupon) coupon.status = 'RESERVED';
    return { placed: true, lines, totalAmount, discountAmount, paymentAmount: totalAmount - discountAmount };
  });
}
