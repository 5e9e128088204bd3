import { describe, expect, it } from 'vitest';
import { normaliseSeed } from '../../../src/mapping/seeds.js';
import { Secret } from '../../../src/secret.js';
import { RFC6238_SEED_BASE32 } from '../../support/source-builders.js';

function base32(seed: string, encoding: 'auto' | 'base32' | 'hex' = 'auto'): string {
  const result = normaliseSeed(new Secret(seed), encoding);
  if (!result.ok) throw new Error(result.reason);
  return result.base32.reveal();
}

function reasonFor(seed: string, encoding: 'auto' | 'base32' | 'hex' = 'auto'): string {
  const result = normaliseSeed(new Secret(seed), encoding);
  if (result.ok) throw new Error('expected the seed to be rejected');
  return result.reason;
}

describe('R13 seed normalisation', () => {
  it('R13 hex converts to RFC 4648 Base32: RFC 6238 test seed', () => {
    expect(base32('3132333435363738393031323334353637383930')).toBe(RFC6238_SEED_BASE32);
    expect(base32('3132333435363738393031323334353637383930', 'hex')).toBe(RFC6238_SEED_BASE32);
  });

  it.each([
    ['66', 'MY'],
    ['666f', 'MZXQ'],
    ['666f6f', 'MZXW6'],
    ['666f6f62', 'MZXW6YQ'],
    ['666f6f6261', 'MZXW6YTB'],
    ['666f6f626172', 'MZXW6YTBOI'],
  ])('R13 hex %s is RFC 4648 Base32 %s without padding', (hex, expected) => {
    expect(base32(hex, 'hex')).toBe(expected);
  });

  it('R13 Base32 is upper-cased, stripped of spaces, dashes and = padding', () => {
    expect(base32('gezd gnbv-gy3t qojq gezdgnbvgy3tqojq')).toBe(RFC6238_SEED_BASE32);
    expect(base32('MZXW6YQ=')).toBe('MZXW6YQ');
  });

  it('R13 auto prefers Base32 for a string valid as both, and reads hex when a 0, 1, 8 or 9 rules Base32 out', () => {
    expect(base32('ABCDEF234567')).toBe('ABCDEF234567');
    expect(base32('ABCDEF234567', 'hex')).toBe('VPG66I2FM4');
    expect(base32('0A')).toBe('BI');
  });

  it.each([
    ['empty', '   ', 'auto'],
    ['neither alphabet', 'NOT-A-SEED!!', 'auto'],
    ['odd-length hex', '313', 'auto'],
    ['hex letters beyond F when forced to hex', 'GHIJ', 'hex'],
    ['digits 0, 1, 8, 9 when forced to Base32', '3132', 'base32'],
    ['padding in the middle', 'MZ=XW', 'base32'],
  ] as const)('R13 rejects a seed that is %s', (_name, seed, encoding) => {
    expect(reasonFor(seed, encoding)).not.toBe('');
  });

  it('R13 rejects more than 128 Base32 characters, including hex that converts to more', () => {
    expect(base32('A'.repeat(128))).toHaveLength(128);
    expect(reasonFor('A'.repeat(129))).toContain('129');
    expect(base32('ab'.repeat(80), 'hex')).toHaveLength(128);
    expect(reasonFor('ab'.repeat(81), 'hex')).toContain('130');
  });

  it('R13 a rejection reason never contains the seed or any part of it', () => {
    const seed = 'ZZZZ-SECRET-9999-QQQQ';
    const reason = reasonFor(seed);
    for (const part of ['ZZZZ', 'SECRET', '9999', 'QQQQ']) expect(reason.toUpperCase()).not.toContain(part);
  });

  it('R13 the normalised seed prints as [REDACTED]', () => {
    const result = normaliseSeed(new Secret(RFC6238_SEED_BASE32), 'auto');
    expect(JSON.stringify(result)).not.toContain(RFC6238_SEED_BASE32);
    expect(String(result.ok && result.base32)).toBe('[REDACTED]');
  });
});
