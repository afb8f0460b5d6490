// The check a coupon rush test ends with: every claim accepted, every one polled to its end, and
// the fairness oracle's report over the whole rush.
import { expect } from 'vitest';
import { finishRush, notAccepted, type Submitted, type UserTokens } from '../../rush/claims.js';

export async function verifyAcceptedRush(
  url: string,
  couponIds: number[],
  submitted: readonly Submitted[],
  tokens?: UserTokens,
) {
  expect(notAccepted(submitted)).toEqual([]);
  return finishRush(url, couponIds, submitted, tokens);
}
