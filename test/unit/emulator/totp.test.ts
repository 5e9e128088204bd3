import { describe, expect, it } from 'vitest';
import { encodeBase32 } from '../../../src/base32.js';
import { totp, verifyTotp } from '../../../src/emulator/totp.js';

// RFC 6238 appendix B: the SHA-1 seed is "12345678901234567890", the SHA-256 seed "12345678901234567890123456789012".
const SHA1_SEED = encodeBase32(Buffer.from('12345678901234567890', 'ascii'));
const SHA256_SEED = encodeBase32(Buffer.from('12345678901234567890123456789012', 'ascii'));

describe('totp (RFC 6238)', () => {
  it.each([
    [59, '94287082', '46119246'],
    [1111111109, '07081804', '68084774'],
    [1111111111, '14050471', '67062674'],
    [1234567890, '89005924', '91819424'],
    [2000000000, '69279037', '90698825'],
    [20000000000, '65353130', '77737706'],
  ])('matches the RFC test vectors at T=%i', (seconds, sha1, sha256) => {
    expect(totp(SHA1_SEED, seconds * 1000, 30, 'hmacsha1', 8)).toBe(sha1);
    expect(totp(SHA256_SEED, seconds * 1000, 30, 'hmacsha256', 8)).toBe(sha256);
  });

  it('gives six digits by default, and 60-second steps change codes half as often', () => {
    expect(totp(SHA1_SEED, 59_000)).toBe('287082');
    expect(totp(SHA1_SEED, 60_000, 60)).toBe(totp(SHA1_SEED, 119_999, 60));
    expect(totp(SHA1_SEED, 60_000, 30)).not.toBe(totp(SHA1_SEED, 119_999, 30));
  });

  it('accepts one step of drift either side, not two', () => {
    const now = 1_700_000_000_000;
    expect(verifyTotp(SHA1_SEED, totp(SHA1_SEED, now - 30_000), now)).toBe(true);
    expect(verifyTotp(SHA1_SEED, totp(SHA1_SEED, now + 30_000), now)).toBe(true);
    expect(verifyTotp(SHA1_SEED, totp(SHA1_SEED, now - 60_000), now)).toBe(false);
  });

});
