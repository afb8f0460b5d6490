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

interface OracleReport {
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

/** Adds a violation to a coupon's list, which names at most MAX_LISTED and then says there are more. */
function add(list: string[], message: string): void {
  if (list.length < MAX_LISTED) list.push(message);
  else if (list.length === MAX_LISTED) list.push('… more of the same');
}

/** Who should have won one coupon: its requests in sequence order, each new eligible user while stock lasts. */
interface Race {
  /** Users who held the coupon before the observed requests. */
  prior: Set<number>;
  /** What the observed requests competed for: the total less the prior holders. */
  stock: number;
  /** The coupon's requests that got a lane sequence, in sequence order. */
  sequenced: ClaimObservation[];
  expectedWinners: number[];
  /** Each expected winner's winning request. */
  expectedWinningRequest: Map<number, string>;
  /** Each expected winner's winning sequence. */
  winnerSeq: Map<number, number>;
}

export function verifyClaims(claims: readonly ClaimObservation[], coupons: readonly CouponObservation[]): OracleReport {
  const violations = checkAllFinal(claims);
  const perCoupon: OracleReport['perCoupon'] = [];
  for (const coupon of coupons) {
    const mine = claims.filter((c) => c.couponId === coupon.couponId);
    const race = expectedRace(coupon, mine);
    const local: string[] = [];
    checkSequences(race, local);
    const succeeded = checkWinnerCount(coupon, mine, race, local);
    for (const c of mine) checkOutcome(coupon, c, race, local);
    checkIssuedRows(coupon, race, local);
    perCoupon.push({
      couponId: coupon.couponId,
      requests: mine.length,
      succeeded,
      expectedWinners: race.expectedWinners.length,
      codes: codesOf(mine),
    });
    violations.push(...local);
  }
  return { ok: violations.length === 0, violations, perCoupon };
}

/** Every request is final, and none FAILED. */
function checkAllFinal(claims: readonly ClaimObservation[]): string[] {
  const violations: string[] = [];
  const notFinal = claims.filter((c) => !isFinalStatus(c.status));
  if (notFinal.length > 0)
    violations.push(`${notFinal.length} requests are not final (e.g. ${notFinal[0]?.requestId})`);
  const failed = claims.filter((c) => c.status === 'FAILED');
  if (failed.length > 0)
    violations.push(`${failed.length} requests FAILED (e.g. ${failed[0]?.requestId}: ${failed[0]?.errorCode})`);
  return violations;
}

function expectedRace(coupon: CouponObservation, mine: readonly ClaimObservation[]): Race {
  const prior = new Set(coupon.priorHolders ?? []);
  const sequenced = mine.filter((c) => c.sequence !== null).sort((a, b) => (a.sequence ?? 0) - (b.sequence ?? 0));
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
  return { prior, stock, sequenced, expectedWinners, expectedWinningRequest, winnerSeq };
}

/** No sequence was given to two requests. */
function checkSequences({ sequenced }: Race, local: string[]): void {
  const seqs = new Set<number>();
  for (const c of sequenced) {
    if (seqs.has(c.sequence ?? -1)) add(local, `sequence ${c.sequence} given to two requests`);
    seqs.add(c.sequence ?? -1);
  }
}

/** Nobody won twice, the stock was not exceeded, and exactly the expected number won; how many did. */
function checkWinnerCount(
  coupon: CouponObservation,
  mine: readonly ClaimObservation[],
  { stock, expectedWinners }: Race,
  local: string[],
): number {
  const succeeded = mine.filter((c) => c.status === 'SUCCEEDED');
  const successByUser = new Map<number, number>();
  for (const c of succeeded) successByUser.set(c.userId, (successByUser.get(c.userId) ?? 0) + 1);
  for (const [user, n] of successByUser) if (n > 1) add(local, `user ${user} got coupon ${coupon.couponId} ${n} times`);
  if (succeeded.length > stock) add(local, `coupon ${coupon.couponId}: ${succeeded.length} issued, stock ${stock}`);
  if (succeeded.length !== expectedWinners.length) {
    add(local, `coupon ${coupon.couponId}: ${succeeded.length} SUCCEEDED, expected exactly ${expectedWinners.length}`);
  }
  return succeeded.length;
}

/** A request won exactly when it was its user's expected winning request. */
function checkOutcome(coupon: CouponObservation, c: ClaimObservation, race: Race, local: string[]): void {
  const expectedWin = race.expectedWinningRequest.get(c.userId) === c.requestId;
  if (expectedWin && c.status !== 'SUCCEEDED') {
    add(
      local,
      `request ${c.requestId} (seq ${c.sequence}, user ${c.userId}) should have won but is ${c.status} ${c.errorCode ?? ''}`.trim(),
    );
  } else if (!expectedWin && c.status === 'SUCCEEDED') {
    add(
      local,
      `request ${c.requestId} (seq ${c.sequence}, user ${c.userId}) won but was not among the first ${race.stock} distinct users`,
    );
  } else if (!expectedWin && c.status === 'REJECTED') {
    checkRejection(coupon, c, race, local);
  }
}

/**
 * A losing request was rejected for the right reason: ALREADY_ISSUED when its user held the coupon
 * (before, or by an earlier sequence), else SOLD_OUT; answered sold out at once only once it sold out.
 */
function checkRejection(coupon: CouponObservation, c: ClaimObservation, race: Race, local: string[]): void {
  const won = race.winnerSeq.get(c.userId);
  const holdsAlready = race.prior.has(c.userId) || (won !== undefined && c.sequence !== null && c.sequence > won);
  const expected = c.sequence === null ? ['SOLD_OUT'] : holdsAlready ? ['ALREADY_ISSUED'] : ['SOLD_OUT'];
  if (c.sequence === null && race.expectedWinners.length < race.stock) {
    add(local, `request ${c.requestId} was answered sold out at once, but coupon ${coupon.couponId} never sold out`);
  }
  if (!expected.includes(c.errorCode ?? '')) {
    add(
      local,
      `request ${c.requestId} (seq ${c.sequence}, user ${c.userId}) rejected with ${c.errorCode}, expected ${expected.join(' or ')}`,
    );
  }
}

/** The issued rows and the counter agree with each other and with the expected winners. */
function checkIssuedRows(coupon: CouponObservation, { prior, expectedWinners }: Race, local: string[]): void {
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
}

/** How many requests ended in each outcome: SUCCEEDED, or the error code. */
function codesOf(mine: readonly ClaimObservation[]): Record<string, number> {
  const codes: Record<string, number> = {};
  for (const c of mine) {
    const key = c.status === 'SUCCEEDED' ? 'SUCCEEDED' : (c.errorCode ?? c.status);
    codes[key] = (codes[key] ?? 0) + 1;
  }
  return codes;
}
