/**
 * One user of a report: every fact the CSV, JSON and HTML show, computed once from the journal's
 * StoredUser. Pure. Phone numbers and messages are masked here unless `unmask`, so no writer can
 * forget to; seeds never reach this far (the journal holds only their fingerprint, which is never
 * copied).
 */
import type { Finding, Severity } from '../findings.js';
import type { RunCommand, StoredOperation, StoredUser } from '../run-records.js';
import type { FinalUserStatus } from '../user-status.js';
import type { DesiredState, UserStatus } from '../mapping/desired-state.js';
import type { MatchAttribute } from '../plan/entra-state.js';
import type { OperationKind, OperationStatus, PlanStatus } from '../plan/operations.js';
import { everyMember } from '../union-members.js';
import { ISSUE_CATALOGUE, WHO_MUST_ACT, type OperationIssueCode, type ReportIssueCode, type WhoMustAct } from './issue-catalogue.js';
import { phoneView, type PhoneView } from './phone-mask.js';
import { writeInWords } from './plain-words.js';
import { afterBasisOf, PHONE_TYPES, userChanges, type AfterBasis, type HardwareTokenChange, type UserChanges, type ValueChange } from './user-changes.js';

/**
 * The user's status in a report. A migration run (plan, apply, verify) shows the final status apply
 * or verify set, else the plan's status (`statusSource` says which), so a plan run reads `planned`
 * and an unfinished apply shows where each user stood. validate shows what the exports say
 * (`ready`, `skipped`, `rejected`). A rollback has statuses of its own (RollbackStatus).
 */
export type ReportStatus = FinalUserStatus | PlanStatus | ValidateStatus | RollbackStatus;

/** validate's statuses (mapping's UserStatus): ready to migrate, skipped (disabled), rejected. */
export type ValidateStatus = UserStatus;

/**
 * A rollback's per-user outcome: every undo step done (`restored`); some change left in place with
 * its reason and nothing failed (`kept`); Graph refused an undo step (`failed`); steps not sent or
 * not answered yet, the rollback stopped (`pending`).
 */
export type RollbackStatus = 'restored' | 'kept' | 'failed' | 'pending';

/** Display and chart order: done, to do, nothing to do, then what needs a look. */
export const REPORT_STATUSES = everyMember<ReportStatus>()(
  'migrated', 'planned', 'ready', 'restored', 'unchanged', 'partial', 'kept', 'conflict', 'skipped', 'unmatched', 'rejected', 'failed', 'pending',
);

/**
 * Where a user's status comes from: apply or verify (`final`), the plan (`plan`), the exports
 * read offline by validate (`exports`), or the undo steps of a rollback (`undo`).
 */
export type StatusSource = 'final' | 'plan' | 'exports' | 'undo';

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
  /** Who must act on it; null when nobody must (WHO_MUST_ACT). */
  readonly whoMustAct: WhoMustAct | null;
  /** Someone must act: the issue is a row of issues.csv. */
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
  /** Entra's display name when the run read the user, else the export's first and last name. */
  readonly displayName: string | null;
  readonly upn: string | null;
  readonly entraUserId: string | null;
  readonly matchedBy: MatchAttribute | null;
  readonly status: ReportStatus;
  readonly statusSource: StatusSource;
  /** null for validate, which plans nothing. */
  readonly planStatus: PlanStatus | null;
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
  /** An issue of the user needs an admin (fix an export, a setting, a failed write). */
  readonly adminMustAct: boolean;
  /** An issue of the user needs the user (register Authenticator again, register a method). */
  readonly userMustAct: boolean;
  /** Either of the two. */
  readonly actionNeeded: boolean;
}

export interface ReportUserContext {
  /** The run's command: what "after" means, and which issues belong in its report. */
  readonly command: RunCommand;
  readonly unmask: boolean;
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

/** What an undo step that did not end `done` is reported as. */
function undoIssueCode(status: OperationStatus): OperationIssueCode | null {
  switch (status) {
    case 'failed':
      return 'UNDO_FAILED';
    case 'skipped':
    case 'conflict':
      return 'UNDO_KEPT';
    case 'planned':
    case 'sent':
      return 'UNDO_PENDING';
    case 'done':
      return null;
  }
}

/** A rollback user's status from its undo steps (the journal's final status speaks apply's words). */
function rollbackStatus(operations: readonly StoredOperation[]): RollbackStatus {
  if (operations.some((operation) => operation.status === 'failed')) return 'failed';
  if (operations.some((operation) => operation.status === 'planned' || operation.status === 'sent')) return 'pending';
  if (operations.some((operation) => operation.status !== 'done')) return 'kept';
  return 'restored';
}

function findingIssue(finding: Finding, view: PhoneView): ReportIssue {
  const whoMustAct = WHO_MUST_ACT[finding.code];
  return {
    code: finding.code,
    severity: finding.severity,
    source: 'finding',
    file: finding.file,
    line: finding.line,
    message: view.text(finding.message),
    requestId: null,
    graphCode: null,
    whoMustAct,
    actionNeeded: whoMustAct !== null,
  };
}

function mustAct(issues: readonly ReportIssue[]): Pick<ReportUser, 'adminMustAct' | 'userMustAct' | 'actionNeeded'> {
  const adminMustAct = issues.some((issue) => issue.whoMustAct === 'admin');
  const userMustAct = issues.some((issue) => issue.whoMustAct === 'user');
  return { adminMustAct, userMustAct, actionNeeded: adminMustAct || userMustAct };
}

/**
 * One user of a run's report. A rollback's report carries only the undo: its status, its steps
 * and their issues — the findings of the migration it undoes belong to that migration's report.
 */
export function reportUser(user: StoredUser, context: ReportUserContext): ReportUser {
  const view = phoneView(context.unmask);
  const afterBasis = afterBasisOf(context.command);
  const undo = context.command === 'rollback';
  const phoneChange = (change: ValueChange): ValueChange => ({
    before: change.before === null ? null : view.phone(change.before),
    after: change.after === null ? null : view.phone(change.after),
  });
  const changes = userChanges(user, afterBasis);

  const issues: ReportIssue[] = undo ? [] : user.issues.map((finding) => findingIssue(finding, view));
  // verify's findings say what is missing now; the writes it lays over the users are the verified run's.
  const operationIssues = context.command !== 'verify';
  for (const operation of operationIssues ? user.operations : []) {
    const code = undo ? undoIssueCode(operation.status) : operationIssueCode(operation.status, afterBasis);
    if (code === null) continue;
    const whoMustAct = WHO_MUST_ACT[code];
    issues.push({
      code,
      severity: ISSUE_CATALOGUE[code].severity,
      source: 'operation',
      file: null,
      line: null,
      message: view.text(undo ? undoMessage(user, operation) : operationMessage(user, operation)),
      requestId: operation.requestId,
      graphCode: operation.graphCode,
      whoMustAct,
      actionNeeded: whoMustAct !== null,
    });
  }

  const devices = { kept: [] as string[], reregistrationRequired: [] as string[], dropped: [] as string[], notChecked: [] as string[] };
  for (const device of undo ? [] : user.plan?.devices ?? user.desired.devices) {
    if (device.status === 'dropped') devices.dropped.push(device.name);
    else if (device.registration === 'present') devices.kept.push(device.name);
    else if (device.registration === 'reregistrationRequired') devices.reregistrationRequired.push(device.name);
    else devices.notChecked.push(device.name);
  }

  return {
    line: user.line,
    username: user.username,
    displayName: user.before?.user.displayName ?? user.desired.displayName,
    upn: user.upn,
    entraUserId: user.entraUserId,
    matchedBy: user.matchedBy,
    status: undo ? rollbackStatus(user.operations) : user.finalStatus ?? user.planStatus,
    statusSource: undo ? 'undo' : user.finalStatus === null ? 'plan' : 'final',
    planStatus: user.planStatus,
    finalStatus: user.finalStatus,
    afterBasis,
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
      phoneNumber: 'phoneNumber' in operation ? view.phone(operation.phoneNumber) : null,
      requestId: operation.requestId,
      graphCode: operation.graphCode,
      errorMessage: operation.errorMessage === null ? null : view.text(operation.errorMessage),
      appId: operation.appId,
    })),
    issues,
    failedRequestIds: user.operations.flatMap((operation) => (operation.status === 'failed' && operation.requestId !== null ? [operation.requestId] : [])),
    ...mustAct(issues),
  };
}

/**
 * What validate's report reads of a desired state: plain data without the seeds (a Secret, which
 * must not travel, and which the report never shows) — what crosses to the thread that writes it.
 */
export interface ValidatedUser {
  readonly line: number;
  readonly username: string;
  readonly displayName: string | null;
  readonly upn: string | null;
  readonly status: UserStatus;
  readonly phones: DesiredState['phones'];
  readonly defaultMethod: DesiredState['defaultMethod'];
  readonly devices: readonly { readonly name: string; readonly status: 'kept' | 'dropped' }[];
  readonly hardwareTokens: readonly { readonly serialNumber: string }[];
  readonly issues: readonly Finding[];
}

export function validatedUser(desired: DesiredState): ValidatedUser {
  return {
    line: desired.line,
    username: desired.username,
    displayName: desired.displayName,
    upn: desired.upn,
    status: desired.status,
    phones: desired.phones,
    defaultMethod: desired.defaultMethod,
    devices: desired.devices.map((device) => ({ name: device.name, status: device.status })),
    hardwareTokens: desired.hardwareTokens.map((token) => ({ serialNumber: token.serialNumber })),
    issues: desired.issues,
  };
}

/**
 * One user of validate's report, from mapping's desired state: Entra was not read, so there is no
 * before, and "after" is what the exports ask Entra to hold.
 */
export function validateReportUser(desired: ValidatedUser, context: { readonly unmask: boolean }): ReportUser {
  const view = phoneView(context.unmask);
  const wanted = (value: string | null): ValueChange => ({ before: null, after: value === null ? null : view.phone(value) });
  const issues = desired.issues.map((finding) => findingIssue(finding, view));
  const devices = { kept: [] as string[], reregistrationRequired: [] as string[], dropped: [] as string[], notChecked: [] as string[] };
  for (const device of desired.devices) (device.status === 'dropped' ? devices.dropped : devices.notChecked).push(device.name);
  const changed: ChangedMethod[] = PHONE_TYPES.filter((phoneType) => desired.phones[phoneType] !== null);
  if (desired.defaultMethod !== null) changed.push('preferredMethod');
  if (desired.hardwareTokens.length > 0) changed.push('hardwareTokens');
  return {
    line: desired.line,
    username: desired.username,
    displayName: desired.displayName,
    upn: desired.upn,
    entraUserId: null,
    matchedBy: null,
    status: desired.status,
    statusSource: 'exports',
    planStatus: null,
    finalStatus: null,
    afterBasis: 'exports',
    phones: { mobile: wanted(desired.phones.mobile), alternateMobile: wanted(desired.phones.alternateMobile), office: wanted(desired.phones.office) },
    preferredMethod: { before: null, after: desired.defaultMethod },
    changed,
    devices,
    // Whether Entra holds a token is unknown offline: the token is what the exports ask for.
    hardwareTokens: desired.hardwareTokens.map((token) => ({ serialNumber: token.serialNumber, before: null, after: null })),
    operations: [],
    issues,
    failedRequestIds: [],
    ...mustAct(issues),
  };
}

function changedMethods(changes: UserChanges): ChangedMethod[] {
  const changed: ChangedMethod[] = PHONE_TYPES.filter((phoneType) => changes.phones[phoneType].before !== changes.phones[phoneType].after);
  if (changes.preferredMethod.before !== changes.preferredMethod.after) changed.push('preferredMethod');
  if (changes.hardwareTokens.some((token) => token.before !== token.after)) changed.push('hardwareTokens');
  return changed;
}

/** Graph's code, message and request-id of an operation, as one parenthesis ("" when none). */
function graphAnswer(operation: StoredOperation): string {
  const parts = [
    operation.graphCode === null ? null : `Graph code ${operation.graphCode}`,
    operation.errorMessage,
    operation.requestId === null ? null : `request-id ${operation.requestId}`,
  ].filter((part) => part !== null).join('; ');
  return parts === '' ? '' : ` (${parts})`;
}

/** What happened to one operation, in the words of the other messages: what, to whom, why. */
function operationMessage(user: StoredUser, operation: StoredOperation): string {
  const what = writeInWords(operation.kind, operation.target);
  const who = user.upn ?? user.username;
  const detail = graphAnswer(operation);
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

/** What happened to one undo step: kept (with rollback's reason), failed, or not finished. */
function undoMessage(user: StoredUser, operation: StoredOperation): string {
  const what = writeInWords(operation.kind, operation.target);
  const who = user.upn ?? user.username;
  switch (operation.status) {
    case 'skipped':
    case 'conflict':
      return `${what} for ${who} was not done: ${operation.errorMessage ?? 'kept'}.`;
    case 'failed':
      return `${what} for ${who} failed${graphAnswer(operation)}.`;
    case 'sent':
      return `${what} for ${who} was sent, but no answer was recorded${graphAnswer(operation)}.`;
    default:
      return `${what} for ${who} was not sent before the rollback stopped.`;
  }
}
