import { describe, expect, it } from 'vitest';
import { finding } from '../../../src/findings.js';
import { mapUser } from '../../../src/mapping/map-user.js';
import type { DefaultMethod } from '../../../src/mapping/desired-state.js';
import { codesOf, issueOf } from '../../support/finding-lookups.js';
import { aContext, aDevice, aSourceUser, aToken, RFC6238_SEED_BASE32, someOptions } from '../../support/source-builders.js';

const options = someOptions();

describe('R1 invalid phone numbers', () => {
  it('R1 an invalid phone is not planned, PHONE_INVALID names file, line and remedy, and the other methods are kept', () => {
    const state = mapUser(
      aSourceUser({ line: 418, countryCode: '44', phone: '07700 90012', backupCountryCode: '44', backupPhone: '07911 123456' }),
      aContext(),
      options,
    );
    expect(state.status).toBe('ready');
    expect(state.phones).toEqual({ mobile: '+44 7911123456', alternateMobile: null, office: null });
    expect(issueOf(state, 'PHONE_INVALID')).toEqual({
      code: 'PHONE_INVALID',
      severity: 'error',
      file: 'users.csv',
      line: 418,
      message: 'users.csv line 418: phone "07700 90012" is not a valid number for country code 44 (GB) — fix it in MFA Server or leave it out; the user\'s other methods were kept.',
    });
  });

  it('R1 an invalid backup phone is reported as the backup phone', () => {
    const state = mapUser(aSourceUser({ phone: '(425) 555-0100', backupPhone: '555-01' }), aContext(), options);
    expect(state.phones.mobile).toBe('+1 4255550100');
    expect(issueOf(state, 'PHONE_INVALID').message).toContain('backup phone "555-01"');
  });
});

describe('R2 extensions with non-digits', () => {
  it('R2 an extension with "," or "#" is EXTENSION_UNSUPPORTED and the phone is not planned', () => {
    const state = mapUser(aSourceUser({ phone: '(425) 555-0104', extension: '123,#', backupPhone: '206-555-0102' }), aContext(), options);
    expect(state.phones).toEqual({ mobile: '+1 2065550102', alternateMobile: null, office: null });
    expect(issueOf(state, 'EXTENSION_UNSUPPORTED')).toMatchObject({ severity: 'error', line: 2 });
    expect(issueOf(state, 'EXTENSION_UNSUPPORTED').message).toContain('"123,#"');
  });
});

describe('R3 primary phone slot', () => {
  it('R3 a primary phone without extension goes to mobile', () => {
    const state = mapUser(aSourceUser({ phone: '(425) 555-0100', method: 'phoneCall' }), aContext(), options);
    expect(state.phones).toEqual({ mobile: '+1 4255550100', alternateMobile: null, office: null });
    expect(state.issues).toEqual([]);
  });

  it('R3 a primary phone with extension goes to office', () => {
    const state = mapUser(aSourceUser({ phone: '425.555.0101', extension: '123', method: 'phoneCall' }), aContext(), options);
    expect(state.phones).toEqual({ mobile: null, alternateMobile: null, office: '+1 4255550101x123' });
  });

  it('R3 with Text message the extension is dropped, the phone goes to mobile, warning EXTENSION_DROPPED', () => {
    const state = mapUser(aSourceUser({ phone: '(425) 555-0105', extension: '77', method: 'textMessage' }), aContext(), options);
    expect(state.phones).toEqual({ mobile: '+1 4255550105', alternateMobile: null, office: null });
    expect(issueOf(state, 'EXTENSION_DROPPED')).toMatchObject({ severity: 'warning', file: 'users.csv', line: 2 });
    expect(state.defaultMethod).toBe('sms');
  });

  it('R3 with Text message an embedded extension, even one Entra could not dial, is dropped too', () => {
    const state = mapUser(aSourceUser({ phone: '425 555 0105 x1,2', method: 'textMessage' }), aContext(), options);
    expect(state.phones.mobile).toBe('+1 4255550105');
    expect(codesOf(state)).toEqual(['EXTENSION_DROPPED']);
  });
});

describe('R4 backup phone slot', () => {
  it('R4 a backup without extension goes to alternateMobile beside the mobile', () => {
    const state = mapUser(aSourceUser({ phone: '(425) 555-0100', backupPhone: '(206) 555-0103' }), aContext(), options);
    expect(state.phones).toEqual({ mobile: '+1 4255550100', alternateMobile: '+1 2065550103', office: null });
  });

  it('R4 backup with extension goes to office', () => {
    const state = mapUser(aSourceUser({ phone: '(425) 555-0100', backupPhone: '(425) 555-0107', backupExtension: '300' }), aContext(), options);
    expect(state.phones).toEqual({ mobile: '+1 4255550100', alternateMobile: null, office: '+1 4255550107x300' });
  });

  it('R4 a backup with extension is skipped when the primary holds office: BACKUP_PHONE_SKIPPED', () => {
    const state = mapUser(
      aSourceUser({ phone: '(425) 555-0106', extension: '200', backupPhone: '(425) 555-0107', backupExtension: '300', method: 'phoneCall' }),
      aContext(),
      options,
    );
    expect(state.phones).toEqual({ mobile: null, alternateMobile: null, office: '+1 4255550106x200' });
    expect(issueOf(state, 'BACKUP_PHONE_SKIPPED')).toMatchObject({ severity: 'warning', line: 2 });
    expect(state.defaultMethod).toBe('voiceOffice');
  });

  it('R4 the backup uses the primary country code when its own column is empty', () => {
    const state = mapUser(aSourceUser({ countryCode: '44', phone: '020 7946 0958', extension: '12', backupPhone: '07911 123456' }), aContext(), options);
    expect(state.phones.mobile).toBe('+44 7911123456');
  });
});

describe('R5 backup promoted to mobile', () => {
  it('R5 with the primary in office, a backup without extension becomes the mobile', () => {
    const state = mapUser(aSourceUser({ phone: '425.555.0101', extension: '123', backupPhone: '206-555-0102' }), aContext(), options);
    expect(state.phones).toEqual({ mobile: '+1 2065550102', alternateMobile: null, office: '+1 4255550101x123' });
    expect(issueOf(state, 'BACKUP_PROMOTED_TO_MOBILE').severity).toBe('warning');
  });

  it('R5 with an invalid primary, the backup becomes the mobile and Phone call still defaults to it', () => {
    const state = mapUser(aSourceUser({ phone: '555-01', backupPhone: '(206) 555-0103', method: 'phoneCall' }), aContext(), options);
    expect(state.phones).toEqual({ mobile: '+1 2065550103', alternateMobile: null, office: null });
    expect(codesOf(state)).toEqual(['PHONE_INVALID', 'BACKUP_PROMOTED_TO_MOBILE']);
    expect(state.defaultMethod).toBe('voiceMobile');
  });
});

describe('R6 duplicate phones', () => {
  it('R6 a backup equal to the primary after normalisation is not planned: DUPLICATE_PHONE', () => {
    const state = mapUser(
      aSourceUser({ countryCode: '49', phone: '01512 3456789', backupCountryCode: '49', backupPhone: '+49 1512 3456789' }),
      aContext(),
      options,
    );
    expect(state.phones).toEqual({ mobile: '+49 15123456789', alternateMobile: null, office: null });
    expect(codesOf(state)).toContain('DUPLICATE_PHONE');
  });
});

describe('R7 regional opt-in', () => {
  it('R7 a planned phone in an opt-in region gets PHONE_REGION_OPT_IN naming the region', () => {
    const state = mapUser(aSourceUser({ countryCode: '44', phone: '07911 123456' }), aContext(), options);
    expect(state.phones.mobile).toBe('+44 7911123456');
    expect(issueOf(state, 'PHONE_REGION_OPT_IN').message).toContain('calling code +44 (United Kingdom)');
  });

  it('R7 a North-American area code on the list is flagged, a US number is not', () => {
    const jamaica = mapUser(aSourceUser({ phone: '(876) 927-1234', backupPhone: '(425) 555-0100' }), aContext(), options);
    expect(codesOf(jamaica)).toEqual(['PHONE_REGION_OPT_IN']);
    expect(issueOf(jamaica, 'PHONE_REGION_OPT_IN').message).toContain('area code +1 876 (Jamaica)');
  });

  it('R7 a phone that is not planned is not flagged', () => {
    const state = mapUser(aSourceUser({ countryCode: '44', phone: '07911 123456', backupCountryCode: '44', backupPhone: '07911 123456' }), aContext(), options);
    expect(codesOf(state).filter((code) => code === 'PHONE_REGION_OPT_IN')).toHaveLength(1);
  });
});

describe('R8 default method', () => {
  it('R8 Phone call maps to voiceMobile', () => {
    const state = mapUser(aSourceUser({ phone: '(425) 555-0100', method: 'phoneCall' }), aContext(), options);
    expect(state).toMatchObject({ requestedDefaultMethod: 'voiceMobile', defaultMethod: 'voiceMobile' });
  });

  it('R8 Phone call maps to voiceOffice where the primary phone landed in office', () => {
    const state = mapUser(aSourceUser({ phone: '(425) 555-0100', extension: '9', method: 'phoneCall' }), aContext(), options);
    expect(state).toMatchObject({ requestedDefaultMethod: 'voiceOffice', defaultMethod: 'voiceOffice' });
  });

  it('R8 Text message without a mobile falls back with DEFAULT_METHOD_FALLBACK', () => {
    const state = mapUser(aSourceUser({ phone: '555-01', backupPhone: '(425) 555-0107', backupExtension: '300', method: 'textMessage' }), aContext(), options);
    expect(state).toMatchObject({ requestedDefaultMethod: 'sms', defaultMethod: 'voiceOffice' });
    expect(issueOf(state, 'DEFAULT_METHOD_FALLBACK').message).toContain('no mobile phone is planned');
  });

  it('R8 Mobile app stays push offline even without devices in the export', () => {
    const state = mapUser(aSourceUser({ phone: '(425) 555-0108', method: 'mobileApp' }), aContext(), options);
    expect(state.defaultMethod).toBe('push');
    expect(codesOf(state)).toEqual([]);
  });

  it('R8 Mobile app online without an Authenticator in Entra falls back to the most secure available method', () => {
    const state = mapUser(
      aSourceUser({ phone: '(425) 555-0108', method: 'mobileApp' }),
      aContext({ devices: [aDevice({ deviceName: 'Galaxy A54' })], existingAuthenticatorNames: new Set() }),
      options,
    );
    expect(state.defaultMethod).toBe('sms');
    expect(codesOf(state)).toEqual(['DEVICE_REREGISTRATION_REQUIRED', 'DEFAULT_METHOD_FALLBACK']);
  });

  it('R8 Mobile app online with the device registered in Entra is push', () => {
    const state = mapUser(
      aSourceUser({ phone: '(425) 555-0108', method: 'mobileApp' }),
      aContext({ devices: [aDevice({ deviceName: 'Galaxy A54' })], existingAuthenticatorNames: new Set(['galaxy a54']) }),
      options,
    );
    expect(state.defaultMethod).toBe('push');
    expect(state.devices).toMatchObject([{ name: 'Galaxy A54', status: 'kept', registration: 'present' }]);
  });

  it('R8 OATH token maps to oath when a hardware token is planned', () => {
    const state = mapUser(aSourceUser({ phone: '(425) 555-0109', method: 'oathToken', oathTokenSerial: 'TOTP0001' }), aContext({ tokens: [aToken()] }), options);
    expect(state.defaultMethod).toBe('oath');
  });

  it('R8 OATH token without a token falls back to a phone method', () => {
    const state = mapUser(aSourceUser({ phone: '(425) 555-0109', method: 'oathToken' }), aContext(), options);
    expect(state.defaultMethod).toBe('sms');
    expect(issueOf(state, 'DEFAULT_METHOD_FALLBACK').message).toContain('no hardware token is planned');
  });

  it('R8 no method takes the most secure available without a warning, also after a VALUE_UNKNOWN', () => {
    const unknownMethod = finding('VALUE_UNKNOWN', 'users.csv', 2, 'users.csv line 2: method "Fax" is not a method the tool knows — correct the value in the export; the field was treated as empty.');
    const state = mapUser(
      aSourceUser({ phone: '(425) 555-0100', backupPhone: '(206) 555-0103', findings: [unknownMethod] }),
      aContext(),
      options,
    );
    expect(state.defaultMethod).toBe('sms');
    expect(codesOf(state)).toEqual(['VALUE_UNKNOWN']);
  });
});

describe('R9 methods disabled by policy', () => {
  it('R9 a method disabled in the tenant policy is not chosen: METHOD_DISABLED_BY_POLICY and DEFAULT_METHOD_FALLBACK', () => {
    const disabledByPolicy = new Set<DefaultMethod>(['sms']);
    const state = mapUser(aSourceUser({ phone: '(425) 555-0100', method: 'textMessage' }), aContext({ disabledByPolicy }), options);
    expect(state.defaultMethod).toBe('voiceMobile');
    expect(codesOf(state)).toEqual(['METHOD_DISABLED_BY_POLICY', 'DEFAULT_METHOD_FALLBACK']);
    expect(issueOf(state, 'DEFAULT_METHOD_FALLBACK').message).toContain('disabled in the tenant\'s authentication methods policy');
  });
});

describe('R10 PIN modes', () => {
  it('R10 PIN modes give one PIN_MODE_NOT_MIGRATED naming each mode', () => {
    const state = mapUser(aSourceUser({ phone: '(425) 555-0100', phoneCallMode: 'pin', textMessageMode: 'otpPin', mobileAppMode: 'standard' }), aContext(), options);
    expect(codesOf(state)).toEqual(['PIN_MODE_NOT_MIGRATED']);
    expect(issueOf(state, 'PIN_MODE_NOT_MIGRATED').message).toContain('phone call PIN and text message OTP + PIN');
  });

  it('R10 standard and OTP modes need nothing', () => {
    const state = mapUser(aSourceUser({ phone: '(425) 555-0100', phoneCallMode: 'standard', textMessageMode: 'otp' }), aContext(), options);
    expect(codesOf(state)).toEqual([]);
  });
});

describe('R11 disabled users', () => {
  it('R11 a disabled user is skipped with USER_DISABLED and nothing planned', () => {
    const state = mapUser(aSourceUser({ phone: '(425) 555-0112', method: 'phoneCall', enabled: false }), aContext({ devices: [aDevice()] }), options);
    expect(state).toMatchObject({ status: 'skipped', phones: { mobile: null, alternateMobile: null, office: null }, defaultMethod: null, devices: [], hardwareTokens: [] });
    expect(codesOf(state)).toEqual(['USER_DISABLED']);
  });

  it('R11 --include-disabled migrates a disabled user', () => {
    const state = mapUser(aSourceUser({ phone: '(425) 555-0112', enabled: false }), aContext(), someOptions({ includeDisabled: true }));
    expect(state.status).toBe('ready');
    expect(state.phones.mobile).toBe('+1 4255550112');
  });
});

describe('R12 devices', () => {
  const rupertsDevices = [
    aDevice({ line: 3, deviceName: 'iPhone 11', activatedAt: new Date('2021-01-05T10:00:00Z'), lastUsedAt: new Date('2022-06-01T10:00:00Z') }),
    aDevice({ line: 4, deviceName: 'iPhone 12', activatedAt: new Date('2022-01-05T10:00:00Z'), lastUsedAt: new Date('2023-06-01T10:00:00Z') }),
    aDevice({ line: 5, deviceName: 'iphone 12', activatedAt: new Date('2023-02-01T10:00:00Z'), lastUsedAt: new Date('2024-09-01T10:00:00Z') }),
    aDevice({ line: 6, deviceName: 'Pixel 6', activatedAt: new Date('2023-03-01T10:00:00Z'), lastUsedAt: new Date('2024-10-01T10:00:00Z') }),
    aDevice({ line: 7, deviceName: 'Pixel 7', activatedAt: new Date('2023-09-01T10:00:00Z'), lastUsedAt: new Date('2025-01-15T10:00:00Z') }),
    aDevice({ line: 8, deviceName: 'Galaxy S23', activatedAt: new Date('2024-01-01T10:00:00Z'), lastUsedAt: new Date('2025-06-01T10:00:00Z') }),
    aDevice({ line: 9, deviceName: 'iPad Air', activatedAt: new Date('2024-05-01T10:00:00Z'), lastUsedAt: new Date('2025-09-01T10:00:00Z') }),
    aDevice({ line: 10, deviceName: 'Surface Duo', activatedAt: new Date('2022-02-01T10:00:00Z'), lastUsedAt: null }),
  ];

  it('R12 duplicate names keep the most recent row, newest first, at most 5 kept, the rest DEVICE_LIMIT on their device row', () => {
    const state = mapUser(aSourceUser({ phone: '(425) 555-0114' }), aContext({ devices: rupertsDevices }), options);
    expect(state.devices.map((device) => [device.name, device.status, device.line])).toEqual([
      ['iPad Air', 'kept', 9],
      ['Galaxy S23', 'kept', 8],
      ['Pixel 7', 'kept', 7],
      ['Pixel 6', 'kept', 6],
      ['iphone 12', 'kept', 5],
      ['iPhone 11', 'dropped', 3],
      ['Surface Duo', 'dropped', 10],
    ]);
    const limits = state.issues.filter((item) => item.code === 'DEVICE_LIMIT');
    expect(limits.map((item) => [item.file, item.line])).toEqual([
      ['devices.csv', 3],
      ['devices.csv', 10],
    ]);
    expect(state.devices.every((device) => device.registration === 'unknown')).toBe(true);
  });

  it('R12 keeps 4 devices when a hardware token is planned', () => {
    const state = mapUser(aSourceUser({ oathTokenSerial: 'TOTP0005' }), aContext({ devices: rupertsDevices, tokens: [aToken({ serialNumber: 'TOTP0005' })] }), options);
    expect(state.hardwareTokens).toHaveLength(1);
    expect(state.devices.filter((device) => device.status === 'kept').map((device) => device.name)).toEqual(['iPad Air', 'Galaxy S23', 'Pixel 7', 'Pixel 6']);
    expect(issueOf(state, 'DEVICE_LIMIT').message).toContain('4 Authenticator devices beside a hardware token');
  });

  it('R12 without dates the later row is the more recent', () => {
    const state = mapUser(aSourceUser({}), aContext({ devices: [aDevice({ line: 3, deviceName: 'Phone' }), aDevice({ line: 4, deviceName: 'PHONE' })] }), options);
    expect(state.devices).toMatchObject([{ name: 'PHONE', line: 4, status: 'kept' }]);
  });

  it('R12 lastUsedAt wins over activatedAt, which counts only when a device was never used', () => {
    const state = mapUser(
      aSourceUser({}),
      aContext({
        devices: [
          aDevice({ line: 3, deviceName: 'Old', activatedAt: new Date('2020-01-01T00:00:00Z'), lastUsedAt: new Date('2025-01-01T00:00:00Z') }),
          aDevice({ line: 4, deviceName: 'New', activatedAt: new Date('2024-01-01T00:00:00Z'), lastUsedAt: null }),
        ],
      }),
      options,
    );
    expect(state.devices.map((device) => device.name)).toEqual(['Old', 'New']);
  });

  it('R12 online a device Entra does not hold needs re-registration: DEVICE_REREGISTRATION_REQUIRED on its device row', () => {
    const state = mapUser(
      aSourceUser({ phone: '(425) 555-0114' }),
      aContext({ devices: [aDevice({ line: 7, deviceName: 'Pixel 8' }), aDevice({ line: 8, deviceName: 'iPhone 14' })], existingAuthenticatorNames: new Set(['iphone 14']) }),
      options,
    );
    expect(state.devices.map((device) => [device.name, device.registration])).toEqual([
      ['iPhone 14', 'present'],
      ['Pixel 8', 'reregistrationRequired'],
    ]);
    expect(issueOf(state, 'DEVICE_REREGISTRATION_REQUIRED')).toMatchObject({ file: 'devices.csv', line: 7, severity: 'warning' });
  });

  it('R12 a device without a name is listed under its row and never merged', () => {
    const state = mapUser(aSourceUser({}), aContext({ devices: [aDevice({ line: 5, deviceName: null }), aDevice({ line: 6, deviceName: '  ' })] }), options);
    expect(state.devices.map((device) => device.name)).toEqual(['Unnamed device (line 6)', 'Unnamed device (line 5)']);
  });

  it('R12 a kept device is something to migrate (offline)', () => {
    const state = mapUser(aSourceUser({ method: 'mobileApp' }), aContext({ devices: [aDevice()] }), options);
    expect(state.status).toBe('ready');
    expect(codesOf(state)).toEqual([]);
    expect(state.defaultMethod).toBe('push');
  });
});

describe('R13 hardware tokens', () => {
  it('R13 a serial with a seed plans one hardware token with the seed in Base32', () => {
    const state = mapUser(
      aSourceUser({ oathTokenSerial: 'TOTP0001' }),
      aContext({ tokens: [aToken({ line: 2, secretKey: '3132333435363738393031323334353637383930', timeInterval: 60, hashFunction: 'hmacsha256' })] }),
      options,
    );
    expect(state.hardwareTokens).toHaveLength(1);
    const token = state.hardwareTokens[0];
    expect(token?.secretKey.reveal()).toBe(RFC6238_SEED_BASE32);
    expect(token).toMatchObject({ serialNumber: 'TOTP0001', timeIntervalInSeconds: 60, hashFunction: 'hmacsha256', manufacturer: 'Contoso', model: 'Hardware Key', file: 'tokens.csv', line: 2 });
  });

  it('R13 a seed row that names the user plans the token without a serial on the user', () => {
    const state = mapUser(aSourceUser({}), aContext({ tokens: [aToken({ username: 'alice@contoso.com' })] }), options);
    expect(state.hardwareTokens.map((token) => token.serialNumber)).toEqual(['TOTP0001']);
  });

  it('R13 a serial without a seed is TOKEN_SEED_MISSING on the user row', () => {
    const state = mapUser(aSourceUser({ phone: '(425) 555-0100', oathTokenSerial: 'TOTP0002' }), aContext(), options);
    expect(state.hardwareTokens).toEqual([]);
    expect(issueOf(state, 'TOKEN_SEED_MISSING')).toMatchObject({ severity: 'warning', file: 'users.csv', line: 2 });
    expect(issueOf(state, 'TOKEN_SEED_MISSING').message).toContain('no seed in the tokens file');
  });

  it('R13 without a --tokens file TOKEN_SEED_MISSING says so', () => {
    const state = mapUser(aSourceUser({ phone: '(425) 555-0100', oathTokenSerial: 'TOTP0002' }), aContext({ tokensFileGiven: false }), options);
    expect(issueOf(state, 'TOKEN_SEED_MISSING').message).toContain('no --tokens file was given');
  });

  it('R13 a seed shifted into the serial column is not quoted back in the message', () => {
    const seedInSerial = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const state = mapUser(aSourceUser({ phone: '(425) 555-0100', oathTokenSerial: seedInSerial }), aContext(), options);
    expect(issueOf(state, 'TOKEN_SEED_MISSING').message).not.toContain(seedInSerial);
    expect(issueOf(state, 'TOKEN_SEED_MISSING').message).toContain('shaped like a secret key, not shown');
  });

  it('R13 a seed row with an empty secret key is TOKEN_SEED_MISSING on the token row', () => {
    const state = mapUser(aSourceUser({ phone: '(425) 555-0100', oathTokenSerial: 'TOTP0001' }), aContext({ tokens: [aToken({ line: 7, secretKey: null })] }), options);
    expect(issueOf(state, 'TOKEN_SEED_MISSING')).toMatchObject({ file: 'tokens.csv', line: 7 });
  });

  it.each([
    ['a seed that is neither Base32 nor hex', { secretKey: 'NOT-A-SEED!!' }],
    ['a seed over 128 Base32 characters', { secretKey: 'A'.repeat(129) }],
    ['an interval of 45 s', { timeInterval: 45 }],
    ['an unreadable interval', { timeInterval: 'thirty' }],
    ['an unsupported hash', { hashFunction: 'md5' }],
  ])('R13 %s is TOKEN_SEED_INVALID on the token row and no token is planned', (_name, token) => {
    const state = mapUser(aSourceUser({ phone: '(425) 555-0100', oathTokenSerial: 'TOTP0003' }), aContext({ tokens: [aToken({ serialNumber: 'TOTP0003', line: 3, ...token })] }), options);
    expect(state.hardwareTokens).toEqual([]);
    expect(issueOf(state, 'TOKEN_SEED_INVALID')).toMatchObject({ severity: 'error', file: 'tokens.csv', line: 3 });
  });

  it('R13 a serial claimed by two users is TOKEN_SERIAL_CONFLICT and no token is planned', () => {
    const state = mapUser(
      aSourceUser({ line: 14, username: 'niaj.nguyen@contoso.com', phone: '(425) 555-0111', oathTokenSerial: 'TOTP0004' }),
      aContext({ tokens: [aToken({ serialNumber: 'TOTP0004' })], serialConflict: { otherUsername: 'mallory.moss@contoso.com', otherLine: 13 } }),
      options,
    );
    expect(state.hardwareTokens).toEqual([]);
    expect(issueOf(state, 'TOKEN_SERIAL_CONFLICT')).toMatchObject({ severity: 'error', file: 'users.csv', line: 14 });
    expect(issueOf(state, 'TOKEN_SERIAL_CONFLICT').message).toContain('mallory.moss@contoso.com (line 13)');
  });

  it('R13 two seed rows with different seeds for one serial are ambiguous: TOKEN_SEED_INVALID on the second row', () => {
    const state = mapUser(
      aSourceUser({ phone: '(425) 555-0100', oathTokenSerial: 'TOTP0001' }),
      aContext({ tokens: [aToken({ line: 2 }), aToken({ line: 9, secretKey: 'JBSWY3DPEHPK3PXP' })] }),
      options,
    );
    expect(state.hardwareTokens).toEqual([]);
    expect(issueOf(state, 'TOKEN_SEED_INVALID')).toMatchObject({ line: 9 });
    expect(issueOf(state, 'TOKEN_SEED_INVALID').message).toContain('tokens.csv line 2');
  });

  it('R13 a repeated identical seed row plans the token once, from the first row', () => {
    const state = mapUser(
      aSourceUser({ oathTokenSerial: 'totp0001' }),
      aContext({ tokens: [aToken({ line: 2 }), aToken({ line: 9, secretKey: '3132333435363738393031323334353637383930' })] }),
      options,
    );
    expect(state.hardwareTokens.map((token) => token.line)).toEqual([2]);
    expect(codesOf(state)).toEqual([]);
  });

  it('R13 --hardware-tokens off plans no token and reports nothing about tokens', () => {
    const state = mapUser(
      aSourceUser({ phone: '(425) 555-0100', oathTokenSerial: 'TOTP0003' }),
      aContext({ tokens: [aToken({ serialNumber: 'TOTP0003', secretKey: 'bad!' })] }),
      someOptions({ hardwareTokens: 'off' }),
    );
    expect(state.hardwareTokens).toEqual([]);
    expect(codesOf(state)).toEqual([]);
  });
});

describe('R14 username resolution', () => {
  it('R14 DOMAIN\\sam with --upn-suffix resolves, and the sam becomes a match key', () => {
    const state = mapUser(aSourceUser({ username: 'CONTOSO\\carol', email: 'carol@contoso.com', phone: '(425) 555-0100' }), aContext(), someOptions({ upnSuffix: 'contoso.com' }));
    expect(state).toMatchObject({ status: 'ready', upn: 'carol@contoso.com', matchKeys: { samAccountName: 'carol', email: 'carol@contoso.com', sid: null, objectGuid: null } });
  });

  it('R14 without --upn-suffix DOMAIN\\sam is rejected: USERNAME_UNRESOLVABLE, and the row\'s other errors are reported too', () => {
    const state = mapUser(aSourceUser({ username: 'CONTOSO\\carol', phone: '555-01', backupPhone: '(425) 555-0100' }), aContext(), options);
    expect(state).toMatchObject({ status: 'rejected', upn: null, phones: { mobile: null, alternateMobile: null, office: null }, defaultMethod: null });
    expect(codesOf(state)).toEqual(['USERNAME_UNRESOLVABLE', 'PHONE_INVALID']);
    expect(issueOf(state, 'USERNAME_UNRESOLVABLE').message).toContain('--upn-suffix');
  });
  // Matching the UPN in Entra (USER_NOT_FOUND) is the plan step's, which can read Entra.
});

describe('R15 duplicate usernames', () => {
  it('R15 a repeated username is rejected with DUPLICATE_USER naming the first line', () => {
    const state = mapUser(aSourceUser({ line: 18, username: 'ALICE.ANDERS@contoso.com', phone: '(425) 555-0199' }), aContext({ duplicateOf: { line: 2 } }), options);
    expect(state).toMatchObject({ status: 'rejected', phones: { mobile: null }, upn: 'ALICE.ANDERS@contoso.com' });
    expect(issueOf(state, 'DUPLICATE_USER')).toMatchObject({ severity: 'error', file: 'users.csv', line: 18 });
    expect(issueOf(state, 'DUPLICATE_USER').message).toContain('repeats line 2');
  });
});

describe('R16 rows without username', () => {
  it('R16 a row without a username is rejected: ROW_INVALID with its line', () => {
    const state = mapUser(aSourceUser({ line: 17, username: '', phone: '(425) 555-0113' }), aContext(), options);
    expect(state).toMatchObject({ status: 'rejected', upn: null, defaultMethod: null });
    expect(issueOf(state, 'ROW_INVALID')).toMatchObject({ severity: 'error', file: 'users.csv', line: 17 });
  });
});

describe('status, carried findings and secrets', () => {
  it('a user whose every method failed with an error is rejected', () => {
    const state = mapUser(aSourceUser({ phone: '555-01', method: 'phoneCall' }), aContext(), options);
    expect(state.status).toBe('rejected');
    expect(codesOf(state)).toEqual(['PHONE_INVALID']);
  });

  it('a ready user with nothing to plan gets NOTHING_TO_MIGRATE', () => {
    const state = mapUser(aSourceUser({ method: 'phoneCall' }), aContext(), options);
    expect(state).toMatchObject({ status: 'ready', defaultMethod: null });
    expect(codesOf(state)).toEqual(['NOTHING_TO_MIGRATE']);
  });

  it('the reader\'s findings on the row are carried into issues', () => {
    const dateIssue = finding('DATE_INVALID', 'devices.csv', 4, 'devices.csv line 4: date "yesterday" is not a date — correct it; it was treated as empty.');
    const languageIssue = finding('VALUE_UNKNOWN', 'users.csv', 2, 'users.csv line 2: enabled "Maybe" is not known — correct the value; the field was treated as empty.');
    const state = mapUser(aSourceUser({ phone: '(425) 555-0100', findings: [languageIssue] }), aContext({ devices: [aDevice({ line: 4, findings: [dateIssue] })] }), options);
    expect(state.issues).toEqual([languageIssue, dateIssue]);
  });

  it('a row with undecodable bytes is rejected: the row is not used', () => {
    const bytes = finding('BYTES_UNDECODABLE', 'users.csv', 2, 'users.csv line 2: bytes are not valid UTF-8 — re-run with --encoding windows1252.');
    const state = mapUser(aSourceUser({ phone: '(425) 555-0100', findings: [bytes] }), aContext(), options);
    expect(state.status).toBe('rejected');
    expect(state.issues).toEqual([bytes]);
  });

  it('no secret appears in a finding or in the JSON of a desired state', () => {
    const goodSeed = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const badSeed = 'NOT-A-VALID-SEED-ZQ!';
    const state = mapUser(
      aSourceUser({ phone: '(425) 555-0100', oathTokenSerial: 'TOTP0001' }),
      aContext({ tokens: [aToken({ serialNumber: 'TOTP0001', secretKey: goodSeed }), aToken({ serialNumber: 'TOTP0009', username: 'alice@contoso.com', line: 5, secretKey: badSeed })] }),
      options,
    );
    expect(state.hardwareTokens).toHaveLength(1);
    expect(codesOf(state)).toContain('TOKEN_SEED_INVALID');
    const json = JSON.stringify(state);
    for (const seed of [goodSeed, badSeed]) expect(json).not.toContain(seed);
    expect(json).not.toContain('JBSWY3DP');
    expect(json).toContain('[REDACTED]');
  });

  it('every finding message starts with its own file and line', () => {
    const state = mapUser(
      aSourceUser({ line: 12, phone: '555-01', backupPhone: '(425) 555-0100', oathTokenSerial: 'TOTP0003', textMessageMode: 'otpPin' }),
      aContext({ devices: [aDevice({ line: 3 })], tokens: [aToken({ serialNumber: 'TOTP0003', line: 4, secretKey: 'bad!' })], existingAuthenticatorNames: new Set() }),
      options,
    );
    expect(state.issues.length).toBeGreaterThanOrEqual(5);
    for (const item of state.issues) expect(item.message.startsWith(`${item.file} line ${item.line}: `)).toBe(true);
  });
});
