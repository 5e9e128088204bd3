/**
 * Is this the tenant a run wrote to (or planned for)? Runs record the Graph root they used and the
 * tenant: the token's `tid` claim when the token carries one, else `--tenant-id`. A tenant is
 * compared only when both sides know one of the same kind — two GUIDs, or two domain names — since
 * a domain and a GUID cannot be told apart without asking Entra.
 */
import { usageError, type ErrorCodeWithExit, type ExitCode, type MigrateError } from '../errors.js';
import type { RunRecord } from '../run-records.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface TenantNow {
  readonly graphUrl: string | null;
  readonly tenantId: string | null;
}

/** What differs between the run's tenant and the one given now; null when nothing known does. */
export function tenantDifference(run: Pick<RunRecord, 'graphUrl' | 'tenantId'>, now: TenantNow): string | null {
  if (run.graphUrl !== now.graphUrl) return `made against ${run.graphUrl ?? 'the cloud'}, not ${now.graphUrl ?? 'the cloud'}`;
  const then = run.tenantId;
  if (then === null || now.tenantId === null || GUID.test(then) !== GUID.test(now.tenantId)) return null;
  return then.toLowerCase() === now.tenantId.toLowerCase() ? null : `made in tenant ${then}, not ${now.tenantId}`;
}

/** A usage error (exit 2) naming the difference, or null when the tenants agree as far as is known. */
export function otherTenantError(code: ErrorCodeWithExit<typeof ExitCode.usage>, what: string, run: Pick<RunRecord, 'graphUrl' | 'tenantId'>, now: TenantNow, remedy: string): MigrateError | null {
  const difference = tenantDifference(run, now);
  return difference === null ? null : usageError(code, `${what} was ${difference}`, remedy);
}
