/**
 * RFC 4648 Base32, the form Entra takes a hardware OATH token's secret key in
 * (authenticationmethoddevice-post-hardwareoathdevices.md: `secretKey`, Base32, at most 128
 * characters). Mapping normalises hex seeds to it, apply decodes it to compute activation codes,
 * the emulator decodes it to check them. Shared by all three (the emulator otherwise shares no code
 * with the tool): a slip here is caught by the RFC 4648 test vectors in test/unit/base32.test.ts,
 * not by the emulator.
 */

export const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

const BITS_PER_CHARACTER = 5;
const BITS_PER_BYTE = 8;
const CHARACTER_MASK = 0b11111;
const BYTE_MASK = 0xff;

/** Upper-case Base32 without `=` padding (Entra's form). */
export function encodeBase32(bytes: Uint8Array): string {
  let output = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    // Only the bits not yet written are kept, so the buffer never outgrows 32-bit arithmetic.
    buffer = ((buffer << BITS_PER_BYTE) | byte) & 0xffff;
    bits += BITS_PER_BYTE;
    while (bits >= BITS_PER_CHARACTER) {
      bits -= BITS_PER_CHARACTER;
      output += BASE32_ALPHABET.charAt((buffer >>> bits) & CHARACTER_MASK);
    }
  }
  if (bits > 0) output += BASE32_ALPHABET.charAt((buffer << (BITS_PER_CHARACTER - bits)) & CHARACTER_MASK);
  return output;
}

/**
 * Decodes Base32, case-insensitive, ignoring white space and `=` padding. Throws a RangeError on
 * any other character; the message never quotes the text, which may be a seed.
 */
export function decodeBase32(text: string): Buffer {
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const character of text.replace(/[\s=]/g, '').toUpperCase()) {
    const value = BASE32_ALPHABET.indexOf(character);
    if (value < 0) throw new RangeError('The value is not Base32 (only the letters A–Z and the digits 2–7 are allowed).');
    buffer = ((buffer << BITS_PER_CHARACTER) | value) & 0xffff;
    bits += BITS_PER_CHARACTER;
    if (bits >= BITS_PER_BYTE) {
      bits -= BITS_PER_BYTE;
      bytes.push((buffer >>> bits) & BYTE_MASK);
    }
  }
  return Buffer.from(bytes);
}
