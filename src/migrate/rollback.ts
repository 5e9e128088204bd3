/**
 * rollback (docs/design.md "Rollback"): undo what one apply run wrote. Reads what Entra holds now
 * for each user the run wrote to, decides the undo per user (plan/rollback-operations.ts), and —
 * only with `execute` — records it as a rollback run and sends it through the same journaled loop
 * as apply, so a rollback is itself resumable: running it again resumes an unfinished one.
 */
import pLimit from 'p-limit';
import { MigrateError, usageError } from '../errors.js';
import type { Journal } from '../journal/journal.js';
import { isWriteRun, type RunRecord, type StoredOperation } from '../run-records.js';
import type { FinalUserStatus } from '../user-status.js';
import { serialKey } from '../graph/entra-json.js';
import type { EntraHardwareToken, EntraUser } from '../plan/entra-state.js';
import type { Operation } from '../plan/operations.js';
import { planUserRollback } from '../plan/rollback-operations.js';
import { executePlannedOperations, type ExecuteCounts } from './apply-execute.js';
import { reconcileSentOperations } from './apply-reconcile.js';
import { writeBudgetOf, type ApplyGraph } from './apply.js';
import { appsJson } from './run-apps.js';
import { otherTenantError, type TenantNow } from './tenant-check.js';
import type { GraphGateway } from '../graph/gateway.js';
import type { StepDeps } from './deps.js';
import { readPolicyView, type PolicyGraph } from './tenant-policy.js';

/** Users whose current state is read at once: each read is one `$batch` of a few GETs. */
const READS_IN_FLIGHT = 20;

export interface RollbackDeps extends StepDeps {
  readonly graph: PolicyGraph & Pick<ApplyGraph, 'preflight' | 'readUserState' | 'readHardwareTokenInventory' | 'write' | 'writeWindow'> & Pick<GraphGateway, 'tokenTenantId'>;
  readonly journal: Journal;
}

export interface RollbackInput {
  readonly applyRunId: string;
  readonly execute: boolean;
  /** The Graph root and `--tenant-id` given now: they must be the ones the apply run wrote to. */
  readonly tenant: TenantNow;
}

export interface RollbackUserPlan {
  readonly line: number;
  readonly username: string;
  readonly upn: string | null;
  readonly steps: readonly Operation[];
  readonly kept: readonly { readonly operation: Operation; readonly reason: string }[];
}

export interface RollbackResult {
  readonly applyRun: RunRecord;
  /** Null for the dry run. */
  readonly run: RunRecord | null;
  readonly resumed: boolean;
  readonly interrupted: boolean;
  /** The decided undo per user with something to undo or keep (empty when resuming). */
  readonly users: readonly RollbackUserPlan[];
  readonly operations: ExecuteCounts;
  readonly usersByFinalStatus: Partial<Record<FinalUserStatus, number>>;
}

export async function runRollback(input: RollbackInput, deps: RollbackDeps): Promise<RollbackResult> {
  const { journal, graph, log } = deps;
  const applyRun = journal.getRun(input.applyRunId);
  if (applyRun === null || !isWriteRun(applyRun)) {
    throw usageError('RUN_NOT_FOUND', `${journal.path} holds no apply or sync run ${input.applyRunId}`, 'Give --run the id of an apply or sync run (`mfa-migrate status` shows the latest) and the same --state.');
  }
  // Before anything is read or written: undoing a run in another tenant would delete that tenant's methods.
  const remedy = `Run rollback against the tenant apply run ${applyRun.id} wrote to: ${applyRun.graphUrl ?? 'the cloud'}${applyRun.tenantId === null ? '' : `, tenant ${applyRun.tenantId}`} (--graph-url / --cloud, --tenant-id and the credentials of that tenant).`;
  const given = otherTenantError('ROLLBACK_OTHER_TENANT', `apply run ${applyRun.id}`, applyRun, input.tenant, remedy);
  if (given !== null) throw given;
  // The token's tenant, without asking Graph anything (the emulator's development token has none).
  const tokenTenant = otherTenantError('ROLLBACK_OTHER_TENANT', `apply run ${applyRun.id}`, applyRun, { graphUrl: input.tenant.graphUrl, tenantId: await graph.tokenTenantId() }, remedy);
  if (tokenTenant !== null) throw tokenTenant;
  const signedIn = await graph.preflight({ writes: input.execute, group: false, hardwareTokenWrites: input.execute && hasTokenWrites(journal, applyRun.id) });

  const unfinished = journal.latestRun({ command: 'rollback', parentRunId: applyRun.id, status: ['running', 'interrupted'] });
  if (unfinished !== null && input.execute) {
    journal.reopenRun(unfinished.id);
    log.info(`Resuming rollback run ${unfinished.id}.`);
    return execute(journal.getRun(unfinished.id) ?? unfinished, applyRun, [], true, input, deps);
  }

  const users = await decide(applyRun, deps);
  if (!input.execute) {
    return { applyRun, run: null, resumed: false, interrupted: false, users, operations: { done: 0, failed: 0, skipped: 0 }, usersByFinalStatus: {} };
  }
  const run = journal.createRun({ command: 'rollback', parentRunId: applyRun.id, tenantId: applyRun.tenantId, graphUrl: applyRun.graphUrl, options: { execute: true, writeBudget: writeBudgetOf(graph), apps: appsJson(signedIn.apps) }, inputs: applyRun.inputs });
  journal.recordRevertOperations(applyRun.id, run.id, users.map((user) => ({
    line: user.line,
    operations: [
      ...user.steps.map((operation) => ({ operation, revertsOperationId: revertsOf(operation), keptBecause: null })),
      ...user.kept.map((entry) => ({ operation: entry.operation, revertsOperationId: revertsOf(entry.operation), keptBecause: entry.reason })),
    ],
  })));
  // From now on the run's users are planned again by the next sync (Entra read as it is then), and
  // what it wrote is no longer ours (R17): the undo may change any of it, even if it stops half-way.
  journal.forgetBaselinesOf(applyRun.id);
  if (applyRun.status === 'running' || applyRun.status === 'interrupted') {
    // An unfinished apply would otherwise be resumed over the rollback: close it for good.
    const left = journal.nextPlannedOperations(applyRun.id, Number.MAX_SAFE_INTEGER).map((operation) => operation.id);
    if (left.length > 0) journal.markSkipped(left, `not sent: the run was rolled back by ${run.id}`);
    journal.finishRun(applyRun.id, 'failed', { ...journal.runSummary(applyRun.id), rolledBackBy: run.id });
  }
  log.info(`Rollback run ${run.id} of apply run ${applyRun.id}: recording in ${journal.path}.`);
  return execute(run, applyRun, users, false, input, deps);
}

/** Revert steps carry the id of the operation they undo on a side table while being decided. */
const REVERTS = new WeakMap<Operation, number>();

function revertsOf(operation: Operation): number {
  const id = REVERTS.get(operation);
  if (id === undefined) throw new Error('a rollback step lost the operation it reverts');
  return id;
}

function hasTokenWrites(journal: Journal, runId: string): boolean {
  const kinds = journal.runSummary(runId).operationsByKind;
  return (kinds.createHardwareToken?.done ?? 0) + (kinds.assignHardwareToken?.done ?? 0) > 0;
}

async function decide(applyRun: RunRecord, deps: RollbackDeps): Promise<RollbackUserPlan[]> {
  // Users the run wrote to, in file order; reads are made after the journal iteration ends.
  const written: { line: number; username: string; upn: string | null; user: EntraUser; operations: readonly StoredOperation[] }[] = [];
  for (const user of deps.journal.iterateUsers(applyRun.id)) {
    if (user.before === null || !user.operations.some((operation) => operation.status === 'done')) continue;
    written.push({ line: user.line, username: user.username, upn: user.upn, user: user.before.user, operations: user.operations });
  }
  const tokensWritten = hasTokenWrites(deps.journal, applyRun.id);
  if (written.length === 0) return [];
  // Whether a previous default may be set back depends on what the policy allows the user now.
  const policy = await readPolicyView(deps.graph, deps.log);
  const inventory = tokensWritten ? await deps.graph.readHardwareTokenInventory() : new Map<string, EntraHardwareToken>();
  deps.progress.start('Reading Entra for rollback', written.length);
  const reads = pLimit(READS_IN_FLIGHT);
  const plans = await reads.map(written, async (entry): Promise<RollbackUserPlan> => {
    const current = await deps.graph.readUserState(entry.user);
    const decided = planUserRollback(entry.operations, current, (serial) => inventory.get(serialKey(serial)) ?? null, policy.availabilityOf(entry.user.id));
    for (const step of decided.steps) REVERTS.set(step.operation, step.revertsOperationId);
    for (const kept of decided.kept) REVERTS.set(kept.operation, kept.revertsOperationId);
    deps.progress.advance(1);
    return {
      line: entry.line, username: entry.username, upn: entry.upn,
      steps: decided.steps.map((step) => step.operation),
      kept: decided.kept.map((kept) => ({ operation: kept.operation, reason: kept.reason })),
    };
  });
  deps.progress.finish();
  return plans.filter((plan) => plan.steps.length > 0 || plan.kept.length > 0);
}

async function execute(run: RunRecord, applyRun: RunRecord, users: readonly RollbackUserPlan[], resumed: boolean, input: RollbackInput, deps: RollbackDeps): Promise<RollbackResult> {
  const { journal, graph } = deps;
  try {
    if (resumed) await reconcileSentOperations(journal, run.id, graph);
    const entraUserIds = journal.entraUserIds(run.id);
    const operations = await executePlannedOperations(
      { journal, graph },
      { runId: run.id, entraUserIdOf: (id) => entraUserIds.get(id) ?? null, tokenOf: () => ({ problem: 'rollback sends no seeds' }), ...(deps.signal === undefined ? {} : { signal: deps.signal }) },
    );
    if (operations.stopped) {
      journal.finishRun(run.id, 'interrupted', { ...journal.runSummary(run.id) });
      return { applyRun, run: journal.getRun(run.id) ?? run, resumed, interrupted: true, users, operations, usersByFinalStatus: {} };
    }
    const updates: { userId: number; status: FinalUserStatus }[] = [];
    const counts: Partial<Record<FinalUserStatus, number>> = {};
    for (const user of journal.iterateUsers(run.id)) {
      if (user.operations.length === 0) continue;
      // In a rollback run: `migrated` = everything undone; `conflict` = something kept for the admin
      // (reason on the operation); `partial` / `failed` = Graph refused some / all of the undo.
      const failed = user.operations.filter((operation) => operation.status === 'failed').length;
      const done = user.operations.filter((operation) => operation.status === 'done').length;
      const shown: FinalUserStatus = failed > 0 ? (done > 0 ? 'partial' : 'failed') : done === user.operations.length ? 'migrated' : 'conflict';
      updates.push({ userId: user.id, status: shown });
      counts[shown] = (counts[shown] ?? 0) + 1;
    }
    journal.setFinalStatus(updates);
    journal.finishRun(run.id, 'finished', { ...journal.runSummary(run.id) });
    return { applyRun, run: journal.getRun(run.id) ?? run, resumed, interrupted: false, users, operations, usersByFinalStatus: counts };
  } catch (error) {
    journal.finishRun(run.id, 'interrupted', { ...journal.runSummary(run.id), error: error instanceof MigrateError ? error.code : 'INTERNAL' });
    throw error;
  }
}
