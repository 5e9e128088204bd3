/** A clock tests move by hand: timestamps, run ids, throttling windows and rates are then predictable. */
import type { Clock } from '../../src/clock.js';

export function manualClock(start = Date.parse('2026-11-28T15:30:12.000Z')): Clock & { advance(ms: number): void } {
  let now = start;
  return { now: () => now, advance: (ms) => { now += ms; } };
}
