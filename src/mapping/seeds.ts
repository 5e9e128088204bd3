/**
 * Hardware OATH seeds (R13): Entra takes the secret key as Base32, at most 128 characters
 * (https://learn.microsoft.com/entra/identity/authentication/concept-authentication-oath-tokens).
 * Vendor seed files carry Base32 or hex.
 */
import { encodeBase32 } from '../base32.js';
import { Secret } from '../secret.js';
import type { TokenSecretEncoding } from './desired-state.js';

/** Entra's limit on a hardware token's Base32 secret key. */
export const MAX_BASE32_SEED_LENGTH = 128;

/** Spaces and dashes group seeds for people to read; they carry nothing. */
const GROUPING = /[\s-]/g;
const BASE32 = /^[A-Z2-7]+=*$/;
const HEX = /^[0-9A-F]+$/;
const HEX_PREFIX = '0X';

export type SeedResult = { readonly ok: true; readonly base32: Secret } | { readonly ok: false; readonly reason: string };

function withoutHexPrefix(cleaned: string): string {
  return cleaned.startsWith(HEX_PREFIX) ? cleaned.slice(HEX_PREFIX.length) : cleaned;
}

function fromBase32(cleaned: string): SeedResult {
  if (!BASE32.test(cleaned)) return { ok: false, reason: 'is not Base32 (letters A–Z and digits 2–7)' };
  return withinLimit(cleaned.replace(/=+$/, ''));
}

function fromHex(cleaned: string): SeedResult {
  if (!HEX.test(cleaned)) return { ok: false, reason: 'is not hex (digits 0–9 and letters A–F)' };
  if (cleaned.length % 2 !== 0) return { ok: false, reason: `is hex of odd length (${cleaned.length} characters), so not whole bytes` };
  return withinLimit(encodeBase32(Buffer.from(cleaned, 'hex')));
}

function withinLimit(base32: string): SeedResult {
  if (base32.length > MAX_BASE32_SEED_LENGTH) {
    return { ok: false, reason: `is ${base32.length} Base32 characters long; Entra accepts at most ${MAX_BASE32_SEED_LENGTH}` };
  }
  return { ok: true, base32: new Secret(base32) };
}

/**
 * Normalises a seed to upper-case Base32 without padding (R13). Spaces and dashes are ignored,
 * letters are case-insensitive, and `=` padding is dropped. With `auto`, a string that is valid
 * Base32 is read as Base32, else a valid even-length hex string is read as hex: the two alphabets
 * overlap only on A–F and 2–7, and a hex seed of real length (40 or 64 characters) almost always
 * holds a 0, 1, 8 or 9, which Base32 lacks. `--token-secret-encoding hex` settles the rare rest.
 * `reason` never contains any part of the secret.
 */
export function normaliseSeed(secret: Secret, encoding: TokenSecretEncoding): SeedResult {
  const cleaned = secret.reveal().replace(GROUPING, '').toUpperCase();
  if (cleaned === '') return { ok: false, reason: 'is empty' };
  switch (encoding) {
    case 'base32':
      return fromBase32(cleaned);
    case 'hex':
      return fromHex(withoutHexPrefix(cleaned));
    case 'auto':
      if (BASE32.test(cleaned)) return fromBase32(cleaned);
      if (HEX.test(withoutHexPrefix(cleaned))) return fromHex(withoutHexPrefix(cleaned));
      return { ok: false, reason: 'is neither Base32 (A–Z, 2–7) nor hex (0–9, A–F)' };
  }
}
