// FlagWatch: which flags a lane's view reads, and what it remembers of them.
import { describe, expect, it } from 'vitest';
import { FlagWatch } from '../../src/request/flag-watch.js';

describe('FlagWatch', () => {
  it('when a flag is asked about, then it is read until nobody asked for the watch time, and then forgotten', () => {
    const watch = new FlagWatch(1_000);
    watch.ask('f', false, 0);
    expect(watch.toRead(500)).toEqual(['f']);
    watch.record('f', true);
    expect(watch.isSet('f')).toBe(true);
    expect(watch.toRead(1_600)).toEqual([]);
    expect(watch.isSet('f')).toBe(false);
    expect(watch.size).toBe(0);
  });

  it('when a sticky flag was seen set, then it is not read again and stays set', () => {
    const watch = new FlagWatch(1_000);
    watch.ask('s', true, 0);
    expect(watch.toRead(0)).toEqual(['s']);
    watch.record('s', true);
    watch.ask('s', true, 10);
    expect(watch.toRead(20)).toEqual([]);
    expect(watch.toRead(5_000)).toEqual([]);
    expect(watch.isSet('s')).toBe(true);
  });

  it('when a flag that is not sticky is read clear again, then it is no longer set', () => {
    const watch = new FlagWatch();
    watch.ask('o', false, 0);
    watch.record('o', true);
    watch.record('o', false);
    expect(watch.isSet('o')).toBe(false);
    expect(watch.toRead(1)).toEqual(['o']);
  });
});
