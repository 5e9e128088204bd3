/**
 * The pure diff (docs/design.md "Diff with Entra"): one user's DesiredState × what Entra holds →
 * the operations apply sends and the findings plan reports. No I/O, no clock: plan, apply, verify
 * and tests share it.
 */
import { finding } from '../findings.js';
import type { Finding, FindingCode } from '../findings.js';
import type { DefaultMethodPolicy, DesiredState, HardwareTokenMode } from '../mapping/desired-state.js';
import { decideDeviceRegistrations } from './device-registrations.js';
import type { EntraHardwareToken, EntraState, MethodAvailability } from './entra-state.js';
import { planHardwareTokenOperations } from './hardware-token-operations.js';
import type { Operation, PlanStatus, UserPlan } from './operations.js';
import { planPhoneOperations } from './phone-operations.js';
import type { PhoneConflictPolicy } from './phone-operations.js';
import { planPreferredMethod } from './preferred-method.js';
import type { PriorWrites } from './prior-writes.js';

export type { PhoneConflictPolicy } from './phone-operations.js';

/** The run's policy options (docs/design.md "Policy options"). */
export interface DiffOptions {
  /** `--phone-conflict`: keep Entra's different number (a conflict) or replace it. */
  readonly phoneConflict: PhoneConflictPolicy;
  /** `--default-method` (R9). */
  readonly defaultMethodPolicy: DefaultMethodPolicy;
  /** `--hardware-tokens` (R13). */
  readonly hardwareTokens: HardwareTokenMode;
}

export interface DiffContext {
  /** The tenant policy resolved for this user (`availabilityFor`). */
  readonly availability: MethodAvailability;
  /** The tenant's hardware token inventory by serial number; null when the serial is not in it. */
  readonly inventory: (serialNumber: string) => EntraHardwareToken | null;
  readonly options: DiffOptions;
  /**
   * What runs of ours wrote for this user, as the journal recorded it (R17): a number or default
   * of ours that Entra still holds follows the export. Absent or null: nothing is ours.
   */
  readonly prior?: PriorWrites | null;
}

/**
 * Findings mapping decides offline that the diff decides again with Entra visible. When a user
 * has a plan, report these from `UserPlan.issues` and drop them from `DesiredState.issues`, or
 * they appear twice — possibly contradicting each other.
 */
export const CODES_DECIDED_BY_DIFF: ReadonlySet<FindingCode> = new Set<FindingCode>(['DEFAULT_METHOD_FALLBACK', 'METHOD_DISABLED_BY_POLICY', 'DEVICE_REREGISTRATION_REQUIRED']);

function statusOf(operations: readonly Operation[]): PlanStatus {
  if (operations.some((operation) => operation.status === 'planned')) return 'planned';
  if (operations.some((operation) => operation.status === 'conflict')) return 'conflict';
  return 'unchanged';
}

function userNotFound(desired: DesiredState): Finding {
  const { file, line } = desired;
  const upn = desired.upn ?? desired.username;
  return finding(
    'USER_NOT_FOUND',
    file,
    line,
    `${file} line ${line}: no Entra user matches ${upn} (UPN first, then --match-attribute) and nothing was migrated for it — check that the user is synchronised to Entra, or choose another --match-attribute.`,
  );
}

/**
 * Plans one user. `skipped` and `rejected` users pass through with no operations; a ready user
 * without an Entra account (`current` null) is `unmatched` (R14). Otherwise: phones (create,
 * replace or report a conflict, update what is ours (R17); never delete), hardware tokens (R13), the default method
 * (R8, R9) and device registrations (R12). Status: `planned` when anything is to be sent, else
 * `conflict` when a conflict was kept, else `unchanged`. Operations are ordered for apply: phones
 * (mobile before alternateMobile), hardware tokens, then the preferred method, which may rely on
 * them.
 */
export function diffUser(desired: DesiredState, current: EntraState | null, context: DiffContext): UserPlan {
  if (desired.status !== 'ready') {
    return { status: desired.status, operations: [], defaultMethod: null, devices: desired.devices, issues: [] };
  }
  if (current === null) {
    return { status: 'unmatched', operations: [], defaultMethod: null, devices: desired.devices, issues: [userNotFound(desired)] };
  }
  const { options } = context;
  const prior = context.prior ?? null;
  const phones = planPhoneOperations(desired, current, options.phoneConflict, prior);
  const tokens = planHardwareTokenOperations(desired, current, options.hardwareTokens, context.inventory);
  const preferred = planPreferredMethod(
    desired,
    current,
    {
      phones: phones.held,
      writtenPhones: phones.written,
      conflictPhones: phones.conflicts,
      assignedHardwareTokens: tokens.assignedCount,
      usableHardwareTokens: tokens.usableCount,
      hardwareTokensAwaitingActivation: tokens.awaitingActivationCount,
    },
    context.availability,
    options.defaultMethodPolicy,
    prior,
  );
  const devices = decideDeviceRegistrations(desired, current);

  const operations: Operation[] = [...phones.operations, ...tokens.operations];
  if (preferred.operation !== null) operations.push(preferred.operation);
  return {
    status: statusOf(operations),
    operations,
    defaultMethod: preferred.defaultMethod,
    devices: devices.devices,
    issues: [...phones.findings, ...tokens.findings, ...preferred.findings, ...devices.findings],
  };
}
