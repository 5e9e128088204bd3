import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase32, encodeBase32 } from '../../src/base32.js';

/** RFC 4648 section 10, without the padding Entra does not use. */
const RFC4648_VECTORS: readonly (readonly [string, string])[] = [
  ['', ''],
  ['f', 'MY'],
  ['fo', 'MZXQ'],
  ['foo', 'MZXW6'],
  ['foob', 'MZXW6YQ'],
  ['fooba', 'MZXW6YTB'],
  ['foobar', 'MZXW6YTBOI'],
];

describe('Base32 (RFC 4648)', () => {
  it.each(RFC4648_VECTORS)('encodes %j as %s and decodes it back', (text, base32) => {
    expect(encodeBase32(Buffer.from(text, 'ascii'))).toBe(base32);
    expect(decodeBase32(base32).toString('ascii')).toBe(text);
  });

  it('decodes lower case, padding and white space', () => {
    expect(decodeBase32('mzxw6===').toString('ascii')).toBe('foo');
    expect(decodeBase32('MZXW 6YTB\nOI').toString('ascii')).toBe('foobar');
    expect(decodeBase32('jbswy3dpehpk3pxp').toString('hex')).toBe(`${Buffer.from('Hello!').toString('hex')}deadbeef`);
  });

  it('refuses other characters without quoting the text', () => {
    expect(() => decodeBase32('MZXW1')).toThrow(RangeError);
    expect(() => decodeBase32('SECRET-8')).toThrow(/^(?!.*SECRET).*$/);
  });

  it('round-trips any bytes (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
      expect([...decodeBase32(encodeBase32(bytes))]).toEqual([...bytes]);
    }));
  });
});
