// Orders as a lane type: one lane for every order, because orders for the same product can arrive
// anywhere.
import { z } from '@hono/zod-openapi';
import type { LaneType } from '../queues/lane-type.js';
import { OrderPayload } from '../queues/payloads.js';
import { ORDER_REJECTIONS } from './order.decider.js';
import { orderProcessor } from './order.processor.js';
import { StockGate } from './stock-gate.js';

export const orderLaneType: LaneType<OrderPayload> = {
  type: 'ORDER',
  label: 'Orders',
  lanes: () => [{ name: 'orders', code: 'o' }],
  payloadSchema: OrderPayload,
  openapi: {
    name: 'Order',
    result: z
      .object({ orderId: z.number().int() })
      .openapi('OrderResult', { description: 'Only when SUCCEEDED: the order, holding its stock and coupon' }),
    rejections: ORDER_REJECTIONS,
  },
  jobName: (p) => `order by user ${p.userId}: ${p.items.length} item(s)`,
  processor: ({ config, redis, scheduleExpiry }) =>
    orderProcessor({
      paymentWindowMs: config.ORDER_PAYMENT_WINDOW_MS,
      scheduleExpiry,
      stockGate: new StockGate(redis, config.QUEUE_PREFIX),
    }),
};
