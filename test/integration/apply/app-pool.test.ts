/**
 * apply through an app pool against the emulator: several app registrations of one tenant, each
 * signing in with its own secret (the real @azure/identity credential over https), the run's
 * writes spread over them and each operation recording the app that sent it; preflight naming the
 * app that lacks a permission before anything is written; and a 429 backing off the governor its
 * `x-ms-throttle-scope` names — every app for the tenant's write quota, only the app for its own.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../../src/emulator/server.js';
import type { ExecutorObserver, ExecutorSettings } from '../../../src/graph/batch-executor.js';
import type { CredentialFactory } from '../../../src/graph/credentials.js';
import type { SendingApp } from '../../../src/graph/gateway.js';
import { openJournal } from '../../../src/journal/journal.js';
import { memoryLog } from '../../../src/log.js';
import { runApply, type ApplyResult } from '../../../src/migrate/apply.js';
import { runPlan } from '../../../src/migrate/plan.js';
import { silentProgress } from '../../../src/migrate/deps.js';
import { systemClock } from '../../../src/clock.js';
import { writeRunReports } from '../../../src/report/write-reports.js';
import { MigrateError } from '../../../src/errors.js';
import { readFile } from 'node:fs/promises';
import { poolApps, poolConfig, seedWithPool, type PoolApp } from '../../support/app-pool.js';
import { fixtureApplyInput, tenantState } from '../../support/apply-run.js';
import { sampleSeed } from '../../support/emulator.js';
import { emulatorGateway } from '../graph/gateway-fixture.js';

const EXECUTOR: Partial<ExecutorSettings> = { retryBaseDelayMs: 5, retryMaxDelayMs: 40 };

let dir: string;
let reference: unknown;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mfa-migrate-app-pool-'));
  // What one app leaves: the pool must leave the same tenant.
  const emulator = await startEmulator({ tenant: sampleSeed() });
  const journal = openJournal(join(dir, 'reference.db'), { clock: systemClock });
  const graph = emulatorGateway(emulator, { matchAttribute: 'onPremisesSamAccountName' });
  try {
    expect((await runApply(fixtureApplyInput(), { graph, journal, log: memoryLog(), clock: systemClock, progress: silentProgress })).operations.failed).toBe(0);
    reference = tenantState(emulator);
  } finally {
    graph.close();
    journal.close();
    await emulator.close();
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Tokens the emulator issues to each app of the seed, without a token endpoint round trip (plain http). */
function issuedTokens(emulator: RunningEmulator): CredentialFactory {
  return (settings) => ({
    getToken: () => Promise.resolve({ token: emulator.issueToken('clientId' in settings && settings.clientId !== null ? settings.clientId : undefined), expiresOnTimestamp: Date.now() + 3_600_000 }),
  });
}

interface Timeline {
  readonly sent: { readonly at: number; readonly app: string | null }[];
  readonly throttled: { readonly at: number; readonly app: string | null; readonly scope: 'app' | 'tenant'; readonly retryAfterMs: number }[];
  readonly observer: ExecutorObserver;
}

function timeline(): Timeline {
  const sent: Timeline['sent'] = [];
  const throttled: Timeline['throttled'] = [];
  const name = (app: SendingApp): string | null => app.name;
  return {
    sent,
    throttled,
    observer: {
      sent: (event) => { if (event.kind === 'batch') sent.push({ at: event.at, app: name(event.app) }); },
      answered: (event) => {
        if (event.throttleScope !== null && event.retryAfterMs !== null) throttled.push({ at: event.at, app: name(event.app), scope: event.throttleScope, retryAfterMs: event.retryAfterMs });
      },
    },
  };
}

async function applyThroughPool(emulator: RunningEmulator, apps: readonly PoolApp[], options: { readonly observer?: ExecutorObserver; readonly https: boolean; readonly journal: string }): Promise<ApplyResult & { readonly reportJson: string }> {
  const graph = emulatorGateway(emulator, {
    appPool: poolConfig(emulator.tenantId, apps),
    matchAttribute: 'onPremisesSamAccountName',
    executor: EXECUTOR,
    ...(options.https ? {} : { credentials: issuedTokens(emulator) }),
    ...(options.observer === undefined ? {} : { observer: options.observer }),
  });
  const journal = openJournal(join(dir, options.journal), { clock: systemClock });
  try {
    const result = await runApply(fixtureApplyInput(), { graph, journal, log: memoryLog(), clock: systemClock, progress: silentProgress });
    const reports = await writeRunReports(journal, result.run.id, { dir: join(dir, 'reports'), unmask: false });
    return { ...result, reportJson: reports.reconciliationJson };
  } finally {
    graph.close();
    journal.close();
  }
}

async function emulatorFor(apps: readonly PoolApp[], options: Partial<EmulatorOptions> = {}, roles?: Readonly<Record<string, readonly string[]>>): Promise<RunningEmulator> {
  return startEmulator({ tenant: seedWithPool(sampleSeed(), apps, roles), ...options });
}

describe('apply through an app pool', () => {
  it('signs every app in with its own secret, spreads the writes over them, records the app of each operation and lists the apps in the report', async () => {
    const apps = poolApps(3);
    const emulator = await emulatorFor(apps, { https: true });
    try {
      const result = await applyThroughPool(emulator, apps, { https: true, journal: 'spread.db' });
      expect(result.operations.failed).toBe(0);
      expect(tenantState(emulator)).toEqual(reference);
      expect(emulator.stats().tokensIssued).toBe(3);

      const report = JSON.parse(await readFile(result.reportJson, 'utf8')) as {
        run: { apps: { name: string | null; clientId: string; operations: number }[]; options: { apps: unknown } };
        users: { operations: { status: string; appId: string | null }[] }[];
      };
      const sent = report.users.flatMap((user) => user.operations.filter((operation) => operation.status === 'done'));
      const byApp = new Map<string | null, number>();
      for (const operation of sent) byApp.set(operation.appId, (byApp.get(operation.appId) ?? 0) + 1);
      // Every write names an app of the pool, and more than one app carried them.
      expect([...byApp.keys()].every((id) => apps.some((app) => app.clientId === id))).toBe(true);
      expect(byApp.size).toBeGreaterThan(1);
      expect(report.run.apps.map((app) => ({ name: app.name, clientId: app.clientId }))).toEqual(apps.map((app) => ({ name: app.name, clientId: app.clientId })));
      expect(report.run.apps.reduce((sum, app) => sum + app.operations, 0)).toBe(sent.length);
      expect(report.run.options.apps).toEqual(apps.map((app) => ({ name: app.name, clientId: app.clientId })));
    } finally {
      await emulator.close();
    }
  }, 60_000);

  it('spreads plan\'s reads over the apps, each under its own resource-unit budget', async () => {
    const apps = poolApps(3);
    const emulator = await emulatorFor(apps);
    const watch = timeline();
    const graph = emulatorGateway(emulator, { appPool: poolConfig(emulator.tenantId, apps), matchAttribute: 'onPremisesSamAccountName', credentials: issuedTokens(emulator), observer: watch.observer });
    const journal = openJournal(join(dir, 'plan.db'), { clock: systemClock });
    try {
      const planned = await runPlan(fixtureApplyInput().plan, { graph, journal, log: memoryLog(), clock: systemClock, progress: silentProgress });
      expect(planned.summary.byStatus.planned).toBeGreaterThan(0);
      const perApp = apps.map((app) => watch.sent.filter((send) => send.app === app.name).length);
      expect(perApp.every((count) => count > 0), `batches per app: ${perApp.join(', ')}`).toBe(true);
      expect(graph.governorSnapshot().resourceUnitsPerWindow).toBe(3_500);
      expect(emulator.stats().writes).toBe(0);
    } finally {
      graph.close();
      journal.close();
      await emulator.close();
    }
  }, 60_000);

  it('refuses to start when one app lacks a permission, naming that app and the permission, before anything is written', async () => {
    const apps = poolApps(2);
    const emulator = await emulatorFor(apps, { https: true }, { 'migration-2': ['User.Read.All', 'UserAuthenticationMethod.Read.All', 'Policy.Read.All'] });
    try {
      const error = await applyThroughPool(emulator, apps, { https: true, journal: 'lacking.db' }).then(() => null, (caught: unknown) => caught);
      expect(error).toBeInstanceOf(MigrateError);
      expect(error).toMatchObject({ code: 'GRAPH_PERMISSION_MISSING', exitCode: 5 });
      const { message } = error as MigrateError;
      expect(message).toContain(`App "migration-2" (${apps[1]?.clientId ?? ''}) of the app pool lacks`);
      expect(message).toMatch(/UserAuthenticationMethod\.ReadWrite\.All.*Policy\.ReadWrite\.AuthenticationMethod/);
      expect(message).not.toContain('migration-1');
      expect(emulator.stats().writes).toBe(0);
    } finally {
      await emulator.close();
    }
  }, 60_000);

  it('pauses every app when the tenant\'s write quota answers 429 (Tenant/Write): none sends before its Retry-After, and the run completes', async () => {
    const apps = poolApps(2);
    // Another writer holds most of the tenant's quota: 12 writes per 1 s are left for the pool, whose own budgets are far wider.
    const emulator = await emulatorFor(apps, { throttle: { timeScale: 0.01, tenantWritesPerWindow: 12, tenantWriteWindowSeconds: 100 } });
    const watch = timeline();
    try {
      const result = await applyThroughPool(emulator, apps, { https: false, observer: watch.observer, journal: 'tenant-429.db' });
      expect(result.operations.failed).toBe(0);
      expect(tenantState(emulator)).toEqual(reference);
      const stats = emulator.stats();
      expect(stats.throttledByScope['Tenant/Write']).toBeGreaterThan(0);
      expect(stats.earlyRetries).toBe(0);
      const tenantEpisodes = watch.throttled.filter((episode) => episode.scope === 'tenant');
      expect(tenantEpisodes.length).toBeGreaterThan(0);
      // While the tenant's Retry-After runs, no app sends anything.
      const during = tenantEpisodes.flatMap((episode) => watch.sent.filter((send) => send.at > episode.at && send.at < episode.at + episode.retryAfterMs));
      expect(during).toEqual([]);
    } finally {
      await emulator.close();
    }
  }, 60_000);

  it('backs off only the app whose own write quota answers 429 (Tenant_Application/Write): the other goes on meanwhile', async () => {
    const apps = poolApps(2);
    // Each app may write 8 times per 1.5 s; the pool's governors are not told, so they learn it from 429s.
    const emulator = await emulatorFor(apps, { throttle: { timeScale: 0.01, writesPerWindow: 8 } });
    const watch = timeline();
    try {
      const result = await applyThroughPool(emulator, apps, { https: false, observer: watch.observer, journal: 'app-429.db' });
      expect(result.operations.failed).toBe(0);
      expect(tenantState(emulator)).toEqual(reference);
      const stats = emulator.stats();
      expect(stats.throttledByScope['Tenant_Application/Write']).toBeGreaterThan(0);
      expect(stats.throttledByScope['Tenant/Write']).toBeUndefined();
      expect(stats.earlyRetries).toBe(0);
      const appEpisodes = watch.throttled.filter((episode) => episode.scope === 'app');
      expect(appEpisodes.length).toBeGreaterThan(0);
      // The throttled app waits out its Retry-After…
      const ownDuring = appEpisodes.flatMap((episode) => watch.sent.filter((send) => send.app === episode.app && send.at > episode.at && send.at < episode.at + episode.retryAfterMs));
      expect(ownDuring).toEqual([]);
      // …while the other app sends.
      const othersDuring = appEpisodes.flatMap((episode) => watch.sent.filter((send) => send.app !== episode.app && send.at > episode.at && send.at < episode.at + episode.retryAfterMs));
      expect(othersDuring.length).toBeGreaterThan(0);
    } finally {
      await emulator.close();
    }
  }, 60_000);
});
