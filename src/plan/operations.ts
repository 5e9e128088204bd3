/**
 * What plan decides to do for one user, and what apply executes: `{ kind, target, status }` plus
 * the kind's fields (docs/design.md "Operations and plan statuses"). Plain data: the journal stores
 * it (without secrets — a hardware token's seed is re-read from the tokens file at apply time and
 * recognised by a keyed hash), the reports print it.
 */
import type { Finding } from '../findings.js';
import type { DefaultMethod, DesiredDevice, GraphPhoneNumber, PhoneType } from '../mapping/desired-state.js';
import { everyMember } from '../union-members.js';

export type OperationKind =
  | 'createPhone'
  | 'updatePhone'
  /** `--phone-conflict keep` and Entra holds a different number: reported, never sent. */
  | 'phoneConflict'
  | 'setPreferredMethod'
  /** Create the token in the tenant inventory (beta hardwareOathDevices). */
  | 'createHardwareToken'
  /** Assign an inventory token to the user (beta user hardwareOathMethods). */
  | 'assignHardwareToken'
  /** Activate with a TOTP code computed from the seed (counts against 200 per 5 min). */
  | 'activateHardwareToken'
  /** The serial exists in the inventory assigned to someone else: reported, never sent. */
  | 'hardwareTokenConflict'
  /** Rollback: remove a phone a run created. */
  | 'deletePhone'
  /** Rollback: take a token a run assigned away from the user. */
  | 'unassignHardwareToken'
  /** Rollback: deactivate a token the run activated that stays assigned (it was the user's before the run). */
  | 'deactivateHardwareToken'
  /** Rollback: remove a token a run created from the inventory. */
  | 'deleteHardwareToken';

export type OperationStatus = 'planned' | 'conflict' | 'sent' | 'done' | 'failed' | 'skipped';

export const OPERATION_KINDS = everyMember<OperationKind>()(
  'createPhone', 'updatePhone', 'phoneConflict', 'setPreferredMethod', 'createHardwareToken', 'assignHardwareToken', 'activateHardwareToken',
  'hardwareTokenConflict', 'deletePhone', 'unassignHardwareToken', 'deactivateHardwareToken', 'deleteHardwareToken',
);
export const OPERATION_STATUSES = everyMember<OperationStatus>()('planned', 'conflict', 'sent', 'done', 'failed', 'skipped');

export interface OperationBase {
  readonly kind: OperationKind;
  /** Phone type, default-method name or token serial: what the operation is about. */
  readonly target: string;
  readonly status: OperationStatus;
}

export interface PhoneOperation extends OperationBase {
  readonly kind: 'createPhone' | 'updatePhone' | 'phoneConflict' | 'deletePhone';
  readonly target: PhoneType;
  readonly phoneNumber: GraphPhoneNumber;
  /** What Entra holds now (as read: maybe masked); null for createPhone. */
  readonly previousPhoneNumber: string | null;
}

export interface PreferredMethodOperation extends OperationBase {
  readonly kind: 'setPreferredMethod';
  readonly target: DefaultMethod;
  readonly previous: string | null;
}

export interface HardwareTokenOperation extends OperationBase {
  readonly kind: 'createHardwareToken' | 'assignHardwareToken' | 'activateHardwareToken' | 'hardwareTokenConflict' | 'unassignHardwareToken' | 'deactivateHardwareToken' | 'deleteHardwareToken';
  /** The serial number. */
  readonly target: string;
  /** The inventory device id when it already exists; null until createHardwareToken has run. */
  readonly deviceId: string | null;
  /**
   * The user's hardwareOathMethods id, which activate and unassign address — not the device id
   * (authentication-post-hardwareoathmethods.md answers an id of its own). Known when Entra already
   * held the token; otherwise apply takes the id the assign answered.
   */
  readonly methodId?: string | null;
}

export type Operation = PhoneOperation | PreferredMethodOperation | HardwareTokenOperation;

/**
 * Per-user plan status. `planned`: operations to send. `unchanged`: Entra already holds everything.
 * `conflict`: at least one conflict kept and nothing else to send. `skipped`, `rejected`: from
 * mapping. `unmatched`: no Entra user (USER_NOT_FOUND, USER_AMBIGUOUS). `failed`: Entra could not be read
 * for this user after retries (USER_READ_FAILED); running plan again retries them.
 */
export type PlanStatus = 'planned' | 'unchanged' | 'conflict' | 'skipped' | 'unmatched' | 'rejected' | 'failed';
export const PLAN_STATUSES = everyMember<PlanStatus>()('planned', 'unchanged', 'conflict', 'skipped', 'unmatched', 'rejected', 'failed');

export interface UserPlan {
  readonly status: PlanStatus;
  readonly operations: readonly Operation[];
  /** The default method after R8/R9 with Entra visible; null when nothing is to be set or none is available. */
  readonly defaultMethod: DefaultMethod | null;
  /** Devices with `registration` decided against Entra's Authenticator registrations (R12). */
  readonly devices: readonly DesiredDevice[];
  /** Findings the diff adds (DEFAULT_METHOD_FALLBACK, METHOD_DISABLED_BY_POLICY, DEVICE_REREGISTRATION_REQUIRED, PHONE_CONFLICT…). */
  readonly issues: readonly Finding[];
}
