// Orders as a lane type: one lane for every order, because orders for the same product can arrive
// anywhere; an order of one product the lane left out of stock answered at once (stock-gate.ts).
import { z } from '@hono/zod-openapi';
import type { LaneType } from '../queues/lane-type.js';
import { OrderPayload } from './order.payload.js';
import { ORDER_REJECTIONS } from './order.decider.js';
import { ORDER_LANE_NAME, outOfStockKey } from './order.keys.js';
import { orderProcessor } from './order.processor.js';
import { orderSubmitRoutes } from './order.submit.js';
import { StockGate } from './stock-gate.js';

export const orderLaneType: LaneType<OrderPayload> = {
  type: 'ORDER',
  label: 'Orders',
  lanes: () => [{ name: ORDER_LANE_NAME, code: 'o' }],
  payloadSchema: OrderPayload,
  openapi: {
    name: 'Order',
    result: z
      .object({ orderId: z.number().int() })
      .openapi('OrderResult', { description: 'Only when SUCCEEDED: the order, holding its stock and coupon' }),
    rejections: ORDER_REJECTIONS,
  },
  jobName: (p) => `order by user ${p.userId}: ${p.items.length} item(s)`,
  submit: {
    // Only an order of one product can be refused from its product's flag alone.
    gate: (p, keys) => {
      const only = p.items.length === 1 ? p.items[0] : undefined;
      return only && { key: outOfStockKey(keys, only.productId), sticky: false, answer: 'os' };
    },
  },
  instantAnswers: { os: { code: 'INSUFFICIENT_STOCK', message: 'The product is out of stock' } },
  processor: ({ config, redis, scheduleExpiry }) =>
    orderProcessor({
      paymentWindowMs: config.ORDER_PAYMENT_WINDOW_MS,
      scheduleExpiry,
      stockGate: new StockGate(redis, config.QUEUE_PREFIX),
      maxPendingUnits: config.MAX_PENDING_UNITS_PER_USER || null,
      checkBalance: config.ORDER_BALANCE_CHECK,
    }),
  api: (deps) => ({ routes: orderSubmitRoutes({ ...deps, lane: deps.lanes.named(orderLaneType, ORDER_LANE_NAME) }) }),
};
