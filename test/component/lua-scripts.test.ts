// The Lua loader against a real Redis: a script's includes are in place, a script runs as a command
// of the client it was defined on, and a transaction refuses a script that was not defined before it.
import { describe, expect, it } from 'vitest';
import { defineScript, loadScript, queueScript, runScript } from '../../src/lua/scripts.js';
import { createRedis } from '../../src/redis.js';
import { laneRedis } from '../support/lane-redis.js';

const t = laneRedis('lua');
const RELEASE = loadScript('lease-release');

describe('the Lua loader', () => {
  it('when a script includes another, then the included file stands in place of the include line', () => {
    const append = loadScript('lane-append');
    expect(append.command).toBe('ceLaneAppend');
    expect(append.lua).toContain('local function bullmqAddJob(');
    expect(append.lua).not.toContain('--- @include');
  });

  it('when a script runs on two clients and in a transaction, then each runs it as its own command', async () => {
    const key = `${t.prefix}:lease`;
    const other = createRedis(t.config, { maxRetriesPerRequest: 1 });
    try {
      await t.redis.set(key, 'me');
      expect(await runScript(t.redis, RELEASE, [key], ['not-me'])).toBe(0);
      expect(await runScript(other, RELEASE, [key], ['me'])).toBe(1);
      expect(await t.redis.exists(key)).toBe(0);

      await t.redis.set(key, 'me');
      defineScript(t.redis, RELEASE);
      const results = await queueScript(t.redis.multi(), RELEASE, [key], ['me']).get(key).exec();
      expect(results).toEqual([
        [null, 1],
        [null, null],
      ]);
    } finally {
      other.disconnect();
    }
  });

  it('when a transaction was made before its script was defined on the client, then queueing the script throws', () => {
    const fresh = createRedis(t.config, { lazyConnect: true });
    try {
      const multi = fresh.multi();
      defineScript(fresh, RELEASE);
      expect(() => queueScript(multi, RELEASE, ['k'], ['v'])).toThrow('was not defined before its pipeline was made');
    } finally {
      fresh.disconnect();
    }
  });
});
