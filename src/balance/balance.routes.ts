import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Db } from '../db/database.js';
import { decodeCursor } from '../common/cursor.js';
import { actingUserId, type Identity, type IdentityEnv } from '../http/identity.js';
import { answerInTransaction } from '../http/idempotency.js';
import { json, jsonBody, route } from '../http/openapi.js';
import { cursorQuery, idParam, intQuery, validationHook } from '../http/validation.js';
import { chargeBalance, getBalance, getBalanceHistory } from './balance.service.js';

const UserParams = z.object({ userId: idParam('userId') });
const Balance = z.object({ userId: z.number().int(), balance: z.number().int() }).openapi('Balance');
const ChargeBody = z.object({ amount: z.number().int().min(1).max(10_000_000) }).openapi('ChargeRequest');
const ChargeResult = Balance.extend({ chargedAmount: z.number().int() }).openapi('ChargeResult');
const HistoryItem = z
  .object({
    kind: z.enum(['CHARGE', 'PAYMENT', 'REFUND']),
    amount: z.number().int(),
    balanceAfter: z.number().int(),
    createdAt: z.iso.datetime(),
    orderId: z.number().int().optional(),
  })
  .openapi('BalanceHistoryItem');
const History = z
  .object({
    items: z.array(HistoryItem),
    nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null at the end' }),
  })
  .openapi('BalanceHistory');

export function balanceRoutes(deps: { db: Db; identity: Identity }) {
  const { db, identity } = deps;
  return new OpenAPIHono<IdentityEnv>({ defaultHook: validationHook })
    .openapi(
      route({
        method: 'get',
        path: '/users/{userId}/balance',
        operationId: 'getBalance',
        summary: "A user's balance",
        tags: ['Balance'],
        access: 'user',
        identity,
        request: { params: UserParams },
        responses: { 200: json(Balance, 'The balance (0 for a user never seen)') },
      }),
      async (c) => c.json(await getBalance(db, actingUserId(c, c.req.valid('param').userId)), 200),
    )
    .openapi(
      route({
        method: 'post',
        path: '/users/{userId}/balance/charge',
        operationId: 'chargeBalance',
        summary: "Charge (top up) a user's balance",
        description: 'Concurrent charges of one user all count. A balance may not exceed 1,000,000,000.',
        tags: ['Balance'],
        access: 'user',
        identity,
        errors: { 409: ['BALANCE_LIMIT_EXCEEDED'] },
        request: { params: UserParams, body: jsonBody(ChargeBody) },
        responses: { 200: json(ChargeResult, 'Charged') },
      }),
      async (c) => {
        const userId = actingUserId(c, c.req.valid('param').userId);
        const { amount } = c.req.valid('json');
        return answerInTransaction(c, db, 200, (transact) => chargeBalance(db, userId, amount, transact));
      },
    )
    .openapi(
      route({
        method: 'get',
        path: '/users/{userId}/balance/history',
        operationId: 'getBalanceHistory',
        summary: "A user's balance history, newest first",
        tags: ['Balance'],
        access: 'user',
        identity,
        request: {
          params: UserParams,
          query: z.object({ limit: intQuery('limit', 1, 100, 20), cursor: cursorQuery }),
        },
        responses: { 200: json(History, 'Newest first') },
      }),
      async (c) => {
        const userId = actingUserId(c, c.req.valid('param').userId);
        const { limit, cursor } = c.req.valid('query');
        return c.json(await getBalanceHistory(db, userId, limit, decodeCursor(cursor)), 200);
      },
    );
}
