// The oracle for order rushes: replaying the observed orders in sequence order against the initial
// stock and the per-user limits must give exactly the observed outcomes (each order placed while
// every item stays within its user's limit and has the stock, all or nothing, then while the user's
// units in PENDING_PAYMENT orders stay within the deployment's cap and, when checked, the payment
// amount within the user's balance), nothing oversold,
// every placed order stored as requested, and the stock read back equal to the initial stock minus
// the units placed. An order answered at once without a sequence must be a one-product order
// refused INSUFFICIENT_STOCK for a product the replay sold out, accepted no earlier than any order
// placed for that product. Used by the load scripts and tests.
import { isFinalStatus } from '../request/request.status.js';
import type {
  OrderItemObservation,
  OrderObservation,
  OrderRules,
  OrdersReport,
  ProductObservation,
  StoredOrderObservation,
} from './orders.observations.js';

export type * from './orders.observations.js';

const MAX_LISTED = 10;
/** Statuses a placed order may have while nobody cancels it and its payment window is open. */
const LIVE_ORDER = new Set(['PENDING_PAYMENT', 'PAID']);

type Add = (message: string) => void;
type Expected = { status: 'SUCCEEDED' } | { status: 'REJECTED'; code: string };

const sameItems = (a: OrderItemObservation[], b: OrderItemObservation[]) => {
  const key = (items: OrderItemObservation[]) =>
    items
      .map((i) => `${i.productId}x${i.quantity}`)
      .sort()
      .join(',');
  return key(a) === key(b);
};
const describe = (o: OrderObservation) => `request ${o.requestId} (seq ${o.sequence}, user ${o.userId})`;
const unitsOf = (o: OrderObservation) => o.items.reduce((sum, i) => sum + i.quantity, 0);

export function verifyOrders(
  orders: readonly OrderObservation[],
  products: readonly ProductObservation[],
  stored?: readonly StoredOrderObservation[],
  rules: OrderRules = {},
): OrdersReport {
  const violations: string[] = [];
  const add: Add = (message) => {
    if (violations.length < MAX_LISTED) violations.push(message);
    else if (violations.length === MAX_LISTED) violations.push('… more violations');
  };
  const unsequenced = orders.filter((o) => o.sequence === null);
  const sequenced = orders.filter((o) => o.sequence !== null).sort((a, b) => (a.sequence ?? 0) - (b.sequence ?? 0));
  const succeeded = orders.filter((o) => o.status === 'SUCCEEDED');

  checkFinal(orders, unsequenced, add);
  checkSequences(sequenced, add);
  const { expected, stock } = replay(sequenced, products, rules, add);
  checkOutcomes(sequenced, expected, add);
  checkInstantAnswers(unsequenced, succeeded, stock, add);
  const expectedSucceeded = [...expected.values()].filter((e) => e.status === 'SUCCEEDED').length;
  if (succeeded.length !== expectedSucceeded) {
    add(`${succeeded.length} orders SUCCEEDED, expected exactly ${expectedSucceeded}`);
  }
  const perProduct = checkStock(products, succeeded, add);
  checkStored(succeeded, stored, add);

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

/** Every request final, none FAILED, and an answer without a sequence only an instant out-of-stock one. */
function checkFinal(orders: readonly OrderObservation[], unsequenced: OrderObservation[], add: Add): void {
  const notFinal = orders.filter((o) => !isFinalStatus(o.status));
  if (notFinal.length > 0) add(`${notFinal.length} requests are not final (e.g. ${notFinal[0]?.requestId})`);
  const failed = orders.filter((o) => o.status === 'FAILED');
  if (failed.length > 0)
    add(`${failed.length} requests FAILED (e.g. ${failed[0]?.requestId}: ${failed[0]?.errorCode})`);
  const notInstant = unsequenced.filter(
    (o) => o.status !== 'REJECTED' || o.errorCode !== 'INSUFFICIENT_STOCK' || o.items.length !== 1,
  );
  if (notInstant.length > 0) {
    add(
      `${notInstant.length} order requests have no sequence and are no instant out-of-stock answer (e.g. ${notInstant[0]?.requestId})`,
    );
  }
}

function checkSequences(sequenced: OrderObservation[], add: Add): void {
  for (let i = 1; i < sequenced.length; i++) {
    if (sequenced[i]?.sequence === sequenced[i - 1]?.sequence)
      add(`sequence ${sequenced[i]?.sequence} given to two requests`);
  }
}

/** The rule replayed in sequence order: what each request should have become, and the stock left. */
function replay(sequenced: OrderObservation[], products: readonly ProductObservation[], rules: OrderRules, add: Add) {
  const stock = new Map(products.map((p) => [p.productId, p.initialStock]));
  const limitOf = new Map(products.map((p) => [p.productId, p.maxPerUser ?? null]));
  const priceOf = new Map(products.map((p) => [p.productId, p.price]));
  const held = new Map<string, number>();
  for (const p of products) {
    for (const [userId, units] of Object.entries(p.heldBefore ?? {})) held.set(`${userId}:${p.productId}`, units);
  }
  const pending = new Map(Object.entries(rules.pendingBefore ?? {}).map(([u, units]) => [Number(u), units]));
  const holding = (userId: number, productId: number) => held.get(`${userId}:${productId}`) ?? 0;
  const withinLimit = (userId: number, i: OrderItemObservation) => {
    const limit = limitOf.get(i.productId);
    return limit === null || limit === undefined || holding(userId, i.productId) + i.quantity <= limit;
  };
  const cap = rules.maxPendingUnits ?? null;
  const amountOf = (o: OrderObservation) =>
    o.items.reduce((sum, i) => sum + (priceOf.get(i.productId) ?? NaN) * i.quantity, 0);
  if (rules.balances && products.some((p) => p.price === undefined))
    add('balances are checked, but a product has no price');
  const expected = new Map<string, Expected>();
  const refuse = (o: OrderObservation, code: string) => expected.set(o.requestId, { status: 'REJECTED', code });
  for (const o of sequenced) {
    if (o.items.some((i) => !stock.has(i.productId))) refuse(o, 'PRODUCT_NOT_FOUND');
    else if (!o.items.every((i) => withinLimit(o.userId, i))) refuse(o, 'PURCHASE_LIMIT_EXCEEDED');
    else if (!o.items.every((i) => (stock.get(i.productId) ?? 0) >= i.quantity)) refuse(o, 'INSUFFICIENT_STOCK');
    else if (cap !== null && (pending.get(o.userId) ?? 0) + unitsOf(o) > cap) refuse(o, 'PENDING_LIMIT_EXCEEDED');
    else if (rules.balances && !(amountOf(o) <= (rules.balances[o.userId] ?? 0))) refuse(o, 'INSUFFICIENT_BALANCE');
    else {
      for (const i of o.items) {
        stock.set(i.productId, (stock.get(i.productId) ?? 0) - i.quantity);
        held.set(`${o.userId}:${i.productId}`, holding(o.userId, i.productId) + i.quantity);
      }
      pending.set(o.userId, (pending.get(o.userId) ?? 0) + unitsOf(o));
      expected.set(o.requestId, { status: 'SUCCEEDED' });
    }
  }
  return { expected, stock };
}

const WHY_NOT_PLACED: Record<string, string> = {
  PURCHASE_LIMIT_EXCEEDED: "the user's earlier orders had used up its limit",
  PENDING_LIMIT_EXCEEDED: "the user's orders awaiting payment had reached the cap",
  INSUFFICIENT_BALANCE: 'its payment amount exceeds the balance',
};

function checkOutcomes(sequenced: OrderObservation[], expected: Map<string, Expected>, add: Add): void {
  for (const o of sequenced) {
    if (!isFinalStatus(o.status) || o.status === 'FAILED') continue;
    const want = expected.get(o.requestId);
    if (!want) continue;
    if (want.status === 'SUCCEEDED' && o.status !== 'SUCCEEDED') {
      add(`${describe(o)} should have been placed but is ${o.status} ${o.errorCode ?? ''}`.trim());
    } else if (want.status === 'REJECTED' && o.status === 'SUCCEEDED') {
      const why = WHY_NOT_PLACED[want.code] ?? 'earlier orders had taken the stock';
      add(`${describe(o)} was placed although ${why} (expected ${want.code})`);
    } else if (want.status === 'REJECTED' && o.errorCode !== want.code) {
      add(`${describe(o)} rejected with ${o.errorCode}, expected ${want.code}`);
    }
  }
}

/**
 * An instant answer claims the product had no stock left for it: the replay must have sold it out,
 * and every order placed for it must have been accepted before (or as) the answer was given.
 */
function checkInstantAnswers(
  unsequenced: OrderObservation[],
  succeeded: OrderObservation[],
  stock: Map<number, number>,
  add: Add,
): void {
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
}

/** Nothing oversold, and the stock read back is the initial stock minus the units placed. */
function checkStock(products: readonly ProductObservation[], succeeded: OrderObservation[], add: Add) {
  const placedUnits = new Map<number, number>();
  for (const o of succeeded) {
    for (const i of o.items) placedUnits.set(i.productId, (placedUnits.get(i.productId) ?? 0) + i.quantity);
  }
  return products.map((p) => {
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
}

/** One order per placed request, read back with its user, its items and a live status. */
function checkStored(succeeded: OrderObservation[], stored: readonly StoredOrderObservation[] | undefined, add: Add) {
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
  if (!stored) return;
  const storedById = new Map(stored.map((s) => [s.orderId, s]));
  for (const [orderId, o] of byOrderId) {
    const s = storedById.get(orderId);
    if (!s) add(`order ${orderId} of ${describe(o)} cannot be read back`);
    else if (s.userId !== o.userId) add(`order ${orderId} belongs to user ${s.userId}, but user ${o.userId} placed it`);
    else if (!sameItems(s.items, o.items)) add(`order ${orderId} holds other items than ${describe(o)} asked for`);
    else if (!LIVE_ORDER.has(s.status)) add(`order ${orderId} is ${s.status}, expected PENDING_PAYMENT or PAID`);
  }
}
