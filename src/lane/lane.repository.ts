import { sql, type Transaction } from 'kysely';
import type { Db } from '../db/database.js';
import type { Database } from '../db/schema.js';

export async function findLaneFence(db: Db, lane: string): Promise<number> {
  const row = await db.selectFrom('lanes').select('fence').where('name', '=', lane).executeTakeFirst();
  return row?.fence ?? 0;
}

export async function findLastSequence(db: Db, lane: string): Promise<number> {
  const row = await db.selectFrom('lanes').select('last_sequence').where('name', '=', lane).executeTakeFirst();
  return row?.last_sequence ?? 0;
}

/**
 * Records a new owner's token before it takes any job, so a previous owner's commits fail from
 * now on. Returns false when the database already knows a newer token.
 */
export async function claimLaneFence(db: Db, lane: string, fence: number): Promise<boolean> {
  await db
    .insertInto('lanes')
    .values({ name: lane, fence, last_sequence: 0, updated_at: new Date() })
    .onDuplicateKeyUpdate({ fence: sql`GREATEST(fence, VALUES(fence))`, updated_at: new Date() })
    .execute();
  return (await findLaneFence(db, lane)) === fence;
}

/** Locks the lane row for the batch transaction: the point where commits of one lane serialise. */
export async function lockLane(trx: Transaction<Database>, lane: string) {
  return trx
    .selectFrom('lanes')
    .select(['fence', 'last_sequence'])
    .where('name', '=', lane)
    .forUpdate()
    .executeTakeFirst();
}

export async function advanceLane(trx: Transaction<Database>, lane: string, lastSequence: number) {
  await trx
    .updateTable('lanes')
    .set({ last_sequence: lastSequence, updated_at: new Date() })
    .where('name', '=', lane)
    .execute();
}
