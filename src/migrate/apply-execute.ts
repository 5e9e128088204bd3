/**
 * The apply loop over a run's planned phone and preferred-method operations: take a slice from
 * the journal, chain and pack it (apply-batches.ts), mark each operation `sent` as its request
 * leaves, then record Graph's answer. The journal stays the source of truth: a crash between
 * `sent` and the answer leaves `sent` rows for the resume to reconcile (DESIGN §6).
 */
import type { GraphCallResult } from '../graph/batch-executor.js';
import type { GraphGateway } from '../graph/gateway.js';
import type { Journal } from '../journal/journal.js';
import type { StoredOperation } from '../journal/records.js';
import { chainOperations } from './apply-batches.js';

/** Operations read from the journal per round: a few batches' worth, so a stop request is heard soon. */
const OPERATIONS_PER_ROUND = 100;

/** Graph's answer for a request whose dependsOn failed (concepts/json-batching.md). */
const FAILED_DEPENDENCY = 424;

export interface ExecuteOutcome {
  readonly done: number;
  readonly failed: number;
  readonly skipped: number;
  /** True when `shouldStop` ended the loop with operations still planned. */
  readonly stopped: boolean;
}

function resourceIdOf(body: unknown): string | null {
  if (typeof body !== 'object' || body === null || !('id' in body)) return null;
  const id: unknown = body.id;
  return typeof id === 'string' ? id : null;
}

/**
 * @param entraUserIdOf the Entra object id of a journal user (from the run's stored users)
 * @param shouldStop asked between rounds: Ctrl-C lets the round in flight finish and be recorded
 */
export async function executePlannedOperations(
  journal: Journal,
  runId: string,
  graph: Pick<GraphGateway, 'executeBatch'>,
  entraUserIdOf: (journalUserId: number) => string | null,
  shouldStop: () => boolean,
): Promise<ExecuteOutcome> {
  let done = 0;
  let failed = 0;
  let skipped = 0;
  for (;;) {
    if (shouldStop()) return { done, failed, skipped, stopped: journal.nextPlannedOperations(runId, 1).length > 0 };
    const slice = journal.nextPlannedOperations(runId, OPERATIONS_PER_ROUND);
    if (slice.length === 0) return { done, failed, skipped, stopped: false };
    const { groups, deferred } = chainOperations(slice, entraUserIdOf, (operation, attempt) => {
      // Retries of the same call within executeBatch find the operation already `sent`.
      if (attempt === 1) journal.markSent([operation.id]);
    });
    if (deferred.length > 0) {
      // Left planned they would come back every round; hardware-token writes are not wired into this loop yet.
      journal.markSkipped(deferred.map((operation) => operation.id), 'not sent by this version of apply (hardware token writes, or no Entra user)');
      skipped += deferred.length;
    }
    const answers = await Promise.all(groups.map(async (group) => ({ operations: group.operations, results: await graph.executeBatch(group.calls) })));
    for (const { operations, results } of answers) {
      operations.forEach((operation, index) => {
        const outcome = record(journal, operation, results[index]);
        if (outcome === 'done') done += 1;
        else failed += 1;
      });
    }
  }
}

function record(journal: Journal, operation: StoredOperation, result: GraphCallResult | undefined): 'done' | 'failed' {
  if (result === undefined) {
    journal.markFailed(operation.id, null, 'no answer was recorded for this call', null);
    return 'failed';
  }
  if (result.status < 400) {
    journal.markDone(operation.id, result.requestId, { resourceId: resourceIdOf(result.body) });
    return 'done';
  }
  if (result.status === FAILED_DEPENDENCY) {
    // It travelled in the batch (so it is `sent`), but Graph did not run it.
    journal.markFailed(operation.id, 'failedDependency', `not applied: an earlier operation for this user (seq < ${String(operation.seq)}) failed`, result.requestId);
    return 'failed';
  }
  journal.markFailed(operation.id, result.error?.graphCode ?? result.error?.code ?? null, result.error?.message ?? `Graph answered ${String(result.status)}`, result.requestId);
  return 'failed';
}
