import { transactionOf, type Db } from '../db/database.js';
import { ConflictError } from '../common/errors.js';
import { encodeCursor } from '../common/cursor.js';
import {
  addToBalance,
  ensureBalanceRow,
  findBalance,
  listBalanceHistory,
  MAX_BALANCE,
  recordBalanceChange,
} from './balance.repository.js';

export async function getBalance(db: Db, userId: number) {
  return { userId, balance: await findBalance(db, userId) };
}

export async function chargeBalance(db: Db, userId: number, amount: number, transact = transactionOf(db)) {
  await ensureBalanceRow(db, userId);
  return transact(async (trx) => {
    if (!(await addToBalance(trx, userId, amount))) {
      throw new ConflictError('BALANCE_LIMIT_EXCEEDED', `A balance may not exceed ${MAX_BALANCE}`);
    }
    const balance = await recordBalanceChange(trx, { userId, kind: 'CHARGE', amount });
    return { userId, balance, chargedAmount: amount };
  });
}

export async function getBalanceHistory(db: Db, userId: number, limit: number, beforeId: number | null) {
  const rows = await listBalanceHistory(db, userId, limit, beforeId);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => ({
      kind: r.kind,
      amount: r.amount,
      balanceAfter: r.balance_after,
      createdAt: r.created_at.toISOString(),
      ...(r.order_id !== null ? { orderId: r.order_id } : {}),
    })),
    nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null,
  };
}
