// End-user JWTs for load scripts, the bench and tests: HS256 with a shared secret, or ES256 with a
// key generated here whose public half a small HTTP server offers as a JSON Web Key Set.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export interface TokenOptions {
  issuer?: string;
  audience?: string;
  /** Lifetime in seconds from now (negative: already expired; null: no `exp`); 3600 unless given. */
  expiresInS?: number | null;
  /** Seconds from now before which the token is not valid. */
  notBeforeS?: number;
  /** Claims to add or override (e.g. a `sub` that is not the user id). */
  claims?: JWTPayload;
}

export interface TokenSigner {
  readonly alg: 'HS256' | 'ES256';
  sign(userId: number | string, options?: TokenOptions): Promise<string>;
}

function signer(alg: TokenSigner['alg'], key: CryptoKey | Uint8Array, kid?: string): TokenSigner {
  return {
    alg,
    async sign(userId, options = {}) {
      const now = Math.floor(Date.now() / 1000);
      // Claims given win, even over `sub`, so that tests can sign subjects that are not user ids.
      const jwt = new SignJWT({ sub: String(userId), ...options.claims })
        .setProtectedHeader({ alg, typ: 'JWT', ...(kid ? { kid } : {}) })
        .setIssuedAt(now);
      if (options.expiresInS !== null) jwt.setExpirationTime(now + (options.expiresInS ?? 3600));
      if (options.notBeforeS !== undefined) jwt.setNotBefore(now + options.notBeforeS);
      if (options.issuer) jwt.setIssuer(options.issuer);
      if (options.audience) jwt.setAudience(options.audience);
      return jwt.sign(key);
    },
  };
}

export function hs256Signer(secret: string): TokenSigner {
  return signer('HS256', new TextEncoder().encode(secret));
}

/** A fresh ES256 key pair: a signer and the JWKS with its public key. */
export async function es256Signer(kid = 'test-es256'): Promise<{ signer: TokenSigner; jwks: { keys: JWK[] } }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return { signer: signer('ES256', privateKey, kid), jwks: { keys: [jwk] } };
}

/** One token per user, signed up front so that a rush spends no time signing. */
export async function signForUsers(
  signer: TokenSigner,
  userIds: Iterable<number>,
  options?: TokenOptions,
): Promise<Map<number, string>> {
  const tokens = new Map<number, string>();
  for (const id of new Set(userIds)) tokens.set(id, await signer.sign(id, options));
  return tokens;
}

/** Serves `jwks` (its current value, so a test may rotate keys) at /jwks.json on 127.0.0.1. */
export async function serveJwks(
  jwks: () => { keys: JWK[] },
): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    if (req.url !== '/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/jwk-set+json' }).end(JSON.stringify(jwks()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/jwks.json`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `Authorization` headers for a user, from tokens signed up front; none when the user has no token. */
export function bearerFor(tokens: Map<number, string> | undefined, userId: number): Record<string, string> {
  const token = tokens?.get(userId);
  return token ? { Authorization: `Bearer ${token}` } : {};
}
