import { describe, expect, it } from 'vitest';
import { drawOrder, type RandomInt } from '../../src/coupon/draw.js';
import { spearmanRho } from '../../src/verify/rank-correlation.js';

const entries = (...users: number[]) => users.map((userId, i) => ({ userId, at: i }));
/** A random source that answers from a list, recording what it was asked. */
const scripted = (answers: number[], asked: number[] = []): RandomInt => {
  let k = 0;
  return (max) => {
    asked.push(max);
    return answers[k++] ?? 0;
  };
};

describe('drawOrder', () => {
  it('when the source picks the last index each time, then the order stays; when it picks 0, then it rotates as Fisher–Yates does', () => {
    const asked: number[] = [];
    expect(drawOrder(entries(1, 2, 3, 4), scripted([3, 2, 1], asked)).map((e) => e.userId)).toEqual([1, 2, 3, 4]);
    expect(asked).toEqual([4, 3, 2]);
    expect(drawOrder(entries(1, 2, 3, 4), scripted([0, 0, 0])).map((e) => e.userId)).toEqual([2, 3, 4, 1]);
  });

  it('when a user pre-queued twice, then only the earliest entry is drawn', () => {
    const drawn = drawOrder(entries(7, 8, 7, 9, 8), scripted([2, 1]));
    expect(drawn.map((e) => [e.userId, e.at])).toEqual([
      [7, 0],
      [8, 1],
      [9, 3],
    ]);
  });

  it.each([[[]], [[5]]])('when there are %j entries, then nothing is asked of the source', (users) => {
    const asked: number[] = [];
    expect(drawOrder(entries(...users), scripted([], asked)).map((e) => e.userId)).toEqual(users);
    expect(asked).toEqual([]);
  });

  it('when the source answers out of range, then it throws instead of drawing unfairly', () => {
    expect(() => drawOrder(entries(1, 2, 3), scripted([3]))).toThrow(RangeError);
    expect(() => drawOrder(entries(1, 2, 3), scripted([-1]))).toThrow(RangeError);
  });

  it('when 4 users are drawn 24,000 times from the cryptographic source, then every order is about equally likely', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 24_000; i++) {
      const key = drawOrder(entries(1, 2, 3, 4))
        .map((e) => e.userId)
        .join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(24);
    // Chi-square with 23 degrees of freedom; 90 is exceeded by chance with probability below 1e-9,
    // while the classic biased shuffle (j drawn from the whole range) scores well above it.
    const chi = [...counts.values()].reduce((sum, n) => sum + (n - 1000) ** 2 / 1000, 0);
    expect(chi).toBeLessThan(90);
  });

  it('when 300 pre-queued users are drawn, then the drawn order is unrelated to the order they came in, unlike first come', () => {
    const drawn = drawOrder(entries(...Array.from({ length: 300 }, (_, i) => 1000 + i)));
    const submitOrder = drawn.map((e) => e.at);
    const drawnSequence = drawn.map((_, position) => position + 1);
    // |ρ| of a random order of 300 has a standard deviation of about 0.058: 0.3 is over 5 of them.
    expect(Math.abs(spearmanRho(submitOrder, drawnSequence))).toBeLessThan(0.3);
    expect(spearmanRho(submitOrder, [...submitOrder])).toBe(1);
  });
});

describe('spearmanRho', () => {
  it.each<[string, number[], number[], number]>([
    ['the same order', [1, 2, 3, 4], [10, 20, 30, 40], 1],
    ['the reverse order', [1, 2, 3, 4], [4, 3, 2, 1], -1],
    ['ties', [1, 1, 2, 3], [1, 2, 3, 4], 0.9486832980505138],
    ['unrelated orders', [1, 2, 3, 4, 5], [2, 5, 3, 1, 4], 0],
  ])('when the series are %s, then ρ is %s', (_name, xs, ys, rho) => {
    expect(spearmanRho(xs, ys)).toBeCloseTo(rho, 10);
  });

  it('when the series differ in length or are constant, then it refuses or answers NaN', () => {
    expect(() => spearmanRho([1, 2], [1])).toThrow(RangeError);
    expect(spearmanRho([1, 1, 1], [1, 2, 3])).toBeNaN();
  });
});
