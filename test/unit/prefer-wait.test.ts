// The `wait` preference of a queued submit (RFC 7240): which values are honoured.
import { describe, expect, it } from 'vitest';
import { preferredWait } from '../../src/request/submit-route.js';

describe('preferredWait', () => {
  it('when Prefer names wait=N, then N seconds are honoured, at most 10', () => {
    expect(preferredWait('wait=5')).toBe(5);
    expect(preferredWait('respond-async, wait=3')).toBe(3);
    expect(preferredWait('WAIT = 2')).toBe(2);
    expect(preferredWait('wait="4"')).toBe(4);
    expect(preferredWait('wait=60')).toBe(10);
  });

  it('when there is no usable wait, then nothing is waited for', () => {
    for (const value of [undefined, '', 'wait=0', 'wait=-1', 'wait=abc', 'handling=lenient', 'nowait=5']) {
      expect(preferredWait(value)).toBeUndefined();
    }
  });
});
