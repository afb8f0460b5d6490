// The coupon rush of the comparison: one coupon, a plan of claims (repeats included), fired at one
// design; its figures, its CPU and memory, and the claims oracle's verdict over what the database holds.
import { insertCoupon } from '../../src/coupon/coupon.repository.js';
import { verifyClaims, type ClaimObservation } from '../../src/verify/claims.oracle.js';
import { isolated, type Isolated } from '../lib/stack.js';
import { LABEL, type BenchContext, type Design } from './designs.js';
import { figures, type RushResult } from './figures.js';
import { fireRush, oncePerRequest, verdict, type Finalised, type RushSetup } from './rush.js';

const coupon = (design: Design, total: number) => ({
  name: `bench ${design}`,
  discountType: 'FIXED' as const,
  discountValue: 1000,
  maxDiscountAmount: null,
  minOrderAmount: 0,
  totalQuantity: total,
  claimStartsAt: null,
  claimEndsAt: null,
  validDays: 7,
});

/** `plan` holds the user id of each claim, in the order they are sent. */
export async function claimRush(
  ctx: BenchContext,
  design: Design,
  plan: number[],
  stock: number,
  connections: number,
): Promise<RushResult> {
  console.log(`${LABEL[design]}: claims`);
  const iso = await isolated(ctx.config.DATABASE_URL, ctx.config.REDIS_URL, design);
  const couponId = await insertCoupon(iso.db, coupon(design, stock));
  const warmId = await insertCoupon(iso.db, coupon(design, 100));
  const setup: RushSetup = { design, iso, connections, children: [] };
  try {
    const { results, cpu, rows } = await fireRush(
      ctx,
      setup,
      Array.from({ length: 400 }, (_, i) => ({ path: `/coupons/${warmId}/claims`, body: { userId: 1 + (i % 300) } })),
      plan.map((userId) => ({ path: `/coupons/${couponId}/claims`, body: { userId } })),
    );
    const oracle = verifyClaims(observations(rows, plan, couponId), [await couponState(iso, couponId)]);
    return { ...figures(design, 'claims', rows), ...cpu, ...verdict(results, oracle.violations) };
  } finally {
    await Promise.all(setup.children.map((c) => c.stop()));
    await iso.close();
  }
}

function observations(rows: Finalised[], plan: number[], couponId: number): ClaimObservation[] {
  return oncePerRequest(
    rows
      .map((f, i) => ({ f, userId: plan[i] as number }))
      .filter(({ f }) => f.result.requestId)
      .map(({ f, userId }) => ({
        requestId: f.result.requestId as string,
        couponId,
        userId,
        status: f.status,
        sequence: f.sequence,
        errorCode: f.errorCode,
      })),
  );
}

/** The coupon's counters and holders as the database has them after the rush. */
async function couponState(iso: Isolated, couponId: number) {
  const holders = await iso.db.selectFrom('user_coupons').select('user_id').where('coupon_id', '=', couponId).execute();
  const row = await iso.db
    .selectFrom('coupons')
    .select(['total_quantity', 'issued_quantity'])
    .where('id', '=', couponId)
    .executeTakeFirstOrThrow();
  return {
    couponId,
    totalQuantity: row.total_quantity,
    issuedQuantity: row.issued_quantity,
    holders: holders.map((h) => h.user_id),
  };
}
