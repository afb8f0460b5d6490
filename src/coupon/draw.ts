// The pre-queue draw: the claims that waited for a coupon's start, one per user, put into a uniformly
// random order, the order in which they then take their sequences ahead of every later arrival.
// Fisher–Yates over a cryptographic source: every order is equally likely and nobody can predict or
// influence it, so arriving early in the pre-queue gains nothing.
import { randomInt } from 'node:crypto';

/** A uniform integer in [0, maxExclusive). */
export type RandomInt = (maxExclusive: number) => number;

const cryptoRandomInt: RandomInt = (maxExclusive) => randomInt(maxExclusive);

/**
 * The drawn order of `entries` (given in acceptance order): each user's earliest entry only, shuffled.
 * `random` is replaceable so tests can drive the shuffle; the product uses `crypto.randomInt`.
 */
export function drawOrder<T extends { userId: number }>(
  entries: readonly T[],
  random: RandomInt = cryptoRandomInt,
): T[] {
  const seen = new Set<number>();
  const drawn: T[] = [];
  for (const e of entries) {
    if (seen.has(e.userId)) continue;
    seen.add(e.userId);
    drawn.push(e);
  }
  for (let i = drawn.length - 1; i > 0; i--) {
    const j = random(i + 1);
    if (!Number.isInteger(j) || j < 0 || j > i) throw new RangeError(`random(${i + 1}) gave ${j}`);
    [drawn[i], drawn[j]] = [drawn[j] as T, drawn[i] as T];
  }
  return drawn;
}
