/**
 * plan (docs/design.md "plan command"): the dry run. Validates the exports, finds each ready user
 * in Entra, reads what Entra holds, diffs, and stores the run in the journal so `apply --plan RUN`
 * can execute exactly this plan later. Sends GETs only.
 *
 * Users stream: validate hands over one desired state at a time; each ready user is read from Graph
 * with at most USERS_IN_FLIGHT reads under way (p-limit; the gateway packs them into `$batch`
 * requests under the governor) and validate is held back while READ_AHEAD_USERS wait; results are
 * diffed and recorded in journal transactions of PLAN_CHUNK_USERS, so memory holds at most
 * READ_AHEAD_USERS + one chunk, and a crash loses at most one chunk of reads.
 */
import type { Finding, FindingCode } from '../findings.js';
import { finding } from '../findings.js';
import { serialKey } from '../graph/entra-json.js';
import type { GraphGateway, UserReadResult } from '../graph/gateway.js';
import { USERS_IN_FLIGHT } from '../graph/limits.js';
import pLimit from 'p-limit';
import type { InputToFingerprint } from '../journal/inputs.js';
import { appsJson } from './run-apps.js';
import { fingerprintInputs } from '../journal/inputs.js';
import type { Journal } from '../journal/journal.js';
import type { BaselineScope, JsonObject, RunRecord, SyncIdentity, UserRecord } from '../run-records.js';
import type { DesiredState } from '../mapping/desired-state.js';
import { userKey } from '../mapping/usernames.js';
import { CODES_DECIDED_BY_DIFF, diffUser } from '../plan/diff-user.js';
import type { EntraHardwareToken } from '../plan/entra-state.js';
import type { OperationKind, PlanStatus } from '../plan/operations.js';
import type { PriorWrites } from '../plan/prior-writes.js';
import type { OnlyList } from '../source/only-list.js';
import type { StepDeps } from './deps.js';
import { readPolicyView, type PolicyGraph, type PolicyView } from './tenant-policy.js';
import { diffOptionsOf, mappingOptionsOf, decidingOptionsJson, type DecidingOptionName, type PlanDecidingOptions } from './deciding-options.js';
import { runValidate, type SourceFiles, type ValidateInput } from './validate.js';
import { SyncIdentities } from './sync-identity.js';
import { interruptedError, MigrateError } from '../errors.js';

/** Users recorded together: one journal transaction per chunk. */
export const PLAN_CHUNK_USERS = 1_000;
/** How far validate may run ahead of Graph reads: bounds memory, keeps the gateway fed. */
export const READ_AHEAD_USERS = 2_000;

/** The gateway calls plan makes; the GraphGateway has them, tests may pass a smaller fake. */
export type PlanGraph = PolicyGraph & Pick<GraphGateway, 'preflight' | 'readGroupMemberIds' | 'readHardwareTokenInventory' | 'readUser'>;

export interface PlanDeps extends StepDeps {
  readonly graph: PlanGraph;
  readonly journal: Journal;
}

export interface PlanInput {
  readonly files: SourceFiles;
  /** `--columns`: canonical field name → header text, read from `columnsFile`. */
  readonly columns: Readonly<Record<string, string>>;
  /** `--columns` file, fingerprinted with the exports: a different map makes different users. */
  readonly columnsFile: string | null;
  /** `--only`: only these usernames (the file is fingerprinted with the exports). */
  readonly only: OnlyList | null;
  /** Everything else that decides what the plan holds; recorded with the run and compared before a plan is reused or executed. */
  readonly options: PlanDecidingOptions;
  /**
   * The options of `options` given on this command line (the rest are defaults): `apply --plan`
   * refuses only these when they differ from the plan's. Absent: every option counts as given.
   */
  readonly givenOptions?: ReadonlySet<DecidingOptionName>;
  /** Recorded with the run besides `options`, for `status` and the reports; never secrets. */
  readonly run: { readonly tenantId: string | null; readonly graphUrl: string | null; readonly options: JsonObject };
}

/** What validate is given for a plan's exports and options. */
export function validateInputOf(input: Pick<PlanInput, 'files' | 'columns' | 'options'>): ValidateInput {
  return { files: input.files, read: { encoding: input.options.encoding, delimiter: input.options.delimiter, columns: input.columns }, mapping: mappingOptionsOf(input.options) };
}

export type PlanUserCounts = Record<PlanStatus, number>;

export interface PlanSummary {
  users: number;
  byStatus: PlanUserCounts;
  /** Users the export holds but `--group` / `--only` leave out; not recorded. */
  outOfScope: number;
  /** Operations to send, by kind (conflicts are counted as users with status `conflict`). */
  operations: Partial<Record<OperationKind, number>>;
  issues: Partial<Record<FindingCode, number>>;
}

export interface PlanResult {
  readonly run: RunRecord;
  readonly summary: PlanSummary;
  readonly fileIssues: readonly Finding[];
}

/** What the plan learns once about the tenant before reading users. */
export interface TenantView {
  readonly policy: PolicyView;
  readonly scopeMembers: ReadonlySet<string> | null;
  readonly inventory: ReadonlyMap<string, EntraHardwareToken>;
}

/** A user of the exports as validate mapped them, with how sync recognises them (null for a repeated username or an unusable row). */
export interface CandidateUser {
  readonly desired: DesiredState;
  readonly sync: SyncIdentity | null;
}

/** What becomes of a user before anything is read: planned (read and diffed), left out unchanged, or out of scope. */
export type UserSelection = 'plan' | 'skip' | 'outOfScope';

/** How planUsers reads and chooses; plan reads the tenant first and plans everyone, sync chooses and reads only when needed. */
export interface PlanUsersSettings {
  /** The tenant view, read when the first user is read (or before, by plan). */
  readonly tenant: TenantOnce;
  /** What runs of ours wrote for an Entra user (R17), by object id; null when the journal knows nothing for this tenant. */
  readonly prior: ((entraUserId: string) => PriorWrites | null) | null;
  /** Told of every user of the exports, --only or not, before anything else (sync: who is still in the export). */
  readonly onEveryUser?: (user: CandidateUser) => void;
  /** Decides per user of --only before anything is read; absent: every one is planned. */
  readonly select?: (user: CandidateUser) => UserSelection;
  /** A user read and found outside --group (not recorded). */
  readonly onOutOfScope?: (user: CandidateUser, entraUserId: string) => void;
}

/** The tenant view read at most once, when first asked for: a sync cycle that reads no user reads no policy either. */
export class TenantOnce {
  #view: Promise<TenantView> | null = null;
  readonly #read: () => Promise<TenantView>;

  constructor(read: () => Promise<TenantView>) {
    this.#read = read;
  }

  get(): Promise<TenantView> {
    this.#view ??= this.#read();
    return this.#view;
  }

  /** Whether it was asked for (its findings then belong to the run). */
  get requested(): boolean {
    return this.#view !== null;
  }
}

export interface PlannedUsers {
  readonly summary: PlanSummary;
  readonly fileIssues: readonly Finding[];
}

export async function runPlan(input: PlanInput, deps: PlanDeps): Promise<PlanResult> {
  const { graph, journal, log } = deps;

  // Sign-in and permissions first: nothing is read or recorded for a principal that cannot finish.
  const signedIn = await graph.preflight({ writes: false, group: input.options.group !== null, hardwareTokenWrites: false });
  // The tenant the token belongs to, when it says: apply and rollback compare it.
  const scope: BaselineScope = { graphUrl: input.run.graphUrl, tenantId: signedIn.principal.tenantId ?? input.run.tenantId };

  const tenant = new TenantOnce(() => readTenantView(input, graph, log));
  await tenant.get();
  const run = journal.createRun({
    command: 'plan',
    parentRunId: null,
    tenantId: scope.tenantId,
    graphUrl: input.run.graphUrl,
    options: { ...input.run.options, ...decidingOptionsJson(input.options), apps: appsJson(signedIn.apps) },
    inputs: await fingerprintInputs(planInputFiles(input)),
  });
  log.info(`Plan run ${run.id}: recording in ${journal.path}.`);
  try {
    const planned = await planUsers(run, input, deps, { tenant, prior: priorWritesOf(journal, scope) });
    journal.finishRun(run.id, 'finished', planSummaryJson(planned.summary, planned.fileIssues));
    return { run: journal.getRun(run.id) ?? run, summary: planned.summary, fileIssues: planned.fileIssues };
  } catch (error) {
    // The users recorded so far stay, and the run is marked so status and reports say it stopped:
    // `interrupted` after Ctrl-C, `failed` otherwise.
    journal.finishRun(run.id, deps.signal?.aborted === true ? 'interrupted' : 'failed', { error: error instanceof MigrateError ? error.code : 'INTERNAL' });
    throw error;
  }
}

/** R17's lookup for a tenant: null when no apply or sync against it recorded anyone yet (nothing is ours). */
export function priorWritesOf(journal: Journal, scope: BaselineScope): ((entraUserId: string) => PriorWrites | null) | null {
  return journal.hasBaselines(scope) ? (entraUserId) => journal.priorWrites(scope, entraUserId) : null;
}

/**
 * Streams the exports through validate, reads from Graph the users `select` plans, diffs them and
 * records them in `run`, PLAN_CHUNK_USERS per transaction. The caller finishes the run; on an
 * error the users read so far are recorded first, then the error is thrown.
 */
export async function planUsers(run: RunRecord, input: PlanInput, deps: PlanDeps, settings: PlanUsersSettings): Promise<PlannedUsers> {
  const { graph, journal } = deps;
  const summary: PlanSummary = {
    users: 0,
    byStatus: { planned: 0, unchanged: 0, conflict: 0, skipped: 0, unmatched: 0, rejected: 0, failed: 0 },
    outOfScope: 0,
    operations: {},
    issues: {},
  };
  const upnSuffix = input.options.upnSuffix;
  const onlyKeys = input.only === null ? null : new Set(input.only.usernames.map((name) => userKey(name, upnSuffix)));
  const onlyKey = (desired: DesiredState): boolean => onlyKeys === null || onlyKeys.has(userKey(desired.username, upnSuffix));
  const identities = new SyncIdentities(input.options, (seed) => journal.seedFingerprint(seed));
  const buffered: UserRecord[] = [];

  const flush = (): void => {
    if (buffered.length === 0) return;
    const records = buffered.splice(0);
    journal.recordUsers(run.id, records);
    for (const entry of records) count(summary, entry);
  };
  const keep = (candidate: CandidateUser, entry: UserRecord, tenant: TenantView | null): void => {
    if (tenant?.scopeMembers != null && entry.before !== null && !tenant.scopeMembers.has(entry.before.user.id)) {
      summary.outOfScope += 1;
      settings.onOutOfScope?.(candidate, entry.before.user.id);
      return;
    }
    buffered.push(entry);
    if (buffered.length >= PLAN_CHUNK_USERS) flush();
  };

  // Validate hands ready users to the reads as it streams; the reads run USERS_IN_FLIGHT at a time
  // (the gateway keeps its batches full from them), and validate waits while READ_AHEAD_USERS are
  // read or waiting to be, so the batches in flight never drain at a chunk boundary.
  // rejectOnClear: after a fatal error the queued reads settle (rejected) instead of waiting forever.
  const reads = pLimit({ concurrency: USERS_IN_FLIGHT, rejectOnClear: true });
  const reading = new Set<Promise<void>>();
  const failure: { error: Error | undefined } = { error: undefined };
  // Validate waits while READ_AHEAD_USERS are read or queued, and goes on once half are done: a
  // wake-up per half, not per user (and not a Promise.race over thousands of reads per user).
  let room: (() => void) | null = null;
  const roomMade = (): void => {
    if (room === null || reading.size > READ_AHEAD_USERS / 2) return;
    const wake = room;
    room = null;
    wake();
  };
  const read = (candidate: CandidateUser): void => {
    const { desired } = candidate;
    const lookup = { key: String(desired.line), upn: desired.upn, matchKeys: desired.matchKeys };
    const task: Promise<void> = reads(async () => {
      const tenant = await settings.tenant.get();
      const result = await graph.readUser(lookup);
      return { tenant, result };
    })
      .then(({ tenant, result }) => { keep(candidate, { ...diffOne(desired, result, input, tenant, settings.prior), sync: candidate.sync }, tenant); })
      .catch((error: unknown) => {
        // Sign-in, permission, unreachable or a stop: every other user would fail the same way.
        failure.error ??= error instanceof Error ? error : new Error(String(error));
        reads.clearQueue();
      })
      .finally(() => {
        reading.delete(task);
        roomMade();
      });
    reading.add(task);
  };

  try {
    const validated = await runValidate(validateInputOf(input), deps, (desired, source) => {
      if (failure.error !== undefined) throw failure.error;
      if (deps.signal?.aborted === true) throw interruptedError('reading the rest of the exports');
      const candidate: CandidateUser = { desired, sync: identities.of(desired, source) };
      settings.onEveryUser?.(candidate);
      if (!onlyKey(desired)) {
        summary.outOfScope += 1;
        return undefined;
      }
      const selection = settings.select?.(candidate) ?? 'plan';
      if (selection === 'outOfScope') summary.outOfScope += 1;
      if (selection !== 'plan') return undefined;
      if (desired.status !== 'ready') {
        keep(candidate, { desired, before: null, plan: { status: desired.status }, issues: desired.issues, sync: candidate.sync }, null);
        return undefined;
      }
      read(candidate);
      return reading.size >= READ_AHEAD_USERS ? new Promise<void>((resolve) => { room = resolve; }) : undefined;
    });
    await Promise.all(reading);
    if (failure.error !== undefined) throw failure.error;
    flush();
    const policyFindings = settings.tenant.requested ? (await settings.tenant.get()).policy.findings : [];
    const fileIssues = [...validated.fileIssues, ...policyFindings];
    for (const issue of fileIssues) summary.issues[issue.code] = (summary.issues[issue.code] ?? 0) + 1;
    return { summary, fileIssues };
  } catch (error) {
    // Reads under way finish first; the users recorded so far stay.
    reads.clearQueue();
    await Promise.all(reading);
    flush();
    throw error;
  }
}

/** The files a plan is made from, fingerprinted with the run: apply refuses a plan whose files changed. */
export function planInputFiles(input: Pick<PlanInput, 'files' | 'columnsFile' | 'only'>): InputToFingerprint[] {
  const files = input.files;
  return [
    { role: 'users', path: files.users },
    ...(files.devices === null ? [] : [{ role: 'devices' as const, path: files.devices }]),
    ...(files.tokens === null ? [] : [{ role: 'tokens' as const, path: files.tokens }]),
    ...(input.columnsFile === null ? [] : [{ role: 'columns' as const, path: input.columnsFile }]),
    ...(input.only === null ? [] : [{ role: 'only' as const, path: input.only.file }]),
  ];
}

/** The tenant as a plan needs it: the policy, the --group members and the token inventory when tokens are used. */
export async function readTenantView(input: PlanInput, graph: PlanGraph, log: StepDeps['log']): Promise<TenantView> {
  const tokensUsed = input.files.tokens !== null && input.options.hardwareTokens !== 'off';
  const policy = await readPolicyView(graph, log);
  const scopeMembers = input.options.group === null ? null : await graph.readGroupMemberIds(input.options.group);
  if (scopeMembers !== null) log.info(`--group ${input.options.group ?? ''}: ${scopeMembers.size.toLocaleString('en-US')} members.`);
  const inventory = tokensUsed ? await graph.readHardwareTokenInventory() : new Map<string, EntraHardwareToken>();
  return { policy, scopeMembers, inventory };
}

function diffOne(desired: DesiredState, result: UserReadResult, input: PlanInput, tenant: TenantView, priorOf: PlanUsersSettings['prior']): UserRecord {
  // The diff decides these now that Entra is visible; mapping's offline guesses would contradict it.
  const mappingIssues = desired.issues.filter((issue) => !CODES_DECIDED_BY_DIFF.has(issue.code));
  if (result.error !== null) {
    const ambiguous = result.error.code === 'GRAPH_USER_AMBIGUOUS';
    const issue = finding(
      ambiguous ? 'USER_AMBIGUOUS' : 'USER_READ_FAILED',
      desired.file,
      desired.line,
      // The gateway's message already names Graph's request-id.
      `${desired.file} line ${desired.line}: ${desired.username}: ${result.error.message} — ${result.error.remedy}`,
    );
    return { desired, before: null, plan: { status: ambiguous ? 'unmatched' : 'failed' }, issues: [...mappingIssues, issue] };
  }
  const current = result.user === null || result.state === null ? null : result.state;
  const userId = current?.user.id ?? '';
  const availability = tenant.policy.availabilityOf(userId);
  const plan = diffUser({ ...desired, issues: mappingIssues }, current, {
    availability,
    inventory: (serial) => tenant.inventory.get(serialKey(serial)) ?? null,
    options: diffOptionsOf(input.options),
    prior: current === null || priorOf === null ? null : priorOf(current.user.id),
  });
  return { desired, before: current, plan, issues: [...mappingIssues, ...plan.issues] };
}

function count(summary: PlanSummary, entry: UserRecord): void {
  summary.users += 1;
  summary.byStatus[entry.plan.status] += 1;
  for (const issue of entry.issues) summary.issues[issue.code] = (summary.issues[issue.code] ?? 0) + 1;
  if ('operations' in entry.plan) {
    for (const operation of entry.plan.operations) {
      if (operation.status !== 'planned') continue;
      summary.operations[operation.kind] = (summary.operations[operation.kind] ?? 0) + 1;
    }
  }
}

export function planSummaryJson(summary: PlanSummary, fileIssues: readonly Finding[]): JsonObject {
  return {
    users: summary.users,
    byStatus: { ...summary.byStatus },
    outOfScope: summary.outOfScope,
    operations: { ...summary.operations },
    issues: { ...summary.issues },
    fileIssues: fileIssues.length,
  };
}
