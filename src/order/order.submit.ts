// The submit route of orders, mounted by the API as the order lane type's own.
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Lane } from '../lane/lane.js';
import { actingUserId, type Identity, type IdentityEnv } from '../http/identity.js';
import { json, jsonBody, route } from '../http/openapi.js';
import { positiveId, validationHook } from '../http/validation.js';
import { queuedAnswer, submitOptions } from '../request/submit-route.js';
import type { SubmitOptions } from '../request/request.service.js';
import { submitQueued, type Submitted } from '../request/submit.service.js';
import type { LaneApiDeps } from '../queues/lane-type.js';
import { KnownProducts } from '../product/known-products.js';
import type { OrderPayload } from './order.payload.js';

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

type OrderDeps = LaneApiDeps & { lane: Lane<OrderPayload>; products: KnownProducts };

/**
 * Accepts an order into the order lane: one global arrival order for every order. An order naming
 * a product that does not exist is answered 404 and queues nothing.
 */
async function submitOrder(
  deps: OrderDeps,
  order: Omit<OrderPayload, 'nonce' | 'acceptedAt' | 'httpRequestId'>,
  options: SubmitOptions,
): Promise<Submitted> {
  const productIds = order.items.map((i) => i.productId);
  if (!deps.products.knows(productIds)) await deps.products.require(productIds);
  const { httpRequestId } = options;
  const payload = { ...order, acceptedAt: Date.now(), ...(httpRequestId ? { httpRequestId } : {}) };
  return submitQueued(deps, { lane: deps.lane, payload, userId: order.userId, options });
}

export function orderSubmitRoutes(input: Omit<OrderDeps, 'products'>) {
  const deps: OrderDeps = { ...input, products: new KnownProducts(input.db) };
  const { identity } = deps;
  return new OpenAPIHono<IdentityEnv>({ defaultHook: validationHook }).openapi(
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
      errors: { 404: ['PRODUCT_NOT_FOUND'] },
      request: { body: jsonBody(newOrder(identity)) },
      responses: {
        202: json(deps.resourceSchema, 'Queued; poll Location. Also a repeat whose request still waits or runs'),
        200: json(
          deps.resourceSchema,
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
      return queuedAnswer(c, deps, await submitOrder(deps, order, submitOptions(c, deps.limiter, userId, order)));
    },
  );
}
