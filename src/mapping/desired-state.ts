/**
 * What mapping decides for one user (docs/design.md "Mapping rules"): the Entra methods to hold.
 * Pure data, shared by validate, plan, apply and the reports.
 */
import type { Finding } from '../findings.js';
import type { HashFunction } from '../source/records.js';
import type { Secret } from '../secret.js';
import { everyMember } from '../union-members.js';

/** Graph phone types (phoneAuthenticationMethod.phoneType). */
export type PhoneType = 'mobile' | 'alternateMobile' | 'office';
export const PHONE_TYPES = everyMember<PhoneType>()('mobile', 'alternateMobile', 'office');

/** Graph's default (preferred) method names in signInPreferences.userPreferredMethodForSecondaryAuthentication. */
export type DefaultMethod = 'push' | 'oath' | 'sms' | 'voiceMobile' | 'voiceAlternateMobile' | 'voiceOffice';

/** Most secure first (R8). */
export const DEFAULT_METHOD_STRENGTH = everyMember<DefaultMethod>()('push', 'oath', 'sms', 'voiceMobile', 'voiceAlternateMobile', 'voiceOffice');

export type UserStatus = 'ready' | 'skipped' | 'rejected';
export const USER_STATUSES = everyMember<UserStatus>()('ready', 'skipped', 'rejected');

/** A phone number as Graph wants it: `+{cc} {national}` with `x{digits}` for an extension. */
export type GraphPhoneNumber = string;

export interface DesiredPhones {
  readonly mobile: GraphPhoneNumber | null;
  readonly alternateMobile: GraphPhoneNumber | null;
  readonly office: GraphPhoneNumber | null;
}

export interface DesiredDevice {
  readonly name: string;
  readonly status: 'kept' | 'dropped';
  /** Only for kept devices once Entra is visible: `present` when an Authenticator of that name exists. */
  readonly registration: 'unknown' | 'present' | 'reregistrationRequired';
  readonly lastUsedAt: Date | null;
  readonly line: number;
}

export interface DesiredHardwareToken {
  readonly serialNumber: string;
  /** Normalised to upper-case Base32 without padding (R13). Never printed. */
  readonly secretKey: Secret;
  readonly timeIntervalInSeconds: 30 | 60;
  readonly hashFunction: HashFunction;
  readonly manufacturer: string | null;
  readonly model: string | null;
  /** Tokens file and line of the seed. */
  readonly file: string;
  readonly line: number;
}

/** Keys that help find the user in Entra (R14). */
export interface MatchKeys {
  readonly samAccountName: string | null;
  readonly email: string | null;
  readonly sid: string | null;
  readonly objectGuid: string | null;
}

export interface DesiredState {
  /** As in the export. */
  readonly username: string;
  /** Resolved UPN (R14), lower-cased for comparison elsewhere but kept as written here; null when unresolvable. */
  readonly upn: string | null;
  /** The export's first and last name, as the reports show the person when Entra's display name is not known; null when both are empty. */
  readonly displayName: string | null;
  readonly file: string;
  readonly line: number;
  readonly status: UserStatus;
  readonly phones: DesiredPhones;
  /** The MFA Server default translated to Entra before availability was checked (R8). */
  readonly requestedDefaultMethod: DefaultMethod | null;
  /** After R8 fallback with what is known offline. */
  readonly defaultMethod: DefaultMethod | null;
  readonly devices: readonly DesiredDevice[];
  readonly hardwareTokens: readonly DesiredHardwareToken[];
  readonly matchKeys: MatchKeys;
  readonly issues: readonly Finding[];
}

export type DefaultMethodPolicy = 'if-unset' | 'always' | 'most-secure-if-unset';
export type HardwareTokenMode = 'off' | 'import' | 'import-and-activate';
export type TokenSecretEncoding = 'auto' | 'base32' | 'hex';

export interface MappingOptions {
  /** Digits, default '1' (`--default-country-code`). */
  readonly defaultCountryCode: string;
  /** `--upn-suffix`, without '@'; null when not given. */
  readonly upnSuffix: string | null;
  readonly includeDisabled: boolean;
  readonly tokenSecretEncoding: TokenSecretEncoding;
  readonly hardwareTokens: HardwareTokenMode;
}
