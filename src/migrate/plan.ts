/**
 * plan (DESIGN §5): the dry run. Validates the exports, finds each ready user in Entra, reads what
 * Entra holds, diffs, and stores the run in the journal so `apply --plan RUN` can execute exactly
 * this plan later. Sends GETs only.
 *
 * Users stream: validate hands over one desired state at a time; ready users go through a bounded
 * queue to the gateway, which reads them as one continuous stream (many `$batch` requests in
 * flight); results are diffed and recorded in journal transactions of PLAN_CHUNK_USERS, so memory
 * holds at most READ_AHEAD_USERS + one chunk, and a crash loses at most one chunk of reads.
 */
import type { Finding, FindingCode } from '../findings.js';
import { finding } from '../findings.js';
import { serialKey } from '../graph/entra-json.js';
import type { GraphGateway, UserLookup, UserReadResult } from '../graph/gateway.js';
import type { InputToFingerprint } from '../journal/inputs.js';
import { fingerprintInputs } from '../journal/inputs.js';
import type { Journal } from '../journal/journal.js';
import type { JsonObject, RunRecord, UserRecord } from '../run-records.js';
import type { DesiredState } from '../mapping/desired-state.js';
import { userKey } from '../mapping/usernames.js';
import { availabilityFor } from '../plan/availability.js';
import { CODES_DECIDED_BY_DIFF, diffUser, type DiffOptions } from '../plan/diff-user.js';
import type { EntraHardwareToken, TenantPolicy } from '../plan/entra-state.js';
import type { OperationKind, PlanStatus } from '../plan/operations.js';
import type { OnlyList } from '../source/only-list.js';
import { AsyncQueue } from './async-queue.js';
import type { StepDeps } from './deps.js';
import { runValidate, type ValidateInput } from './validate.js';
import { interruptedError, MigrateError } from '../errors.js';

/** Users recorded together: one journal transaction per chunk. */
export const PLAN_CHUNK_USERS = 1_000;
/** How far validate may run ahead of Graph reads: bounds memory, keeps the gateway fed. */
export const READ_AHEAD_USERS = 2_000;

/** The gateway calls plan makes; the GraphGateway has them, tests may pass a smaller fake. */
export type PlanGraph = Pick<GraphGateway, 'preflight' | 'readTenantPolicy' | 'readGroupMemberIds' | 'readHardwareTokenInventory' | 'readUsers'>;

export interface PlanDeps extends StepDeps {
  readonly graph: PlanGraph;
  readonly journal: Journal;
}

export interface PlanScope {
  /** `--group`: only transitive members of this group (object id or display name). */
  readonly group: string | null;
  /** `--only`: only these usernames. */
  readonly only: OnlyList | null;
}

export interface PlanInput {
  readonly validate: ValidateInput;
  readonly diff: DiffOptions;
  readonly scope: PlanScope;
  /** Recorded with the run for `status` and the reports; never secrets. */
  readonly run: { readonly tenantId: string | null; readonly graphUrl: string | null; readonly options: JsonObject };
  /** `--columns` file, fingerprinted with the exports: a different map makes different users. */
  readonly columnsFile: string | null;
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
  readonly policy: TenantPolicy;
  /** Members of every group the policy targets, by group id. */
  readonly policyGroups: ReadonlyMap<string, ReadonlySet<string>>;
  readonly scopeMembers: ReadonlySet<string> | null;
  readonly inventory: ReadonlyMap<string, EntraHardwareToken>;
}

export async function runPlan(input: PlanInput, deps: PlanDeps): Promise<PlanResult> {
  const { graph, journal, log } = deps;
  const files = input.validate.files;
  const tokensUsed = files.tokens !== null && input.diff.hardwareTokens !== 'off';

  // Sign-in and permissions first: nothing is read or recorded for a principal that cannot finish.
  await graph.preflight({ writes: false, group: input.scope.group !== null, hardwareTokenWrites: false });

  const tenant = await readTenant(input, graph, tokensUsed, log);
  const run = journal.createRun({
    command: 'plan',
    parentRunId: null,
    tenantId: input.run.tenantId,
    graphUrl: input.run.graphUrl,
    options: input.run.options,
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
  const onlyKeys = input.scope.only === null ? null : new Set(input.scope.only.usernames.map((name) => userKey(name, input.validate.mapping.upnSuffix)));
  const onlyKey = (desired: DesiredState): boolean => onlyKeys === null || onlyKeys.has(userKey(desired.username, input.validate.mapping.upnSuffix));
  const ready = new AsyncQueue<DesiredState>(READ_AHEAD_USERS);
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

  // Validate feeds ready users to the queue and records the others directly; the gateway reads the
  // queue as one continuous stream, so its batches in flight never drain at a chunk boundary.
  const produce = async (): Promise<readonly Finding[]> => {
    try {
      const validated = await runValidate(input.validate, deps, (desired) => {
        if (deps.signal?.aborted === true) throw interruptedError('reading the rest of the exports');
        if (!onlyKey(desired)) {
          summary.outOfScope += 1;
          return undefined;
        }
        if (desired.status === 'ready') return ready.push(desired);
        keep({ desired, before: null, plan: { status: desired.status }, issues: desired.issues });
        return undefined;
      });
      ready.close();
      return validated.fileIssues;
    } catch (error) {
      ready.fail(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  };
  const consume = async (): Promise<void> => {
    try {
      for await (const entry of readAndDiff(ready, input, tenant, graph)) keep(entry);
    } finally {
      // Normally a no-op (the producer has closed the queue); after a failure it stops the producer.
      ready.abandon();
    }
  };

  try {
    const [fileIssues] = await Promise.all([produce(), consume()]);
    flush();
    for (const issue of fileIssues) summary.issues[issue.code] = (summary.issues[issue.code] ?? 0) + 1;
    journal.finishRun(run.id, 'finished', summaryJson(summary, fileIssues));
    return { run: journal.getRun(run.id) ?? run, summary, fileIssues };
  } catch (error) {
    // The users recorded so far stay; the run is marked so status and reports say it stopped:
    // `interrupted` after Ctrl-C, `failed` otherwise.
    flush();
    journal.finishRun(run.id, deps.signal?.aborted === true ? 'interrupted' : 'failed', { error: error instanceof MigrateError ? error.code : 'INTERNAL' });
    throw error;
  }
}

/** The files a plan is made from, fingerprinted with the run: apply refuses a plan whose files changed. */
export function planInputFiles(input: Pick<PlanInput, 'validate' | 'columnsFile' | 'scope'>): InputToFingerprint[] {
  const files = input.validate.files;
  return [
    { role: 'users', path: files.users },
    ...(files.devices === null ? [] : [{ role: 'devices' as const, path: files.devices }]),
    ...(files.tokens === null ? [] : [{ role: 'tokens' as const, path: files.tokens }]),
    ...(input.columnsFile === null ? [] : [{ role: 'columns' as const, path: input.columnsFile }]),
    ...(input.scope.only === null ? [] : [{ role: 'only' as const, path: input.scope.only.file }]),
  ];
}

async function readTenant(input: PlanInput, graph: PlanGraph, tokensUsed: boolean, log: StepDeps['log']): Promise<TenantView> {
  const policy = await graph.readTenantPolicy();
  const groupIds = new Set<string>();
  for (const method of policy.methods) {
    for (const id of [...method.includeGroupIds, ...method.excludeGroupIds]) if (id !== 'all_users') groupIds.add(id);
  }
  const policyGroups = new Map<string, ReadonlySet<string>>();
  for (const id of groupIds) policyGroups.set(id, await graph.readGroupMemberIds(id));
  const scopeMembers = input.scope.group === null ? null : await graph.readGroupMemberIds(input.scope.group);
  if (scopeMembers !== null) log.info(`--group ${input.scope.group ?? ''}: ${scopeMembers.size.toLocaleString('en-US')} members.`);
  const inventory = tokensUsed ? await graph.readHardwareTokenInventory() : new Map<string, EntraHardwareToken>();
  return { policy, policyGroups, scopeMembers, inventory };
}

/** Resolves, reads and diffs the ready users as they come; every user gets exactly one record. */
async function* readAndDiff(ready: AsyncIterable<DesiredState>, input: PlanInput, tenant: TenantView, graph: PlanGraph): AsyncGenerator<UserRecord> {
  // Users handed to the gateway and not yet answered, by lookup key (the users file line is unique).
  const waiting = new Map<string, DesiredState>();
  async function* lookups(): AsyncGenerator<UserLookup> {
    for await (const desired of ready) {
      const key = String(desired.line);
      waiting.set(key, desired);
      yield { key, upn: desired.upn, matchKeys: desired.matchKeys };
    }
  }
  for await (const result of graph.readUsers(lookups(), { inventory: tenant.inventory })) {
    const desired = waiting.get(result.key);
    if (desired === undefined) continue;
    waiting.delete(result.key);
    yield diffOne(desired, result, input, tenant);
  }
  // A lookup the gateway did not answer is a bug there; still, no user may vanish from the run.
  for (const desired of waiting.values()) {
    const issue = finding('USER_READ_FAILED', desired.file, desired.line, `${desired.file} line ${desired.line}: ${desired.username}: no answer was received for this user — run plan again.`);
    yield { desired, before: null, plan: { status: 'failed' }, issues: [...desired.issues, issue] };
  }
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
  const availability = availabilityFor(userId, tenant.policy, (groupId) => tenant.policyGroups.get(groupId)?.has(userId) ?? false);
  const plan = diffUser({ ...desired, issues: mappingIssues }, current, {
    availability,
    inventory: (serial) => tenant.inventory.get(serialKey(serial)) ?? null,
    options: input.diff,
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
