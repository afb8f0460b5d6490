import { transactionOf, type Db, type Executor } from '../db/database.js';
import { encodeCursor } from '../common/cursor.js';
import { ConflictError, NotFoundError } from '../common/errors.js';
import {
  adjustStock,
  findProduct,
  insertProduct,
  listProducts,
  setMaxPerUser,
  topSellers,
} from './product.repository.js';
import type { StockReturn } from '../order/stock-gate.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The UTC calendar date of an instant, as YYYY-MM-DD: the bucket of the daily sales aggregate. */
export function utcDate(at: Date): string {
  return at.toISOString().slice(0, 10);
}

type ProductRecord = NonNullable<Awaited<ReturnType<typeof findProduct>>>;

const toView = ({ max_per_user, ...p }: ProductRecord) => ({ ...p, maxPerUser: max_per_user });

const productNotFound = (id: number) => new NotFoundError('PRODUCT_NOT_FOUND', `Product ${id} does not exist`);

export async function getProduct(db: Executor, id: number) {
  const product = await findProduct(db, id);
  if (!product) throw productNotFound(id);
  return toView(product);
}

export async function getProducts(db: Db, limit: number, afterId: number | null) {
  const rows = await listProducts(db, limit, afterId);
  const items = rows.slice(0, limit).map(toView);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}

/** Top sellers over the last `days` UTC days, today included. */
export async function getTopProducts(db: Db, days: number, limit: number, now = new Date()) {
  const fromDate = utcDate(new Date(now.getTime() - (days - 1) * DAY_MS));
  const rows = await topSellers(db, fromDate, utcDate(now), limit);
  return {
    from: `${fromDate}T00:00:00.000Z`,
    to: now.toISOString(),
    items: rows.map((r, i) => ({
      rank: i + 1,
      productId: r.id,
      name: r.name,
      price: r.price,
      stock: r.stock,
      soldQuantity: Number(r.sold),
    })),
  };
}

export async function createProduct(
  db: Db,
  input: { name: string; price: number; stock: number; maxPerUser?: number | null | undefined },
  transact = transactionOf(db),
) {
  return transact(async (trx) => getProduct(trx, await insertProduct(trx, input)));
}

/**
 * Runs a change that may let orders of the product through where the order lane flagged it out of
 * stock: the flag is dropped before the change and again after it (src/order/stock-gate.ts).
 */
async function reopening<T>(db: Db, gate: StockReturn | undefined, id: number, change: () => Promise<T>): Promise<T> {
  // An unknown product is refused before anything is written (products are never deleted).
  if (gate) await getProduct(db, id);
  await gate?.open([id]);
  try {
    return await change();
  } finally {
    await gate?.reopen([id]);
  }
}

/** Changes a product's per-user limit; orders already placed keep their units. */
export async function updateProduct(db: Db, id: number, change: { maxPerUser: number | null }, gate?: StockReturn) {
  if (!(await reopening(db, gate, id, () => setMaxPerUser(db, id, change.maxPerUser)))) throw productNotFound(id);
  return getProduct(db, id);
}

export async function restockProduct(db: Db, id: number, delta: number, gate?: StockReturn) {
  const changed = delta > 0 ? reopening(db, gate, id, () => adjustStock(db, id, delta)) : adjustStock(db, id, delta);
  if (!(await changed)) {
    await getProduct(db, id);
    throw new ConflictError('INSUFFICIENT_STOCK', `Stock of product ${id} cannot go below zero`);
  }
  return getProduct(db, id);
}
