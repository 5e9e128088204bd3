/**
 * The canonical fields of each export and the header names that mean them
 * (docs/design.md "Headers and aliases").
 * Headers match after normalisation, so `User Name`, `user_name` and `USERNAME` are one alias.
 */

export type FileKind = 'users' | 'devices' | 'tokens';

export const FILE_KINDS: readonly FileKind[] = ['users', 'devices', 'tokens'];

export interface FieldSpec {
  /** The canonical name: the key of `--columns map.json` and of the record. */
  readonly name: string;
  /** Header texts that mean this field, as an admin would write them (shown in remedies). */
  readonly aliases: readonly string[];
  readonly required: boolean;
}

function field<const Name extends string>(name: Name, aliases: readonly string[], required = false): FieldSpec & { readonly name: Name } {
  return { name, aliases, required };
}

const USERNAME_ALIASES = ['Username', 'User Name', 'UPN', 'userPrincipalName', 'User Principal Name', 'User'];

/** MFA Server "File > Export Users" (docs/design.md "Users export"). */
export const USER_FIELDS = [
  field('username', USERNAME_ALIASES, true),
  field('firstName', ['First Name', 'Given Name']),
  field('lastName', ['Last Name', 'Surname', 'Family Name']),
  field('email', ['Email', 'E-mail', 'Email Address', 'Mail']),
  field('countryCode', ['Primary Country Code', 'Country Code', 'Country']),
  field('phone', ['Primary Phone', 'Phone', 'Phone Number', 'Primary Phone Number']),
  field('extension', ['Primary Extension', 'Extension', 'Primary Phone Extension']),
  field('backupCountryCode', ['Backup Country Code', 'Backup Country']),
  field('backupPhone', ['Backup Phone', 'Backup Phone Number']),
  field('backupExtension', ['Backup Extension', 'Backup Phone Extension']),
  field('method', ['Method', 'Default Method']),
  field('phoneCallMode', ['Phone Call Mode', 'Phone Mode', 'Voice Mode']),
  field('textMessageMode', ['Text Message Mode', 'Text Mode', 'SMS Mode']),
  field('mobileAppMode', ['Mobile App Mode', 'App Mode', 'Authenticator Mode']),
  field('enabled', ['Enabled', 'Status']),
  field('oathTokenSerial', ['OATH Token Serial', 'OATH Token Serial Number', 'OATH Token', 'Token Serial', 'Token Serial Number']),
  field('sid', ['SID', 'objectSid']),
  field('objectGuid', ['Object GUID', 'objectGuid', 'GUID']),
  field('language', ['Language']),
] as const satisfies readonly FieldSpec[];

/** Mobile-app (Authenticator) activations (docs/design.md "Devices export"). */
export const DEVICE_FIELDS = [
  field('username', USERNAME_ALIASES, true),
  field('deviceName', ['Device Name', 'Name', 'Device']),
  field('deviceToken', ['Device Token', 'Token', 'Push Token']),
  field('notificationType', ['Notification Type', 'Notification']),
  field('oathSecretKey', ['OATH Secret Key', 'Secret Key', 'OATH Secret']),
  field('os', ['OS', 'Platform', 'Operating System', 'OS Version']),
  field('appVersion', ['App Version', 'Application Version', 'Version']),
  field('activatedAt', ['Activated', 'Activation Date', 'Activated At', 'Activation Time']),
  field('lastUsedAt', ['Last Used', 'Last Authenticated', 'Last Used At', 'Last Authentication']),
] as const satisfies readonly FieldSpec[];

/** Vendor seed files and Entra's hardware-token upload CSV (docs/design.md "Tokens export"). */
export const TOKEN_FIELDS = [
  field('username', ['upn', 'Username', 'User Name', 'userPrincipalName', 'User Principal Name', 'User']),
  field('serialNumber', ['serial number', 'Serial', 'Serial No', 'Token Serial', 'Token Serial Number'], true),
  field('secretKey', ['secret key', 'Secret', 'Seed', 'Secret Seed', 'Key'], true),
  field('timeInterval', ['time interval', 'Interval', 'Period', 'Time Step']),
  field('manufacturer', ['manufacturer', 'Vendor']),
  field('model', ['model']),
  field('hashFunction', ['hash function', 'Hash', 'Algorithm', 'Hash Algorithm']),
] as const satisfies readonly FieldSpec[];

export type UserField = (typeof USER_FIELDS)[number]['name'];
export type DeviceField = (typeof DEVICE_FIELDS)[number]['name'];
export type TokenField = (typeof TOKEN_FIELDS)[number]['name'];

export const FIELDS_OF: Readonly<Record<FileKind, readonly FieldSpec[]>> = {
  users: USER_FIELDS,
  devices: DEVICE_FIELDS,
  tokens: TOKEN_FIELDS,
};

const IGNORED_IN_HEADERS = /[\s_.-]+/g;

/**
 * Header normalisation (docs/design.md "Headers and aliases"): case-insensitive, ignoring spaces,
 * `_`, `-` and `.`.
 */
export function normalizeHeader(text: string): string {
  return text.replace(IGNORED_IN_HEADERS, '').toLowerCase();
}

/** Normalised alias → field, per file kind; the canonical name is always an alias too. */
export const ALIAS_INDEX: Readonly<Record<FileKind, ReadonlyMap<string, FieldSpec>>> = {
  users: aliasIndex(USER_FIELDS),
  devices: aliasIndex(DEVICE_FIELDS),
  tokens: aliasIndex(TOKEN_FIELDS),
};

function aliasIndex(fields: readonly FieldSpec[]): ReadonlyMap<string, FieldSpec> {
  const index = new Map<string, FieldSpec>();
  for (const spec of fields) {
    for (const alias of [spec.name, ...spec.aliases]) {
      const key = normalizeHeader(alias);
      const taken = index.get(key);
      // Two fields of one file sharing an alias would make headers ambiguous: a programming error.
      if (taken !== undefined && taken !== spec) throw new Error(`Alias "${alias}" names both ${taken.name} and ${spec.name}`);
      index.set(key, spec);
    }
  }
  return index;
}
