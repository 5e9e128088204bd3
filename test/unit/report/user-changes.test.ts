import { describe, expect, it } from 'vitest';
import { finding } from '../../../src/findings.js';
import { reportUser } from '../../../src/report/report-user.js';
import { afterBasisOf, userChanges } from '../../../src/report/user-changes.js';
import { aDesiredToken } from '../../support/desired-builders.js';
import { aRecordedEntraState } from '../../support/journal-builders.js';
import { aStoredUser, stored, storedToken } from '../../support/report-builders.js';

const updateMobile = { kind: 'updatePhone', target: 'mobile', status: 'planned', phoneNumber: '+1 4255550100', previousPhoneNumber: '+1 4255550111' } as const;
const createOffice = { kind: 'createPhone', target: 'office', status: 'planned', phoneNumber: '+1 4255550199x123', previousPhoneNumber: null } as const;
const setDefault = { kind: 'setPreferredMethod', target: 'voiceMobile', status: 'planned', previous: null } as const;

describe('after-state', () => {
  it('a plan run reports planned after, every other run what it wrote', () => {
    expect(afterBasisOf('plan')).toBe('planned');
    expect(afterBasisOf('apply')).toBe('applied');
    expect(afterBasisOf('verify')).toBe('applied');
    expect(afterBasisOf('rollback')).toBe('applied');
  });

  it('planned: before with every planned write laid over it', () => {
    const changes = userChanges(aStoredUser({ operations: [stored(updateMobile), stored(createOffice), stored(setDefault)] }), 'planned');
    expect(changes.phones).toEqual({
      mobile: { before: '+1 4255550111', after: '+1 4255550100' },
      alternateMobile: { before: null, after: null },
      office: { before: null, after: '+1 4255550199x123' },
    });
    expect(changes.preferredMethod).toEqual({ before: null, after: 'voiceMobile' });
  });

  it('applied: only writes that are done change the after; failed, skipped, sent and planned ones leave Entra as it was', () => {
    const user = aStoredUser({
      operations: [
        stored({ ...updateMobile, status: 'done' }, { requestId: 'r-1' }),
        stored({ ...createOffice, status: 'failed' }, { requestId: 'r-2', graphCode: 'invalidPhoneNumber' }),
        stored({ ...setDefault, status: 'sent' }),
        stored({ kind: 'createPhone', target: 'alternateMobile', status: 'skipped', phoneNumber: '+1 4255550177', previousPhoneNumber: null }),
      ],
    });
    const changes = userChanges(user, 'applied');
    expect(changes.phones.mobile).toEqual({ before: '+1 4255550111', after: '+1 4255550100' });
    expect(changes.phones.office).toEqual({ before: null, after: null });
    expect(changes.phones.alternateMobile).toEqual({ before: null, after: null });
    expect(changes.preferredMethod).toEqual({ before: null, after: null });
  });

  it('a kept conflict never changes the after', () => {
    const conflict = stored({ kind: 'phoneConflict', target: 'mobile', status: 'conflict', phoneNumber: '+1 4255550100', previousPhoneNumber: '+1 4255550111' });
    expect(userChanges(aStoredUser({ operations: [conflict] }), 'planned').phones.mobile).toEqual({ before: '+1 4255550111', after: '+1 4255550111' });
  });

  it('the preferred method before is what Entra\'s sign-in preferences held', () => {
    const before = aRecordedEntraState({ signInPreferences: { userPreferredMethodForSecondaryAuthentication: 'push', isSystemPreferredAuthenticationMethodEnabled: true } });
    expect(userChanges(aStoredUser({ before }), 'applied').preferredMethod).toEqual({ before: 'push', after: 'push' });
  });

  it('a user Entra was not read for has nothing before and nothing after', () => {
    const changes = userChanges(aStoredUser({ before: null, entraUserId: null, planStatus: 'unmatched' }), 'planned');
    expect(changes.phones.mobile).toEqual({ before: null, after: null });
    expect(changes.preferredMethod).toEqual({ before: null, after: null });
  });

  it('rollback: each undo\'s own record of what it found is the before; undone writes are gone after', () => {
    const user = aStoredUser({
      // A rollback run carries the apply's users: this before-state is Entra before the apply.
      before: aRecordedEntraState({ phones: [{ id: 'm', phoneType: 'mobile', phoneNumber: '+1 4255550111', smsSignInState: null }] }),
      operations: [
        stored({ kind: 'setPreferredMethod', target: 'voiceMobile', status: 'skipped', previous: 'voiceMobile' }, { revertsOperationId: 3, errorMessage: 'Entra cannot unset one' }),
        stored({ kind: 'unassignHardwareToken', target: 'TOTP0001', status: 'done', deviceId: 'd-1' }, { revertsOperationId: 4 }),
        stored({ kind: 'deletePhone', target: 'office', status: 'done', phoneNumber: '+1 4255550199x123', previousPhoneNumber: null }, { revertsOperationId: 2 }),
        stored({ kind: 'updatePhone', target: 'mobile', status: 'done', phoneNumber: '+1 4255550111', previousPhoneNumber: '+1 4255550100' }, { revertsOperationId: 1 }),
      ],
    });
    const changes = userChanges(user, afterBasisOf('rollback'));
    expect(changes.phones.mobile).toEqual({ before: '+1 4255550100', after: '+1 4255550111' });
    expect(changes.phones.office).toEqual({ before: '+1 4255550199x123', after: null });
    expect(changes.preferredMethod).toEqual({ before: 'voiceMobile', after: 'voiceMobile' });
  });

  it('hardware tokens: the furthest step done is the after status; tokens only Entra held stay as they were', () => {
    const user = aStoredUser({
      desired: { ...aStoredUser().desired, hardwareTokens: [storedToken(aDesiredToken({ serialNumber: 'TOTP0001' }))] },
      before: aRecordedEntraState({ hardwareOath: [{ id: 'h-9', serialNumber: 'OLD0009', status: 'activated' }] }),
      operations: [
        stored({ kind: 'activateHardwareToken', target: 'TOTP0001', status: 'done', deviceId: null }),
        stored({ kind: 'assignHardwareToken', target: 'TOTP0001', status: 'done', deviceId: null }),
      ],
    });
    expect(userChanges(user, 'applied').hardwareTokens).toEqual([
      { serialNumber: 'TOTP0001', before: null, after: 'activated' },
      { serialNumber: 'OLD0009', before: 'activated', after: 'activated' },
    ]);
  });
});

describe('reportUser', () => {
  it('the status is the final status when apply set one, else the plan\'s, and says which', () => {
    expect(reportUser(aStoredUser(), { command: 'plan', unmask: false })).toMatchObject({ status: 'planned', statusSource: 'plan' });
    expect(reportUser(aStoredUser({ finalStatus: 'partial' }), { command: 'apply', unmask: false })).toMatchObject({
      status: 'partial', statusSource: 'final', planStatus: 'planned', finalStatus: 'partial',
    });
  });

  it('masks every phone number, in values and in messages, unless unmask', () => {
    const user = aStoredUser({
      operations: [stored({ ...updateMobile, status: 'failed' }, { requestId: 'req-1', graphCode: 'badRequest', errorMessage: 'phone +1 4255550100 is invalid' })],
      issues: [finding('PHONE_INVALID', 'users.csv', 2, 'users.csv line 2: backup phone "(206) 555-0102" is not valid')],
    });
    const masked = JSON.stringify(reportUser(user, { command: 'apply', unmask: false }));
    for (const digits of ['4255550100', '4255550111', '555-0102']) expect(masked).not.toContain(digits);
    expect(masked).toContain('+1 ••••••0111');
    const unmasked = JSON.stringify(reportUser(user, { command: 'apply', unmask: true }));
    for (const digits of ['4255550100', '4255550111', '(206) 555-0102']) expect(unmasked).toContain(digits);
  });

  it('writes that did not end as planned become issues with their request-id; planned writes only after a run that writes', () => {
    const user = aStoredUser({
      operations: [
        stored({ ...updateMobile, status: 'failed' }, { requestId: 'req-1', graphCode: 'invalidPhoneNumber', errorMessage: 'Invalid phone number' }),
        stored({ ...createOffice, status: 'skipped' }, { errorMessage: 'an earlier write failed' }),
        stored({ ...setDefault, status: 'sent' }),
        stored({ kind: 'createPhone', target: 'alternateMobile', status: 'planned', phoneNumber: '+1 4255550177', previousPhoneNumber: null }),
      ],
    });
    const applied = reportUser(user, { command: 'apply', unmask: false });
    expect(applied.issues.map((issue) => [issue.code, issue.severity, issue.requestId])).toEqual([
      ['OPERATION_FAILED', 'error', 'req-1'],
      ['OPERATION_SKIPPED', 'warning', null],
      ['OPERATION_UNCONFIRMED', 'warning', null],
      ['OPERATION_PENDING', 'warning', null],
    ]);
    expect(applied.issues[0]?.message).toBe('change phone number mobile (updatePhone mobile) for user2@contoso.com failed (Graph code invalidPhoneNumber; Invalid phone number; request-id req-1).');
    expect(applied.failedRequestIds).toEqual(['req-1']);
    expect(applied.actionNeeded).toBe(true);
    expect(reportUser(aStoredUser({ operations: [stored(updateMobile)] }), { command: 'plan', unmask: false }).issues).toEqual([]);
  });

  it('sorts devices into kept, to re-register, dropped and not compared', () => {
    const devices = [
      { name: 'iPhone', status: 'kept', registration: 'present', lastUsedAt: null, line: 3 },
      { name: 'Pixel', status: 'kept', registration: 'reregistrationRequired', lastUsedAt: null, line: 4 },
      { name: 'Old phone', status: 'dropped', registration: 'unknown', lastUsedAt: null, line: 5 },
    ] as const;
    expect(reportUser(aStoredUser({ plan: { defaultMethod: null, devices } }), { command: 'plan', unmask: false }).devices).toEqual({
      kept: ['iPhone'], reregistrationRequired: ['Pixel'], dropped: ['Old phone'], notChecked: [],
    });
    // Not matched: no plan decisions, mapping's devices were never compared with Entra.
    const unmatched = aStoredUser({ plan: null, before: null, planStatus: 'unmatched' });
    expect(reportUser(unmatched, { command: 'plan', unmask: false }).devices.notChecked).toEqual(['iPhone']);
  });

  it('never carries a seed fingerprint', () => {
    const fingerprint = 'ab'.repeat(32);
    const user = aStoredUser({ desired: { ...aStoredUser().desired, hardwareTokens: [storedToken(aDesiredToken(), fingerprint)] } });
    expect(JSON.stringify(reportUser(user, { command: 'plan', unmask: true }))).not.toContain(fingerprint);
  });
});
