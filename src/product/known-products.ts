// Which products exist, as an API process has seen them: an order naming a product that does not
// exist is answered 404 at submit and queues nothing. Products are never deleted, so a product seen
// once is remembered (a bounded number of them); an id not seen is read from MySQL every time, as
// the product may have been created a moment ago on any process.
import type { Db } from '../db/database.js';
import { NotFoundError } from '../common/errors.js';
import { findProductIds } from './product.repository.js';

/** Products remembered at most: orders naming random ids must not grow the set without bound. */
const MAX_KNOWN = 100_000;

export class KnownProducts {
  private readonly known = new Set<number>();

  constructor(
    private readonly db: Db,
    private readonly maxKnown = MAX_KNOWN,
  ) {}

  /** Whether every one of these products is known to exist, without a read. */
  knows(ids: readonly number[]): boolean {
    return ids.every((id) => this.known.has(id));
  }

  /** Throws PRODUCT_NOT_FOUND (404) naming the first of these products that does not exist. */
  async require(ids: readonly number[]): Promise<void> {
    const unknown = ids.filter((id) => !this.known.has(id));
    const found = new Set(await findProductIds(this.db, unknown));
    for (const id of unknown) {
      if (!found.has(id)) throw new NotFoundError('PRODUCT_NOT_FOUND', `Product ${id} does not exist`);
      this.remember(id);
    }
  }

  private remember(id: number): void {
    if (this.known.size >= this.maxKnown) this.known.delete(this.known.values().next().value as number);
    this.known.add(id);
  }
}
