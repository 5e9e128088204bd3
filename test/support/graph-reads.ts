/**
 * Bulk reads of users' Entra state through the Graph gateway against the emulator with a
 * deliberately low, time-scaled read budget: how much of the budget the gateway turns into reads,
 * users per second, and whether any request left before the Retry-After it was given. The
 * benchmark (bench/graph-reads.bench.ts) prints and keeps the figures; the integration test
 * (test/integration/graph/throttled-reads.test.ts) checks the counts that must hold on any machine.
 *
 * The fraction is resource units Graph charged ÷ the most a client could have been charged in the
 * run: the emulator's budget is a sliding window, so between a first and a last admission T ms
 * apart at most budget × (floor(T / W) + 1) units fit (full bursts at 0, W, 2W, …).
 */
import { startEmulator } from '../../src/emulator/server.js';
import { resolveGraphConfig } from '../../src/graph/config.js';
import { createGraphGateway, type UserLookup } from '../../src/graph/gateway.js';
import { USERS_IN_FLIGHT } from '../../src/graph/limits.js';
import pLimit from 'p-limit';
import { memoryLog } from '../../src/log.js';
import { systemClock } from '../../src/clock.js';
import { generatedTenant } from './generated-tenant.js';

export interface GraphReadsOptions {
  /** Generated users added to the sample tenant. */
  readonly users: number;
  /** Emulator read budget per (scaled) 10 s window. */
  readonly resourceUnitsPerWindow: number;
  /** Emulator time scale: 0.1 makes the 10 s window 1 s. */
  readonly timeScale: number;
  /** Whether the governor is told the budget (paced) or must find it from 429s (adaptive). */
  readonly budgetKnown: boolean;
}

export interface GraphReadsMeasurement {
  readonly mode: 'adaptive' | 'paced';
  readonly users: number;
  readonly usersRead: number;
  readonly usersFailed: number;
  readonly seconds: number;
  readonly usersPerSecond: number;
  readonly resourceUnits: number;
  readonly budgetPerWindow: number;
  readonly windowMs: number;
  /** Charged ÷ the most a sliding window admits in the run: budget × (floor(T / W) + 1). */
  readonly budgetFraction: number;
  /** Charged per window of the run ÷ budget (above 1 when the first window's burst weighs in a short run). */
  readonly budgetRate: number;
  readonly batches: number;
  readonly throttled: number;
  /** Throttled requests repeated before their Retry-After had passed, as the emulator saw them: must be 0. */
  readonly earlyRetries: number;
  /** Calls the gateway sent before the time it had been told to wait: must be 0. */
  readonly sentBeforeRetryAfter: number;
  /** Most `$batch` requests the gateway had in flight at once (the governor's concurrency at its peak). */
  readonly maxBatchesInFlight: number;
}

export async function measureGraphReads(options: GraphReadsOptions): Promise<GraphReadsMeasurement> {
  const { seed, upns } = generatedTenant(options.users);
  const windowMs = 10_000 * options.timeScale;
  const emulator = await startEmulator({ tenant: seed, throttle: { timeScale: options.timeScale, resourceUnitsPerWindow: options.resourceUnitsPerWindow } });
  let firstSent = Number.POSITIVE_INFINITY;
  let lastAnswered = 0;
  let resourceUnits = 0;
  let sentBeforeRetryAfter = 0;
  let inFlight = 0;
  let maxBatchesInFlight = 0;
  const config = resolveGraphConfig({
    graphUrl: emulator.url,
    auth: { mode: 'emulator' },
    limits: options.budgetKnown ? { resourceUnitsPerWindow: options.resourceUnitsPerWindow, resourceUnitWindowMs: windowMs } : { resourceUnitsPerWindow: null },
  });
  const graph = createGraphGateway(config, {
    clock: systemClock,
    log: memoryLog(),
    observer: {
      sent: (event) => {
        firstSent = Math.min(firstSent, event.at);
        sentBeforeRetryAfter += event.calls.filter((call) => call.notBefore > event.at).length;
        inFlight += 1;
        maxBatchesInFlight = Math.max(maxBatchesInFlight, inFlight);
      },
      answered: (event) => {
        inFlight -= 1;
        lastAnswered = Math.max(lastAnswered, event.at);
        resourceUnits += event.resourceUnits;
      },
    },
  });
  const lookups: UserLookup[] = upns.map((upn) => ({ key: upn, upn, matchKeys: { samAccountName: null, email: null, sid: null, objectGuid: null } }));
  let usersRead = 0;
  let usersFailed = 0;
  try {
    const limit = pLimit(USERS_IN_FLIGHT);
    for (const result of await Promise.all(lookups.map((lookup) => limit(() => graph.readUser(lookup))))) {
      if (result.state !== null) usersRead += 1;
      else usersFailed += 1;
    }
  } finally {
    graph.close();
  }
  const stats = emulator.stats();
  await emulator.close();
  const elapsed = Math.max(1, lastAnswered - firstSent);
  return {
    mode: options.budgetKnown ? 'paced' : 'adaptive',
    users: options.users,
    usersRead,
    usersFailed,
    seconds: Math.round(elapsed) / 1000,
    usersPerSecond: Math.round((usersRead * 1000) / elapsed),
    resourceUnits,
    budgetPerWindow: options.resourceUnitsPerWindow,
    windowMs,
    budgetFraction: Math.round((resourceUnits / (options.resourceUnitsPerWindow * (Math.floor(elapsed / windowMs) + 1))) * 1000) / 1000,
    budgetRate: Math.round(((resourceUnits * windowMs) / (options.resourceUnitsPerWindow * elapsed)) * 1000) / 1000,
    batches: stats.batches,
    throttled: stats.throttled,
    earlyRetries: stats.earlyRetries,
    sentBeforeRetryAfter,
    maxBatchesInFlight,
  };
}
