// Which of a lane's flags (a coupon sold out, a product out of stock) a submit asked about lately,
// and which of them were set at the last read. A sticky flag never clears, so once seen set it is
// not read again; any other is read on every refresh while submits keep asking about it.

/** A flag nobody asked about for this long is no longer read. */
export const WATCH_MS = 60_000;

export class FlagWatch {
  /** Flags asked about lately, by the time of their last ask. */
  private readonly watched = new Map<string, { at: number; sticky: boolean }>();
  /** Flags set at the last read, and sticky flags ever seen set. */
  private readonly flagged = new Set<string>();

  constructor(private readonly watchMs = WATCH_MS) {}

  /** A submit asks about this flag: it is read from now on (unless it is sticky and already seen). */
  ask(key: string, sticky: boolean, now: number): void {
    if (sticky && this.flagged.has(key)) return;
    const watch = this.watched.get(key);
    if (watch) watch.at = now;
    else this.watched.set(key, { at: now, sticky });
  }

  isSet(key: string): boolean {
    return this.flagged.has(key);
  }

  /** The flags the next read must look at; forgets those nobody asked about within `watchMs`. */
  toRead(now: number): string[] {
    const keys: string[] = [];
    for (const [key, w] of this.watched) {
      if (now - w.at > this.watchMs) {
        this.watched.delete(key);
        if (!w.sticky) this.flagged.delete(key);
      } else if (!(w.sticky && this.flagged.has(key))) keys.push(key);
    }
    return keys;
  }

  /** What a read found for a flag. */
  record(key: string, set: boolean): void {
    if (set) this.flagged.add(key);
    else this.flagged.delete(key);
  }

  /** How many flags are watched (bounded by what submits asked about within `watchMs`). */
  get size(): number {
    return this.watched.size;
  }
}
