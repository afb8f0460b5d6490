// The pure rule for placing orders, applied to a batch in sequence order. Checks, in this order:
// every item exists, stays within the product's per-user limit and has the stock (all or nothing);
// the user's units in PENDING_PAYMENT orders stay within the deployment's cap; the coupon is usable;
// and, when asked, the payment amount is within the user's balance. A placed order reserves its
// stock, counts towards its user's limits and holds its coupon, which later orders in the same batch
// then see. The cap and the balance come after the stock so that an order of a product without stock
// is refused INSUFFICIENT_STOCK whoever sends it: the lane append may then give that answer at once.
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

/** What the deployment limits per user, over every product. */
export interface UserLimits {
  /** Most units one user may hold in PENDING_PAYMENT orders; null: no cap. */
  maxPendingUnits: number | null;
  /** Units each user holds in PENDING_PAYMENT orders (absent: none); updated as orders are placed. */
  pending: Map<number, number>;
  /** Each user's balance (absent: 0) when an order past it is refused; undefined: not checked. */
  balances?: Map<number, number> | undefined;
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
  'PENDING_LIMIT_EXCEEDED',
  'INSUFFICIENT_BALANCE',
] as const;

interface OrderLine {
  productId: number;
  quantity: number;
  unitPrice: number;
}

type Refusal = { placed: false; code: (typeof ORDER_REJECTIONS)[number]; message: string };

export type OrderVerdict =
  | {
      placed: true;
      lines: OrderLine[];
      totalAmount: number;
      discountAmount: number;
      paymentAmount: number;
    }
  | Refusal;

interface BatchState {
  products: Map<number, ProductState>;
  coupons: Map<number, CouponHoldState>;
  held: Map<string, number>;
  limits: UserLimits;
}

const refuse = (code: Refusal['code'], message: string): Refusal => ({ placed: false, code, message });

/**
 * Decides `orders` in the given order. `held` maps `holdingKey(user, product)` to the units the user
 * holds in PENDING_PAYMENT and PAID orders (only limited products need an entry); like `products`,
 * `coupons` and `limits.pending` it is updated as orders are placed.
 */
export function decideOrders(
  products: Map<number, ProductState>,
  coupons: Map<number, CouponHoldState>,
  orders: readonly OrderInput[],
  held: Map<string, number> = new Map(),
  limits: UserLimits = { maxPendingUnits: null, pending: new Map() },
): OrderVerdict[] {
  const state: BatchState = { products, coupons, held, limits };
  return orders.map((order) => decideOne(state, order));
}

function decideOne(state: BatchState, order: OrderInput): OrderVerdict {
  const refusal = itemRefusal(state, order) ?? pendingRefusal(state.limits, order);
  if (refusal) return refusal;
  const lines = order.items.map((i) => ({ ...i, unitPrice: (state.products.get(i.productId) as ProductState).price }));
  const totalAmount = lines.reduce((sum, l) => sum + l.unitPrice * l.quantity, 0);
  let discountAmount = 0;
  const coupon = order.userCouponId === undefined ? undefined : state.coupons.get(order.userCouponId);
  if (order.userCouponId !== undefined) {
    if (!coupon || !usable(coupon, order, totalAmount)) {
      return refuse('COUPON_NOT_USABLE', 'The coupon cannot be used for this order');
    }
    discountAmount = discountFor(totalAmount, coupon);
  }
  const paymentAmount = totalAmount - discountAmount;
  const balance = state.limits.balances === undefined ? undefined : (state.limits.balances.get(order.userId) ?? 0);
  if (balance !== undefined && paymentAmount > balance) {
    return refuse('INSUFFICIENT_BALANCE', `The payment amount ${paymentAmount} exceeds the balance ${balance}`);
  }
  place(state, order, coupon);
  return { placed: true, lines, totalAmount, discountAmount, paymentAmount };
}

/** The first refusal of the order's items: an unknown product, a per-user limit, then the stock. */
function itemRefusal({ products, held }: BatchState, order: OrderInput): Refusal | undefined {
  const missing = order.items.find((i) => !products.has(i.productId));
  if (missing) return refuse('PRODUCT_NOT_FOUND', `Product ${missing.productId} does not exist`);
  for (const item of order.items) {
    const limit = products.get(item.productId)?.maxPerUser;
    const holding = held.get(holdingKey(order.userId, item.productId)) ?? 0;
    if (limit != null && holding + item.quantity > limit) {
      return refuse(
        'PURCHASE_LIMIT_EXCEEDED',
        `At most ${limit} units of product ${item.productId} per user (${holding} held)`,
      );
    }
  }
  const short = order.items.find((i) => (products.get(i.productId) as ProductState).stock < i.quantity);
  if (short) return refuse('INSUFFICIENT_STOCK', `Not enough stock of product ${short.productId}`);
  return undefined;
}

function pendingRefusal(limits: UserLimits, order: OrderInput): Refusal | undefined {
  if (limits.maxPendingUnits === null) return undefined;
  const pending = limits.pending.get(order.userId) ?? 0;
  const units = order.items.reduce((sum, i) => sum + i.quantity, 0);
  if (pending + units <= limits.maxPendingUnits) return undefined;
  return refuse(
    'PENDING_LIMIT_EXCEEDED',
    `At most ${limits.maxPendingUnits} units per user in orders awaiting payment (${pending} held)`,
  );
}

function usable(coupon: CouponHoldState, order: OrderInput, totalAmount: number): boolean {
  return (
    coupon.userId === order.userId &&
    coupon.status === 'AVAILABLE' &&
    coupon.expiresAt.getTime() > order.acceptedAt.getTime() &&
    totalAmount >= coupon.minOrderAmount
  );
}

function place(state: BatchState, order: OrderInput, coupon: CouponHoldState | undefined): void {
  for (const item of order.items) {
    const product = state.products.get(item.productId) as ProductState;
    product.stock -= item.quantity;
    if (product.maxPerUser != null) {
      const key = holdingKey(order.userId, item.productId);
      state.held.set(key, (state.held.get(key) ?? 0) + item.quantity);
    }
  }
  const units = order.items.reduce((sum, i) => sum + i.quantity, 0);
  state.limits.pending.set(order.userId, (state.limits.pending.get(order.userId) ?? 0) + units);
  if (coupon) coupon.status = 'RESERVED';
}
