/**
 * verify (DESIGN §5): one user of an apply run against what Entra holds now. Pure.
 *
 * What is expected of Entra, per phone type: the number apply wrote (a done create or update),
 * else the export's number when the plan found it already there; nothing when the plan kept a
 * conflict (Entra's own number stays by design). A written method that is no longer as written is
 * drift (METHOD_DRIFTED); an expected method that was never written is missing (METHOD_MISSING).
 */
import { finding, type Finding } from '../findings.js';
import type { FinalUserStatus, StoredUser } from '../journal/records.js';
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
