// A lane type that exists only in the tests: holding one of an event's seats, first come, first
// served, one seat per user and event. It is one folder and one entry in a process's list of lane
// types (see api.ts and worker.ts beside it), and its submit route goes through the same submit path
// as the built-in lanes: Idempotency-Key, one place in line per user and event, the rate limit, an
// OpenAPI entry, the real consumer and polls.
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { sql, type Transaction } from 'kysely';
import type { Db } from '../../../src/db/database.js';
import type { Database } from '../../../src/db/schema.js';
import { actingUserId, type IdentityEnv } from '../../../src/http/identity.js';
import { json, jsonBody, route } from '../../../src/http/openapi.js';
import { idParam, validationHook } from '../../../src/http/validation.js';
import { jobPayload } from '../../../src/lane/lane.js';
import type { Decision } from '../../../src/lane/lane-processor.js';
import type { LaneApiDeps, LaneType } from '../../../src/queues/lane-type.js';
import { queuedAnswer, submitOptions } from '../../../src/request/submit-route.js';
import { submitQueued } from '../../../src/request/submit.service.js';

const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const SeatPayload = jobPayload({ eventId: id, userId: id });
export type SeatPayload = z.infer<typeof SeatPayload>;

const REJECTIONS = ['EVENT_NOT_FOUND', 'ALREADY_HELD', 'SOLD_OUT'] as const;

export const SEAT_LANE = { name: 'seats', code: 's' };

export const seatLaneType: LaneType<SeatPayload> = {
  type: 'SEAT_HOLD',
  label: 'Seat holds (tests only)',
  lanes: () => [SEAT_LANE],
  payloadSchema: SeatPayload,
  openapi: { name: 'SeatHold', result: z.object({ eventId: id }).openapi('SeatHoldResult'), rejections: REJECTIONS },
  jobName: (p) => `hold a seat of event ${p.eventId} for user ${p.userId}`,
  submit: { line: (p) => `${p.eventId}:${p.userId}` },
  processor: () => ({ decide: decideSeats }),
  api: (deps) => ({ routes: seatRoutes(deps) }),
};

function seatRoutes(deps: LaneApiDeps) {
  const lane = deps.lanes.named(seatLaneType, SEAT_LANE.name);
  return new OpenAPIHono<IdentityEnv>({ defaultHook: validationHook }).openapi(
    route({
      method: 'post',
      path: '/events/{eventId}/holds',
      operationId: 'holdSeat',
      summary: "Hold one of an event's seats (queued, first come first served; tests only)",
      tags: ['Requests'],
      access: 'user',
      identity: deps.identity,
      queued: true,
      request: {
        params: z.object({ eventId: idParam('eventId') }),
        body: jsonBody(
          z.object({ userId: deps.identity.bodyUserId }).openapi('SeatHoldRequest'),
          !deps.identity.enabled,
        ),
      },
      responses: {
        202: json(deps.resourceSchema, 'Queued; poll Location. Also a repeat whose request still waits or runs'),
        200: json(deps.resourceSchema, 'A repeat whose request is decided'),
      },
    }),
    async (c) => {
      const { eventId } = c.req.valid('param');
      const userId = actingUserId(c, c.req.valid('json').userId);
      const options = submitOptions(c, deps.limiter, userId, { userId });
      const payload = { eventId, userId, acceptedAt: Date.now(), httpRequestId: c.get('requestId') };
      return queuedAnswer(c, deps, await submitQueued(deps, { lane, payload, userId, options }));
    },
  );
}

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
