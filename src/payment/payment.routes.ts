import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Db } from '../db/database.js';
import { actingUserId, type Identity, type IdentityEnv } from '../http/identity.js';
import { json, problemResponses, validationHook } from '../http/validation.js';
import { OrderParams, userBody } from '../order/order.routes.js';
import { payOrder } from './payment.service.js';

const PaymentResult = z
  .object({
    orderId: z.number().int(),
    status: z.literal('PAID'),
    paidAmount: z.number().int(),
    balance: z.number().int(),
  })
  .openapi('PaymentResult');

export function paymentRoutes(deps: { db: Db; identity: Identity }) {
  const { identity } = deps;
  return new OpenAPIHono<IdentityEnv>({ defaultHook: validationHook }).openapi(
    createRoute({
      method: 'post',
      path: '/orders/{orderId}/payment',
      tags: ['Orders'],
      ...identity.openapi,
      request: { params: OrderParams, body: userBody(identity) },
      responses: {
        200: json(PaymentResult, 'Paid'),
        ...problemResponses(400, ...identity.problems, 403, 404, 409, 413, 422),
      },
    }),
    async (c) => {
      const userId = actingUserId(c, c.req.valid('json').userId);
      return c.json(await payOrder(deps.db, c.req.valid('param').orderId, userId), 200);
    },
  );
}
