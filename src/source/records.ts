/**
 * Typed records the readers yield (docs/design.md "Inputs"). Absent values are `null`, never `''`.
 * Readers normalise shapes (trimmed strings, booleans, dates, enum values) and report values they
 * cannot read as findings on the record; they apply no mapping rule (that is `src/mapping/`).
 */
import type { Secret } from '../secret.js';
import type { Finding } from '../findings.js';
import type { DelimiterOption } from './dialect.js';

/** Where a record came from: the file as named on the command line and its 1-based first line. */
export interface RecordOrigin {
  readonly file: string;
  readonly line: number;
}

/** The MFA Server default method (users file "Method" column). */
export type SourceMethod = 'phoneCall' | 'textMessage' | 'mobileApp' | 'oathToken';

/**
 * A per-method mode. `pin` (phone call PIN, mobile app PIN) and `otpPin` (text OTP + PIN) are
 * the PIN modes of R10; `oneWay`/`twoWay` text variants read as `otp` or `otpPin`.
 */
export type SourceMode = 'standard' | 'pin' | 'otp' | 'otpPin';

export interface SourceUser extends RecordOrigin {
  /** Exactly as in the export, trimmed; '' when the row has none (R16 decides). */
  readonly username: string;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly email: string | null;
  /** Digits only, taken from `1`, `+44` or `United Kingdom +44`; null when absent or unreadable. */
  readonly countryCode: string | null;
  readonly phone: string | null;
  readonly extension: string | null;
  readonly backupCountryCode: string | null;
  readonly backupPhone: string | null;
  readonly backupExtension: string | null;
  readonly method: SourceMethod | null;
  readonly phoneCallMode: SourceMode | null;
  readonly textMessageMode: SourceMode | null;
  readonly mobileAppMode: SourceMode | null;
  /** Empty means enabled (docs/design.md "Users export"). */
  readonly enabled: boolean;
  readonly oathTokenSerial: string | null;
  readonly sid: string | null;
  readonly objectGuid: string | null;
  readonly language: string | null;
  /** Problems the reader found in this row's values (unknown method, bad bytes…). */
  readonly findings: readonly Finding[];
}

export interface SourceDevice extends RecordOrigin {
  readonly username: string;
  readonly deviceName: string | null;
  readonly notificationType: string | null;
  /**
   * Whether the row carried an OATH secret. The secret itself is never kept
   * (docs/design.md "Devices export").
   */
  readonly hasOathSecret: boolean;
  readonly os: string | null;
  readonly appVersion: string | null;
  readonly activatedAt: Date | null;
  readonly lastUsedAt: Date | null;
  readonly findings: readonly Finding[];
}

export type HashFunction = 'hmacsha1' | 'hmacsha256';

export interface SourceToken extends RecordOrigin {
  /** UPN or username when the seed file names the holder; else joined through oathTokenSerial. */
  readonly username: string | null;
  readonly serialNumber: string;
  /** As found in the file (Base32 or hex, unvalidated); mapping normalises it (R13). */
  readonly secretKey: Secret | null;
  /**
   * Seconds; 30 when the column is absent or empty. Unreadable values are kept raw (a string) for
   * R13, or described when they look like a seed (a seed file with its columns mislabelled).
   */
  readonly timeInterval: number | string;
  readonly manufacturer: string | null;
  readonly model: string | null;
  /** A `HashFunction` when recognised; unknown hash names are kept raw for R13 to reject, or described as timeInterval. */
  readonly hashFunction: string;
  readonly findings: readonly Finding[];
}

/** What a reader yields: a record, or a finding about a row that produced no record. */
export type ReadItem<T> = { readonly kind: 'record'; readonly record: T } | { readonly kind: 'finding'; readonly finding: Finding };

export type SourceEncoding = 'auto' | 'utf8' | 'utf16le' | 'windows1252';

export interface ReadOptions {
  /**
   * `auto`: a byte-order mark decides, else the whole file is checked for UTF-8, else it is read as
   * Windows-1252; a byte-order mark also wins over a set encoding (docs/design.md "Encoding").
   */
  readonly encoding: SourceEncoding;
  /** `--columns map.json`: canonical field name → header text in this file. */
  readonly columns: Readonly<Record<string, string>>;
  /** `--delimiter`; absent or `auto` sniffs it from the header line. */
  readonly delimiter?: DelimiterOption;
}
