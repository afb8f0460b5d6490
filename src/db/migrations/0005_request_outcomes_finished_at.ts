// The retention purge deletes request outcomes oldest first by finished_at (src/http/idempotency-purge.ts);
// without an index each batch scans the whole table.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX request_outcomes_finished_at ON request_outcomes (finished_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX request_outcomes_finished_at ON request_outcomes`.execute(db);
}
