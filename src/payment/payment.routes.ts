import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Db } from '../db/database.js';
import { json, jsonBody, problemResponses, validationHook } from '../http/validation.js';
import { OrderParams, UserBody } from '../order/order.routes.js';
import { payOrder } from './payment.service.js';

const PaymentResult = z
  .object({
    orderId: z.number().int(),
    status: z.literal('PAID'),
    paidAmount: z.number().int(),
    balance: z.number().int(),
  })
  .openapi('PaymentResult');

export function paymentRoutes(deps: { db: Db }) {
  return new OpenAPIHono({ defaultHook: validationHook }).openapi(
    createRoute({
      method: 'post',
      path: '/orders/{orderId}/payment',
      tags: ['Orders'],
      request: { params: OrderParams, body: jsonBody(UserBody) },
      responses: { 200: json(PaymentResult, 'Paid'), ...problemResponses(400, 403, 404, 409, 413, 422) },
    }),
    async (c) => c.json(await payOrder(deps.db, c.req.valid('param').orderId, c.req.valid('json').userId), 200),
  );
}
