import { describe, expect, it } from 'vitest';
import { DecideRate } from '../../src/lane/decide-rate.js';

type Step = ['reset', number] | ['idle', number] | ['record', number, number];

const run = (steps: Step[], windowMs = 5_000) => {
  const rate = new DecideRate(windowMs);
  for (const step of steps) {
    if (step[0] === 'reset') rate.reset(step[1]);
    else if (step[0] === 'idle') rate.idle(step[1]);
    else rate.record(step[1], step[2]);
  }
  return rate.perSecond();
};

describe('DecideRate', () => {
  it.each<[string, number | undefined, Step[]]>([
    ['nothing recorded', undefined, []],
    ['only the acquisition', undefined, [['reset', 0]]],
    [
      'a batch of 500 every 100 ms',
      5_000,
      [
        ['reset', 0],
        ['record', 100, 500],
        ['record', 200, 500],
        ['record', 300, 500],
      ],
    ],
    [
      'a batch after a quiet second',
      5_000,
      [
        ['reset', 0],
        ['record', 100, 500],
        ['idle', 1_000],
        ['record', 1_200, 500],
      ],
    ],
    ['a first batch without an acquisition instant', undefined, [['record', 100, 500]]],
    [
      'batches of different sizes',
      1_500,
      [
        ['reset', 0],
        ['record', 100, 100],
        ['record', 400, 500],
      ],
    ],
    [
      'an empty batch',
      1_000,
      [
        ['reset', 0],
        ['record', 100, 0],
        ['record', 200, 100],
      ],
    ],
    [
      'batches older than the window',
      1_000,
      [
        ['reset', 0],
        ['record', 1_000, 10],
        ['record', 7_000, 6_000],
        ['record', 8_000, 1_000],
      ],
    ],
    [
      'idle time measured longer than the gap',
      undefined,
      [
        ['reset', 0],
        ['idle', 500],
        ['record', 100, 500],
      ],
    ],
  ])('when %s, then the rate is %s per second', (_name, expected, steps) => {
    const got = run(steps);
    if (expected === undefined) expect(got).toBeUndefined();
    else expect(got).toBeCloseTo(expected, 6);
  });

  it('when the window holds one old batch only, then that batch still gives the rate', () => {
    expect(
      run([
        ['reset', 0],
        ['record', 1_000, 100],
        ['record', 20_000, 0],
      ]),
    ).toBeCloseTo(100, 6);
  });
});
