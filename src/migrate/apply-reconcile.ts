/**
 * Resume step one (docs/design.md "Resume and reconcile"): an operation left `sent` by a crash may
 * or may not have reached Graph. Read each such user's current state once (and the token inventory
 * once, when a token create is in doubt) and decide: the write is visible → `done` (request-id
 * null: this run never saw the answer); not visible → back to `planned`, to be sent again. Every
 * write apply sends is safe to re-send when its effect is absent, so this never writes a phone or a
 * token twice.
 */
import pLimit from 'p-limit';
import { serialKey } from '../graph/entra-json.js';
import type { GraphGateway } from '../graph/gateway.js';
import type { Journal } from '../journal/journal.js';
import type { StoredOperation, StoredUser } from '../run-records.js';
import { phoneNumbersMatch } from '../plan/phone-numbers.js';
import type { EntraHardwareToken, EntraState } from '../plan/entra-state.js';

/** Graph's hardwareOathTokenStatus once activation succeeded. */
const ACTIVATED = 'activated';

export interface ReconcileOutcome {
  readonly done: number;
  readonly replanned: number;
  /** Not seen in Entra after `failAfterSends` sends: failed instead of replanned. */
  readonly failed: number;
}

export interface ReconcileOptions {
  /**
   * During a run (apply-execute.ts): an operation sent this many times without an answer that
   * Entra shows is failed, not sent again. A resume after a crash gives none: it replans all.
   */
  readonly failAfterSends?: number;
}

/** Users read at once (p-limit): their reads share the gateway's batches, so a round's doubts cost seconds, not minutes. */
const USERS_READ_AT_ONCE = 50;

/** Graph's answer never arrived, or arrived without the write; for the journal's error code. */
const NO_ANSWER_CODE = 'noAnswer';

type Inventory = ReadonlyMap<string, EntraHardwareToken>;

/** The resource id when Entra shows the operation's effect, undefined when it does not. */
function appliedResource(operation: StoredOperation, state: EntraState, inventory: Inventory): { readonly resourceId: string | null } | undefined {
  switch (operation.kind) {
    case 'createPhone':
    case 'updatePhone': {
      const phone = state.phones.find((candidate) => candidate.phoneType === operation.target);
      // A masked read (delegated admins, docs/design.md "Masked numbers") that fits the number
      // counts: re-sending a create would only fail with "already exists".
      return phone !== undefined && phoneNumbersMatch(operation.phoneNumber, phone.phoneNumber) !== 'different' ? { resourceId: phone.id } : undefined;
    }
    case 'setPreferredMethod':
      return state.signInPreferences?.userPreferredMethodForSecondaryAuthentication === operation.target ? { resourceId: null } : undefined;
    case 'createHardwareToken': {
      const device = inventory.get(serialKey(operation.target));
      return device === undefined ? undefined : { resourceId: device.id };
    }
    case 'assignHardwareToken':
    case 'activateHardwareToken': {
      const method = state.hardwareOath.find((candidate) => candidate.serialNumber !== null && serialKey(candidate.serialNumber) === serialKey(operation.target));
      if (method === undefined) return undefined;
      return operation.kind === 'assignHardwareToken' || method.status === ACTIVATED ? { resourceId: method.id } : undefined;
    }
    case 'deletePhone':
      return state.phones.some((candidate) => candidate.phoneType === operation.target) ? undefined : { resourceId: null };
    case 'deactivateHardwareToken': {
      const method = state.hardwareOath.find((candidate) => candidate.serialNumber !== null && serialKey(candidate.serialNumber) === serialKey(operation.target));
      return method !== undefined && method.status !== null && method.status !== ACTIVATED ? { resourceId: null } : undefined;
    }
    case 'unassignHardwareToken':
      return state.hardwareOath.some((candidate) => candidate.serialNumber !== null && serialKey(candidate.serialNumber) === serialKey(operation.target)) ? undefined : { resourceId: null };
    case 'deleteHardwareToken':
      return inventory.has(serialKey(operation.target)) ? undefined : { resourceId: null };
    case 'phoneConflict':
    case 'hardwareTokenConflict':
      return undefined;
  }
}

/**
 * Reconciles every operation of the run left `sent`: after a crash (on resume), and after a round
 * in which Graph's answer to a write was lost (apply-execute.ts). Users are read as the plan saw
 * them (their Entra object); a user the plan found no Entra object for has nothing applied.
 */
export async function reconcileSentOperations(
  journal: Journal,
  runId: string,
  graph: Pick<GraphGateway, 'readUserState' | 'readHardwareTokenInventory'>,
  options: ReconcileOptions = {},
): Promise<ReconcileOutcome> {
  const users = journal.usersWithSentOperations(runId);
  if (users.length === 0) return { done: 0, replanned: 0, failed: 0 };
  const giveUpAt = options.failAfterSends ?? Number.POSITIVE_INFINITY;
  const inDoubt = (user: StoredUser): StoredOperation[] => user.operations.filter((operation) => operation.status === 'sent');
  const tokenCreateInDoubt = users.some((user) => inDoubt(user).some((operation) => operation.kind === 'createHardwareToken' || operation.kind === 'deleteHardwareToken'));
  const inventory: Inventory = tokenCreateInDoubt ? await graph.readHardwareTokenInventory() : new Map();
  let done = 0;
  let failed = 0;
  const replan: number[] = [];
  // A user the plan found no Entra object for has nothing applied: no read.
  const reads = pLimit(USERS_READ_AT_ONCE);
  const states = await reads.map(users, (user) => (user.before === null ? null : graph.readUserState(user.before.user)));
  journal.transaction(() => {
    users.forEach((user, index) => {
      const state = states[index] ?? null;
      for (const operation of inDoubt(user)) {
        const applied = state === null ? undefined : appliedResource(operation, state, inventory);
        if (applied === undefined && operation.attempts >= giveUpAt) {
          journal.markFailed(operation.id, NO_ANSWER_CODE, `sent ${String(operation.attempts)} times without an answer that Entra shows carried out; Graph may be failing for this user — run apply again later`, null);
          failed += 1;
        } else if (applied === undefined) {
          replan.push(operation.id);
        } else {
          journal.markDone(operation.id, null, applied);
          done += 1;
        }
      }
    });
  });
  const replanned = replan.length === 0 ? 0 : journal.resetSentToPlanned(replan);
  return { done, replanned, failed };
}
