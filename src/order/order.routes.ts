import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Db } from '../db/database.js';
import { idParam, json, jsonBody, positiveId, problemResponses, validationHook } from '../http/validation.js';
import { RequestResourceSchema } from '../request/request.routes.js';
import type { RequestDeps } from '../request/request.service.js';
import { cancelOrder, getOrder, submitOrder } from './order.service.js';

export const OrderSchema = z
  .object({
    id: z.number().int(),
    userId: z.number().int(),
    status: z.enum(['PENDING_PAYMENT', 'PAID', 'CANCELLED', 'EXPIRED']),
    items: z.array(z.object({ productId: z.number().int(), quantity: z.number().int(), unitPrice: z.number().int() })),
    totalAmount: z.number().int(),
    discountAmount: z.number().int(),
    paymentAmount: z.number().int(),
    userCouponId: z.number().int().nullable(),
    createdAt: z.string(),
    expiresAt: z.string(),
    paidAt: z.string().nullable(),
  })
  .openapi('Order');

const NewOrder = z
  .object({
    userId: positiveId,
    items: z
      .array(z.object({ productId: positiveId, quantity: z.number().int().min(1).max(1000) }))
      .min(1)
      .max(20)
      .refine(
        (items) => new Set(items.map((i) => i.productId)).size === items.length,
        'productId values must be distinct',
      ),
    userCouponId: positiveId.optional(),
  })
  .openapi('NewOrder');

export const OrderParams = z.object({ orderId: idParam('orderId') });
export const UserBody = z.object({ userId: positiveId }).openapi('UserRef');

export function orderRoutes(deps: RequestDeps & { db: Db }) {
  const { db } = deps;
  return new OpenAPIHono<{ Variables: { requestId: string } }>({ defaultHook: validationHook })
    .openapi(
      createRoute({
        method: 'post',
        path: '/orders',
        tags: ['Orders'],
        request: { body: jsonBody(NewOrder) },
        responses: {
          202: json(RequestResourceSchema, 'Queued; poll Location'),
          ...problemResponses(400, 413, 422, 503),
        },
      }),
      async (c) => {
        const body = c.req.valid('json');
        const resource = await submitOrder(deps, {
          userId: body.userId,
          items: body.items,
          ...(body.userCouponId !== undefined ? { userCouponId: body.userCouponId } : {}),
          httpRequestId: c.get('requestId'),
        });
        c.header('Location', `/requests/${resource.requestId}`);
        return c.json(resource, 202);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/orders/{orderId}',
        tags: ['Orders'],
        request: { params: OrderParams },
        responses: { 200: json(OrderSchema, 'The order'), ...problemResponses(400, 404) },
      }),
      async (c) => c.json(await getOrder(db, c.req.valid('param').orderId), 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/orders/{orderId}/cancel',
        tags: ['Orders'],
        request: { params: OrderParams, body: jsonBody(UserBody) },
        responses: {
          200: json(OrderSchema, 'Cancelled; stock and coupon released'),
          ...problemResponses(400, 403, 404, 409),
        },
      }),
      async (c) => c.json(await cancelOrder(db, c.req.valid('param').orderId, c.req.valid('json').userId), 200),
    );
}
