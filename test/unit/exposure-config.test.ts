import { describe, expect, it } from 'vitest';
import { EXAMPLE_ADMIN_TOKENS, isLoopbackHost, loadConfig } from '../../src/config.js';

const SECRET = 'x'.repeat(32);

describe('exposure configuration', () => {
  it('when nothing is set, then the API listens on loopback with identity off', () => {
    const config = loadConfig({});
    expect(config.API_HOST).toBe('127.0.0.1');
    expect(config.TRUSTED_GATEWAY).toBe(false);
  });

  it('when the API listens beyond loopback with identity off, then the configuration is refused', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'api.internal']) {
      expect(() => loadConfig({ API_HOST: host }), host).toThrow(/API_HOST: .* beyond loopback .* TRUSTED_GATEWAY/);
    }
  });

  it('when it listens beyond loopback with identity on or TRUSTED_GATEWAY set, then it is accepted', () => {
    expect(loadConfig({ API_HOST: '0.0.0.0', AUTH_JWT_SECRET: SECRET }).API_HOST).toBe('0.0.0.0');
    expect(loadConfig({ API_HOST: '0.0.0.0', AUTH_JWKS_URL: 'https://issuer.example/jwks' }).API_HOST).toBe('0.0.0.0');
    expect(loadConfig({ API_HOST: '0.0.0.0', TRUSTED_GATEWAY: 'true' }).TRUSTED_GATEWAY).toBe(true);
    expect(() => loadConfig({ API_HOST: '0.0.0.0', TRUSTED_GATEWAY: 'false' })).toThrow(/API_HOST/);
  });

  it('when a host is loopback, then it is told from one that is not', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(h), h).toBe(true);
    }
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', '127.0.0.1.example.com', 'localhost.example.com']) {
      expect(isLoopbackHost(h), h).toBe(false);
    }
  });

  it('when ADMIN_TOKEN is shorter than 16 characters or a documented example, then it is refused', () => {
    expect(() => loadConfig({ ADMIN_TOKEN: 'x'.repeat(15) })).toThrow(/ADMIN_TOKEN: at least 16 characters/);
    for (const example of EXAMPLE_ADMIN_TOKENS) {
      expect(() => loadConfig({ ADMIN_TOKEN: example })).toThrow(/ADMIN_TOKEN/);
    }
    expect(loadConfig({ ADMIN_TOKEN: 'x'.repeat(16) }).ADMIN_TOKEN).toBe('x'.repeat(16));
  });

  it('when AUTH_JWKS_URL is plain http beyond loopback, then it is refused; https and loopback http pass', () => {
    expect(() => loadConfig({ AUTH_JWKS_URL: 'http://issuer.example/jwks' })).toThrow(/AUTH_JWKS_URL: an https URL/);
    expect(() => loadConfig({ AUTH_JWKS_URL: 'http://10.0.0.5/jwks' })).toThrow(/AUTH_JWKS_URL/);
    expect(loadConfig({ AUTH_JWKS_URL: 'https://issuer.example/jwks' }).AUTH_JWKS_URL).toBeDefined();
    expect(loadConfig({ AUTH_JWKS_URL: 'http://127.0.0.1:8080/jwks' }).AUTH_JWKS_URL).toBeDefined();
    expect(loadConfig({ AUTH_JWKS_URL: 'http://[::1]:8080/jwks' }).AUTH_JWKS_URL).toBeDefined();
  });

  it('when the hoarding settings are not set, then the pending cap is on at 100 and the balance check off', () => {
    const config = loadConfig({});
    expect(config.MAX_PENDING_UNITS_PER_USER).toBe(100);
    expect(config.ORDER_BALANCE_CHECK).toBe(false);
    expect(config.MAX_CONNECTIONS).toBe(2_000);
  });
});
