import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Db } from '../db/database.js';
import { actingUserId, type Identity, type IdentityEnv } from '../http/identity.js';
import { json, jsonBody, route } from '../http/openapi.js';
import { answerInTransaction } from '../http/idempotency.js';
import type { SubmitLimiter } from '../http/rate-limit.js';
import { idParam, positiveId, validationHook } from '../http/validation.js';
import { RequestResourceSchema } from '../request/request.routes.js';
import { queuedAnswer, submitOptions } from '../request/submit-route.js';
import type { RequestDeps } from '../request/request.service.js';
import { cancelOrder, getOrder, submitOrder } from './order.service.js';
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

const newOrder = (identity: Identity) =>
  z
    .object({
      userId: identity.bodyUserId,
      items: z
        .array(z.object({ productId: positiveId, quantity: z.number().int().min(1).max(1000) }))
        .min(1)
        .max(20)
        .refine(
          (items) => new Set(items.map((i) => i.productId)).size === items.length,
          'productId values must be distinct',
        )
        .openapi({ description: '1 to 20 lines with distinct productId values' }),
      userCouponId: positiveId.optional(),
    })
    .openapi('NewOrder');

export const OrderParams = z.object({ orderId: idParam('orderId') });
/** The body of payment and cancel: the acting user (in identity mode optional, and so the body too). */
export const userBody = (identity: Identity) =>
  jsonBody(z.object({ userId: identity.bodyUserId }).openapi('UserRef'), !identity.enabled);

export function orderRoutes(deps: RequestDeps & { db: Db; identity: Identity; limiter: SubmitLimiter }) {
  const { db, identity } = deps;
  const stockGate = new StockGate(deps.redis, deps.config.QUEUE_PREFIX);
  return new OpenAPIHono<IdentityEnv>({ defaultHook: validationHook })
    .openapi(
      route({
        method: 'post',
        path: '/orders',
        operationId: 'placeOrder',
        summary: 'Place an order (queued, decided in arrival order)',
        description:
          'When SUCCEEDED the order holds its stock (and coupon) until it is paid, cancelled or expires. Orders ' +
          'are never merged: two submits without a key are two orders. An Idempotency-Key is recorded with the ' +
          'job in one Redis transaction: the same key and body return the same request on any API process, ' +
          'also after the first answer was lost (Idempotent-Replayed: true).',
        tags: ['Orders'],
        access: 'user',
        identity,
        queued: true,
        request: { body: jsonBody(newOrder(identity)) },
        responses: {
          202: json(RequestResourceSchema, 'Queued; poll Location. Also a repeat whose request still waits or runs'),
          200: json(
            RequestResourceSchema,
            'Final at once: an order of one product the order lane left out of stock (REJECTED ' +
              'INSUFFICIENT_STOCK, no sequence), or a repeat of the same Idempotency-Key and body whose request is decided',
          ),
        },
      }),
      async (c) => {
        const body = c.req.valid('json');
        const userId = actingUserId(c, body.userId);
        const order = {
          userId,
          items: body.items,
          ...(body.userCouponId !== undefined ? { userCouponId: body.userCouponId } : {}),
        };
        return queuedAnswer(c, await submitOrder(deps, order, submitOptions(c, deps.limiter, userId, order)));
      },
    )
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
