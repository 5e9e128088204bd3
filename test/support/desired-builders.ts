/** Builders for mapping's output types, shared by the plan and journal tests. */
import type { DesiredHardwareToken } from '../../src/mapping/desired-state.js';
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
