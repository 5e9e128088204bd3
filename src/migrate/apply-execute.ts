/**
 * The apply loop over a run's planned operations, as journal transitions: take a slice from the
 * journal, give each user's operations to the gateway as typed writes (`graph.write`), mark them
 * `sent` in the transaction the gateway asks for just before each `$batch` leaves, record each
 * answer's outcomes in one transaction, and read back the writes whose answer is in doubt
 * (apply-reconcile.ts). How writes are chained and batched, and what a 424 or a lost answer
 * means, is the gateway's (src/graph/gateway.ts). A crash between `sent` and the answer leaves
 * `sent` rows for the resume to reconcile.
 */
import type { GraphGateway, HardwareTokenDescription, ResourceRef, UserWrite, UserWrites, WriteOperation, WriteResult } from '../graph/gateway.js';
import { MAX_SENDS_IN_DOUBT } from '../graph/limits.js';
import type { Journal } from '../journal/journal.js';
import type { StoredOperation } from '../run-records.js';
import { reconcileSentOperations } from './apply-reconcile.js';

/**
 * Operations read from the journal per round (100 batches of 20): each round ends in a drain of
 * the requests in flight, so fewer rounds mean fewer drains. A stop no longer waits for a round,
 * so its size is bounded only by memory (a few MiB).
 */
export const OPERATIONS_PER_ROUND = 2_000;

export interface ExecuteCounts {
  done: number;
  failed: number;
  skipped: number;
}

export interface ExecuteOutcome extends ExecuteCounts {
  /** True when a stop ended the loop with operations still planned or in doubt. */
  readonly stopped: boolean;
}

export interface ExecuteDeps {
  readonly journal: Journal;
  readonly graph: Pick<GraphGateway, 'write' | 'readUserState' | 'readHardwareTokenInventory'>;
}

export interface ExecuteSettings {
  readonly runId: string;
  /** The Entra object id of a journal user, null when unmatched. */
  readonly entraUserIdOf: (journalUserId: number) => string | null;
  /** A hardware token operation's token with its seed, or why it cannot be sent. */
  readonly tokenOf: (operation: StoredOperation) => HardwareTokenDescription | { readonly problem: string };
  /**
   * Ctrl-C: no new round starts and no read-back is made; what is planned stays planned, what is
   * in doubt stays `sent` for the resume. (The caller also stops the gateway, so nothing of the
   * round in flight that has not left is sent.)
   */
  readonly signal?: AbortSignal;
  /** After each answer is recorded, with the counts so far (progress). */
  readonly onRecorded?: (counts: Readonly<ExecuteCounts>) => void;
}

export async function executePlannedOperations(deps: ExecuteDeps, settings: ExecuteSettings): Promise<ExecuteOutcome> {
  const { journal } = deps;
  const counts: ExecuteCounts = { done: 0, failed: 0, skipped: 0 };
  const stopped = (): boolean => settings.signal?.aborted === true;
  for (;;) {
    if (stopped()) return { ...counts, stopped: unsettled(journal, settings.runId) };
    const slice = journal.nextPlannedOperations(settings.runId, OPERATIONS_PER_ROUND);
    if (slice.length === 0) return { ...counts, stopped: false };

    const users: UserWrites<StoredOperation>[] = [];
    const operationsOfWrite = new Map<number, readonly StoredOperation[]>();
    let skipped = 0;
    for (const [userId, operations] of byUser(slice)) {
      const decided = writesFor(userId, operations, deps, settings);
      for (const skip of decided.skips) {
        journal.markSkipped(skip.ids, skip.reason);
        skipped += skip.ids.length;
      }
      if (decided.user === null) continue;
      users.push(decided.user);
      const chained = decided.user.writes.map((write) => write.tag);
      for (const operation of chained) operationsOfWrite.set(operation.id, chained);
    }
    counts.skipped += skipped;
    if (users.length === 0 && skipped === 0) {
      throw new Error(`apply made no progress on run ${settings.runId}: ${String(slice.length)} planned operations could not be written`);
    }

    let inDoubt = 0;
    const markedSent = new Set<number>();
    await deps.graph.write(users, {
      beforeSend: (operations, app) => {
        const ids = operations.map((operation) => operation.id);
        journal.markSent(ids, app.clientId);
        for (const id of ids) markedSent.add(id);
      },
      answered: (results) => {
        journal.transaction(() => {
          for (const result of results) inDoubt += record(journal, result, { markedSent, counts, chainOf: (id) => operationsOfWrite.get(id) ?? [] });
        });
        settings.onRecorded?.(counts);
      },
    });
    if (inDoubt > 0 && !stopped()) {
      // Writes whose answer was lost stayed `sent`: read back what Graph did, as a resume would;
      // what is not there goes back to planned and leaves again in the next round.
      const reconciled = await reconcileSentOperations(journal, settings.runId, deps.graph, { failAfterSends: MAX_SENDS_IN_DOUBT });
      counts.done += reconciled.done;
      counts.failed += reconciled.failed;
      settings.onRecorded?.(counts);
    }
  }
}

/** Operations still planned or in doubt: a stop leaves the run to be resumed. */
function unsettled(journal: Journal, runId: string): boolean {
  return Object.values(journal.runSummary(runId).operationsByKind).some((byStatus) => (byStatus.planned ?? 0) + (byStatus.sent ?? 0) > 0);
}

/** One outcome as a journal transition; returns 1 when it is in doubt (left `sent`, read back after the round). */
function record(
  journal: Journal,
  { tag: operation, outcome }: WriteResult<StoredOperation>,
  context: { readonly markedSent: ReadonlySet<number>; readonly counts: ExecuteCounts; readonly chainOf: (id: number) => readonly StoredOperation[] },
): number {
  const sent = context.markedSent.has(operation.id);
  switch (outcome.status) {
    case 'done':
      journal.markDone(operation.id, outcome.requestId, { resourceId: outcome.resourceId }, outcome.app?.clientId ?? null);
      context.counts.done += 1;
      return 0;
    case 'failed': {
      const message = outcome.code === 'failedDependency' ? `not applied: an earlier operation for this user (seq < ${String(operation.seq)}) failed` : outcome.message;
      // A write that never left (its address could not be built) is skipped, not failed: Graph never saw it.
      if (sent) {
        journal.markFailed(operation.id, outcome.code, message, outcome.requestId, outcome.app?.clientId ?? null);
        context.counts.failed += 1;
      } else {
        journal.markSkipped([operation.id], message);
        context.counts.skipped += 1;
      }
      return 0;
    }
    case 'inDoubt':
      return 1;
    case 'notSent': {
      if (outcome.because === 'earlierFailed') {
        const earlier = outcome.after === null ? undefined : context.chainOf(operation.id)[outcome.after];
        journal.markSkipped([operation.id], `not sent: an earlier operation for this user (${earlier === undefined ? 'an earlier write' : `${earlier.kind} ${earlier.target}`}) did not succeed`);
        context.counts.skipped += 1;
      } else if (sent) {
        // It left and Graph refused to run it (429), then a stop kept it from leaving again.
        journal.resetSentToPlanned([operation.id]);
      }
      return 0;
    }
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

interface UserDecision {
  readonly user: UserWrites<StoredOperation> | null;
  readonly skips: readonly { readonly ids: readonly number[]; readonly reason: string }[];
}

/**
 * One user's planned operations (seq order) as typed writes. Work for this user sent in an
 * earlier round or run (a slice boundary) must have succeeded, as dependsOn would demand inside
 * one batch; an operation that cannot be sent at all (no seed, no device id) is skipped with the
 * ones after it.
 */
function writesFor(userId: number, operations: readonly StoredOperation[], deps: ExecuteDeps, settings: ExecuteSettings): UserDecision {
  const entraUserId = settings.entraUserIdOf(userId);
  const ids = (list: readonly StoredOperation[]): number[] => list.map((operation) => operation.id);
  if (entraUserId === null) return { user: null, skips: [{ ids: ids(operations), reason: 'not sent: the user has no Entra object id in this run' }] };
  const ordered = [...operations].sort((a, b) => a.seq - b.seq);
  let userOperations: readonly StoredOperation[] | null = null;
  const earlier = (): readonly StoredOperation[] => (userOperations ??= deps.journal.operationsOfUser(userId));
  const firstSeq = ordered[0]?.seq ?? 1;
  if (firstSeq > 1) {
    const failed = earlier().find((operation) => operation.seq < firstSeq && (operation.status === 'failed' || operation.status === 'skipped'));
    if (failed !== undefined) return { user: null, skips: [{ ids: ids(operations), reason: `not sent: an earlier operation for this user (${failed.kind} ${failed.target}) did not succeed` }] };
  }
  const writes: UserWrite<StoredOperation>[] = [];
  const createdHere = new Map<string, number>();
  const assignedHere = new Map<string, number>();
  // The inventory device: created by a write of this chain, known to the plan, or created in an earlier round.
  const deviceOf = (operation: StoredOperation): ResourceRef | null => {
    const created = createdHere.get(operation.target);
    if (created !== undefined) return { fromWrite: created };
    if (!('deviceId' in operation)) return null;
    if (operation.deviceId !== null) return { id: operation.deviceId };
    const done = earlier().find((candidate) => candidate.kind === 'createHardwareToken' && candidate.target === operation.target && candidate.status === 'done');
    const id = done?.result?.resourceId ?? null;
    return id === null ? null : { id };
  };
  // The user's hardwareOathMethods id, which is not the device's (authentication-post-hardwareoathmethods.md
  // answers another id): the assign of this chain answers it, an assign of an earlier round did, or
  // the plan read it from Entra for a token the user held already.
  const methodOf = (operation: StoredOperation): ResourceRef | null => {
    const assigned = assignedHere.get(operation.target);
    if (assigned !== undefined) return { fromWrite: assigned };
    if (!('deviceId' in operation)) return null;
    const done = earlier().find((candidate) => candidate.kind === 'assignHardwareToken' && candidate.target === operation.target && candidate.status === 'done');
    const id = done?.result?.resourceId ?? operation.methodId ?? null;
    return id === null ? null : { id };
  };
  for (const [position, operation] of ordered.entries()) {
    const write = writeOf(operation, settings, deviceOf, methodOf);
    if ('problem' in write) {
      const after = ordered.slice(position + 1);
      const skips = [{ ids: [operation.id], reason: write.problem }];
      if (after.length > 0) skips.push({ ids: ids(after), reason: `not sent: an earlier operation for this user (${operation.kind} ${operation.target}) could not be sent` });
      return { user: writes.length === 0 ? null : { userId: entraUserId, writes }, skips };
    }
    if (operation.kind === 'createHardwareToken') createdHere.set(operation.target, writes.length);
    if (operation.kind === 'assignHardwareToken') assignedHere.set(operation.target, writes.length);
    writes.push({ tag: operation, operation: write, previousSends: operation.attempts });
  }
  return { user: { userId: entraUserId, writes }, skips: [] };
}

function writeOf(
  operation: StoredOperation,
  settings: ExecuteSettings,
  deviceOf: (operation: StoredOperation) => ResourceRef | null,
  methodOf: (operation: StoredOperation) => ResourceRef | null,
): WriteOperation | { readonly problem: string } {
  switch (operation.kind) {
    case 'createPhone':
      return { kind: 'addPhone', phoneType: operation.target, phoneNumber: operation.phoneNumber };
    case 'updatePhone':
      return { kind: 'updatePhone', phoneType: operation.target, phoneNumber: operation.phoneNumber };
    case 'deletePhone':
      return { kind: 'deletePhone', phoneType: operation.target };
    case 'setPreferredMethod':
      return { kind: 'setPreferredMethod', method: operation.target };
    case 'createHardwareToken': {
      const token = settings.tokenOf(operation);
      return 'problem' in token ? token : { kind: 'createHardwareToken', token };
    }
    case 'assignHardwareToken': {
      const device = deviceOf(operation);
      if (device === null) return { problem: `the inventory id of hardware token ${operation.target} is not known: its create did not succeed` };
      return { kind: 'assignHardwareToken', serialNumber: operation.target, device };
    }
    case 'activateHardwareToken': {
      const method = methodOf(operation);
      if (method === null) return { problem: `the user's method id of hardware token ${operation.target} is not known: its assignment did not succeed` };
      const token = settings.tokenOf(operation);
      return 'problem' in token ? token : { kind: 'activateHardwareToken', token, method };
    }
    case 'unassignHardwareToken':
    case 'deactivateHardwareToken': {
      const method = methodOf(operation);
      if (method === null) return { problem: `the user's method id of hardware token ${operation.target} is not known` };
      return { kind: operation.kind, serialNumber: operation.target, method };
    }
    case 'deleteHardwareToken': {
      const device = deviceOf(operation);
      if (device === null) return { problem: `the inventory id of hardware token ${operation.target} is not known` };
      return { kind: 'deleteHardwareToken', serialNumber: operation.target, device };
    }
    case 'phoneConflict':
    case 'hardwareTokenConflict':
      return { problem: 'a conflict is reported, never sent' };
  }
}
