// Polls of a claim taken into a pre-queue (`p-<couponId>-<nonce>`): waiting for the draw, or, once
// drawn, the request its drawn job is (`<lane code>-<drawn sequence>-<its nonce>`), shown under the
// id the client was given.
import type { Lane } from '../lane/lane.js';
import { NotFoundError } from '../common/errors.js';
import { formatRequestId, parsePreQueueRequestId } from '../request/request.ids.js';
import { getRequest, type RequestDeps } from '../request/request.service.js';
import { isFinal, type RequestLookup, type RequestResource } from '../request/request.resource.js';
import type { PreQueue } from './pre-queue.js';

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function preQueueLookup(
  deps: RequestDeps & { preQueue: PreQueue; laneOf(couponId: number): Lane },
): RequestLookup {
  async function read(requestId: string): Promise<RequestResource & { lane: Lane }> {
    const parsed = parsePreQueueRequestId(requestId);
    const found = parsed ? await deps.preQueue.read(requestId) : null;
    if (!parsed || !found) throw new NotFoundError('REQUEST_NOT_FOUND', `Request ${requestId} does not exist`);
    const lane = deps.laneOf(parsed.couponId);
    const acceptedAt = new Date(found.acceptedAt).toISOString();
    if (found.sequence === null) {
      const common = { requestId, type: lane.type, sequence: null, preQueued: true, acceptedAt, finishedAt: null };
      return { ...common, status: 'QUEUED', lane };
    }
    const drawn = await getRequest(deps, formatRequestId(lane.code, found.sequence, parsed.nonce));
    return { ...drawn, requestId, preQueued: true, lane };
  }

  return {
    owns: (requestId) => requestId.startsWith('p-'),
    async get(requestId, waitMs) {
      const deadline = Date.now() + waitMs;
      for (;;) {
        const { lane, ...resource } = await read(requestId);
        const left = deadline - Date.now();
        if (isFinal(resource) || left <= 0) return resource;
        if (resource.sequence === null) await pause(Math.min(200, left));
        else await deps.progress.wait(lane.name, resource.sequence, Math.min(1_000, left));
      }
    },
  };
}
