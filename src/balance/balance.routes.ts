import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Db } from '../db/database.js';
import { decodeCursor } from '../shared/cursor.js';
import { actingUserId, type Identity, type IdentityEnv } from '../http/identity.js';
import { idParam, intQuery, json, problemResponses, validationHook } from '../http/validation.js';
import { chargeBalance, getBalance, getBalanceHistory } from './balance.service.js';

const UserParams = z.object({ userId: idParam('userId') });
const Balance = z.object({ userId: z.number().int(), balance: z.number().int() }).openapi('Balance');
const ChargeBody = z.object({ amount: z.number().int().min(1).max(10_000_000) }).openapi('ChargeRequest');
const ChargeResult = Balance.extend({ chargedAmount: z.number().int() }).openapi('ChargeResult');
const HistoryItem = z.object({
  kind: z.enum(['CHARGE', 'PAYMENT', 'REFUND']),
  amount: z.number().int(),
  balanceAfter: z.number().int(),
  createdAt: z.string(),
  orderId: z.number().int().optional(),
});
const History = z.object({ items: z.array(HistoryItem), nextCursor: z.string().nullable() }).openapi('BalanceHistory');

export function balanceRoutes(deps: { db: Db; identity: Identity }) {
  const { db, identity } = deps;
  return new OpenAPIHono<IdentityEnv>({ defaultHook: validationHook })
    .openapi(
      createRoute({
        method: 'get',
        path: '/users/{userId}/balance',
        tags: ['Balance'],
        ...identity.openapi,
        request: { params: UserParams },
        responses: {
          200: json(Balance, 'The balance (0 for a user never seen)'),
          ...problemResponses(400, ...identity.problems),
        },
      }),
      async (c) => c.json(await getBalance(db, actingUserId(c, c.req.valid('param').userId)), 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/users/{userId}/balance/charge',
        tags: ['Balance'],
        ...identity.openapi,
        request: {
          params: UserParams,
          body: { required: true, content: { 'application/json': { schema: ChargeBody } } },
        },
        responses: {
          200: json(ChargeResult, 'Charged'),
          ...problemResponses(400, ...identity.problems, 409, 413, 422),
        },
      }),
      async (c) => {
        const userId = actingUserId(c, c.req.valid('param').userId);
        return c.json(await chargeBalance(db, userId, c.req.valid('json').amount), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/users/{userId}/balance/history',
        tags: ['Balance'],
        ...identity.openapi,
        request: {
          params: UserParams,
          query: z.object({ limit: intQuery('limit', 1, 100, 20), cursor: z.string().max(200).optional() }),
        },
        responses: { 200: json(History, 'Newest first'), ...problemResponses(400, ...identity.problems) },
      }),
      async (c) => {
        const userId = actingUserId(c, c.req.valid('param').userId);
        const { limit, cursor } = c.req.valid('query');
        return c.json(await getBalanceHistory(db, userId, limit, decodeCursor(cursor)), 200);
      },
    );
}
