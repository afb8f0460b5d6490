import { describe, expect, it } from 'vitest';
import { verifyClaims, type ClaimObservation, type CouponObservation } from '../../src/verify/claims.oracle.js';

const claim = (seq: number | null, userId: number, status: string, errorCode?: string): ClaimObservation => ({
  requestId: `r${seq ?? `x${userId}`}`,
  couponId: 1,
  userId,
  status,
  sequence: seq,
  errorCode,
});

const fair = (): ClaimObservation[] => [
  claim(1, 10, 'SUCCEEDED'),
  claim(2, 10, 'REJECTED', 'ALREADY_ISSUED'),
  claim(3, 11, 'SUCCEEDED'),
  claim(4, 12, 'REJECTED', 'SOLD_OUT'),
  claim(5, 11, 'REJECTED', 'ALREADY_ISSUED'),
  claim(null, 13, 'REJECTED', 'SOLD_OUT'),
];
const state = (over: Partial<CouponObservation> = {}): CouponObservation => ({
  couponId: 1,
  totalQuantity: 2,
  issuedQuantity: 2,
  holders: [10, 11],
  ...over,
});

describe('verifyClaims', () => {
  it('when the first distinct users won and counters agree, then it passes', () => {
    const report = verifyClaims(fair(), [state()]);
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('when a later user won instead of an earlier one, then it names the unfair request', () => {
    const claims = fair();
    claims[2] = claim(3, 11, 'REJECTED', 'SOLD_OUT');
    claims[3] = claim(4, 12, 'SUCCEEDED');
    const report = verifyClaims(claims, [state({ holders: [10, 12] })]);
    expect(report.ok).toBe(false);
    expect(report.violations.join('\n')).toMatch(/r3 .*should have won/);
    expect(report.violations.join('\n')).toMatch(/r4 .*won but was not among the first 2/);
  });

  it('when a user got the coupon twice, then it fails', () => {
    const claims = fair();
    claims[1] = claim(2, 10, 'SUCCEEDED');
    const report = verifyClaims(claims, [state({ issuedQuantity: 3, holders: [10, 10, 11] })]);
    expect(report.violations.join('\n')).toMatch(/user 10 got coupon 1 2 times/);
  });

  it('when more were issued than the stock, then it fails', () => {
    const claims = fair();
    claims[3] = claim(4, 12, 'SUCCEEDED');
    const report = verifyClaims(claims, [state({ issuedQuantity: 3, holders: [10, 11, 12] })]);
    expect(report.violations.join('\n')).toMatch(/3 issued, stock 2/);
  });

  it('when a request is still queued, then it fails', () => {
    const claims = fair();
    claims[4] = claim(5, 11, 'QUEUED');
    expect(verifyClaims(claims, [state()]).violations.join('\n')).toMatch(/1 requests are not final/);
  });

  it('when a rejection carries the wrong code, then it fails', () => {
    const claims = fair();
    claims[1] = claim(2, 10, 'REJECTED', 'SOLD_OUT');
    expect(verifyClaims(claims, [state()]).violations.join('\n')).toMatch(
      /rejected with SOLD_OUT, expected ALREADY_ISSUED/,
    );
  });

  it('when the issued counter disagrees with the issued rows, then it fails', () => {
    expect(verifyClaims(fair(), [state({ issuedQuantity: 1 })]).violations.join('\n')).toMatch(
      /issuedQuantity 1 but 2 issued rows/,
    );
  });

  it('when an instant sold-out answer came although the coupon never sold out, then it fails', () => {
    const claims = [claim(1, 10, 'SUCCEEDED'), claim(null, 11, 'REJECTED', 'SOLD_OUT')];
    const report = verifyClaims(claims, [state({ issuedQuantity: 1, holders: [10] })]);
    expect(report.violations.join('\n')).toMatch(/never sold out/);
  });

  it('when a request FAILED, then it fails', () => {
    const claims = [...fair(), claim(6, 14, 'FAILED', 'INVALID_PAYLOAD')];
    expect(verifyClaims(claims, [state()]).violations.join('\n')).toMatch(/1 requests FAILED/);
  });
});
