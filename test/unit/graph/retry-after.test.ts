import { describe, expect, it } from 'vitest';
import { backoffDelayMs, parseRetryAfterMs } from '../../../src/graph/retry-after.js';

const NOW = Date.parse('2026-11-28T12:00:00Z');

describe('Retry-After (throttling.md, RFC 9110 §10.2.3)', () => {
  it('reads whole and fractional seconds', () => {
    expect(parseRetryAfterMs('10', NOW)).toBe(10_000);
    expect(parseRetryAfterMs(' 1.5 ', NOW)).toBe(1_500);
    expect(parseRetryAfterMs('0.001', NOW)).toBe(1);
    expect(parseRetryAfterMs('0', NOW)).toBe(0);
  });

  it('reads an HTTP date as the time left until it, never negative', () => {
    expect(parseRetryAfterMs('Sat, 28 Nov 2026 12:00:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfterMs('Sat, 28 Nov 2026 11:00:00 GMT', NOW)).toBe(0);
  });

  it('answers null for a missing or unreadable value, so the caller backs off instead', () => {
    for (const value of [undefined, null, '', '-5', 'soon', '1e3']) expect(parseRetryAfterMs(value, NOW)).toBeNull();
  });

  it('backs off exponentially with equal jitter, capped', () => {
    expect(backoffDelayMs(1, () => 0, 1_000, 30_000)).toBe(500);
    expect(backoffDelayMs(1, () => 1, 1_000, 30_000)).toBe(1_000);
    expect(backoffDelayMs(3, () => 0, 1_000, 30_000)).toBe(2_000);
    expect(backoffDelayMs(3, () => 1, 1_000, 30_000)).toBe(4_000);
    expect(backoffDelayMs(20, () => 1, 1_000, 30_000)).toBe(30_000);
    expect(backoffDelayMs(20, () => 0, 1_000, 30_000)).toBe(15_000);
  });
});
