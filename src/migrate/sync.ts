/**
 * sync (docs/design.md "sync command"): staged migrations. A cycle compares each user of the
 * exports with their baseline — what the last finished apply or sync against the same tenant
 * recorded for them (journal user_baselines) — and plans and applies only:
 * - users the journal has no baseline of (new in the export, or never migrated);
 * - users whose fingerprint changed (the mapped desired state, the users-file row or the options
 *   that decide the diff: sync-identity.ts);
 * - users whose last status was not final (failed, partial, unmatched, conflict);
 * - users last read from Entra longer ago than `--recheck-after` (drift in Entra).
 * Everyone else is neither read from Graph nor recorded. Users of a baseline who are no longer in
 * the export are listed ("no longer in the export") and never touched.
 *
 * A cycle is one run of command `sync` in the journal: plan's reads and diff (planUsers) record the
 * chosen users into it, and apply's execution (executeRun) sends its writes, sets final statuses and
 * makes it their baseline. `status`, `report`, `verify` and `rollback --run` work on it as on an apply
 * run. A cycle stopped half-way is `interrupted`; the next sync resumes it before a new cycle.
 * `runSync` repeats cycles on a schedule (`--every`) until the deps' signal is aborted.
 */
import { MigrateError, ExitCode, usageError } from '../errors.js';
import type { Finding } from '../findings.js';
import { fingerprintInputs } from '../journal/inputs.js';
import { syncCountsOf, type BaselineScope, type JsonObject, type JsonValue, type RunRecord, type SyncCounts, type UserBaseline } from '../run-records.js';
import type { FinalUserStatus } from '../user-status.js';
import { executeRun, writeBudgetOf, type ApplyDeps, type ExecutedRun } from './apply.js';
import { decidingOptionsJson, recordedDecidingOptions } from './deciding-options.js';
import {
  planInputFiles, planSummaryJson, planUsers, priorWritesOf, readTenantView, TenantOnce, type CandidateUser, type PlanInput, type PlanSummary,
  type UserSelection,
} from './plan.js';
import { tenantDifference, type TenantNow } from './tenant-check.js';

/** `--recheck-after` when not given: a user unchanged in the export is read from Entra again after a week. */
export const DEFAULT_RECHECK_AFTER_DAYS = 7;
export const MS_PER_DAY = 86_400_000;

export interface SyncInput {
  /** The exports, options and run record, as plan and apply take them. */
  readonly plan: PlanInput;
  /** `--recheck-after` in milliseconds: an unchanged user last read longer ago is read again. */
  readonly recheckAfterMs: number;
  /** Recorded with each cycle for `status` and the reports: `--recheck-after` and `--every` as given. */
  readonly recorded: JsonObject;
}

export type SyncDeps = ApplyDeps;

/** Why a cycle plans a user. */
export type SyncReason = 'new' | 'changed' | 'retried' | 'rechecked';

/** A user of the baselines who is no longer in the export: listed, never touched. */
export interface LeftUser {
  /** The R15 key they were recorded under. */
  readonly syncKey: string;
  readonly username: string;
  readonly upn: string | null;
  readonly entraUserId: string | null;
  /** The run that recorded them last. */
  readonly lastRunId: string;
}

export interface SyncCycleResult {
  /** The cycle's run: the resumed one when the cycle only finished an interrupted cycle's work. */
  readonly run: RunRecord;
  /** An interrupted cycle this call finished before its own, or null. */
  readonly resumed: { readonly run: RunRecord; readonly executed: ExecutedRun } | null;
  /** True when Ctrl-C stopped the cycle with work left: its run is `interrupted`. */
  readonly interrupted: boolean;
  readonly counts: SyncCounts;
  readonly left: readonly LeftUser[];
  /** The users the cycle recorded (plan statuses, operations to send). */
  readonly planned: PlanSummary;
  /** What its writes came to; null when the cycle recorded nobody (nothing was sent). */
  readonly executed: ExecutedRun | null;
  readonly fileIssues: readonly Finding[];
}

/** What a sync invocation learns once, before its first cycle. */
export interface SyncStart {
  readonly scope: BaselineScope;
}

/** Sign-in and write permissions, once per invocation: a cycle with nothing to do then sends nothing. */
export async function startSync(input: SyncInput, deps: SyncDeps): Promise<SyncStart> {
  const { plan } = input;
  const tokensUsed = plan.files.tokens !== null && plan.options.hardwareTokens !== 'off';
  const signedIn = await deps.graph.preflight({ writes: true, group: plan.options.group !== null, hardwareTokenWrites: tokensUsed });
  return { scope: { graphUrl: plan.run.graphUrl, tenantId: signedIn.principal.tenantId ?? plan.run.tenantId } };
}

/**
 * One cycle: finish an interrupted cycle first, then compare the exports with the baselines, plan
 * and apply what changed. Throws APPLY_UNFINISHED beside an unfinished apply, SYNC_UNFINISHED
 * beside an unfinished sync of another tenant.
 */
export async function runSyncCycle(input: SyncInput, start: SyncStart, deps: SyncDeps): Promise<SyncCycleResult> {
  const { journal } = deps;
  refuseBesideUnfinishedApply(deps);
  const resumed = await resumeUnfinishedCycle(input, start, deps);
  if (resumed !== null && resumed.executed.interrupted) {
    return { run: resumed.run, resumed, interrupted: true, counts: syncCountsOf(resumed.run.summary), left: [], planned: emptyPlanSummary(), executed: null, fileIssues: [] };
  }

  const inputs = await fingerprintInputs(planInputFiles(input.plan));
  const run = journal.createRun({
    command: 'sync',
    parentRunId: null,
    tenantId: start.scope.tenantId,
    graphUrl: start.scope.graphUrl,
    options: { ...input.plan.run.options, ...decidingOptionsJson(input.plan.options), ...input.recorded, writeBudget: writeBudgetOf(deps.graph) },
    inputs,
  });
  deps.log.info(`Sync run ${run.id}: comparing the exports with what the journal recorded; recording in ${journal.path}.`);
  const tenant = new TenantOnce(() => readTenantView(input.plan, deps.graph, deps.log));
  const chooser = new Chooser(input, start.scope, deps, run.startedAt.getTime());
  let summary: JsonObject = {};
  try {
    // With --group, who is in scope is decided before reading anyone: the members are read each cycle.
    if (input.plan.options.group !== null) chooser.members = (await tenant.get()).scopeMembers;
    const planned = await planUsers(run, input.plan, deps, {
      tenant,
      prior: priorWritesOf(journal, start.scope),
      onEveryUser: (user) => { chooser.seen(user); },
      select: (user) => chooser.select(user),
      onOutOfScope: (user, entraUserId) => { chooser.outOfScope(user, entraUserId); },
    });
    const left = chooser.recordPresence();
    const counts = chooser.counts(planned.summary.outOfScope);
    summary = { ...planSummaryJson(planned.summary, planned.fileIssues), sync: syncSummaryJson(counts, left) };
    journal.recordOutOfScope(run.id, start.scope, chooser.outOfScopeUsers, run.startedAt);
    if (planned.summary.users === 0) {
      journal.finishRun(run.id, 'finished', { ...journal.runSummary(run.id), ...summary });
      return { run: journal.getRun(run.id) ?? run, resumed, interrupted: false, counts, left, planned: planned.summary, executed: null, fileIssues: planned.fileIssues };
    }
    const executed = await executeRun(run, { input: input.plan, options: input.plan.options, readAt: run.startedAt, summary }, deps);
    return { run: journal.getRun(run.id) ?? run, resumed, interrupted: executed.interrupted, counts, left, planned: planned.summary, executed, fileIssues: planned.fileIssues };
  } catch (error) {
    // Stopped while reading: the users recorded so far keep their planned writes; the next sync
    // sends them (resumes this run) before a new cycle, so the run is `interrupted`, not `failed`.
    if (journal.getRun(run.id)?.status === 'running') {
      journal.finishRun(run.id, 'interrupted', { ...journal.runSummary(run.id), ...summary, error: error instanceof MigrateError ? error.code : 'INTERNAL' });
    }
    throw error;
  }
}

/** The schedule of `--every`: cycles start this far apart; `sleep` resolves false when the signal stopped the wait. */
export interface SyncSchedule {
  readonly everyMs: number;
  readonly sleep: (ms: number, signal: AbortSignal | undefined) => Promise<boolean>;
}

export interface SyncOutcome {
  /** `once`: one cycle ran (no schedule); `request`: Ctrl-C between cycles; `interrupted`: Ctrl-C mid-cycle (resumable). */
  readonly stoppedBy: 'once' | 'request' | 'interrupted';
  readonly lastCycle: SyncCycleResult | null;
}

export interface SyncCallbacks {
  /** After each cycle (its reports, its line); `nextAt` is when the next starts, null for none. */
  readonly cycle: (result: SyncCycleResult, nextAt: Date | null) => Promise<void>;
  /**
   * A cycle that stopped on an error the next cycle can resume from (Graph unreachable, throttled too
   * long): with a schedule, told and waited out; without one, thrown.
   */
  readonly cycleFailed: (error: MigrateError, nextAt: Date) => void;
}

/**
 * Cycles until the schedule is stopped: one without a schedule; with one, a cycle every `everyMs`
 * (the next starts at once when a cycle took longer) until the deps' signal is aborted, between
 * cycles (`request`) or during one (`interrupted`, the cycle's run resumable).
 */
export async function runSync(input: SyncInput, deps: SyncDeps, schedule: SyncSchedule | null, callbacks: SyncCallbacks): Promise<SyncOutcome> {
  const start = await startSync(input, deps);
  let lastCycle: SyncCycleResult | null = null;
  for (;;) {
    const startedAt = deps.clock.now();
    const nextAt = schedule === null ? null : new Date(startedAt + schedule.everyMs);
    try {
      lastCycle = await runSyncCycle(input, start, deps);
    } catch (error) {
      const resumable = error instanceof MigrateError && error.exitCode === ExitCode.interrupted && deps.signal?.aborted !== true;
      if (schedule === null || nextAt === null || !resumable) throw error;
      callbacks.cycleFailed(error, nextAt);
      if (!(await waitUntil(nextAt, schedule, deps))) return { stoppedBy: 'request', lastCycle };
      continue;
    }
    if (lastCycle.interrupted) return { stoppedBy: 'interrupted', lastCycle };
    await callbacks.cycle(lastCycle, nextAt === null ? null : new Date(Math.max(nextAt.getTime(), deps.clock.now())));
    if (schedule === null || nextAt === null) return { stoppedBy: 'once', lastCycle };
    if (!(await waitUntil(nextAt, schedule, deps))) return { stoppedBy: 'request', lastCycle };
  }
}

/** Waits for the next cycle; false when the signal stopped the wait (or had already). */
async function waitUntil(at: Date, schedule: SyncSchedule, deps: SyncDeps): Promise<boolean> {
  const stopped = (): boolean => deps.signal?.aborted === true;
  if (stopped()) return false;
  const wait = at.getTime() - deps.clock.now();
  const woke = wait > 0 ? await schedule.sleep(wait, deps.signal) : true;
  return woke && !stopped();
}

/** Decides per user of the export whether the cycle plans them, and counts why. */
class Chooser {
  members: ReadonlySet<string> | null = null;
  readonly outOfScopeUsers: { syncKey: string; username: string; upn: string | null; entraUserId: string; fingerprint: string }[] = [];
  readonly #counts = { inExport: 0, unchanged: 0, new: 0, changed: 0, retried: 0, rechecked: 0 };
  readonly #inExport = new Set<string>();
  /** Why each planned user was chosen, until the read may find them outside --group. */
  readonly #reasons = new Map<string, SyncReason>();
  readonly #input: SyncInput;
  readonly #scope: BaselineScope;
  readonly #deps: SyncDeps;
  readonly #now: number;

  constructor(input: SyncInput, scope: BaselineScope, deps: SyncDeps, now: number) {
    this.#input = input;
    this.#scope = scope;
    this.#deps = deps;
    this.#now = now;
  }

  /** The counts; `outOfScope` is plan's (--only, --group before and after the read). */
  counts(outOfScope: number): SyncCounts {
    return { ...this.#counts, outOfScope };
  }

  seen(user: CandidateUser): void {
    if (user.sync === null) return;
    this.#inExport.add(user.sync.key);
    this.#counts.inExport += 1;
  }

  select(user: CandidateUser): UserSelection {
    // A repeated username (R15) or an unusable row stands for nobody: validate and plan report it.
    if (user.sync === null) return 'skip';
    const baseline = this.#deps.journal.baselineOf(this.#scope, user.sync.key);
    const entraUserId = baseline?.entraUserId ?? null;
    if (this.members !== null && entraUserId !== null && !this.members.has(entraUserId)) return 'outOfScope';
    const reason = this.#reason(baseline, user.sync.fingerprint);
    if (reason === null) {
      this.#counts.unchanged += 1;
      return 'skip';
    }
    this.#counts[reason] += 1;
    this.#reasons.set(user.sync.key, reason);
    return 'plan';
  }

  #reason(baseline: UserBaseline | null, fingerprint: string): SyncReason | null {
    // Out of scope last time and a member now: new to the migration.
    if (baseline === null || baseline.status === 'outOfScope') return 'new';
    if (baseline.fingerprint !== fingerprint) return 'changed';
    if (!FINAL.has(baseline.status)) return 'retried';
    if (baseline.readAt !== null && this.#now - baseline.readAt.getTime() >= this.#input.recheckAfterMs) return 'rechecked';
    return null;
  }

  /** A user read and found outside --group: remembered, so the next cycle need not read them. */
  outOfScope(user: CandidateUser, entraUserId: string): void {
    if (user.sync === null) return;
    // Counted as new (or changed…) before the read told the scope: plan counts it out of scope.
    const reason = this.#reasons.get(user.sync.key);
    if (reason !== undefined) this.#counts[reason] -= 1;
    this.outOfScopeUsers.push({ syncKey: user.sync.key, username: user.desired.username, upn: user.desired.upn, entraUserId, fingerprint: user.sync.fingerprint });
  }

  /**
   * After the export was read: the users of the baselines no longer in it are listed once (from the
   * cycle that first misses them) and marked; those back in it are unmarked.
   */
  recordPresence(): LeftUser[] {
    const { journal } = this.#deps;
    const left: LeftUser[] = [];
    const back: string[] = [];
    for (const baseline of journal.baselines(this.#scope)) {
      const present = this.#inExport.has(baseline.syncKey);
      if (present && baseline.leftAt !== null) back.push(baseline.syncKey);
      if (!present && baseline.leftAt === null && baseline.status !== 'outOfScope') {
        left.push({ syncKey: baseline.syncKey, username: baseline.username, upn: baseline.upn, entraUserId: baseline.entraUserId, lastRunId: baseline.runId });
      }
    }
    journal.markBaselinesLeft(this.#scope, left.map((user) => user.syncKey), new Date(this.#now));
    journal.markBaselinesLeft(this.#scope, back, null);
    return left;
  }
}

/** Final statuses: a user whose export row is unchanged need not be read again. */
const FINAL: ReadonlySet<string> = new Set<FinalUserStatus>(['migrated', 'unchanged', 'skipped', 'rejected']);

/** An unfinished apply holds planned writes of its own plan; a sync cycle beside it would plan the same users again. */
function refuseBesideUnfinishedApply(deps: SyncDeps): void {
  const unfinished = deps.journal.latestRun({ command: 'apply', status: ['running', 'interrupted'] });
  if (unfinished === null) return;
  throw usageError(
    'APPLY_UNFINISHED',
    `apply run ${unfinished.id} (started ${unfinished.startedAt.toISOString()}) is unfinished; sync cannot start beside it`,
    `Resume it by running apply with the exports it was started from (\`mfa-migrate status --run ${unfinished.id}\` lists them), or undo it with \`mfa-migrate rollback --run ${unfinished.id} --execute\`; then run sync.`,
  );
}

/**
 * A cycle stopped half-way (Ctrl-C, Graph unreachable, a kill) is finished first: writes in doubt
 * read back, the rest sent, final statuses set, its users' baselines recorded — as apply resumes.
 * Its writes were decided from its own reads, which stay right for it; a user whose export changed
 * since is planned again by the cycle that follows (R17 makes our own writes follow the export).
 */
async function resumeUnfinishedCycle(input: SyncInput, start: SyncStart, deps: SyncDeps): Promise<SyncCycleResult['resumed']> {
  const { journal, log } = deps;
  const unfinished = journal.latestRun({ command: 'sync', status: ['running', 'interrupted'] });
  if (unfinished === null) return null;
  const tenant: TenantNow = { graphUrl: start.scope.graphUrl, tenantId: start.scope.tenantId };
  const difference = tenantDifference(unfinished, tenant);
  if (difference !== null) {
    throw usageError(
      'SYNC_UNFINISHED',
      `sync run ${unfinished.id} (started ${unfinished.startedAt.toISOString()}) is unfinished and was ${difference}`,
      `Resume it against the tenant it was made for (\`mfa-migrate status --run ${unfinished.id}\` shows the command), or undo it with \`mfa-migrate rollback --run ${unfinished.id} --execute\`.`,
    );
  }
  const recordedSummary = unfinished.summary ?? {};
  const summary: JsonObject = Object.fromEntries(Object.entries(recordedSummary).filter(([key]) => key !== 'error' && key !== 'stoppedBy'));
  journal.reopenRun(unfinished.id);
  log.info(`Resuming sync run ${unfinished.id} (started ${unfinished.startedAt.toISOString()}) before a new cycle.`);
  const run = journal.getRun(unfinished.id) ?? unfinished;
  const options = recordedDecidingOptions(run, input.plan.options);
  const executed = await executeRun(run, { input: input.plan, options, readAt: run.startedAt, summary }, deps);
  return { run: journal.getRun(run.id) ?? run, executed };
}

function syncSummaryJson(counts: SyncCounts, left: readonly LeftUser[]): JsonObject {
  return {
    ...counts,
    left: left.map((user): JsonValue => ({ syncKey: user.syncKey, username: user.username, upn: user.upn, entraUserId: user.entraUserId, lastRunId: user.lastRunId })),
  };
}

function emptyPlanSummary(): PlanSummary {
  return { users: 0, byStatus: { planned: 0, unchanged: 0, conflict: 0, skipped: 0, unmatched: 0, rejected: 0, failed: 0 }, outOfScope: 0, operations: {}, issues: {} };
}
