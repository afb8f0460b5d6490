import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Db } from '../db/database.js';
import { actingUserId, type Identity, type IdentityEnv } from '../http/identity.js';
import { json, jsonBody, route } from '../http/openapi.js';
import { answerInTransaction } from '../http/idempotency.js';
import type { RedisClient } from '../redis.js';
import { idParam, validationHook } from '../http/validation.js';
import { cancelOrder, getOrder } from './order.service.js';
import { StockGate } from './stock-gate.js';

export const OrderSchema = z
  .object({
    id: z.number().int(),
    userId: z.number().int(),
    status: z.enum(['PENDING_PAYMENT', 'PAID', 'CANCELLED', 'EXPIRED']),
    items: z.array(
      z
        .object({ productId: z.number().int(), quantity: z.number().int(), unitPrice: z.number().int() })
        .openapi('OrderLine'),
    ),
    totalAmount: z.number().int(),
    discountAmount: z.number().int(),
    paymentAmount: z.number().int(),
    userCouponId: z.number().int().nullable(),
    createdAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
    paidAt: z.iso.datetime().nullable(),
  })
  .openapi('Order');

export const OrderParams = z.object({ orderId: idParam('orderId') });
/** The body of payment and cancel: the acting user (in identity mode optional, and so the body too). */
export const userBody = (identity: Identity) =>
  jsonBody(z.object({ userId: identity.bodyUserId }).openapi('UserRef'), !identity.enabled);

export function orderRoutes(deps: {
  db: Db;
  redis: RedisClient;
  identity: Identity;
  config: { QUEUE_PREFIX: string };
}) {
  const { db, identity } = deps;
  const stockGate = new StockGate(deps.redis, deps.config.QUEUE_PREFIX);
  return new OpenAPIHono<IdentityEnv>({ defaultHook: validationHook })
    .openapi(
      route({
        method: 'get',
        path: '/orders/{orderId}',
        operationId: 'getOrder',
        summary: 'An order',
        tags: ['Orders'],
        access: 'user',
        identity,
        errors: { 404: ['ORDER_NOT_FOUND'] },
        request: { params: OrderParams },
        responses: { 200: json(OrderSchema, 'The order') },
      }),
      async (c) => {
        const order = await getOrder(db, c.req.valid('param').orderId);
        // In identity mode, another user's order is 403; with identity off, any order is readable.
        actingUserId(c, order.userId);
        return c.json(order, 200);
      },
    )
    .openapi(
      route({
        method: 'post',
        path: '/orders/{orderId}/cancel',
        operationId: 'cancelOrder',
        summary: 'Cancel an order awaiting payment',
        tags: ['Orders'],
        access: 'user',
        identity,
        errors: { 403: ['FORBIDDEN'], 404: ['ORDER_NOT_FOUND'], 409: ['ORDER_NOT_CANCELLABLE'] },
        request: { params: OrderParams, body: userBody(identity) },
        responses: { 200: json(OrderSchema, 'Cancelled; stock and coupon released') },
      }),
      async (c) => {
        const userId = actingUserId(c, c.req.valid('json').userId);
        const { orderId } = c.req.valid('param');
        return answerInTransaction(c, db, 200, (transact) => cancelOrder(db, orderId, userId, transact, stockGate));
      },
    );
}
