/**
 * Turns a slice of planned journal operations into `$batch`-sized groups of Graph calls: a user's
 * operations chained by dependsOn in seq order (mobile before alternateMobile, methods before the
 * preferred method — DESIGN §6), a user's chain never split across two batches, at most
 * MAX_BATCH_REQUESTS calls per group. No I/O: the apply loop sends each group with executeBatch.
 */
import type { GraphCall } from '../graph/batch-executor.js';
import { MAX_BATCH_REQUESTS } from '../graph/limits.js';
import { addPhoneCall, setPreferredMethodCall, updatePhoneCall } from '../graph/write-calls.js';
import type { StoredOperation } from '../journal/records.js';

export interface CallGroup {
  readonly calls: readonly GraphCall[];
  /** The operation behind each call, same order. */
  readonly operations: readonly StoredOperation[];
}

export interface ChainedCalls {
  readonly groups: readonly CallGroup[];
  /** Operations this module does not send (hardware tokens need the seed and a created id; conflicts are never sent). */
  readonly deferred: readonly StoredOperation[];
}

/**
 * @param entraUserIdOf the Entra object id of a journal user, null when unmatched
 * @param beforeSend called as each call leaves, for the journal's `markSent`
 */
export function chainOperations(
  operations: readonly StoredOperation[],
  entraUserIdOf: (journalUserId: number) => string | null,
  beforeSend: (operation: StoredOperation, attempt: number) => void,
): ChainedCalls {
  const byUser = new Map<number, StoredOperation[]>();
  const deferred: StoredOperation[] = [];
  for (const operation of operations) {
    const sendable = operation.kind === 'createPhone' || operation.kind === 'updatePhone' || operation.kind === 'setPreferredMethod';
    if (!sendable || entraUserIdOf(operation.userId) === null) {
      deferred.push(operation);
      continue;
    }
    const list = byUser.get(operation.userId) ?? [];
    list.push(operation);
    byUser.set(operation.userId, list);
  }

  const groups: CallGroup[] = [];
  let calls: GraphCall[] = [];
  let grouped: StoredOperation[] = [];
  for (const [journalUserId, userOperations] of byUser) {
    const entraUserId = entraUserIdOf(journalUserId) ?? '';
    const chain = [...userOperations].sort((a, b) => a.seq - b.seq).slice(0, MAX_BATCH_REQUESTS);
    // The rest of an overlong chain waits for the next slice, so no dependency crosses batches.
    deferred.push(...[...userOperations].sort((a, b) => a.seq - b.seq).slice(MAX_BATCH_REQUESTS));
    // signInPreferences is beta only and a batch has one version: the whole chain goes to beta then.
    const version = chain.some((operation) => operation.kind === 'setPreferredMethod') ? 'beta' : 'v1.0';
    if (calls.length + chain.length > MAX_BATCH_REQUESTS) {
      groups.push({ calls, operations: grouped });
      calls = [];
      grouped = [];
    }
    let previousKey: string | null = null;
    for (const operation of chain) {
      const key = `op${String(operation.id)}`;
      const link = {
        key,
        version,
        ...(previousKey === null ? {} : { dependsOn: [previousKey] }),
        beforeSend: (attempt: number) => {
          beforeSend(operation, attempt);
        },
      } as const;
      if (operation.kind === 'createPhone') calls.push(addPhoneCall(entraUserId, operation.target, operation.phoneNumber, link));
      else if (operation.kind === 'updatePhone') calls.push(updatePhoneCall(entraUserId, operation.target, operation.phoneNumber, link));
      else if (operation.kind === 'setPreferredMethod') calls.push(setPreferredMethodCall(entraUserId, operation.target, link));
      grouped.push(operation);
      previousKey = key;
    }
  }
  if (calls.length > 0) groups.push({ calls, operations: grouped });
  return { groups, deferred };
}
