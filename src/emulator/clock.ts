/**
 * Where the emulator reads the time: token expiry, TOTP verification, throttling windows and
 * timestamps of created methods. Injected so tests can run minutes of Graph time in milliseconds.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
