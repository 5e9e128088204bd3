/**
 * One user of a report: every fact the CSV, JSON and HTML show, computed once from the journal's
 * StoredUser. Pure. Phone numbers and messages are masked here unless `unmask`, so no writer can
 * forget to; seeds never reach this far (the journal holds only their fingerprint, which is never
 * copied).
 */
import type { Severity } from '../findings.js';
import type { StoredOperation, StoredUser } from '../run-records.js';
import type { FinalUserStatus } from '../user-status.js';
import type { MatchAttribute } from '../plan/entra-state.js';
import type { OperationKind, OperationStatus, PlanStatus } from '../plan/operations.js';
import { ACTION_NEEDED, ISSUE_CATALOGUE, type OperationIssueCode, type ReportIssueCode } from './issue-catalogue.js';
import { maskPhoneNumber, maskPhoneNumbersInText } from './phone-mask.js';
import { PHONE_TYPES, userChanges, type AfterBasis, type HardwareTokenChange, type UserChanges, type ValueChange } from './user-changes.js';

/**
 * The user's status in a report: the final status apply or verify set, else the plan's status
 * (`statusSource` says which), so a plan run reads `planned` and an unfinished apply shows where
 * each user stood.
 */
export type ReportStatus = FinalUserStatus | PlanStatus;

/** Display and chart order: done, to do, nothing to do, then what needs a look. */
export const REPORT_STATUSES: readonly ReportStatus[] = [
  'migrated', 'planned', 'unchanged', 'partial', 'conflict', 'skipped', 'unmatched', 'rejected', 'failed',
];

export type StatusSource = 'final' | 'plan';

export interface ReportIssue {
  readonly code: ReportIssueCode;
  readonly severity: Severity;
  /** A finding of mapping or the diff, or an operation that did not end as planned. */
  readonly source: 'finding' | 'operation';
  /** The export file and line a finding is about; null for operations. */
  readonly file: string | null;
  readonly line: number | null;
  readonly message: string;
  /** Graph's request-id and error code of a failed operation, for Microsoft support. */
  readonly requestId: string | null;
  readonly graphCode: string | null;
  readonly actionNeeded: boolean;
}

export interface ReportOperation {
  readonly kind: OperationKind;
  readonly target: string;
  readonly status: OperationStatus;
  /** The number a phone operation writes (masked unless --unmask); null for other kinds. */
  readonly phoneNumber: string | null;
  readonly requestId: string | null;
  readonly graphCode: string | null;
  readonly errorMessage: string | null;
  /** Client id of the app whose request carried it last (audit); null when it never left or the app is not known. */
  readonly appId: string | null;
}

export interface ReportDevices {
  /** Kept, and Entra already holds an Authenticator of that name. */
  readonly kept: readonly string[];
  /** Kept, but the user must register the app again (Graph cannot create Authenticator registrations). */
  readonly reregistrationRequired: readonly string[];
  /** Over Entra's limit (R12): not kept. */
  readonly dropped: readonly string[];
  /** Kept, but Entra was not compared (the user was not matched or read). */
  readonly notChecked: readonly string[];
}

/** What a user's before → after can change; `changed` lists these. */
export type ChangedMethod = 'mobile' | 'alternateMobile' | 'office' | 'preferredMethod' | 'hardwareTokens';

export interface ReportUser {
  readonly line: number;
  readonly username: string;
  readonly upn: string | null;
  readonly entraUserId: string | null;
  readonly matchedBy: MatchAttribute | null;
  readonly status: ReportStatus;
  readonly statusSource: StatusSource;
  readonly planStatus: PlanStatus;
  readonly finalStatus: FinalUserStatus | null;
  readonly afterBasis: AfterBasis;
  readonly phones: { readonly mobile: ValueChange; readonly alternateMobile: ValueChange; readonly office: ValueChange };
  readonly preferredMethod: ValueChange;
  /**
   * What differs between before and after, compared before masking: two numbers that differ only
   * in their hidden digits look the same masked.
   */
  readonly changed: readonly ChangedMethod[];
  readonly devices: ReportDevices;
  readonly hardwareTokens: readonly HardwareTokenChange[];
  readonly operations: readonly ReportOperation[];
  readonly issues: readonly ReportIssue[];
  /** Request-ids of the user's failed operations. */
  readonly failedRequestIds: readonly string[];
  readonly actionNeeded: boolean;
}

export interface ReportUserContext {
  readonly afterBasis: AfterBasis;
  readonly unmask: boolean;
  /** Report writes that did not end `done` as issues; false for verify, whose findings say what is missing now. Default true. */
  readonly operationIssues?: boolean;
}

/** What an operation that did not end as planned is reported as; null when nothing is to report. */
function operationIssueCode(status: OperationStatus, basis: AfterBasis): OperationIssueCode | null {
  switch (status) {
    case 'failed':
      return 'OPERATION_FAILED';
    case 'skipped':
      return 'OPERATION_SKIPPED';
    case 'sent':
      return 'OPERATION_UNCONFIRMED';
    case 'planned':
      // In a plan, planned is the point; in a run that writes, it was never sent.
      return basis === 'applied' ? 'OPERATION_PENDING' : null;
    case 'done':
    case 'conflict':
      return null;
  }
}

export function reportUser(user: StoredUser, context: ReportUserContext): ReportUser {
  const phone = context.unmask ? (value: string) => value : maskPhoneNumber;
  const text = context.unmask ? (value: string) => value : maskPhoneNumbersInText;
  const phoneChange = (change: ValueChange): ValueChange => ({
    before: change.before === null ? null : phone(change.before),
    after: change.after === null ? null : phone(change.after),
  });
  const changes = userChanges(user, context.afterBasis);

  const issues: ReportIssue[] = user.issues.map((finding) => ({
    code: finding.code,
    severity: finding.severity,
    source: 'finding',
    file: finding.file,
    line: finding.line,
    message: text(finding.message),
    requestId: null,
    graphCode: null,
    actionNeeded: ACTION_NEEDED[finding.code],
  }));
  for (const operation of context.operationIssues === false ? [] : user.operations) {
    const code = operationIssueCode(operation.status, context.afterBasis);
    if (code === null) continue;
    issues.push({
      code,
      severity: ISSUE_CATALOGUE[code].severity,
      source: 'operation',
      file: null,
      line: null,
      message: text(operationMessage(user, operation)),
      requestId: operation.requestId,
      graphCode: operation.graphCode,
      actionNeeded: ACTION_NEEDED[code],
    });
  }

  const devices = { kept: [] as string[], reregistrationRequired: [] as string[], dropped: [] as string[], notChecked: [] as string[] };
  for (const device of user.plan?.devices ?? user.desired.devices) {
    if (device.status === 'dropped') devices.dropped.push(device.name);
    else if (device.registration === 'present') devices.kept.push(device.name);
    else if (device.registration === 'reregistrationRequired') devices.reregistrationRequired.push(device.name);
    else devices.notChecked.push(device.name);
  }

  return {
    line: user.line,
    username: user.username,
    upn: user.upn,
    entraUserId: user.entraUserId,
    matchedBy: user.matchedBy,
    status: user.finalStatus ?? user.planStatus,
    statusSource: user.finalStatus === null ? 'plan' : 'final',
    planStatus: user.planStatus,
    finalStatus: user.finalStatus,
    afterBasis: context.afterBasis,
    phones: {
      mobile: phoneChange(changes.phones.mobile),
      alternateMobile: phoneChange(changes.phones.alternateMobile),
      office: phoneChange(changes.phones.office),
    },
    preferredMethod: changes.preferredMethod,
    changed: changedMethods(changes),
    devices,
    hardwareTokens: changes.hardwareTokens,
    operations: user.operations.map((operation) => ({
      kind: operation.kind,
      target: operation.target,
      status: operation.status,
      phoneNumber: 'phoneNumber' in operation ? phone(operation.phoneNumber) : null,
      requestId: operation.requestId,
      graphCode: operation.graphCode,
      errorMessage: operation.errorMessage === null ? null : text(operation.errorMessage),
      appId: operation.appId,
    })),
    issues,
    failedRequestIds: user.operations.flatMap((operation) => (operation.status === 'failed' && operation.requestId !== null ? [operation.requestId] : [])),
    actionNeeded: issues.some((issue) => issue.actionNeeded),
  };
}

function changedMethods(changes: UserChanges): ChangedMethod[] {
  const changed: ChangedMethod[] = PHONE_TYPES.filter((phoneType) => changes.phones[phoneType].before !== changes.phones[phoneType].after);
  if (changes.preferredMethod.before !== changes.preferredMethod.after) changed.push('preferredMethod');
  if (changes.hardwareTokens.some((token) => token.before !== token.after)) changed.push('hardwareTokens');
  return changed;
}

/** What happened to one operation, in the words of DESIGN §5's messages: what, to whom, why. */
function operationMessage(user: StoredUser, operation: StoredOperation): string {
  const what = `${operation.kind} ${operation.target}`;
  const who = user.upn ?? user.username;
  const graph = [
    operation.graphCode === null ? null : `Graph code ${operation.graphCode}`,
    operation.errorMessage,
    operation.requestId === null ? null : `request-id ${operation.requestId}`,
  ].filter((part) => part !== null).join('; ');
  const detail = graph === '' ? '' : ` (${graph})`;
  switch (operation.status) {
    case 'failed':
      return `${what} for ${who} failed${detail}.`;
    case 'skipped':
      return `${what} for ${who} was not sent${detail}.`;
    case 'sent':
      return `${what} for ${who} was sent, but no answer was recorded${detail}.`;
    default:
      return `${what} for ${who} was not sent before the run stopped.`;
  }
}
