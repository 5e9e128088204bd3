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
import type { JsonObject, RunRecord, UserRecord } from '../run-records.js';
import type { DesiredState } from '../mapping/desired-state.js';
import { userKey } from '../mapping/usernames.js';
import { CODES_DECIDED_BY_DIFF, diffUser } from '../plan/diff-user.js';
import type { EntraHardwareToken } from '../plan/entra-state.js';
import type { OperationKind, PlanStatus } from '../plan/operations.js';
import type { OnlyList } from '../source/only-list.js';
import type { StepDeps } from './deps.js';
import { readPolicyView, type PolicyGraph, type PolicyView } from './tenant-policy.js';
import { diffOptionsOf, mappingOptionsOf, decidingOptionsJson, type DecidingOptionName, type PlanDecidingOptions } from './deciding-options.js';
import { runValidate, type SourceFiles, type ValidateInput } from './validate.js';
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
interface TenantView {
  readonly policy: PolicyView;
  readonly scopeMembers: ReadonlySet<string> | null;
  readonly inventory: ReadonlyMap<string, EntraHardwareToken>;
}

export async function runPlan(input: PlanInput, deps: PlanDeps): Promise<PlanResult> {
  const { graph, journal, log } = deps;
  const tokensUsed = input.files.tokens !== null && input.options.hardwareTokens !== 'off';

  // Sign-in and permissions first: nothing is read or recorded for a principal that cannot finish.
  const signedIn = await graph.preflight({ writes: false, group: input.options.group !== null, hardwareTokenWrites: false });

  const tenant = await readTenant(input, graph, tokensUsed, log);
  const run = journal.createRun({
    command: 'plan',
    parentRunId: null,
    // The tenant the token belongs to, when it says: apply and rollback compare it.
    tenantId: signedIn.principal.tenantId ?? input.run.tenantId,
    graphUrl: input.run.graphUrl,
    options: { ...input.run.options, ...decidingOptionsJson(input.options), apps: appsJson(signedIn.apps) },
    inputs: await fingerprintInputs(planInputFiles(input)),
  });
  log.info(`Plan run ${run.id}: recording in ${journal.path}.`);

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
  const buffered: UserRecord[] = [];

  const flush = (): void => {
    if (buffered.length === 0) return;
    const records = buffered.splice(0);
    journal.recordUsers(run.id, records);
    for (const entry of records) count(summary, entry);
  };
  const keep = (entry: UserRecord): void => {
    if (tenant.scopeMembers !== null && entry.before !== null && !tenant.scopeMembers.has(entry.before.user.id)) {
      summary.outOfScope += 1;
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
  const read = (desired: DesiredState): void => {
    const lookup = { key: String(desired.line), upn: desired.upn, matchKeys: desired.matchKeys };
    const task: Promise<void> = reads(() => graph.readUser(lookup))
      .then((result) => { keep(diffOne(desired, result, input, tenant)); })
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
    const validated = await runValidate(validateInputOf(input), deps, (desired) => {
      if (failure.error !== undefined) throw failure.error;
      if (deps.signal?.aborted === true) throw interruptedError('reading the rest of the exports');
      if (!onlyKey(desired)) {
        summary.outOfScope += 1;
        return undefined;
      }
      if (desired.status !== 'ready') {
        keep({ desired, before: null, plan: { status: desired.status }, issues: desired.issues });
        return undefined;
      }
      read(desired);
      return reading.size >= READ_AHEAD_USERS ? new Promise<void>((resolve) => { room = resolve; }) : undefined;
    });
    await Promise.all(reading);
    if (failure.error !== undefined) throw failure.error;
    flush();
    const fileIssues = [...validated.fileIssues, ...tenant.policy.findings];
    for (const issue of fileIssues) summary.issues[issue.code] = (summary.issues[issue.code] ?? 0) + 1;
    journal.finishRun(run.id, 'finished', summaryJson(summary, fileIssues));
    return { run: journal.getRun(run.id) ?? run, summary, fileIssues };
  } catch (error) {
    // Reads under way finish first; the users recorded so far stay, and the run is marked so
    // status and reports say it stopped: `interrupted` after Ctrl-C, `failed` otherwise.
    reads.clearQueue();
    await Promise.all(reading);
    flush();
    journal.finishRun(run.id, deps.signal?.aborted === true ? 'interrupted' : 'failed', { error: error instanceof MigrateError ? error.code : 'INTERNAL' });
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

async function readTenant(input: PlanInput, graph: PlanGraph, tokensUsed: boolean, log: StepDeps['log']): Promise<TenantView> {
  const policy = await readPolicyView(graph, log);
  const scopeMembers = input.options.group === null ? null : await graph.readGroupMemberIds(input.options.group);
  if (scopeMembers !== null) log.info(`--group ${input.options.group ?? ''}: ${scopeMembers.size.toLocaleString('en-US')} members.`);
  const inventory = tokensUsed ? await graph.readHardwareTokenInventory() : new Map<string, EntraHardwareToken>();
  return { policy, scopeMembers, inventory };
}

function diffOne(desired: DesiredState, result: UserReadResult, input: PlanInput, tenant: TenantView): UserRecord {
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

function summaryJson(summary: PlanSummary, fileIssues: readonly Finding[]): JsonObject {
  return {
    users: summary.users,
    byStatus: { ...summary.byStatus },
    outOfScope: summary.outOfScope,
    operations: { ...summary.operations },
    issues: { ...summary.issues },
    fileIssues: fileIssues.length,
  };
}
