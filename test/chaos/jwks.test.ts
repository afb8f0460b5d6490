// The JWKS of identity mode over time: the issuer rotates its key, and the key set's server goes
// away and comes back. The set is cached; an unknown key id refetches it at most once per 30 s
// (jose's cooldown), so the rotation test waits that long.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { es256Signer, serveJwks, type TokenSigner } from '../../rush/tokens.js';
import { createTestContext, newUserId, type TestContext } from '../support/context.js';
import { expectProblem } from '../support/problem.js';
import { isolatedStack, type Stack } from '../support/processes.js';

let stack: Stack;
beforeAll(async () => {
  stack = await isolatedStack();
});
afterAll(() => stack?.close());

const balance = (ctx: TestContext, signer: TokenSigner, u: number) =>
  signer
    .sign(u)
    .then((token) => ctx.app.request(`/users/${u}/balance`, { headers: { Authorization: `Bearer ${token}` } }));

/** An app in identity mode that takes its keys from the JWKS at `url`. */
function jwksContext(url: string) {
  return createTestContext({ DATABASE_URL: stack.databaseUrl, QUEUE_PREFIX: stack.queuePrefix, AUTH_JWKS_URL: url });
}

describe('JWKS rotation and outage', () => {
  it('when the issuer rotates to a new key, then its tokens are accepted after the cooldown and the old key is refused', async () => {
    const first = await es256Signer('k1');
    const second = await es256Signer('k2');
    let current = first.jwks;
    const jwks = await serveJwks(() => current);
    const ctx = jwksContext(jwks.url);
    try {
      const u = newUserId();
      expect((await balance(ctx, first.signer, u)).status).toBe(200);
      current = second.jwks;
      // Within the cooldown the cached set stands: the new key id is unknown yet.
      await expectProblem(await balance(ctx, second.signer, u), 401, 'UNAUTHORIZED');
      expect(jwks.requests()).toBe(1);
      await new Promise((r) => setTimeout(r, 31_000));
      expect((await balance(ctx, second.signer, u)).status).toBe(200);
      expect(jwks.requests()).toBe(2);
      await expectProblem(await balance(ctx, first.signer, u), 401, 'UNAUTHORIZED');
    } finally {
      await ctx.close();
      await jwks.close();
    }
  }, 90_000);

  it('when the key set cannot be fetched at first, then user routes answer 503 and recover once it is served', async () => {
    const es = await es256Signer('k1');
    let up = false;
    const jwks = await serveJwks(() => (up ? es.jwks : { keys: 'down' as never }));
    const ctx = jwksContext(jwks.url);
    try {
      const u = newUserId();
      const res = await balance(ctx, es.signer, u);
      await expectProblem(res, 503, 'IDENTITY_UNAVAILABLE');
      expect(res.headers.get('Retry-After')).toBe('1');
      up = true;
      expect(await (await balance(ctx, es.signer, u)).json()).toEqual({ userId: u, balance: 0 });
    } finally {
      await ctx.close();
      await jwks.close();
    }
  });
});
