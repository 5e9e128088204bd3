/**
 * The tenant seed: the users, groups, methods, policy and hardware token inventory the emulator
 * starts from (and returns to on `/_emulator/reset`). Its format is seed-schema.ts (written to
 * `schemas/emulator-tenant.schema.json`); a seed is checked against that schema, then for what a
 * schema cannot say (unique ids, references that resolve), and every problem is named by its JSON
 * path, because a person writes these files by hand. Absent optional values get their defaults here.
 */
import { readFile } from 'node:fs/promises';
import { inputError, type MigrateError } from '../errors.js';
import { compileSchema, type SchemaCheck, type SchemaProblem } from '../json-schema/validator.js';
import { isRecord, type JsonRecord } from '../json-value.js';
import type { DefaultMethod, PhoneType } from '../mapping/desired-state.js';
import type { HashFunction } from '../source/records.js';
import { TENANT_SEED_SCHEMA, type HardwareTokenStatus, type TenantSeedDocument } from './seed-schema.js';

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

const REMEDY =
  'Fix the seed file (its format is schemas/emulator-tenant.schema.json; fixtures/tenant.json is a working example) and start the emulator again.';

/** A problem found in a seed, with the JSON path of the value at fault. */
export type SeedProblem = SchemaProblem;

/** Compiled on first use: every command loads this module, only the emulator needs the check. */
let checkAgainstSchema: SchemaCheck | null = null;

/** The items of an array that are objects, with their index; anything else yields nothing (the schema reports it). */
function objectsIn(value: unknown): [number, JsonRecord][] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown, index): [number, JsonRecord][] => (isRecord(item) ? [[index, item]] : []));
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
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

/**
 * What the schema cannot check: one phone per type and a mobile beside an alternate mobile (Graph's
 * rules), a token's status matching its assignment, unique ids, UPNs, serials and client ids, and
 * references that resolve. Reads the document defensively: a part the schema refused is skipped.
 */
function crossCheck(document: unknown): SeedProblem[] {
  const problems: SeedProblem[] = [];
  const fail = (path: string, message: string): void => { problems.push({ path, message }); };
  const root = isRecord(document) ? document : {};
  const users = objectsIn(root['users']);
  for (const [i, user] of users) {
    const types = objectsIn(user['phoneMethods']).flatMap(([, phone]) => text(phone['phoneType']) ?? []);
    if (new Set(types).size !== types.length) fail(`$.users[${i}].phoneMethods`, 'holds two phones of the same phoneType (Graph allows one per type)');
    if (types.includes('alternateMobile') && !types.includes('mobile')) fail(`$.users[${i}].phoneMethods`, 'has an alternateMobile without a mobile (Graph requires the mobile first)');
  }
  const devices = objectsIn(root['hardwareOathDevices']);
  for (const [i, device] of devices) {
    const assignedTo = text(device['assignedTo']);
    const status = text(device['status']);
    if (assignedTo === null && status !== null && status !== 'available') fail(`$.hardwareOathDevices[${i}].status`, `is "${status}" but the token has no assignedTo user`);
    if (assignedTo !== null && status === 'available') fail(`$.hardwareOathDevices[${i}].status`, 'is "available" but the token has an assignedTo user');
  }
  const groups = objectsIn(root['groups']);
  const userIds = users.flatMap(([, user]) => text(user['id']) ?? []);
  const objectIds = [...userIds, ...groups.flatMap(([, group]) => text(group['id']) ?? [])];
  for (const id of duplicates(objectIds)) fail('$.users', `id "${id}" is used by more than one user or group`);
  for (const upn of duplicates(users.flatMap(([, user]) => text(user['userPrincipalName'])?.toLowerCase() ?? []))) fail('$.users', `userPrincipalName "${upn}" is used twice`);
  const known = new Set(objectIds);
  for (const [i, group] of groups) {
    const members: unknown = group['members'];
    if (!Array.isArray(members)) continue;
    members.forEach((member: unknown, j) => {
      if (typeof member === 'string' && !known.has(member)) fail(`$.groups[${i}].members[${j}]`, `"${member}" is not the id of a user or group in this seed`);
    });
  }
  const userIdSet = new Set(userIds);
  for (const [i, device] of devices) {
    const assignedTo = text(device['assignedTo']);
    if (assignedTo !== null && !userIdSet.has(assignedTo)) fail(`$.hardwareOathDevices[${i}].assignedTo`, `"${assignedTo}" is not the id of a user in this seed`);
  }
  for (const serial of duplicates(devices.flatMap(([, device]) => text(device['serialNumber']) ?? []))) fail('$.hardwareOathDevices', `serialNumber "${serial}" is used twice`);
  for (const id of duplicates(devices.flatMap(([, device]) => text(device['id']) ?? []))) fail('$.hardwareOathDevices', `id "${id}" is used twice`);
  const apps = [...(isRecord(root['app']) ? [root['app']] : []), ...objectsIn(root['additionalApps']).map(([, app]) => app)];
  for (const id of duplicates(apps.flatMap((app) => text(app['clientId']) ?? []))) fail('$.additionalApps', `clientId "${id}" is used twice`);
  return problems;
}

function seedApp(app: TenantSeedDocument['app']): SeedApp {
  return { clientId: app.clientId, clientSecret: app.clientSecret, displayName: app.displayName ?? 'mfa-migrate', roles: app.roles };
}

/** The checked document with every default filled in. */
function withDefaults(document: TenantSeedDocument): TenantSeed {
  return {
    tenant: { id: document.tenant.id, displayName: document.tenant.displayName ?? 'Contoso', defaultDomain: document.tenant.defaultDomain },
    app: seedApp(document.app),
    additionalApps: (document.additionalApps ?? []).map(seedApp),
    users: document.users.map((user): SeedUser => ({
      id: user.id,
      userPrincipalName: user.userPrincipalName,
      displayName: user.displayName,
      givenName: user.givenName ?? null,
      surname: user.surname ?? null,
      mail: user.mail ?? null,
      onPremisesSamAccountName: user.onPremisesSamAccountName ?? null,
      onPremisesSecurityIdentifier: user.onPremisesSecurityIdentifier ?? null,
      employeeId: user.employeeId ?? null,
      accountEnabled: user.accountEnabled ?? true,
      phoneMethods: user.phoneMethods ?? [],
      microsoftAuthenticatorMethods: (user.microsoftAuthenticatorMethods ?? []).map((method) => ({
        id: method.id,
        displayName: method.displayName,
        deviceTag: method.deviceTag ?? 'SoftwareTokenActivated',
        phoneAppVersion: method.phoneAppVersion ?? '6.8.1',
        createdDateTime: method.createdDateTime ?? '2024-01-01T00:00:00Z',
      })),
      softwareOathMethods: user.softwareOathMethods ?? [],
      signInPreferences: {
        isSystemPreferredAuthenticationMethodEnabled: user.signInPreferences?.isSystemPreferredAuthenticationMethodEnabled ?? false,
        userPreferredMethodForSecondaryAuthentication: user.signInPreferences?.userPreferredMethodForSecondaryAuthentication ?? null,
      },
    })),
    groups: document.groups ?? [],
    authenticationMethodsPolicy: document.authenticationMethodsPolicy,
    hardwareOathDevices: (document.hardwareOathDevices ?? []).map((device): SeedHardwareOathDevice => {
      const assignedTo = device.assignedTo ?? null;
      return {
        id: device.id,
        displayName: device.displayName ?? null,
        serialNumber: device.serialNumber,
        manufacturer: device.manufacturer,
        model: device.model,
        secretKey: device.secretKey,
        timeIntervalInSeconds: device.timeIntervalInSeconds ?? 30,
        hashFunction: device.hashFunction ?? 'hmacsha1',
        assignedTo,
        status: device.status ?? (assignedTo === null ? 'available' : 'assigned'),
      };
    }),
  };
}

/** Checks a parsed seed document: the seed with its defaults, or every problem found (each with its JSON path). */
export function readSeed(document: unknown): { readonly seed: TenantSeed; readonly problems: readonly [] } | { readonly seed: null; readonly problems: readonly SeedProblem[] } {
  checkAgainstSchema ??= compileSchema(TENANT_SEED_SCHEMA);
  const problems = [...checkAgainstSchema(document), ...crossCheck(document)];
  // The schema check passed, so the document has the shape TenantSeedDocument describes.
  if (problems.length === 0) return { seed: withDefaults(document as TenantSeedDocument), problems: [] };
  return { seed: null, problems };
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
  if (seed === null) throw seedError(file, problems);
  return seed;
}
