/**
 * What the orchestration steps receive from the command that runs them. Tests pass small fakes or
 * the emulator; nothing here is patched.
 */
import type { Clock } from '../clock.js';
import type { Log } from '../log.js';

/** A long step reports how far it got; the CLI draws a bar on a TTY or prints a periodic line. */
export interface Progress {
  /** `total` is null when the amount of work is not known ahead (streaming a file). */
  start(label: string, total: number | null, options?: ProgressOptions): void;
  advance(by: number): void;
  /** The work is held up by something outside it, until a known time when there is one; null when it goes on. */
  waiting(wait: ProgressWait | null): void;
  finish(): void;
}

export interface ProgressOptions {
  /** Work done before this start (a resumed run): the bar continues from it. */
  readonly done?: number;
  /** Seconds the remaining work will take, from a better figure than the bar's own average (apply: the write budget). */
  readonly secondsLeft?: (remaining: number) => number | null;
}

/** E.g. "waiting for Graph's write budget", "next room in", at `until` (epoch ms). */
export interface ProgressWait {
  readonly what: string;
  readonly next: string;
  readonly until: number;
}

export const silentProgress: Progress = {
  start: () => undefined,
  advance: () => undefined,
  waiting: () => undefined,
  finish: () => undefined,
};

export interface StepDeps {
  readonly log: Log;
  readonly clock: Clock;
  readonly progress: Progress;
  /**
   * Aborted on Ctrl-C (or SIGTERM): a step sends nothing more, lets what is on the wire be
   * answered and recorded, and ends as interrupted. Absent: the step runs to its end.
   */
  readonly signal?: AbortSignal;
}
