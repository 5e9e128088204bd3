/**
 * Progress for long work: a redrawn line on a terminal, a periodic one-line report otherwise
 * (logs, CI), nothing with --no-progress or --json on a non-terminal. While the work waits on
 * Graph (a budget, a Retry-After) the line says so and when it goes on; time left comes from the
 * step's own estimate when it has one (apply: the write budget), in minutes and hours.
 */
import type { Clock } from '../clock.js';
import type { Progress, ProgressOptions, ProgressWait } from '../migrate/deps.js';
import { silentProgress } from '../migrate/deps.js';
import { formatCountdown, formatDuration } from './render/durations.js';

/** How often a non-terminal gets a line; often enough to show life, rare enough for a log file. */
const PLAIN_INTERVAL_MS = 10_000;
/** Terminal redraws; more often than this only costs CPU. */
const TTY_INTERVAL_MS = 200;
const BAR_WIDTH = 24;
/** How often a waiting line is looked at again (its countdown moves by the second). */
const TICK_MS = 1_000;

export function progressFor(
  stream: NodeJS.WritableStream,
  options: { readonly enabled: boolean; readonly isTTY: boolean; readonly clock: Clock },
): Progress {
  if (!options.enabled) return silentProgress;
  const { clock, isTTY } = options;
  let label = '';
  let total: number | null = null;
  let done = 0;
  let doneAtStart = 0;
  let secondsLeft: ProgressOptions['secondsLeft'];
  let startedAt = 0;
  let lastDrawn = 0;
  let drawnOnTty = false;
  let wait: ProgressWait | null = null;
  // While the work waits nothing advances: a tick keeps the countdown (and a log's periodic line) going.
  let ticking: NodeJS.Timeout | null = null;
  const stopTicking = (): void => {
    if (ticking !== null) clearInterval(ticking);
    ticking = null;
  };

  const line = (): string => {
    const now = clock.now();
    const seconds = Math.max((now - startedAt) / 1000, 0.001);
    const rate = (done - doneAtStart) / seconds;
    const waiting = wait === null || wait.until <= now ? '' : ` — ${wait.what}, ${wait.next} ${formatCountdown(wait.until - now)}`;
    if (total === null || total === 0) return `${label}: ${done.toLocaleString('en-US')} rows (${Math.round(rate).toLocaleString('en-US')}/s)${waiting}`;
    const share = Math.min(done / total, 1);
    const filled = Math.round(share * BAR_WIDTH);
    const remaining = Math.max(0, total - done);
    const estimate = secondsLeft?.(remaining) ?? (rate > 0 ? remaining / rate : null);
    const left = estimate === null ? '' : ` — about ${formatDuration(estimate)} left`;
    return `${label} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${Math.round(share * 100)}% ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}${waiting}${left}`;
  };
  const draw = (force: boolean): void => {
    const now = clock.now();
    if (!force && now - lastDrawn < (isTTY ? TTY_INTERVAL_MS : PLAIN_INTERVAL_MS)) return;
    lastDrawn = now;
    if (isTTY) {
      stream.write(`\r\x1b[2K${line()}`);
      drawnOnTty = true;
    } else {
      stream.write(`${line()}\n`);
    }
  };

  return {
    start(newLabel, newTotal, startOptions = {}) {
      label = newLabel;
      total = newTotal;
      done = startOptions.done ?? 0;
      doneAtStart = done;
      secondsLeft = startOptions.secondsLeft;
      wait = null;
      startedAt = clock.now();
      lastDrawn = startedAt;
    },
    advance(by) {
      done += by;
      draw(false);
    },
    waiting(newWait) {
      wait = newWait;
      if (wait === null) {
        stopTicking();
        return;
      }
      // A terminal shows the wait at once; a log gets it with its next periodic line.
      if (isTTY && label !== '') draw(true);
      ticking ??= setInterval(() => { draw(false); }, TICK_MS).unref();
    },
    finish() {
      wait = null;
      stopTicking();
      if (drawnOnTty) {
        stream.write('\r\x1b[2K');
        drawnOnTty = false;
      }
    },
  };
}
