/**
 * Progress for long work (DESIGN §5): a redrawn line on a terminal, a periodic one-line report
 * otherwise (logs, CI), nothing with --no-progress or --json on a non-terminal.
 */
import type { Progress } from '../migrate/deps.js';
import type { Clock } from '../clock.js';
import { silentProgress } from '../migrate/deps.js';

/** How often a non-terminal gets a line; often enough to show life, rare enough for a log file. */
const PLAIN_INTERVAL_MS = 10_000;
/** Terminal redraws; more often than this only costs CPU. */
const TTY_INTERVAL_MS = 200;

export function progressFor(
  stream: NodeJS.WritableStream,
  options: { readonly enabled: boolean; readonly isTTY: boolean; readonly clock: Clock },
): Progress {
  if (!options.enabled) return silentProgress;
  const { clock, isTTY } = options;
  let label = '';
  let total: number | null = null;
  let done = 0;
  let startedAt = 0;
  let lastDrawn = 0;
  let drawnOnTty = false;

  const line = (): string => {
    const seconds = Math.max((clock.now() - startedAt) / 1000, 0.001);
    const rate = Math.round(done / seconds);
    if (total === null || total === 0) return `${label}: ${done.toLocaleString('en-US')} rows (${rate.toLocaleString('en-US')}/s)`;
    const share = Math.min(done / total, 1);
    const width = 24;
    const filled = Math.round(share * width);
    const left = rate > 0 ? Math.round((total - done) / rate) : 0;
    return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round(share * 100)}% ${done}/${total}, ~${left} s left`;
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
    start(newLabel, newTotal) {
      label = newLabel;
      total = newTotal;
      done = 0;
      startedAt = clock.now();
      lastDrawn = startedAt;
    },
    advance(by) {
      done += by;
      draw(false);
    },
    finish() {
      if (drawnOnTty) {
        stream.write('\r\x1b[2K');
        drawnOnTty = false;
      }
    },
  };
}
