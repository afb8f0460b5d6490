// A request's type is whatever lane type decided it (src/queues/lane-types.ts), so the column takes
// any registered type's name instead of a fixed list.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE request_outcomes MODIFY type VARCHAR(32) NOT NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE request_outcomes MODIFY type ENUM('COUPON_CLAIM','ORDER') NOT NULL`.execute(db);
}
