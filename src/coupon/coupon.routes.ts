import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Db } from '../db/database.js';
import { actingUserId, type Identity, type IdentityEnv } from '../http/identity.js';
import type { SubmitLimiter } from '../http/rate-limit.js';
import { idParam, json, jsonBody, problemResponses, validationHook } from '../http/validation.js';
import { RequestResourceSchema } from '../request/request.routes.js';
import type { RequestDeps } from '../request/request.service.js';
import { createCoupon, getCoupon, getUserCoupons, submitClaim } from './coupon.service.js';

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
    claimStartsAt: z.string().nullable(),
    claimEndsAt: z.string().nullable(),
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

const NewCoupon = z
  .object({
    name: z.string().trim().min(1).max(200),
    discountType: z.enum(['FIXED', 'PERCENT']),
    discountValue: z.number().int().min(1).max(1_000_000_000),
    maxDiscountAmount: money
      .min(1)
      .nullable()
      .optional()
      .transform((v) => v ?? null),
    minOrderAmount: money.optional().transform((v) => v ?? 0),
    totalQuantity: z.number().int().min(1).max(100_000_000),
    claimStartsAt: instant,
    claimEndsAt: instant,
    validDays: z.number().int().min(1).max(3650),
  })
  .openapi('NewCoupon');

const UserCoupon = z.object({
  userCouponId: z.number().int(),
  couponId: z.number().int(),
  name: z.string(),
  discountType: z.enum(['FIXED', 'PERCENT']),
  discountValue: z.number().int(),
  maxDiscountAmount: z.number().int().nullable(),
  minOrderAmount: z.number().int(),
  status: z.enum(['AVAILABLE', 'RESERVED', 'USED', 'EXPIRED']),
  issuedAt: z.string(),
  expiresAt: z.string(),
  usedAt: z.string().nullable(),
});

export function couponRoutes(deps: RequestDeps & { db: Db; identity: Identity; limiter: SubmitLimiter }) {
  const { db, identity } = deps;
  return new OpenAPIHono<IdentityEnv>({ defaultHook: validationHook })
    .openapi(
      createRoute({
        method: 'post',
        path: '/coupons/{couponId}/claims',
        tags: ['Coupons'],
        ...identity.openapi,
        request: {
          params: z.object({ couponId: idParam('couponId') }),
          body: jsonBody(z.object({ userId: identity.bodyUserId }).openapi('ClaimRequest'), !identity.enabled),
        },
        responses: {
          202: json(RequestResourceSchema, 'Queued; poll Location'),
          200: json(RequestResourceSchema, 'Already final (sold out)'),
          ...problemResponses(400, ...identity.problems, 413, 422, 429, 503),
        },
      }),
      async (c) => {
        const { couponId } = c.req.valid('param');
        const userId = actingUserId(c, c.req.valid('json').userId);
        const { queued, resource } = await submitClaim(deps, couponId, userId, {
          httpRequestId: c.get('requestId'),
          admit: deps.limiter.admission(c, userId),
        });
        c.header('Location', `/requests/${resource.requestId}`);
        return queued ? c.json(resource, 202) : c.json(resource, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/coupons/{couponId}',
        tags: ['Coupons'],
        request: { params: z.object({ couponId: idParam('couponId') }) },
        responses: { 200: json(Coupon, 'The coupon with issued and remaining counts'), ...problemResponses(400, 404) },
      }),
      async (c) => c.json(await getCoupon(db, c.req.valid('param').couponId), 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/users/{userId}/coupons',
        tags: ['Coupons'],
        ...identity.openapi,
        request: {
          params: z.object({ userId: idParam('userId') }),
          query: z.object({ status: z.enum(['AVAILABLE', 'RESERVED', 'USED', 'EXPIRED']).optional() }),
        },
        responses: {
          200: json(z.object({ items: z.array(UserCoupon) }), "The user's coupons, newest first"),
          ...problemResponses(400, ...identity.problems),
        },
      }),
      async (c) => {
        const userId = actingUserId(c, c.req.valid('param').userId);
        return c.json(await getUserCoupons(db, userId, c.req.valid('query').status), 200);
      },
    );
}

export function couponAdminRoutes(deps: { db: Db }) {
  return new OpenAPIHono({ defaultHook: validationHook }).openapi(
    createRoute({
      method: 'post',
      path: '/admin/coupons',
      tags: ['Admin'],
      security: [{ adminBearer: [] }],
      request: { body: jsonBody(NewCoupon) },
      responses: { 201: json(Coupon, 'Created'), ...problemResponses(400, 401, 413, 422) },
    }),
    async (c) => c.json(await createCoupon(deps.db, c.req.valid('json')), 201),
  );
}
