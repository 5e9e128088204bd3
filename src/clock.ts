/**
 * Time as every step and the gateway read it: passed in, never patched, so tests can hold it still
 * or move it. Used by every layer, so it sits at the top of `src/` like `log.ts`.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
