/**
 * How many inputs each property tries, and a tally of what was tried. The default run is quick
 * enough for every `npm test`; `SOAK=1` (npm run test:soak) multiplies the runs for a long search.
 * `HOSTILE_SEED` replays the fast-check seed a failure or a hang printed.
 */

const SOAK_FACTOR = 20;

export const soak = process.env['SOAK'] === '1';

/** `base` runs, or SOAK_FACTOR times as many under SOAK=1. */
export function runs(base: number): number {
  return soak ? base * SOAK_FACTOR : base;
}

/** One seed for the whole file, printed with every failure and hang so the run can be replayed. */
export const seed = process.env['HOSTILE_SEED'] === undefined ? Date.now() % 2 ** 31 : Number(process.env['HOSTILE_SEED']);

/** Counts the inputs each property generated; the summary holds counts only, never input text. */
export class InputTally {
  readonly #counts = new Map<string, number>();
  readonly #startedAt = performance.now();

  count(property: string): number {
    const next = (this.#counts.get(property) ?? 0) + 1;
    this.#counts.set(property, next);
    return next;
  }

  summary(suite: string): string {
    const total = [...this.#counts.values()].reduce((sum, count) => sum + count, 0);
    const seconds = ((performance.now() - this.#startedAt) / 1000).toFixed(1);
    const each = [...this.#counts].map(([property, count]) => `  ${String(count).padStart(6)}  ${property}`).join('\n');
    return `${suite}: ${this.#counts.size} properties, ${total} inputs in ${seconds} s (seed ${seed}${soak ? ', SOAK' : ''})\n${each}`;
  }
}
