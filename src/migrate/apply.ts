/**
 * apply (docs/design.md "Apply and resume"): executes a plan against the tenant. Three ways in:
 * - an unfinished apply run of the same exports exists → resume it: reconcile what was `sent`
 *   by reading Entra, then send only what is still planned;
 * - `--plan RUN`, or an unused plan of the same exports and options made recently → copy that plan
 *   into a new apply run;
 * - otherwise plan first (a plan run of its own, as `plan` would make), then copy it.
 * The caller holds the journal's writer lock (journal/lock.ts) for the whole call.
 */
import { MigrateError, ExitCode, usageError } from '../errors.js';
import type { Finding } from '../findings.js';
import type { GraphGateway, HardwareTokenDescription, SendingApp } from '../graph/gateway.js';
import { appsJson } from './run-apps.js';
import { assertPlanFresh, fingerprintInputs } from '../journal/inputs.js';
import type { Journal } from '../journal/journal.js';
import type { InputFingerprint, JsonObject, RunRecord, RunSummary, StoredOperation } from '../run-records.js';
import type { FinalUserStatus } from '../user-status.js';
import { AnswerRate, secondsToWrite } from './time-left.js';
import type { DesiredHardwareToken } from '../mapping/desired-state.js';
import { finalStatusOf } from '../plan/final-status.js';
import { executePlannedOperations, type ExecuteCounts } from './apply-execute.js';
import { reconcileSentOperations } from './apply-reconcile.js';
import { silentProgress, type StepDeps } from './deps.js';
import { planInputFiles, runPlan, validateInputOf, type PlanGraph, type PlanInput } from './plan.js';
import { DECIDING_OPTION_NAMES, decidingOptionDifferences, decidingOptionsJson, recordedDecidingOptions, refuseDifferentOptions, type PlanDecidingOptions } from './deciding-options.js';
import { otherTenantError, tenantDifference, type TenantNow } from './tenant-check.js';
import { checkTemporaryAccessPassRequest, issueTemporaryAccessPasses, type TemporaryAccessPassOutcome, type TemporaryAccessPassRequest } from './temporary-access-pass.js';
import { runValidate } from './validate.js';

/**
 * How old an unused plan may be for apply to execute it without being named with `--plan`. Entra
 * changes under a plan (users register methods themselves); an hour covers "plan, read it, apply".
 */
export const PLAN_REUSE_MAX_AGE_MS = 60 * 60 * 1000;

export type ApplyGraph = PlanGraph & Pick<GraphGateway, 'write' | 'readUserState' | 'writeWindow'>;

export interface ApplyDeps extends StepDeps {
  readonly graph: ApplyGraph;
  readonly journal: Journal;
}

export interface ApplyInput {
  /** What plan would be given: apply plans with it when no plan is reused. */
  readonly plan: PlanInput;
  /** `--plan RUN`: execute exactly this plan. */
  readonly planRunId: string | null;
  /** `--tap-for-reregistration`: passes for users who must register Authenticator again; null for none. */
  readonly temporaryAccessPass?: TemporaryAccessPassRequest | null;
}

export interface ApplyResult {
  readonly run: RunRecord;
  readonly planRunId: string;
  /** How the run started: resumed an unfinished apply, executed a stored plan, or planned first. */
  readonly start: 'resumed' | 'stored-plan' | 'planned';
  /** True when Ctrl-C (the deps' signal) stopped it with work left: the run is `interrupted`. */
  readonly interrupted: boolean;
  readonly reconciled: { readonly done: number; readonly replanned: number };
  readonly operations: ExecuteCounts;
  readonly usersByFinalStatus: Partial<Record<FinalUserStatus, number>>;
  /** Findings about whole files, from the plan made by this call (empty when a plan was reused). */
  readonly fileIssues: readonly Finding[];
  readonly temporaryAccessPasses: TemporaryAccessPassOutcome | null;
}

export async function runApply(input: ApplyInput, deps: ApplyDeps): Promise<ApplyResult> {
  const { graph, journal, log } = deps;
  const tokensUsed = input.plan.files.tokens !== null && input.plan.options.hardwareTokens !== 'off';
  // Write permissions first: a principal that can only read must not get as far as a half-run.
  const signedIn = await graph.preflight({ writes: true, group: input.plan.options.group !== null, hardwareTokenWrites: tokensUsed });
  // A pass Graph would refuse for every user stops apply before it writes anything.
  if (input.temporaryAccessPass != null) checkTemporaryAccessPassRequest(input.temporaryAccessPass, await graph.readTenantPolicy());
  const inputs = await fingerprintInputs(planInputFiles(input.plan));
  const tenant: TenantNow = { graphUrl: input.plan.run.graphUrl, tenantId: signedIn.principal.tenantId ?? input.plan.run.tenantId };

  const started = await startRun(input, inputs, tenant, signedIn.apps, deps);
  const { run } = started;
  const plan = started.planRunId === run.id ? run : journal.getRun(started.planRunId);
  const executed = await executeRun(run, { input: input.plan, options: started.options, readAt: plan?.startedAt ?? run.startedAt, summary: {} }, deps);
  if (executed.interrupted) return result(started, executed);
  try {
    const request = input.temporaryAccessPass ?? null;
    if (request !== null && deps.signal?.aborted === true) {
      log.warn(`No Temporary Access Passes were created: stopped on request after the run finished. Run apply again with a new --tap-for-reregistration file to create them (the finished run writes nothing else).`);
    }
    const passes = request === null || deps.signal?.aborted === true ? null : await issueTemporaryAccessPasses(journal, run.id, graph, request, log);
    return { ...result(started, executed), temporaryAccessPasses: passes };
  } catch (error) {
    // A failure after the run finished (the pass file) leaves the finished run as it is.
    deps.progress.finish();
    throw error;
  }
}

/** What a run's execution came to: apply and each sync cycle report it. */
export interface ExecutedRun {
  /** True when Ctrl-C (the deps' signal) stopped it with work left: the run is `interrupted`. */
  readonly interrupted: boolean;
  readonly reconciled: { readonly done: number; readonly replanned: number };
  readonly operations: ExecuteCounts;
  readonly usersByFinalStatus: Partial<Record<FinalUserStatus, number>>;
}

export interface ExecutionSettings {
  /** The exports and options the run was planned from: the tokens file is read again with them. */
  readonly input: PlanInput;
  readonly options: PlanDecidingOptions;
  /** When the run's users were read from Entra: their baselines' read time. */
  readonly readAt: Date;
  /** Added to the run's summary when it finishes. */
  readonly summary: JsonObject;
}

/**
 * Executes a started apply or sync run to its end: reconciles writes left in doubt, sends what is
 * planned, sets every user's final status, finishes the run and makes it its users' baseline
 * (user_baselines: what the next sync compares with, what R17 counts as ours). Stopped by the
 * deps' signal, or by an error (Graph unreachable, sign-in lost), the run is left `interrupted`
 * and consistent: the same command resumes it.
 */
export async function executeRun(run: RunRecord, settings: ExecutionSettings, deps: ApplyDeps): Promise<ExecutedRun> {
  const { graph, journal, log } = deps;
  try {
    const reconciled = await reconcileSentOperations(journal, run.id, graph);
    if (reconciled.done + reconciled.replanned > 0) {
      log.info(`Reconciled ${String(reconciled.done + reconciled.replanned)} operations left in doubt: ${String(reconciled.done)} were applied, ${String(reconciled.replanned)} will be sent again.`);
    }

    const entraUserIds = journal.entraUserIds(run.id);
    const tokenOf = await seedsFor(settings.input, settings.options, journal, run.id, deps);
    // A resumed run's bar continues from what is done; time left is the write budget's (time-left.ts).
    const writes = writeCounts(journal.runSummary(run.id));
    const answers = new AnswerRate();
    deps.progress.start('Applying', writes.total, {
      done: writes.finished,
      secondsLeft: (remaining) => {
        const window = graph.writeWindow();
        return secondsToWrite(remaining, window, window.usedNow, answers.perMinute(deps.clock.now()));
      },
    });
    let recorded = 0;
    let answered = 0;
    const operations = await executePlannedOperations(
      { journal, graph },
      {
        runId: run.id,
        entraUserIdOf: (id) => entraUserIds.get(id) ?? null,
        tokenOf,
        ...(deps.signal === undefined ? {} : { signal: deps.signal }),
        onRecorded: (counts) => {
          const now = counts.done + counts.failed + counts.skipped;
          answers.record(deps.clock.now(), counts.done + counts.failed - answered);
          answered = counts.done + counts.failed;
          deps.progress.advance(now - recorded);
          recorded = now;
        },
      },
    );
    deps.progress.finish();

    if (operations.stopped) {
      journal.finishRun(run.id, 'interrupted', { ...journal.runSummary(run.id), ...settings.summary, stoppedBy: 'request' });
      return { interrupted: true, reconciled, operations, usersByFinalStatus: {} };
    }
    const usersByFinalStatus = settleFinalStatuses(journal, run.id);
    journal.transaction(() => {
      journal.finishRun(run.id, 'finished', { ...journal.runSummary(run.id), ...settings.summary });
      journal.recordBaselines(run.id, { graphUrl: run.graphUrl, tenantId: run.tenantId }, settings.readAt);
    });
    return { interrupted: false, reconciled, operations, usersByFinalStatus };
  } catch (error) {
    deps.progress.finish();
    // Whatever stopped us (Graph unreachable, sign-in lost), the journal is consistent: resumable.
    if (journal.getRun(run.id)?.status === 'running') journal.finishRun(run.id, 'interrupted', { ...journal.runSummary(run.id), ...settings.summary, error: error instanceof MigrateError ? error.code : 'INTERNAL' });
    throw error;
  }
}

interface StartedRun {
  readonly run: RunRecord;
  readonly planRunId: string;
  readonly start: ApplyResult['start'];
  readonly fileIssues: readonly Finding[];
  /** The options the plan was made with: what the tokens file is read again with. */
  readonly options: PlanDecidingOptions;
}

function result(started: StartedRun, executed: ExecutedRun): ApplyResult {
  return {
    run: started.run,
    planRunId: started.planRunId,
    start: started.start,
    interrupted: executed.interrupted,
    reconciled: executed.reconciled,
    operations: { done: executed.operations.done, failed: executed.operations.failed, skipped: executed.operations.skipped },
    usersByFinalStatus: executed.usersByFinalStatus,
    fileIssues: started.fileIssues,
    temporaryAccessPasses: null,
  };
}

/**
 * How apply chooses what to execute: resume the unfinished apply run of these exports; else the
 * plan named with `--plan`; else a recent unused plan of the same exports, options and tenant;
 * else plan first. Refuses to start beside an unfinished apply of other exports (APPLY_UNFINISHED),
 * a plan of another tenant (PLAN_OTHER_TENANT) or one made with other options than given
 * (PLAN_OPTIONS_DIFFER).
 */
async function startRun(input: ApplyInput, inputs: InputFingerprint, tenant: TenantNow, apps: readonly SendingApp[], deps: ApplyDeps): Promise<StartedRun> {
  const { journal, log } = deps;
  refuseBesideUnfinishedSync(journal);
  const unfinished = journal.latestRun({ command: 'apply', status: ['running', 'interrupted'] });
  if (unfinished !== null && (input.planRunId === null || unfinished.parentRunId === input.planRunId)) {
    if (!sameInputs(unfinished.inputs, inputs) || tenantDifference(unfinished, tenant) !== null) {
      throw usageError(
        'APPLY_UNFINISHED',
        `apply run ${unfinished.id} (started ${unfinished.startedAt.toISOString()}) is unfinished and was made from other exports or another tenant`,
        `Resume it first by running apply with the exports it was started from (\`mfa-migrate status --run ${unfinished.id}\` lists them), or undo it with \`mfa-migrate rollback --run ${unfinished.id} --execute\`.`,
      );
    }
    journal.reopenRun(unfinished.id);
    log.info(`Resuming apply run ${unfinished.id} (started ${unfinished.startedAt.toISOString()}).`);
    const run = journal.getRun(unfinished.id) ?? unfinished;
    return { run, planRunId: unfinished.parentRunId ?? unfinished.id, start: 'resumed', fileIssues: [], options: recordedDecidingOptions(run, input.plan.options) };
  }
  if (unfinished !== null) {
    throw usageError(
      'APPLY_UNFINISHED',
      `apply run ${unfinished.id} is unfinished; a new plan cannot be applied beside it`,
      `Resume it by running apply with --plan ${unfinished.parentRunId ?? unfinished.id} (or without --plan) and the exports it was started from, or undo it with \`mfa-migrate rollback --run ${unfinished.id} --execute\`.`,
    );
  }

  let plan: RunRecord;
  let start: ApplyResult['start'] = 'stored-plan';
  let fileIssues: readonly Finding[] = [];
  if (input.planRunId !== null) {
    plan = requirePlan(journal, input.planRunId);
    assertPlanFresh(plan, inputs);
    const otherTenant = otherTenantError('PLAN_OTHER_TENANT', `plan ${plan.id}`, plan, tenant, 'Apply it with the --graph-url / tenant it was made for, or run plan against this tenant.');
    if (otherTenant !== null) throw otherTenant;
    refuseDifferentOptions(plan, input.plan.options, input.plan.givenOptions ?? DECIDING_OPTION_NAMES);
  } else {
    const reusable = reusablePlan(journal, input.plan, inputs, tenant, deps.clock.now());
    if (reusable === null) {
      log.info('No recent unused plan of these exports: planning first.');
      const planned = await runPlan(input.plan, deps);
      plan = planned.run;
      fileIssues = planned.fileIssues;
      start = 'planned';
    } else {
      plan = reusable;
      log.info(`Executing plan ${plan.id} made ${plan.startedAt.toISOString()} from the same exports and options.`);
    }
  }
  const options = recordedDecidingOptions(plan, input.plan.options);
  const run = journal.createRun({
    command: 'apply',
    parentRunId: plan.id,
    tenantId: tenant.tenantId ?? plan.tenantId,
    graphUrl: tenant.graphUrl,
    options: { ...input.plan.run.options, ...decidingOptionsJson(options), writeBudget: writeBudgetOf(deps.graph), apps: appsJson(apps) },
    inputs,
  });
  const copied = journal.copyPlan(plan.id, run.id);
  log.info(`Apply run ${run.id}: ${copied.users.toLocaleString('en-US')} users, ${copied.operations.toLocaleString('en-US')} operations; recording in ${journal.path}.`);
  return { run, planRunId: plan.id, start, fileIssues, options };
}

/**
 * A sync cycle left unfinished holds planned writes decided from its own reads: an apply beside it
 * would plan the same users again, and the sync's resume would then send writes Entra already has.
 */
function refuseBesideUnfinishedSync(journal: Journal): void {
  const unfinished = journal.latestRun({ command: 'sync', status: ['running', 'interrupted'] });
  if (unfinished === null) return;
  throw usageError(
    'SYNC_UNFINISHED',
    `sync run ${unfinished.id} (started ${unfinished.startedAt.toISOString()}) is unfinished; apply cannot start beside it`,
    `Resume it by running sync again (\`mfa-migrate status --run ${unfinished.id}\` shows the command), or undo it with \`mfa-migrate rollback --run ${unfinished.id} --execute\`.`,
  );
}

/** The write budget the gateway keeps to, recorded with the run so `status` estimates time left as the progress bar does. */
export function writeBudgetOf(graph: Pick<GraphGateway, 'writeWindow'>): JsonObject {
  const { writesPerWindow, windowMs } = graph.writeWindow();
  return { writesPerWindow, windowMs };
}

/** Writes of a run, for the progress bar: all but the reported conflicts, and those already finished. */
function writeCounts(summary: RunSummary): { readonly total: number; readonly finished: number } {
  let total = 0;
  let finished = 0;
  for (const byStatus of Object.values(summary.operationsByKind)) {
    total += (byStatus.planned ?? 0) + (byStatus.sent ?? 0) + (byStatus.done ?? 0) + (byStatus.failed ?? 0) + (byStatus.skipped ?? 0);
    finished += (byStatus.done ?? 0) + (byStatus.failed ?? 0) + (byStatus.skipped ?? 0);
  }
  return { total, finished };
}

function requirePlan(journal: Journal, planRunId: string): RunRecord {
  const plan = journal.getRun(planRunId);
  if (plan === null || plan.command !== 'plan') {
    throw usageError('PLAN_NOT_FOUND', `${journal.path} holds no plan run ${planRunId}`, 'Give --plan the run id `mfa-migrate plan` printed (and the same --state), or leave --plan out to plan first.');
  }
  if (plan.status !== 'finished') {
    throw usageError('PLAN_NOT_FINISHED', `plan ${planRunId} did not finish (${plan.status})`, 'Run `mfa-migrate plan` again and apply the new plan.');
  }
  return plan;
}

function sameInputs(a: InputFingerprint, b: InputFingerprint): boolean {
  const key = (files: InputFingerprint): string => files.map((file) => `${file.role}:${file.sha256}`).sort().join('|');
  return key(a) === key(b);
}

function reusablePlan(journal: Journal, input: PlanInput, inputs: InputFingerprint, tenant: TenantNow, now: number): RunRecord | null {
  const plan = journal.latestRun({ command: 'plan', status: 'finished' });
  if (plan === null || now - plan.startedAt.getTime() > PLAN_REUSE_MAX_AGE_MS) return null;
  if (!sameInputs(plan.inputs, inputs) || tenantDifference(plan, tenant) !== null) return null;
  if (decidingOptionDifferences(plan.options, input.options).length > 0) return null;
  // A plan already applied describes Entra before that apply; plan again.
  return journal.latestRun({ command: 'apply', parentRunId: plan.id }) === null ? plan : null;
}

/**
 * Sets every user's final status (docs/design.md "Final user statuses") once no operation is left
 * planned or sent.
 */
function settleFinalStatuses(journal: Journal, runId: string): Partial<Record<FinalUserStatus, number>> {
  const updates: { userId: number; status: FinalUserStatus }[] = [];
  const counts: Partial<Record<FinalUserStatus, number>> = {};
  for (const user of journal.iterateUsers(runId)) {
    const status = finalStatusOf(user.planStatus, user.operations) ?? 'failed';
    updates.push({ userId: user.id, status });
    counts[status] = (counts[status] ?? 0) + 1;
  }
  journal.setFinalStatus(updates);
  return counts;
}

type TokenOf = (operation: StoredOperation) => HardwareTokenDescription | { readonly problem: string };

const HARDWARE_TOKEN_KINDS: ReadonlySet<StoredOperation['kind']> = new Set(['createHardwareToken', 'activateHardwareToken']);

/**
 * Seeds never enter the journal (docs/design.md "Seeds as keyed hashes"), so apply reads them again
 * from the tokens file and checks each against the fingerprint the plan stored: a seed that changed
 * since the plan is not sent. Reads the exports only when the run has token operations left.
 */
async function seedsFor(input: PlanInput, options: PlanDecidingOptions, journal: Journal, runId: string, deps: ApplyDeps): Promise<TokenOf> {
  const pending = journal.runSummary(runId).operationsByKind;
  const needed = [...HARDWARE_TOKEN_KINDS].some((kind) => (pending[kind]?.planned ?? 0) > 0);
  if (!needed) return () => ({ problem: 'no hardware token seeds were loaded for this run' });
  const tokensFile = input.files.tokens;
  if (tokensFile === null) return () => ({ problem: 'the run has hardware token operations but apply was given no --tokens file' });

  // Stored fingerprint per user line and serial, from the run's users.
  const stored = new Map<string, string>();
  const lineOfUser = new Map<number, number>();
  for (const user of journal.iterateUsers(runId)) {
    if (user.desired.hardwareTokens.length === 0) continue;
    lineOfUser.set(user.id, user.line);
    for (const token of user.desired.hardwareTokens) stored.set(tokenKey(user.line, token.serialNumber), token.seedFingerprint);
  }
  const seeds = new Map<string, DesiredHardwareToken>();
  // Read with the plan's options: the seeds must come out as the plan saw them.
  await runValidate(validateInputOf({ ...input, options }), { ...deps, progress: silentProgress }, (desired) => {
    for (const token of desired.hardwareTokens) {
      const key = tokenKey(desired.line, token.serialNumber);
      if (stored.has(key)) seeds.set(key, token);
    }
    return undefined;
  });
  return (operation) => {
    const line = lineOfUser.get(operation.userId);
    const key = line === undefined ? null : tokenKey(line, operation.target);
    const token = key === null ? undefined : seeds.get(key);
    if (key === null || token === undefined) return { problem: `the seed of hardware token ${operation.target} is no longer in ${tokensFile}` };
    if (journal.seedFingerprint(token.secretKey) !== stored.get(key)) {
      return { problem: `the seed of hardware token ${operation.target} in ${token.file} line ${String(token.line)} changed since the plan — run plan again` };
    }
    return {
      serialNumber: token.serialNumber,
      // Graph requires both; seed files often leave them out.
      manufacturer: token.manufacturer ?? 'Unknown',
      model: token.model ?? 'Unknown',
      seed: token.secretKey,
      timeIntervalInSeconds: token.timeIntervalInSeconds,
      hashFunction: token.hashFunction,
      displayName: null,
    };
  };
}

function tokenKey(line: number, serial: string): string {
  return `${String(line)}\n${serial.trim().toLowerCase()}`;
}

/** The exit code apply ends with when it finished: 4 when any user failed or was only partly migrated. */
export function applyExitCode(result: ApplyResult): ExitCode {
  return (result.usersByFinalStatus.failed ?? 0) + (result.usersByFinalStatus.partial ?? 0) > 0 ? ExitCode.failedUsers : ExitCode.ok;
}

