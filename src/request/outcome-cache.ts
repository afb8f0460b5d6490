// Final outcomes never change once the lane has written them (request_outcomes is written once per
// request id), so a poll of a final request can be answered from memory. Bounded: the oldest entry
// goes when the cache is full.
import type { RequestResource } from './request.service.js';

export class OutcomeCache {
  private readonly entries = new Map<string, RequestResource>();

  constructor(private readonly maxEntries = 20_000) {}

  get(requestId: string): RequestResource | undefined {
    return this.entries.get(requestId);
  }

  /** Only for final resources. */
  set(resource: RequestResource): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(resource.requestId, resource);
  }

  get size(): number {
    return this.entries.size;
  }
}
