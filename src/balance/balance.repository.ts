import { sql, type Transaction } from 'kysely';
import type { Db } from '../db/database.js';
import type { BalanceKind, Database } from '../db/schema.js';

export const MAX_BALANCE = 1_000_000_000;

type Executor = Db | Transaction<Database>;

export async function findBalance(db: Executor, userId: number): Promise<number> {
  const row = await db.selectFrom('balances').select('balance').where('user_id', '=', userId).executeTakeFirst();
  return row?.balance ?? 0;
}

/**
 * Creates the account row with balance 0 unless it exists. Run on its own, outside a transaction:
 * concurrent first charges then meet an existing row and queue on its lock, instead of deadlocking
 * on the gap locks that an update of a missing row takes.
 */
export async function ensureBalanceRow(db: Db, userId: number): Promise<void> {
  await db.insertInto('balances').ignore().values({ user_id: userId, balance: 0, updated_at: new Date() }).execute();
}

/** Adds to a balance, creating the row on first use; false when the result would exceed MAX_BALANCE. */
export async function addToBalance(trx: Transaction<Database>, userId: number, amount: number): Promise<boolean> {
  if (await addWithinLimit(trx, userId, amount)) return true;
  if (amount > MAX_BALANCE) return false;
  const inserted = await trx
    .insertInto('balances')
    .ignore()
    .values({ user_id: userId, balance: amount, updated_at: new Date() })
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return true;
  // The row exists (it may have appeared between the two statements): the conditional update decides.
  // Retrying the whole function here would loop for ever when the row exists and the limit refuses.
  return addWithinLimit(trx, userId, amount);
}

/** One conditional statement: adds only when the row exists and the result stays within MAX_BALANCE. */
async function addWithinLimit(trx: Transaction<Database>, userId: number, amount: number): Promise<boolean> {
  const updated = await trx
    .updateTable('balances')
    .set({ balance: sql`balance + ${amount}`, updated_at: new Date() })
    .where('user_id', '=', userId)
    .where(sql<boolean>`balance + ${amount} <= ${MAX_BALANCE}`)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

/** Deducts only when the balance covers it; false (and nothing changed) otherwise. */
export async function deductFromBalance(trx: Transaction<Database>, userId: number, amount: number): Promise<boolean> {
  const updated = await trx
    .updateTable('balances')
    .set({ balance: sql`balance - ${amount}`, updated_at: new Date() })
    .where('user_id', '=', userId)
    .where('balance', '>=', amount)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1 || amount === 0;
}

export async function recordBalanceChange(
  trx: Transaction<Database>,
  entry: { userId: number; kind: BalanceKind; amount: number; orderId?: number | null },
): Promise<number> {
  const balanceAfter = await findBalance(trx, entry.userId);
  await trx
    .insertInto('balance_history')
    .values({
      user_id: entry.userId,
      kind: entry.kind,
      amount: entry.amount,
      balance_after: balanceAfter,
      order_id: entry.orderId ?? null,
      created_at: new Date(),
    })
    .execute();
  return balanceAfter;
}

export async function listBalanceHistory(db: Db, userId: number, limit: number, beforeId: number | null) {
  let query = db
    .selectFrom('balance_history')
    .select(['id', 'kind', 'amount', 'balance_after', 'order_id', 'created_at'])
    .where('user_id', '=', userId)
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (beforeId !== null) query = query.where('id', '<', beforeId);
  return query.execute();
}
