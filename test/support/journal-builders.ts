/** Builders of what the journal records: a run, and a user as plan records it. */
import { finding } from '../../src/findings.js';
import type { DesiredState } from '../../src/mapping/desired-state.js';
import type { EntraState } from '../../src/plan/entra-state.js';
import type { Operation, UserPlan } from '../../src/plan/operations.js';
import type { NewRun, UserRecord } from '../../src/run-records.js';
import { aDesiredState } from './desired-builders.js';
import { anEntraState } from './entra-builders.js';

/** The user on users.csv `line` the journal tests record: two phones, a device, a sam account. */
export function aRecordedDesiredState(overrides: Partial<DesiredState> = {}): DesiredState {
  const line = overrides.line ?? 2;
  return aDesiredState({
    username: `user${line}@contoso.com`,
    upn: `user${line}@contoso.com`,
    file: 'users.csv',
    line,
    status: 'ready',
    phones: { mobile: '+1 4255550100', alternateMobile: null, office: '+1 4255550199x123' },
    requestedDefaultMethod: 'voiceMobile',
    defaultMethod: 'voiceMobile',
    devices: [{ name: 'iPhone', status: 'kept', registration: 'unknown', lastUsedAt: new Date('2026-01-02T03:04:05.000Z'), line: 7 }],
    hardwareTokens: [],
    matchKeys: { samAccountName: `user${line}`, email: null, sid: null, objectGuid: null },
    ...overrides,
  });
}

/** What Entra held for that user: a mobile and an Authenticator, no default method. */
export function aRecordedEntraState(overrides: Partial<EntraState> = {}): EntraState {
  return anEntraState({
    user: { id: 'a1b2c3d4-0000-0000-0000-000000000001', userPrincipalName: 'user2@contoso.com', displayName: 'User Two', accountEnabled: true, matchedBy: 'userPrincipalName' },
    phones: [{ id: 'b6332ec1-7057-4abe-9331-3d72feddfe41', phoneType: 'mobile', phoneNumber: '+1 4255550111', smsSignInState: 'notSupported' }],
    authenticators: [{ id: 'auth-1', displayName: 'iPhone', deviceTag: 'SoftwareTokenActivated', phoneAppVersion: '6.8.1', createdDateTime: '2024-01-01T00:00:00Z' }],
    softwareOath: [],
    hardwareOath: [],
    ...overrides,
  });
}

export const updateMobile: Operation = {
  kind: 'updatePhone', target: 'mobile', status: 'planned', phoneNumber: '+1 4255550100', previousPhoneNumber: '+1 4255550111',
};
export const createOffice: Operation = {
  kind: 'createPhone', target: 'office', status: 'planned', phoneNumber: '+1 4255550199x123', previousPhoneNumber: null,
};
export const setDefault: Operation = { kind: 'setPreferredMethod', target: 'voiceMobile', status: 'planned', previous: null };

export function aUserPlan(overrides: Partial<UserPlan> = {}): UserPlan {
  return {
    status: 'planned',
    operations: [updateMobile, createOffice],
    defaultMethod: 'voiceMobile',
    devices: [{ name: 'iPhone', status: 'kept', registration: 'present', lastUsedAt: null, line: 7 }],
    issues: [],
    ...overrides,
  };
}

/** A planned user on users.csv `line` with two operations and one warning. */
export function aUserRecord(line = 2, overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    desired: aRecordedDesiredState({ line }),
    before: aRecordedEntraState(),
    plan: aUserPlan(),
    issues: [finding('PIN_MODE_NOT_MIGRATED', 'users.csv', line, `users.csv line ${line}: phone call PIN mode is not migrated`)],
    ...overrides,
  };
}

export function aPlanRun(overrides: Partial<NewRun> = {}): NewRun {
  return {
    command: 'plan',
    parentRunId: null,
    tenantId: '00000000-0000-0000-0000-0000000000aa',
    graphUrl: 'http://127.0.0.1:8080',
    options: { phoneConflict: 'keep', defaultMethod: 'if-unset' },
    inputs: [{ role: 'users', path: 'users.csv', size: 10, mtime: '2026-11-28T15:00:00.000Z', sha256: 'ab'.repeat(32) }],
    ...overrides,
  };
}
