/**
 * Findings: what the tool says about a row, a user or a file. Codes are stable identifiers used in
 * JSON, reports and tests (docs/design.md "Findings"); the catalogue below gives each its severity,
 * the cause in a sentence, and the remedy support staff can act on.
 */
import { everyMember } from './union-members.js';

export type Severity = 'error' | 'warning' | 'notice';
export const SEVERITIES = everyMember<Severity>()('error', 'warning', 'notice');

export interface Finding {
  readonly code: FindingCode;
  readonly severity: Severity;
  /** The export file the finding is about, as the admin named it on the command line. */
  readonly file: string;
  /** 1-based line of the row's first physical line (0 for a finding about the whole file). */
  readonly line: number;
  /** What happened, to what, and what to do next. Never contains a secret. */
  readonly message: string;
}

interface CatalogueEntry {
  readonly severity: Severity;
  readonly cause: string;
  readonly remedy: string;
}

export const FINDINGS = {
  // Mapping rules R1–R16 (docs/design.md "Mapping rules").
  PHONE_INVALID: {
    severity: 'error',
    cause: 'The phone number does not parse, or is not a valid number for its country code.',
    remedy: 'Correct the number (or its country code) in MFA Server and export again, or register the method with the user by hand; the user\'s other methods are migrated.',
  },
  PHONE_EXCEL_DAMAGED: {
    severity: 'error',
    cause: 'Excel stored the phone number as a number and saved it in scientific notation (4.47911E+11), dropping its last digits; the number cannot be recovered from the file.',
    remedy: 'Export the users again and do not save the file from Excel, or open it in Excel with Data > From Text/CSV and set the phone columns to Text before saving; the user\'s other methods were kept.',
  },
  EXTENSION_UNSUPPORTED: {
    severity: 'error',
    cause: 'The extension holds characters other than digits (pauses ",", "*" or "#"), which Entra cannot dial.',
    remedy: 'Give the user a direct number, or set the office number by hand in Entra; the method was not migrated.',
  },
  EXTENSION_DROPPED: {
    severity: 'warning',
    cause: 'The default method is Text message, so the number must be a mobile; an extension cannot receive texts.',
    remedy: 'None needed if the number is a mobile. Otherwise correct it in MFA Server.',
  },
  BACKUP_PHONE_SKIPPED: {
    severity: 'warning',
    cause: 'The backup phone has an extension, but the office phone slot is already taken by the primary phone.',
    remedy: 'Entra holds one office phone per user; add the backup by hand if the user needs it.',
  },
  BACKUP_PROMOTED_TO_MOBILE: {
    severity: 'warning',
    cause: 'Entra allows an alternate mobile only beside a mobile; with no primary mobile the backup phone becomes the mobile.',
    remedy: 'None needed; tell the user their backup phone is now their mobile method.',
  },
  DUPLICATE_PHONE: {
    severity: 'warning',
    cause: 'The backup phone is the same number as the primary phone after normalisation.',
    remedy: 'None needed; the number is migrated once.',
  },
  PHONE_REGION_OPT_IN: {
    severity: 'warning',
    cause: 'Entra serves phone calls or texts to this country or area code only after the tenant opts in.',
    remedy: 'Ask Microsoft support to opt the tenant in for the region before cutover, or users there cannot receive calls or texts.',
  },
  DEFAULT_METHOD_FALLBACK: {
    severity: 'warning',
    cause: 'The user\'s MFA Server default method cannot be a default in Entra once the run is over: the method is missing (no Authenticator registration, no phone), a hardware token awaits activation, the phone is a conflict kept with --phone-conflict keep, or the policy disables it. The message names which.',
    remedy: 'The most secure available method becomes the default (or none, when nothing is available); the user can change it at https://aka.ms/mysecurityinfo. For a token, run with --hardware-tokens import-and-activate or have the user activate it.',
  },
  METHOD_DISABLED_BY_POLICY: {
    severity: 'warning',
    cause: 'The method is disabled in the tenant\'s authentication methods policy, so Entra will not offer it.',
    remedy: 'Enable the method for these users in Entra > Authentication methods > Policies, or accept the fallback.',
  },
  PIN_MODE_NOT_MIGRATED: {
    severity: 'warning',
    cause: 'MFA Server PIN modes (phone call PIN, text OTP + PIN, mobile app PIN) have no per-user equivalent in Entra.',
    remedy: 'Require number matching and additional context in the Microsoft Authenticator policy instead; users no longer enter a PIN.',
  },
  USER_DISABLED: {
    severity: 'warning',
    cause: 'The user is disabled in MFA Server.',
    remedy: 'Not migrated. Re-run with --include-disabled to migrate disabled users too.',
  },
  DEVICE_LIMIT: {
    severity: 'warning',
    cause: 'The user has more mobile-app devices than Entra keeps (5, or 4 beside a hardware token).',
    remedy: 'The most recently used devices are kept; the others must be re-registered if still needed.',
  },
  DEVICE_REREGISTRATION_REQUIRED: {
    severity: 'warning',
    cause: 'Graph cannot create Microsoft Authenticator registrations, and Entra has none with this device name.',
    remedy: 'The user registers the app again at https://aka.ms/mysecurityinfo (a Temporary Access Pass helps).',
  },
  ORPHAN_DEVICE: {
    severity: 'warning',
    cause: 'A device row names a user who is not in the users export.',
    remedy: 'Check the username in the devices export; the device is ignored.',
  },
  TOKEN_SEED_MISSING: {
    severity: 'warning',
    cause: 'The user has a hardware token serial number but no seed for it in the tokens file.',
    remedy: 'Add the token\'s seed to the tokens file (from the vendor), or the token is not migrated.',
  },
  TOKEN_SEED_INVALID: {
    severity: 'error',
    cause: 'The token seed is not Base32 or hex, is longer than 128 characters, or its time interval or hash is not supported.',
    remedy: 'Get a correct seed file from the token vendor; Entra accepts 30 or 60 s intervals and HMAC-SHA1 or HMAC-SHA256.',
  },
  TOKEN_SERIAL_CONFLICT: {
    severity: 'error',
    cause: 'Two users claim the same hardware token serial number.',
    remedy: 'Decide who holds the token and clear the serial on the other user in MFA Server; neither user gets the token until then.',
  },
  TOKEN_UNCLAIMED: {
    severity: 'notice',
    cause: 'A seed in the tokens file belongs to no user of the users export.',
    remedy: 'None needed if the token is unassigned; otherwise check the serial number on the user.',
  },
  USERNAME_UNRESOLVABLE: {
    severity: 'error',
    cause: 'The username is DOMAIN\\sam or a bare sam and no --upn-suffix was given, or it is not a valid name.',
    remedy: 'Re-run with --upn-suffix contoso.com (your UPN suffix), or fix the username.',
  },
  USER_NOT_FOUND: {
    severity: 'error',
    cause: 'No Entra user matches the username (UPN first, then --match-attribute).',
    remedy: 'Check that the user is synchronised to Entra, or choose another --match-attribute.',
  },
  USER_AMBIGUOUS: {
    severity: 'error',
    cause: 'Several Entra users match the username through --match-attribute, so the tool cannot know which one is meant.',
    remedy: 'Make the attribute unique in Entra, or give the user\'s UPN in the export; nothing was planned for this user.',
  },
  METHOD_DRIFTED: {
    severity: 'error',
    cause: 'verify: a method apply wrote is no longer in Entra as written (removed or changed after the run, by the user, another admin or another tool).',
    remedy: 'Check the user\'s authentication methods in Entra: if the change was intended, nothing to do; if not, run apply again to write the method back.',
  },
  METHOD_MISSING: {
    severity: 'error',
    cause: 'verify: a method the exports ask for is not in Entra and was not written (its write failed or was never sent); with `verify --users`, a write the exports still need.',
    remedy: 'See the user\'s failed operation in the apply report for Graph\'s code, fix the cause, then run apply again (`plan` shows the writes first).',
  },
  USER_READ_FAILED: {
    severity: 'error',
    cause: 'Graph did not answer for this user after retries (the message holds Graph\'s error code and request-id).',
    remedy: 'Run plan again (Graph\'s errors are usually transient). If it persists, look up the Graph code in this table and give the request-id to Microsoft support.',
  },
  DUPLICATE_USER: {
    severity: 'error',
    cause: 'The username appears again in the users export; the first row is kept.',
    remedy: 'Remove the duplicate row from the export, or merge it into the first one.',
  },
  ROW_INVALID: {
    severity: 'error',
    cause: 'The row has no username, or cannot be read as a record.',
    remedy: 'Fix the row in the export (every row needs a username) and run again.',
  },
  NOTHING_TO_MIGRATE: {
    severity: 'warning',
    cause: 'The user has no phone, device or hardware token that can be migrated.',
    remedy: 'The user must register a method in Entra at https://aka.ms/mysecurityinfo.',
  },
  // Comparing with Entra: plan and apply (docs/design.md "Diff with Entra").
  PHONE_CONFLICT: {
    severity: 'warning',
    cause: 'Entra already holds a different number of this phone type for the user, and the run keeps existing numbers (--phone-conflict keep).',
    remedy: 'Confirm the right number with the user, then correct it in Entra or in MFA Server, or re-run with --phone-conflict overwrite to replace Entra\'s number.',
  },
  PHONE_REPLACED: {
    severity: 'warning',
    cause: 'Entra held a different number of this phone type for the user, and the run replaces existing numbers (--phone-conflict overwrite).',
    remedy: 'None needed if the MFA Server number is right. The old number is recorded as Graph showed it; rollback restores it unless Graph showed it masked.',
  },
  PHONE_UPDATED: {
    severity: 'notice',
    cause: 'MFA Server now holds another number for this phone type, and Entra still holds the number an earlier run of mfa-migrate wrote there, so that number is the migration\'s to change (R17) and is updated.',
    remedy: 'None needed. Rollback of this run puts the earlier number back; a number the user or another admin set since is never changed under --phone-conflict keep.',
  },
  PHONE_MASKED_UNVERIFIED: {
    severity: 'notice',
    cause: 'Graph showed Entra\'s number masked (only some digits visible), and the visible digits match the MFA Server number, so it was left as it is.',
    remedy: 'None needed. To compare full numbers, run plan with an account that sees unmasked numbers (a Privileged Authentication Administrator, or application permissions).',
  },
  ALTERNATE_MOBILE_NEEDS_MOBILE: {
    severity: 'error',
    cause: 'Entra accepts an alternate mobile only beside a mobile, and the user has no mobile in Entra and none is planned.',
    remedy: 'Add a mobile for the user in MFA Server or in Entra and run again; the alternate mobile was not migrated.',
  },
  PREFERRED_METHOD_KEPT: {
    severity: 'notice',
    cause: 'Entra already has a default sign-in method for the user, and the run sets it only when none is set (--default-method if-unset or most-secure-if-unset).',
    remedy: 'None needed. Re-run with --default-method always to replace it, or the user changes it at https://aka.ms/mysecurityinfo.',
  },
  PREFERRED_METHOD_UPDATED: {
    severity: 'notice',
    cause: 'The default method an earlier run of mfa-migrate set is still the user\'s default in Entra, and the run now decides another one (the export or the methods the user holds changed), so it is the migration\'s to change (R17) and is updated.',
    remedy: 'None needed. Rollback of this run sets the earlier default back; a default the user chose since is kept under --default-method if-unset.',
  },
  PREFERRED_METHOD_UNREAD: {
    severity: 'warning',
    cause: 'The user\'s sign-in preferences could not be read from Graph, so the tool cannot tell whether a default method is already set and leaves it alone.',
    remedy: 'Check that the app may read authentication methods (UserAuthenticationMethod.Read.All) and that Graph\'s beta endpoint is reachable, then run again; or set the default method by hand in Entra.',
  },
  POLICY_GROUP_NOT_FOUND: {
    severity: 'notice',
    cause: 'The tenant\'s authentication methods policy includes or excludes a group that no longer exists in Entra; that target covers nobody.',
    remedy: 'None needed for the migration. Remove the stale target in Entra > Authentication methods > Policies so the policy says what it does.',
  },
  TOKEN_ASSIGNED_ELSEWHERE: {
    severity: 'error',
    cause: 'The hardware token\'s serial number is already assigned to another user in Entra\'s token inventory.',
    remedy: 'Decide who holds the token: unassign it from the other user in Entra (Authentication methods > Hardware OATH tokens) and run again, or correct the serial in MFA Server; the token was not migrated.',
  },
  // Reading the exports (docs/design.md "Inputs").
  VALUE_UNKNOWN: {
    severity: 'warning',
    cause: 'A field holds a value the tool does not know (for example method "Fax" or enabled "Maybe").',
    remedy: 'Correct the value in the export; the field was treated as empty.',
  },
  DATE_INVALID: {
    severity: 'warning',
    cause: 'A date is neither ISO 8601 nor M/D/YYYY h:mm:ss AM.',
    remedy: 'Correct the date in the export; it was treated as empty.',
  },
  BYTES_UNDECODABLE: {
    severity: 'error',
    cause: 'The row holds bytes that are not valid in the file\'s encoding.',
    remedy: 'Re-run with --encoding windows1252 (or utf16le), or save the export as UTF-8; the row was not used.',
  },
  COLUMN_COUNT: {
    severity: 'warning',
    cause: 'The row has a different number of fields than the header, often an unquoted comma.',
    remedy: 'Quote fields that contain commas in the export; the fields were read by position.',
  },
  UNKNOWN_COLUMNS: {
    severity: 'notice',
    cause: 'The file has columns the tool does not use.',
    remedy: 'None needed; map a column with --columns map.json if it holds a field the tool should read.',
  },
  LANGUAGE_NOT_MIGRATED: {
    severity: 'notice',
    cause: 'Entra uses the browser or phone language, not a per-user MFA language.',
    remedy: 'None needed.',
  },
  FILE_FORMAT_DETECTED: {
    severity: 'notice',
    cause: 'The file was not a plain UTF-8, comma-separated export: it was read as Windows-1252 (no byte-order mark, not valid UTF-8), its fields are separated by ";" or tabs, or PowerShell\'s "#TYPE" line came first. The message says which.',
    remedy: 'None needed if names and numbers read right in the report. Otherwise re-run with --encoding and --delimiter set to how the file was saved.',
  },
  FILE_EMPTY: {
    severity: 'warning',
    cause: 'The file has a header but no rows.',
    remedy: 'Check that the export finished; nothing was read from this file.',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type FindingCode = keyof typeof FINDINGS;
/** Every finding code, in the catalogue's order. */
export const FINDING_CODES = Object.keys(FINDINGS) as readonly FindingCode[];

/** A finding with the catalogue's severity. */
export function finding(code: FindingCode, file: string, line: number, message: string): Finding {
  return { code, severity: FINDINGS[code].severity, file, line, message };
}
