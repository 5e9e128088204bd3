/**
 * The apply loop over a run's planned operations: take a slice from the journal, chain each user's
 * operations and pack them into batches (apply-batches.ts), mark each batch `sent` in one
 * transaction before it leaves, then record Graph's answers, one transaction per batch. The journal stays the
 * source of truth: a crash between `sent` and the answer leaves `sent` rows for the resume to
 * reconcile (DESIGN §6).
 */
import type { GraphCallResult } from '../graph/batch-executor.js';
import type { GraphGateway } from '../graph/gateway.js';
import type { HardwareTokenDescription } from '../graph/write-calls.js';
import type { Journal } from '../journal/journal.js';
import type { StoredOperation } from '../run-records.js';
import { MAX_BATCHES_IN_FLIGHT, MAX_TRANSPORT_ATTEMPTS } from '../graph/limits.js';
import { buildUserChain, packChains, type CallGroup, type UserChain } from './apply-batches.js';
import { reconcileSentOperations } from './apply-reconcile.js';
import type { Clock } from '../clock.js';

/** Operations read from the journal per round: 20 full batches, so a round rarely ends on a half-empty batch. */
export const OPERATIONS_PER_ROUND = 400;

/**
 * Batches handed to the gateway and not answered yet: the governor's most, so it is never starved
 * (its own budgets pace the sending). Measured with bench/apply.bench.ts at a 100× time scale,
 * 8 held the sustained rate to 69–75 % of the ceiling, 16 gave 87–90 %. After Ctrl-C at most 320
 * more writes leave — 16 s at Graph's real write ceiling.
 */
export const GROUPS_IN_FLIGHT = MAX_BATCHES_IN_FLIGHT;

/** Graph's answer for a request whose dependsOn failed (concepts/json-batching.md). */
const FAILED_DEPENDENCY = 424;

/**
 * Sends of one operation after which an answer still in doubt is taken as final: each doubt costs
 * a read of the user and one more send, and a write Graph really refuses must not loop. As many
 * as the gateway gives any request without an answer; a Graph that answers nothing at all stops
 * the run sooner, when the read-back itself cannot get through (GRAPH_UNREACHABLE).
 */
export const MAX_SENDS_IN_DOUBT = MAX_TRANSPORT_ATTEMPTS;

export interface ExecuteCounts {
  done: number;
  failed: number;
  skipped: number;
}

export interface ExecuteOutcome extends ExecuteCounts {
  /** True when `shouldStop` ended the loop with operations still planned. */
  readonly stopped: boolean;
}

export interface ExecuteDeps {
  readonly journal: Journal;
  readonly graph: Pick<GraphGateway, 'executeBatch' | 'readUserState' | 'readHardwareTokenInventory'>;
  readonly clock: Clock;
}

export interface ExecuteSettings {
  readonly runId: string;
  /** The Entra object id of a journal user, null when unmatched. */
  readonly entraUserIdOf: (journalUserId: number) => string | null;
  /** A hardware token operation's token with its seed, or why it cannot be sent. */
  readonly tokenOf: (operation: StoredOperation) => HardwareTokenDescription | { readonly problem: string };
  /** Asked between rounds: Ctrl-C lets the round in flight finish and be recorded. */
  readonly shouldStop: () => boolean;
  /** After each batch is recorded, with the counts so far (progress). */
  readonly onRecorded?: (counts: Readonly<ExecuteCounts>) => void;
}

export async function executePlannedOperations(deps: ExecuteDeps, settings: ExecuteSettings): Promise<ExecuteOutcome> {
  const { journal } = deps;
  const counts: ExecuteCounts = { done: 0, failed: 0, skipped: 0 };
  let inDoubt = 0;
  const send = async (group: CallGroup): Promise<void> => {
    const results = await deps.graph.executeBatch(group.calls);
    const outcomes = outcomesOf(group.operations, results);
    journal.transaction(() => {
      group.operations.forEach((operation, index) => {
        const outcome = outcomes[index];
        if (outcome === 'inDoubt') inDoubt += 1;
        else counts[record(journal, operation, results[index])] += 1;
      });
    });
    settings.onRecorded?.(counts);
  };
  for (;;) {
    if (settings.shouldStop()) return { ...counts, stopped: journal.nextPlannedOperations(settings.runId, 1).length > 0 };
    const slice = journal.nextPlannedOperations(settings.runId, OPERATIONS_PER_ROUND);
    if (slice.length === 0) return { ...counts, stopped: false };

    const chains: UserChain[] = [];
    const skips: { readonly ids: number[]; readonly reason: string }[] = [];
    for (const [userId, operations] of byUser(slice)) {
      const decided = chainFor(userId, operations, deps, settings);
      if ('skip' in decided) skips.push({ ids: decided.skip.map((operation) => operation.id), reason: decided.reason });
      else {
        chains.push(decided.chain);
        const { unsendable } = decided.chain;
        if (unsendable !== null) {
          const rest = operations.filter((operation) => operation.seq >= unsendable.operation.seq);
          skips.push({ ids: [unsendable.operation.id], reason: unsendable.reason });
          const after = rest.filter((operation) => operation.id !== unsendable.operation.id).map((operation) => operation.id);
          if (after.length > 0) skips.push({ ids: after, reason: `not sent: an earlier operation for this user (${unsendable.operation.kind} ${unsendable.operation.target}) could not be sent` });
        }
      }
    }
    for (const skip of skips) {
      journal.markSkipped(skip.ids, skip.reason);
      counts.skipped += skip.ids.length;
    }
    const groups = packChains(chains);
    if (groups.length === 0 && skips.length === 0) {
      throw new Error(`apply made no progress on run ${settings.runId}: ${String(slice.length)} planned operations could not be chained`);
    }
    // Groups go out as earlier ones are answered, at most GROUPS_IN_FLIGHT at a time, each marked
    // `sent` (one transaction) just before it is handed to the gateway: Ctrl-C stops the rest of
    // the round, which stays planned, instead of waiting for all of it.
    const inFlight = new Set<Promise<void>>();
    const failures: unknown[] = [];
    let stopped = false;
    for (const group of groups) {
      while (inFlight.size >= GROUPS_IN_FLIGHT) await Promise.race(inFlight);
      if (failures.length > 0) break;
      if (settings.shouldStop()) {
        stopped = true;
        break;
      }
      journal.markSent(group.operations.map((operation) => operation.id));
      const sending = send(group).catch((error: unknown) => {
        // When one batch gives up (Graph unreachable), the others' answers are still recorded;
        // whatever stays `sent` is reconciled by the resume.
        failures.push(error);
      });
      const tracked = sending.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
    }
    await Promise.all(inFlight);
    if (failures.length > 0) throw failures[0];
    if (inDoubt > 0) {
      // Writes whose answer was lost stayed `sent`: read back what Graph did, as a resume would;
      // what is not there goes back to planned and leaves again in the next round.
      inDoubt = 0;
      const reconciled = await reconcileSentOperations(journal, settings.runId, deps.graph, { failAfterSends: MAX_SENDS_IN_DOUBT });
      counts.done += reconciled.done;
      counts.failed += reconciled.failed;
      settings.onRecorded?.(counts);
    }
    if (stopped) return { ...counts, stopped: journal.nextPlannedOperations(settings.runId, 1).length > 0 };
  }
}

function byUser(operations: readonly StoredOperation[]): Map<number, StoredOperation[]> {
  const users = new Map<number, StoredOperation[]>();
  for (const operation of operations) {
    const list = users.get(operation.userId);
    if (list === undefined) users.set(operation.userId, [operation]);
    else list.push(operation);
  }
  return users;
}

function chainFor(
  userId: number,
  operations: readonly StoredOperation[],
  deps: ExecuteDeps,
  settings: ExecuteSettings,
): { readonly chain: UserChain } | { readonly skip: readonly StoredOperation[]; readonly reason: string } {
  const entraUserId = settings.entraUserIdOf(userId);
  if (entraUserId === null) return { skip: operations, reason: 'not sent: the user has no Entra object id in this run' };
  const firstSeq = Math.min(...operations.map((operation) => operation.seq));
  // Work for this user sent in an earlier round (or run) — a slice boundary, a hardware token's
  // create — must have succeeded, as dependsOn would demand inside one batch.
  let userOperations: readonly StoredOperation[] | null = null;
  const earlier = (): readonly StoredOperation[] => (userOperations ??= deps.journal.operationsOfUser(userId));
  if (firstSeq > 1) {
    const failed = earlier().find((operation) => operation.seq < firstSeq && (operation.status === 'failed' || operation.status === 'skipped'));
    if (failed !== undefined) {
      return { skip: operations, reason: `not sent: an earlier operation for this user (${failed.kind} ${failed.target}) did not succeed` };
    }
  }
  const chain = buildUserChain(operations, {
    entraUserId,
    nowMs: deps.clock.now(),
    tokenOf: settings.tokenOf,
    deviceIdOf: (operation) => {
      if (!('deviceId' in operation)) return null;
      if (operation.deviceId !== null) return operation.deviceId;
      const created = earlier().find((candidate) => candidate.kind === 'createHardwareToken' && candidate.target === operation.target && candidate.status === 'done');
      return created?.result?.resourceId ?? null;
    },
  });
  return { chain };
}

function resourceIdOf(body: unknown): string | null {
  if (typeof body !== 'object' || body === null || !('id' in body)) return null;
  const id: unknown = body.id;
  return typeof id === 'string' ? id : null;
}

/**
 * Per operation of a group: `inDoubt` when Graph may have carried it out though the answer does not
 * say so — no answer at all, or a refusal after the executor had to send it again (a 5xx first: a
 * create that went through then comes back "already exists") — and, with it, the user's later
 * operations Graph skipped (424). Those stay `sent` for a read-back. After MAX_SENDS_IN_DOUBT sends
 * a refusal is taken as it is, and a write still not seen in Entra is failed.
 */
function outcomesOf(operations: readonly StoredOperation[], results: readonly (GraphCallResult | undefined)[]): ('recorded' | 'inDoubt')[] {
  const doubtedUsers = new Set<number>();
  return operations.map((operation, index) => {
    const result = results[index];
    if (result === undefined) return 'recorded';
    // This send is the operation's attempts + 1 (attempts counts earlier markSent calls).
    const refusedAfterResend = result.status >= 400 && result.status < 500 && result.status !== FAILED_DEPENDENCY && result.attempts > 1;
    const doubt = !result.answered || (refusedAfterResend && operation.attempts + 1 < MAX_SENDS_IN_DOUBT);
    const skippedAfterDoubt = result.status === FAILED_DEPENDENCY && doubtedUsers.has(operation.userId);
    if (!doubt && !skippedAfterDoubt) return 'recorded';
    doubtedUsers.add(operation.userId);
    return 'inDoubt';
  });
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
