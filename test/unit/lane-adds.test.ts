// LaneAdds: the adds of one event-loop turn go out together, in call order, at most `maxBatch` per
// call; settled() waits for every batch sent before it was called, also one sent by an earlier
// turn that is still on its way when a later turn's batch fills up.
import { describe, expect, it } from 'vitest';
import { LaneAdds } from '../../src/request/lane-adds.js';

/** A sender whose answers the test releases by hand, recording each batch it was given. */
function heldSender() {
  const batches: number[][] = [];
  const release: (() => void)[] = [];
  const send = (_lane: string, entries: readonly number[]) => {
    batches.push([...entries]);
    return new Promise<number[]>((resolve) => release.push(() => resolve(entries.map((e) => e * 10))));
  };
  return { batches, release, send };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('LaneAdds', () => {
  it('when adds are made in one turn, then they go out as one batch in call order and each gets its own answer', async () => {
    const sender = heldSender();
    const adds = new LaneAdds(sender.send);
    const answers = [1, 2, 3].map((n) => adds.add('a', n));
    await nextTurn();
    expect(sender.batches).toEqual([[1, 2, 3]]);
    sender.release.forEach((r) => r());
    expect(await Promise.all(answers)).toEqual([10, 20, 30]);
  });

  it('when a turn makes more adds than a batch holds, then full batches go at once and the rest at the end of the turn', async () => {
    const sender = heldSender();
    const adds = new LaneAdds(sender.send, {}, 2);
    const answers = [1, 2, 3, 4, 5].map((n) => adds.add('a', n));
    expect(sender.batches).toEqual([
      [1, 2],
      [3, 4],
    ]);
    await nextTurn();
    expect(sender.batches).toEqual([[1, 2], [3, 4], [5]]);
    sender.release.forEach((r) => r());
    expect(await Promise.all(answers)).toEqual([10, 20, 30, 40, 50]);
  });

  it("when an earlier turn's batch is still on its way as a later batch fills up, then settled() waits for both", async () => {
    const sender = heldSender();
    const adds = new LaneAdds(sender.send, {}, 2);
    void adds.add('a', 1);
    await nextTurn(); // turn 1's batch [1] is sent and not answered
    void adds.add('a', 2);
    void adds.add('a', 3); // turn 2's batch fills up and is sent at once
    let settled = false;
    const waiting = adds.settled('a').then(() => (settled = true));
    await nextTurn();
    sender.release[1]?.();
    await nextTurn();
    expect(settled).toBe(false);
    sender.release[0]?.();
    await waiting;
    expect(settled).toBe(true);
  });

  it('when a batch fails, then each of its adds fails and the listener hears of it', async () => {
    const failures: number[] = [];
    const adds = new LaneAdds<number, number>(() => Promise.reject(new Error('down')), {
      answered: (_lane, entries, results) => {
        if (!results) failures.push(entries.length);
      },
    });
    const answers = [1, 2].map((n) => adds.add('a', n).catch((err: Error) => err.message));
    expect(await Promise.all(answers)).toEqual(['down', 'down']);
    expect(failures).toEqual([2]);
  });

  it('when two lanes are added to in one turn, then each lane gets its own batch', async () => {
    const sender = heldSender();
    const adds = new LaneAdds(sender.send);
    void adds.add('a', 1);
    void adds.add('b', 2);
    void adds.add('a', 3);
    await nextTurn();
    expect(sender.batches).toEqual([[1, 3], [2]]);
  });
});
