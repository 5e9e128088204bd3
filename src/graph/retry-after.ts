/**
 * How long to wait before trying again. concepts/throttling.md (microsoftgraph/microsoft-graph-docs-contrib,
 * "Best practices to handle throttling"): wait the seconds of `Retry-After`, and when there is none
 * back off exponentially. Graph sends whole seconds; inside `$batch` and from a time-scaled
 * emulator the value may be fractional, and RFC 9110 §10.2.3 also allows an HTTP date.
 */
import { RETRY_BASE_DELAY_MS, RETRY_MAX_DELAY_MS } from './limits.js';

/** Milliseconds from `now` that a `Retry-After` value asks for; null when absent or unreadable. */
export function parseRetryAfterMs(value: string | null | undefined, now: number): number | null {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  if (text === '') return null;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date) || !/[a-z]/i.test(text)) return null;
  return Math.max(0, date - now);
}

/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so clients that
 * failed together do not come back together, and no retry is immediate. `attempt` counts from 1.
 */
export function backoffDelayMs(attempt: number, random: () => number, baseMs = RETRY_BASE_DELAY_MS, maxMs = RETRY_MAX_DELAY_MS): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
