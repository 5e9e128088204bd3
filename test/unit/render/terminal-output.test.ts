/**
 * What the terminal shows: verify's list of incomplete users (the first 20, each with what is
 * missing, then the report), phone numbers masked unless --unmask, and writes in plain words.
 */
import { describe, expect, it } from 'vitest';
import { describeOperation } from '../../../src/cli/render/plan-output.js';
import { VERIFY_USERS_SHOWN, verifyText } from '../../../src/cli/render/verify-output.js';
import { finding } from '../../../src/findings.js';
import type { RunRecord } from '../../../src/run-records.js';
import type { VerifyResult } from '../../../src/migrate/verify.js';
import { phoneView } from '../../../src/report/phone-mask.js';
import { aPlanRun } from '../../support/journal-builders.js';
import { aStoredUser } from '../../support/report-builders.js';

const run = (command: RunRecord['command'], id: string): RunRecord => ({
  ...aPlanRun({ command }), id, status: 'finished', startedAt: new Date(0), finishedAt: new Date(0), summary: null,
});

function verifyResult(users: number): VerifyResult {
  return { run: run('verify', '20261206-120000-aaaa'), verifiedRun: run('apply', '20261206-110000-bbbb'), usersByStatus: { failed: users }, drifted: 0, checked: users };
}

/** A user on `line` whose mobile verify found missing. */
function missing(line: number) {
  const who = `user${String(line)}@contoso.com`;
  return aStoredUser({
    line, username: who, upn: who, finalStatus: 'failed',
    issues: [finding('METHOD_MISSING', 'users.csv', line, `users.csv line ${String(line)}: ${who}: the mobile phone +1 4255550100 is not in Entra (its write ended failed) — see the apply report.`)],
  });
}

describe('verify on the terminal', () => {
  it('lists each incomplete user with status and what is missing, masked, then names the report', () => {
    const text = verifyText(verifyResult(1), [missing(3), aStoredUser({ line: 4, finalStatus: 'migrated' })], { view: phoneView(false), reportPath: '/r/report.html' });
    expect(text).toContain('  line 3  user3@contoso.com (User Two)  failed\n      METHOD_MISSING the mobile phone +1 ••••••0100 is not in Entra');
    expect(text).not.toContain('line 4');
    expect(text).not.toContain('4255550100');
    expect(text).toContain('The migration is NOT complete: see the user above, and every user in the report: /r/report.html');
    expect(verifyText(verifyResult(1), [missing(3)], { view: phoneView(true), reportPath: '/r/report.html' })).toContain('+1 4255550100');
  });

  it(`shows the first ${String(VERIFY_USERS_SHOWN)} and counts the rest`, () => {
    const users = Array.from({ length: VERIFY_USERS_SHOWN + 5 }, (_, index) => missing(index + 2));
    const text = verifyText(verifyResult(users.length), users, { view: phoneView(false), reportPath: '/r/report.html' });
    expect(text.match(/^ {2}line \d+/gm)).toHaveLength(VERIFY_USERS_SHOWN);
    expect(text).toContain(`the first ${String(VERIFY_USERS_SHOWN)} of ${String(users.length)}`);
    expect(text).toContain('… 5 more in the report.');
  });

  it('says the migration is complete, and lists nobody, when nothing is missing', () => {
    const text = verifyText({ ...verifyResult(0), usersByStatus: { migrated: 1 } }, [aStoredUser({ finalStatus: 'migrated' })], { view: phoneView(false), reportPath: '/r' });
    expect(text).not.toContain('line 2');
    expect(text).toContain('The migration is complete');
  });
});

describe('writes on the terminal', () => {
  it('in plain words with Graph\'s name beside them, numbers masked unless unmasked', () => {
    const replace = { kind: 'updatePhone', target: 'alternateMobile', status: 'planned', phoneNumber: '+44 7700900123', previousPhoneNumber: '+44 7700900999' } as const;
    expect(describeOperation(replace, phoneView(false))).toBe('change alternate mobile +44 ••••••0999 → +44 ••••••0123 (updatePhone)');
    expect(describeOperation(replace, phoneView(true))).toBe('change alternate mobile +44 7700900999 → +44 7700900123 (updatePhone)');
    expect(describeOperation({ kind: 'setPreferredMethod', target: 'sms', status: 'planned', previous: 'voiceMobile' }, phoneView(false)))
      .toBe('set default sign-in method to text message (sms), was phone call to mobile (voiceMobile) (setPreferredMethod)');
    expect(describeOperation({ kind: 'unassignHardwareToken', target: 'TOTP0001', status: 'planned', deviceId: null }, phoneView(false)))
      .toBe('unassign hardware token TOTP0001 (unassignHardwareToken)');
  });
});
