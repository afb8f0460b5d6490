// The admin token: closed to everyone when none is configured, and compared without a timing leak.
// The timing tests measure in-process (no network noise): a wrong token that shares all but its last
// character with the real one must take as long to refuse as one that shares nothing. The same harness
// run over a naive early-exit comparison shows that it would see a leak.
import { Hono } from 'hono';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminBasic, adminBearer, safeEqual } from '../../src/http/auth.js';
import { ADMIN_TOKEN, createTestContext, type TestContext } from '../support/context.js';
import { median } from '../support/chaos.js';

describe('admin access without a configured token', () => {
  let ctx: TestContext;
  beforeAll(() => {
    ctx = createTestContext({ ADMIN_TOKEN: '' });
  });
  afterAll(() => ctx.close());

  it('when no ADMIN_TOKEN is configured, then admin routes and the dashboard answer 401 to every credential', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const credentials = [
      undefined,
      'Bearer',
      'Bearer undefined',
      'Bearer null',
      'Bearer ""',
      `Bearer ${ADMIN_TOKEN}`,
      `Basic ${b64('admin:')}`,
      `Basic ${b64('admin:undefined')}`,
      `Basic ${b64(`admin:${ADMIN_TOKEN}`)}`,
    ];
    const calls = [
      ['POST', '/admin/products'],
      ['POST', '/admin/coupons'],
      ['PATCH', '/admin/products/1/stock'],
      ['GET', '/admin/queues'],
      ['GET', '/admin/queues/api/queues'],
    ];
    for (const [method, path] of calls) {
      for (const authorization of credentials) {
        const res = await ctx.app.request(path as string, {
          method,
          headers: {
            'Content-Type': 'application/json',
            ...(authorization === undefined ? {} : { Authorization: authorization }),
          },
          ...(method === 'GET' ? {} : { body: JSON.stringify({ name: 'x', price: 1, stock: 1, delta: 1 }) }),
        });
        expect([method, path, authorization, res.status]).toEqual([method, path, authorization, 401]);
        expect(res.headers.get('content-type')).toBe('application/problem+json');
      }
    }
  });
});

/** A wrong token sharing all but the last character with `token`, and one sharing nothing, same length. */
function wrongTokens(token: string) {
  const last = token.at(-1) === 'a' ? 'b' : 'a';
  const first = token[0] === 'a' ? 'b' : 'a';
  // Through a Buffer, so both are flat strings built the same way.
  const flat = (s: string) => Buffer.from(s).toString('latin1');
  return { near: flat(token.slice(0, -1) + last), far: flat(first + token.slice(1)) };
}

/**
 * How much longer `fn(near)` takes than `fn(far)`: the median, over 2,000 back-to-back pairs (their
 * order alternated), of the ratio of the two times, each a batch of `batch` calls. Pairing cancels
 * what the machine does in between; the median ignores the pairs a pause hit.
 */
function timeBoth(fn: (candidate: string) => unknown, near: string, far: string, samples = 2_000, batch = 10) {
  const run = (candidate: string) => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) fn(candidate);
    return Number(process.hrtime.bigint() - started);
  };
  for (let i = 0; i < 200; i++) run(i % 2 ? near : far);
  const nearTimes: number[] = [];
  const farTimes: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < samples; i++) {
    const [n, f] = i % 2 ? [run(near), run(far)] : [run(far), run(near)].reverse();
    nearTimes.push(n as number);
    farTimes.push(f as number);
    ratios.push((n as number) / (f as number));
  }
  return { nearNs: median(nearTimes) / batch, farNs: median(farTimes) / batch, relative: Math.abs(median(ratios) - 1) };
}

/** What a timing leak looks like: stops at the first differing character. */
function naiveEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) return false;
  return true;
}

describe('admin token comparison timing', () => {
  // Long, so that a comparison that stops early would differ by thousands of character steps.
  const token = randomBytes(2_048).toString('hex');
  const { near, far } = wrongTokens(token);

  it('when wrong tokens share a 4,095-character prefix with the token or none of it, then safeEqual refuses both in the same time, where a naive comparison differs', () => {
    const safe = timeBoth((c) => safeEqual(c, token), near, far);
    const naive = timeBoth((c) => naiveEqual(c, token), near, far);
    console.log(
      `safeEqual: shared prefix ${safe.nearNs.toFixed(0)} ns, none ${safe.farNs.toFixed(0)} ns per call ` +
        `(difference ${(safe.relative * 100).toFixed(1)}%); naive comparison: ${naive.nearNs.toFixed(0)} ns vs ` +
        `${naive.farNs.toFixed(0)} ns (difference ${(naive.relative * 100).toFixed(0)}%)`,
    );
    expect(naive.relative).toBeGreaterThan(1);
    expect(safe.relative).toBeLessThan(0.05);
  });

  it('when wrong bearer or basic credentials share a long prefix with the token or none of it, then the admin middleware refuses both in the same time', async () => {
    // Short enough for the dashboard's Basic header (at most 1,024 base64 characters).
    const token = randomBytes(350).toString('hex');
    const { near, far } = wrongTokens(token);
    const app = new Hono()
      .use('/bearer', adminBearer(token))
      .use('/basic', adminBasic(token))
      .get('/bearer', (c) => c.text('open'))
      .get('/basic', (c) => c.text('open'));
    const b64 = (s: string) => Buffer.from(`admin:${s}`).toString('base64');
    // app.request is asynchronous: time each call on its own, in back-to-back pairs, 2,000 per kind.
    const measure = async (path: string, header: (candidate: string) => string) => {
      const headers = { near: { Authorization: header(near) }, far: { Authorization: header(far) } };
      const one = async (which: 'near' | 'far') => {
        const started = process.hrtime.bigint();
        const res = await app.request(path, { headers: headers[which] });
        expect(res.status).toBe(401);
        return Number(process.hrtime.bigint() - started);
      };
      const times = { near: [] as number[], far: [] as number[], ratios: [] as number[] };
      for (let i = 0; i < 2_200; i++) {
        const [n, f] = i % 2 ? [await one('near'), await one('far')] : [await one('far'), await one('near')].reverse();
        // The first 200 pairs warm up.
        if (i < 200) continue;
        times.near.push(n as number);
        times.far.push(f as number);
        times.ratios.push((n as number) / (f as number));
      }
      return {
        nearUs: median(times.near) / 1_000,
        farUs: median(times.far) / 1_000,
        relative: Math.abs(median(times.ratios) - 1),
      };
    };
    const bearer = await measure('/bearer', (c) => `Bearer ${c}`);
    const basic = await measure('/basic', (c) => `Basic ${b64(c)}`);
    console.log(
      `admin middleware: bearer ${bearer.nearUs.toFixed(1)} vs ${bearer.farUs.toFixed(1)} µs ` +
        `(${(bearer.relative * 100).toFixed(1)}%), basic ${basic.nearUs.toFixed(1)} vs ${basic.farUs.toFixed(1)} µs ` +
        `(${(basic.relative * 100).toFixed(1)}%)`,
    );
    expect(bearer.relative).toBeLessThan(0.1);
    expect(basic.relative).toBeLessThan(0.1);
  });
});
