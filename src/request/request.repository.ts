import type { Transaction } from 'kysely';
import type { Db } from '../db/database.js';
import type { Database, NewRequestOutcome } from '../db/schema.js';

type Executor = Db | Transaction<Database>;

export async function insertOutcomes(trx: Transaction<Database>, outcomes: NewRequestOutcome[]) {
  if (outcomes.length === 0) return;
  await trx.insertInto('request_outcomes').values(outcomes).execute();
}

export async function findOutcomes(db: Executor, requestIds: string[]) {
  if (requestIds.length === 0) return [];
  return db.selectFrom('request_outcomes').selectAll().where('request_id', 'in', requestIds).execute();
}

export async function findOutcome(db: Executor, requestId: string) {
  return db.selectFrom('request_outcomes').selectAll().where('request_id', '=', requestId).executeTakeFirst();
}
