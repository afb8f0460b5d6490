import { describe, expect, it } from 'vitest';
import {
  verifyPreQueue,
  type DrawObservation,
  type PreQueueClaimObservation,
} from '../../src/verify/pre-queue.oracle.js';

const claim = (
  requestId: string,
  userId: number,
  preQueued: boolean,
  sequence: number | null,
): PreQueueClaimObservation => ({
  requestId,
  userId,
  preQueued,
  sequence,
});

/** Users 1-3 pre-queued and were drawn 3, 1, 2 into sequences 11-13; users 4-5 came after the start. */
const fair = () => ({
  claims: [
    claim('p1', 1, true, 12),
    claim('p2', 2, true, 13),
    claim('p3', 3, true, 11),
    claim('c4', 4, false, 14),
    claim('c5', 5, false, 15),
  ],
  draw: [
    { requestId: 'p3', userId: 3, sequence: 11 },
    { requestId: 'p1', userId: 1, sequence: 12 },
    { requestId: 'p2', userId: 2, sequence: 13 },
  ] as DrawObservation[],
});

const check = (claims: PreQueueClaimObservation[], draw: DrawObservation[]) =>
  verifyPreQueue(claims, draw).violations.join('\n');

describe('verifyPreQueue', () => {
  it('when every pre-queued user was drawn once and later arrivals follow, then it passes', () => {
    const { claims, draw } = fair();
    expect(verifyPreQueue(claims, draw)).toEqual({ ok: true, violations: [], drawn: 3, postStart: 2 });
  });

  it('when an arrival after the start got a sequence before a drawn one, then it names the request', () => {
    const { claims, draw } = fair();
    claims[3] = claim('c4', 4, false, 10);
    expect(check(claims, draw)).toMatch(/request c4 arrived after the start but has sequence 10, before drawn 13/);
  });

  it('when a pre-queued claim was left out of the draw, then it says so', () => {
    const { claims, draw } = fair();
    expect(check(claims, draw.slice(1))).toMatch(/pre-queued request p3 \(user 3\) was never drawn/);
  });

  it('when a user was drawn twice or a sequence given twice, then it says so', () => {
    const { claims, draw } = fair();
    const twice = [...draw, { requestId: 'p1b', userId: 1, sequence: 14 }];
    expect(check(claims, twice)).toMatch(/user 1 drawn twice/);
    const sameSeq = draw.map((d, i) => (i === 2 ? { ...d, sequence: 12 } : d));
    expect(check(claims, sameSeq)).toMatch(/sequence 12 drawn twice/);
  });

  it('when a claim shows another sequence than the draw recorded, or the draw names a stranger, then it says so', () => {
    const { claims, draw } = fair();
    claims[0] = claim('p1', 1, true, 13);
    expect(check(claims, draw)).toMatch(/request p1 shows sequence 13, the draw gave it 12/);
    const stranger = [...fair().draw, { requestId: 'p9', userId: 9, sequence: 14 }];
    expect(check(fair().claims.slice(0, 3), stranger)).toMatch(/the draw holds user 9, who did not pre-queue/);
  });

  it('when a user pre-queued twice and the second request shares the drawn place, then it passes', () => {
    const { claims, draw } = fair();
    expect(verifyPreQueue([...claims, claim('p1-again', 1, true, 12)], draw).ok).toBe(true);
    expect(check([...claims, claim('p1-again', 1, true, 15)], draw)).toMatch(/p1-again of user 1 has sequence 15/);
  });
});
