/**
 * 5,000 users read in bulk against an emulator whose read budget is low and time-scaled (1,500
 * resource units per 1.5 s window, a quarter of what the emulator can serve here): every user is
 * read, Graph had to throttle, and no request leaves before the Retry-After it was given (seen by
 * the gateway and by the emulator). How much of the budget the governor turns into reads (target
 * ≥ 90 %) is a wall-clock rate, so `bench/graph-reads.bench.ts` measures it, not this test.
 */
import { describe, expect, it } from 'vitest';
import { measureGraphReads } from '../../support/graph-reads.js';

describe('throttled bulk reads (the governor)', () => {
  it('reads 5,000 users under a low read budget, never before a Retry-After', async () => {
    const measured = await measureGraphReads({ users: 5_000, resourceUnitsPerWindow: 1_500, timeScale: 0.15, budgetKnown: false });
    process.stdout.write(
      `graph reads: ${measured.usersRead} users in ${measured.seconds} s (${measured.usersPerSecond}/s), ${(measured.budgetFraction * 100).toFixed(1)} % of the read budget, ${measured.throttled} throttled, ${measured.earlyRetries} early retries\n`,
    );
    expect(measured).toMatchObject({ usersRead: 5_000, usersFailed: 0, sentBeforeRetryAfter: 0, earlyRetries: 0 });
    // The budget really was the limit: Graph had to say 429 and the gateway waited it out.
    expect(measured.throttled).toBeGreaterThan(0);
  }, 30_000);
});
