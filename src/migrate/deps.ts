/**
 * What the orchestration steps receive from the command that runs them (STYLE §3). Tests pass
 * small fakes or the emulator; nothing here is patched.
 */
import type { Clock } from '../clock.js';
import type { Log } from '../log.js';

/** A long step reports how far it got; the CLI draws a bar on a TTY or prints a periodic line. */
export interface Progress {
  /** `total` is null when the amount of work is not known ahead (streaming a file). */
  start(label: string, total: number | null): void;
  advance(by: number): void;
  finish(): void;
}

export const silentProgress: Progress = {
  start: () => undefined,
  advance: () => undefined,
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
