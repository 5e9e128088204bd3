/**
 * Hardware OATH tokens of one user (R13). Entra accepts TOTP hardware tokens with a 30 or 60 s
 * interval and HMAC-SHA1 or HMAC-SHA256
 * (https://learn.microsoft.com/entra/identity/authentication/concept-authentication-oath-tokens).
 */
import { finding } from '../findings.js';
import type { Finding } from '../findings.js';
import type { SourceToken, SourceUser } from '../source/records.js';
import { quotedValue } from '../source/quoted-value.js';
import type { DesiredHardwareToken, HardwareTokenMode, TokenSecretEncoding } from './desired-state.js';
import { normaliseSeed } from './seeds.js';

const SUPPORTED_INTERVALS: readonly number[] = [30, 60];

export interface TokenContext {
  readonly tokens: readonly SourceToken[];
  readonly tokensFileGiven: boolean;
  readonly serialConflict: { readonly otherUsername: string; readonly otherLine: number } | null;
}

export interface TokenPlan {
  readonly tokens: readonly DesiredHardwareToken[];
  /** Findings of R13; errors are the ones that block a token. */
  readonly findings: readonly Finding[];
}

const NO_TOKENS: TokenPlan = { tokens: [], findings: [] };

type RowCheck = { readonly ok: true; readonly token: DesiredHardwareToken } | { readonly ok: false; readonly finding: Finding };

function serialKey(serial: string): string {
  return serial.trim().toLowerCase();
}

function seedInvalid(row: SourceToken, what: string): Finding {
  const { file, line } = row;
  return finding(
    'TOKEN_SEED_INVALID',
    file,
    line,
    `${file} line ${line}: hardware token ${quotedValue(row.serialNumber.trim())} ${what} — get a correct seed file from the token vendor (Entra accepts Base32 or hex seeds of at most 128 Base32 characters, 30 or 60 s intervals, HMAC-SHA1 or HMAC-SHA256); the token was not migrated.`,
  );
}

function invalid(row: SourceToken, what: string): RowCheck {
  return { ok: false, finding: seedInvalid(row, what) };
}

function checkRow(row: SourceToken, secretKey: NonNullable<SourceToken['secretKey']>, encoding: TokenSecretEncoding): RowCheck {
  const interval = row.timeInterval;
  if (typeof interval !== 'number' || !SUPPORTED_INTERVALS.includes(interval)) {
    return invalid(row, `has time interval "${String(interval)}"; Entra accepts 30 or 60 seconds`);
  }
  const hashFunction = row.hashFunction.trim().toLowerCase();
  if (hashFunction !== 'hmacsha1' && hashFunction !== 'hmacsha256') {
    return invalid(row, `has hash function "${row.hashFunction}"; Entra accepts hmacsha1 or hmacsha256`);
  }
  const seed = normaliseSeed(secretKey, encoding);
  if (!seed.ok) return invalid(row, `has a secret key that ${seed.reason}`);
  return {
    ok: true,
    token: {
      serialNumber: row.serialNumber.trim(),
      secretKey: seed.base32,
      timeIntervalInSeconds: interval === 60 ? 60 : 30,
      hashFunction,
      manufacturer: row.manufacturer,
      model: row.model,
      file: row.file,
      line: row.line,
    },
  };
}

function sameToken(a: DesiredHardwareToken, b: DesiredHardwareToken): boolean {
  return a.secretKey.reveal() === b.secretKey.reveal() && a.timeIntervalInSeconds === b.timeIntervalInSeconds && a.hashFunction === b.hashFunction;
}

/**
 * One serial's seed rows → one token, or the findings that stop it. Several rows for one serial
 * are accepted only when they all carry the same valid seed, interval and hash (a repeated export
 * line); otherwise the seed is ambiguous and the token is not planned (TOKEN_SEED_INVALID).
 */
function planSerial(rows: readonly SourceToken[], encoding: TokenSecretEncoding, username: string): { token: DesiredHardwareToken | null; findings: Finding[] } {
  const findings: Finding[] = [];
  const accepted: DesiredHardwareToken[] = [];
  let blocked = false;
  for (const row of rows) {
    findings.push(...row.findings);
    if (row.secretKey === null) {
      findings.push(
        finding(
          'TOKEN_SEED_MISSING',
          row.file,
          row.line,
          `${row.file} line ${row.line}: hardware token ${quotedValue(row.serialNumber.trim())} of ${username} has no secret key — add the token's seed from the vendor to the tokens file, or the token is not migrated.`,
        ),
      );
      continue;
    }
    const check = checkRow(row, row.secretKey, encoding);
    if (!check.ok) {
      findings.push(check.finding);
      blocked = true;
      continue;
    }
    const first = accepted[0];
    if (first !== undefined && !sameToken(first, check.token)) {
      findings.push(seedInvalid(row, `has a different seed, interval or hash than the same serial on ${first.file} line ${first.line}, so the right one is unknown`));
      blocked = true;
      continue;
    }
    accepted.push(check.token);
  }
  const token = blocked ? null : (accepted[0] ?? null);
  return { token, findings };
}

/**
 * Plans a user's hardware tokens (R13): one per serial among the user's `oathTokenSerial` and the
 * seed rows that name the user. Nothing (and no finding) with `--hardware-tokens off`.
 */
export function planHardwareTokens(user: SourceUser, context: TokenContext, mode: HardwareTokenMode, encoding: TokenSecretEncoding): TokenPlan {
  const userSerial = user.oathTokenSerial?.trim() ?? '';
  if (mode === 'off' || (userSerial === '' && context.tokens.length === 0)) return NO_TOKENS;
  const { file, line } = user;
  const findings: Finding[] = [];
  const tokens: DesiredHardwareToken[] = [];
  const userSerialKey = userSerial === '' ? null : serialKey(userSerial);

  const rowsBySerial = new Map<string, SourceToken[]>();
  for (const row of context.tokens) {
    const key = serialKey(row.serialNumber);
    const rows = rowsBySerial.get(key);
    if (rows === undefined) rowsBySerial.set(key, [row]);
    else rows.push(row);
  }

  if (userSerialKey !== null) {
    if (context.serialConflict !== null) {
      const other = context.serialConflict;
      findings.push(
        finding(
          'TOKEN_SERIAL_CONFLICT',
          file,
          line,
          `${file} line ${line}: hardware token ${quotedValue(userSerial)} of ${user.username} is also the token of ${other.otherUsername} (line ${other.otherLine}) — decide who holds it and clear the serial on the other user in MFA Server; neither user gets the token until then.`,
        ),
      );
      rowsBySerial.delete(userSerialKey);
    } else if (!rowsBySerial.has(userSerialKey)) {
      const where = context.tokensFileGiven
        ? 'has no seed in the tokens file — add the token\'s seed from the vendor to the tokens file'
        : 'has no seed because no --tokens file was given — pass the vendor\'s seed file with --tokens';
      findings.push(finding('TOKEN_SEED_MISSING', file, line, `${file} line ${line}: hardware token ${quotedValue(userSerial)} of ${user.username} ${where}, or the token is not migrated.`));
    }
  }

  for (const rows of rowsBySerial.values()) {
    const planned = planSerial(rows, encoding, user.username);
    findings.push(...planned.findings);
    if (planned.token !== null) tokens.push(planned.token);
  }
  return { tokens, findings };
}
