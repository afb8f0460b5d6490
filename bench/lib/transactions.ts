// The one-transaction-per-request rules of the comparison designs, on the engine's schema, in plain
// mysql2 with prepared statements (the fastest way to run them; no query builder in the path).
// Same rules as the engine: a user who already holds the coupon is ALREADY_ISSUED even when it is
// sold out; an order takes all of its items or nothing.
import { createPool, type Pool, type PoolConnection, type ResultSetHeader, type RowDataPacket } from 'mysql2/promise';
import { poolOptions } from '../../src/db/database.js';

export function createSqlPool(databaseUrl: string, connectionLimit: number): Pool {
  const { database, host, port, user, password } = poolOptions(databaseUrl);
  const pool = createPool({
    host,
    port,
    user,
    password,
    database,
    connectionLimit,
    timezone: 'Z',
    supportBigNumbers: true,
    decimalNumbers: true,
  });
  pool.pool.on('connection', (conn) => {
    conn.query("SET time_zone = '+00:00'");
  });
  return pool;
}

export type Outcome =
  | { status: 'SUCCEEDED'; result: Record<string, unknown> }
  | { status: 'REJECTED'; error: { code: string; message: string } };

const rejected = (code: string, message: string): Outcome => ({ status: 'REJECTED', error: { code, message } });

async function inTransaction(pool: Pool, fn: (conn: PoolConnection) => Promise<Outcome>): Promise<Outcome> {
  const conn = await pool.getConnection();
  try {
    await conn.query('START TRANSACTION');
    const outcome = await fn(conn);
    await conn.query('COMMIT');
    return outcome;
  } catch (err) {
    await conn.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    conn.release();
  }
}

interface OutcomeRecord {
  requestId: string;
  lane: string;
  sequence: number;
  acceptedAt: Date;
}

async function recordOutcome(conn: PoolConnection, type: string, rec: OutcomeRecord, outcome: Outcome) {
  await conn.execute(
    `INSERT INTO request_outcomes (request_id, type, lane, sequence, status, result, error_code, error_message, accepted_at, finished_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      rec.requestId,
      type,
      rec.lane,
      rec.sequence,
      outcome.status,
      outcome.status === 'SUCCEEDED' ? JSON.stringify(outcome.result) : null,
      outcome.status === 'REJECTED' ? outcome.error.code : null,
      outcome.status === 'REJECTED' ? outcome.error.message : null,
      rec.acceptedAt,
      new Date(),
    ],
  );
}

/**
 * One claim, one transaction: lock the coupon row, check the user, insert, count, commit. With
 * `record`, the outcome row is written in the same transaction (for designs that answer later).
 */
export function claimCoupon(
  pool: Pool,
  couponId: number,
  userId: number,
  requestId: string,
  record?: OutcomeRecord,
): Promise<Outcome> {
  return inTransaction(pool, async (conn) => {
    const [coupons] = await conn.execute<RowDataPacket[]>(
      'SELECT total_quantity, issued_quantity, valid_days FROM coupons WHERE id = ? FOR UPDATE',
      [couponId],
    );
    const coupon = coupons[0];
    let outcome: Outcome;
    if (!coupon) outcome = rejected('COUPON_NOT_FOUND', `Coupon ${couponId} does not exist`);
    else {
      const [held] = await conn.execute<RowDataPacket[]>(
        'SELECT 1 FROM user_coupons WHERE coupon_id = ? AND user_id = ?',
        [couponId, userId],
      );
      if (held.length > 0) outcome = rejected('ALREADY_ISSUED', 'This user already holds this coupon');
      else if (Number(coupon.issued_quantity) >= Number(coupon.total_quantity)) {
        outcome = rejected('SOLD_OUT', 'All coupons have been issued');
      } else {
        const now = new Date();
        const expiresAt = new Date(now.getTime() + Number(coupon.valid_days) * 86_400_000);
        const [inserted] = await conn.execute<ResultSetHeader>(
          `INSERT INTO user_coupons (coupon_id, user_id, status, request_id, issued_at, expires_at)
           VALUES (?, ?, 'AVAILABLE', ?, ?, ?)`,
          [couponId, userId, requestId, now, expiresAt],
        );
        await conn.execute('UPDATE coupons SET issued_quantity = issued_quantity + 1 WHERE id = ?', [couponId]);
        outcome = {
          status: 'SUCCEEDED',
          result: { userCouponId: Number(inserted.insertId), couponId, expiresAt: expiresAt.toISOString() },
        };
      }
    }
    if (record) await recordOutcome(conn, 'COUPON_CLAIM', record, outcome);
    return outcome;
  });
}

/** One order, one transaction: lock its products, check every item's stock, insert, deduct, commit. */
export function placeOrder(
  pool: Pool,
  userId: number,
  items: { productId: number; quantity: number }[],
  requestId: string,
  paymentWindowMs: number,
): Promise<Outcome> {
  return inTransaction(pool, async (conn) => {
    const ids = [...items.map((i) => i.productId)].sort((a, b) => a - b);
    const [rows] = await conn.query<RowDataPacket[]>(
      'SELECT id, price, stock FROM products WHERE id IN (?) ORDER BY id FOR UPDATE',
      [ids],
    );
    const products = new Map(rows.map((r) => [Number(r.id), { price: Number(r.price), stock: Number(r.stock) }]));
    const missing = items.find((i) => !products.has(i.productId));
    if (missing) return rejected('PRODUCT_NOT_FOUND', `Product ${missing.productId} does not exist`);
    const short = items.find((i) => (products.get(i.productId)?.stock ?? 0) < i.quantity);
    if (short) return rejected('INSUFFICIENT_STOCK', `Not enough stock of product ${short.productId}`);
    const total = items.reduce((sum, i) => sum + (products.get(i.productId)?.price ?? 0) * i.quantity, 0);
    const now = new Date();
    const [inserted] = await conn.execute<ResultSetHeader>(
      `INSERT INTO orders (user_id, status, total_amount, discount_amount, payment_amount, user_coupon_id, request_id, created_at, expires_at)
       VALUES (?, 'PENDING_PAYMENT', ?, 0, ?, NULL, ?, ?, ?)`,
      [userId, total, total, requestId, now, new Date(now.getTime() + paymentWindowMs)],
    );
    const orderId = Number(inserted.insertId);
    for (const i of items) {
      await conn.execute('INSERT INTO order_items (order_id, product_id, quantity, unit_price) VALUES (?, ?, ?, ?)', [
        orderId,
        i.productId,
        i.quantity,
        products.get(i.productId)?.price ?? 0,
      ]);
      await conn.execute('UPDATE products SET stock = stock - ? WHERE id = ?', [i.quantity, i.productId]);
    }
    return { status: 'SUCCEEDED', result: { orderId } };
  });
}
