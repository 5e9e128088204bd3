/**
 * runApply and runRollback in-process: the sample exports against the emulator seeded with
 * fixtures/tenant.json, through the real gateway (real HTTP) and a real journal file. The state a
 * clean apply leaves is the reference; applies under throttling, faults and interruptions must
 * converge to it, and a second apply must write nothing.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/server.js';
import { openJournal, type Journal } from '../../../src/journal/journal.js';
import { acquireJournalLock, lockPathOf } from '../../../src/journal/lock.js';
import { memoryLog } from '../../../src/log.js';
import { runApply, type ApplyResult } from '../../../src/migrate/apply.js';
import { silentProgress } from '../../../src/migrate/deps.js';
import { systemClock } from '../../../src/clock.js';
import { runRollback } from '../../../src/migrate/rollback.js';
import { runVerify, runVerifyExports } from '../../../src/migrate/verify.js';
import type { ExecutorSettings } from '../../../src/graph/batch-executor.js';
import type { GovernorLimits } from '../../../src/graph/governor.js';
import { fixtureApplyInput, tenantState } from '../../support/apply-run.js';
import { Secret } from '../../../src/secret.js';
import { callGraph, ids, sampleSeed } from '../../support/emulator.js';
import { emulatorGateway } from '../graph/gateway-fixture.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'mfa-migrate-apply-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

interface GatewayTuning {
  readonly limits?: Partial<GovernorLimits>;
  readonly executor?: Partial<ExecutorSettings>;
}

/** `stopAt`: Ctrl-C as the step with this progress label starts (the gateway stopped, the signal aborted, as the CLI does). */
async function apply(emulator: RunningEmulator, journal: Journal, options: { stopAt?: string; tuning?: GatewayTuning; tapFile?: string; tapLifetime?: number } = {}): Promise<ApplyResult> {
  const graph = emulatorGateway(emulator, { matchAttribute: 'onPremisesSamAccountName', ...options.tuning });
  const controller = new AbortController();
  const progress = {
    ...silentProgress,
    start: (label: string) => {
      if (label !== options.stopAt) return;
      graph.stop();
      controller.abort();
    },
  };
  try {
    const temporaryAccessPass = options.tapFile === undefined ? null : { file: options.tapFile, lifetimeInMinutes: options.tapLifetime ?? 120 };
    return await runApply({ ...fixtureApplyInput(), temporaryAccessPass }, { graph, journal, log: memoryLog(), clock: systemClock, progress, signal: controller.signal });
  } finally {
    graph.close();
  }
}

let reference: unknown;
/** fixtureApplyInput's Graph: the tenant the fixture runs record. */
const FIXTURE_TENANT = { graphUrl: 'emulator', tenantId: null };

describe('runApply', () => {
  it('applies the fixtures, a second apply writes nothing, and every user has a final status', async () => {
    const emulator = await startEmulator({ tenant: sampleSeed(), throttle: 'off' });
    const journal = openJournal(join(dir, 'clean.db'), { clock: systemClock });
    try {
      const first = await apply(emulator, journal);
      expect(first.start).toBe('planned');
      expect(first.interrupted).toBe(false);
      expect(first.operations.failed).toBe(0);
      expect(first.usersByFinalStatus).toMatchObject({ conflict: 1, unmatched: 1 });
      expect(first.usersByFinalStatus.migrated).toBeGreaterThan(15);
      const users = [...journal.iterateUsers(first.run.id)];
      expect(users.every((user) => user.finalStatus !== null)).toBe(true);
      expect(users.flatMap((user) => user.operations).filter((operation) => operation.status === 'planned' || operation.status === 'sent')).toEqual([]);
      // Spot checks of R3/R4 and R13 in Entra itself.
      const state = emulator.state() as { users: { userPrincipalName: string; phoneMethods: { phoneType: string; phoneNumber: string }[] }[]; hardwareOathDevices: { serialNumber: string; status: string; assignedTo: string | null }[] };
      expect(state.users.find((user) => user.userPrincipalName === 'bob.brown@contoso.com')?.phoneMethods).toContainEqual(expect.objectContaining({ phoneType: 'office', phoneNumber: '+1 4255550101x123' }));
      expect(state.hardwareOathDevices.filter((device) => device.status === 'activated').length).toBeGreaterThanOrEqual(2);
      expect(emulator.stats().hardwareActivations).toBeGreaterThanOrEqual(1);
      for (const count of Object.values(emulator.stats().phoneCreates)) expect(count).toBe(1);
      reference = tenantState(emulator);

      const writes = emulator.stats().writes;
      const second = await apply(emulator, journal);
      expect(second.start).toBe('planned');
      expect(second.operations).toEqual({ done: 0, failed: 0, skipped: 0 });
      expect(emulator.stats().writes).toBe(writes);
      expect(second.usersByFinalStatus.migrated ?? 0).toBe(0);
    } finally {
      journal.close();
      await emulator.close();
    }
  });

  it('converges to the same state under whole and inner 429s, 5xx, latency and dropped connections', async () => {
    const emulator = await startEmulator({
      tenant: sampleSeed(),
      // 12 writes per 0.5 s: the gateway below believes Graph's real limit, so the emulator's 429s teach it.
      throttle: { timeScale: 1, writesPerWindow: 12, writeWindowSeconds: 0.5 },
      faults: 'seed=11,5xx=0.15,drop=0.1,latency=2-15',
    });
    const journal = openJournal(join(dir, 'faults.db'), { clock: systemClock });
    try {
      const result = await apply(emulator, journal, { tuning: { executor: { requestTimeoutMs: 2_000, retryBaseDelayMs: 5, retryMaxDelayMs: 50, maxTransportAttempts: 12, maxServerErrorAttempts: 12 } } });
      expect(result.operations.failed).toBe(0);
      const stats = emulator.stats();
      expect(stats.throttled + stats.throttledInBatch).toBeGreaterThan(0);
      expect(Object.keys(stats.faults).length).toBeGreaterThan(0);
      for (const count of Object.values(stats.phoneCreates)) expect(count).toBe(1);
      expect(tenantState(emulator)).toEqual(reference);
    } finally {
      journal.close();
      await emulator.close();
    }
  });

  it('stops when asked as writing begins, marks the run interrupted, and the next apply resumes it to the same state', async () => {
    const emulator = await startEmulator({ tenant: sampleSeed(), throttle: 'off' });
    const journal = openJournal(join(dir, 'interrupted.db'), { clock: systemClock });
    try {
      // Ctrl-C once the plan is made and before any write: everything stays planned.
      const stopped = await apply(emulator, journal, { stopAt: 'Applying' });
      expect(stopped.interrupted).toBe(true);
      expect(journal.getRun(stopped.run.id)?.status).toBe('interrupted');
      expect(emulator.stats().writes).toBe(0);

      const resumed = await apply(emulator, journal);
      expect(resumed.start).toBe('resumed');
      expect(resumed.run.id).toBe(stopped.run.id);
      expect(journal.getRun(stopped.run.id)?.status).toBe('finished');
      expect(tenantState(emulator)).toEqual(reference);
    } finally {
      journal.close();
      await emulator.close();
    }
  });

  it('refuses a second writer on the same journal while the first holds it', () => {
    const state = join(dir, 'locked.db');
    const lock = acquireJournalLock(state, 'apply', new Date());
    try {
      expect(() => acquireJournalLock(state, 'apply', new Date())).toThrow(expect.objectContaining({ code: 'JOURNAL_LOCKED', exitCode: 2 }));
    } finally {
      lock.release();
    }
    // A lock left by a process that no longer runs (SIGKILL) is taken over; one whose owner runs is not.
    writeFileSync(lockPathOf(state), JSON.stringify({ pid: 999_999_999, host: hostname(), command: 'apply', startedAt: new Date().toISOString() }));
    expect(() => acquireJournalLock(state, 'apply', new Date(), () => true)).toThrow(expect.objectContaining({ code: 'JOURNAL_LOCKED' }));
    const taken = acquireJournalLock(state, 'apply', new Date(), () => false);
    expect(JSON.parse(readFileSync(lockPathOf(state), 'utf8'))).toMatchObject({ pid: process.pid });
    taken.release();
    expect(existsSync(lockPathOf(state))).toBe(false);
  });

  it('a writer killed while taking the lock leaves nothing that refuses the resume', async () => {
    const state = join(dir, 'killed-while-locking.db');
    // Killed after writing its draft, before linking it: only the draft of a dead pid is left.
    const draft = `${lockPathOf(state)}.999999999.draft`;
    writeFileSync(draft, JSON.stringify({ pid: 999_999_999, host: hostname(), command: 'apply', startedAt: new Date().toISOString() }));
    const lock = acquireJournalLock(state, 'apply', new Date(), (pid) => pid === process.pid);
    expect(JSON.parse(readFileSync(lockPathOf(state), 'utf8'))).toMatchObject({ pid: process.pid });
    expect((await readdir(dir)).filter((name) => name.startsWith('killed-while-locking'))).toEqual(['killed-while-locking.db.lock']);
    lock.release();
  });
});

describe('runRollback', () => {
  it('restores every change Graph can undo, keeps and explains the defaults Entra cannot unset, and is idempotent', async () => {
    const emulator = await startEmulator({ tenant: sampleSeed(), throttle: 'off' });
    const before = structuredClone(emulator.state()) as { users: { id: string; phoneMethods: unknown[]; signInPreferences: { userPreferredMethodForSecondaryAuthentication: string | null } }[] };
    const journal = openJournal(join(dir, 'rollback.db'), { clock: systemClock });
    const graph = emulatorGateway(emulator, { matchAttribute: 'onPremisesSamAccountName' });
    const deps = { graph, journal, log: memoryLog(), clock: systemClock, progress: silentProgress };
    try {
      const applied = await apply(emulator, journal);
      const dry = await runRollback({ applyRunId: applied.run.id, execute: false, tenant: FIXTURE_TENANT }, deps);
      expect(dry.run).toBeNull();
      const writes = emulator.stats().writes;
      expect(dry.users.length).toBeGreaterThan(0);
      expect(emulator.stats().writes).toBe(writes);

      const executed = await runRollback({ applyRunId: applied.run.id, execute: true, tenant: FIXTURE_TENANT }, deps);
      expect(executed.operations.failed).toBe(0);
      const after = emulator.state() as typeof before;
      // Users the run gave a default where they had none keep it and the phone it points at (Graph
      // cannot unset a default nor delete the default phone); everyone else is exactly as before.
      const keptDefault = new Set(dry.users.filter((user) => user.kept.some((kept) => kept.operation.kind === 'setPreferredMethod')).map((user) => user.line));
      const keptUsers = [...journal.iterateUsers(executed.run?.id ?? '')].filter((user) => keptDefault.has(user.line)).map((user) => user.entraUserId);
      for (const user of before.users) {
        const now = after.users.find((candidate) => candidate.id === user.id);
        if (keptUsers.includes(user.id)) {
          expect(user.signInPreferences.userPreferredMethodForSecondaryAuthentication).toBeNull();
          continue;
        }
        expect(now).toEqual(user);
      }
      expect(keptUsers.length).toBeGreaterThan(0);
      const kept = [...journal.iterateOperations(executed.run?.id ?? '', { status: 'skipped' })];
      expect(kept.every((operation) => operation.errorMessage !== null && operation.revertsOperationId !== null)).toBe(true);

      // Running it again finds nothing left to undo.
      const again = await runRollback({ applyRunId: applied.run.id, execute: false, tenant: FIXTURE_TENANT }, deps);
      expect(again.users.flatMap((user) => user.steps)).toEqual([]);
    } finally {
      graph.close();
      journal.close();
      await emulator.close();
    }
  });
});

describe('runRollback refuses another tenant', () => {
  it('given another Graph than the run wrote to: ROLLBACK_OTHER_TENANT before any request', async () => {
    const emulator = await startEmulator({ tenant: sampleSeed(), throttle: 'off' });
    const journal = openJournal(join(dir, 'rollback-other-graph.db'), { clock: systemClock });
    const graph = emulatorGateway(emulator, { matchAttribute: 'onPremisesSamAccountName' });
    try {
      const applied = await apply(emulator, journal);
      const requests = emulator.stats().requests;
      const refused: unknown = await runRollback({ applyRunId: applied.run.id, execute: true, tenant: { graphUrl: 'https://graph.microsoft.us', tenantId: null } }, { graph, journal, log: memoryLog(), clock: systemClock, progress: silentProgress }).catch((error: unknown) => error);
      expect(refused).toMatchObject({ code: 'ROLLBACK_OTHER_TENANT', exitCode: 2 });
      expect((refused as Error).message).toContain('made against emulator, not https://graph.microsoft.us');
      expect(emulator.stats().requests).toBe(requests);
      expect(journal.latestRun({ command: 'rollback' })).toBeNull();
    } finally {
      graph.close();
      journal.close();
      await emulator.close();
    }
  });

  it('signed in to another tenant than the run recorded (the token\'s tid): ROLLBACK_OTHER_TENANT before any Graph request', async () => {
    const emulator = await startEmulator({ tenant: sampleSeed(), throttle: 'off', https: true });
    const journal = openJournal(join(dir, 'rollback-other-tenant.db'), { clock: systemClock });
    const auth = { mode: 'secret' as const, tenantId: emulator.tenantId, clientId: 'c0ffee00-0000-4000-8000-000000000001', clientSecret: new Secret('emulator-development-secret') };
    const graph = emulatorGateway(emulator, { auth });
    const deps = { graph, journal, log: memoryLog(), clock: systemClock, progress: silentProgress };
    const tenant = { graphUrl: emulator.url, tenantId: null };
    try {
      const elsewhere = journal.createRun({ command: 'apply', parentRunId: null, tenantId: '11111111-2222-4333-8444-555555555555', graphUrl: emulator.url, options: {}, inputs: [] });
      const refused: unknown = await runRollback({ applyRunId: elsewhere.id, execute: true, tenant }, deps).catch((error: unknown) => error);
      expect(refused).toMatchObject({ code: 'ROLLBACK_OTHER_TENANT', exitCode: 2 });
      expect((refused as Error).message).toContain(`made in tenant 11111111-2222-4333-8444-555555555555, not ${emulator.tenantId}`);
      expect(emulator.stats()).toMatchObject({ requests: 0 });
      expect(emulator.stats().tokensIssued).toBeGreaterThan(0);
      // The run's own tenant passes the check.
      const here = journal.createRun({ command: 'apply', parentRunId: null, tenantId: emulator.tenantId, graphUrl: emulator.url, options: {}, inputs: [] });
      expect(await runRollback({ applyRunId: here.id, execute: false, tenant }, deps)).toMatchObject({ run: null, users: [] });
    } finally {
      graph.close();
      journal.close();
      await emulator.close();
    }
  });
});

describe('runVerify', () => {
  it('finds the migration complete after apply, then reports the one number changed in Entra as drift', async () => {
    const emulator = await startEmulator({ tenant: sampleSeed(), throttle: 'off' });
    const journal = openJournal(join(dir, 'verify.db'), { clock: systemClock });
    const graph = emulatorGateway(emulator, { matchAttribute: 'onPremisesSamAccountName' });
    const deps = { graph, journal, log: memoryLog(), clock: systemClock, progress: silentProgress };
    try {
      const applied = await apply(emulator, journal);
      const clean = await runVerify({ runId: null }, deps);
      expect(clean.verifiedRun.id).toBe(applied.run.id);
      expect(clean.drifted).toBe(0);
      expect(clean.usersByStatus).toEqual(applied.usersByFinalStatus);

      // Someone changes Carol's mobile in Entra after the migration.
      const changed = await callGraph(emulator, 'PATCH', `/v1.0/users/${ids.carol}/authentication/phoneMethods/3179e48a-750b-4051-897c-87b9720928f7`, { body: { phoneNumber: '+44 7911000000', phoneType: 'mobile' } });
      expect(changed.status).toBe(204);
      const drifted = await runVerify({ runId: applied.run.id }, deps);
      expect(drifted.drifted).toBe(1);
      const carol = [...journal.iterateUsers(drifted.run.id)].find((user) => user.entraUserId === ids.carol);
      expect(carol?.finalStatus).toBe('partial');
      expect(carol?.issues.filter((issue) => issue.code === 'METHOD_DRIFTED').map((issue) => issue.message)).toEqual([expect.stringContaining('is now +44 7911000000')]);
      expect(journal.getRun(drifted.run.id)).toMatchObject({ command: 'verify', parentRunId: applied.run.id, status: 'finished' });
    } finally {
      graph.close();
      journal.close();
      await emulator.close();
    }
  });

  it('verify --users: every user of the exports, before apply (each missing method named) and after (complete)', async () => {
    const emulator = await startEmulator({ tenant: sampleSeed(), throttle: 'off' });
    const journal = openJournal(join(dir, 'verify-exports.db'), { clock: systemClock });
    const graph = emulatorGateway(emulator, { matchAttribute: 'onPremisesSamAccountName' });
    const deps = { graph, journal, log: memoryLog(), clock: systemClock, progress: silentProgress };
    const { plan } = fixtureApplyInput();
    try {
      const before = await runVerifyExports(plan, deps);
      expect(before.verifiedRun.command).toBe('plan');
      expect(journal.getRun(before.run.id)).toMatchObject({ command: 'verify', parentRunId: before.verifiedRun.id });
      expect(before.usersByStatus.failed).toBeGreaterThan(15);
      expect(emulator.stats().writeAttempts).toBe(0);
      const users = [...journal.iterateUsers(before.run.id)];
      // Carol (no phone in Entra yet): her mobile and her default are each named.
      const carol = users.find((user) => user.entraUserId === ids.carol);
      expect(carol?.finalStatus).toBe('failed');
      expect(carol?.issues.filter((issue) => issue.code === 'METHOD_MISSING').map((issue) => issue.message)).toEqual([
        expect.stringContaining('the mobile phone +44 7911123456 is not in Entra'),
        expect.stringContaining('the default method is unset in Entra, not sms'),
      ]);
      // Alice already holds her number and default: nothing missing.
      expect(users.find((user) => user.entraUserId === ids.alice)?.finalStatus).toBe('migrated');

      await apply(emulator, journal);
      const after = await runVerifyExports(plan, deps);
      expect(after.usersByStatus.failed ?? 0).toBe(0);
      expect(after.usersByStatus.partial ?? 0).toBe(0);
      expect(after.usersByStatus.migrated).toBeGreaterThan(15);
      expect([...journal.iterateUsers(after.run.id)].flatMap((user) => user.issues.filter((issue) => issue.code === 'METHOD_MISSING'))).toEqual([]);
    } finally {
      graph.close();
      journal.close();
      await emulator.close();
    }
  });
});

describe('apply --tap-for-reregistration', () => {
  it('writes a pass for each user who must register Authenticator again, only to the new 0600 file', async () => {
    const emulator = await startEmulator({ tenant: sampleSeed(), throttle: 'off' });
    const state = join(dir, 'tap.db');
    const journal = openJournal(state, { clock: systemClock });
    const tapFile = join(dir, 'passes.csv');
    try {
      const result = await apply(emulator, journal, { tapFile });
      const users = [...journal.iterateUsers(result.run.id)];
      const needing = users.filter((user) => user.entraUserId !== null && (user.plan?.devices ?? []).some((device) => device.registration === 'reregistrationRequired'));
      expect(needing.length).toBeGreaterThan(0);
      expect(result.temporaryAccessPasses).toEqual({ file: tapFile, issued: needing.length, failed: 0 });
      expect(statSync(tapFile).mode & 0o777).toBe(0o600);
      const rows = readFileSync(tapFile, 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));
      expect(rows.map((row) => row[2]).sort()).toEqual(needing.map((user) => user.entraUserId).sort());
      const passes = rows.map((row) => row[3] ?? '');
      expect(passes.every((pass) => pass.length >= 8)).toBe(true);
      // The passes are in Entra, and nowhere in the journal.
      const snapshot = emulator.state() as { users: { id: string; temporaryAccessPassMethods?: unknown[] }[] };
      for (const row of rows) expect(snapshot.users.find((user) => user.id === row[2])?.temporaryAccessPassMethods).toHaveLength(1);
      journal.close();
      const stored = readFileSync(state).toString('latin1') + (existsSync(`${state}-wal`) ? readFileSync(`${state}-wal`).toString('latin1') : '');
      for (const pass of passes) expect(stored).not.toContain(pass);
    } finally {
      journal.close();
      await emulator.close();
    }
  });

  it('stops before writing anything when --tap-lifetime is outside the tenant policy, which holds for every pass', async () => {
    // fixtures/tenant.json: the Temporary Access Pass policy allows 60 to 480 minutes.
    const emulator = await startEmulator({ tenant: sampleSeed(), throttle: 'off' });
    const journal = openJournal(join(dir, 'tap-lifetime.db'), { clock: systemClock });
    try {
      for (const tapLifetime of [30, 481]) {
        const refused = apply(emulator, journal, { tapFile: join(dir, `never-${String(tapLifetime)}.csv`), tapLifetime });
        await expect(refused).rejects.toMatchObject({ code: 'TAP_LIFETIME_OUTSIDE_POLICY', exitCode: 2 });
        await expect(refused).rejects.toThrow(/allows passes of 60 to 480 minutes/);
        expect(existsSync(join(dir, `never-${String(tapLifetime)}.csv`))).toBe(false);
      }
      expect(emulator.stats().writes).toBe(0);
      expect(journal.latestRun({ command: 'apply' })).toBeNull();
    } finally {
      journal.close();
      await emulator.close();
    }
  });

  it('stops before writing anything when the policy disables Temporary Access Pass', async () => {
    const seed = sampleSeed() as unknown as { authenticationMethodsPolicy: { authenticationMethodConfigurations: Record<string, unknown>[] } };
    const tap = seed.authenticationMethodsPolicy.authenticationMethodConfigurations.find((configuration) => configuration['id'] === 'TemporaryAccessPass');
    if (tap === undefined) throw new Error('the sample policy has no TemporaryAccessPass configuration');
    tap['state'] = 'disabled';
    const emulator = await startEmulator({ tenant: seed, throttle: 'off' });
    const journal = openJournal(join(dir, 'tap-disabled.db'), { clock: systemClock });
    try {
      await expect(apply(emulator, journal, { tapFile: join(dir, 'never.csv') })).rejects.toMatchObject({ code: 'TAP_DISABLED_BY_POLICY', exitCode: 2 });
      expect(emulator.stats().writes).toBe(0);
    } finally {
      journal.close();
      await emulator.close();
    }
  });
});
