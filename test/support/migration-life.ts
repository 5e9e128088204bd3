/**
 * The whole life of one generated migration (test/support/model-tenant.ts) against the in-process
 * emulator, through the real gateway and a real journal: plan, apply, apply again, verify,
 * rollback --execute. Each step's invariant is an `expect`; the first broken one throws. Used by
 * the model-based test and by its named regressions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import type { ExecutorSettings } from '../../src/graph/batch-executor.js';
import { openJournal } from '../../src/journal/journal.js';
import { memoryLog } from '../../src/log.js';
import { runApply } from '../../src/migrate/apply.js';
import { silentProgress } from '../../src/migrate/deps.js';
import { systemClock } from '../../src/clock.js';
import { runPlan, type PlanInput } from '../../src/migrate/plan.js';
import { runRollback } from '../../src/migrate/rollback.js';
import { runVerify } from '../../src/migrate/verify.js';
import { emulatorGateway } from '../integration/graph/gateway-fixture.js';
import { materialise, type ModelCase } from './model-tenant.js';

/** Quick retries, so a case under faults takes a fraction of a second; generous attempts, so transient faults never exhaust them. */
export const QUICK_RETRIES: Partial<ExecutorSettings> = { requestTimeoutMs: 1_500, retryBaseDelayMs: 2, retryMaxDelayMs: 20, maxTransportAttempts: 20, maxServerErrorAttempts: 20 };

export interface UserSnapshot {
  readonly phones: Readonly<Record<string, string>>;
  readonly defaultMethod: string | null;
}

export interface TenantSnapshot {
  readonly users: ReadonlyMap<string, UserSnapshot>;
  /** serial → "assignedTo/status". */
  readonly tokens: ReadonlyMap<string, string>;
}

interface EmulatorState {
  readonly users: readonly {
    readonly id: string;
    readonly phoneMethods: readonly { readonly phoneType: string; readonly phoneNumber: string }[];
    readonly signInPreferences: { readonly userPreferredMethodForSecondaryAuthentication: string | null };
  }[];
  readonly hardwareOathDevices: readonly { readonly serialNumber: string; readonly assignedTo: string | null; readonly status: string }[];
}

export function snapshot(emulator: RunningEmulator): TenantSnapshot {
  const state = emulator.state() as unknown as EmulatorState;
  return {
    users: new Map(
      state.users.map((user) => [
        user.id,
        {
          phones: Object.fromEntries(user.phoneMethods.map((phone) => [phone.phoneType, phone.phoneNumber])),
          defaultMethod: user.signInPreferences.userPreferredMethodForSecondaryAuthentication,
        },
      ]),
    ),
    tokens: new Map(state.hardwareOathDevices.map((device) => [device.serialNumber, `${device.assignedTo ?? '-'}/${device.status}`])),
  };
}

/** What differs for one user between two snapshots: phone types, `default`, and serials of tokens assigned to them before or after. */
export function differences(before: TenantSnapshot, after: TenantSnapshot, userId: string): string[] {
  const was = before.users.get(userId);
  const now = after.users.get(userId);
  const out: string[] = [];
  for (const type of ['mobile', 'alternateMobile', 'office']) if (was?.phones[type] !== now?.phones[type]) out.push(type);
  if ((was?.defaultMethod ?? null) !== (now?.defaultMethod ?? null)) out.push('default');
  for (const serial of new Set([...before.tokens.keys(), ...after.tokens.keys()])) {
    const a = before.tokens.get(serial);
    const b = after.tokens.get(serial);
    if (a !== b && (a?.startsWith(userId) === true || b?.startsWith(userId) === true)) out.push(serial);
  }
  return out;
}

/** Digits and extension of a number, however it is written. */
function digitsOf(phone: string): string {
  return phone.replace(/[^\dx]/g, '');
}

export function planInputOf(model: ModelCase, files: { readonly users: string; readonly devices: string; readonly tokens: string }, groupId: string | null): PlanInput {
  const { options } = model;
  return {
    files,
    columns: {},
    columnsFile: null,
    only: null,
    options: {
      encoding: 'auto',
      delimiter: 'auto',
      defaultCountryCode: '1',
      upnSuffix: 'contoso.com',
      includeDisabled: false,
      tokenSecretEncoding: 'auto',
      hardwareTokens: options.hardwareTokens,
      phoneConflict: options.phoneConflict,
      defaultMethod: options.defaultMethod,
      group: groupId,
      matchAttribute: options.matchAttribute,
    },
    run: { tenantId: null, graphUrl: 'model', options: {} },
  };
}

/** What each case did, summed over the run, printed at the end. */
export const tally = { cases: 0, users: 0, writes: 0, conflicts: 0, kept: 0 };
/** Writes done by apply and rollback, by kind, and users by final status: what the cases exercised. */
export const exercised = new Map<string, number>();
function count(key: string): void {
  exercised.set(key, (exercised.get(key) ?? 0) + 1);
}

/** The whole life of one generated migration; throws (an expect) at the first broken invariant. */
export async function runModelCase(model: ModelCase): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mfa-migrate-model-'));
  const made = materialise(model, dir);
  const emulator = await startEmulator({ tenant: made.seed, throttle: 'off', faults: model.faults === null ? null : `seed=${String(model.faults.seed)},${model.faults.spec}` });
  const journal = openJournal(join(dir, 'journal.db'), { clock: systemClock });
  const graph = emulatorGateway(emulator, { executor: QUICK_RETRIES, ...(model.options.matchAttribute === null ? {} : { matchAttribute: model.options.matchAttribute }) });
  const deps = { graph, journal, log: memoryLog(), clock: systemClock, progress: silentProgress };
  const input = planInputOf(model, made.files, made.groupId);
  try {
    const before = snapshot(emulator);

    // plan sends no write.
    const plan = await runPlan(input, deps);
    expect(emulator.stats().writes, 'plan wrote to Graph').toBe(0);

    // apply: no failed or skipped operation.
    const applied = await runApply({ plan: input, planRunId: plan.run.id }, deps);
    const users = [...journal.iterateUsers(applied.run.id)];
    const unsent = users.flatMap((user) => user.operations.filter((operation) => operation.status !== 'done' && operation.status !== 'conflict').map((operation) => `${user.username}: ${operation.kind} ${operation.target} → ${operation.status} (${operation.graphCode ?? ''} ${operation.errorMessage ?? ''})`));
    expect(unsent, 'apply left operations not done').toEqual([]);
    expect(applied.operations.failed + applied.operations.skipped).toBe(0);
    const afterApply = snapshot(emulator);

    // Nothing of the export is lost: each planned phone is in Entra, or a conflict was kept.
    for (const user of users) {
      if (user.entraUserId === null || user.plan === null) continue;
      const entra = afterApply.users.get(user.entraUserId);
      for (const type of ['mobile', 'alternateMobile', 'office'] as const) {
        const number: string | null = user.desired.phones[type];
        if (number === null) continue;
        const held = entra?.phones[type];
        const conflict = user.operations.some((operation) => operation.kind === 'phoneConflict' && operation.target === type);
        const ruled = type === 'alternateMobile' && user.issues.some((issue) => issue.code === 'ALTERNATE_MOBILE_NEEDS_MOBILE');
        if (ruled) continue;
        expect(held, `${user.username}: ${type} ${number} is not in Entra`).toBeDefined();
        if (!conflict) expect(digitsOf(held ?? ''), `${user.username}: ${type}`).toBe(digitsOf(number));
      }
    }
    // Users outside the run are untouched.
    const inRun = new Set(users.map((user) => user.entraUserId).filter((id): id is string => id !== null));
    for (const userId of before.users.keys()) {
      if (!inRun.has(userId)) expect(differences(before, afterApply, userId), `user ${userId} is outside the run`).toEqual([]);
    }

    // A second apply plans nothing and sends no write.
    const writes = emulator.stats().writes;
    const again = await runApply({ plan: input, planRunId: null }, deps);
    const replanned = [...journal.iterateUsers(again.planRunId)].flatMap((user) => user.operations.filter((operation) => operation.status === 'planned').map((operation) => `${user.username}: ${operation.kind} ${operation.target}`));
    expect(replanned, 'the second apply planned writes').toEqual([]);
    expect(emulator.stats().writes, 'the second apply wrote to Graph').toBe(writes);

    // verify finds nothing missing or drifted for migrated users.
    const verified = await runVerify({ runId: applied.run.id }, deps);
    const complaints = [...journal.iterateUsers(verified.run.id)]
      .filter((user) => user.finalStatus === 'migrated')
      .flatMap((user) => user.issues.filter((issue) => issue.code === 'METHOD_MISSING' || issue.code === 'METHOD_DRIFTED').map((issue) => issue.message));
    expect(complaints, 'verify found migrated users incomplete').toEqual([]);
    expect(verified.drifted).toBe(0);

    // rollback restores every user, except what Graph cannot undo, which it lists as kept.
    const rolled = await runRollback({ applyRunId: applied.run.id, execute: true, tenant: { graphUrl: 'model', tenantId: null } }, deps);
    expect(rolled.operations.failed, 'rollback failed operations').toBe(0);
    const afterRollback = snapshot(emulator);
    const keptByUser = new Map<string, Set<string>>();
    for (const user of journal.iterateUsers(rolled.run?.id ?? '')) {
      for (const operation of user.operations) count(`rollback ${operation.kind} ${operation.status}`);
      const kept = user.operations.filter((operation) => operation.status === 'skipped');
      if (user.entraUserId !== null) keptByUser.set(user.entraUserId, new Set(kept.map((operation) => (operation.kind === 'setPreferredMethod' ? 'default' : operation.target))));
      for (const operation of kept) expect(operation.errorMessage ?? '', `${user.username}: kept ${operation.kind} without a reason`).not.toBe('');
      tally.kept += kept.length;
    }
    for (const userId of before.users.keys()) {
      const changed = differences(before, afterRollback, userId);
      const kept = keptByUser.get(userId) ?? new Set<string>();
      const unexplained = changed.filter((aspect) => !kept.has(aspect));
      expect(unexplained, `user ${userId}: rollback left changes it does not list as kept`).toEqual([]);
    }
    // Tokens that the run created and rollback deleted: the inventory is as before.
    for (const serial of afterRollback.tokens.keys()) expect(before.tokens.has(serial) || [...keptByUser.values()].some((kept) => kept.has(serial)), `token ${serial} left in the inventory`).toBe(true);

    // No phone was created twice, over the whole life.
    const twice = Object.entries(emulator.stats().phoneCreates).filter(([, count]) => count > 1);
    expect(twice, 'phones created twice').toEqual([]);

    for (const user of users) {
      count(`user ${user.finalStatus ?? user.planStatus}${user.matchedBy === null || user.matchedBy === 'userPrincipalName' ? '' : ` by ${user.matchedBy}`}`);
      for (const operation of user.operations) count(`apply ${operation.kind} ${operation.status}`);
    }
    if (model.faults !== null) count(`faults ${model.faults.spec}`);
    tally.cases += 1;
    tally.users += users.length;
    tally.writes += writes;
    tally.conflicts += users.filter((user) => user.finalStatus === 'conflict').length;
  } finally {
    graph.close();
    journal.close();
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

