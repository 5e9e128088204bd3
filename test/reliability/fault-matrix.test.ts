/**
 * The fault matrix
 * (docs/decisions.md "Reliability proofs: one fault at a time, three-way agreement"): apply of the
 * sample exports against the emulator under one kind of fault at a time — 429s of the whole
 * `$batch` and of its items with whole and fractional `Retry-After`, each 5xx, `424` chains,
 * dropped connections, answers lost after the write was made, requests stalled past the client's
 * timeout, a token that expires mid-run, latency, the tenant's write quota answering 429
 * (`x-ms-throttle-scope: Tenant/…`) to an app pool mid-run, and Graph refusing one user's number
 * with 400. Each run goes to completion through the real gateway (real HTTP) and a journal file,
 * then three things must agree:
 * - the tenant: exactly the state a clean apply leaves (bar the refused number);
 * - the journal: no operation left `planned` or `sent`, every user with a final status;
 * - the report (built from the journal alone): each user's "after" is what the tenant holds;
 * and nothing was written twice: each phone created once, no request repeated before its
 * `Retry-After`.
 * The default run tries each fault with one seed; `npm run test:soak` with SOAK_SEEDS of them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/server.js';
import type { StatsSnapshot } from '../../src/emulator/stats.js';
import type { ExecutorSettings } from '../../src/graph/batch-executor.js';
import { openJournal, type Journal } from '../../src/journal/journal.js';
import { memoryLog } from '../../src/log.js';
import { runApply, type ApplyResult } from '../../src/migrate/apply.js';
import { silentProgress } from '../../src/migrate/deps.js';
import { systemClock } from '../../src/clock.js';
import { writeRunReports } from '../../src/report/write-reports.js';
import { Secret } from '../../src/secret.js';
import { emulatorGateway } from '../integration/graph/gateway-fixture.js';
import { expectReportMatchesTenant, fixtureApplyInput, tenantState } from '../support/apply-run.js';
import { poolApps, poolConfig, seedWithPool, type PoolApp } from '../support/app-pool.js';
import { sampleSeed } from '../support/emulator.js';
import { soak } from './run-budget.js';

const SOAK_SEEDS = 8;
const seeds = soak ? Array.from({ length: SOAK_SEEDS }, (_, index) => 101 + index) : [101];

/** Quick retries, so a run under faults takes seconds; the attempts are generous so faults never exhaust them. */
const EXECUTOR: Partial<ExecutorSettings> = { requestTimeoutMs: 1_500, retryBaseDelayMs: 5, retryMaxDelayMs: 40, maxTransportAttempts: 20, maxServerErrorAttempts: 20 };
/** The app of fixtures/tenant.json, for the case that signs in with a client secret. */
const APP = { clientId: 'c0ffee00-0000-4000-8000-000000000001', clientSecret: 'emulator-development-secret' };
/** Carol's mobile (fixtures/users.csv line 4; she has no phone in Entra yet), which the refusal case makes Graph answer 400 for. */
const REFUSED = { username: 'CONTOSO\\carol', upn: 'carol.clarke@contoso.com', number: '+447911123456' };
/** The app pool of the tenant-scope case. */
const POOL = poolApps(2);

interface FaultCase {
  readonly name: string;
  readonly emulator: (seed: number) => Partial<EmulatorOptions>;
  /** Secret sign-in over https, with every issued token expired once this many writes went through. */
  readonly expireTokenAfterWrites?: number;
  /** Apply through an app pool of these apps (added to the seed) instead of one app. */
  readonly pool?: readonly PoolApp[];
  /** The fault really happened: counts from the emulator's stats, each of which must be above 0. */
  readonly injected: (stats: StatsSnapshot) => Readonly<Record<string, number>>;
}

const statusCount = (stats: StatsSnapshot, status: number): number => stats.byStatus[String(status)] ?? 0;

const CASES: readonly FaultCase[] = [
  {
    name: '429 of whole batches and of batch items, Retry-After 1 s',
    emulator: (seed) => ({ faults: `seed=${seed},429=0.2,retryAfter=1` }),
    injected: (stats) => ({ 'whole 429': stats.throttled - stats.throttledInBatch, 'item 429': stats.throttledInBatch }),
  },
  {
    name: '429 of whole batches and of batch items, Retry-After 0.35 s',
    emulator: (seed) => ({ faults: `seed=${seed},429=0.25,retryAfter=0.35` }),
    injected: (stats) => ({ 'whole 429': stats.throttled - stats.throttledInBatch, 'item 429': stats.throttledInBatch }),
  },
  {
    name: '429 of the write budget (sliding window, fractional Retry-After)',
    emulator: (seed) => ({ faults: `seed=${seed}`, throttle: { timeScale: 0.01, writesPerWindow: 15, writeWindowSeconds: 20 } }),
    injected: (stats) => ({ 429: stats.throttled }),
  },
  ...[500, 502, 503, 504].map((status) => ({
    name: `${String(status)} of whole batches and of batch items, with 424 for the items that depend on them`,
    emulator: (seed: number) => ({ faults: `seed=${seed},5xx=0.2,status=${String(status)}` }),
    injected: (stats: StatsSnapshot) => ({ [status]: statusCount(stats, status), 424: statusCount(stats, 424) }),
  })),
  {
    name: 'connections dropped before the request is handled',
    emulator: (seed) => ({ faults: `seed=${seed},drop=0.2` }),
    injected: (stats) => ({ dropped: stats.faults['drop'] ?? 0 }),
  },
  {
    name: 'answers lost after the writes were made',
    // lostWrites: the first 3 answers to batches that made writes are lost whatever the seed.
    emulator: (seed) => ({ faults: `seed=${seed},lost=0.2,lostWrites=3` }),
    injected: (stats) => ({ lost: stats.faults['lostResponse'] ?? 0, 'lost after a write': stats.faults['lostAfterWrite'] ?? 0 }),
  },
  {
    name: 'requests stalled past the client timeout',
    emulator: (seed) => ({ faults: `seed=${seed},stall=0.15` }),
    injected: (stats) => ({ stalled: stats.faults['stall'] ?? 0 }),
  },
  {
    name: 'latency of 20–150 ms on every request',
    emulator: (seed) => ({ faults: `seed=${seed},latency=20-150` }),
    injected: (stats) => ({ 'delayed requests': stats.requests }),
  },
  {
    // Another writer holds most of the tenant's quota: 15 writes per 0.2 s are left to the pool,
    // whose governors know only their own budgets and the default tenant budget.
    name: '429 of the tenant\'s write quota to an app pool of two apps (Tenant/Write), every app pausing',
    emulator: (seed) => ({ faults: `seed=${seed}`, tenant: seedWithPool(sampleSeed(), POOL), throttle: { timeScale: 0.01, tenantWritesPerWindow: 15, tenantWriteWindowSeconds: 20 } }),
    pool: POOL,
    injected: (stats) => ({ 'tenant-scope 429': stats.throttledByScope['Tenant/Write'] ?? 0 }),
  },
  {
    name: 'the access token expires mid-run (401, then a new token)',
    emulator: (seed) => ({ faults: `seed=${seed}`, https: true }),
    expireTokenAfterWrites: 20,
    injected: (stats) => ({ 401: statusCount(stats, 401), 'new tokens': stats.tokensIssued - 1 }),
  },
];

let dir: string;
let reference: unknown;
/** Faults injected per kind over all seeds, printed at the end for the closing note's figures. */
const injectedPerKind = new Map<string, number>();

function tally(kinds: Readonly<Record<string, number>>): void {
  for (const [kind, count] of Object.entries(kinds)) injectedPerKind.set(kind, (injectedPerKind.get(kind) ?? 0) + count);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mfa-migrate-faults-'));
  const emulator = await startEmulator({ tenant: sampleSeed() });
  const journal = openJournal(join(dir, 'reference.db'), { clock: systemClock });
  try {
    const result = await apply(emulator, journal, {});
    expect(result.operations.failed).toBe(0);
    reference = tenantState(emulator);
  } finally {
    journal.close();
    await emulator.close();
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  const lines = [...injectedPerKind].map(([kind, count]) => `  ${String(count).padStart(5)}  ${kind}`);
  console.log(`fault matrix: ${String(CASES.length + 1)} fault cases × ${String(seeds.length)} seed(s)${soak ? ' (SOAK)' : ''}; injected:\n${lines.join('\n')}`);
});

async function apply(emulator: RunningEmulator, journal: Journal, faultCase: Pick<FaultCase, 'expireTokenAfterWrites' | 'pool'>): Promise<ApplyResult> {
  const secret = faultCase.expireTokenAfterWrites !== undefined;
  const graph = emulatorGateway(emulator, {
    matchAttribute: 'onPremisesSamAccountName',
    executor: EXECUTOR,
    ...(secret ? { auth: { mode: 'secret', tenantId: emulator.tenantId, clientId: APP.clientId, clientSecret: new Secret(APP.clientSecret) } } : {}),
    // Each app of a pool gets the tokens the emulator issues it (over http, checked wherever they arrive).
    ...(faultCase.pool === undefined
      ? {}
      : {
          appPool: poolConfig(emulator.tenantId, faultCase.pool),
          credentials: (settings) => ({ getToken: () => Promise.resolve({ token: emulator.issueToken('clientId' in settings && settings.clientId !== null ? settings.clientId : undefined), expiresOnTimestamp: Date.now() + 3_600_000 }) }),
        }),
  });
  // The token expires once the run is writing: polled, since the run owns the event loop's work.
  const expireAfter = faultCase.expireTokenAfterWrites;
  const watch =
    expireAfter === undefined
      ? null
      : setInterval(() => {
          if (emulator.stats().writes < expireAfter) return;
          emulator.expireIssuedTokens();
          if (watch !== null) clearInterval(watch);
        }, 2);
  try {
    return await runApply({ ...fixtureApplyInput(), temporaryAccessPass: null }, { graph, journal, log: memoryLog(), clock: systemClock, progress: silentProgress });
  } finally {
    if (watch !== null) clearInterval(watch);
    graph.close();
  }
}

/** No operation left planned or sent, and every user of the run with a final status. */
function expectJournalSettled(journal: Journal, runId: string): void {
  const users = [...journal.iterateUsers(runId)];
  expect(users.length).toBeGreaterThan(15);
  expect(users.filter((user) => user.finalStatus === null).map((user) => user.username)).toEqual([]);
  const unsettled = users.flatMap((user) => user.operations.filter((operation) => operation.status === 'planned' || operation.status === 'sent').map((operation) => `${user.username} ${operation.kind}`));
  expect(unsettled).toEqual([]);
}

/** The journal settled, nothing written twice, and the run's report showing what the tenant holds. */
async function expectJournalAndReportAgree(journal: Journal, runId: string, emulator: RunningEmulator): Promise<void> {
  expectJournalSettled(journal, runId);
  const stats = emulator.stats();
  expect(Object.entries(stats.phoneCreates).filter(([, count]) => count !== 1)).toEqual([]);
  expect(stats.earlyRetries).toBe(0);
  const reports = await writeRunReports(journal, runId, { dir: join(dir, 'reports'), unmask: true });
  expect(await expectReportMatchesTenant(reports.reconciliationJson, emulator)).toBeGreaterThan(15);
}

describe.each(seeds)('fault matrix, seed %i', (seed) => {
  it.each(CASES)('$name: tenant, journal and report agree, nothing written twice', async (faultCase) => {
    const emulator = await startEmulator({ tenant: sampleSeed(), ...faultCase.emulator(seed) });
    const journal = openJournal(join(dir, `${String(seed)}-${String(CASES.indexOf(faultCase))}.db`), { clock: systemClock });
    try {
      const result = await apply(emulator, journal, faultCase);
      const stats = emulator.stats();
      const injected = faultCase.injected(stats);
      tally(injected);
      for (const [kind, count] of Object.entries(injected)) expect(count, `${kind} injected`).toBeGreaterThan(0);

      expect(result.interrupted).toBe(false);
      expect(result.operations.failed).toBe(0);
      expect(tenantState(emulator)).toEqual(reference);
      await expectJournalAndReportAgree(journal, result.run.id, emulator);
    } finally {
      journal.close();
      await emulator.close();
    }
  }, 60_000);

  it('Graph answers 400 for one user\'s number: that write fails with Graph\'s code, the user is failed, everyone else migrates', async () => {
    const emulator = await startEmulator({ tenant: sampleSeed(), faults: `seed=${seed},reject=${REFUSED.number}` });
    const journal = openJournal(join(dir, `${String(seed)}-refused.db`), { clock: systemClock });
    try {
      const result = await apply(emulator, journal, {});
      const users = [...journal.iterateUsers(result.run.id)];
      const refused = users.find((user) => user.username === REFUSED.username);
      const failed = users.flatMap((user) => user.operations.filter((operation) => operation.status === 'failed').map((operation) => ({ user: user.username, kind: operation.kind, graphCode: operation.graphCode, requestId: operation.requestId })));
      // Carol's phone and the default that needs it: the first refused with Graph's code, the second not made without it.
      expect(failed.filter((operation) => operation.user !== REFUSED.username)).toEqual([]);
      expect(failed).toContainEqual({ user: REFUSED.username, kind: 'createPhone', graphCode: 'badRequest', requestId: expect.any(String) as string });
      expect(refused?.finalStatus).toBe('failed');
      expect(statusCount(emulator.stats(), 400)).toBeGreaterThan(0);
      tally({ '400 for a number': statusCount(emulator.stats(), 400) });

      // Everyone else exactly as a clean apply leaves them; Carol without the refused phone.
      const state = tenantState(emulator) as { users: { upn: string; phones: unknown[] }[] };
      const expected = reference as { users: { upn: string; phones: unknown[] }[] };
      expect(state.users.filter((user) => user.upn !== REFUSED.upn)).toEqual(expected.users.filter((user) => user.upn !== REFUSED.upn));
      expect(state.users.find((user) => user.upn === REFUSED.upn)?.phones).toEqual([]);
      await expectJournalAndReportAgree(journal, result.run.id, emulator);
    } finally {
      journal.close();
      await emulator.close();
    }
  }, 60_000);
});
