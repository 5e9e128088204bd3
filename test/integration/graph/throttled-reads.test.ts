/**
 * 5,000 users read in bulk against an emulator whose read budget is low and time-scaled (1,500
 * resource units per 1.5 s window, a quarter of what the emulator can serve here): every user is read, no request leaves before the Retry-After it
 * was given (seen by the gateway and by the emulator), and the governor, not told the budget,
 * turns ≥ 90 % of it into reads. The same measurement is `bench/graph-reads.bench.ts`.
 */
import { describe, expect, it } from 'vitest';
import { measureGraphReads } from '../../support/graph-reads.js';

describe('throttled bulk reads (DESIGN §6 governor)', () => {
  it('reads 5,000 users under a low read budget, never early, using at least 90 % of the budget', async () => {
    const measured = await measureGraphReads({ users: 5_000, resourceUnitsPerWindow: 1_500, timeScale: 0.15, budgetKnown: false });
    process.stdout.write(
      `graph reads: ${measured.usersRead} users in ${measured.seconds} s (${measured.usersPerSecond}/s), ${(measured.budgetFraction * 100).toFixed(1)} % of the read budget, ${measured.throttled} throttled, ${measured.earlyRetries} early retries\n`,
    );
    expect(measured).toMatchObject({ usersRead: 5_000, usersFailed: 0, sentBeforeRetryAfter: 0, earlyRetries: 0 });
    // The budget really was the limit: Graph had to say 429 and the gateway waited it out.
    expect(measured.throttled).toBeGreaterThan(0);
    expect(measured.budgetFraction).toBeGreaterThanOrEqual(0.9);
  }, 30_000);
});
