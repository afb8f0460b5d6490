import { describe, expect, it } from 'vitest';
import { estimateWaitMs, parseRate, retryAfterSeconds } from '../../src/request/eta.js';

describe('estimated wait', () => {
  it.each<[number, number | undefined, number | undefined]>([
    [0, 1000, 1],
    [999, 1000, 1000],
    [17, 7.5, 2400],
    [4, undefined, undefined],
  ])('when %s requests are ahead at %s decisions/s, then the estimate is %s ms', (position, rate, expected) => {
    expect(estimateWaitMs(position, rate)).toBe(expected);
  });

  it.each<[number | undefined, number]>([
    [undefined, 1],
    [0, 1],
    [400, 1],
    [1000, 1],
    [1001, 2],
    [2400, 3],
    [9999, 10],
    [600_000, 10],
  ])('when the estimate is %s ms, then Retry-After is %s s', (eta, seconds) => {
    expect(retryAfterSeconds(eta)).toBe(seconds);
  });

  it.each<[string | null, number | undefined]>([
    ['2500.50', 2500.5],
    [null, undefined],
    ['', undefined],
    ['0', undefined],
    ['-3', undefined],
    ['abc', undefined],
  ])('when the published rate is %j, then it reads %s', (raw, rate) => {
    expect(parseRate(raw)).toBe(rate);
  });
});
