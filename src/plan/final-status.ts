/**
 * A user's status once apply has run (docs/design.md "Final user statuses": migrated, unchanged,
 * partial, conflict, skipped, unmatched, rejected, failed), from the plan status and what became of
 * each operation. Pure: apply, status and the reports agree because they all ask this function.
 */
import type { FinalUserStatus } from '../user-status.js';
import type { OperationKind, OperationStatus, PlanStatus } from './operations.js';

const REPORTED_ONLY: ReadonlySet<OperationKind> = new Set(['phoneConflict', 'hardwareTokenConflict']);

/** Null while an operation is still planned or sent: the run has not finished with this user. */
export function finalStatusOf(
  planStatus: PlanStatus,
  operations: readonly { readonly kind: OperationKind; readonly status: OperationStatus }[],
): FinalUserStatus | null {
  if (planStatus !== 'planned') return planStatus;
  const writes = operations.filter((operation) => !REPORTED_ONLY.has(operation.kind));
  if (writes.some((operation) => operation.status === 'planned' || operation.status === 'sent')) return null;
  const done = writes.filter((operation) => operation.status === 'done').length;
  if (done === writes.length) {
    // Everything we could write is there; a kept conflict still needs the admin.
    return operations.some((operation) => REPORTED_ONLY.has(operation.kind)) ? 'conflict' : 'migrated';
  }
  return done === 0 ? 'failed' : 'partial';
}
