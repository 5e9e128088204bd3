/**
 * verify (docs/design.md "Verify"): one user of an apply run against what Entra holds now. Pure.
 *
 * What is expected of Entra, per phone type: the number apply wrote (a done create or update),
 * else the export's number when the plan found it already there; nothing when the plan kept a
 * conflict (Entra's own number stays by design). A written method that is no longer as written is
 * drift (METHOD_DRIFTED); an expected method that was never written is missing (METHOD_MISSING).
 *
 * `verify --users` checks every user of the exports without an apply run: a plan made just now
 * against Entra says what is still to write; each write it plans is a missing method.
 */
import { finding, type Finding } from '../findings.js';
import type { StoredUser } from '../run-records.js';
import type { FinalUserStatus } from '../user-status.js';
import type { PhoneType } from '../mapping/desired-state.js';
import type { EntraState } from './entra-state.js';
import { phoneNumbersMatch } from './phone-numbers.js';

const PHONE_TYPES: readonly PhoneType[] = ['mobile', 'alternateMobile', 'office'];

export interface VerifiedUser {
  readonly status: FinalUserStatus;
  readonly findings: readonly Finding[];
  /** True when something apply wrote changed afterwards. */
  readonly drifted: boolean;
}

export function verifyUser(user: StoredUser, current: EntraState): VerifiedUser {
  const base: FinalUserStatus = user.finalStatus ?? (user.planStatus === 'planned' ? 'failed' : user.planStatus);
  const { file, line } = user.desired;
  const who = `${file} line ${String(line)}: ${user.upn ?? user.username}`;
  const findings: Finding[] = [];
  let drifted = false;
  let missing = false;

  for (const phoneType of PHONE_TYPES) {
    const operations = user.operations.filter((operation) => (operation.kind === 'createPhone' || operation.kind === 'updatePhone' || operation.kind === 'phoneConflict') && operation.target === phoneType);
    if (operations.some((operation) => operation.kind === 'phoneConflict')) continue;
    const written = operations.find((operation) => operation.status === 'done');
    const expected = written !== undefined && 'phoneNumber' in written ? written.phoneNumber : operations.length === 0 ? user.desired.phones[phoneType] : null;
    const unsent = operations.find((operation) => operation.status !== 'done');
    if (expected === null) {
      if (unsent !== undefined && 'phoneNumber' in unsent) {
        missing = true;
        findings.push(finding('METHOD_MISSING', file, line, `${who}: the ${phoneType} phone ${unsent.phoneNumber} is not in Entra (its write ended ${unsent.status}) — see the apply report for Graph's code, then run apply again.`));
      }
      continue;
    }
    const now = current.phones.find((phone) => phone.phoneType === phoneType);
    if (now !== undefined && phoneNumbersMatch(expected, now.phoneNumber) !== 'different') continue;
    const what = now === undefined ? 'is no longer in Entra' : `is now ${now.phoneNumber}`;
    drifted = true;
    findings.push(finding('METHOD_DRIFTED', file, line, `${who}: the ${phoneType} phone ${expected} ${written === undefined ? 'that was already in Entra' : 'written by apply'} ${what} — if that was not intended, run apply again to write it back.`));
  }

  const preferred = user.operations.find((operation) => operation.kind === 'setPreferredMethod' && operation.status === 'done');
  const nowPreferred = current.signInPreferences?.userPreferredMethodForSecondaryAuthentication ?? null;
  if (preferred !== undefined && current.signInPreferences !== null && nowPreferred !== preferred.target) {
    drifted = true;
    findings.push(finding('METHOD_DRIFTED', file, line, `${who}: the default method ${preferred.target} set by apply is now ${nowPreferred ?? 'unset'} — if that was not intended, run apply again.`));
  }

  for (const operation of user.operations) {
    if (operation.kind !== 'assignHardwareToken' || operation.status !== 'done') continue;
    const serial = operation.target.trim().toLowerCase();
    if (current.hardwareOath.some((method) => method.serialNumber?.trim().toLowerCase() === serial)) continue;
    drifted = true;
    findings.push(finding('METHOD_DRIFTED', file, line, `${who}: hardware token ${operation.target} assigned by apply is no longer assigned to the user — if that was not intended, run apply again.`));
  }

  let status = base;
  if ((drifted || missing) && (base === 'migrated' || base === 'unchanged' || base === 'conflict')) status = 'partial';
  return { status, findings, drifted };
}

/** What a planned write would put in place, for a METHOD_MISSING message; null for kinds that are not a method. */
function missingMethod(operation: StoredUser['operations'][number]): string | null {
  switch (operation.kind) {
    case 'createPhone':
      return `the ${operation.target} phone ${operation.phoneNumber} is not in Entra`;
    case 'updatePhone':
      return `the ${operation.target} phone is ${operation.previousPhoneNumber ?? 'another number'} in Entra, not ${operation.phoneNumber}`;
    case 'setPreferredMethod':
      return `the default method is ${operation.previous ?? 'unset'} in Entra, not ${operation.target}`;
    case 'createHardwareToken':
    case 'assignHardwareToken':
      return `hardware token ${operation.target} is not assigned to the user`;
    case 'activateHardwareToken':
      return `hardware token ${operation.target} is not activated`;
    case 'deletePhone':
    case 'unassignHardwareToken':
    case 'deactivateHardwareToken':
    case 'deleteHardwareToken':
    case 'phoneConflict':
    case 'hardwareTokenConflict':
      return null;
  }
}

/**
 * One user of a plan made just now for `verify --users`: nothing left to write is `migrated`;
 * writes left make `failed` — or `partial` when Entra already holds part of what the export asks —
 * with a METHOD_MISSING per write. A conflict, skip, unmatched or rejected user keeps that status.
 */
export function verifyAgainstExports(user: StoredUser): VerifiedUser {
  const { file, line } = user.desired;
  const who = `${file} line ${String(line)}: ${user.upn ?? user.username}`;
  if (user.planStatus === 'unchanged') return { status: 'migrated', findings: [], drifted: false };
  if (user.planStatus !== 'planned') return { status: user.planStatus, findings: [], drifted: false };
  const findings: Finding[] = [];
  for (const operation of user.operations) {
    const missing = missingMethod(operation);
    if (missing !== null) findings.push(finding('METHOD_MISSING', file, line, `${who}: ${missing} — run apply to write it (plan shows the change first).`));
  }
  const writtenPhoneTypes = new Set(user.operations.flatMap((operation) => (operation.kind === 'createPhone' || operation.kind === 'updatePhone' ? [operation.target] : [])));
  const heldAlready = PHONE_TYPES.some((phoneType) => user.desired.phones[phoneType] !== null && !writtenPhoneTypes.has(phoneType));
  return { status: findings.length === 0 ? 'migrated' : heldAlready ? 'partial' : 'failed', findings, drifted: false };
}
