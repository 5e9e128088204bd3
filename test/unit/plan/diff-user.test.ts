import { describe, expect, it } from 'vitest';
import { FINDINGS } from '../../../src/findings.js';
import { diffUser } from '../../../src/plan/diff-user.js';
import { aDesiredDevice, aDesiredState, aDesiredToken } from '../../support/desired-builders.js';
import { aDiffContext, anAuthenticator, anAvailability, anEntraState, anInventory, aPhone, OTHER_USER_ID, USER_ID, withPreference } from '../../support/entra-builders.js';
import { codesOf, issueOf } from '../../support/finding-lookups.js';

const MOBILE = '+1 4255550100';
const OTHER_MOBILE = '+1 2065550199';
const ALTERNATE = '+1 2065550103';
const OFFICE = '+1 4255550107x300';

describe('statuses from mapping and matching', () => {
  it('R11 a skipped user passes through with no operations and no new findings', () => {
    const plan = diffUser(aDesiredState({ status: 'skipped', phones: { mobile: MOBILE, alternateMobile: null, office: null } }), anEntraState(), aDiffContext());
    expect(plan).toEqual({ status: 'skipped', operations: [], defaultMethod: null, devices: [], issues: [] });
  });

  it('R16 a rejected user passes through with no operations', () => {
    const plan = diffUser(aDesiredState({ status: 'rejected' }), null, aDiffContext());
    expect(plan.status).toBe('rejected');
    expect(plan.operations).toEqual([]);
  });

  it('R14 a ready user without an Entra account is unmatched with USER_NOT_FOUND on the user row', () => {
    const plan = diffUser(aDesiredState({ phones: { mobile: MOBILE, alternateMobile: null, office: null } }), null, aDiffContext());
    expect(plan.status).toBe('unmatched');
    expect(plan.operations).toEqual([]);
    expect(issueOf(plan, 'USER_NOT_FOUND')).toEqual({
      code: 'USER_NOT_FOUND',
      severity: 'error',
      file: 'users.csv',
      line: 7,
      message:
        'users.csv line 7: no Entra user matches alice@contoso.com (UPN first, then --match-attribute) and nothing was migrated for it — check that the user is synchronised to Entra, or choose another --match-attribute.',
    });
  });
});

describe('R3–R5 phones against Entra', () => {
  it('R3 a planned phone Entra lacks is created', () => {
    const plan = diffUser(aDesiredState({ phones: { mobile: MOBILE, alternateMobile: null, office: null } }), anEntraState(), aDiffContext());
    expect(plan.operations[0]).toEqual({ kind: 'createPhone', target: 'mobile', status: 'planned', phoneNumber: MOBILE, previousPhoneNumber: null });
    expect(plan.status).toBe('planned');
  });

  it('R3 a phone Entra already holds, written differently, is unchanged', () => {
    const plan = diffUser(
      aDesiredState({ phones: { mobile: MOBILE, alternateMobile: null, office: OFFICE }, requestedDefaultMethod: 'voiceMobile' }),
      anEntraState({ phones: [aPhone('mobile', '+1 (425) 555-0100'), aPhone('office', '+1 4255550107 ext. 300')], ...withPreference('voiceMobile') }),
      aDiffContext(),
    );
    expect(plan.operations).toEqual([]);
    expect(plan.status).toBe('unchanged');
    expect(plan.issues).toEqual([]);
  });

  it('masked a masked Entra number whose visible digits match is unchanged, with notice PHONE_MASKED_UNVERIFIED', () => {
    const plan = diffUser(
      aDesiredState({ phones: { mobile: MOBILE, alternateMobile: null, office: null } }),
      anEntraState({ phones: [aPhone('mobile', '+1 XXXXXXXX00')], ...withPreference('sms') }),
      aDiffContext(),
    );
    expect(plan.status).toBe('unchanged');
    expect(plan.operations).toEqual([]);
    expect(issueOf(plan, 'PHONE_MASKED_UNVERIFIED')).toMatchObject({ severity: 'notice', file: 'users.csv', line: 7 });
    expect(issueOf(plan, 'PHONE_MASKED_UNVERIFIED').message).toContain('+1 XXXXXXXX00');
  });

  it('R3 a different Entra number with --phone-conflict keep is a phoneConflict, status conflict, PHONE_CONFLICT', () => {
    const plan = diffUser(
      aDesiredState({ phones: { mobile: MOBILE, alternateMobile: null, office: null } }),
      anEntraState({ phones: [aPhone('mobile', OTHER_MOBILE)], ...withPreference('sms') }),
      aDiffContext({ options: { phoneConflict: 'keep' } }),
    );
    expect(plan.operations).toEqual([{ kind: 'phoneConflict', target: 'mobile', status: 'conflict', phoneNumber: MOBILE, previousPhoneNumber: OTHER_MOBILE }]);
    expect(plan.status).toBe('conflict');
    expect(issueOf(plan, 'PHONE_CONFLICT')).toEqual({
      code: 'PHONE_CONFLICT',
      severity: 'warning',
      file: 'users.csv',
      line: 7,
      message:
        'users.csv line 7: Entra already holds +1 2065550199 as the mobile of alice@contoso.com, not +1 4255550100 from MFA Server; Entra\'s number was kept (--phone-conflict keep) — confirm the right number with the user and correct it, or re-run with --phone-conflict overwrite.',
    });
  });

  it('R3 a different Entra number with --phone-conflict overwrite is updated, recording the old number, PHONE_REPLACED', () => {
    const plan = diffUser(
      aDesiredState({ phones: { mobile: MOBILE, alternateMobile: null, office: null } }),
      anEntraState({ phones: [aPhone('mobile', '+1 20655501XX')] }),
      aDiffContext({ options: { phoneConflict: 'overwrite' } }),
    );
    expect(plan.operations[0]).toEqual({ kind: 'updatePhone', target: 'mobile', status: 'planned', phoneNumber: MOBILE, previousPhoneNumber: '+1 20655501XX' });
    expect(issueOf(plan, 'PHONE_REPLACED')).toMatchObject({ severity: 'warning', line: 7 });
    expect(issueOf(plan, 'PHONE_REPLACED').message).toContain('+1 20655501XX');
    expect(issueOf(plan, 'PHONE_REPLACED').message).toContain('rollback cannot restore it');
  });

  it('R3 an unmasked number replaced with --phone-conflict overwrite can be restored by rollback', () => {
    const plan = diffUser(
      aDesiredState({ phones: { mobile: MOBILE, alternateMobile: null, office: null } }),
      anEntraState({ phones: [aPhone('mobile', OTHER_MOBILE)] }),
      aDiffContext({ options: { phoneConflict: 'overwrite' } }),
    );
    expect(issueOf(plan, 'PHONE_REPLACED').message).toBe(
      'users.csv line 7: the mobile of alice@contoso.com in Entra, +1 2065550199, is replaced by +1 4255550100 from MFA Server (--phone-conflict overwrite) — the old number is kept in the journal and rollback restores it.',
    );
  });

  it('R4 an Entra phone of a type the user does not plan is left alone', () => {
    const plan = diffUser(
      aDesiredState({ phones: { mobile: MOBILE, alternateMobile: null, office: null } }),
      anEntraState({ phones: [aPhone('mobile', MOBILE), aPhone('office', '+1 4255550199x1')], ...withPreference('sms') }),
      aDiffContext(),
    );
    expect(plan.operations).toEqual([]);
    expect(plan.status).toBe('unchanged');
  });

  it('R5 the mobile is created before the alternate mobile', () => {
    const plan = diffUser(aDesiredState({ phones: { mobile: MOBILE, alternateMobile: ALTERNATE, office: OFFICE } }), anEntraState(), aDiffContext());
    expect(plan.operations.filter((operation) => operation.kind === 'createPhone').map((operation) => operation.target)).toEqual(['mobile', 'alternateMobile', 'office']);
  });

  it('R5 an alternate mobile is created beside a mobile Entra already holds', () => {
    const plan = diffUser(
      aDesiredState({ phones: { mobile: null, alternateMobile: ALTERNATE, office: null } }),
      anEntraState({ phones: [aPhone('mobile', OTHER_MOBILE)], ...withPreference('sms') }),
      aDiffContext(),
    );
    expect(plan.operations).toEqual([{ kind: 'createPhone', target: 'alternateMobile', status: 'planned', phoneNumber: ALTERNATE, previousPhoneNumber: null }]);
  });

  it('R5 an alternate mobile with no mobile in Entra or the plan is not created: ALTERNATE_MOBILE_NEEDS_MOBILE', () => {
    const plan = diffUser(aDesiredState({ phones: { mobile: null, alternateMobile: ALTERNATE, office: null } }), anEntraState(), aDiffContext());
    expect(plan.operations).toEqual([]);
    expect(plan.status).toBe('unchanged');
    expect(issueOf(plan, 'ALTERNATE_MOBILE_NEEDS_MOBILE')).toMatchObject({ severity: 'error', file: 'users.csv', line: 7 });
  });
});

describe('R8 default method with Entra visible', () => {
  it('R8 push falls back to sms when Entra has no Authenticator', () => {
    const plan = diffUser(
      aDesiredState({ phones: { mobile: MOBILE, alternateMobile: null, office: null }, requestedDefaultMethod: 'push', devices: [aDesiredDevice()] }),
      anEntraState(),
      aDiffContext(),
    );
    expect(plan.defaultMethod).toBe('sms');
    expect(plan.operations.at(-1)).toEqual({ kind: 'setPreferredMethod', target: 'sms', status: 'planned', previous: null });
    expect(issueOf(plan, 'DEFAULT_METHOD_FALLBACK').message).toBe(
      'users.csv line 7: the MFA Server default method of alice@contoso.com cannot become push in Entra, because Entra holds no Microsoft Authenticator registration for the user (Graph cannot create one) — sms becomes the default instead; the user can change it at https://aka.ms/mysecurityinfo.',
    );
  });

  it('R8 push stays when Entra has an Authenticator registration', () => {
    const plan = diffUser(
      aDesiredState({ phones: { mobile: MOBILE, alternateMobile: null, office: null }, requestedDefaultMethod: 'push' }),
      anEntraState({ authenticators: [anAuthenticator('Pixel')] }),
      aDiffContext(),
    );
    expect(plan.defaultMethod).toBe('push');
    expect(codesOf(plan)).not.toContain('DEFAULT_METHOD_FALLBACK');
  });

  it('R8 push falls back when the policy disables Microsoft Authenticator, naming the policy', () => {
    const plan = diffUser(
      aDesiredState({ phones: { mobile: MOBILE, alternateMobile: null, office: null }, requestedDefaultMethod: 'push' }),
      anEntraState({ authenticators: [anAuthenticator()] }),
      aDiffContext({ availability: anAvailability({ microsoftAuthenticator: false }) }),
    );
    expect(plan.defaultMethod).toBe('sms');
    expect(issueOf(plan, 'DEFAULT_METHOD_FALLBACK').message).toContain('because the tenant\'s authentication methods policy disables it for the user');
  });

  it('R8 oath is available through a hardware token this run activates', () => {
    const plan = diffUser(
      aDesiredState({ phones: { mobile: MOBILE, alternateMobile: null, office: null }, requestedDefaultMethod: 'oath', hardwareTokens: [aDesiredToken()] }),
      anEntraState(),
      aDiffContext({ options: { hardwareTokens: 'import-and-activate' } }),
    );
    expect(plan.defaultMethod).toBe('oath');
    expect(plan.operations.map((operation) => operation.kind)).toEqual(['createPhone', 'createHardwareToken', 'assignHardwareToken', 'activateHardwareToken', 'setPreferredMethod']);
  });

  it('R8 oath is not a default for a token assigned without activation: it falls back, saying the token awaits activation', () => {
    const plan = diffUser(
      aDesiredState({ phones: { mobile: MOBILE, alternateMobile: null, office: null }, requestedDefaultMethod: 'oath', hardwareTokens: [aDesiredToken()] }),
      anEntraState(),
      aDiffContext({ options: { hardwareTokens: 'import' } }),
    );
    expect(plan.defaultMethod).toBe('sms');
    expect(plan.operations.map((operation) => operation.kind)).toEqual(['createPhone', 'createHardwareToken', 'assignHardwareToken', 'setPreferredMethod']);
    expect(issueOf(plan, 'DEFAULT_METHOD_FALLBACK').message).toContain('the hardware token awaits activation');
  });

  it('R8 oath is not a default for a token Entra holds assigned but not activated, whatever the mode', () => {
    const token = aDesiredToken({ serialNumber: 'TOTP0001' });
    const current = anEntraState({ hardwareOath: [{ id: 'method-1', serialNumber: 'TOTP0001', status: 'assigned' }] });
    const imported = diffUser(aDesiredState({ requestedDefaultMethod: 'oath', hardwareTokens: [token] }), current, aDiffContext({ options: { hardwareTokens: 'import' } }));
    expect(imported.defaultMethod).toBeNull();
    expect(imported.operations).toEqual([]);
    expect(issueOf(imported, 'DEFAULT_METHOD_FALLBACK').message).toContain('awaits activation');
    const off = diffUser(aDesiredState({ requestedDefaultMethod: 'oath', hardwareTokens: [token] }), current, aDiffContext({ options: { hardwareTokens: 'off' } }));
    expect(off.defaultMethod).toBeNull();
    const activated = diffUser(aDesiredState({ requestedDefaultMethod: 'oath', hardwareTokens: [token] }), current, aDiffContext({ options: { hardwareTokens: 'import-and-activate' } }));
    expect(activated.defaultMethod).toBe('oath');
    expect(activated.operations.map((operation) => operation.kind)).toEqual(['activateHardwareToken', 'setPreferredMethod']);
  });

  it('R8 an activated token Entra holds that the export does not name makes oath usable', () => {
    const current = anEntraState({ hardwareOath: [{ id: 'method-9', serialNumber: 'OTHER9', status: 'activated' }] });
    const plan = diffUser(aDesiredState({ requestedDefaultMethod: 'oath' }), current, aDiffContext());
    expect(plan.defaultMethod).toBe('oath');
  });

  it('R8 oath is available through a software OATH method in Entra', () => {
    const plan = diffUser(aDesiredState({ requestedDefaultMethod: 'oath' }), anEntraState({ softwareOath: [{ id: 'soft-1' }] }), aDiffContext());
    expect(plan.defaultMethod).toBe('oath');
  });

  it('R8 oath falls back when hardware tokens are off and Entra holds no OATH method', () => {
    const plan = diffUser(
      aDesiredState({ phones: { mobile: MOBILE, alternateMobile: null, office: null }, requestedDefaultMethod: 'oath', hardwareTokens: [aDesiredToken()] }),
      anEntraState(),
      aDiffContext({ options: { hardwareTokens: 'off' } }),
    );
    expect(plan.defaultMethod).toBe('sms');
    expect(codesOf(plan)).toContain('DEFAULT_METHOD_FALLBACK');
  });

  it('R8 sms is available through a mobile Entra already holds', () => {
    const plan = diffUser(aDesiredState({ requestedDefaultMethod: 'sms' }), anEntraState({ phones: [aPhone('mobile', OTHER_MOBILE)] }), aDiffContext());
    expect(plan.defaultMethod).toBe('sms');
    expect(plan.operations).toEqual([{ kind: 'setPreferredMethod', target: 'sms', status: 'planned', previous: null }]);
  });

  it('R8 a mobile kept in a conflict carries no default: the user is left as a conflict, with the reason', () => {
    const plan = diffUser(
      aDesiredState({ phones: { mobile: MOBILE, alternateMobile: null, office: null }, requestedDefaultMethod: 'sms' }),
      anEntraState({ phones: [aPhone('mobile', OTHER_MOBILE)] }),
      aDiffContext(),
    );
    expect(plan.defaultMethod).toBeNull();
    expect(plan.status).toBe('conflict');
    expect(issueOf(plan, 'DEFAULT_METHOD_FALLBACK').message).toContain('a conflict kept with --phone-conflict keep');
  });

  it('R8 with a conflicting mobile the default falls back to a phone that is MFA Server\'s', () => {
    const plan = diffUser(
      aDesiredState({ phones: { mobile: MOBILE, alternateMobile: null, office: OFFICE }, requestedDefaultMethod: 'voiceMobile' }),
      anEntraState({ phones: [aPhone('mobile', OTHER_MOBILE)] }),
      aDiffContext(),
    );
    expect(plan.defaultMethod).toBe('voiceOffice');
    expect(plan.operations.map((operation) => `${operation.kind} ${operation.target}`)).toEqual(['phoneConflict mobile', 'createPhone office', 'setPreferredMethod voiceOffice']);
  });

  it('R8 with --phone-conflict overwrite the replaced mobile carries the default', () => {
    const plan = diffUser(
      aDesiredState({ phones: { mobile: MOBILE, alternateMobile: null, office: null }, requestedDefaultMethod: 'sms' }),
      anEntraState({ phones: [aPhone('mobile', OTHER_MOBILE)] }),
      aDiffContext({ options: { phoneConflict: 'overwrite' } }),
    );
    expect(plan.defaultMethod).toBe('sms');
    expect(plan.operations.map((operation) => operation.kind)).toEqual(['updatePhone', 'setPreferredMethod']);
  });

  it('R8 voiceOffice needs the Voice policy to allow office phones', () => {
    const plan = diffUser(
      aDesiredState({ phones: { mobile: null, alternateMobile: ALTERNATE, office: OFFICE }, requestedDefaultMethod: 'voiceOffice' }),
      anEntraState({ phones: [aPhone('mobile', OTHER_MOBILE)] }),
      aDiffContext({ availability: anAvailability({ voiceOffice: false }) }),
    );
    expect(plan.defaultMethod).toBe('sms');
    expect(codesOf(plan)).toEqual(['METHOD_DISABLED_BY_POLICY', 'DEFAULT_METHOD_FALLBACK']);
  });

  it('R8 with nothing available no preference is planned, and the fallback says so', () => {
    const plan = diffUser(aDesiredState({ requestedDefaultMethod: 'push', devices: [aDesiredDevice()] }), anEntraState(), aDiffContext());
    expect(plan.defaultMethod).toBeNull();
    expect(plan.operations).toEqual([]);
    expect(issueOf(plan, 'DEFAULT_METHOD_FALLBACK').message).toContain('no default method can be set');
  });
});

describe('R9 default method policy and authentication methods policy', () => {
  const mobileUser = aDesiredState({ phones: { mobile: MOBILE, alternateMobile: null, office: null }, requestedDefaultMethod: 'voiceMobile' });

  it('R9 if-unset sets the preference when Entra has none', () => {
    const plan = diffUser(mobileUser, anEntraState(withPreference(null)), aDiffContext());
    expect(plan.operations.at(-1)).toEqual({ kind: 'setPreferredMethod', target: 'voiceMobile', status: 'planned', previous: null });
  });

  it('R9 if-unset treats Graph\'s "none" as unset and records it as the previous value', () => {
    const plan = diffUser(mobileUser, anEntraState(withPreference('none')), aDiffContext());
    expect(plan.operations.at(-1)).toEqual({ kind: 'setPreferredMethod', target: 'voiceMobile', status: 'planned', previous: 'none' });
  });

  it('R9 if-unset keeps a preference Entra already has, with notice PREFERRED_METHOD_KEPT', () => {
    const plan = diffUser(mobileUser, anEntraState({ ...withPreference('sms'), phones: [aPhone('mobile', MOBILE)] }), aDiffContext());
    expect(plan.operations).toEqual([]);
    expect(plan.status).toBe('unchanged');
    expect(plan.defaultMethod).toBeNull();
    expect(issueOf(plan, 'PREFERRED_METHOD_KEPT')).toMatchObject({ severity: 'notice', file: 'users.csv', line: 7 });
  });

  it('R9 always replaces a different preference', () => {
    const plan = diffUser(mobileUser, anEntraState(withPreference('sms')), aDiffContext({ options: { defaultMethodPolicy: 'always' } }));
    expect(plan.operations.at(-1)).toEqual({ kind: 'setPreferredMethod', target: 'voiceMobile', status: 'planned', previous: 'sms' });
  });

  it('R9 always leaves an equal preference alone', () => {
    const plan = diffUser(
      mobileUser,
      anEntraState({ ...withPreference('voiceMobile'), phones: [aPhone('mobile', MOBILE)] }),
      aDiffContext({ options: { defaultMethodPolicy: 'always' } }),
    );
    expect(plan.status).toBe('unchanged');
    expect(plan.defaultMethod).toBe('voiceMobile');
  });

  it('R9 most-secure-if-unset sets the most secure available method, not the requested one, without a fallback', () => {
    const plan = diffUser(
      mobileUser,
      anEntraState({ authenticators: [anAuthenticator()] }),
      aDiffContext({ options: { defaultMethodPolicy: 'most-secure-if-unset' } }),
    );
    expect(plan.operations.at(-1)).toMatchObject({ kind: 'setPreferredMethod', target: 'push' });
    expect(codesOf(plan)).toEqual([]);
  });

  it('R9 most-secure-if-unset keeps a preference Entra already has', () => {
    const plan = diffUser(mobileUser, anEntraState(withPreference('voiceMobile')), aDiffContext({ options: { defaultMethodPolicy: 'most-secure-if-unset' } }));
    expect(plan.operations.map((operation) => operation.kind)).toEqual(['createPhone']);
    expect(codesOf(plan)).toEqual(['PREFERRED_METHOD_KEPT']);
  });

  it('R9 unreadable sign-in preferences plan no preference change, warning PREFERRED_METHOD_UNREAD', () => {
    const plan = diffUser(mobileUser, anEntraState({ signInPreferences: null }), aDiffContext({ options: { defaultMethodPolicy: 'always' } }));
    expect(plan.operations.map((operation) => operation.kind)).toEqual(['createPhone']);
    expect(plan.defaultMethod).toBeNull();
    expect(issueOf(plan, 'PREFERRED_METHOD_UNREAD')).toMatchObject({ severity: 'warning', file: 'users.csv', line: 7 });
  });

  it('R9 a requested sms disabled by policy on a planned mobile is METHOD_DISABLED_BY_POLICY and falls back to voice', () => {
    const plan = diffUser(
      aDesiredState({ phones: { mobile: MOBILE, alternateMobile: null, office: null }, requestedDefaultMethod: 'sms' }),
      anEntraState(),
      aDiffContext({ availability: anAvailability({ sms: false }) }),
    );
    expect(plan.defaultMethod).toBe('voiceMobile');
    expect(codesOf(plan)).toEqual(['METHOD_DISABLED_BY_POLICY', 'DEFAULT_METHOD_FALLBACK']);
    expect(issueOf(plan, 'METHOD_DISABLED_BY_POLICY').message).toBe(
      'users.csv line 7: sms is disabled for alice@contoso.com in the tenant\'s authentication methods policy, and it was the user\'s default method in MFA Server; Entra will not offer it — enable it for the user\'s groups in Entra > Authentication methods > Policies, or accept the fallback.',
    );
  });

  it('R9 a disabled method the user neither requested nor depends on is not reported', () => {
    const plan = diffUser(
      aDesiredState({ phones: { mobile: MOBILE, alternateMobile: null, office: null }, requestedDefaultMethod: 'voiceMobile' }),
      anEntraState(),
      aDiffContext({ availability: anAvailability({ sms: false, microsoftAuthenticator: false }) }),
    );
    expect(plan.defaultMethod).toBe('voiceMobile');
    expect(codesOf(plan)).toEqual([]);
  });

  it('R9 a planned office phone that the policy leaves without any use is reported', () => {
    const plan = diffUser(
      aDesiredState({ phones: { mobile: MOBILE, alternateMobile: null, office: OFFICE }, requestedDefaultMethod: 'voiceMobile' }),
      anEntraState(),
      aDiffContext({ availability: anAvailability({ voiceOffice: false }) }),
    );
    expect(codesOf(plan)).toEqual(['METHOD_DISABLED_BY_POLICY']);
    expect(issueOf(plan, 'METHOD_DISABLED_BY_POLICY').message).toContain('voiceOffice is disabled');
  });
});

describe('R12 devices against Entra', () => {
  it('R12 a kept device is present when Entra has an Authenticator of that name, ignoring case and spaces', () => {
    const plan = diffUser(aDesiredState({ devices: [aDesiredDevice({ name: 'Alice iPhone' })] }), anEntraState({ authenticators: [anAuthenticator('  alice IPHONE ')] }), aDiffContext());
    expect(plan.devices).toEqual([aDesiredDevice({ name: 'Alice iPhone', registration: 'present' })]);
    expect(codesOf(plan)).not.toContain('DEVICE_REREGISTRATION_REQUIRED');
  });

  it('R12 a kept device without a matching Authenticator needs re-registration: DEVICE_REREGISTRATION_REQUIRED on the user row', () => {
    const plan = diffUser(aDesiredState({ devices: [aDesiredDevice({ name: 'Pixel', line: 12 })] }), anEntraState({ authenticators: [anAuthenticator('iPhone')] }), aDiffContext());
    expect(plan.devices[0]?.registration).toBe('reregistrationRequired');
    expect(issueOf(plan, 'DEVICE_REREGISTRATION_REQUIRED')).toEqual({
      code: 'DEVICE_REREGISTRATION_REQUIRED',
      severity: 'warning',
      file: 'users.csv',
      line: 7,
      message:
        'users.csv line 7: device "Pixel" of alice@contoso.com (devices file line 12) has no Microsoft Authenticator registration in Entra, and Graph cannot create one — the user registers the app again at https://aka.ms/mysecurityinfo (a Temporary Access Pass helps).',
    });
  });

  it('R12 a dropped device stays dropped and is not looked up', () => {
    const dropped = aDesiredDevice({ name: 'Old phone', status: 'dropped' });
    const plan = diffUser(aDesiredState({ devices: [dropped] }), anEntraState(), aDiffContext());
    expect(plan.devices).toEqual([dropped]);
    expect(plan.issues).toEqual([]);
  });
});

describe('R13 hardware tokens against Entra', () => {
  const tokenUser = aDesiredState({ hardwareTokens: [aDesiredToken({ serialNumber: 'TOTP0001' })] });

  it('R13 a serial not in the inventory is created, then assigned', () => {
    const plan = diffUser(tokenUser, anEntraState(), aDiffContext());
    expect(plan.operations.slice(0, 2)).toEqual([
      { kind: 'createHardwareToken', target: 'TOTP0001', status: 'planned', deviceId: null },
      { kind: 'assignHardwareToken', target: 'TOTP0001', status: 'planned', deviceId: null },
    ]);
  });

  it('R13 import-and-activate also activates a new token', () => {
    const plan = diffUser(tokenUser, anEntraState(), aDiffContext({ options: { hardwareTokens: 'import-and-activate' } }));
    expect(plan.operations.map((operation) => operation.kind)).toEqual(['createHardwareToken', 'assignHardwareToken', 'activateHardwareToken', 'setPreferredMethod']);
  });

  it('R13 an unassigned inventory token is assigned by its device id', () => {
    const inventory = anInventory([{ id: 'device-1', serialNumber: 'totp0001', status: 'available', assignedToUserId: null }]);
    const plan = diffUser(tokenUser, anEntraState(), aDiffContext({ inventory }));
    expect(plan.operations[0]).toEqual({ kind: 'assignHardwareToken', target: 'TOTP0001', status: 'planned', deviceId: 'device-1' });
    expect(plan.operations.map((operation) => operation.kind)).not.toContain('createHardwareToken');
  });

  it('R13 a token assigned to another user is a hardwareTokenConflict with TOKEN_ASSIGNED_ELSEWHERE', () => {
    const inventory = anInventory([{ id: 'device-1', serialNumber: 'TOTP0001', status: 'activated', assignedToUserId: OTHER_USER_ID }]);
    const plan = diffUser(tokenUser, anEntraState(withPreference('sms')), aDiffContext({ inventory }));
    expect(plan.operations).toEqual([{ kind: 'hardwareTokenConflict', target: 'TOTP0001', status: 'conflict', deviceId: 'device-1' }]);
    expect(plan.status).toBe('conflict');
    expect(issueOf(plan, 'TOKEN_ASSIGNED_ELSEWHERE')).toMatchObject({ severity: 'error', file: 'users.csv', line: 7 });
    expect(issueOf(plan, 'TOKEN_ASSIGNED_ELSEWHERE').message).toContain(OTHER_USER_ID);
  });

  it('R13 a token already assigned to the user, with its method in Entra, needs nothing', () => {
    const inventory = anInventory([{ id: 'device-1', serialNumber: 'TOTP0001', status: 'assigned', assignedToUserId: USER_ID }]);
    const current = anEntraState({ hardwareOath: [{ id: 'device-1', serialNumber: 'TOTP0001', status: 'assigned' }], ...withPreference('oath') });
    const plan = diffUser(tokenUser, current, aDiffContext({ inventory, options: { hardwareTokens: 'import' } }));
    expect(plan.operations).toEqual([]);
    expect(plan.status).toBe('unchanged');
  });

  it('R13 import-and-activate activates an assigned token that is not activated yet, through the user\'s method (its own id, not the device\'s)', () => {
    const inventory = anInventory([{ id: 'device-1', serialNumber: 'TOTP0001', status: 'assigned', assignedToUserId: USER_ID }]);
    const current = anEntraState({ hardwareOath: [{ id: 'method-1', serialNumber: 'TOTP0001', status: 'assigned' }], ...withPreference('oath') });
    const plan = diffUser(tokenUser, current, aDiffContext({ inventory, options: { hardwareTokens: 'import-and-activate' } }));
    expect(plan.operations).toEqual([{ kind: 'activateHardwareToken', target: 'TOTP0001', status: 'planned', deviceId: 'device-1', methodId: 'method-1' }]);
  });

  it('R13 with --hardware-tokens off no token operation is planned', () => {
    const plan = diffUser(tokenUser, anEntraState(withPreference('sms')), aDiffContext({ options: { hardwareTokens: 'off' } }));
    expect(plan.operations).toEqual([]);
  });
});

describe('plan status and findings', () => {
  it('planned wins over a conflict kept beside it', () => {
    const plan = diffUser(
      aDesiredState({ phones: { mobile: MOBILE, alternateMobile: null, office: OFFICE } }),
      anEntraState({ phones: [aPhone('mobile', OTHER_MOBILE)], ...withPreference('sms') }),
      aDiffContext(),
    );
    expect(plan.operations.map((operation) => `${operation.kind}:${operation.status}`)).toEqual(['phoneConflict:conflict', 'createPhone:planned']);
    expect(plan.status).toBe('planned');
  });

  it('every finding the diff adds is catalogued, on the user row, and names the user', () => {
    const plan = diffUser(
      aDesiredState({
        phones: { mobile: MOBILE, alternateMobile: null, office: OFFICE },
        requestedDefaultMethod: 'push',
        devices: [aDesiredDevice()],
        hardwareTokens: [aDesiredToken()],
      }),
      anEntraState({ phones: [aPhone('mobile', OTHER_MOBILE), aPhone('office', '+1 XXXXXXXX07x300')] }),
      aDiffContext({ inventory: anInventory([{ id: 'device-1', serialNumber: 'TOTP0001', status: 'assigned', assignedToUserId: OTHER_USER_ID }]) }),
    );
    expect(plan.issues.length).toBeGreaterThanOrEqual(4);
    for (const item of plan.issues) {
      expect(item.severity).toBe(FINDINGS[item.code].severity);
      expect(item).toMatchObject({ file: 'users.csv', line: 7 });
      expect(item.message).toMatch(/^users\.csv line 7: /);
      expect(item.message).toContain('alice@contoso.com');
      expect(item.message).not.toContain('GEZDGNBVGY3TQOJQ');
    }
  });
});

describe('R17 ours to change', () => {
  const RUN = '20261201-090000-ab12';
  const ourMobile = (value: string) => ({ phones: { mobile: { value, runId: RUN } }, defaultMethod: null });

  it('R17 a number a run of ours wrote, still unchanged in Entra, follows the export under keep: updatePhone with notice PHONE_UPDATED', () => {
    const plan = diffUser(
      aDesiredState({ phones: { mobile: MOBILE, alternateMobile: null, office: null } }),
      anEntraState({ phones: [aPhone('mobile', OTHER_MOBILE)], ...withPreference('sms') }),
      aDiffContext({ options: { phoneConflict: 'keep' }, prior: ourMobile('+1 (206) 555-0199') }),
    );
    expect(plan.operations).toEqual([{ kind: 'updatePhone', target: 'mobile', status: 'planned', phoneNumber: MOBILE, previousPhoneNumber: OTHER_MOBILE }]);
    expect(plan.status).toBe('planned');
    expect(codesOf(plan)).toEqual(['PHONE_UPDATED']);
    expect(issueOf(plan, 'PHONE_UPDATED')).toMatchObject({ severity: 'notice', line: 7 });
    expect(issueOf(plan, 'PHONE_UPDATED').message).toContain(RUN);
  });

  it('R17 a number someone changed since our run wrote it is theirs: a conflict under keep', () => {
    const plan = diffUser(
      aDesiredState({ phones: { mobile: MOBILE, alternateMobile: null, office: null } }),
      anEntraState({ phones: [aPhone('mobile', OTHER_MOBILE)], ...withPreference('sms') }),
      aDiffContext({ options: { phoneConflict: 'keep' }, prior: ourMobile('+1 4255550123') }),
    );
    expect(plan.operations.map((operation) => operation.kind)).toEqual(['phoneConflict']);
    expect(codesOf(plan)).toEqual(['PHONE_CONFLICT']);
  });

  it('R17 a number Entra shows masked is not proven ours: a conflict under keep', () => {
    const plan = diffUser(
      aDesiredState({ phones: { mobile: MOBILE, alternateMobile: null, office: null } }),
      anEntraState({ phones: [aPhone('mobile', '+1 XXXXXXXX99')], ...withPreference('sms') }),
      aDiffContext({ options: { phoneConflict: 'keep' }, prior: ourMobile(OTHER_MOBILE) }),
    );
    expect(plan.operations.map((operation) => operation.kind)).toEqual(['phoneConflict']);
  });

  it('R17 under overwrite, our own number is updated with PHONE_UPDATED rather than PHONE_REPLACED', () => {
    const plan = diffUser(
      aDesiredState({ phones: { mobile: MOBILE, alternateMobile: null, office: null } }),
      anEntraState({ phones: [aPhone('mobile', OTHER_MOBILE)], ...withPreference('sms') }),
      aDiffContext({ options: { phoneConflict: 'overwrite' }, prior: ourMobile(OTHER_MOBILE) }),
    );
    expect(plan.operations.map((operation) => operation.kind)).toEqual(['updatePhone']);
    expect(codesOf(plan)).toEqual(['PHONE_UPDATED']);
  });

  it('R17 with the number ours, the default may point at it again (a conflict would carry none)', () => {
    const plan = diffUser(
      aDesiredState({ phones: { mobile: MOBILE, alternateMobile: null, office: null }, requestedDefaultMethod: 'sms' }),
      anEntraState({ phones: [aPhone('mobile', OTHER_MOBILE)], ...withPreference(null) }),
      aDiffContext({ prior: ourMobile(OTHER_MOBILE) }),
    );
    expect(plan.operations.map((operation) => `${operation.kind} ${operation.target}`)).toEqual(['updatePhone mobile', 'setPreferredMethod sms']);
  });

  it('R17 a default a run of ours set, still the user\'s, follows the export under if-unset: PREFERRED_METHOD_UPDATED', () => {
    const plan = diffUser(
      aDesiredState({ phones: { mobile: MOBILE, alternateMobile: null, office: null }, requestedDefaultMethod: 'sms' }),
      anEntraState({ phones: [aPhone('mobile', MOBILE)], ...withPreference('voiceMobile') }),
      aDiffContext({ options: { defaultMethodPolicy: 'if-unset' }, prior: { phones: {}, defaultMethod: { value: 'voiceMobile', runId: RUN } } }),
    );
    expect(plan.operations).toEqual([{ kind: 'setPreferredMethod', target: 'sms', status: 'planned', previous: 'voiceMobile' }]);
    expect(codesOf(plan)).toEqual(['PREFERRED_METHOD_UPDATED']);
    expect(issueOf(plan, 'PREFERRED_METHOD_UPDATED').message).toContain(RUN);
  });

  it('R17 a default the user chose since our run set another is kept under if-unset', () => {
    const plan = diffUser(
      aDesiredState({ phones: { mobile: MOBILE, alternateMobile: null, office: null }, requestedDefaultMethod: 'sms' }),
      anEntraState({ phones: [aPhone('mobile', MOBILE)], ...withPreference('voiceMobile') }),
      aDiffContext({ prior: { phones: {}, defaultMethod: { value: 'sms', runId: RUN } } }),
    );
    expect(plan.operations).toEqual([]);
    expect(codesOf(plan)).toEqual(['PREFERRED_METHOD_KEPT']);
  });

  it('R17 a default of ours that is still the choice needs no write and no notice', () => {
    const plan = diffUser(
      aDesiredState({ phones: { mobile: MOBILE, alternateMobile: null, office: null }, requestedDefaultMethod: 'sms' }),
      anEntraState({ phones: [aPhone('mobile', MOBILE)], ...withPreference('sms') }),
      aDiffContext({ prior: { phones: {}, defaultMethod: { value: 'sms', runId: RUN } } }),
    );
    expect(plan.operations).toEqual([]);
    expect(plan.issues).toEqual([]);
  });
});
