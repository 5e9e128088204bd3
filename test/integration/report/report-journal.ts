/**
 * A journal for the report tests, built the way plan and apply build it: a plan run whose users
 * cover every plan status, then an apply run (copyPlan) whose operations end done, failed,
 * skipped, sent or still planned, with request-ids, and whose users cover every final status.
 * Between them the users carry every finding code of the catalogue, with phone numbers in their
 * messages, and two usernames an attacker could have typed into MFA Server.
 */
import { join } from 'node:path';
import { FINDINGS, finding, type Finding, type FindingCode } from '../../../src/findings.js';
import { openJournal, type Journal } from '../../../src/journal/journal.js';
import type { UserRecord } from '../../../src/run-records.js';
import type { FinalUserStatus } from '../../../src/user-status.js';
import type { DesiredDevice } from '../../../src/mapping/desired-state.js';
import type { EntraState } from '../../../src/plan/entra-state.js';
import type { Operation, OperationStatus, PlanStatus } from '../../../src/plan/operations.js';
import { manualClock } from '../../support/clock.js';
import { aDesiredToken } from '../../support/desired-builders.js';
import { aPlanRun, aRecordedDesiredState, aRecordedEntraState } from '../../support/journal-builders.js';

export const FORMULA_USERNAME = "=cmd|' /C calc'!A0";
/** Entra's display name of the user on line 2: search must find it typed without the Polish letter. */
export const ENTRA_DISPLAY_NAME = 'Łukasz Hill';
/** The export's first and last name of the unmatched user on line 8 (Entra's name is not known). */
export const EXPORT_DISPLAY_NAME = 'Zoë Ångström';
export const SCRIPT_USERNAME = '<script>alert("report")</script>@contoso.com';

type Outcome = Extract<OperationStatus, 'done' | 'failed' | 'skipped' | 'sent' | 'planned' | 'conflict'>;

interface OperationSpec {
  readonly operation: Operation;
  readonly outcome: Outcome;
}

interface UserSpec {
  readonly line: number;
  readonly username?: string;
  readonly planStatus: PlanStatus;
  readonly finalStatus: FinalUserStatus | null;
  /** Entra was read (a matched user). */
  readonly matched: boolean;
  readonly operations: readonly OperationSpec[];
  readonly codes: readonly FindingCode[];
  readonly devices?: readonly DesiredDevice[];
  readonly token?: boolean;
}

const mobileOf = (line: number): string => `+1 42555501${String(line).padStart(2, '0')}`;
const officeOf = (line: number): string => `+1 42555502${String(line).padStart(2, '0')}x${line}`;
const heldMobileOf = (line: number): string => `+1 20655501${String(line).padStart(2, '0')}`;
const alternateOf = (line: number): string => `+44 77009001${String(line).padStart(2, '0')}`;
/** A number as an export wrote it, quoted in a finding's message. */
const rawPhoneOf = (line: number, index: number): string => `(360) 555-${String(1000 + line * 40 + index)}`;

const createMobile = (line: number): Operation => ({ kind: 'createPhone', target: 'mobile', status: 'planned', phoneNumber: mobileOf(line), previousPhoneNumber: null });
const updateMobile = (line: number): Operation => ({ kind: 'updatePhone', target: 'mobile', status: 'planned', phoneNumber: mobileOf(line), previousPhoneNumber: heldMobileOf(line) });
const createOffice = (line: number): Operation => ({ kind: 'createPhone', target: 'office', status: 'planned', phoneNumber: officeOf(line), previousPhoneNumber: null });
const setDefault: Operation = { kind: 'setPreferredMethod', target: 'voiceMobile', status: 'planned', previous: null };

const USERS: readonly UserSpec[] = [
  { line: 2, planStatus: 'planned', finalStatus: 'migrated', matched: true, operations: [
    { operation: updateMobile(2), outcome: 'done' }, { operation: createOffice(2), outcome: 'done' }, { operation: setDefault, outcome: 'done' },
  ], codes: ['PHONE_REPLACED', 'PIN_MODE_NOT_MIGRATED'], devices: [
    { name: 'iPhone', status: 'kept', registration: 'present', lastUsedAt: null, line: 3 },
    { name: 'Pixel 8', status: 'kept', registration: 'reregistrationRequired', lastUsedAt: null, line: 4 },
    { name: 'Old Nokia', status: 'dropped', registration: 'unknown', lastUsedAt: null, line: 5 },
  ] },
  { line: 3, planStatus: 'planned', finalStatus: 'partial', matched: true, operations: [
    { operation: updateMobile(3), outcome: 'done' }, { operation: createOffice(3), outcome: 'failed' }, { operation: setDefault, outcome: 'skipped' },
  ], codes: ['PHONE_REPLACED', 'DEVICE_REREGISTRATION_REQUIRED'] },
  { line: 4, planStatus: 'planned', finalStatus: 'failed', matched: true, operations: [{ operation: createMobile(4), outcome: 'failed' }], codes: ['PHONE_REGION_OPT_IN'] },
  { line: 5, planStatus: 'unchanged', finalStatus: 'unchanged', matched: true, operations: [], codes: ['PHONE_MASKED_UNVERIFIED', 'PREFERRED_METHOD_KEPT'] },
  { line: 6, planStatus: 'conflict', finalStatus: 'conflict', matched: true, operations: [
    { operation: { kind: 'phoneConflict', target: 'mobile', status: 'conflict', phoneNumber: mobileOf(6), previousPhoneNumber: heldMobileOf(6) }, outcome: 'conflict' },
  ], codes: ['PHONE_CONFLICT'] },
  { line: 7, planStatus: 'skipped', finalStatus: 'skipped', matched: false, operations: [], codes: ['USER_DISABLED'] },
  { line: 8, planStatus: 'unmatched', finalStatus: 'unmatched', matched: false, operations: [], codes: ['USER_NOT_FOUND'] },
  { line: 9, planStatus: 'rejected', finalStatus: 'rejected', matched: false, operations: [], codes: ['DUPLICATE_USER', 'PHONE_INVALID'] },
  { line: 10, planStatus: 'failed', finalStatus: 'failed', matched: false, operations: [], codes: ['USER_READ_FAILED'] },
  { line: 11, username: FORMULA_USERNAME, planStatus: 'planned', finalStatus: null, matched: true, operations: [
    { operation: createMobile(11), outcome: 'sent' }, { operation: createOffice(11), outcome: 'planned' },
  ], codes: [] },
  { line: 12, username: SCRIPT_USERNAME, planStatus: 'planned', finalStatus: 'migrated', matched: true, token: true, operations: [
    { operation: { kind: 'createHardwareToken', target: 'TOTP0012', status: 'planned', deviceId: null }, outcome: 'done' },
    { operation: { kind: 'assignHardwareToken', target: 'TOTP0012', status: 'planned', deviceId: null }, outcome: 'done' },
    { operation: { kind: 'activateHardwareToken', target: 'TOTP0012', status: 'planned', deviceId: null }, outcome: 'done' },
  ], codes: [] },
  { line: 13, planStatus: 'unmatched', finalStatus: 'unmatched', matched: false, operations: [], codes: ['USER_AMBIGUOUS'] },
];

/** Codes no user above was given: spread over the users so every finding code occurs. */
function findingCodes(): Map<number, FindingCode[]> {
  const given = new Set(USERS.flatMap((user) => user.codes));
  const rest = (Object.keys(FINDINGS) as FindingCode[]).filter((code) => !given.has(code));
  const byLine = new Map(USERS.map((user) => [user.line, [...user.codes]]));
  rest.forEach((code, index) => byLine.get(USERS[index % USERS.length]?.line ?? 2)?.push(code));
  return byLine;
}

export const REQUEST_ID_PREFIX = 'b7e3c1d2-5a4f-4e8b-9c6d-';
/** A request-id per operation, GUID-shaped as Graph's are. */
const requestIdOf = (line: number, seq: number): string => `${REQUEST_ID_PREFIX}${String(line * 100 + seq).padStart(12, 'a')}`;

export interface ReportJournal {
  readonly journal: Journal;
  readonly statePath: string;
  readonly planRunId: string;
  readonly applyRunId: string;
  /** A verify run of the apply run, as src/migrate/verify.ts records one (users, no operations). */
  readonly verifyRunId: string;
  /**
   * A rollback run of the apply run, as src/migrate/rollback.ts records one: line 2 restored but
   * its default method kept (Entra cannot unset one), line 3's undo failed, line 12's token
   * unassigned and deleted. The other users have no undo step.
   */
  readonly rollbackRunId: string;
  /** Request-id of line 3's failed undo step. */
  readonly failedUndoRequestId: string;
  /** Every phone number the journal holds, as Graph writes them and as exports wrote them. */
  readonly phoneNumbers: readonly string[];
  /** Request-ids of the failed operations. */
  readonly failedRequestIds: readonly string[];
  /** The seed fingerprint the journal keeps for the hardware token. */
  readonly seedFingerprint: string;
}

export function buildReportJournal(dir: string): ReportJournal {
  const statePath = join(dir, 'mfa-migrate.db');
  const clock = manualClock();
  const journal = openJournal(statePath, { clock });
  const codes = findingCodes();
  const phoneNumbers: string[] = [];
  const token = aDesiredToken({ serialNumber: 'TOTP0012', line: 12 });

  const records: UserRecord[] = USERS.map((spec) => {
    const username = spec.username ?? `user${spec.line}@contoso.com`;
    const issues: Finding[] = (codes.get(spec.line) ?? []).map((code, index) => {
      const raw = rawPhoneOf(spec.line, index);
      phoneNumbers.push(raw);
      return finding(code, 'users.csv', spec.line, `users.csv line ${spec.line}: ${code} for ${username}, phone "${raw}" — see the catalogue.`);
    });
    const desired = aRecordedDesiredState({
      line: spec.line,
      username,
      displayName: spec.line === 8 ? EXPORT_DISPLAY_NAME : `Export Name ${String(spec.line)}`,
      upn: spec.username === undefined ? username : `user${spec.line}@contoso.com`,
      phones: { mobile: mobileOf(spec.line), alternateMobile: alternateOf(spec.line), office: officeOf(spec.line) },
      devices: spec.devices ?? [],
      hardwareTokens: spec.token === true ? [token] : [],
      issues: [],
    });
    phoneNumbers.push(mobileOf(spec.line), alternateOf(spec.line), officeOf(spec.line));
    let before: EntraState | null = null;
    if (spec.matched) {
      before = aRecordedEntraState({
        user: { id: `a1b2c3d4-0000-4000-8000-${String(spec.line).padStart(12, '0')}`, userPrincipalName: desired.upn ?? username, displayName: spec.line === 2 ? ENTRA_DISPLAY_NAME : null, accountEnabled: true, matchedBy: 'userPrincipalName' },
        phones: [{ id: '3179e48a-750b-4051-897c-87b9720928f7', phoneType: 'mobile', phoneNumber: heldMobileOf(spec.line), smsSignInState: 'notSupported' }],
      });
      phoneNumbers.push(heldMobileOf(spec.line));
    }
    const plan = before === null
      ? { status: spec.planStatus }
      : { status: spec.planStatus, operations: spec.operations.map((entry) => entry.operation), defaultMethod: null, devices: spec.devices ?? [], issues: [] };
    return { desired, before, plan, issues };
  });

  const planRun = journal.createRun(aPlanRun());
  journal.recordUsers(planRun.id, records);
  journal.finishRun(planRun.id, 'finished', { fileIssues: 2 });
  clock.advance(60_000);
  const applyRun = journal.createRun(aPlanRun({ command: 'apply', parentRunId: planRun.id }));
  journal.copyPlan(planRun.id, applyRun.id);

  const users = [...journal.iterateUsers(applyRun.id)];
  const failedRequestIds: string[] = [];
  for (const user of users) {
    const spec = USERS.find((candidate) => candidate.line === user.line);
    if (spec === undefined) throw new Error(`no spec for line ${user.line}`);
    user.operations.forEach((operation, index) => {
      const outcome = spec.operations[index]?.outcome ?? 'planned';
      const requestId = requestIdOf(user.line, operation.seq);
      if (outcome === 'done' || outcome === 'failed' || outcome === 'sent') journal.markSent([operation.id]);
      if (outcome === 'done') journal.markDone(operation.id, requestId);
      if (outcome === 'failed') {
        const number = 'phoneNumber' in operation ? operation.phoneNumber : operation.target;
        journal.markFailed(operation.id, 'invalidPhoneNumber', `The phone number ${number} is not valid for ${operation.target}.`, requestId);
        failedRequestIds.push(requestId);
      }
      if (outcome === 'skipped') journal.markSkipped([operation.id], 'an earlier write for this user failed');
    });
  }
  journal.setFinalStatus(users.flatMap((user) => {
    const status = USERS.find((spec) => spec.line === user.line)?.finalStatus ?? null;
    return status === null ? [] : [{ userId: user.id, status }];
  }));
  journal.finishRun(applyRun.id, 'interrupted', null);

  clock.advance(60_000);
  const verifyRun = journal.createRun(aPlanRun({ command: 'verify', parentRunId: applyRun.id }));
  journal.recordVerifiedUsers(applyRun.id, verifyRun.id, [
    { line: 2, status: 'migrated', addedIssues: [] },
    { line: 3, status: 'partial', addedIssues: [finding('METHOD_MISSING', 'users.csv', 3, 'users.csv line 3: user3@contoso.com: the office phone +1 4255550203x3 is not in Entra and was not written.')] },
  ]);
  journal.finishRun(verifyRun.id, 'finished', null);

  clock.advance(60_000);
  const rollbackRun = journal.createRun(aPlanRun({ command: 'rollback', parentRunId: applyRun.id }));
  const applied = new Map(users.map((user) => [user.line, user.operations]));
  const doneOf = (line: number, kind: Operation['kind']): number => {
    const found = applied.get(line)?.find((operation) => operation.kind === kind);
    if (found === undefined) throw new Error(`line ${String(line)} has no ${kind} to undo`);
    return found.id;
  };
  const kept = 'the user had no default method before the run and Entra cannot unset one; voiceMobile stays the default';
  journal.recordRevertOperations(applyRun.id, rollbackRun.id, [
    { line: 2, operations: [
      { operation: { kind: 'setPreferredMethod', target: 'voiceMobile', status: 'planned', previous: 'voiceMobile' }, revertsOperationId: doneOf(2, 'setPreferredMethod'), keptBecause: kept },
      { operation: { kind: 'updatePhone', target: 'mobile', status: 'planned', phoneNumber: heldMobileOf(2), previousPhoneNumber: mobileOf(2) }, revertsOperationId: doneOf(2, 'updatePhone'), keptBecause: null },
      { operation: { kind: 'deletePhone', target: 'office', status: 'planned', phoneNumber: officeOf(2), previousPhoneNumber: null }, revertsOperationId: doneOf(2, 'createPhone'), keptBecause: null },
    ] },
    { line: 3, operations: [
      { operation: { kind: 'updatePhone', target: 'mobile', status: 'planned', phoneNumber: heldMobileOf(3), previousPhoneNumber: mobileOf(3) }, revertsOperationId: doneOf(3, 'updatePhone'), keptBecause: null },
    ] },
    { line: 12, operations: [
      { operation: { kind: 'unassignHardwareToken', target: 'TOTP0012', status: 'planned', deviceId: null }, revertsOperationId: doneOf(12, 'assignHardwareToken'), keptBecause: null },
      { operation: { kind: 'deleteHardwareToken', target: 'TOTP0012', status: 'planned', deviceId: null }, revertsOperationId: doneOf(12, 'createHardwareToken'), keptBecause: null },
    ] },
  ]);
  const failedUndoRequestId = `${REQUEST_ID_PREFIX}${'f'.repeat(12)}`;
  for (const user of [...journal.iterateUsers(rollbackRun.id)]) {
    for (const operation of user.operations) {
      if (operation.status !== 'planned') continue;
      journal.markSent([operation.id]);
      if (user.line === 3) journal.markFailed(operation.id, 'invalidPhoneNumber', `The phone number ${heldMobileOf(3)} is not valid for mobile.`, failedUndoRequestId);
      else journal.markDone(operation.id, requestIdOf(user.line, 50 + operation.seq));
    }
  }
  journal.finishRun(rollbackRun.id, 'finished', null);
  return {
    journal,
    statePath,
    planRunId: planRun.id,
    applyRunId: applyRun.id,
    verifyRunId: verifyRun.id,
    rollbackRunId: rollbackRun.id,
    failedUndoRequestId,
    phoneNumbers,
    failedRequestIds,
    seedFingerprint: journal.seedFingerprint(token.secretKey),
  };
}
