// The fairness oracle for coupon claims: given what every request ended as and what the database
// holds, it checks that exactly the earliest distinct users won, nobody twice, nothing over-issued.
// Used by the tests and by the load scripts.
import { isFinalStatus } from '../request/request.status.js';

export interface ClaimObservation {
  requestId: string;
  couponId: number;
  userId: number;
  status: string;
  /** Lane sequence; null for a request answered at once as sold out. */
  sequence: number | null;
  errorCode?: string | undefined;
}

export interface CouponObservation {
  couponId: number;
  totalQuantity: number;
  issuedQuantity: number;
  /** Users holding an issued coupon of this campaign, one entry per issued row. */
  holders: number[];
  /** Users who already held the coupon before the observed requests (then excluded from the race). */
  priorHolders?: number[];
}

export interface OracleReport {
  ok: boolean;
  violations: string[];
  perCoupon: {
    couponId: number;
    requests: number;
    succeeded: number;
    expectedWinners: number;
    codes: Record<string, number>;
  }[];
}

const MAX_LISTED = 10;

export function verifyClaims(claims: readonly ClaimObservation[], coupons: readonly CouponObservation[]): OracleReport {
  const violations: string[] = [];
  const perCoupon: OracleReport['perCoupon'] = [];
  const add = (list: string[], message: string) => {
    if (list.length < MAX_LISTED) list.push(message);
    else if (list.length === MAX_LISTED) list.push('… more of the same');
  };

  const notFinal = claims.filter((c) => !isFinalStatus(c.status));
  if (notFinal.length > 0)
    violations.push(`${notFinal.length} requests are not final (e.g. ${notFinal[0]?.requestId})`);
  const failed = claims.filter((c) => c.status === 'FAILED');
  if (failed.length > 0)
    violations.push(`${failed.length} requests FAILED (e.g. ${failed[0]?.requestId}: ${failed[0]?.errorCode})`);

  for (const coupon of coupons) {
    const mine = claims.filter((c) => c.couponId === coupon.couponId);
    const local: string[] = [];
    const prior = new Set(coupon.priorHolders ?? []);
    const sequenced = mine.filter((c) => c.sequence !== null).sort((a, b) => (a.sequence ?? 0) - (b.sequence ?? 0));
    const seqs = new Set<number>();
    for (const c of sequenced) {
      if (seqs.has(c.sequence ?? -1)) add(local, `sequence ${c.sequence} given to two requests`);
      seqs.add(c.sequence ?? -1);
    }

    // The rule: walking requests in sequence order, each new eligible user wins while stock lasts.
    const stock = coupon.totalQuantity - prior.size;
    const expectedWinners: number[] = [];
    const expectedWinningRequest = new Map<number, string>();
    for (const c of sequenced) {
      if (expectedWinners.length >= stock) break;
      if (prior.has(c.userId) || expectedWinningRequest.has(c.userId)) continue;
      expectedWinners.push(c.userId);
      expectedWinningRequest.set(c.userId, c.requestId);
    }
    const winnerSeq = new Map<number, number>();
    for (const c of sequenced) {
      const req = expectedWinningRequest.get(c.userId);
      if (req === c.requestId) winnerSeq.set(c.userId, c.sequence ?? 0);
    }

    const succeeded = mine.filter((c) => c.status === 'SUCCEEDED');
    const successByUser = new Map<number, number>();
    for (const c of succeeded) successByUser.set(c.userId, (successByUser.get(c.userId) ?? 0) + 1);
    for (const [user, n] of successByUser)
      if (n > 1) add(local, `user ${user} got coupon ${coupon.couponId} ${n} times`);
    if (succeeded.length > stock) add(local, `coupon ${coupon.couponId}: ${succeeded.length} issued, stock ${stock}`);
    if (succeeded.length !== expectedWinners.length) {
      add(
        local,
        `coupon ${coupon.couponId}: ${succeeded.length} SUCCEEDED, expected exactly ${expectedWinners.length}`,
      );
    }

    for (const c of mine) {
      const expectedWin = expectedWinningRequest.get(c.userId) === c.requestId;
      if (expectedWin && c.status !== 'SUCCEEDED') {
        add(
          local,
          `request ${c.requestId} (seq ${c.sequence}, user ${c.userId}) should have won but is ${c.status} ${c.errorCode ?? ''}`.trim(),
        );
      } else if (!expectedWin && c.status === 'SUCCEEDED') {
        add(
          local,
          `request ${c.requestId} (seq ${c.sequence}, user ${c.userId}) won but was not among the first ${stock} distinct users`,
        );
      } else if (!expectedWin && c.status === 'REJECTED') {
        const won = winnerSeq.get(c.userId);
        const holdsAlready = prior.has(c.userId) || (won !== undefined && c.sequence !== null && c.sequence > won);
        const expected = c.sequence === null ? ['SOLD_OUT'] : holdsAlready ? ['ALREADY_ISSUED'] : ['SOLD_OUT'];
        if (c.sequence === null && expectedWinners.length < stock) {
          add(
            local,
            `request ${c.requestId} was answered sold out at once, but coupon ${coupon.couponId} never sold out`,
          );
        }
        if (!expected.includes(c.errorCode ?? '')) {
          add(
            local,
            `request ${c.requestId} (seq ${c.sequence}, user ${c.userId}) rejected with ${c.errorCode}, expected ${expected.join(' or ')}`,
          );
        }
      }
    }

    const holders = coupon.holders.filter((u) => !prior.has(u));
    const holderSet = new Set(holders);
    if (holderSet.size !== holders.length) add(local, `coupon ${coupon.couponId}: a user holds two issued rows`);
    if (coupon.issuedQuantity !== coupon.holders.length) {
      add(
        local,
        `coupon ${coupon.couponId}: issuedQuantity ${coupon.issuedQuantity} but ${coupon.holders.length} issued rows`,
      );
    }
    if (coupon.issuedQuantity > coupon.totalQuantity) add(local, `coupon ${coupon.couponId}: over-issued`);
    const winnersSet = new Set(expectedWinners);
    const missing = expectedWinners.filter((u) => !holderSet.has(u));
    const extra = holders.filter((u) => !winnersSet.has(u));
    if (missing.length > 0)
      add(local, `coupon ${coupon.couponId}: winners without an issued row: ${missing.slice(0, 5).join(', ')}`);
    if (extra.length > 0)
      add(local, `coupon ${coupon.couponId}: issued rows for users who did not win: ${extra.slice(0, 5).join(', ')}`);

    const codes: Record<string, number> = {};
    for (const c of mine) {
      const key = c.status === 'SUCCEEDED' ? 'SUCCEEDED' : (c.errorCode ?? c.status);
      codes[key] = (codes[key] ?? 0) + 1;
    }
    perCoupon.push({
      couponId: coupon.couponId,
      requests: mine.length,
      succeeded: succeeded.length,
      expectedWinners: expectedWinners.length,
      codes,
    });
    violations.push(...local);
  }
  return { ok: violations.length === 0, violations, perCoupon };
}
