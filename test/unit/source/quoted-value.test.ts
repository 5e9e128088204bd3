import { describe, expect, it } from 'vitest';
import { MAX_QUOTED_CHARACTERS, looksLikeKey, quotedValue } from '../../../src/source/quoted-value.js';

describe('looksLikeKey', () => {
  it.each([
    ['Base32 seed', 'JBSWY3DPEHPK3PXP'],
    ['Base32 seed in lower case, grouped', 'jbsw y3dp ehpk 3pxp'],
    ['Base32 seed without digits', 'JBSWYXDPEHPKQPXPAB'],
    ['padded Base32', 'GEZDGNBVGY3TQOJQ===='],
    ['hex seed', '3132333435363738393031323334353637383930'],
    ['hex seed grouped with dashes', '3132-3334-3536-3738-3930'],
    ['APNs push token', 'a3f9c2e1b4d5a6f7e8d9c0b1a2f3e4d5c6b7a8f9e0d1c2b3a4f5e6d7c8b9a0f1'],
    ['Firebase push token', 'dXk3bE9fQ2eR7_tY:APA91bHun4MxP5egoKMwt2KZFBaFUH-1RYqx'],
    ['a seed among words', 'seed JBSWY3DPEHPK3PXP here'],
  ])('%s', (_case, text) => {
    expect(looksLikeKey(text)).toBe(true);
  });

  it.each([
    ['header', 'Notification Type'],
    ['camelCase header', 'lastAuthenticatedAt'],
    ['ISO date', '2024-01-01T10:00:00.123456789Z'],
    ['US date', '11/2/2026 8:01:44 AM'],
    ['phone number', '+44 7911 123456'],
    ['UPN', 'alice.anders@contoso.com'],
    ['short code', 'TOTP0001'],
    ['sentence', 'Carrier pigeon with a long name'],
  ])('not %s', (_case, text) => {
    expect(looksLikeKey(text)).toBe(false);
  });
});

describe('quotedValue', () => {
  it('quotes short text as it is', () => {
    expect(quotedValue('Fax')).toBe('"Fax"');
  });

  it('escapes control characters and bidirectional overrides', () => {
    expect(quotedValue('a\u0000b\u001b[31mc\r\nd\te\u202ef\u009b')).toBe('"a\\u0000b\\u001b[31mc\\r\\nd\\te\\u202ef\\u009b"');
  });

  it(`cuts after ${MAX_QUOTED_CHARACTERS} characters, never inside a surrogate pair`, () => {
    const text = `${'a'.repeat(MAX_QUOTED_CHARACTERS - 1)}𝄞tail`;
    expect(quotedValue(text)).toBe(`"${'a'.repeat(MAX_QUOTED_CHARACTERS - 1)}…" (${text.length} characters)`);
  });

  it('describes a key instead of quoting it', () => {
    expect(quotedValue('JBSWY3DPEHPK3PXP')).toBe('(a 16-character value shaped like a secret key, not shown)');
  });
});
