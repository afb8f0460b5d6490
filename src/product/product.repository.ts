import { sql, type Transaction } from 'kysely';
import type { Db } from '../db/database.js';
import type { Database } from '../db/schema.js';

type Executor = Db | Transaction<Database>;

const columns = ['id', 'name', 'price', 'stock', 'max_per_user'] as const;

export async function findProduct(db: Executor, id: number) {
  return db.selectFrom('products').select(columns).where('id', '=', id).executeTakeFirst();
}

/** Which of these product ids exist. */
export async function findProductIds(db: Db, ids: readonly number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('products')
    .select('id')
    .where('id', 'in', [...ids])
    .execute();
  return rows.map((r) => Number(r.id));
}

export async function listProducts(db: Db, limit: number, afterId: number | null) {
  let query = db
    .selectFrom('products')
    .select(columns)
    .orderBy('id', 'asc')
    .limit(limit + 1);
  if (afterId !== null) query = query.where('id', '>', afterId);
  return query.execute();
}

export async function insertProduct(
  db: Executor,
  product: { name: string; price: number; stock: number; maxPerUser?: number | null | undefined },
) {
  const { maxPerUser, ...rest } = product;
  const result = await db
    .insertInto('products')
    .values({ ...rest, max_per_user: maxPerUser ?? null, created_at: new Date() })
    .executeTakeFirstOrThrow();
  return Number(result.insertId);
}

/** Sets a product's per-user limit (null: unlimited); false when the product is unknown. */
export async function setMaxPerUser(db: Db, id: number, maxPerUser: number | null): Promise<boolean> {
  const result = await db
    .updateTable('products')
    .set({ max_per_user: maxPerUser })
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Changes stock by delta unless it would go below zero; false when refused or the product is unknown. */
export async function adjustStock(db: Executor, id: number, delta: number): Promise<boolean> {
  const result = await db
    .updateTable('products')
    .set({ stock: sql`stock + ${delta}` })
    .where('id', '=', id)
    .where(sql<boolean>`stock + ${delta} >= 0`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Adds sold units to the per-day aggregate that the top-sellers ranking reads. */
export async function addDailySales(
  trx: Transaction<Database>,
  saleDate: string,
  items: { productId: number; quantity: number }[],
) {
  if (items.length === 0) return;
  await trx
    .insertInto('product_sales_daily')
    .values(items.map((i) => ({ sale_date: saleDate, product_id: i.productId, quantity: i.quantity })))
    .onDuplicateKeyUpdate({ quantity: sql`quantity + VALUES(quantity)` })
    .execute();
}

/**
 * Best sellers from the per-day aggregate: a range scan of the primary key (sale_date, product_id)
 * over the dates fromDate … toDate (inclusive), grouped by product. It never touches orders or order_items.
 */
export async function topSellers(db: Db, fromDate: string, toDate: string, limit: number) {
  return db
    .selectFrom('product_sales_daily as s')
    .innerJoin('products as p', 'p.id', 's.product_id')
    .select(['p.id', 'p.name', 'p.price', 'p.stock'])
    .select(sql<number>`CAST(SUM(s.quantity) AS SIGNED)`.as('sold'))
    .where('s.sale_date', '>=', fromDate)
    .where('s.sale_date', '<=', toDate)
    .groupBy(['p.id', 'p.name', 'p.price', 'p.stock'])
    .orderBy('sold', 'desc')
    .orderBy('p.id', 'asc')
    .limit(limit)
    .execute();
}
