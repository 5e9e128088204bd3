/**
 * Resume step one (DESIGN §6): an operation left `sent` by a crash may or may not have reached
 * Graph. Read each such user's current state once and decide: the write is visible → `done`
 * (request-id null: this run never saw the answer); not visible → back to `planned`, to be sent
 * again. Phone writes and the preferred method are idempotent to re-send when absent, so this
 * never writes a phone twice.
 */
import type { GraphGateway } from '../graph/gateway.js';
import type { Journal } from '../journal/journal.js';
import type { StoredOperation, StoredUser } from '../journal/records.js';
import type { EntraState } from '../plan/entra-state.js';

export interface ReconcileOutcome {
  readonly done: number;
  readonly replanned: number;
}

/** The resource id when Entra shows the operation's effect, undefined when it does not. */
function appliedResource(operation: StoredOperation, state: EntraState): { readonly resourceId: string | null } | undefined {
  if (operation.kind === 'createPhone' || operation.kind === 'updatePhone') {
    const phone = state.phones.find((candidate) => candidate.phoneType === operation.target);
    return phone !== undefined && phone.phoneNumber === operation.phoneNumber ? { resourceId: phone.id } : undefined;
  }
  if (operation.kind === 'setPreferredMethod') {
    return state.signInPreferences?.userPreferredMethodForSecondaryAuthentication === operation.target ? { resourceId: null } : undefined;
  }
  // Hardware-token writes are not sent by this version; a sent one is re-planned.
  return undefined;
}

export async function reconcileSentOperations(journal: Journal, runId: string, graph: Pick<GraphGateway, 'readUserState'>, users: ReadonlyMap<number, StoredUser>): Promise<ReconcileOutcome> {
  const byUser = new Map<number, StoredOperation[]>();
  for (const operation of journal.sentOperations(runId)) byUser.set(operation.userId, [...(byUser.get(operation.userId) ?? []), operation]);
  let done = 0;
  const replan: number[] = [];
  for (const [userId, operations] of byUser) {
    const entraUser = users.get(userId)?.before?.user;
    if (entraUser === undefined) {
      replan.push(...operations.map((operation) => operation.id));
      continue;
    }
    const state = await graph.readUserState(entraUser);
    for (const operation of operations) {
      const applied = appliedResource(operation, state);
      if (applied === undefined) {
        replan.push(operation.id);
      } else {
        journal.markDone(operation.id, null, applied);
        done += 1;
      }
    }
  }
  const replanned = replan.length === 0 ? 0 : journal.resetSentToPlanned(replan);
  return { done, replanned };
}
