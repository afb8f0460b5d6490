// Job payloads. The lane consumer validates every job with these same schemas; a payload that
// fails is FAILED, never retried.
import { z } from 'zod';

const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const ClaimPayload = z.object({
  nonce: z.string().regex(/^[a-z0-9]{10}$/),
  couponId: id,
  userId: id,
  acceptedAt: z.number().int().positive(),
  httpRequestId: z.string().max(128).optional(),
});
export type ClaimPayload = z.infer<typeof ClaimPayload>;

export const OrderItemInput = z.object({
  productId: id,
  quantity: z.number().int().min(1).max(1000),
});

export const OrderPayload = z.object({
  nonce: z.string().regex(/^[a-z0-9]{10}$/),
  userId: id,
  items: z
    .array(OrderItemInput)
    .min(1)
    .max(20)
    .refine((items) => new Set(items.map((i) => i.productId)).size === items.length, 'productId must be distinct'),
  userCouponId: id.optional(),
  acceptedAt: z.number().int().positive(),
  httpRequestId: z.string().max(128).optional(),
});
export type OrderPayload = z.infer<typeof OrderPayload>;
