import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Db } from '../db/database.js';
import { actingUserId, type Identity, type IdentityEnv } from '../http/identity.js';
import { answerInTransaction } from '../http/idempotency.js';
import { json, route } from '../http/openapi.js';
import { validationHook } from '../http/validation.js';
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
    route({
      method: 'post',
      path: '/orders/{orderId}/payment',
      operationId: 'payOrder',
      summary: 'Pay an order from the balance',
      description:
        'One transaction: the balance is charged, the order PAID, its coupon USED, its units counted as sold.',
      tags: ['Orders'],
      access: 'user',
      identity,
      errors: { 403: ['FORBIDDEN'], 404: ['ORDER_NOT_FOUND'], 409: ['INSUFFICIENT_BALANCE', 'ORDER_NOT_PAYABLE'] },
      request: { params: OrderParams, body: userBody(identity) },
      responses: { 200: json(PaymentResult, 'Paid') },
    }),
    async (c) => {
      const userId = actingUserId(c, c.req.valid('json').userId);
      const { orderId } = c.req.valid('param');
      return answerInTransaction(c, deps.db, 200, (transact) => payOrder(deps.db, orderId, userId, transact));
    },
  );
}
