// A client for coupon rushes over the public HTTP API: submit claims concurrently, wait for every
// request to be final (long poll), and gather what the fairness oracle needs. Against an API in
// identity mode, pass each user's token (`tokens`): claims then leave `userId` out and act for the
// token's user, and every read of a user's data carries that user's token.
import { createApiClient, type Problem, type Schemas } from '../client/index.js';
import { verifyClaims, type ClaimObservation, type CouponObservation } from '../src/verify/claims.oracle.js';
import { awaitFinal } from './poll.js';
import { pool } from './pool.js';
import type { RequestResource } from './request-resource.js';
import { sendWithRetry } from './retry.js';
import { bearerFor } from './tokens.js';

export interface ClaimPlanItem {
  couponId: number;
  userId: number;
}

export interface Submitted extends ClaimPlanItem {
  httpStatus: number;
  latencyMs: number;
  submittedAt: number;
  requestId?: string;
  resource?: RequestResource;
  problemCode?: string;
}

export async function adminCreateCoupon(
  baseUrl: string,
  adminToken: string,
  body: Schemas['NewCoupon'],
): Promise<Schemas['Coupon']> {
  const { data, response } = await createApiClient(baseUrl).POST('/admin/coupons', {
    body,
    headers: { Authorization: `Bearer ${adminToken}` },
  });
  if (!data) throw new Error(`creating a coupon answered ${response.status}`);
  return data;
}

/** User id to bearer token, for an API in identity mode. */
export type UserTokens = Map<number, string>;

/** POSTs one claim, sent again after Retry-After on 429 or 503 (50 times at the most). */
export async function submitClaim(baseUrl: string, item: ClaimPlanItem, tokens?: UserTokens): Promise<Submitted> {
  const submittedAt = Date.now();
  const started = performance.now();
  // In identity mode the token names the user and the body leaves userId out.
  const body: Partial<Schemas['ClaimRequest']> = tokens ? {} : { userId: item.userId };
  // The submit stays on plain fetch, typed by the generated schemas: through the generated client
  // (a Request per call), three rush tests failed under the full suite with "other side closed" on
  // submits, which plain fetch has not shown.
  const { answer: res } = await sendWithRetry(
    async () => {
      const res = await fetch(`${baseUrl}/coupons/${item.couponId}/claims`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...bearerFor(tokens, item.userId) },
        body: JSON.stringify(body),
      });
      return {
        status: res.status,
        retryAfter: res.headers.get('retry-after'),
        body: (await res.json()) as RequestResource | Problem,
      };
    },
    (res) => res.retryAfter,
    { maxRetries: 50, maxDelayMs: 200 },
  );
  const answer = res.body;
  const latencyMs = performance.now() - started;
  if ((res.status === 202 || res.status === 200) && 'requestId' in answer) {
    return { ...item, httpStatus: res.status, latencyMs, submittedAt, requestId: answer.requestId, resource: answer };
  }
  return {
    ...item,
    httpStatus: res.status,
    latencyMs,
    submittedAt,
    ...('code' in answer ? { problemCode: answer.code } : {}),
  };
}

export async function observeCoupon(
  baseUrl: string,
  couponId: number,
  users: Iterable<number>,
  concurrency = 50,
  tokens?: UserTokens,
): Promise<CouponObservation> {
  const api = createApiClient(baseUrl);
  const { data: coupon, response } = await api.GET('/coupons/{couponId}', { params: { path: { couponId } } });
  if (!coupon) throw new Error(`GET /coupons/${couponId} answered ${response.status}`);
  const holders: number[] = [];
  await pool([...new Set(users)], concurrency, async (userId) => {
    const { data } = await api.GET('/users/{userId}/coupons', {
      params: { path: { userId } },
      headers: bearerFor(tokens, userId),
    });
    for (const item of data?.items ?? []) if (item.couponId === couponId) holders.push(userId);
  });
  return { couponId, totalQuantity: coupon.totalQuantity, issuedQuantity: coupon.issuedQuantity, holders };
}

export function toObservations(
  submitted: readonly Submitted[],
  finals: Map<string, RequestResource>,
): ClaimObservation[] {
  // A repeat by a user whose claim still waits returns that claim: one request, observed once. The
  // same id for another user or coupon stays two observations, which the oracle refuses.
  const once = new Map<string, Submitted & { requestId: string }>();
  for (const s of submitted) {
    if (s.requestId) once.set(`${s.requestId} ${s.couponId} ${s.userId}`, { ...s, requestId: s.requestId });
  }
  return [...once.values()].map((s) => {
    const r = finals.get(s.requestId) ?? s.resource;
    return {
      requestId: s.requestId,
      couponId: s.couponId,
      userId: s.userId,
      status: r?.status ?? 'UNKNOWN',
      sequence: r?.sequence ?? null,
      errorCode: r?.error?.code,
    };
  });
}

/** A plan of `requests` claims by `users` distinct users over the given coupons, shuffled. */
export function makePlan(
  couponIds: number[],
  users: number,
  requests: number,
  firstUserId: number,
  random = Math.random,
): ClaimPlanItem[] {
  const plan: ClaimPlanItem[] = [];
  for (let i = 0; i < requests; i++) {
    const userId = firstUserId + (i < users ? i : Math.floor(random() * users));
    const couponId = couponIds[Math.floor(random() * couponIds.length)] as number;
    plan.push({ couponId, userId });
  }
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [plan[i], plan[j]] = [plan[j] as ClaimPlanItem, plan[i] as ClaimPlanItem];
  }
  return plan;
}

/** Long-polls every accepted request of a rush until it is final (or the time is up). */
export async function awaitAllFinal(
  baseUrl: string,
  submitted: readonly Submitted[],
  {
    concurrency = 50,
    timeoutMs = 60_000,
    tokens,
  }: { concurrency?: number; timeoutMs?: number; tokens?: UserTokens } = {},
): Promise<Map<string, RequestResource>> {
  const deadline = Date.now() + timeoutMs;
  const finals = new Map<string, RequestResource>();
  await pool(
    submitted.filter((s) => s.requestId),
    concurrency,
    async (s) =>
      finals.set(
        s.requestId as string,
        await awaitFinal(baseUrl, s.requestId as string, deadline, bearerFor(tokens, s.userId)),
      ),
  );
  return finals;
}

/** A first-come coupon of `totalQuantity` for a rush: 1,000 off, valid for 7 days. */
export const rushCoupon = (totalQuantity: number): Schemas['NewCoupon'] => ({
  name: `rush ${totalQuantity}`,
  discountType: 'FIXED',
  discountValue: 1000,
  totalQuantity,
  validDays: 7,
});

/** The submits of a rush the API did not accept (neither 202 nor 200). */
export const notAccepted = (submitted: readonly Submitted[]) =>
  submitted.filter((s) => s.httpStatus !== 202 && s.httpStatus !== 200);

/** Long-polls every accepted claim of a rush to its end, then runs the fairness oracle over the rush. */
export async function finishRush(
  baseUrl: string,
  couponIds: readonly number[],
  submitted: readonly Submitted[],
  tokens?: UserTokens,
) {
  const finals = await awaitAllFinal(baseUrl, submitted, tokens ? { tokens } : {});
  return verifyRush(baseUrl, couponIds, submitted, finals, tokens);
}

/** Runs the fairness oracle over a rush through the public API: outcomes, counters, issued coupons. */
export async function verifyRush(
  baseUrl: string,
  couponIds: readonly number[],
  submitted: readonly Submitted[],
  finals: Map<string, RequestResource>,
  tokens?: UserTokens,
) {
  const coupons = await Promise.all(
    couponIds.map((id) =>
      observeCoupon(
        baseUrl,
        id,
        submitted.filter((s) => s.couponId === id).map((s) => s.userId),
        50,
        tokens,
      ),
    ),
  );
  return verifyClaims(toObservations(submitted, finals), coupons);
}
