/**
 * The tenant seed: the users, groups, methods, policy and hardware token inventory the emulator
 * starts from (and returns to on `/_emulator/reset`). Its format is documented as a JSON Schema in
 * `schemas/emulator-tenant.schema.json`; this module checks the same rules and says where a seed
 * is wrong by JSON path, because a person writes these files by hand.
 */
import { readFile } from 'node:fs/promises';
import { inputError, type MigrateError } from '../errors.js';
import type { DefaultMethod, PhoneType } from '../mapping/desired-state.js';
import type { HashFunction } from '../source/records.js';
import { decodeBase32 } from '../base32.js';

export interface SeedApp {
  readonly clientId: string;
  /** Development secret the token endpoint expects in the client-credentials grant. */
  readonly clientSecret: string;
  readonly displayName: string;
  /** Application permissions (the `roles` claim), e.g. `UserAuthenticationMethod.ReadWrite.All`. */
  readonly roles: readonly string[];
}

export interface SeedPhoneMethod {
  readonly phoneType: PhoneType;
  readonly phoneNumber: string;
}

export interface SeedAuthenticatorMethod {
  readonly id: string;
  readonly displayName: string;
  readonly deviceTag: string;
  readonly phoneAppVersion: string;
  readonly createdDateTime: string;
}

export interface SeedSoftwareOathMethod {
  readonly id: string;
}

export interface SeedSignInPreferences {
  readonly isSystemPreferredAuthenticationMethodEnabled: boolean;
  readonly userPreferredMethodForSecondaryAuthentication: DefaultMethod | null;
}

export interface SeedUser {
  readonly id: string;
  readonly userPrincipalName: string;
  readonly displayName: string;
  readonly givenName: string | null;
  readonly surname: string | null;
  readonly mail: string | null;
  readonly onPremisesSamAccountName: string | null;
  readonly onPremisesSecurityIdentifier: string | null;
  readonly employeeId: string | null;
  readonly accountEnabled: boolean;
  readonly phoneMethods: readonly SeedPhoneMethod[];
  readonly microsoftAuthenticatorMethods: readonly SeedAuthenticatorMethod[];
  readonly softwareOathMethods: readonly SeedSoftwareOathMethod[];
  readonly signInPreferences: SeedSignInPreferences;
}

export interface SeedGroup {
  readonly id: string;
  readonly displayName: string;
  /** Ids of users or other groups (nesting is resolved by transitiveMembers). */
  readonly members: readonly string[];
}

export type HardwareTokenStatus = 'available' | 'assigned' | 'activated' | 'failedActivation';

export interface SeedHardwareOathDevice {
  readonly id: string;
  readonly displayName: string | null;
  readonly serialNumber: string;
  readonly manufacturer: string;
  readonly model: string;
  /** Base32 seed; never returned by the API (Graph answers `secretKey: null`). */
  readonly secretKey: string;
  readonly timeIntervalInSeconds: 30 | 60;
  readonly hashFunction: HashFunction;
  /** User id the token is assigned to, if any. */
  readonly assignedTo: string | null;
  readonly status: HardwareTokenStatus;
}

export interface SeedTenant {
  readonly id: string;
  readonly displayName: string;
  readonly defaultDomain: string;
}

export interface TenantSeed {
  readonly tenant: SeedTenant;
  readonly app: SeedApp;
  readonly additionalApps: readonly SeedApp[];
  readonly users: readonly SeedUser[];
  readonly groups: readonly SeedGroup[];
  /** The Graph authenticationMethodsPolicy object, returned as given (v1.0 shape). */
  readonly authenticationMethodsPolicy: Readonly<Record<string, unknown>>;
  readonly hardwareOathDevices: readonly SeedHardwareOathDevice[];
}

const PHONE_TYPES: readonly PhoneType[] = ['mobile', 'alternateMobile', 'office'];
const DEFAULT_METHODS: readonly DefaultMethod[] = ['push', 'oath', 'sms', 'voiceMobile', 'voiceAlternateMobile', 'voiceOffice'];
const HASH_FUNCTIONS: readonly HashFunction[] = ['hmacsha1', 'hmacsha256'];
const TOKEN_STATUSES: readonly HardwareTokenStatus[] = ['available', 'assigned', 'activated', 'failedActivation'];
/** Graph's phone number format: `+{country code} {number}x{extension}` (phoneauthenticationmethod.md). */
export const GRAPH_PHONE_NUMBER = /^\+[1-9]\d{0,2} \d{4,15}(x\d{1,10})?$/;
/** Entra stores hardware token seeds as Base32 of at most 128 characters (authenticationmethoddevice-post-hardwareoathdevices.md). */
export const MAX_SECRET_KEY_LENGTH = 128;

const REMEDY =
  'Fix the seed file (its format is schemas/emulator-tenant.schema.json; fixtures/tenant.json is a working example) and start the emulator again.';

/** A problem found in a seed, with the JSON path of the value at fault. */
export interface SeedProblem {
  readonly path: string;
  readonly message: string;
}

class SeedReader {
  readonly problems: SeedProblem[] = [];

  fail(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  object(value: unknown, path: string): Record<string, unknown> | undefined {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    this.fail(path, 'must be an object');
    return undefined;
  }

  array(value: unknown, path: string, required: boolean): readonly unknown[] {
    if (value === undefined && !required) return [];
    if (Array.isArray(value)) return value as unknown[];
    this.fail(path, 'must be an array');
    return [];
  }

  string(value: unknown, path: string): string {
    if (typeof value === 'string' && value.trim() !== '') return value;
    this.fail(path, 'must be a non-empty string');
    return '';
  }

  optionalString(value: unknown, path: string): string | null {
    if (value === undefined || value === null) return null;
    return this.string(value, path);
  }

  boolean(value: unknown, path: string, fallback: boolean): boolean {
    if (value === undefined) return fallback;
    if (typeof value === 'boolean') return value;
    this.fail(path, 'must be true or false');
    return fallback;
  }

  oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T {
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    this.fail(path, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
    return allowed[0] as T;
  }
}

function readApp(reader: SeedReader, value: unknown, path: string): SeedApp {
  const app = reader.object(value, path) ?? {};
  return {
    clientId: reader.string(app['clientId'], `${path}.clientId`),
    clientSecret: reader.string(app['clientSecret'], `${path}.clientSecret`),
    displayName: reader.optionalString(app['displayName'], `${path}.displayName`) ?? 'mfa-migrate',
    roles: reader.array(app['roles'], `${path}.roles`, true).map((role, i) => reader.string(role, `${path}.roles[${i}]`)),
  };
}

function readUser(reader: SeedReader, value: unknown, path: string): SeedUser {
  const user = reader.object(value, path) ?? {};
  const upn = reader.string(user['userPrincipalName'], `${path}.userPrincipalName`);
  if (upn !== '' && !upn.includes('@')) reader.fail(`${path}.userPrincipalName`, 'must look like name@domain');
  const phones = reader.array(user['phoneMethods'], `${path}.phoneMethods`, false).map((item, i): SeedPhoneMethod => {
    const phone = reader.object(item, `${path}.phoneMethods[${i}]`) ?? {};
    const phoneNumber = reader.string(phone['phoneNumber'], `${path}.phoneMethods[${i}].phoneNumber`);
    if (phoneNumber !== '' && !GRAPH_PHONE_NUMBER.test(phoneNumber)) {
      reader.fail(`${path}.phoneMethods[${i}].phoneNumber`, 'must be in Graph format "+{country code} {number}" with optional "x{extension}"');
    }
    return { phoneType: reader.oneOf(phone['phoneType'], PHONE_TYPES, `${path}.phoneMethods[${i}].phoneType`), phoneNumber };
  });
  const types = phones.map((p) => p.phoneType);
  if (new Set(types).size !== types.length) reader.fail(`${path}.phoneMethods`, 'holds two phones of the same phoneType (Graph allows one per type)');
  if (types.includes('alternateMobile') && !types.includes('mobile')) {
    reader.fail(`${path}.phoneMethods`, 'has an alternateMobile without a mobile (Graph requires the mobile first)');
  }
  const authenticators = reader
    .array(user['microsoftAuthenticatorMethods'], `${path}.microsoftAuthenticatorMethods`, false)
    .map((item, i): SeedAuthenticatorMethod => {
      const at = `${path}.microsoftAuthenticatorMethods[${i}]`;
      const method = reader.object(item, at) ?? {};
      return {
        id: reader.string(method['id'], `${at}.id`),
        displayName: reader.string(method['displayName'], `${at}.displayName`),
        deviceTag: reader.optionalString(method['deviceTag'], `${at}.deviceTag`) ?? 'SoftwareTokenActivated',
        phoneAppVersion: reader.optionalString(method['phoneAppVersion'], `${at}.phoneAppVersion`) ?? '6.8.1',
        createdDateTime: reader.optionalString(method['createdDateTime'], `${at}.createdDateTime`) ?? '2024-01-01T00:00:00Z',
      };
    });
  const softwareOath = reader
    .array(user['softwareOathMethods'], `${path}.softwareOathMethods`, false)
    .map((item, i): SeedSoftwareOathMethod => {
      const method = reader.object(item, `${path}.softwareOathMethods[${i}]`) ?? {};
      return { id: reader.string(method['id'], `${path}.softwareOathMethods[${i}].id`) };
    });
  let signInPreferences: SeedSignInPreferences = {
    isSystemPreferredAuthenticationMethodEnabled: false,
    userPreferredMethodForSecondaryAuthentication: null,
  };
  if (user['signInPreferences'] !== undefined) {
    const at = `${path}.signInPreferences`;
    const preferences = reader.object(user['signInPreferences'], at) ?? {};
    const preferred = preferences['userPreferredMethodForSecondaryAuthentication'];
    signInPreferences = {
      isSystemPreferredAuthenticationMethodEnabled: reader.boolean(
        preferences['isSystemPreferredAuthenticationMethodEnabled'],
        `${at}.isSystemPreferredAuthenticationMethodEnabled`,
        false,
      ),
      userPreferredMethodForSecondaryAuthentication:
        preferred === undefined || preferred === null
          ? null
          : reader.oneOf(preferred, DEFAULT_METHODS, `${at}.userPreferredMethodForSecondaryAuthentication`),
    };
  }
  return {
    id: reader.string(user['id'], `${path}.id`),
    userPrincipalName: upn,
    displayName: reader.string(user['displayName'], `${path}.displayName`),
    givenName: reader.optionalString(user['givenName'], `${path}.givenName`),
    surname: reader.optionalString(user['surname'], `${path}.surname`),
    mail: reader.optionalString(user['mail'], `${path}.mail`),
    onPremisesSamAccountName: reader.optionalString(user['onPremisesSamAccountName'], `${path}.onPremisesSamAccountName`),
    onPremisesSecurityIdentifier: reader.optionalString(user['onPremisesSecurityIdentifier'], `${path}.onPremisesSecurityIdentifier`),
    employeeId: reader.optionalString(user['employeeId'], `${path}.employeeId`),
    accountEnabled: reader.boolean(user['accountEnabled'], `${path}.accountEnabled`, true),
    phoneMethods: phones,
    microsoftAuthenticatorMethods: authenticators,
    softwareOathMethods: softwareOath,
    signInPreferences,
  };
}

function readDevice(reader: SeedReader, value: unknown, path: string): SeedHardwareOathDevice {
  const device = reader.object(value, path) ?? {};
  const secretKey = reader.string(device['secretKey'], `${path}.secretKey`);
  if (secretKey !== '') {
    let valid = secretKey.length <= MAX_SECRET_KEY_LENGTH;
    try {
      decodeBase32(secretKey);
    } catch {
      valid = false;
    }
    if (!valid) reader.fail(`${path}.secretKey`, `must be Base32 of at most ${MAX_SECRET_KEY_LENGTH} characters`);
  }
  const interval = device['timeIntervalInSeconds'] ?? 30;
  if (interval !== 30 && interval !== 60) reader.fail(`${path}.timeIntervalInSeconds`, 'must be 30 or 60');
  const assignedTo = reader.optionalString(device['assignedTo'], `${path}.assignedTo`);
  const status =
    device['status'] === undefined
      ? assignedTo === null ? 'available' : 'assigned'
      : reader.oneOf(device['status'], TOKEN_STATUSES, `${path}.status`);
  if (assignedTo === null && status !== 'available') reader.fail(`${path}.status`, `is "${status}" but the token has no assignedTo user`);
  if (assignedTo !== null && status === 'available') reader.fail(`${path}.status`, 'is "available" but the token has an assignedTo user');
  return {
    id: reader.string(device['id'], `${path}.id`),
    displayName: reader.optionalString(device['displayName'], `${path}.displayName`),
    serialNumber: reader.string(device['serialNumber'], `${path}.serialNumber`),
    manufacturer: reader.string(device['manufacturer'], `${path}.manufacturer`),
    model: reader.string(device['model'], `${path}.model`),
    secretKey,
    timeIntervalInSeconds: interval === 60 ? 60 : 30,
    hashFunction: device['hashFunction'] === undefined ? 'hmacsha1' : reader.oneOf(device['hashFunction'], HASH_FUNCTIONS, `${path}.hashFunction`),
    assignedTo,
    status,
  };
}

function readPolicy(reader: SeedReader, value: unknown): Record<string, unknown> {
  const policy = reader.object(value, '$.authenticationMethodsPolicy') ?? {};
  reader
    .array(policy['authenticationMethodConfigurations'], '$.authenticationMethodsPolicy.authenticationMethodConfigurations', true)
    .forEach((item, i) => {
      const at = `$.authenticationMethodsPolicy.authenticationMethodConfigurations[${i}]`;
      const configuration = reader.object(item, at) ?? {};
      reader.string(configuration['id'], `${at}.id`);
      reader.oneOf(configuration['state'], ['enabled', 'disabled'], `${at}.state`);
    });
  return policy;
}

function duplicates(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) repeated.add(value);
    seen.add(value);
  }
  return [...repeated];
}

/** Checks a parsed seed document and returns it typed, or the problems found (each with its JSON path). */
export function readSeed(document: unknown): { seed: TenantSeed; problems: readonly SeedProblem[] } {
  const reader = new SeedReader();
  const root = reader.object(document, '$') ?? {};
  const tenant = reader.object(root['tenant'], '$.tenant') ?? {};
  const users = reader.array(root['users'], '$.users', true).map((user, i) => readUser(reader, user, `$.users[${i}]`));
  const groups = reader.array(root['groups'], '$.groups', false).map((item, i): SeedGroup => {
    const group = reader.object(item, `$.groups[${i}]`) ?? {};
    return {
      id: reader.string(group['id'], `$.groups[${i}].id`),
      displayName: reader.string(group['displayName'], `$.groups[${i}].displayName`),
      members: reader.array(group['members'], `$.groups[${i}].members`, true).map((m, j) => reader.string(m, `$.groups[${i}].members[${j}]`)),
    };
  });
  const devices = reader
    .array(root['hardwareOathDevices'], '$.hardwareOathDevices', false)
    .map((device, i) => readDevice(reader, device, `$.hardwareOathDevices[${i}]`));
  const seed: TenantSeed = {
    tenant: {
      id: reader.string(tenant['id'], '$.tenant.id'),
      displayName: reader.optionalString(tenant['displayName'], '$.tenant.displayName') ?? 'Contoso',
      defaultDomain: reader.string(tenant['defaultDomain'], '$.tenant.defaultDomain'),
    },
    app: readApp(reader, root['app'], '$.app'),
    additionalApps: reader.array(root['additionalApps'], '$.additionalApps', false).map((app, i) => readApp(reader, app, `$.additionalApps[${i}]`)),
    users,
    groups,
    authenticationMethodsPolicy: readPolicy(reader, root['authenticationMethodsPolicy']),
    hardwareOathDevices: devices,
  };

  const objectIds = [...users.map((u) => u.id), ...groups.map((g) => g.id)];
  for (const id of duplicates(objectIds)) reader.fail('$.users', `id "${id}" is used by more than one user or group`);
  for (const upn of duplicates(users.map((u) => u.userPrincipalName.toLowerCase()))) reader.fail('$.users', `userPrincipalName "${upn}" is used twice`);
  const known = new Set(objectIds);
  groups.forEach((group, i) => {
    group.members.forEach((member, j) => {
      if (!known.has(member)) reader.fail(`$.groups[${i}].members[${j}]`, `"${member}" is not the id of a user or group in this seed`);
    });
  });
  const userIds = new Set(users.map((u) => u.id));
  devices.forEach((device, i) => {
    if (device.assignedTo !== null && !userIds.has(device.assignedTo)) {
      reader.fail(`$.hardwareOathDevices[${i}].assignedTo`, `"${device.assignedTo}" is not the id of a user in this seed`);
    }
  });
  for (const serial of duplicates(devices.map((d) => d.serialNumber))) reader.fail('$.hardwareOathDevices', `serialNumber "${serial}" is used twice`);
  for (const id of duplicates(devices.map((d) => d.id))) reader.fail('$.hardwareOathDevices', `id "${id}" is used twice`);
  const appIds = [seed.app.clientId, ...seed.additionalApps.map((a) => a.clientId)];
  for (const id of duplicates(appIds)) reader.fail('$.additionalApps', `clientId "${id}" is used twice`);
  return { seed, problems: reader.problems };
}

function seedError(file: string, problems: readonly SeedProblem[]): MigrateError {
  const first = problems[0];
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more: ${problems.slice(1, 4).map((p) => p.path).join(', ')}${problems.length > 4 ? ', …' : ''})` : '';
  const where = first === undefined ? '' : `${first.path} ${first.message}`;
  return inputError('EMULATOR_SEED_INVALID', `${file}: ${where}${more}.`, REMEDY, { file });
}

/**
 * Loads a seed from a JSON file, or checks an already parsed document. Throws a MigrateError
 * (exit code 3) naming the file, the JSON path of the first problem and the remedy.
 */
export async function loadSeed(source: string | object): Promise<TenantSeed> {
  let document: unknown = source;
  const file = typeof source === 'string' ? source : '<tenant seed>';
  if (typeof source === 'string') {
    let text: string;
    try {
      text = await readFile(source, 'utf8');
    } catch (cause) {
      throw inputError(
        'EMULATOR_SEED_UNREADABLE',
        `${source}: the tenant seed cannot be read (${(cause as NodeJS.ErrnoException).code ?? 'error'}).`,
        'Check the path given to --tenant; fixtures/tenant.json is the sample seed.',
        { file: source, cause },
      );
    }
    try {
      document = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (cause) {
      throw inputError(
        'EMULATOR_SEED_INVALID',
        `${source}: $ is not valid JSON (${(cause as Error).message}).`,
        REMEDY,
        { file: source, cause },
      );
    }
  }
  const { seed, problems } = readSeed(document);
  if (problems.length > 0) throw seedError(file, problems);
  return seed;
}
