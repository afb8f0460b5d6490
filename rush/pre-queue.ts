// A coupon's pre-queue draw as a rush sees it: the recorded draw (admin), the pre-queue oracle over
// every claim, and how far the drawn sequences follow the submit order (Spearman's rho: near 0 for a
// fair draw, near 1 for first come), with the winners that came through the pre-queue.
import { createApiClient, type Schemas } from '../client/index.js';
import { verifyPreQueue, type PreQueueReport } from '../src/verify/pre-queue.oracle.js';
import { spearmanRho } from '../src/verify/rank-correlation.js';
import type { Submitted } from './claims.js';
import type { RequestResource } from './request-resource.js';

type Draw = Schemas['PreQueueDraw'];

export async function readDraw(baseUrl: string, adminToken: string, couponId: number): Promise<Draw> {
  const { data, response } = await createApiClient(baseUrl).GET('/admin/coupons/{couponId}/draw', {
    params: { path: { couponId } },
    headers: { Authorization: `Bearer ${adminToken}` },
  });
  if (!data) throw new Error(`GET /admin/coupons/${couponId}/draw answered ${response.status}`);
  return data;
}

export interface DrawVerdict {
  draw: Draw;
  oracle: PreQueueReport;
  /** Spearman's rho between submit order and drawn sequence over the pre-queued claims. */
  rho: number;
  winners: number;
  /** Winners whose claim came through the pre-queue. */
  preQueuedWinners: number;
}

/**
 * `preQueued` are the claims submitted before the start, in submit order; `all` every claim of the
 * rush; `finals` their final states by request id.
 */
export async function verifyDraw(
  baseUrl: string,
  adminToken: string,
  couponId: number,
  preQueued: readonly Submitted[],
  all: readonly Submitted[],
  finals: Map<string, RequestResource>,
): Promise<DrawVerdict> {
  const draw = await readDraw(baseUrl, adminToken, couponId);
  const pre = new Set(preQueued.filter((s) => s.resource?.preQueued).map((s) => s.requestId));
  const mine = all.filter((s): s is Submitted & { requestId: string } => !!s.requestId && s.couponId === couponId);
  const observed = [...new Map(mine.map((s) => [s.requestId, s])).values()].map((s) => ({
    requestId: s.requestId,
    userId: s.userId,
    preQueued: pre.has(s.requestId),
    sequence: finals.get(s.requestId)?.sequence ?? null,
  }));
  const drawnSequence = (s: Submitted) => finals.get(s.requestId ?? '')?.sequence ?? 0;
  const inPre = preQueued.filter((s) => pre.has(s.requestId));
  const won = observed.filter((o) => finals.get(o.requestId)?.status === 'SUCCEEDED');
  return {
    draw,
    oracle: verifyPreQueue(observed, draw.claims),
    rho: spearmanRho(
      inPre.map((_, i) => i),
      inPre.map(drawnSequence),
    ),
    winners: won.length,
    preQueuedWinners: won.filter((o) => o.preQueued).length,
  };
}
