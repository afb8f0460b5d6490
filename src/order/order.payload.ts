// An order's job payload: the shared envelope plus the user, the lines and the coupon to apply.
import { z } from 'zod';
import { jobPayload } from '../lane/lane.js';

const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const OrderPayload = jobPayload({
  userId: id,
  items: z
    .array(z.object({ productId: id, quantity: z.number().int().min(1).max(1000) }))
    .min(1)
    .max(20)
    .refine((items) => new Set(items.map((i) => i.productId)).size === items.length, 'productId must be distinct'),
  userCouponId: id.optional(),
});
export type OrderPayload = z.infer<typeof OrderPayload>;
