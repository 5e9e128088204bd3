/**
 * Reading the values of export cells: methods, modes, enabled flags, country calling codes, dates
 * and token parameters. A value the tool does not know becomes the documented default plus a
 * finding on the row; nothing here throws. Inputs are already trimmed; '' means empty.
 */
import { finding } from '../findings.js';
import type { Finding } from '../findings.js';
import { looksLikeKey, quotedValue } from './quoted-value.js';
import type { HashFunction, SourceMethod, SourceMode, SourceToken } from './records.js';

/** Where a value came from, and where its findings go. */
export interface ValueSite {
  readonly file: string;
  readonly line: number;
  note(finding: Finding): void;
}

// Lower case without spaces, `_`, `-`, `.` or `+`: `One-Way OTP + PIN` → `onewayotppin`.
const NOT_LETTER_OR_DIGIT = /[^\p{L}\p{N}]+/gu;

function valueKey(value: string): string {
  return value.replace(NOT_LETTER_OR_DIGIT, '').toLowerCase();
}

function unknownValue(site: ValueSite, column: string, value: string, what: string, accepted: string, consequence: string): void {
  site.note(finding('VALUE_UNKNOWN', site.file, site.line, `${site.file} line ${site.line}: ${column} ${quotedValue(value)} is not ${what} (${accepted}) — ${consequence}`));
}

const METHODS: ReadonlyMap<string, SourceMethod> = new Map<string, SourceMethod>([
  ['phonecall', 'phoneCall'],
  ['phone', 'phoneCall'],
  ['voice', 'phoneCall'],
  ['voicecall', 'phoneCall'],
  ['textmessage', 'textMessage'],
  ['sms', 'textMessage'],
  ['text', 'textMessage'],
  ['mobileapp', 'mobileApp'],
  ['app', 'mobileApp'],
  ['authenticator', 'mobileApp'],
  ['microsoftauthenticator', 'mobileApp'],
  ['oathtoken', 'oathToken'],
  ['oath', 'oathToken'],
  ['token', 'oathToken'],
]);

/** The users file "Method" column; null when empty or unknown (unknown adds VALUE_UNKNOWN). */
export function readMethod(value: string, column: string, site: ValueSite): SourceMethod | null {
  if (value === '') return null;
  const method = METHODS.get(valueKey(value));
  if (method !== undefined) return method;
  unknownValue(
    site,
    column,
    value,
    'a known MFA Server method',
    'Phone call, Text message, Mobile app, OATH token',
    "the user's default method will be chosen from what is available.",
  );
  return null;
}

// MFA Server text-message modes are one-way (the user types the code) or two-way (the user
// replies), each with or without a PIN; both directions read as OTP, the PIN variants as otpPin.
const MODES: ReadonlyMap<string, SourceMode> = new Map<string, SourceMode>([
  ['standard', 'standard'],
  ['pin', 'pin'],
  ['otp', 'otp'],
  ['onewayotp', 'otp'],
  ['twowayotp', 'otp'],
  ['oneway', 'otp'],
  ['twoway', 'otp'],
  ['text', 'otp'],
  ['otppin', 'otpPin'],
  ['onewayotppin', 'otpPin'],
  ['twowayotppin', 'otpPin'],
  ['onewaypin', 'otpPin'],
  ['twowaypin', 'otpPin'],
]);

/** A per-method mode column; null when empty or unknown (unknown adds VALUE_UNKNOWN). */
export function readMode(value: string, column: string, site: ValueSite): SourceMode | null {
  if (value === '') return null;
  const mode = MODES.get(valueKey(value));
  if (mode !== undefined) return mode;
  unknownValue(site, column, value, 'a known MFA Server mode', 'Standard, PIN, OTP, OTP + PIN, One-Way or Two-Way', 'it was treated as empty.');
  return null;
}

const ENABLED: ReadonlyMap<string, boolean> = new Map<string, boolean>([
  ['yes', true],
  ['y', true],
  ['true', true],
  ['1', true],
  ['enabled', true],
  ['no', false],
  ['n', false],
  ['false', false],
  ['0', false],
  ['disabled', false],
]);

/**
 * The users file "Enabled"/"Status" column: empty means enabled (docs/design.md "Users export");
 * unknown → enabled + VALUE_UNKNOWN.
 */
export function readEnabled(value: string, column: string, site: ValueSite): boolean {
  if (value === '') return true;
  const enabled = ENABLED.get(value.toLowerCase());
  if (enabled !== undefined) return enabled;
  unknownValue(
    site,
    column,
    value,
    'a yes/no value',
    'Yes, No, True, False, 1, 0, Enabled, Disabled',
    'the user was treated as enabled; correct the value in the export if the user is disabled.',
  );
  return true;
}

// A country calling code is 1–3 digits and never starts with 0 (ITU-T E.164). `1-684` (American
// Samoa) is calling code 1 followed by the area code, so only the part before `-` is kept; the
// area code belongs to the national number.
const BARE_CODE = /^\(?\+?([1-9]\d{0,2})(?:-\d{1,4})?\)?$/;
const TRAILING_CODE = /\s\(?\+?([1-9]\d{0,2})(?:-\d{1,4})?\)?$/;

/**
 * A country code cell: `44`, `+44`, `(+44)`, `1-684`, or text ending in the code
 * (`United Kingdom +44`, `American Samoa +1-684` → `1`). Digits only, or null when empty or
 * unreadable (unreadable adds VALUE_UNKNOWN).
 */
export function readCountryCode(value: string, column: string, site: ValueSite): string | null {
  if (value === '') return null;
  const code = (BARE_CODE.exec(value) ?? TRAILING_CODE.exec(value))?.[1];
  if (code !== undefined) return code;
  unknownValue(
    site,
    column,
    value,
    'a country calling code',
    'digits such as 44, +44 or "United Kingdom +44"',
    'the country code was treated as empty; correct it in the export if the phone number has no + prefix.',
  );
  return null;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AP])\.?M\.?)?)?$/i;

// Milliseconds since the epoch, or NaN when a part is out of range (31 February, 25:00…).
function utcTime(year: number, month: number, day: number, hour: number, minute: number, second: number, millisecond: number): number {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return Number.NaN;
  const time = Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
  // Date.UTC rolls 31 February over into March; a different day back means the date did not exist.
  return new Date(time).getUTCDate() === day ? time : Number.NaN;
}

function isoTime(match: RegExpExecArray): number {
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const millisecond = fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);
  const local = utcTime(Number(year), Number(month), Number(day), Number(hour ?? 0), Number(minute ?? 0), Number(second ?? 0), millisecond);
  if (zone === undefined || zone.toUpperCase() === 'Z') return local;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
  return local - sign * offsetMinutes * 60_000;
}

function usTime(match: RegExpExecArray): number {
  const [, month, day, year, hourText, minute, second, meridiem] = match;
  let hour = Number(hourText ?? 0);
  if (meridiem !== undefined) {
    if (hour < 1 || hour > 12) return Number.NaN;
    hour = (hour % 12) + (meridiem.toUpperCase() === 'P' ? 12 : 0);
  }
  return utcTime(Number(year), Number(month), Number(day), hour, Number(minute ?? 0), Number(second ?? 0), 0);
}

/**
 * A devices date: ISO 8601 (UTC when it has no offset) or MFA Server's `M/D/YYYY h:mm:ss AM`
 * (also without seconds, or 24-hour `M/D/YYYY H:mm`). The export carries no time zone, so the
 * M/D/Y form is read as UTC: the dates only order devices (R12), where a few hours do not matter.
 * Null when empty or invalid (invalid adds DATE_INVALID).
 */
export function readDate(value: string, column: string, site: ValueSite): Date | null {
  if (value === '') return null;
  const iso = ISO_DATE.exec(value);
  const us = iso === null ? US_DATE.exec(value) : null;
  const time = iso !== null ? isoTime(iso) : us !== null ? usTime(us) : Number.NaN;
  if (!Number.isNaN(time)) return new Date(time);
  site.note(
    finding(
      'DATE_INVALID',
      site.file,
      site.line,
      `${site.file} line ${site.line}: ${column} ${quotedValue(value)} is not a date (ISO 8601 such as 2024-05-01T10:00:00Z, or M/D/YYYY h:mm:ss AM) — it was treated as empty; correct it in the export if device order matters.`,
    ),
  );
  return null;
}

/** Entra accepts 30 or 60 seconds; the default when the column is absent or empty is 30. */
export const DEFAULT_TIME_INTERVAL_SECONDS = 30;
const WHOLE_NUMBER = /^\d{1,6}$/;

// R13 quotes an unreadable interval or hash name in its message. In a seed file whose header
// names the columns in the wrong order, that cell can hold the seed: such a value is not kept.
function unreadableTokenValue(value: string): string {
  return looksLikeKey(value) ? `(a ${value.length}-character value shaped like a secret key, not shown)` : value;
}

/**
 * A token's time interval in seconds; a value that is not a whole number is kept raw for R13 to
 * reject (described instead when it looks like a seed).
 */
export function readTimeInterval(value: string): SourceToken['timeInterval'] {
  if (value === '') return DEFAULT_TIME_INTERVAL_SECONDS;
  return WHOLE_NUMBER.test(value) ? Number(value) : unreadableTokenValue(value);
}

export const DEFAULT_HASH_FUNCTION: HashFunction = 'hmacsha1';
const HASH_FUNCTIONS: ReadonlyMap<string, HashFunction> = new Map<string, HashFunction>([
  ['hmacsha1', 'hmacsha1'],
  ['hmacsha256', 'hmacsha256'],
  // Seed files often name the hash alone; a TOTP hash is always used as an HMAC (RFC 6238).
  ['sha1', 'hmacsha1'],
  ['sha256', 'hmacsha256'],
]);

/**
 * `HMAC-SHA256` → `hmacsha256`; empty → hmacsha1; an unknown name is kept raw for R13 to reject
 * (described instead when it looks like a seed).
 */
export function readHashFunction(value: string): SourceToken['hashFunction'] {
  if (value === '') return DEFAULT_HASH_FUNCTION;
  return HASH_FUNCTIONS.get(valueKey(value)) ?? unreadableTokenValue(value);
}
