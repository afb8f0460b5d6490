import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('identity configuration', () => {
  it('when neither a secret nor a JWKS URL is set, then identity is off', () => {
    const config = loadConfig({});
    expect(config.AUTH_JWT_SECRET ?? config.AUTH_JWKS_URL).toBeUndefined();
  });

  it('when the HS256 secret is shorter than 32 characters, then the configuration is refused', () => {
    expect(() => loadConfig({ AUTH_JWT_SECRET: 'short' })).toThrow(/AUTH_JWT_SECRET: at least 32 characters/);
  });

  it('when both a secret and a JWKS URL are set, then the configuration is refused', () => {
    expect(() =>
      loadConfig({ AUTH_JWT_SECRET: 'x'.repeat(32), AUTH_JWKS_URL: 'https://issuer.example/jwks.json' }),
    ).toThrow(/not both/);
  });

  it('when the JWKS URL is not http or https, then the configuration is refused', () => {
    expect(() => loadConfig({ AUTH_JWKS_URL: 'file:///etc/jwks.json' })).toThrow(/AUTH_JWKS_URL/);
  });
});
