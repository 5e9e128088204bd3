/**
 * Turns a slice of planned journal operations into `$batch`-sized groups of Graph calls: a user's
 * operations chained by dependsOn in seq order (mobile before alternateMobile, methods before the
 * preferred method — DESIGN §6), a user's chain never split across two batches, at most
 * MAX_BATCH_REQUESTS calls per group. No I/O: the apply loop sends each group with executeBatch.
 *
 * A chain ends early where a call needs an answer not known yet: assigning a hardware token needs
 * the device id its create returns, and dependsOn cannot carry a response value
 * (concepts/json-batching.md). The rest of such a chain stays planned for the next round.
 */
import type { GraphCall } from '../graph/batch-executor.js';
import type { GraphVersion } from '../graph/http-client.js';
import { MAX_BATCH_REQUESTS } from '../graph/limits.js';
import {
  activateHardwareTokenCall,
  addPhoneCall,
  assignHardwareTokenCall,
  createHardwareTokenCall,
  deleteHardwareTokenCall,
  deletePhoneCall,
  unassignHardwareTokenCall,
  setPreferredMethodCall,
  updatePhoneCall,
  type HardwareTokenDescription,
  type WriteCallLink,
} from '../graph/write-calls.js';
import type { StoredOperation } from '../run-records.js';

export interface CallGroup {
  readonly calls: readonly GraphCall[];
  /** The operation behind each call, same order. */
  readonly operations: readonly StoredOperation[];
}

/** What a chain needs besides the operations: ids and seeds from outside the slice. */
export interface ChainContext {
  readonly entraUserId: string;
  /** The inventory id of a user's token: the plan's, or the one its create returned. Null when not known yet. */
  readonly deviceIdOf: (operation: StoredOperation) => string | null;
  /** The token with its seed, or why it cannot be sent (no tokens file, the seed changed). */
  readonly tokenOf: (operation: StoredOperation) => HardwareTokenDescription | { readonly problem: string };
  readonly nowMs: number;
}

export interface UserChain {
  readonly calls: readonly GraphCall[];
  readonly operations: readonly StoredOperation[];
  /** Operations that cannot be sent at all, with why: the chain stops before them and they and the rest are skipped. */
  readonly unsendable: { readonly operation: StoredOperation; readonly reason: string } | null;
}

const BETA_ONLY: ReadonlySet<StoredOperation['kind']> = new Set([
  'setPreferredMethod',
  'createHardwareToken',
  'assignHardwareToken',
  'activateHardwareToken',
  'unassignHardwareToken',
  'deleteHardwareToken',
]);

/**
 * One user's operations (seq order, all planned) as a dependsOn chain. Stops at the first call whose
 * input is not known yet (left planned) or that cannot be sent (reported in `unsendable`).
 */
export function buildUserChain(operations: readonly StoredOperation[], context: ChainContext): UserChain {
  const ordered = [...operations].sort((a, b) => a.seq - b.seq).slice(0, MAX_BATCH_REQUESTS);
  // A `$batch` has one version and signInPreferences and hardware tokens are beta only: the whole chain goes to beta then.
  const version: GraphVersion = ordered.some((operation) => BETA_ONLY.has(operation.kind)) ? 'beta' : 'v1.0';
  const calls: GraphCall[] = [];
  const chained: StoredOperation[] = [];
  const createdHere = new Set<string>();
  let previousKey: string | null = null;
  for (const operation of ordered) {
    const key = `op${String(operation.id)}`;
    const link: WriteCallLink & { readonly version: GraphVersion } = { key, version, ...(previousKey === null ? {} : { dependsOn: [previousKey] }) };
    const call = callFor(operation, context, link, createdHere);
    if (call === 'wait') break;
    if ('problem' in call) return { calls, operations: chained, unsendable: { operation, reason: call.problem } };
    // A write whose answer is lost is read back, not sent blind (apply-execute.ts, apply-reconcile.ts).
    calls.push({ ...call, whenUnanswered: 'report' });
    chained.push(operation);
    previousKey = key;
  }
  return { calls, operations: chained, unsendable: null };
}

function callFor(
  operation: StoredOperation,
  context: ChainContext,
  link: WriteCallLink & { readonly version: GraphVersion },
  createdHere: Set<string>,
): GraphCall | 'wait' | { readonly problem: string } {
  const userId = context.entraUserId;
  switch (operation.kind) {
    case 'createPhone':
      return addPhoneCall(userId, operation.target, operation.phoneNumber, link);
    case 'updatePhone':
      return updatePhoneCall(userId, operation.target, operation.phoneNumber, link);
    case 'deletePhone':
      return deletePhoneCall(userId, operation.target, link);
    case 'setPreferredMethod':
      return setPreferredMethodCall(userId, operation.target, link);
    case 'unassignHardwareToken':
    case 'deleteHardwareToken': {
      const deviceId = context.deviceIdOf(operation);
      if (deviceId === null) return { problem: `the inventory id of hardware token ${operation.target} is not known` };
      return operation.kind === 'unassignHardwareToken'
        ? unassignHardwareTokenCall(userId, deviceId, operation.target, link)
        : deleteHardwareTokenCall(deviceId, operation.target, link);
    }
    case 'createHardwareToken': {
      const token = context.tokenOf(operation);
      if ('problem' in token) return token;
      createdHere.add(operation.target);
      return createHardwareTokenCall(token, link);
    }
    case 'assignHardwareToken':
    case 'activateHardwareToken': {
      if (createdHere.has(operation.target)) return 'wait';
      const deviceId = context.deviceIdOf(operation);
      if (deviceId === null) return { problem: `the inventory id of hardware token ${operation.target} is not known: its create did not succeed` };
      if (operation.kind === 'assignHardwareToken') return assignHardwareTokenCall(userId, deviceId, operation.target, link);
      const token = context.tokenOf(operation);
      if ('problem' in token) return token;
      // A user's hardwareOathMethods id is the inventory device id (authentication-post-hardwareoathmethods.md).
      return activateHardwareTokenCall(userId, deviceId, token, context.nowMs, link);
    }
    case 'phoneConflict':
    case 'hardwareTokenConflict':
      return { problem: 'a conflict is reported, never sent' };
  }
}

/** Packs whole chains into groups of at most MAX_BATCH_REQUESTS calls, in the order given. */
export function packChains(chains: readonly Pick<UserChain, 'calls' | 'operations'>[]): CallGroup[] {
  const groups: CallGroup[] = [];
  let calls: GraphCall[] = [];
  let operations: StoredOperation[] = [];
  for (const chain of chains) {
    if (chain.calls.length === 0) continue;
    if (calls.length + chain.calls.length > MAX_BATCH_REQUESTS) {
      groups.push({ calls, operations });
      calls = [];
      operations = [];
    }
    calls.push(...chain.calls);
    operations.push(...chain.operations);
  }
  if (calls.length > 0) groups.push({ calls, operations });
  return groups;
}
