/**
 * The emulated tenant: users, groups, authentication methods, sign-in preferences, the
 * authentication methods policy and the hardware OATH inventory, with the rules Graph enforces on
 * them. Handlers translate requests into these calls; nothing here knows about HTTP beyond the
 * status and error code Graph would answer with.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { DefaultMethod, PhoneType } from '../mapping/desired-state.js';
import type { HashFunction } from '../source/records.js';
import type { Clock } from './clock.js';
import type { SeedAuthenticatorMethod, SeedGroup, SeedUser, TenantSeed } from './seed.js';
import { GRAPH_PHONE_NUMBER, MAX_SECRET_KEY_LENGTH, type HardwareTokenStatus } from './seed-schema.js';
import { decodeBase32 } from '../base32.js';
import { verifyTotp } from './totp.js';
import { isRecord } from '../json-value.js';

/**
 * Phone method ids are fixed per type (api-reference/v1.0/resources/phoneauthenticationmethod.md).
 */
export const PHONE_METHOD_IDS: Readonly<Record<PhoneType, string>> = {
  mobile: '3179e48a-750b-4051-897c-87b9720928f7',
  alternateMobile: 'b6332ec1-7057-4abe-9331-3d72feddfe41',
  office: 'e37fc753-ff3b-4958-9484-eaa9425c82bc',
};
const PHONE_ORDER: readonly PhoneType[] = ['mobile', 'alternateMobile', 'office'];
/** The password method's well-known id (api-reference/v1.0/resources/passwordauthenticationmethod.md). */
export const PASSWORD_METHOD_ID = '28c10230-6103-485e-b985-444c60001490';

export interface Failure {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: Failure };

const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
const fail = <T>(status: number, code: string, message: string): Outcome<T> => ({ ok: false, failure: { status, code, message } });

export type SmsSignInState = 'ready' | 'notSupported' | 'notAllowedByPolicy' | 'phoneNumberNotUnique';

export interface PhoneRecord {
  readonly phoneType: PhoneType;
  phoneNumber: string;
  smsSignInState: SmsSignInState;
}

export interface TemporaryAccessPassRecord {
  readonly id: string;
  readonly temporaryAccessPass: string;
  readonly createdDateTime: string;
  readonly startDateTime: string;
  readonly lifetimeInMinutes: number;
  readonly isUsableOnce: boolean;
}

export interface SignInPreferencesRecord {
  isSystemPreferredAuthenticationMethodEnabled: boolean;
  userPreferredMethodForSecondaryAuthentication: DefaultMethod | null;
}

/** The directory attributes of a user, as the seed gives them; the store never changes them. */
type UserAttributes = Pick<
  SeedUser,
  | 'id'
  | 'userPrincipalName'
  | 'displayName'
  | 'givenName'
  | 'surname'
  | 'mail'
  | 'onPremisesSamAccountName'
  | 'onPremisesSecurityIdentifier'
  | 'employeeId'
  | 'accountEnabled'
>;

export interface UserRecord extends UserAttributes {
  readonly phones: Map<PhoneType, PhoneRecord>;
  authenticators: SeedAuthenticatorMethod[];
  softwareOath: { readonly id: string }[];
  temporaryAccessPasses: TemporaryAccessPassRecord[];
  readonly signInPreferences: SignInPreferencesRecord;
}

export interface DeviceRecord {
  readonly id: string;
  displayName: string | null;
  readonly serialNumber: string;
  readonly manufacturer: string;
  readonly model: string;
  readonly secretKey: string;
  readonly timeIntervalInSeconds: 30 | 60;
  readonly hashFunction: HashFunction;
  assignedTo: string | null;
  /**
   * The id of the user's hardwareOathAuthenticationMethod while the token is assigned: not the
   * device's id (authentication-post-hardwareoathmethods.md answers the assign with an id of its
   * own), so a client that addresses the method by the device id fails here as it would in Graph.
   */
  methodId: string | null;
  assignedDateTime: string | null;
  status: HardwareTokenStatus;
  lastUsedDateTime: string | null;
}

/** A seeded assignment's method id: fixed per device so a reset gives the same ids, and never the device's id. */
function seededMethodId(deviceId: string): string {
  const hex = createHash('sha256').update(`hardwareOathMethod:${deviceId.toLowerCase()}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const DEFAULT_METHOD_VALUES: readonly DefaultMethod[] = ['push', 'oath', 'sms', 'voiceMobile', 'voiceAlternateMobile', 'voiceOffice'];

/** The phone a default (preferred) method dials or texts. */
function phoneOfDefaultMethod(method: DefaultMethod | null): PhoneType | null {
  switch (method) {
    case 'sms':
    case 'voiceMobile':
      return 'mobile';
    case 'voiceAlternateMobile':
      return 'alternateMobile';
    case 'voiceOffice':
      return 'office';
    default:
      return null;
  }
}


export class TenantStore {
  readonly #seed: TenantSeed;
  readonly #clock: Clock;
  readonly #refusedPhoneNumbers: ReadonlySet<string>;
  #users = new Map<string, UserRecord>();
  /**
   * How many users hold each number as their mobile: the uniqueness check of smsSignInState reads
   * it instead of every user, which at 10,000 users made the seed load and each write O(users).
   */
  #mobileHolders = new Map<string, number>();
  #byUpn = new Map<string, UserRecord>();
  #groups = new Map<string, SeedGroup>();
  #devices = new Map<string, DeviceRecord>();
  #policy: Record<string, unknown> = {};

  /**
   * @param refusedPhoneNumbers numbers (`+` and digits) answered 400 like a malformed one: the
   *   emulator's `reject=` fault
   */
  constructor(seed: TenantSeed, clock: Clock, refusedPhoneNumbers: readonly string[] = []) {
    this.#seed = seed;
    this.#clock = clock;
    this.#refusedPhoneNumbers = new Set(refusedPhoneNumbers);
    this.reset();
  }

  get tenantId(): string {
    return this.#seed.tenant.id;
  }

  get userCount(): number {
    return this.#users.size;
  }

  /** Back to the seed: every write since start is forgotten. */
  reset(): void {
    this.#users = new Map(this.#seed.users.map((user) => [user.id.toLowerCase(), this.#userFromSeed(user)]));
    this.#byUpn = new Map([...this.#users.values()].map((user) => [user.userPrincipalName.toLowerCase(), user]));
    this.#groups = new Map(this.#seed.groups.map((group) => [group.id.toLowerCase(), group]));
    this.#devices = new Map(
      this.#seed.hardwareOathDevices.map((device) => [
        device.id.toLowerCase(),
        {
          ...device,
          methodId: device.assignedTo === null ? null : seededMethodId(device.id),
          assignedDateTime: device.assignedTo === null ? null : new Date(this.#clock.now()).toISOString(),
          lastUsedDateTime: null,
        },
      ]),
    );
    this.#policy = structuredClone(this.#seed.authenticationMethodsPolicy);
    this.#mobileHolders = new Map();
    for (const user of this.#users.values()) {
      const mobile = user.phones.get('mobile');
      if (mobile !== undefined) this.#countMobile(mobile.phoneNumber, 1);
    }
    for (const user of this.#users.values()) {
      for (const phone of user.phones.values()) phone.smsSignInState = this.#smsSignInState(user, phone.phoneType, phone.phoneNumber);
    }
  }

  #userFromSeed(user: SeedUser): UserRecord {
    const { phoneMethods, microsoftAuthenticatorMethods, softwareOathMethods, signInPreferences, ...properties } = user;
    return {
      ...properties,
      phones: new Map(phoneMethods.map((phone) => [phone.phoneType, { ...phone, smsSignInState: 'notSupported' }])),
      authenticators: microsoftAuthenticatorMethods.map((method) => ({ ...method })),
      softwareOath: softwareOathMethods.map((method) => ({ ...method })),
      temporaryAccessPasses: [],
      signInPreferences: { ...signInPreferences },
    };
  }

  /** A user by object id or userPrincipalName, case-insensitive (user-get.md: `/users/{id | userPrincipalName}`). */
  findUser(idOrUpn: string): UserRecord | undefined {
    const key = idOrUpn.toLowerCase();
    return this.#users.get(key) ?? this.#byUpn.get(key);
  }

  users(): UserRecord[] {
    return [...this.#users.values()];
  }

  findGroup(id: string): SeedGroup | undefined {
    return this.#groups.get(id.toLowerCase());
  }

  groups(): SeedGroup[] {
    return [...this.#groups.values()];
  }

  /** Members of a group and of every group nested in it, each once, in breadth-first order. */
  transitiveMembers(group: SeedGroup): ({ kind: 'user'; user: UserRecord } | { kind: 'group'; group: SeedGroup })[] {
    const seen = new Set<string>([group.id.toLowerCase()]);
    const out: ({ kind: 'user'; user: UserRecord } | { kind: 'group'; group: SeedGroup })[] = [];
    const queue = [group];
    for (let current = queue.shift(); current !== undefined; current = queue.shift()) {
      for (const memberId of current.members) {
        const key = memberId.toLowerCase();
        if (seen.has(key)) continue;
        seen.add(key);
        const user = this.#users.get(key);
        if (user !== undefined) {
          out.push({ kind: 'user', user });
          continue;
        }
        const nested = this.#groups.get(key);
        if (nested !== undefined) {
          out.push({ kind: 'group', group: nested });
          queue.push(nested);
        }
      }
    }
    return out;
  }

  policy(): Readonly<Record<string, unknown>> {
    return this.#policy;
  }

  #methodConfiguration(id: string): Record<string, unknown> | undefined {
    const configurations = this.#policy['authenticationMethodConfigurations'];
    if (!Array.isArray(configurations)) return undefined;
    return (configurations as unknown[]).find(
      (configuration): configuration is Record<string, unknown> =>
        isRecord(configuration) && typeof configuration['id'] === 'string' && configuration['id'].toLowerCase() === id.toLowerCase(),
    );
  }

  /**
   * Whether a policy target (`all_users`, a group id or a user id: authenticationMethodTarget's
   * targetType) covers the user, nested groups included. A group that no longer exists covers
   * nobody.
   */
  #targets(target: unknown, user: UserRecord): boolean {
    if (!isRecord(target) || typeof target['id'] !== 'string') return false;
    if (target['id'] === 'all_users') return true;
    if (target['id'].toLowerCase() === user.id.toLowerCase()) return true;
    const group = this.findGroup(target['id']);
    return group !== undefined && this.transitiveMembers(group).some((member) => member.kind === 'user' && member.user === user);
  }

  /**
   * Whether the authentication methods policy lets the user use a method: its configuration is
   * enabled, an include target covers the user and no exclude target does. A method the policy
   * does not configure is allowed (the policy restricts only what it lists).
   */
  #allowedByPolicy(id: string, user: UserRecord): boolean {
    const configuration = this.#methodConfiguration(id);
    if (configuration === undefined) return true;
    const included = configuration['includeTargets'];
    const excluded = configuration['excludeTargets'];
    return (
      configuration['state'] === 'enabled' &&
      Array.isArray(included) &&
      (included as unknown[]).some((target) => this.#targets(target, user)) &&
      !(Array.isArray(excluded) && (excluded as unknown[]).some((target) => this.#targets(target, user)))
    );
  }

  /**
   * SMS sign-in state of a phone (phoneauthenticationmethod.md, authenticationMethodSignInState):
   * only the mobile can be used; the policy's Sms configuration must include the user (and not
   * exclude them) with isUsableForSignIn; the number must not be another user's sign-in mobile.
   */
  #smsSignInState(user: UserRecord, type: PhoneType, number: string): SmsSignInState {
    if (type !== 'mobile') return 'notSupported';
    const sms = this.#methodConfiguration('Sms');
    const included = sms?.['includeTargets'];
    const excluded = sms?.['excludeTargets'];
    const usable =
      sms?.['state'] === 'enabled' &&
      Array.isArray(included) &&
      (included as unknown[]).some((target) => isRecord(target) && target['isUsableForSignIn'] === true && this.#targets(target, user)) &&
      !(Array.isArray(excluded) && (excluded as unknown[]).some((target) => this.#targets(target, user)));
    if (!usable) return 'notAllowedByPolicy';
    const ownHolding = user.phones.get('mobile')?.phoneNumber === number ? 1 : 0;
    if ((this.#mobileHolders.get(number) ?? 0) - ownHolding > 0) return 'phoneNumberNotUnique';
    return 'ready';
  }

  // --- phone methods (authentication-post-phonemethods.md, phoneauthenticationmethod-update.md, -delete.md)

  phones(user: UserRecord): PhoneRecord[] {
    return PHONE_ORDER.flatMap((type) => {
      const phone = user.phones.get(type);
      return phone === undefined ? [] : [phone];
    });
  }

  phoneTypeOfId(methodId: string): PhoneType | undefined {
    return PHONE_ORDER.find((type) => PHONE_METHOD_IDS[type] === methodId.toLowerCase());
  }

  addPhone(user: UserRecord, body: unknown): Outcome<PhoneRecord> {
    if (!isRecord(body)) return fail(400, 'badRequest', 'The request body must be a phoneAuthenticationMethod object.');
    const { phoneNumber, phoneType } = body;
    if (typeof phoneType !== 'string' || !(PHONE_ORDER as readonly string[]).includes(phoneType)) {
      return fail(400, 'badRequest', "Invalid value for phoneType. Possible values are: 'mobile', 'alternateMobile', 'office'.");
    }
    const type = phoneType as PhoneType;
    const invalid = this.#checkPhoneNumber(phoneNumber);
    if (invalid !== null) return { ok: false, failure: invalid };
    if (user.phones.has(type)) return fail(400, 'badRequest', `The user already has a phone method of type '${type}'; update it or delete it first.`);
    if (type === 'alternateMobile' && !user.phones.has('mobile')) {
      return fail(400, 'badRequest', "An 'alternateMobile' phone can only be added to a user who has a 'mobile' phone.");
    }
    const number = phoneNumber as string;
    const record: PhoneRecord = { phoneType: type, phoneNumber: number, smsSignInState: this.#smsSignInState(user, type, number) };
    user.phones.set(type, record);
    if (type === 'mobile') this.#countMobile(number, 1);
    return ok(record);
  }

  #countMobile(number: string, delta: 1 | -1): void {
    const holders = (this.#mobileHolders.get(number) ?? 0) + delta;
    if (holders > 0) this.#mobileHolders.set(number, holders);
    else this.#mobileHolders.delete(number);
  }

  #checkPhoneNumber(phoneNumber: unknown): Failure | null {
    if (typeof phoneNumber !== 'string' || !GRAPH_PHONE_NUMBER.test(phoneNumber) || this.#refusedPhoneNumbers.has(phoneNumber.replace(/x\d*$/, '').replace(' ', ''))) {
      return {
        status: 400,
        code: 'badRequest',
        message: "Invalid phone number. Phone numbers use the format '+{country code} {number}x{extension}', for example '+1 5555551234' or '+1 5555551234x123'.",
      };
    }
    return null;
  }

  updatePhone(user: UserRecord, methodId: string, body: unknown): Outcome<PhoneRecord> {
    const type = this.phoneTypeOfId(methodId);
    const phone = type === undefined ? undefined : user.phones.get(type);
    if (type === undefined || phone === undefined) return fail(404, 'itemNotFound', `Phone method '${methodId}' was not found for the user.`);
    if (!isRecord(body)) return fail(400, 'badRequest', 'The request body must be a phoneAuthenticationMethod object.');
    if (body['phoneType'] !== undefined && body['phoneType'] !== type) {
      return fail(400, 'badRequest', "A phone's type cannot be changed; add a phone of the new type and delete this one.");
    }
    const invalid = this.#checkPhoneNumber(body['phoneNumber']);
    if (invalid !== null) return { ok: false, failure: invalid };
    if (type === 'mobile') this.#countMobile(phone.phoneNumber, -1);
    phone.phoneNumber = body['phoneNumber'] as string;
    if (type === 'mobile') this.#countMobile(phone.phoneNumber, 1);
    phone.smsSignInState = this.#smsSignInState(user, type, phone.phoneNumber);
    return ok(phone);
  }

  deletePhone(user: UserRecord, methodId: string): Outcome<PhoneType> {
    const type = this.phoneTypeOfId(methodId);
    if (type === undefined || !user.phones.has(type)) return fail(404, 'itemNotFound', `Phone method '${methodId}' was not found for the user.`);
    if (type === 'mobile' && user.phones.has('alternateMobile')) {
      return fail(400, 'badRequest', "The 'mobile' phone cannot be deleted while the user has an 'alternateMobile' phone; update the mobile number instead, then delete the alternateMobile.");
    }
    if (phoneOfDefaultMethod(user.signInPreferences.userPreferredMethodForSecondaryAuthentication) === type) {
      return fail(400, 'badRequest', "The phone is the user's default multifactor authentication method; change the default method before deleting it.");
    }
    const removed = user.phones.get(type);
    user.phones.delete(type);
    if (type === 'mobile' && removed !== undefined) this.#countMobile(removed.phoneNumber, -1);
    return ok(type);
  }

  // --- Authenticator, software OATH, Temporary Access Pass

  deleteAuthenticator(user: UserRecord, methodId: string): Outcome<void> {
    const index = user.authenticators.findIndex((method) => method.id.toLowerCase() === methodId.toLowerCase());
    if (index < 0) return fail(404, 'itemNotFound', `Microsoft Authenticator method '${methodId}' was not found for the user.`);
    user.authenticators.splice(index, 1);
    return ok(undefined);
  }

  deleteSoftwareOath(user: UserRecord, methodId: string): Outcome<void> {
    const index = user.softwareOath.findIndex((method) => method.id.toLowerCase() === methodId.toLowerCase());
    if (index < 0) return fail(404, 'itemNotFound', `Software OATH method '${methodId}' was not found for the user.`);
    user.softwareOath.splice(index, 1);
    return ok(undefined);
  }

  /**
   * authentication-post-temporaryaccesspassmethods.md: lifetime 10–43200 minutes, defaults from the
   * policy; a new pass replaces the previous one. temporaryaccesspassauthenticationmethodconfiguration.md:
   * the policy's minimum and maximum lifetime hold for "any Temporary Access Pass created in the
   * tenant", and its isUsableOnce restricts every pass to one use. The pages give no error text
   * for either: the emulator refuses with a 400 (our assumption of Graph's answer).
   */
  createTemporaryAccessPass(user: UserRecord, body: unknown): Outcome<TemporaryAccessPassRecord> {
    const request = body === undefined ? {} : body;
    if (!isRecord(request)) return fail(400, 'badRequest', 'The request body must be a temporaryAccessPassAuthenticationMethod object.');
    const configuration = this.#methodConfiguration('TemporaryAccessPass');
    if (configuration?.['state'] !== 'enabled') {
      return fail(400, 'badRequest', 'Temporary Access Pass is disabled in the authentication methods policy.');
    }
    const lifetime = request['lifetimeInMinutes'] ?? configuration['defaultLifetimeInMinutes'] ?? 60;
    if (typeof lifetime !== 'number' || !Number.isInteger(lifetime) || lifetime < 10 || lifetime > 43_200) {
      return fail(400, 'badRequest', 'lifetimeInMinutes must be between 10 and 43200.');
    }
    const minimum = typeof configuration['minimumLifetimeInMinutes'] === 'number' ? configuration['minimumLifetimeInMinutes'] : 10;
    const maximum = typeof configuration['maximumLifetimeInMinutes'] === 'number' ? configuration['maximumLifetimeInMinutes'] : 43_200;
    if (lifetime < minimum || lifetime > maximum) {
      return fail(400, 'badRequest', `lifetimeInMinutes ${String(lifetime)} is outside the Temporary Access Pass policy of the tenant, which allows ${String(minimum)} to ${String(maximum)} minutes.`);
    }
    const onlyOnce = configuration['isUsableOnce'] === true;
    const isUsableOnce = request['isUsableOnce'] ?? onlyOnce;
    if (typeof isUsableOnce !== 'boolean') return fail(400, 'badRequest', 'isUsableOnce must be true or false.');
    if (onlyOnce && !isUsableOnce) return fail(400, 'badRequest', 'The Temporary Access Pass policy of the tenant allows one-time passes only; isUsableOnce cannot be false.');
    const now = new Date(this.#clock.now()).toISOString();
    const start = request['startDateTime'];
    if (start !== undefined && (typeof start !== 'string' || Number.isNaN(Date.parse(start)))) {
      return fail(400, 'badRequest', 'startDateTime must be an ISO 8601 date and time.');
    }
    const record: TemporaryAccessPassRecord = {
      id: randomUUID(),
      temporaryAccessPass: randomBytes(6).toString('base64').slice(0, 8),
      createdDateTime: now,
      startDateTime: start === undefined ? now : new Date(start).toISOString(),
      lifetimeInMinutes: lifetime,
      isUsableOnce,
    };
    user.temporaryAccessPasses = [record];
    return ok(record);
  }

  // --- sign-in preferences (beta authentication-get.md / authentication-update.md)

  /**
   * Whether the user holds a method the default can point at, and the authentication methods
   * policy lets them use it. Graph documents neither refusal for signInPreferences; the emulator
   * takes the strict side (docs/decisions.md): no default to a method the user cannot register
   * or sign in with — an assigned hardware token counts only once activated.
   */
  #canUseDefault(user: UserRecord, method: DefaultMethod): boolean {
    const phone = phoneOfDefaultMethod(method);
    if (phone !== null) {
      if (!user.phones.has(phone)) return false;
      if (method === 'sms') return this.#allowedByPolicy('Sms', user);
      if (!this.#allowedByPolicy('Voice', user)) return false;
      return method !== 'voiceOffice' || this.#methodConfiguration('Voice')?.['isOfficePhoneAllowed'] === true || this.#methodConfiguration('Voice') === undefined;
    }
    if (method === 'push') return user.authenticators.length > 0 && this.#allowedByPolicy('MicrosoftAuthenticator', user);
    const software = user.softwareOath.length > 0 && this.#allowedByPolicy('SoftwareOath', user);
    const hardware = this.hardwareMethods(user).some((device) => device.status === 'activated') && this.#allowedByPolicy('HardwareOath', user);
    return software || hardware;
  }

  updateSignInPreferences(user: UserRecord, body: unknown): Outcome<SignInPreferencesRecord> {
    if (!isRecord(body)) return fail(400, 'badRequest', 'The request body must be a signInPreferences object.');
    for (const key of Object.keys(body)) {
      if (key !== 'isSystemPreferredAuthenticationMethodEnabled' && key !== 'userPreferredMethodForSecondaryAuthentication' && !key.startsWith('@odata.')) {
        return fail(400, 'BadRequest', `The property '${key}' does not exist on type 'microsoft.graph.signInPreferences'.`);
      }
    }
    const system = body['isSystemPreferredAuthenticationMethodEnabled'];
    if (system !== undefined && typeof system !== 'boolean') {
      return fail(400, 'BadRequest', 'isSystemPreferredAuthenticationMethodEnabled must be true or false.');
    }
    const preferred = body['userPreferredMethodForSecondaryAuthentication'];
    if (preferred !== undefined) {
      if (typeof preferred !== 'string' || !(DEFAULT_METHOD_VALUES as readonly string[]).includes(preferred)) {
        return fail(400, 'BadRequest', `${JSON.stringify(preferred)} is not a valid value for userPreferredMethodForSecondaryAuthentication.`);
      }
      if (!this.#canUseDefault(user, preferred as DefaultMethod)) {
        return fail(400, 'badRequest', `The user has no registered method for '${preferred}' that the authentication methods policy allows; register it (and activate a hardware token) before making it the default.`);
      }
      user.signInPreferences.userPreferredMethodForSecondaryAuthentication = preferred as DefaultMethod;
    }
    if (typeof system === 'boolean') user.signInPreferences.isSystemPreferredAuthenticationMethodEnabled = system;
    return ok(user.signInPreferences);
  }

  // --- hardware OATH inventory and user methods (beta authenticationmethoddevice-*, authentication-*-hardwareoathmethods, hardwareoathauthenticationmethod-*)

  devices(): DeviceRecord[] {
    return [...this.#devices.values()];
  }

  findDevice(id: string): DeviceRecord | undefined {
    return this.#devices.get(id.toLowerCase());
  }

  hardwareMethods(user: UserRecord): DeviceRecord[] {
    return this.devices().filter((device) => device.assignedTo === user.id);
  }

  createDevice(body: unknown): Outcome<DeviceRecord> {
    if (!isRecord(body)) return fail(400, 'badRequest', 'The request body must be a hardwareOathTokenAuthenticationMethodDevice object.');
    for (const key of ['serialNumber', 'manufacturer', 'model', 'secretKey'] as const) {
      const value = body[key];
      if (typeof value !== 'string' || value.trim() === '') return fail(400, 'badRequest', `${key} is required.`);
    }
    const serialNumber = body['serialNumber'] as string;
    const secretKey = (body['secretKey'] as string).replace(/\s/g, '');
    let base32 = secretKey.length <= MAX_SECRET_KEY_LENGTH;
    try {
      decodeBase32(secretKey);
    } catch {
      base32 = false;
    }
    if (!base32) return fail(400, 'badRequest', `secretKey must be Base32 of at most ${MAX_SECRET_KEY_LENGTH} characters.`);
    const interval = body['timeIntervalInSeconds'];
    if (interval !== 30 && interval !== 60) return fail(400, 'badRequest', 'timeIntervalInSeconds must be 30 or 60.');
    const hash = body['hashFunction'] ?? 'hmacsha1';
    if (hash !== 'hmacsha1' && hash !== 'hmacsha256') return fail(400, 'badRequest', "hashFunction must be 'hmacsha1' or 'hmacsha256'.");
    const displayName = body['displayName'];
    if (displayName !== undefined && displayName !== null && typeof displayName !== 'string') return fail(400, 'badRequest', 'displayName must be a string.');
    if (this.devices().some((device) => device.serialNumber.toLowerCase() === serialNumber.toLowerCase())) {
      return fail(409, 'conflict', `A hardware OATH token with serial number '${serialNumber}' already exists.`);
    }
    let assignee: UserRecord | undefined;
    const assignTo = body['assignTo'];
    if (assignTo !== undefined && assignTo !== null) {
      const assigneeId = isRecord(assignTo) ? assignTo['id'] : undefined;
      assignee = typeof assigneeId === 'string' ? this.findUser(assigneeId) : undefined;
      if (assignee === undefined) return fail(400, 'badRequest', `assignTo must name an existing user (id '${String(assigneeId)}' was not found).`);
    }
    const now = new Date(this.#clock.now()).toISOString();
    const device: DeviceRecord = {
      id: randomUUID(),
      displayName: typeof displayName === 'string' ? displayName : null,
      serialNumber,
      manufacturer: body['manufacturer'] as string,
      model: body['model'] as string,
      secretKey: secretKey.toUpperCase(),
      timeIntervalInSeconds: interval,
      hashFunction: hash,
      assignedTo: assignee?.id ?? null,
      methodId: assignee === undefined ? null : randomUUID(),
      assignedDateTime: assignee === undefined ? null : now,
      status: assignee === undefined ? 'available' : 'assigned',
      lastUsedDateTime: null,
    };
    this.#devices.set(device.id.toLowerCase(), device);
    return ok(device);
  }

  /** authenticationmethoddevice-delete-hardwareoathdevices.md: "Token needs to be unassigned." */
  deleteDevice(id: string): Outcome<void> {
    const device = this.findDevice(id);
    if (device === undefined) return fail(404, 'itemNotFound', `Hardware OATH token '${id}' was not found.`);
    if (device.assignedTo !== null) return fail(400, 'badRequest', 'The hardware OATH token is assigned to a user; unassign it before deleting it.');
    this.#devices.delete(device.id.toLowerCase());
    return ok(undefined);
  }

  /** authentication-post-hardwareoathmethods.md: assign without activating. */
  assignDevice(user: UserRecord, body: unknown): Outcome<DeviceRecord> {
    if (!isRecord(body)) return fail(400, 'badRequest', 'The request body must be a hardwareOathAuthenticationMethod object.');
    const device = isRecord(body['device']) ? body['device'] : body;
    const deviceId = device['id'];
    const record = typeof deviceId === 'string' ? this.findDevice(deviceId) : undefined;
    if (record === undefined) return fail(404, 'itemNotFound', `Hardware OATH token '${String(deviceId)}' was not found in the tenant's inventory.`);
    if (record.assignedTo !== null) {
      return fail(400, 'badRequest', record.assignedTo === user.id ? 'The hardware OATH token is already assigned to this user.' : 'The hardware OATH token is assigned to another user.');
    }
    record.assignedTo = user.id;
    record.methodId = randomUUID();
    record.assignedDateTime = new Date(this.#clock.now()).toISOString();
    record.status = 'assigned';
    return ok(record);
  }

  /** The token behind one of the user's hardwareOathMethods, by the method's id (not the device's). */
  hardwareMethod(user: UserRecord, methodId: string): DeviceRecord | undefined {
    return this.hardwareMethods(user).find((device) => device.methodId?.toLowerCase() === methodId.toLowerCase());
  }

  #assignedDevice(user: UserRecord, methodId: string): Outcome<DeviceRecord> {
    const device = this.hardwareMethod(user, methodId);
    if (device === undefined) return fail(404, 'itemNotFound', `Hardware OATH method '${methodId}' was not found for the user.`);
    return ok(device);
  }

  /** hardwareoathauthenticationmethod-activate.md: the 6-digit code the token shows now. */
  activateDevice(user: UserRecord, methodId: string, body: unknown): Outcome<DeviceRecord> {
    const found = this.#assignedDevice(user, methodId);
    if (!found.ok) return found;
    const device = found.value;
    if (!isRecord(body)) return fail(400, 'badRequest', 'The request body must hold verificationCode.');
    const code = body['verificationCode'];
    if (typeof code !== 'string' || !/^\d{6}$/.test(code)) return fail(400, 'badRequest', 'verificationCode must be the 6-digit code the token shows.');
    if (device.status === 'activated') return fail(400, 'badRequest', 'The hardware OATH token is already activated.');
    if (!verifyTotp(device.secretKey, code, this.#clock.now(), device.timeIntervalInSeconds, device.hashFunction)) {
      device.status = 'failedActivation';
      return fail(400, 'badRequest', 'The verification code is not valid for this hardware OATH token.');
    }
    const displayName = body['displayName'];
    if (typeof displayName === 'string') device.displayName = displayName;
    device.status = 'activated';
    device.lastUsedDateTime = new Date(this.#clock.now()).toISOString();
    return ok(device);
  }

  /** hardwareoathauthenticationmethod-deactivate.md: deactivated tokens stay assigned. */
  deactivateDevice(user: UserRecord, methodId: string): Outcome<DeviceRecord> {
    const found = this.#assignedDevice(user, methodId);
    if (!found.ok) return found;
    found.value.status = 'assigned';
    return found;
  }

  /** authentication-delete-hardwareoathmethods.md: unassign; the token stays in the inventory. */
  unassignDevice(user: UserRecord, methodId: string): Outcome<DeviceRecord> {
    const found = this.#assignedDevice(user, methodId);
    if (!found.ok) return found;
    found.value.assignedTo = null;
    found.value.methodId = null;
    found.value.assignedDateTime = null;
    found.value.status = 'available';
    return found;
  }

  /** Everything the tenant holds, for `/_emulator/state`. Secrets (token seeds, passes) are redacted. */
  snapshot(): Record<string, unknown> {
    return {
      tenant: this.#seed.tenant,
      users: this.users().map((user) => ({
        id: user.id,
        userPrincipalName: user.userPrincipalName,
        phoneMethods: this.phones(user).map((phone) => ({ id: PHONE_METHOD_IDS[phone.phoneType], ...phone })),
        microsoftAuthenticatorMethods: user.authenticators,
        softwareOathMethods: user.softwareOath,
        temporaryAccessPassMethods: user.temporaryAccessPasses.map((pass) => ({ ...pass, temporaryAccessPass: '[REDACTED]' })),
        hardwareOathMethods: this.hardwareMethods(user).map((device) => ({ id: device.methodId, deviceId: device.id, serialNumber: device.serialNumber, status: device.status })),
        signInPreferences: user.signInPreferences,
      })),
      groups: this.groups(),
      hardwareOathDevices: this.devices().map((device) => ({ ...device, secretKey: '[REDACTED]' })),
      authenticationMethodsPolicy: this.#policy,
    };
  }
}
