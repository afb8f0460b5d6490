// The adds of concurrent submits to one lane, sent to Redis as script calls of up to `maxBatch`
// entries per event-loop turn, in order on one connection, so each job gets its sequence in the
// order in which submits called add(). Small calls let Redis run one while the API parses the next
// requests.

/** Sends one batch of entries and answers one result per entry, in order. */
export type SendBatch<E, R> = (lane: string, entries: readonly E[]) => Promise<R[]>;

interface Pending<E, R> {
  entry: E;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

export interface AddListener<E, R> {
  /** An entry is on its way (counted as waiting in the lane until answered). */
  adding?(lane: string): void;
  /** A batch was answered (results in entry order) or failed (results undefined). */
  answered?(lane: string, entries: readonly E[], results: readonly R[] | undefined): void;
}

export class LaneAdds<E, R> {
  /** The batch being filled this turn, per lane. */
  private readonly open = new Map<string, Pending<E, R>[]>();
  /** Batches sent and not answered yet, per lane. */
  private readonly sending = new Map<string, Set<Promise<void>>>();

  constructor(
    private readonly send: SendBatch<E, R>,
    private readonly listener: AddListener<E, R> = {},
    private readonly maxBatch = 16,
  ) {}

  add(lane: string, entry: E): Promise<R> {
    this.listener.adding?.(lane);
    let batch = this.open.get(lane);
    if (!batch) {
      const opened: Pending<E, R>[] = [];
      this.open.set(lane, opened);
      // Sent at the end of this turn unless it fills up first.
      setImmediate(() => this.dispatch(lane, opened));
      batch = opened;
    }
    const pending = batch;
    return new Promise<R>((resolve, reject) => {
      pending.push({ entry, resolve, reject });
      if (pending.length >= this.maxBatch) this.dispatch(lane, pending);
    });
  }

  /** Resolves once every add made to this lane before the call has been answered. */
  async settled(lane: string): Promise<void> {
    // A batch opened before this call is dispatched by then (its dispatch was queued first).
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.all([...(this.sending.get(lane) ?? [])]);
  }

  /** Sends the batch unless it was sent already (full, or at the end of its turn). */
  private dispatch(lane: string, batch: Pending<E, R>[]): void {
    if (this.open.get(lane) !== batch) return;
    this.open.delete(lane);
    let inFlight = this.sending.get(lane);
    if (!inFlight) {
      inFlight = new Set();
      this.sending.set(lane, inFlight);
    }
    const sends = inFlight;
    const sent: Promise<void> = this.flush(lane, batch).finally(() => sends.delete(sent));
    sends.add(sent);
  }

  private async flush(lane: string, batch: Pending<E, R>[]): Promise<void> {
    const entries = batch.map((p) => p.entry);
    let results: R[];
    try {
      results = await this.send(lane, entries);
    } catch (err) {
      this.listener.answered?.(lane, entries, undefined);
      for (const p of batch) p.reject(err);
      return;
    }
    this.listener.answered?.(lane, entries, results);
    batch.forEach((p, i) => p.resolve(results[i] as R));
  }
}
