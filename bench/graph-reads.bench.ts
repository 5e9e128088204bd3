/**
 * Benchmark: bulk reads of users' Entra state through the Graph gateway against the emulator with
 * a deliberately low, time-scaled read budget. It measures how much of the budget the gateway
 * turns into reads (target ≥ 90 %), users per second, and checks that no request left before the
 * Retry-After it was given.
 *
 * The fraction is resource units Graph charged ÷ the most a client could have been charged in the
 * run: the emulator's budget is a sliding window, so between a first and a last admission T ms
 * apart at most budget × (floor(T / W) + 1) units fit (full bursts at 0, W, 2W, …).
 *
 *   npm run build && node dist/bench/graph-reads.bench.js                 # 5,000 users, 1,500 RU per 1.5 s
 *   node dist/bench/graph-reads.bench.js --users 20000 --budget 2000
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startEmulator } from '../src/emulator/server.js';
import { resolveGraphConfig } from '../src/graph/config.js';
import pLimit from 'p-limit';
import { createGraphGateway, type UserLookup } from '../src/graph/gateway.js';
import { USERS_IN_FLIGHT } from '../src/graph/limits.js';
import { memoryLog } from '../src/log.js';
import { systemClock } from '../src/clock.js';
import { formatTable } from './table.js';

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

function fixturePath(): string {
  for (const relative of ['../fixtures/tenant.json', '../../fixtures/tenant.json']) {
    const candidate = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('fixtures/tenant.json not found next to the bench folder.');
}

/** The sample tenant plus `count` generated users (every fifth with a mobile phone, every seventh with an Authenticator). */
export function generatedTenant(count: number): { seed: Record<string, unknown>; upns: string[] } {
  const seed = JSON.parse(readFileSync(fixturePath(), 'utf8')) as Record<string, unknown> & { users: Record<string, unknown>[] };
  const upns: string[] = [];
  for (let n = 1; n <= count; n += 1) {
    const suffix = n.toString().padStart(12, '0');
    const upn = `bench.user${n}@contoso.com`;
    upns.push(upn);
    seed.users.push({
      id: `b0b0b0b0-0000-4000-8000-${suffix}`,
      userPrincipalName: upn,
      displayName: `Bench User ${n}`,
      givenName: 'Bench',
      surname: `User ${n}`,
      mail: upn,
      onPremisesSamAccountName: `bench${n}`,
      onPremisesSecurityIdentifier: `S-1-5-21-1-2-3-${100_000 + n}`,
      accountEnabled: true,
      employeeId: `B${n}`,
      ...(n % 5 === 0 ? { phoneMethods: [{ phoneType: 'mobile', phoneNumber: `+1 42555${(n % 100_000).toString().padStart(5, '0')}` }] } : {}),
      ...(n % 7 === 0
        ? {
            microsoftAuthenticatorMethods: [
              { id: `c0c0c0c0-0000-4000-8000-${suffix}`, displayName: 'Pixel 8', deviceTag: 'SoftwareTokenActivated', phoneAppVersion: '6.2401.0', createdDateTime: '2024-01-02T03:04:05Z' },
            ],
          }
        : {}),
    });
  }
  return { seed, upns };
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
    // As plan reads: USERS_IN_FLIGHT users at a time, their GETs packed into $batch requests by the gateway.
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

function printTable(rows: readonly GraphReadsMeasurement[]): void {
  const header = ['mode', 'users', 'read', 'seconds', 'users/s', 'RU charged', 'budget/window', 'window ms', 'budget used', 'rate/budget', '429s', 'early retries', 'sent early', 'batches', 'max in flight'];
  const lines = rows.map((row) => [
    row.mode,
    String(row.users),
    String(row.usersRead),
    row.seconds.toFixed(2),
    String(row.usersPerSecond),
    String(row.resourceUnits),
    String(row.budgetPerWindow),
    String(row.windowMs),
    `${(row.budgetFraction * 100).toFixed(1)} %`,
    `${(row.budgetRate * 100).toFixed(1)} %`,
    String(row.throttled),
    String(row.earlyRetries),
    String(row.sentBeforeRetryAfter),
    String(row.batches),
    String(row.maxBatchesInFlight),
  ]);
  process.stdout.write(formatTable(header, lines));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      users: { type: 'string', default: '5000' },
      budget: { type: 'string', default: '1500' },
      'time-scale': { type: 'string', default: '0.15' },
    },
  });
  const base = { users: Number(values.users), resourceUnitsPerWindow: Number(values.budget), timeScale: Number(values['time-scale']) };
  const rows = [await measureGraphReads({ ...base, budgetKnown: false }), await measureGraphReads({ ...base, budgetKnown: true })];
  printTable(rows);
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/graph-reads.json', `${JSON.stringify({ measuredAt: new Date().toISOString(), node: process.version, results: rows }, null, 2)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
