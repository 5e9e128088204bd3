/**
 * Generated tenants and exports made together, for the model-based test of a migration's whole
 * life. A case is a set of people — each maybe in Entra (phones, default method, Authenticator and
 * software OATH registrations, hardware tokens) and maybe in the MFA Server export (any username
 * form, phones equal to or different from Entra's, backups, extensions, a token serial with or
 * without a seed, devices) — plus groups (nested), an authentication methods policy (disabled
 * methods, include and exclude targets, a group that no longer exists, user targets), a hardware
 * token inventory and the run's options. `materialise` turns it into an emulator seed and three
 * CSV files, written the way MFA Server writes them.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { DefaultMethod, DefaultMethodPolicy, HardwareTokenMode } from '../../src/mapping/desired-state.js';
import type { MatchAttributeOption } from '../../src/graph/config.js';
import type { PhoneConflictPolicy } from '../../src/plan/phone-operations.js';

/** Numbers every rule accepts (libphonenumber /max says valid): Graph form and country code. */
interface PoolNumber {
  readonly countryCode: string;
  readonly national: string;
}

const PHONE_POOL: readonly PoolNumber[] = [
  ...Array.from({ length: 12 }, (_, n) => ({ countryCode: '1', national: `42555501${String(n).padStart(2, '0')}` })),
  ...Array.from({ length: 6 }, (_, n) => ({ countryCode: '1', national: `20655501${String(40 + n)}` })),
  ...Array.from({ length: 4 }, (_, n) => ({ countryCode: '49', national: `151123456${String(70 + n)}` })),
  ...Array.from({ length: 2 }, (_, n) => ({ countryCode: '33', national: `6123456${String(10 + n)}` })),
];

export const PHONE_POOL_SIZE = PHONE_POOL.length;

export function graphNumber(index: number): string {
  const number = PHONE_POOL[index % PHONE_POOL.length] ?? PHONE_POOL[0];
  if (number === undefined) throw new Error('empty phone pool');
  return `+${number.countryCode} ${number.national}`;
}

const DEVICE_NAMES = ['iPhone 14', 'Pixel 8', 'Galaxy S23'] as const;
const METHODS = ['Phone call', 'Text message', 'Mobile app', 'OATH token', ''] as const;
const POLICY_METHODS = ['Sms', 'Voice', 'MicrosoftAuthenticator', 'SoftwareOath', 'HardwareOath'] as const;
const DEFAULT_METHODS: readonly DefaultMethod[] = ['push', 'oath', 'sms', 'voiceMobile', 'voiceAlternateMobile', 'voiceOffice'];

type ExportMethod = (typeof METHODS)[number];
type PolicyMethodId = (typeof POLICY_METHODS)[number];

/** A phone in the export: none, Entra's own mobile number (written the export's way), or a pool number. */
export type PhoneChoice = { readonly kind: 'none' } | { readonly kind: 'entraMobile' } | { readonly kind: 'pool'; readonly index: number };

export interface EntraSide {
  readonly upnStyle: 'sam' | 'name';
  readonly mobile: number | null;
  readonly alternateMobile: number | null;
  readonly office: { readonly index: number; readonly extension: string | null } | null;
  readonly authenticators: readonly string[];
  readonly softwareOath: boolean;
  readonly defaultMethod: DefaultMethod | null;
}

export interface ExportSide {
  readonly usernameStyle: 'upn' | 'upnUpper' | 'domainSam' | 'bareSam';
  readonly enabled: 'Yes' | 'No' | '';
  readonly primary: PhoneChoice;
  readonly primaryExtension: string | null;
  /** How the number is written: national digits with the country code column, or international. */
  readonly international: boolean;
  readonly backup: PhoneChoice;
  readonly backupExtension: string | null;
  readonly method: ExportMethod;
  /** An inventory token (index), a serial the inventory lacks ('new'), or none. */
  readonly token: { readonly ref: number | 'new'; readonly seed: boolean } | null;
  readonly devices: readonly string[];
}

export interface ModelPerson {
  readonly entra: EntraSide | null;
  readonly export: ExportSide | null;
}

export type TargetRef =
  | { readonly kind: 'all' }
  | { readonly kind: 'group'; readonly index: number }
  | { readonly kind: 'missingGroup' }
  | { readonly kind: 'user'; readonly index: number };

export interface ModelPolicyEntry {
  readonly id: PolicyMethodId;
  readonly present: boolean;
  readonly enabled: boolean;
  readonly include: readonly TargetRef[];
  readonly exclude: readonly TargetRef[];
  readonly officeAllowed: boolean;
}

export interface ModelGroup {
  readonly members: readonly number[];
  /** A lower-numbered group nested inside this one, if any (no cycles). */
  readonly nested: number | null;
}

export interface ModelToken {
  readonly status: 'available' | 'assigned' | 'activated';
  /** Person index; used when not available (falls back to available when that person has no Entra account). */
  readonly owner: number;
  readonly timeInterval: 30 | 60;
}

export interface ModelOptions {
  readonly phoneConflict: PhoneConflictPolicy;
  readonly defaultMethod: DefaultMethodPolicy;
  readonly hardwareTokens: HardwareTokenMode;
  readonly matchAttribute: MatchAttributeOption | null;
  /** A group index: only its transitive members are migrated. */
  readonly group: number | null;
}

export interface ModelCase {
  /** Transient faults the emulator injects (the `--faults` spec without its seed), or none. */
  readonly faults: { readonly spec: string; readonly seed: number } | null;
  readonly people: readonly ModelPerson[];
  readonly groups: readonly ModelGroup[];
  readonly policy: readonly ModelPolicyEntry[];
  readonly inventory: readonly ModelToken[];
  readonly options: ModelOptions;
}

const MAX_PEOPLE = 8;
const MAX_GROUPS = 3;
const MAX_TOKENS = 4;

const phoneIndex = fc.integer({ min: 0, max: PHONE_POOL.length - 1 });
const extension = fc.option(fc.constantFrom('123', '4501'), { nil: null, freq: 2 });

const entraSide: fc.Arbitrary<EntraSide> = fc.record({
  upnStyle: fc.constantFrom('sam' as const, 'name' as const),
  mobile: fc.option(phoneIndex, { nil: null }),
  alternateMobile: fc.option(phoneIndex, { nil: null, freq: 2 }),
  office: fc.option(fc.record({ index: phoneIndex, extension }), { nil: null, freq: 2 }),
  authenticators: fc.subarray([...DEVICE_NAMES], { maxLength: 2 }),
  softwareOath: fc.boolean(),
  defaultMethod: fc.option(fc.constantFrom(...DEFAULT_METHODS), { nil: null }),
});

const phoneChoice: fc.Arbitrary<PhoneChoice> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'entraMobile' as const }) },
  { weight: 3, arbitrary: phoneIndex.map((index) => ({ kind: 'pool' as const, index })) },
);

export const exportSide: fc.Arbitrary<ExportSide> = fc.record({
  usernameStyle: fc.constantFrom('upn' as const, 'upnUpper' as const, 'domainSam' as const, 'bareSam' as const),
  enabled: fc.constantFrom('Yes' as const, 'Yes' as const, 'Yes' as const, '' as const, 'No' as const),
  primary: phoneChoice,
  primaryExtension: extension,
  international: fc.boolean(),
  backup: phoneChoice,
  backupExtension: fc.option(fc.constant('77'), { nil: null, freq: 4 }),
  method: fc.constantFrom(...METHODS),
  token: fc.option(fc.record({ ref: fc.oneof(fc.constant('new' as const), fc.integer({ min: 0, max: MAX_TOKENS - 1 })), seed: fc.boolean() }), { nil: null, freq: 3 }),
  devices: fc.subarray([...DEVICE_NAMES], { maxLength: 2 }),
});

// Indices into people, groups and tokens are generated in their full range and resolved modulo
// the case's own counts (`resolve`), so fast-check can shrink every array independently.
const targetRef: fc.Arbitrary<TargetRef> = fc.oneof(
  fc.constant({ kind: 'all' as const }),
  fc.constant({ kind: 'missingGroup' as const }),
  fc.integer({ min: 0, max: MAX_GROUPS - 1 }).map((index) => ({ kind: 'group' as const, index })),
  fc.integer({ min: 0, max: MAX_PEOPLE - 1 }).map((index) => ({ kind: 'user' as const, index })),
);

function policyEntry(id: PolicyMethodId): fc.Arbitrary<ModelPolicyEntry> {
  return fc.record({
    id: fc.constant(id),
    present: fc.boolean().map((value) => value || id !== 'HardwareOath'),
    enabled: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    include: fc.oneof({ weight: 3, arbitrary: fc.constant([{ kind: 'all' as const }]) }, { weight: 2, arbitrary: fc.array(targetRef, { minLength: 1, maxLength: 2 }) }),
    exclude: fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 2, arbitrary: fc.array(targetRef, { minLength: 1, maxLength: 2 }) }),
    officeAllowed: fc.boolean(),
  });
}

/** Every generated case: a small tenant, its exports and the run's options. */
export const modelCase: fc.Arbitrary<ModelCase> = fc
  .record({
    faults: fc.option(
      fc.record({ spec: fc.constantFrom('5xx=0.15', 'drop=0.1', '429=0.15,retryAfter=0.05', 'lost=0.15', 'lost=0.2,lostWrites=2'), seed: fc.integer({ min: 1, max: 1_000_000 }) }),
      { nil: null, freq: 4 },
    ),
    people: fc.array(fc.record({ entra: fc.option(entraSide, { nil: null, freq: 6 }), export: fc.option(exportSide, { nil: null, freq: 6 }) }), { minLength: 1, maxLength: MAX_PEOPLE }),
    groups: fc.array(fc.record({ members: fc.uniqueArray(fc.integer({ min: 0, max: MAX_PEOPLE - 1 }), { maxLength: MAX_PEOPLE }), nested: fc.option(fc.integer({ min: 0, max: MAX_GROUPS - 1 }), { nil: null }) }), { maxLength: MAX_GROUPS }),
    policy: fc.tuple(...POLICY_METHODS.map(policyEntry)),
    inventory: fc.array(fc.record({ status: fc.constantFrom('available' as const, 'assigned' as const, 'activated' as const), owner: fc.integer({ min: 0, max: MAX_PEOPLE - 1 }), timeInterval: fc.constantFrom(30 as const, 60 as const) }), { maxLength: MAX_TOKENS }),
    options: fc.record({
      phoneConflict: fc.constantFrom('keep' as const, 'overwrite' as const),
      defaultMethod: fc.constantFrom('if-unset' as const, 'always' as const, 'most-secure-if-unset' as const),
      hardwareTokens: fc.constantFrom('import-and-activate' as const, 'import' as const, 'off' as const),
      matchAttribute: fc.constantFrom(null, 'onPremisesSamAccountName' as const, 'mail' as const),
      group: fc.option(fc.integer({ min: 0, max: MAX_GROUPS - 1 }), { nil: null, freq: 3 }),
    }),
  })
  .map(resolve);

/** Indices taken modulo the case's counts; references to nothing (no groups, no tokens) dropped. */
function resolve(model: ModelCase): ModelCase {
  const people = model.people.length;
  const groups = model.groups.length;
  const tokens = model.inventory.length;
  const ref = (target: TargetRef): TargetRef => {
    if (target.kind === 'group') return groups === 0 ? { kind: 'missingGroup' } : { kind: 'group', index: target.index % groups };
    if (target.kind === 'user') return { kind: 'user', index: target.index % people };
    return target;
  };
  return {
    faults: model.faults,
    people: model.people.map((person) => ({ entra: person.entra, export: resolveExport(person.export, tokens) })),
    groups: model.groups.map((group, index) => ({
      members: [...new Set(group.members.map((member) => member % people))],
      nested: group.nested === null || index === 0 ? null : group.nested % index,
    })),
    policy: model.policy.map((entry) => ({ ...entry, include: entry.include.map(ref), exclude: entry.exclude.map(ref) })),
    inventory: model.inventory.map((token) => ({ ...token, owner: token.owner % people })),
    options: { ...model.options, group: model.options.group === null || groups === 0 ? null : model.options.group % groups },
  };
}

/** An export side's token claim taken modulo the inventory (a serial the inventory lacks when it is empty). */
export function resolveExport(side: ExportSide | null, tokens: number): ExportSide | null {
  if (side === null || side.token === null || side.token.ref === 'new') return side;
  return { ...side, token: { ...side.token, ref: tokens === 0 ? 'new' : side.token.ref % tokens } };
}

const TENANT_ID = '7e57ab1e-0000-4000-8000-000000000000';
const DOMAIN = 'contoso.com';
const MISSING_GROUP_ID = 'dead0000-0000-4000-8000-000000000000';

function guid(prefix: string, n: number): string {
  return `${prefix}-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

export function userIdOf(person: number): string {
  return guid('0000aaaa', person);
}

function groupIdOf(index: number): string {
  return guid('0000bbbb', index);
}

function tokenIdOf(index: number): string {
  return guid('0000cccc', index);
}

export function serialOf(ref: number | 'new', person: number): string {
  return ref === 'new' ? `NEW${String(person).padStart(3, '0')}` : `INV${String(ref).padStart(3, '0')}`;
}

/** The seed a token's serial stands for: the same in the inventory and in the tokens file, as for a real token. */
function seedOf(serial: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const digest = createHash('sha1').update(`model seed ${serial}`).digest();
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31] ?? '';
      bits -= 5;
    }
  }
  return out;
}

function samOf(person: number): string {
  return `user${String(person)}`;
}

function upnOf(person: number, entra: EntraSide | null): string {
  return entra?.upnStyle === 'name' ? `first${String(person)}.last@${DOMAIN}` : `${samOf(person)}@${DOMAIN}`;
}

function mailOf(person: number): string {
  return `mail${String(person)}@${DOMAIN}`;
}

/** A token's owner when it is not available: only people with an Entra account can hold one. */
function ownerOf(model: ModelCase, token: ModelToken): number | null {
  if (token.status === 'available') return null;
  return model.people[token.owner]?.entra == null ? null : token.owner;
}

function defaultHeld(model: ModelCase, person: number, entra: EntraSide): DefaultMethod | null {
  const method = entra.defaultMethod;
  if (method === null) return null;
  const activatedToken = model.inventory.some((token) => ownerOf(model, token) === person && token.status === 'activated');
  switch (method) {
    case 'push':
      return entra.authenticators.length > 0 ? method : null;
    case 'oath':
      return entra.softwareOath || activatedToken ? method : null;
    case 'sms':
    case 'voiceMobile':
      return entra.mobile === null ? null : method;
    case 'voiceAlternateMobile':
      return entra.mobile !== null && entra.alternateMobile !== null ? method : null;
    case 'voiceOffice':
      return entra.office === null ? null : method;
  }
}

function target(ref: TargetRef, model: ModelCase): Record<string, unknown> {
  switch (ref.kind) {
    case 'all':
      return { targetType: 'group', id: 'all_users' };
    case 'group':
      return { targetType: 'group', id: groupIdOf(ref.index) };
    case 'missingGroup':
      return { targetType: 'group', id: MISSING_GROUP_ID };
    case 'user':
      return model.people[ref.index]?.entra == null ? { targetType: 'group', id: MISSING_GROUP_ID } : { targetType: 'user', id: userIdOf(ref.index) };
  }
}

const CONFIGURATION_TYPES: Readonly<Record<PolicyMethodId, string>> = {
  Sms: '#microsoft.graph.smsAuthenticationMethodConfiguration',
  Voice: '#microsoft.graph.voiceAuthenticationMethodConfiguration',
  MicrosoftAuthenticator: '#microsoft.graph.microsoftAuthenticatorAuthenticationMethodConfiguration',
  SoftwareOath: '#microsoft.graph.softwareOathAuthenticationMethodConfiguration',
  HardwareOath: '#microsoft.graph.hardwareOathAuthenticationMethodConfiguration',
};

/** The emulator seed of a case. */
export function tenantSeed(model: ModelCase): Record<string, unknown> {
  const users = model.people.flatMap((person, index) => {
    const entra = person.entra;
    if (entra === null) return [];
    const phoneMethods: { phoneType: string; phoneNumber: string }[] = [];
    if (entra.mobile !== null) phoneMethods.push({ phoneType: 'mobile', phoneNumber: graphNumber(entra.mobile) });
    if (entra.mobile !== null && entra.alternateMobile !== null && entra.alternateMobile !== entra.mobile) {
      phoneMethods.push({ phoneType: 'alternateMobile', phoneNumber: graphNumber(entra.alternateMobile) });
    }
    if (entra.office !== null) phoneMethods.push({ phoneType: 'office', phoneNumber: `${graphNumber(entra.office.index)}${entra.office.extension === null ? '' : `x${entra.office.extension}`}` });
    const held = defaultHeld(model, index, entra);
    const heldDefault = held === 'voiceAlternateMobile' && !phoneMethods.some((phone) => phone.phoneType === 'alternateMobile') ? null : held;
    return [
      {
        id: userIdOf(index),
        userPrincipalName: upnOf(index, entra),
        displayName: `Person ${String(index)}`,
        mail: mailOf(index),
        onPremisesSamAccountName: samOf(index),
        accountEnabled: true,
        phoneMethods,
        microsoftAuthenticatorMethods: entra.authenticators.map((name, n) => ({
          id: guid(`0000dd${String(n).padStart(2, '0')}`, index),
          displayName: name,
          deviceTag: 'SoftwareTokenActivated',
          phoneAppVersion: '6.8.1',
          createdDateTime: '2024-01-01T00:00:00Z',
        })),
        softwareOathMethods: entra.softwareOath ? [{ id: guid('0000eeee', index) }] : [],
        signInPreferences: { isSystemPreferredAuthenticationMethodEnabled: false, userPreferredMethodForSecondaryAuthentication: heldDefault },
      },
    ];
  });
  const groups = model.groups.map((group, index) => ({
    id: groupIdOf(index),
    displayName: `Group ${String(index)}`,
    members: [
      ...group.members.filter((person) => model.people[person]?.entra != null).map(userIdOf),
      ...(group.nested !== null && group.nested < index ? [groupIdOf(group.nested)] : []),
    ],
  }));
  const configurations = model.policy
    .filter((entry) => entry.present)
    .map((entry) => ({
      '@odata.type': CONFIGURATION_TYPES[entry.id],
      id: entry.id,
      state: entry.enabled ? 'enabled' : 'disabled',
      includeTargets: entry.include.map((ref) => ({ ...target(ref, model), isRegistrationRequired: false, ...(entry.id === 'Sms' ? { isUsableForSignIn: false } : {}) })),
      excludeTargets: entry.exclude.map((ref) => target(ref, model)),
      ...(entry.id === 'Voice' ? { isOfficePhoneAllowed: entry.officeAllowed } : {}),
    }));
  const hardwareOathDevices = model.inventory.map((token, index) => {
    const serialNumber = serialOf(index, -1);
    const owner = ownerOf(model, token);
    return {
      id: tokenIdOf(index),
      serialNumber,
      manufacturer: 'Contoso',
      model: 'Key',
      secretKey: seedOf(serialNumber),
      timeIntervalInSeconds: token.timeInterval,
      hashFunction: 'hmacsha1',
      assignedTo: owner === null ? null : userIdOf(owner),
      status: owner === null ? 'available' : token.status,
    };
  });
  return {
    tenant: { id: TENANT_ID, displayName: 'Model tenant', defaultDomain: DOMAIN },
    app: {
      clientId: 'c0ffee00-0000-4000-8000-00000000abcd',
      clientSecret: 'model-secret',
      displayName: 'mfa-migrate',
      roles: ['User.Read.All', 'GroupMember.Read.All', 'UserAuthenticationMethod.ReadWrite.All', 'Policy.Read.All', 'Policy.ReadWrite.AuthenticationMethod'],
    },
    users,
    groups,
    authenticationMethodsPolicy: { id: 'authenticationMethodsPolicy', authenticationMethodConfigurations: configurations },
    hardwareOathDevices,
  };
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function csvLine(values: readonly string[]): string {
  return values.map(csvField).join(',');
}

/** How MFA Server writes a number: national digits punctuated, with the country code column, or international. */
function exportNumber(index: number, international: boolean): { countryCode: string; phone: string } {
  const number = PHONE_POOL[index % PHONE_POOL.length] ?? PHONE_POOL[0];
  if (number === undefined) throw new Error('empty phone pool');
  const { countryCode, national } = number;
  if (international) return { countryCode: '', phone: `+${countryCode} ${national}` };
  if (countryCode === '1') return { countryCode, phone: `(${national.slice(0, 3)}) ${national.slice(3, 6)}-${national.slice(6)}` };
  return { countryCode, phone: `0${national}` };
}

function exportPhone(choice: PhoneChoice, entra: EntraSide | null, international: boolean): { countryCode: string; phone: string } {
  switch (choice.kind) {
    case 'none':
      return { countryCode: '', phone: '' };
    case 'entraMobile':
      return entra?.mobile == null ? { countryCode: '', phone: '' } : exportNumber(entra.mobile, international);
    case 'pool':
      return exportNumber(choice.index, international);
  }
}

function usernameOf(person: number, entra: EntraSide | null, side: ExportSide): string {
  switch (side.usernameStyle) {
    case 'upn':
      return upnOf(person, entra);
    case 'upnUpper':
      return upnOf(person, entra).toUpperCase();
    case 'domainSam':
      return `CONTOSO\\${samOf(person)}`;
    case 'bareSam':
      return samOf(person);
  }
}

export interface MaterialisedCase {
  readonly seed: Record<string, unknown>;
  readonly files: { readonly users: string; readonly devices: string; readonly tokens: string };
  /** The group id for `--group`, or null. */
  readonly groupId: string | null;
  /** Export rows written (a case may have none). */
  readonly rows: number;
}

/** Writes a case's exports into `dir` (CRLF, as Windows tools write them) and returns its seed. */
export function materialise(model: ModelCase, dir: string): MaterialisedCase {
  const { files, rows } = writeExports(model, model.people, dir);
  return { seed: tenantSeed(model), files, groupId: model.options.group === null ? null : groupIdOf(model.options.group), rows };
}

/** The `--group` id of a case, or null. */
export function groupIdOfCase(model: ModelCase): string | null {
  return model.options.group === null ? null : groupIdOf(model.options.group);
}

/**
 * The three exports of `people` (the case's, or a later version of them with some export sides
 * changed) in `dir`: what MFA Server would export for them.
 */
export function writeExports(model: ModelCase, people: readonly ModelPerson[], dir: string): { readonly files: MaterialisedCase['files']; readonly rows: number } {
  const users = [
    csvLine(['Username', 'First Name', 'Last Name', 'Email', 'Primary Country Code', 'Primary Phone', 'Primary Extension', 'Backup Country Code', 'Backup Phone', 'Backup Extension', 'Method', 'Enabled', 'OATH Token Serial']),
  ];
  const devices = [csvLine(['Username', 'Device Name', 'Activated', 'Last Used'])];
  const tokens = [csvLine(['upn', 'serial number', 'secret key', 'time interval', 'manufacturer', 'model'])];
  const seeded = new Set<string>();
  people.forEach((person, index) => {
    const side = person.export;
    if (side === null) return;
    const username = usernameOf(index, person.entra, side);
    const primary = exportPhone(side.primary, person.entra, side.international);
    const backup = exportPhone(side.backup, person.entra, side.international);
    const serial = side.token === null ? '' : serialOf(side.token.ref, index);
    users.push(
      csvLine([
        username, `First${String(index)}`, 'Last', mailOf(index),
        primary.countryCode, primary.phone, primary.phone === '' ? '' : side.primaryExtension ?? '',
        backup.countryCode, backup.phone, backup.phone === '' ? '' : side.backupExtension ?? '',
        side.method, side.enabled, serial,
      ]),
    );
    side.devices.forEach((name, n) => devices.push(csvLine([username, name, `1/${String(n + 1)}/2024 9:00:00 AM`, `11/${String(n + 1)}/2026 8:00:00 AM`])));
    if (side.token !== null && side.token.seed && !seeded.has(serial)) {
      seeded.add(serial);
      const interval = side.token.ref === 'new' ? 30 : model.inventory[side.token.ref]?.timeInterval ?? 30;
      tokens.push(csvLine(['', serial, seedOf(serial), String(interval), 'Contoso', 'Key']));
    }
  });
  const files = { users: join(dir, 'users.csv'), devices: join(dir, 'devices.csv'), tokens: join(dir, 'tokens.csv') };
  writeFileSync(files.users, `${users.join('\r\n')}\r\n`);
  writeFileSync(files.devices, `${devices.join('\r\n')}\r\n`);
  writeFileSync(files.tokens, `${tokens.join('\r\n')}\r\n`);
  return { files, rows: users.length - 1 };
}
