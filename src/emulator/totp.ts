/**
 * RFC 6238 TOTP (and the RFC 4226 HOTP it builds on) with node:crypto. Entra hardware OATH
 * tokens are TOTP with SHA-1 or SHA-256 and a 30 or 60 second step, six digits
 * (microsoftgraph/microsoft-graph-docs-contrib api-reference/beta/resources/
 * hardwareoathtokenauthenticationmethoddevice.md). The emulator verifies activation codes with
 * it; the tool will need the same function to activate tokens, hence the plain exported API.
 */
import { createHmac } from 'node:crypto';
import { decodeBase32 } from '../base32.js';

export type TotpHash = 'hmacsha1' | 'hmacsha256';

/** RFC 4226 HOTP value for one counter. */
export function hotp(key: Uint8Array, counter: number, hash: TotpHash = 'hmacsha1', digits = 6): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(hash === 'hmacsha256' ? 'sha256' : 'sha1', key).update(message).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/**
 * The TOTP code a token shows at `timeMs` (milliseconds since the epoch).
 *
 * @param secretBase32 the token seed in Base32, as Entra stores it
 * @param stepSeconds 30 or 60 for Entra hardware tokens
 */
export function totp(
  secretBase32: string,
  timeMs: number,
  stepSeconds = 30,
  hash: TotpHash = 'hmacsha1',
  digits = 6,
): string {
  return hotp(decodeBase32(secretBase32), Math.floor(timeMs / 1000 / stepSeconds), hash, digits);
}

/**
 * Whether `code` is the token's code at `timeMs` or within `driftSteps` steps either side
 * (RFC 6238 §5.2 recommends allowing one step of clock drift).
 */
export function verifyTotp(
  secretBase32: string,
  code: string,
  timeMs: number,
  stepSeconds = 30,
  hash: TotpHash = 'hmacsha1',
  driftSteps = 1,
): boolean {
  const key = decodeBase32(secretBase32);
  const counter = Math.floor(timeMs / 1000 / stepSeconds);
  for (let delta = -driftSteps; delta <= driftSteps; delta += 1) {
    if (counter + delta >= 0 && hotp(key, counter + delta, hash, code.length) === code) return true;
  }
  return false;
}
