/**
 * Resume step one (DESIGN §6): an operation left `sent` by a crash may or may not have reached
 * Graph. Read each such user's current state once (and the token inventory once, when a token
 * create is in doubt) and decide: the write is visible → `done` (request-id null: this run never
 * saw the answer); not visible → back to `planned`, to be sent again. Every write apply sends is
 * safe to re-send when its effect is absent, so this never writes a phone or a token twice.
 */
import { serialKey } from '../graph/entra-json.js';
import type { GraphGateway } from '../graph/gateway.js';
import type { Journal } from '../journal/journal.js';
import type { StoredOperation } from '../journal/records.js';
import { phoneNumbersMatch } from '../plan/phone-numbers.js';
import type { EntraHardwareToken, EntraState, EntraUser } from '../plan/entra-state.js';

/** Graph's hardwareOathTokenStatus once activation succeeded. */
const ACTIVATED = 'activated';

export interface ReconcileOutcome {
  readonly done: number;
  readonly replanned: number;
}

type Inventory = ReadonlyMap<string, EntraHardwareToken>;

/** The resource id when Entra shows the operation's effect, undefined when it does not. */
function appliedResource(operation: StoredOperation, state: EntraState, inventory: Inventory): { readonly resourceId: string | null } | undefined {
  switch (operation.kind) {
    case 'createPhone':
    case 'updatePhone': {
      const phone = state.phones.find((candidate) => candidate.phoneType === operation.target);
      // A masked read (delegated admins, DESIGN §6) that fits the number counts: re-sending a create
      // would only fail with "already exists".
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
    case 'unassignHardwareToken':
      return state.hardwareOath.some((candidate) => candidate.serialNumber !== null && serialKey(candidate.serialNumber) === serialKey(operation.target)) ? undefined : { resourceId: null };
    case 'deleteHardwareToken':
      return inventory.has(serialKey(operation.target)) ? undefined : { resourceId: null };
    case 'phoneConflict':
    case 'hardwareTokenConflict':
      return undefined;
  }
}

export async function reconcileSentOperations(
  journal: Journal,
  runId: string,
  graph: Pick<GraphGateway, 'readUserState' | 'readHardwareTokenInventory'>,
  entraUserOf: (journalUserId: number) => EntraUser | null,
): Promise<ReconcileOutcome> {
  const byUser = new Map<number, StoredOperation[]>();
  for (const operation of journal.sentOperations(runId)) byUser.set(operation.userId, [...(byUser.get(operation.userId) ?? []), operation]);
  const tokenCreateInDoubt = [...byUser.values()].some((operations) => operations.some((operation) => operation.kind === 'createHardwareToken' || operation.kind === 'deleteHardwareToken'));
  const inventory: Inventory = tokenCreateInDoubt ? await graph.readHardwareTokenInventory() : new Map();
  let done = 0;
  const replan: number[] = [];
  for (const [userId, operations] of byUser) {
    const entraUser = entraUserOf(userId);
    if (entraUser === null) {
      replan.push(...operations.map((operation) => operation.id));
      continue;
    }
    const state = await graph.readUserState(entraUser);
    journal.transaction(() => {
      for (const operation of operations) {
        const applied = appliedResource(operation, state, inventory);
        if (applied === undefined) {
          replan.push(operation.id);
        } else {
          journal.markDone(operation.id, null, applied);
          done += 1;
        }
      }
    });
  }
  const replanned = replan.length === 0 ? 0 : journal.resetSentToPlanned(replan);
  return { done, replanned };
}
