// Final outcomes never change once the lane has written them (request_outcomes is written once per
// request id), so a poll of a final request can be answered from memory. Bounded: the oldest entry
// goes when the cache is full.
import type { RequestResource } from './request.resource.js';

export class OutcomeCache {
  private readonly entries = new Map<string, RequestResource>();
  /** A cached resource's JSON, written the first time a poll answers it. */
  private readonly texts = new WeakMap<RequestResource, string>();

  constructor(private readonly maxEntries = 20_000) {}

  get(requestId: string): RequestResource | undefined {
    return this.entries.get(requestId);
  }

  /** The resource as JSON: written once for a cached resource, which never changes. */
  json(resource: RequestResource): string {
    const cached = this.entries.get(resource.requestId) === resource;
    let text = cached ? this.texts.get(resource) : undefined;
    if (text === undefined) {
      text = JSON.stringify(resource);
      if (cached) this.texts.set(resource, text);
    }
    return text;
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
