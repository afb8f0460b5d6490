// A lane type defined only in the tests (test/support/seat-lane) gets the built-in lanes' guarantees
// from the shared submit path: an Idempotency-Key, one place in line per user and event, the rate
// limit, and an OpenAPI entry that every answer here is checked against. No worker runs, so the
// lane only grows and its depth shows what was queued.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LANE_TYPES } from '../../apps/lane-types.js';
import { laneKeys } from '../../src/lane/lane-keys.js';
import { seatLaneType, SEAT_LANE } from '../support/seat-lane/seat.lane.js';
import { createTestContext, newUserId, postJson, type TestContext } from '../support/context.js';
import { expectProblem } from '../support/problem.js';

let ctx: TestContext;
beforeAll(() => {
  ctx = createTestContext({ RATE_LIMIT_USER_PER_SECOND: '5' }, { laneTypes: [...LANE_TYPES, seatLaneType] });
});
afterAll(() => ctx.close());

const depth = () => ctx.redis.llen(laneKeys(ctx.config.QUEUE_PREFIX, SEAT_LANE).wait);
const hold = (eventId: number, userId: number, headers: Record<string, string> = {}) =>
  postJson(ctx, `/events/${eventId}/holds`, { userId }, headers);
const body = async (res: Response) => (await res.json()) as { requestId: string; sequence: number; type: string };

describe('the seat lane through the shared submit path', () => {
  it('when a keyed hold is sent twice, then both answers name one request and the lane grew by one', async () => {
    const before = await depth();
    const headers = { 'Idempotency-Key': `seat-${crypto.randomUUID()}` };
    const first = await hold(1, newUserId(), headers);
    const userId = newUserId();
    const a = await hold(2, userId, headers);
    const b = await hold(2, userId, headers);
    expect([first.status, a.status, b.status]).toEqual([202, 202, 202]);
    expect(b.headers.get('Idempotent-Replayed')).toBe('true');
    const [ra, rb] = [await body(a), await body(b)];
    expect(ra.type).toBe('SEAT_HOLD');
    expect(rb.requestId).toBe(ra.requestId);
    expect((await depth()) - before).toBe(2);
  });

  it('when one user sends 20 holds for one event at once, then all share one request and the lane grew by one', async () => {
    const before = await depth();
    const userId = newUserId();
    const answers = await Promise.all(Array.from({ length: 20 }, () => hold(3, userId)));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 202));
    const ids = new Set(await Promise.all(answers.map(async (a) => (await body(a)).requestId)));
    expect(ids.size).toBe(1);
    expect((await depth()) - before).toBe(1);
  });

  it('when one user holds 20 different events at once, then the rate limit refuses some with 429 and queues only the rest', async () => {
    const before = await depth();
    const userId = newUserId();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => hold(100 + i, userId)));
    const limited = answers.filter((a) => a.status === 429);
    const queued = answers.filter((a) => a.status === 202);
    expect(limited.length).toBeGreaterThan(0);
    expect(queued.length + limited.length).toBe(20);
    await expectProblem(limited[0] as Response, 429, 'RATE_LIMITED');
    expect((await depth()) - before).toBe(queued.length);
  });

  it('when the OpenAPI document is read, then it describes the seat route and its queued request', async () => {
    const doc = (await (await ctx.app.request('/openapi.json')).json()) as {
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    };
    expect(Object.keys(doc.paths)).toContain('/events/{eventId}/holds');
    expect(Object.keys(doc.components.schemas)).toContain('SeatHoldRequest');
  });
});
