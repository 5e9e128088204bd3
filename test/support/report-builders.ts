/** Builders of what the journal gives back: a stored user with its operations. */
import type { StoredDesiredState, StoredHardwareToken, StoredOperation, StoredUser } from '../../src/run-records.js';
import type { DesiredHardwareToken, DesiredState } from '../../src/mapping/desired-state.js';
import type { Operation } from '../../src/plan/operations.js';
import { storedDesired as journalStoredDesired, storedHardwareToken } from '../../src/journal/rows.js';
import { aRecordedDesiredState, aRecordedEntraState } from './journal-builders.js';

const SEED_FINGERPRINT = 'f'.repeat(64);

/** A hardware token as the journal stores it: the seed replaced by a fingerprint. */
export function storedToken(token: DesiredHardwareToken, seedFingerprint = SEED_FINGERPRINT): StoredHardwareToken {
  return storedHardwareToken(token, seedFingerprint);
}

/** A desired state as the journal stores it: without issues (kept on the user) and seeds. */
export function storedDesired(desired: DesiredState): StoredDesiredState {
  return journalStoredDesired(desired, () => SEED_FINGERPRINT);
}

let nextOperationId = 1;

/** An operation as the journal stores it, with its execution state. */
export function stored(operation: Operation, progress: Partial<Omit<StoredOperation, keyof Operation>> = {}): StoredOperation {
  return {
    ...operation,
    id: nextOperationId++,
    runId: '20261128-153012-ab12',
    userId: 1,
    seq: 1,
    attempts: 0,
    requestId: null,
    graphCode: null,
    errorMessage: null,
    result: null,
    revertsOperationId: null,
    sentAt: null,
    doneAt: null,
    appId: null,
    ...progress,
  };
}

/** A matched, planned user on users.csv line 2 holding a mobile in Entra. */
export function aStoredUser(overrides: Partial<StoredUser> = {}): StoredUser {
  const before = aRecordedEntraState();
  return {
    id: 1,
    runId: '20261128-153012-ab12',
    line: 2,
    username: 'user2@contoso.com',
    upn: 'user2@contoso.com',
    entraUserId: before.user.id,
    matchedBy: 'userPrincipalName',
    mappingStatus: 'ready',
    planStatus: 'planned',
    finalStatus: null,
    desired: storedDesired(aRecordedDesiredState({ line: 2 })),
    plan: { defaultMethod: 'voiceMobile', devices: [{ name: 'iPhone', status: 'kept', registration: 'present', lastUsedAt: null, line: 7 }] },
    before,
    issues: [],
    operations: [],
    updatedAt: new Date('2026-11-28T15:30:12.000Z'),
    ...overrides,
  };
}
