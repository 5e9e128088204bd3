/**
 * How long the writes left will take: one figure for apply's progress bar and for `status`, so
 * both say the same. Writes are held to Graph's write budget (3,000 per 150 s per app and tenant,
 * concepts/throttling-limits.md, or `--write-budget`), a sliding window: what the window still
 * admits goes at once, the rest at the budget's rate. A run held back by something else (latency,
 * throttling Graph asks for, another app's share) is slower than that; then the rate answered over
 * the last minutes wins.
 */
import { WRITE_WINDOW_MS, WRITES_PER_WINDOW } from '../graph/limits.js';

/** The window the current write rate is measured over: long enough to smooth batch bursts and throttling pauses. */
export const RATE_WINDOW_MS = 5 * 60 * 1000;

export interface WriteBudget {
  readonly writesPerWindow: number;
  readonly windowMs: number;
}

/** Graph's own limit, for runs that recorded no budget. */
export const GRAPH_WRITE_BUDGET: WriteBudget = { writesPerWindow: WRITES_PER_WINDOW, windowMs: WRITE_WINDOW_MS };

/**
 * Seconds until `remaining` writes are sent: at the budget (after what its window still admits,
 * `usedInWindow` being the writes of the window ending now), or at `observedPerMinute` when that is
 * slower.
 */
export function secondsToWrite(remaining: number, budget: WriteBudget, usedInWindow: number, observedPerMinute: number | null): number {
  if (remaining <= 0) return 0;
  const room = Math.max(0, budget.writesPerWindow - usedInWindow);
  const atBudget = (Math.max(0, remaining - room) * budget.windowMs) / budget.writesPerWindow / 1000;
  const atObserved = observedPerMinute === null || observedPerMinute <= 0 ? 0 : (remaining / observedPerMinute) * 60;
  return Math.max(atBudget, atObserved);
}

/**
 * Writes answered per minute over the last RATE_WINDOW_MS — or over the time since the first
 * answer, when that is shorter — as `status` reads them from the journal.
 */
export class AnswerRate {
  readonly #answers: { readonly at: number; readonly count: number }[] = [];
  #firstAt: number | null = null;

  record(at: number, count: number): void {
    if (count <= 0) return;
    this.#firstAt ??= at;
    this.#answers.push({ at, count });
  }

  /** Writes answered in the `windowMs` ending at `now`. */
  answeredWithin(now: number, windowMs: number): number {
    return this.#answers.reduce((sum, answer) => (answer.at > now - windowMs ? sum + answer.count : sum), 0);
  }

  perMinute(now: number): number | null {
    while (this.#answers.length > 0 && (this.#answers[0]?.at ?? now) <= now - RATE_WINDOW_MS) this.#answers.shift();
    if (this.#firstAt === null) return null;
    const span = Math.min(RATE_WINDOW_MS, now - this.#firstAt);
    const answered = this.answeredWithin(now, RATE_WINDOW_MS);
    return answered > 0 && span > 0 ? (answered / span) * 60_000 : null;
  }
}
