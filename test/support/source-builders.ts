/** Builders of the readers' records (what mapping takes): a valid record with every field absent unless given. */
import { Secret } from '../../src/secret.js';
import type { SourceDevice, SourceToken, SourceUser } from '../../src/source/records.js';
import type { MappingOptions } from '../../src/mapping/desired-state.js';
import type { UserContext } from '../../src/mapping/map-user.js';

export function aSourceUser(overrides: Partial<SourceUser> = {}): SourceUser {
  return {
    file: 'users.csv',
    line: 2,
    username: 'alice@contoso.com',
    firstName: null,
    lastName: null,
    email: null,
    countryCode: '1',
    phone: null,
    extension: null,
    backupCountryCode: null,
    backupPhone: null,
    backupExtension: null,
    method: null,
    phoneCallMode: null,
    textMessageMode: null,
    mobileAppMode: null,
    enabled: true,
    oathTokenSerial: null,
    sid: null,
    objectGuid: null,
    language: null,
    findings: [],
    ...overrides,
  };
}

export function aDevice(overrides: Partial<SourceDevice> = {}): SourceDevice {
  return {
    file: 'devices.csv',
    line: 2,
    username: 'alice@contoso.com',
    deviceName: 'iPhone',
    notificationType: null,
    hasOathSecret: false,
    os: null,
    appVersion: null,
    activatedAt: null,
    lastUsedAt: null,
    findings: [],
    ...overrides,
  };
}

/** RFC 6238's SHA-1 test seed ("12345678901234567890") in Base32. */
export const RFC6238_SEED_BASE32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

export function aToken(overrides: Partial<Omit<SourceToken, 'secretKey'>> & { readonly secretKey?: string | null } = {}): SourceToken {
  const { secretKey = RFC6238_SEED_BASE32, ...rest } = overrides;
  return {
    file: 'tokens.csv',
    line: 2,
    username: null,
    serialNumber: 'TOTP0001',
    timeInterval: 30,
    manufacturer: 'Contoso',
    model: 'Hardware Key',
    hashFunction: 'hmacsha1',
    findings: [],
    ...rest,
    secretKey: secretKey === null ? null : new Secret(secretKey),
  };
}

export function aContext(overrides: Partial<UserContext> = {}): UserContext {
  return {
    devices: [],
    tokens: [],
    tokensFileGiven: true,
    serialConflict: null,
    duplicateOf: null,
    existingAuthenticatorNames: null,
    disabledByPolicy: new Set(),
    ...overrides,
  };
}

export function someOptions(overrides: Partial<MappingOptions> = {}): MappingOptions {
  return {
    defaultCountryCode: '1',
    upnSuffix: null,
    includeDisabled: false,
    tokenSecretEncoding: 'auto',
    hardwareTokens: 'import',
    ...overrides,
  };
}
