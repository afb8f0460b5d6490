// What a claim does when its coupon has a pre-queue: before the start it is taken into the
// pre-queue (or finds the user's claim there); after the start it waits, briefly, until the
// pre-queue is drawn, so that it takes its sequence after every drawn claim. A user whose pre-queued
// claim is still undecided gets that claim back: one place in line, before and after the draw.
import type { Lane } from '../lane/lane.js';
import { getRequest, type RequestDeps } from '../request/request.service.js';
import { isFinal, type RequestResource } from '../request/request.resource.js';
import type { BeforeAdd } from '../request/submit.service.js';
import { UnavailableError } from '../common/errors.js';
import type { PreQueue } from './pre-queue.js';

/** How long a claim after the start waits for the draw before it is refused with 503 and Retry-After. */
const DRAW_WAIT_MS = 3_000;
const GATE_POLL_MS = 50;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A claim waiting in the pre-queue: no sequence and no position until the draw. */
function preQueuedResource(lane: Lane, r: { requestId: string; acceptedAt: number }): RequestResource {
  return {
    requestId: r.requestId,
    type: lane.type,
    status: 'QUEUED',
    sequence: null,
    preQueued: true,
    acceptedAt: new Date(r.acceptedAt).toISOString(),
    finishedAt: null,
  };
}

export function preQueueStep(
  deps: RequestDeps & { preQueue: PreQueue },
  lane: Lane,
  claim: { couponId: number; userId: number; acceptedAt: number; claimStartsAt: number },
): BeforeAdd {
  const { couponId, userId, acceptedAt, claimStartsAt } = claim;
  const run: BeforeAdd['run'] = async (key, nonce) => {
    if (acceptedAt < claimStartsAt) {
      const taken = await deps.preQueue.accept(couponId, userId, { nonce, acceptedAt, claimStartsAt }, key);
      if (taken) {
        const replayed = !taken.requestId.endsWith(`-${nonce}`);
        return { resource: preQueuedResource(lane, taken), queued: true, replayed };
      }
    }
    const deadline = Date.now() + DRAW_WAIT_MS;
    for (;;) {
      const gate = await deps.preQueue.gate(couponId, userId, claimStartsAt);
      if (gate.mine) {
        const resource = await getRequest(deps, gate.mine);
        if (!isFinal(resource)) return { resource, queued: true, replayed: true };
      }
      if (gate.drawn) return undefined;
      if (Date.now() >= deadline) {
        throw new UnavailableError('PRE_QUEUE_DRAWING', `The pre-queue of coupon ${couponId} is being drawn; retry`, 1);
      }
      await sleep(GATE_POLL_MS);
    }
  };
  return { run, held: () => deps.preQueue.mine(couponId, userId) };
}
