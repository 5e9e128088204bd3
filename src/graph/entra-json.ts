/**
 * Graph's JSON read into the plan's types (src/plan/entra-state.ts). Field names from the resource
 * pages of microsoftgraph/microsoft-graph-docs-contrib: v1.0 user.md, phoneauthenticationmethod.md,
 * microsoftauthenticatorauthenticationmethod.md, softwareoathauthenticationmethod.md,
 * authenticationmethodspolicy.md; beta hardwareoathauthenticationmethod.md,
 * hardwareoathtokenauthenticationmethoddevice.md, signinpreferences.md. Reading is tolerant: an
 * unknown method type is skipped, a missing optional field is null, and a value Graph adds later
 * is carried as text rather than rejected.
 */
import { recordOrNull, type JsonRecord } from '../json-value.js';
import type { PhoneType } from '../mapping/desired-state.js';
import { Secret } from '../secret.js';
import type {
  EntraAuthenticatorMethod,
  EntraHardwareOathMethod,
  EntraHardwareToken,
  EntraPhoneMethod,
  EntraSignInPreferences,
  EntraSoftwareOathMethod,
  EntraUser,
  MatchAttribute,
  PolicyMethodConfiguration,
  PolicyMethodId,
  TemporaryAccessPassPolicy,
  TenantPolicy,
} from '../plan/entra-state.js';

type Json = JsonRecord;

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function booleanOrNull(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

/** A collection page: its items and the `@odata.nextLink` to the next page, if any. */
export function readCollection(body: unknown): { readonly items: readonly unknown[]; readonly nextLink: string | null } {
  const page = recordOrNull(body);
  const items = page !== null && Array.isArray(page['value']) ? (page['value'] as unknown[]) : [];
  return { items, nextLink: stringOrNull(page?.['@odata.nextLink']) };
}

/** user-list.md "Get only a count of users": `$count` answers a plain-text integer. */
export function readCount(body: unknown): number | null {
  const count = typeof body === 'number' ? body : Number(String(body).trim());
  return Number.isInteger(count) && count >= 0 ? count : null;
}

/**
 * The id of what a create made: a phone method (authentication-post-phonemethods.md), an inventory
 * token (authenticationmethoddevice-post-hardwareoathdevices.md), a user's hardware OATH method
 * (authentication-post-hardwareoathmethods.md — an id of its own, not the device's). Null for a
 * 204 or an answer without one.
 */
export function readCreatedId(body: unknown): string | null {
  return stringOrNull(recordOrNull(body)?.['id']);
}

/** A group as group-get.md and group-list.md answer it with `$select=id,displayName`. */
export function readGroup(body: unknown): { readonly id: string; readonly displayName: string | null } | null {
  const group = recordOrNull(body);
  const id = stringOrNull(group?.['id']);
  return group === null || id === null ? null : { id, displayName: stringOrNull(group['displayName']) };
}

/**
 * group-list-transitivemembers.md: members are directory objects of several types, each named by
 * `@odata.type`; the user id of one that is a user (or has no type, as with `$select=id`), else null.
 */
export function readMemberUserId(item: unknown): string | null {
  const member = recordOrNull(item);
  if (member === null) return null;
  const type = odataType(member);
  return type === '' || type === 'microsoft.graph.user' ? stringOrNull(member['id']) : null;
}

/**
 * authentication-post-temporaryaccesspassmethods.md: the create answer is the only one that shows
 * the pass; it is wrapped in Secret at once. Null when the answer holds no pass.
 */
export function readTemporaryAccessPass(body: unknown): {
  readonly pass: Secret;
  readonly startDateTime: string | null;
  readonly lifetimeInMinutes: number | null;
  readonly isUsableOnce: boolean | null;
} | null {
  const method = recordOrNull(body);
  const pass = stringOrNull(method?.['temporaryAccessPass']);
  if (method === null || pass === null) return null;
  return {
    pass: new Secret(pass),
    startDateTime: stringOrNull(method['startDateTime']),
    lifetimeInMinutes: typeof method['lifetimeInMinutes'] === 'number' ? method['lifetimeInMinutes'] : null,
    isUsableOnce: booleanOrNull(method['isUsableOnce']),
  };
}

/** The id of a user item (user-list.md with `$select=id`), or null. */
export function readEntraUserId(item: unknown): string | null {
  return stringOrNull(recordOrNull(item)?.['id']);
}

/** user-get.md with `$select=id,userPrincipalName,displayName,accountEnabled`. */
export function readEntraUser(body: unknown, matchedBy: MatchAttribute): EntraUser | null {
  const user = recordOrNull(body);
  const id = stringOrNull(user?.['id']);
  const userPrincipalName = stringOrNull(user?.['userPrincipalName']);
  if (user === null || id === null || userPrincipalName === null) return null;
  return { id, userPrincipalName, displayName: stringOrNull(user['displayName']), accountEnabled: booleanOrNull(user['accountEnabled']), matchedBy };
}

/** Older pages spell the type `odata.type` (authentication-list-methods.md example); current ones `@odata.type`. */
function odataType(item: Json): string {
  const type = stringOrNull(item['@odata.type']) ?? stringOrNull(item['odata.type']) ?? '';
  return type.replace(/^#/, '').toLowerCase();
}

const PHONE_TYPES: readonly PhoneType[] = ['mobile', 'alternateMobile', 'office'];

function phoneTypeOf(value: unknown): PhoneType | null {
  return PHONE_TYPES.find((type) => typeof value === 'string' && type.toLowerCase() === value.toLowerCase()) ?? null;
}

/** A user's methods from one `GET …/authentication/methods` (beta: hardware OATH included). */
export interface MethodsRead {
  readonly phones: readonly EntraPhoneMethod[];
  readonly authenticators: readonly EntraAuthenticatorMethod[];
  readonly softwareOath: readonly EntraSoftwareOathMethod[];
  readonly hardwareOath: readonly EntraHardwareOathMethod[];
}

/**
 * authentication-list-methods.md. A hardware OATH method's serial and status are its `device`'s,
 * a navigation property this list is not documented to carry inline: they are null here unless
 * Graph sent the device anyway, and the gateway then reads the user's hardwareOathMethods
 * (readHardwareOathMethods). The method's id is its own, not the device's.
 */
export function readMethods(body: unknown): MethodsRead {
  const phones: EntraPhoneMethod[] = [];
  const authenticators: EntraAuthenticatorMethod[] = [];
  const softwareOath: EntraSoftwareOathMethod[] = [];
  const hardwareOath: EntraHardwareOathMethod[] = [];
  for (const raw of readCollection(body).items) {
    const item = recordOrNull(raw);
    const id = stringOrNull(item?.['id']);
    if (item === null || id === null) continue;
    switch (odataType(item)) {
      case 'microsoft.graph.phoneauthenticationmethod': {
        const phoneType = phoneTypeOf(item['phoneType'] ?? item['authenticationPhoneType']);
        const phoneNumber = stringOrNull(item['phoneNumber']);
        if (phoneType !== null && phoneNumber !== null) phones.push({ id, phoneType, phoneNumber, smsSignInState: stringOrNull(item['smsSignInState']) });
        break;
      }
      case 'microsoft.graph.microsoftauthenticatorauthenticationmethod':
        authenticators.push({
          id,
          displayName: stringOrNull(item['displayName']),
          deviceTag: stringOrNull(item['deviceTag']),
          phoneAppVersion: stringOrNull(item['phoneAppVersion']),
          createdDateTime: stringOrNull(item['createdDateTime']),
        });
        break;
      case 'microsoft.graph.softwareoathauthenticationmethod':
        softwareOath.push({ id });
        break;
      case 'microsoft.graph.hardwareoathauthenticationmethod':
        hardwareOath.push(hardwareOathMethod(id, item));
        break;
      default:
        // password, temporaryAccessPass, fido2, email…: not ours to migrate or compare.
        break;
    }
  }
  return { phones, authenticators, softwareOath, hardwareOath };
}

function hardwareOathMethod(id: string, item: Json): EntraHardwareOathMethod {
  const device = recordOrNull(item['device']);
  return { id, serialNumber: stringOrNull(device?.['serialNumber']), status: stringOrNull(device?.['status']) };
}

/**
 * beta authentication-list-hardwareoathmethods.md: a user's hardware OATH methods, each with its
 * `device` (serial, status) inline as the page's example shows. Items of the collection's own type
 * may come without `@odata.type`.
 */
export function readHardwareOathMethods(body: unknown): EntraHardwareOathMethod[] {
  const methods: EntraHardwareOathMethod[] = [];
  for (const raw of readCollection(body).items) {
    const item = recordOrNull(raw);
    const id = stringOrNull(item?.['id']);
    if (item === null || id === null) continue;
    const type = odataType(item);
    if (type !== '' && type !== 'microsoft.graph.hardwareoathauthenticationmethod') continue;
    methods.push(hardwareOathMethod(id, item));
  }
  return methods;
}

/** beta authentication-get-signinpreferences.md / signinpreferences.md. */
export function readSignInPreferences(body: unknown): EntraSignInPreferences | null {
  const preferences = recordOrNull(body);
  if (preferences === null) return null;
  return {
    userPreferredMethodForSecondaryAuthentication: stringOrNull(preferences['userPreferredMethodForSecondaryAuthentication']),
    isSystemPreferredAuthenticationMethodEnabled: booleanOrNull(preferences['isSystemPreferredAuthenticationMethodEnabled']),
  };
}

const POLICY_METHOD_IDS: readonly PolicyMethodId[] = ['Sms', 'Voice', 'MicrosoftAuthenticator', 'SoftwareOath', 'HardwareOath'];

function targetIds(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((target) => stringOrNull(recordOrNull(target)?.['id'])).filter((id): id is string => id !== null);
}

/** Ids of include/exclude targets whose targetType is `user` (authenticationmethodtarget.md, excludetarget.md). */
function userTargetIds(...lists: unknown[]): string[] {
  return lists.flatMap((value) =>
    Array.isArray(value)
      ? value.flatMap((target) => {
          const record = recordOrNull(target);
          const id = stringOrNull(record?.['id']);
          return id !== null && stringOrNull(record?.['targetType'])?.toLowerCase() === 'user' ? [id] : [];
        })
      : [],
  );
}

function integerOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}

/**
 * temporaryaccesspassauthenticationmethodconfiguration.md: the lifetimes and one-time rule that
 * hold for every pass created in the tenant.
 */
function temporaryAccessPassPolicy(configuration: Json): TemporaryAccessPassPolicy {
  return {
    state: stringOrNull(configuration['state'])?.toLowerCase() === 'enabled' ? 'enabled' : 'disabled',
    minimumLifetimeInMinutes: integerOrNull(configuration['minimumLifetimeInMinutes']),
    maximumLifetimeInMinutes: integerOrNull(configuration['maximumLifetimeInMinutes']),
    defaultLifetimeInMinutes: integerOrNull(configuration['defaultLifetimeInMinutes']),
    isUsableOnce: booleanOrNull(configuration['isUsableOnce']),
  };
}

/**
 * beta authenticationmethodspolicy-get.md: the method configurations R9 needs, others dropped,
 * and the Temporary Access Pass configuration. Read from beta: v1.0 does not define hardware
 * OATH's configuration type, so only beta says whether the tenant allows hardware tokens.
 */
export function readTenantPolicy(body: unknown): TenantPolicy {
  const policy = recordOrNull(body);
  const configurations = Array.isArray(policy?.['authenticationMethodConfigurations']) ? (policy['authenticationMethodConfigurations'] as unknown[]) : [];
  const methods: PolicyMethodConfiguration[] = [];
  let temporaryAccessPass: TemporaryAccessPassPolicy | null = null;
  for (const raw of configurations) {
    const configuration = recordOrNull(raw);
    const rawId = stringOrNull(configuration?.['id']);
    if (configuration !== null && rawId?.toLowerCase() === 'temporaryaccesspass') temporaryAccessPass = temporaryAccessPassPolicy(configuration);
    const id = POLICY_METHOD_IDS.find((known) => known.toLowerCase() === rawId?.toLowerCase());
    if (configuration === null || id === undefined) continue;
    const officePhone = booleanOrNull(configuration['isOfficePhoneAllowed']);
    const users = userTargetIds(configuration['includeTargets'], configuration['excludeTargets']);
    methods.push({
      id,
      state: stringOrNull(configuration['state'])?.toLowerCase() === 'enabled' ? 'enabled' : 'disabled',
      includeGroupIds: targetIds(configuration['includeTargets']),
      excludeGroupIds: targetIds(configuration['excludeTargets']),
      ...(users.length > 0 ? { userTargetIds: users } : {}),
      ...(id === 'Voice' && officePhone !== null ? { isOfficePhoneAllowed: officePhone } : {}),
    });
  }
  return { methods, temporaryAccessPass };
}

/**
 * beta hardwareoathtokenauthenticationmethoddevice.md, one inventory entry. The examples of
 * authenticationmethoddevice-list-hardwareoathdevices.md show each entry wrapped as a
 * hardwareOathAuthenticationMethod with the token in `device`: both shapes are read.
 */
export function readHardwareToken(raw: unknown): EntraHardwareToken | null {
  const entry = recordOrNull(raw);
  const wrapped = entry === null ? null : recordOrNull(entry['device']);
  const device = wrapped !== null && entry !== null && stringOrNull(entry['serialNumber']) === null ? wrapped : entry;
  const id = stringOrNull(device?.['id']);
  const serialNumber = stringOrNull(device?.['serialNumber']);
  if (device === null || id === null || serialNumber === null) return null;
  return { id, serialNumber, status: stringOrNull(device['status']) ?? 'available', assignedToUserId: stringOrNull(recordOrNull(device['assignedTo'])?.['id']) };
}

/** The key of the inventory map: serials compare trimmed and case-insensitively, as the tokens file's do (R13). */
export function serialKey(serialNumber: string): string {
  return serialNumber.trim().toLowerCase();
}
