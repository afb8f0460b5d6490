// The oracle for order rushes: replaying the observed orders in sequence order against the initial
// stock and the per-user limits must give exactly the observed outcomes (each order placed while
// every item stays within its user's limit and has the stock, all or nothing), nothing oversold,
// every placed order stored as requested, and the stock read back equal to the initial stock minus
// the units placed. An order answered at once without a sequence must be a one-product order
// refused INSUFFICIENT_STOCK for a product the replay sold out, accepted no earlier than any order
// placed for that product. Used by the load scripts and tests.
import { isFinalStatus } from '../request/request.status.js';

export interface OrderItemObservation {
  productId: number;
  quantity: number;
}

export interface OrderObservation {
  requestId: string;
  userId: number;
  items: OrderItemObservation[];
  status: string;
  sequence: number | null;
  errorCode?: string | undefined;
  /** From the result of a SUCCEEDED request. */
  orderId?: number | undefined;
  /** When the API accepted it (ms since the epoch); checks instant answers against the placed orders. */
  acceptedAt?: number | undefined;
}

export interface ProductObservation {
  productId: number;
  /** Stock available to new orders before the observed requests. */
  initialStock: number;
  /** Stock read back after every request was final. */
  stock: number;
  /** The product's per-user limit during the observed requests; null or absent: unlimited. */
  maxPerUser?: number | null | undefined;
  /** Units each user held in PENDING_PAYMENT and PAID orders before the observed requests (default none). */
  heldBefore?: Readonly<Record<number, number>> | undefined;
}

/** An order read back by id (GET /orders/{id} or the orders table). */
export interface StoredOrderObservation {
  orderId: number;
  userId: number;
  status: string;
  items: OrderItemObservation[];
}

export interface OrdersReport {
  ok: boolean;
  violations: string[];
  requests: number;
  succeeded: number;
  expectedSucceeded: number;
  distinctWinners: number;
  codes: Record<string, number>;
  perProduct: { productId: number; initialStock: number; unitsPlaced: number; expectedStock: number; stock: number }[];
}

const MAX_LISTED = 10;
/** Statuses a placed order may have while nobody cancels it and its payment window is open. */
const LIVE_ORDER = new Set(['PENDING_PAYMENT', 'PAID']);

const sameItems = (a: OrderItemObservation[], b: OrderItemObservation[]) => {
  const key = (items: OrderItemObservation[]) =>
    items
      .map((i) => `${i.productId}x${i.quantity}`)
      .sort()
      .join(',');
  return key(a) === key(b);
};

export function verifyOrders(
  orders: readonly OrderObservation[],
  products: readonly ProductObservation[],
  stored?: readonly StoredOrderObservation[],
): OrdersReport {
  const violations: string[] = [];
  const add = (message: string) => {
    if (violations.length < MAX_LISTED) violations.push(message);
    else if (violations.length === MAX_LISTED) violations.push('… more violations');
  };

  const notFinal = orders.filter((o) => !isFinalStatus(o.status));
  if (notFinal.length > 0) add(`${notFinal.length} requests are not final (e.g. ${notFinal[0]?.requestId})`);
  const failed = orders.filter((o) => o.status === 'FAILED');
  if (failed.length > 0)
    add(`${failed.length} requests FAILED (e.g. ${failed[0]?.requestId}: ${failed[0]?.errorCode})`);
  const unsequenced = orders.filter((o) => o.sequence === null);
  const notInstant = unsequenced.filter(
    (o) => o.status !== 'REJECTED' || o.errorCode !== 'INSUFFICIENT_STOCK' || o.items.length !== 1,
  );
  if (notInstant.length > 0) {
    add(
      `${notInstant.length} order requests have no sequence and are no instant out-of-stock answer (e.g. ${notInstant[0]?.requestId})`,
    );
  }

  const sequenced = orders.filter((o) => o.sequence !== null).sort((a, b) => (a.sequence ?? 0) - (b.sequence ?? 0));
  for (let i = 1; i < sequenced.length; i++) {
    if (sequenced[i]?.sequence === sequenced[i - 1]?.sequence)
      add(`sequence ${sequenced[i]?.sequence} given to two requests`);
  }

  // Replay the rule in sequence order.
  const stock = new Map(products.map((p) => [p.productId, p.initialStock]));
  const limitOf = new Map(products.map((p) => [p.productId, p.maxPerUser ?? null]));
  const held = new Map<string, number>();
  for (const p of products) {
    for (const [userId, units] of Object.entries(p.heldBefore ?? {})) held.set(`${userId}:${p.productId}`, units);
  }
  const holding = (userId: number, productId: number) => held.get(`${userId}:${productId}`) ?? 0;
  const withinLimit = (userId: number, i: OrderItemObservation) => {
    const limit = limitOf.get(i.productId);
    return limit === null || limit === undefined || holding(userId, i.productId) + i.quantity <= limit;
  };
  const expected = new Map<string, { status: 'SUCCEEDED' } | { status: 'REJECTED'; code: string }>();
  for (const o of sequenced) {
    if (o.items.some((i) => !stock.has(i.productId))) {
      expected.set(o.requestId, { status: 'REJECTED', code: 'PRODUCT_NOT_FOUND' });
    } else if (!o.items.every((i) => withinLimit(o.userId, i))) {
      expected.set(o.requestId, { status: 'REJECTED', code: 'PURCHASE_LIMIT_EXCEEDED' });
    } else if (o.items.every((i) => (stock.get(i.productId) ?? 0) >= i.quantity)) {
      for (const i of o.items) {
        stock.set(i.productId, (stock.get(i.productId) ?? 0) - i.quantity);
        held.set(`${o.userId}:${i.productId}`, holding(o.userId, i.productId) + i.quantity);
      }
      expected.set(o.requestId, { status: 'SUCCEEDED' });
    } else {
      expected.set(o.requestId, { status: 'REJECTED', code: 'INSUFFICIENT_STOCK' });
    }
  }

  const describe = (o: OrderObservation) => `request ${o.requestId} (seq ${o.sequence}, user ${o.userId})`;
  for (const o of sequenced) {
    if (!isFinalStatus(o.status) || o.status === 'FAILED') continue;
    const want = expected.get(o.requestId);
    if (!want) continue;
    if (want.status === 'SUCCEEDED' && o.status !== 'SUCCEEDED') {
      add(`${describe(o)} should have been placed but is ${o.status} ${o.errorCode ?? ''}`.trim());
    } else if (want.status === 'REJECTED' && o.status === 'SUCCEEDED') {
      add(
        want.code === 'PURCHASE_LIMIT_EXCEEDED'
          ? `${describe(o)} was placed although the user's earlier orders had used up its limit (expected ${want.code})`
          : `${describe(o)} was placed although earlier orders had taken the stock (expected ${want.code})`,
      );
    } else if (want.status === 'REJECTED' && o.errorCode !== want.code) {
      add(`${describe(o)} rejected with ${o.errorCode}, expected ${want.code}`);
    }
  }

  const succeeded = orders.filter((o) => o.status === 'SUCCEEDED');
  // An instant answer claims the product had no stock left for it: the replay must have sold it
  // out, and every order placed for it must have been accepted before (or as) the answer was given.
  const lastPlaced = new Map<number, number>();
  for (const o of succeeded) {
    for (const i of o.items) lastPlaced.set(i.productId, Math.max(lastPlaced.get(i.productId) ?? 0, o.acceptedAt ?? 0));
  }
  for (const o of unsequenced) {
    const item = o.items[0];
    if (o.items.length !== 1 || !item || o.errorCode !== 'INSUFFICIENT_STOCK') continue;
    const left = stock.get(item.productId);
    if (left === undefined)
      add(`request ${o.requestId} was refused at once for product ${item.productId}, which is not observed`);
    else if (left >= item.quantity) {
      add(
        `request ${o.requestId} was refused at once as out of stock, but product ${item.productId} kept ${left} units`,
      );
    } else if (o.acceptedAt !== undefined && (lastPlaced.get(item.productId) ?? 0) > o.acceptedAt) {
      add(
        `request ${o.requestId} was refused at once as out of stock before a later order for product ${item.productId} was placed`,
      );
    }
  }
  const expectedSucceeded = [...expected.values()].filter((e) => e.status === 'SUCCEEDED').length;
  if (succeeded.length !== expectedSucceeded) {
    add(`${succeeded.length} orders SUCCEEDED, expected exactly ${expectedSucceeded}`);
  }

  const placedUnits = new Map<number, number>();
  for (const o of succeeded) {
    for (const i of o.items) placedUnits.set(i.productId, (placedUnits.get(i.productId) ?? 0) + i.quantity);
  }
  const perProduct = products.map((p) => {
    const unitsPlaced = placedUnits.get(p.productId) ?? 0;
    const expectedStock = p.initialStock - unitsPlaced;
    if (unitsPlaced > p.initialStock)
      add(`product ${p.productId}: ${unitsPlaced} units placed, stock was ${p.initialStock} (oversold)`);
    if (p.stock < 0) add(`product ${p.productId}: stock read back is negative (${p.stock})`);
    if (p.stock !== expectedStock) {
      add(
        `product ${p.productId}: stock read back ${p.stock}, expected ${p.initialStock} - ${unitsPlaced} = ${expectedStock}`,
      );
    }
    return { productId: p.productId, initialStock: p.initialStock, unitsPlaced, expectedStock, stock: p.stock };
  });

  const byOrderId = new Map<number, OrderObservation>();
  for (const o of succeeded) {
    if (o.orderId === undefined) {
      add(`${describe(o)} SUCCEEDED without an orderId`);
      continue;
    }
    const other = byOrderId.get(o.orderId);
    if (other) add(`order ${o.orderId} is the result of two requests: ${other.requestId} and ${o.requestId}`);
    byOrderId.set(o.orderId, o);
  }
  if (stored) {
    const storedById = new Map(stored.map((s) => [s.orderId, s]));
    for (const [orderId, o] of byOrderId) {
      const s = storedById.get(orderId);
      if (!s) add(`order ${orderId} of ${describe(o)} cannot be read back`);
      else if (s.userId !== o.userId)
        add(`order ${orderId} belongs to user ${s.userId}, but user ${o.userId} placed it`);
      else if (!sameItems(s.items, o.items)) add(`order ${orderId} holds other items than ${describe(o)} asked for`);
      else if (!LIVE_ORDER.has(s.status)) add(`order ${orderId} is ${s.status}, expected PENDING_PAYMENT or PAID`);
    }
  }

  const codes: Record<string, number> = {};
  for (const o of orders) {
    const key = o.status === 'SUCCEEDED' ? 'SUCCEEDED' : (o.errorCode ?? o.status);
    codes[key] = (codes[key] ?? 0) + 1;
  }
  return {
    ok: violations.length === 0,
    violations,
    requests: orders.length,
    succeeded: succeeded.length,
    expectedSucceeded,
    distinctWinners: new Set(succeeded.map((o) => o.userId)).size,
    codes,
    perProduct,
  };
}
