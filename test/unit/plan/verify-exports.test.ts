import { describe, expect, it } from 'vitest';
import { verifyAgainstExports } from '../../../src/plan/verify-user.js';
import { aStoredUser, stored } from '../../support/report-builders.js';

// The default user wants a mobile (+1 4255550100) and an office phone, and voiceMobile as default.
const createMobile = stored({ kind: 'createPhone', target: 'mobile', status: 'planned', phoneNumber: '+1 4255550100', previousPhoneNumber: null });
const createOffice = stored({ kind: 'createPhone', target: 'office', status: 'planned', phoneNumber: '+1 4255550199x123', previousPhoneNumber: null });
const setDefault = stored({ kind: 'setPreferredMethod', target: 'voiceMobile', status: 'planned', previous: 'sms' });

describe('verifyAgainstExports (verify --users)', () => {
  it('a user with nothing left to write is migrated, without findings', () => {
    expect(verifyAgainstExports(aStoredUser({ planStatus: 'unchanged' }))).toEqual({ status: 'migrated', findings: [], drifted: false });
  });

  it('a user whose every phone is still to write is failed, each missing method named with file and line', () => {
    const verified = verifyAgainstExports(aStoredUser({ operations: [createMobile, createOffice, setDefault] }));
    expect(verified.status).toBe('failed');
    expect(verified.findings.map((found) => [found.code, found.file, found.line])).toEqual([
      ['METHOD_MISSING', 'users.csv', 2],
      ['METHOD_MISSING', 'users.csv', 2],
      ['METHOD_MISSING', 'users.csv', 2],
    ]);
    expect(verified.findings.map((found) => found.message)).toEqual([
      expect.stringContaining('the mobile phone +1 4255550100 is not in Entra'),
      expect.stringContaining('the office phone +1 4255550199x123 is not in Entra'),
      expect.stringContaining('the default method is sms in Entra, not voiceMobile'),
    ]);
  });

  it('a user who already holds part of it is partial', () => {
    expect(verifyAgainstExports(aStoredUser({ operations: [createOffice, setDefault] })).status).toBe('partial');
  });

  it('a conflict, an unmatched, a skipped or a rejected user keeps that status and gets no finding', () => {
    for (const planStatus of ['conflict', 'unmatched', 'skipped', 'rejected'] as const) {
      expect(verifyAgainstExports(aStoredUser({ planStatus, operations: [createMobile] }))).toEqual({ status: planStatus, findings: [], drifted: false });
    }
  });
});
