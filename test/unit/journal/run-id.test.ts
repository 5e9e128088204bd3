import { describe, expect, it } from 'vitest';
import { newRunId, RUN_ID_PATTERN } from '../../../src/journal/run-id.js';

describe('newRunId', () => {
  it('is the UTC start time, readable, then four random hex digits', () => {
    const id = newRunId(Date.parse('2026-11-28T15:30:12.999Z'));
    expect(id).toMatch(RUN_ID_PATTERN);
    expect(id.slice(0, 16)).toBe('20261128-153012-');
  });

  it('sorts by start time', () => {
    const ids = ['2026-11-28T09:59:59Z', '2026-11-28T10:00:00Z', '2026-12-01T00:00:00Z'].map((at) => newRunId(Date.parse(at)));
    expect([...ids].sort()).toEqual(ids);
  });

  it('differs between runs started in the same second', () => {
    const at = Date.parse('2026-11-28T15:30:12Z');
    expect(new Set(Array.from({ length: 20 }, () => newRunId(at))).size).toBeGreaterThan(1);
  });
});
