// A lane type that exists only in the tests: holding one of an event's seats, first come, first
// served, one seat per user and event. It is one folder and one entry in a process's list of lane
// types (see api.ts and worker.ts beside it), and runs through the real consumer, API and polls,
// which shows that a new queued request type needs nothing else.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { sql, type Transaction } from 'kysely';
import type { Db } from '../../../src/db/database.js';
import type { Database } from '../../../src/db/schema.js';
import type { IdentityEnv } from '../../../src/http/identity.js';
import { validationHook } from '../../../src/http/validation.js';
import type { Decision } from '../../../src/lane/lane-processor.js';
import type { Lane, LaneType } from '../../../src/queues/lane-type.js';
import { enqueue, laneSnapshot } from '../../../src/request/request.service.js';

const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const SeatPayload = z.object({
  nonce: z.string().regex(/^[a-z0-9]{10}$/),
  eventId: id,
  userId: id,
  acceptedAt: z.number().int().positive(),
  httpRequestId: z.string().max(128).optional(),
});
export type SeatPayload = z.infer<typeof SeatPayload>;

const REJECTIONS = ['EVENT_NOT_FOUND', 'ALREADY_HELD', 'SOLD_OUT'] as const;

export const seatLaneType: LaneType<SeatPayload> = {
  type: 'SEAT_HOLD',
  label: 'Seat holds (tests only)',
  lanes: () => [{ name: 'seats', code: 's' }],
  payloadSchema: SeatPayload,
  openapi: { name: 'SeatHold', result: z.object({ eventId: id }).openapi('SeatHoldResult'), rejections: REJECTIONS },
  jobName: (p) => `hold a seat of event ${p.eventId} for user ${p.userId}`,
  processor: () => ({ decide: decideSeats }),
  routes: (deps) =>
    new OpenAPIHono<IdentityEnv>({ defaultHook: validationHook }).openapi(
      createRoute({
        method: 'post',
        path: '/events/{eventId}/holds',
        request: {
          params: z.object({ eventId: z.coerce.number().pipe(id) }),
          body: { content: { 'application/json': { schema: z.object({ userId: id }) } }, required: true },
        },
        responses: { 202: { description: 'Queued; poll Location' } },
      }),
      async (c) => {
        const { eventId } = c.req.valid('param');
        const { userId } = c.req.valid('json');
        const [snapshot] = await Promise.all([laneSnapshot(deps, SEAT_LANE), deps.limiter.admission(c, userId)()]);
        const request = { eventId, userId, acceptedAt: Date.now(), httpRequestId: c.get('requestId') };
        const resource = await enqueue(deps, SEAT_LANE, request, snapshot);
        c.header('Location', `/requests/${resource.requestId}`);
        return c.json(resource, 202);
      },
    ),
};

export const SEAT_LANE: Lane<SeatPayload> = { name: 'seats', code: 's', type: 'SEAT_HOLD', laneType: seatLaneType };

/** Decides a batch in sequence order inside the lane transaction: the database rows are locked first. */
async function decideSeats(trx: Transaction<Database>, items: { requestId: string; payload: SeatPayload }[]) {
  const eventIds = [...new Set(items.map((i) => i.payload.eventId))];
  const events = new Map<number, { seats: number; held: number }>();
  const holders = new Set<string>();
  const rows = await sql<{ id: number; seats: number; held: number }>`
    SELECT id, seats, held FROM test_seat_events WHERE id IN (${sql.join(eventIds)}) FOR UPDATE`.execute(trx);
  for (const r of rows.rows) events.set(Number(r.id), { seats: Number(r.seats), held: Number(r.held) });
  const held = await sql<{ event_id: number; user_id: number }>`
    SELECT event_id, user_id FROM test_seat_holds WHERE event_id IN (${sql.join(eventIds)})`.execute(trx);
  for (const h of held.rows) holders.add(`${h.event_id}:${h.user_id}`);

  const taken: { eventId: number; userId: number; requestId: string }[] = [];
  const decisions = items.map(({ requestId, payload: { eventId, userId } }): Decision => {
    const event = events.get(eventId);
    const reject = (code: (typeof REJECTIONS)[number]): Decision => ({
      status: 'REJECTED',
      error: { code, message: `No seat for user ${userId} at event ${eventId}: ${code}` },
    });
    if (!event) return reject('EVENT_NOT_FOUND');
    if (holders.has(`${eventId}:${userId}`)) return reject('ALREADY_HELD');
    if (event.held >= event.seats) return reject('SOLD_OUT');
    event.held++;
    holders.add(`${eventId}:${userId}`);
    taken.push({ eventId, userId, requestId });
    return { status: 'SUCCEEDED', result: { eventId } };
  });
  if (taken.length > 0) {
    const values = taken.map((t) => sql`(${t.eventId}, ${t.userId}, ${t.requestId})`);
    await sql`INSERT INTO test_seat_holds (event_id, user_id, request_id) VALUES ${sql.join(values)}`.execute(trx);
    for (const [eventId, e] of events)
      await sql`UPDATE test_seat_events SET held = ${e.held} WHERE id = ${eventId}`.execute(trx);
  }
  return { decisions };
}

/** The tables of the seat lane type, in a test's own database (the engine's migrations know nothing of them). */
export async function createSeatTables(db: Db): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS test_seat_events (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    seats INT NOT NULL,
    held INT NOT NULL DEFAULT 0,
    CHECK (held <= seats)
  ) ENGINE=InnoDB`.execute(db);
  await sql`CREATE TABLE IF NOT EXISTS test_seat_holds (
    event_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    request_id VARCHAR(64) NOT NULL,
    PRIMARY KEY (event_id, user_id)
  ) ENGINE=InnoDB`.execute(db);
}
