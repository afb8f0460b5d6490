// The lane's ordering rules (src/lane/sequencer.ts), table by table, and the deliberately unfair
// reverse mode the tests use, shown to fail the claims oracle.
import { describe, expect, it } from 'vitest';
import type { Transaction } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import { decideClaims, type CouponState } from '../../src/coupon/claim.decider.js';
import type { Decision, LaneItem, LaneProcessor } from '../../src/lane/lane-processor.js';
import {
  afterBatchFailure,
  judgeGap,
  planBatch,
  selectCandidates,
  type FailureStep,
  type GapVerdict,
} from '../../src/lane/sequencer.js';
import { verifyClaims, type ClaimObservation } from '../../src/verify/claims.oracle.js';
import { reverseBatches } from '../support/reverse-batches.js';

const req = (sequence: number) => ({ sequence, requestId: `r${sequence}` });
const seqs = (list: { sequence: number }[]) => list.map((r) => r.sequence);

describe('selectCandidates', () => {
  it('when jobs are held in any order, then the lowest `limit` sequences come back in order', () => {
    expect(seqs(selectCandidates([req(7), req(3), req(5), req(4)], 3))).toEqual([3, 4, 5]);
    expect(seqs(selectCandidates([req(7), req(3)], 1))).toEqual([3]);
  });
});

describe('planBatch', () => {
  const table: {
    when: string;
    held: number[];
    decided: number[];
    last: number;
    skipGap?: boolean;
    replay: number[];
    run: number[];
    restartedAt?: number;
  }[] = [
    {
      when: 'the batch follows the last decided sequence',
      held: [5, 6, 7],
      decided: [],
      last: 4,
      replay: [],
      run: [5, 6, 7],
    },
    {
      when: 'an earlier run decided part of the batch (replay of an owner that died before completing)',
      held: [3, 4, 5, 6],
      decided: [3, 4],
      last: 4,
      replay: [3, 4],
      run: [5, 6],
    },
    { when: 'every request was decided before', held: [3, 4], decided: [3, 4], last: 4, replay: [3, 4], run: [] },
    {
      when: 'the next sequence is missing (a gap waited for)',
      held: [7, 8],
      decided: [],
      last: 5,
      replay: [],
      run: [],
    },
    {
      when: 'a later sequence is missing, then the run stops before it',
      held: [5, 6, 8, 9],
      decided: [],
      last: 4,
      replay: [],
      run: [5, 6],
    },
    {
      when: 'the gap was judged permanent (a job deleted by hand), then the run starts after it',
      held: [7, 8, 10],
      decided: [],
      last: 5,
      skipGap: true,
      replay: [],
      run: [7, 8],
    },
    {
      when: 'the sequence restarted below the last decided one (Redis lost its data)',
      held: [1, 2, 3],
      decided: [],
      last: 900,
      replay: [],
      run: [1, 2, 3],
      restartedAt: 1,
    },
    {
      when: 'the sequence restarted and the first requests were decided before the restart was seen',
      held: [1, 2, 3],
      decided: [1],
      last: 900,
      replay: [1],
      run: [2, 3],
      restartedAt: 2,
    },
  ];
  it.each(table)('when $when, then it replays $replay and decides $run', (t) => {
    const decided = new Set(t.decided.map((s) => `r${s}`));
    const plan = planBatch(t.held.map(req), decided, t.last, t.skipGap);
    expect(seqs(plan.replay)).toEqual(t.replay);
    expect(seqs(plan.run)).toEqual(t.run);
    expect(plan.restartedAt).toBe(t.restartedAt);
  });
});

describe('judgeGap', () => {
  const permanentAfterMs = 6_000;
  const table: { when: string; firstHeld: number; last: number; since: number; now: number; verdict: GapVerdict }[] = [
    { when: 'nothing is missing', firstHeld: 11, last: 10, since: 0, now: 0, verdict: { kind: 'contiguous' } },
    {
      when: 'a replayed request lies below the last decided one',
      firstHeld: 3,
      last: 10,
      since: 0,
      now: 0,
      verdict: { kind: 'contiguous' },
    },
    {
      when: 'a sequence has just gone missing',
      firstHeld: 13,
      last: 10,
      since: 1_000,
      now: 1_000,
      verdict: { kind: 'wait' },
    },
    {
      when: 'it has been missing for less than two leases',
      firstHeld: 13,
      last: 10,
      since: 1_000,
      now: 6_999,
      verdict: { kind: 'wait' },
    },
    {
      when: 'it has been missing for two leases',
      firstHeld: 13,
      last: 10,
      since: 1_000,
      now: 7_000,
      verdict: { kind: 'check-permanent', missing: 11 },
    },
  ];
  it.each(table)('when $when, then the verdict is $verdict.kind', (t) => {
    expect(
      judgeGap({ firstHeld: t.firstHeld, lastSequence: t.last, gapSince: t.since, now: t.now, permanentAfterMs }),
    ).toEqual(t.verdict);
  });
});

describe('afterBatchFailure', () => {
  const table: { when: string; infrastructure: boolean; limit: number; attempt: number; step: FailureStep }[] = [
    {
      when: 'the database is down on the first attempt',
      infrastructure: true,
      limit: 500,
      attempt: 0,
      step: { kind: 'retry', waitMs: 50 },
    },
    {
      when: 'it is still down on the fourth',
      infrastructure: true,
      limit: 500,
      attempt: 3,
      step: { kind: 'retry', waitMs: 400 },
    },
    {
      when: 'it stays down for long',
      infrastructure: true,
      limit: 1,
      attempt: 40,
      step: { kind: 'retry', waitMs: 2_000 },
    },
    {
      when: 'a batch fails for a reason of its own',
      infrastructure: false,
      limit: 500,
      attempt: 0,
      step: { kind: 'isolate' },
    },
    {
      when: 'the first request fails alone too',
      infrastructure: false,
      limit: 1,
      attempt: 1,
      step: { kind: 'fail-first' },
    },
  ];
  it.each(table)('when $when, then the step is $step.kind', (t) => {
    expect(afterBatchFailure(t)).toEqual(t.step);
  });

  it('when one request of a lane is poison, then the rules isolate it, record it FAILED, and decide every other request in order', () => {
    const poison = 4;
    const lane = [1, 2, 3, 4, 5, 6, 7].map(req);
    const decidedOrder: number[] = [];
    const failed: number[] = [];
    let last = 0;
    let held = [...lane];
    let rounds = 0;
    while (held.length > 0 && rounds++ < 50) {
      let limit = held.length;
      for (let attempt = 0; ; attempt++) {
        const { run } = planBatch(selectCandidates(held, limit), new Set(), last);
        const throws = run.some((r) => r.sequence === poison);
        if (!throws) {
          decidedOrder.push(...seqs(run));
          break;
        }
        const step = afterBatchFailure({ infrastructure: false, limit, attempt });
        if (step.kind === 'isolate') limit = 1;
        else if (step.kind === 'fail-first') {
          failed.push(...seqs(run));
          decidedOrder.push(...seqs(run));
          break;
        }
      }
      last = decidedOrder.at(-1) ?? last;
      held = held.filter((h) => !decidedOrder.includes(h.sequence));
    }
    expect(failed).toEqual([poison]);
    expect(decidedOrder).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('the reverse mode of the tests', () => {
  // A claim processor over the pure decider: the batch's coupon state lives in memory.
  const inMemoryClaims = (coupon: CouponState): LaneProcessor<{ couponId: number; userId: number }> => {
    const holders = new Set<string>();
    return {
      decide(_trx, items) {
        const verdicts = decideClaims(
          new Map([[coupon.id, coupon]]),
          holders,
          items.map((i) => ({ ...i.payload, acceptedAt: i.acceptedAt })),
        );
        const decisions = verdicts.map((v): Decision =>
          v.issue
            ? { status: 'SUCCEEDED', result: {} }
            : { status: 'REJECTED', error: { code: v.code, message: v.message } },
        );
        return Promise.resolve({ decisions });
      },
    };
  };
  const trx = {} as Transaction<Database>;

  async function rush(wrap: (p: LaneProcessor<{ couponId: number; userId: number }>) => typeof p) {
    const coupon: CouponState = { id: 1, totalQuantity: 3, issuedQuantity: 0, claimStartsAt: null, claimEndsAt: null };
    const processor = wrap(inMemoryClaims(coupon));
    const held = Array.from({ length: 10 }, (_, i) => req(i + 1));
    const { run } = planBatch(selectCandidates(held, 500), new Set(), 0);
    const items: LaneItem<{ couponId: number; userId: number }>[] = run.map((r) => ({
      ...r,
      acceptedAt: new Date(0),
      payload: { couponId: 1, userId: 100 + r.sequence },
    }));
    const { decisions } = await processor.decide(trx, items, new Date());
    const claims: ClaimObservation[] = items.map((item, i) => ({
      requestId: item.requestId,
      couponId: 1,
      userId: item.payload.userId,
      sequence: item.sequence,
      status: decisions[i]?.status ?? 'MISSING',
      errorCode: decisions[i]?.status === 'REJECTED' ? decisions[i].error.code : undefined,
    }));
    const winners = items.filter((_, i) => decisions[i]?.status === 'SUCCEEDED').map((i) => i.payload.userId);
    return verifyClaims(claims, [
      { couponId: 1, totalQuantity: 3, issuedQuantity: coupon.issuedQuantity, holders: winners },
    ]);
  }

  it('when a batch is decided in sequence order, then the claims oracle passes', async () => {
    const report = await rush((p) => p);
    expect(report.violations).toEqual([]);
  });

  it('when the reverse wrapper decides the batch newest first, then the claims oracle fails naming the overtaken requests', async () => {
    const report = await rush(reverseBatches);
    expect(report.ok).toBe(false);
    expect(report.violations.join('\n')).toMatch(/should have won/);
  });
});
