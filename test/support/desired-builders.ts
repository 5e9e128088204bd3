/** Builders of mapping's output: a ready user with nothing planned unless told otherwise. */
import type { DesiredDevice, DesiredHardwareToken, DesiredState } from '../../src/mapping/desired-state.js';
import { Secret } from '../../src/secret.js';

/** A planned hardware token (RFC 6238's test seed, as Base32). */
export function aDesiredToken(overrides: Partial<DesiredHardwareToken> = {}): DesiredHardwareToken {
  return {
    serialNumber: 'TOTP0001',
    secretKey: new Secret('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'),
    timeIntervalInSeconds: 30,
    hashFunction: 'hmacsha1',
    manufacturer: 'Contoso',
    model: 'Hardware Key',
    file: 'tokens.csv',
    line: 2,
    ...overrides,
  };
}

export function aDesiredState(overrides: Partial<DesiredState> = {}): DesiredState {
  return {
    username: 'alice@contoso.com',
    upn: 'alice@contoso.com',
    displayName: null,
    file: 'users.csv',
    line: 7,
    status: 'ready',
    phones: { mobile: null, alternateMobile: null, office: null },
    requestedDefaultMethod: null,
    defaultMethod: null,
    devices: [],
    hardwareTokens: [],
    matchKeys: { samAccountName: null, email: null, sid: null, objectGuid: null },
    issues: [],
    ...overrides,
  };
}

export function aDesiredDevice(overrides: Partial<DesiredDevice> = {}): DesiredDevice {
  return { name: 'iPhone', status: 'kept', registration: 'unknown', lastUsedAt: null, line: 3, ...overrides };
}
