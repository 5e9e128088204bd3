/**
 * A staged migration on a generated tenant (test/support/model-tenant.ts): the export changes
 * between steps — rows added, removed, given other phones, methods, tokens or usernames — and each
 * step is a sync (or sometimes a full apply), against the in-process emulator through the real
 * gateway and journal. Each invariant is an `expect`; the first broken one throws.
 *
 * After every step: nothing Graph refused (no failed or skipped write); nobody absent from the
 * step's export was touched; a sync right after it with the same export sends no write, and no
 * request at all when nobody was left unfinished. After the last step the tenant equals what a
 * full apply of the last export gives on a fresh copy of the starting tenant, where "equals" is
 * what R17 and the conflict rules decide, per user of the last export that apply migrated:
 * - each number the export plans is the same in both (ours follows the export; a conflict keeps
 *   Entra's own number in both);
 * - each hardware token it plans has the same holder and status, unless an earlier export gave
 *   the serial to someone else (sync never takes a token back);
 * - the default method is the same, when the user holds the same phones and tokens in both
 *   (sync never deletes what an earlier export asked for, so more may be held, and the default
 *   is chosen among what is held) — or the full apply sets none and the staged tenant keeps one
 *   an earlier step set: Graph cannot unset a default (signInPreferences takes a method), so one
 *   of ours stays until the export gives another.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import type { GraphGateway } from '../../src/graph/gateway.js';
import { openJournal, type Journal } from '../../src/journal/journal.js';
import { memoryLog } from '../../src/log.js';
import { runApply } from '../../src/migrate/apply.js';
import { silentProgress } from '../../src/migrate/deps.js';
import { runSync, runSyncCycle, startSync, type SyncInput } from '../../src/migrate/sync.js';
import type { StoredUser } from '../../src/run-records.js';
import { emulatorGateway } from '../integration/graph/gateway-fixture.js';
import { differences, planInputOf, QUICK_RETRIES, snapshot, type TenantSnapshot } from './migration-life.js';
import { exportSide, groupIdOfCase, modelCase, resolveExport, serialOf, tenantSeed, userIdOf, writeExports, type ModelCase, type ModelPerson } from './model-tenant.js';

const MAX_STEPS = 4;
const MAX_CHANGES = 4;
/** The Graph and tenant the model's runs record (planInputOf: graph 'model'; the development token names no tenant). */
const MODEL_SCOPE = { graphUrl: 'model', tenantId: null } as const;

/** Longer than any case: no user is due for a re-read (a cycle re-reads only what changed or is not final). */
const RECHECK_AFTER_MS = 7 * 86_400_000;

/** One change to the export between steps: a person's row replaced (another phone, method, token, username…), added or removed (null). */
export interface ExportChange {
  readonly person: number;
  readonly export: ModelPerson['export'];
}

export interface SyncStep {
  readonly kind: 'sync' | 'apply';
  /** Applied to the previous step's export before this step runs (none for the first step). */
  readonly changes: readonly ExportChange[];
}

export interface SyncSequenceCase {
  readonly model: ModelCase;
  readonly steps: readonly SyncStep[];
}

const exportChange: fc.Arbitrary<ExportChange> = fc.record({
  person: fc.integer({ min: 0, max: 7 }),
  export: fc.option(exportSide, { nil: null, freq: 4 }),
});

/** A generated case and the steps of its staged migration: the first runs on the case's own export. */
export const syncSequenceCase: fc.Arbitrary<SyncSequenceCase> = fc
  .record({
    model: modelCase,
    steps: fc.array(
      fc.record({ kind: fc.constantFrom('sync' as const, 'sync' as const, 'sync' as const, 'apply' as const), changes: fc.array(exportChange, { maxLength: MAX_CHANGES }) }),
      { minLength: 2, maxLength: MAX_STEPS },
    ),
  })
  .map(({ model, steps }) => ({
    model,
    steps: steps.map((step, index) => ({
      kind: step.kind,
      // Indices modulo the case's own counts, as modelCase resolves its own.
      changes: index === 0 ? [] : step.changes.map((change) => ({ person: change.person % model.people.length, export: resolveExport(change.export, model.inventory.length) })),
    })),
  }));

/** What each sequence did, summed over the run, printed at the end. */
export const syncTally = { sequences: 0, steps: 0, syncs: 0, applies: 0, changes: 0, userWrites: 0, defaultsCompared: 0, numbersCompared: 0 };

interface World {
  readonly emulator: RunningEmulator;
  readonly journal: Journal;
  readonly graph: GraphGateway;
}

async function world(model: ModelCase, dir: string, faults: boolean): Promise<World> {
  const emulator = await startEmulator({ tenant: tenantSeed(model), throttle: 'off', faults: !faults || model.faults === null ? null : `seed=${String(model.faults.seed)},${model.faults.spec}` });
  const journal = openJournal(join(dir, 'journal.db'), { clock: systemClock });
  const graph = emulatorGateway(emulator, { executor: QUICK_RETRIES, ...(model.options.matchAttribute === null ? {} : { matchAttribute: model.options.matchAttribute }) });
  return { emulator, journal, graph };
}

async function close(world: World): Promise<void> {
  world.graph.close();
  world.journal.close();
  await world.emulator.close();
}

function depsOf(world: World) {
  return { graph: world.graph, journal: world.journal, log: memoryLog(), clock: systemClock, progress: silentProgress };
}

/** Writes Graph refused or never sent, in a run: must be none. */
function unsent(users: Iterable<StoredUser>): string[] {
  return [...users].flatMap((user) => user.operations
    .filter((operation) => operation.status !== 'done' && operation.status !== 'conflict')
    .map((operation) => `${user.username}: ${operation.kind} ${operation.target} → ${operation.status} (${operation.graphCode ?? ''} ${operation.errorMessage ?? ''})`));
}

/** The whole staged migration of one case; throws (an expect) at the first broken invariant. */
export async function runSyncSequence(sequence: SyncSequenceCase): Promise<void> {
  const { model } = sequence;
  const dir = mkdtempSync(join(tmpdir(), 'mfa-migrate-sync-model-'));
  const staged = await world(model, mkdir(join(dir, 'staged')), true);
  const groupId = groupIdOfCase(model);
  const people: ModelPerson[] = [...model.people];
  /** Serial → the persons an export version claimed it for. */
  const claims = new Map<string, Set<number>>();
  let files: ReturnType<typeof writeExports>['files'] | null = null;
  try {
    for (const [index, step] of sequence.steps.entries()) {
      for (const change of step.changes) {
        const person = people[change.person];
        if (person !== undefined) people[change.person] = { entra: person.entra, export: change.export };
      }
      syncTally.changes += step.changes.length;
      people.forEach((person, n) => {
        const token = person.export?.token ?? null;
        if (token !== null && token.seed) {
          const serial = serialOf(token.ref, n);
          claims.set(serial, new Set([...(claims.get(serial) ?? []), n]));
        }
      });
      files = writeExports(model, people, mkdir(join(dir, `v${String(index)}`))).files;
      const input = planInputOf(model, files, groupId);
      const syncInput: SyncInput = { plan: input, recheckAfterMs: RECHECK_AFTER_MS, recorded: {} };
      const deps = depsOf(staged);
      const before = snapshot(staged.emulator);
      const writesBefore = staged.emulator.stats().writes;

      let runId: string;
      if (step.kind === 'sync') {
        const outcome = await runSync(syncInput, deps, null, { cycle: () => Promise.resolve(), cycleFailed: (error) => { throw error; } });
        const cycle = outcome.lastCycle;
        expect(cycle?.interrupted, 'the sync was interrupted').toBe(false);
        runId = cycle?.run.id ?? '';
        syncTally.syncs += 1;
      } else {
        const applied = await runApply({ plan: input, planRunId: null }, deps);
        runId = applied.run.id;
        syncTally.applies += 1;
      }
      expect(unsent(staged.journal.iterateUsers(runId)), `step ${String(index)} (${step.kind}) left writes not done`).toEqual([]);
      syncTally.userWrites += staged.emulator.stats().writes - writesBefore;

      // Users absent from this export are never touched.
      const after = snapshot(staged.emulator);
      people.forEach((person, n) => {
        if (person.entra !== null && person.export === null) expect(differences(before, after, userIdOf(n)), `step ${String(index)}: person ${String(n)} is not in the export`).toEqual([]);
      });

      // A sync right after, with the same export, writes nothing; with nobody left unfinished it sends nothing at all.
      const start = await startSync(syncInput, deps);
      const stats = staged.emulator.stats();
      const idle = await runSyncCycle(syncInput, start, deps);
      expect(idle.counts, `step ${String(index)}: an idle sync found changes`).toMatchObject({ new: 0, changed: 0, rechecked: 0 });
      expect(staged.emulator.stats().writes, `step ${String(index)}: an idle sync wrote`).toBe(stats.writes);
      if (idle.counts.retried === 0 && groupId === null) expect(staged.emulator.stats().requests, `step ${String(index)}: an idle sync sent requests`).toBe(stats.requests);
      syncTally.steps += 1;
    }

    if (files === null) throw new Error('a sequence has at least one step');
    // The oracle: a full apply of the last export on a fresh copy of the starting tenant.
    const reference = await world(model, mkdir(join(dir, 'reference')), false);
    try {
      const applied = await runApply({ plan: planInputOf(model, files, groupId), planRunId: null }, depsOf(reference));
      const oursDefault = (userId: string): string | null => staged.journal.priorWrites(MODEL_SCOPE, userId)?.defaultMethod?.value ?? null;
      compareWithReference(snapshot(staged.emulator), snapshot(reference.emulator), [...reference.journal.iterateUsers(applied.run.id)], { claims, people, oursDefault });
    } finally {
      await close(reference);
    }
    syncTally.sequences += 1;
  } finally {
    await close(staged);
    rmSync(dir, { recursive: true, force: true });
  }
}

function mkdir(path: string): string {
  mkdirSync(path, { recursive: true });
  return path;
}

/** Phone types held, and tokens assigned to the user with their status: what a default is chosen among. */
function heldBy(tenant: TenantSnapshot, userId: string): string {
  const phones = Object.keys(tenant.users.get(userId)?.phones ?? {}).sort();
  const tokens = [...tenant.tokens].filter(([, holder]) => holder.startsWith(`${userId}/`)).map(([serial, holder]) => `${serial}=${holder}`).sort();
  return JSON.stringify([phones, tokens]);
}

interface History {
  /** Serial → the persons an export version claimed it for. */
  readonly claims: ReadonlyMap<string, ReadonlySet<number>>;
  readonly people: readonly ModelPerson[];
  /** The default method runs of the staged migration set and Entra may still hold. */
  readonly oursDefault: (userId: string) => string | null;
}

function compareWithReference(staged: TenantSnapshot, reference: TenantSnapshot, users: readonly StoredUser[], { claims, people, oursDefault }: History): void {
  for (const user of users) {
    const userId = user.entraUserId;
    if (userId === null || user.before === null || user.plan === null) continue;
    const mine = staged.users.get(userId);
    const theirs = reference.users.get(userId);
    for (const type of ['mobile', 'alternateMobile', 'office'] as const) {
      if (user.desired.phones[type] === null) continue;
      if (type === 'alternateMobile' && user.issues.some((issue) => issue.code === 'ALTERNATE_MOBILE_NEEDS_MOBILE')) continue;
      expect(mine?.phones[type], `${user.username}: ${type}, staged vs one full apply`).toBe(theirs?.phones[type]);
      syncTally.numbersCompared += 1;
    }
    for (const token of user.desired.hardwareTokens) {
      const ours = staged.tokens.get(token.serialNumber);
      const full = reference.tokens.get(token.serialNumber);
      const person = people.findIndex((_, n) => userIdOf(n) === userId);
      const claimedByOthers = [...(claims.get(token.serialNumber) ?? [])].some((claimant) => claimant !== person);
      if (!claimedByOthers) expect(ours, `${user.username}: token ${token.serialNumber}, staged vs one full apply`).toBe(full);
    }
    if (heldBy(staged, userId) === heldBy(reference, userId)) {
      const stagedDefault = mine?.defaultMethod ?? null;
      const setByFullApply = user.operations.some((operation) => operation.kind === 'setPreferredMethod');
      const oursKept = !setByFullApply && stagedDefault !== null && stagedDefault === oursDefault(userId);
      if (!oursKept) expect(stagedDefault, `${user.username}: default method, staged vs one full apply`).toBe(theirs?.defaultMethod ?? null);
      syncTally.defaultsCompared += 1;
    }
  }
}
