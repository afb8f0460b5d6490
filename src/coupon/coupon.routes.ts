import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Db } from '../db/database.js';
import { actingUserId, type Identity, type IdentityEnv } from '../http/identity.js';
import { json, jsonBody, route } from '../http/openapi.js';
import { answerInTransaction } from '../http/idempotency.js';
import { idParam, validationHook } from '../http/validation.js';
import { createCoupon, getCoupon, getDraw, getUserCoupons } from './coupon.service.js';

const Coupon = z
  .object({
    id: z.number().int(),
    name: z.string(),
    discountType: z.enum(['FIXED', 'PERCENT']),
    discountValue: z.number().int(),
    maxDiscountAmount: z.number().int().nullable(),
    minOrderAmount: z.number().int(),
    totalQuantity: z.number().int(),
    issuedQuantity: z.number().int(),
    remaining: z.number().int(),
    preQueueOpensAt: z.iso
      .datetime()
      .nullable()
      .openapi({ description: 'Claims from here until claimStartsAt wait in the pre-queue, drawn at the start' }),
    claimStartsAt: z.iso.datetime().nullable(),
    claimEndsAt: z.iso.datetime().nullable(),
    validDays: z.number().int(),
  })
  .openapi('Coupon');

const money = z.number().int().min(0).max(1_000_000_000);
const instant = z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s))
  .nullable()
  .optional()
  .transform((d) => d ?? null);

const couponFields = {
  name: z.string().trim().min(1).max(200),
  maxDiscountAmount: money
    .min(1)
    .nullable()
    .optional()
    .transform((v) => v ?? null)
    .openapi({ description: 'PERCENT only: the most it takes off; null or absent for no cap' }),
  minOrderAmount: money.optional().transform((v) => v ?? 0),
  totalQuantity: z.number().int().min(1).max(100_000_000),
  preQueueOpensAt: instant.openapi({
    description:
      'Opens a pre-queue: claims from then until claimStartsAt (which it must precede) are drawn in a ' +
      'uniformly random order at claimStartsAt, ahead of every later claim',
  }),
  claimStartsAt: instant,
  claimEndsAt: instant,
  validDays: z.number().int().min(1).max(3650),
};

const NewCoupon = z
  .discriminatedUnion('discountType', [
    z
      .object({
        discountType: z.literal('FIXED'),
        discountValue: z.number().int().min(1).max(1_000_000_000).openapi({ description: 'Won off' }),
        ...couponFields,
      })
      .openapi('NewFixedCoupon'),
    z
      .object({
        discountType: z.literal('PERCENT'),
        discountValue: z.number().int().min(1).max(100).openapi({ description: 'Percent off, rounded down' }),
        ...couponFields,
      })
      .openapi('NewPercentCoupon'),
  ])
  .openapi('NewCoupon');

const UserCoupon = z
  .object({
    userCouponId: z.number().int(),
    couponId: z.number().int(),
    name: z.string(),
    discountType: z.enum(['FIXED', 'PERCENT']),
    discountValue: z.number().int(),
    maxDiscountAmount: z.number().int().nullable(),
    minOrderAmount: z.number().int(),
    status: z.enum(['AVAILABLE', 'RESERVED', 'USED', 'EXPIRED']),
    issuedAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
    usedAt: z.iso.datetime().nullable(),
  })
  .openapi('UserCoupon');

export function couponRoutes(deps: { db: Db; identity: Identity }) {
  const { db, identity } = deps;
  return new OpenAPIHono<IdentityEnv>({ defaultHook: validationHook })
    .openapi(
      route({
        method: 'get',
        path: '/coupons/{couponId}',
        operationId: 'getCoupon',
        summary: 'A coupon with its issued and remaining counts',
        tags: ['Coupons'],
        access: 'public',
        errors: { 404: ['COUPON_NOT_FOUND'] },
        request: { params: z.object({ couponId: idParam('couponId') }) },
        responses: { 200: json(Coupon, 'The coupon with issued and remaining counts') },
      }),
      async (c) => c.json(await getCoupon(db, c.req.valid('param').couponId), 200),
    )
    .openapi(
      route({
        method: 'get',
        path: '/users/{userId}/coupons',
        operationId: 'listUserCoupons',
        summary: 'The coupons a user holds',
        tags: ['Coupons'],
        access: 'user',
        identity,
        request: {
          params: z.object({ userId: idParam('userId') }),
          query: z.object({ status: z.enum(['AVAILABLE', 'RESERVED', 'USED', 'EXPIRED']).optional() }),
        },
        responses: {
          200: json(
            z.object({ items: z.array(UserCoupon) }).openapi('UserCoupons'),
            "The user's coupons, newest first",
          ),
        },
      }),
      async (c) => {
        const userId = actingUserId(c, c.req.valid('param').userId);
        return c.json(await getUserCoupons(db, userId, c.req.valid('query').status), 200);
      },
    );
}

const Draw = z
  .object({
    couponId: z.number().int(),
    preQueueOpensAt: z.iso.datetime(),
    claimStartsAt: z.iso.datetime().nullable(),
    status: z.enum(['PENDING', 'DRAWN']).openapi({ description: 'PENDING until the draw at claimStartsAt has run' }),
    drawnAt: z.iso.datetime().nullable().openapi({ description: 'When the draw was recorded; null while PENDING' }),
    claims: z
      .array(
        z.object({
          position: z.number().int().min(1),
          requestId: z.string(),
          userId: z.number().int(),
          sequence: z.number().int(),
          acceptedAt: z.iso.datetime(),
        }),
      )
      .openapi({ description: 'Every pre-queued claim in drawn order (position 1 first); empty while PENDING' }),
  })
  .openapi('PreQueueDraw');

export function couponAdminRoutes(deps: { db: Db }) {
  return new OpenAPIHono({ defaultHook: validationHook })
    .openapi(
      route({
        method: 'post',
        path: '/admin/coupons',
        operationId: 'createCoupon',
        summary: 'Create a coupon campaign',
        tags: ['Admin'],
        access: 'admin',
        errors: { 422: ['PRE_QUEUE_WINDOW_INVALID'] },
        request: { body: jsonBody(NewCoupon) },
        responses: { 201: json(Coupon, 'Created') },
      }),
      async (c) =>
        answerInTransaction(c, deps.db, 201, (transact) => createCoupon(deps.db, c.req.valid('json'), transact)),
    )
    .openapi(
      route({
        method: 'get',
        path: '/admin/coupons/{couponId}/draw',
        operationId: 'getCouponDraw',
        summary: "The draw of a coupon's pre-queue",
        description:
          'When the draw ran and, in drawn order, each pre-queued claim with its requestId, userId and the ' +
          'sequence it took. 409 NO_PRE_QUEUE for a coupon without preQueueOpensAt.',
        tags: ['Admin'],
        access: 'admin',
        errors: { 404: ['COUPON_NOT_FOUND'], 409: ['NO_PRE_QUEUE'] },
        request: { params: z.object({ couponId: idParam('couponId') }) },
        responses: { 200: json(Draw, 'The draw, or PENDING while it has not run') },
      }),
      async (c) => c.json(await getDraw(deps.db, c.req.valid('param').couponId), 200),
    );
}
