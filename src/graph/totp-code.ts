/**
 * The TOTP code (RFC 6238 over RFC 4226 HOTP) a hardware OATH token shows, so apply can activate a
 * token whose seed we hold (hardwareoathauthenticationmethod-activate.md: `verificationCode`).
 * Entra tokens are SHA-1 or SHA-256, 30 or 60 second step, six digits
 * (api-reference/beta/resources/hardwareoathtokenauthenticationmethoddevice.md). Kept apart from
 * src/emulator/totp.ts on purpose: the emulator is the referee and shares no code with the tool
 * (Base32 aside, which src/base32.ts checks against RFC 4648's own vectors).
 */
import { createHmac } from 'node:crypto';
import { decodeBase32 } from '../base32.js';
import type { Secret } from '../secret.js';

export type TotpHashFunction = 'hmacsha1' | 'hmacsha256';

/** Entra hardware tokens show six digits. */
const TOTP_DIGITS = 6;

/** The code the token shows at `timeMs`; the seed is revealed only inside this function. */
export function totpCode(seed: Secret, timeMs: number, stepSeconds: 30 | 60, hashFunction: TotpHashFunction): string {
  const counter = Math.floor(timeMs / 1000 / stepSeconds);
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(hashFunction === 'hmacsha256' ? 'sha256' : 'sha1', decodeBase32(seed.reveal())).update(message).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** TOTP_DIGITS).padStart(TOTP_DIGITS, '0');
}
