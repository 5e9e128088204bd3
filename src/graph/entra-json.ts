/**
 * Graph's JSON read into the plan's types (src/plan/entra-state.ts). Field names from the resource
 * pages of microsoftgraph/microsoft-graph-docs-contrib: v1.0 user.md, phoneauthenticationmethod.md,
 * microsoftauthenticatorauthenticationmethod.md, softwareoathauthenticationmethod.md,
 * authenticationmethodspolicy.md; beta hardwareoathauthenticationmethod.md,
 * hardwareoathtokenauthenticationmethoddevice.md, signinpreferences.md. Reading is tolerant: an
 * unknown method type is skipped, a missing optional field is null, and a value Graph adds later
 * is carried as text rather than rejected.
 */
import type { PhoneType } from '../mapping/desired-state.js';
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

type Json = Readonly<Record<string, unknown>>;

function asRecord(value: unknown): Json | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function booleanOrNull(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

/** A collection page: its items and the `@odata.nextLink` to the next page, if any. */
export function readCollection(body: unknown): { readonly items: readonly unknown[]; readonly nextLink: string | null } {
  const page = asRecord(body);
  const items = page !== null && Array.isArray(page['value']) ? (page['value'] as unknown[]) : [];
  return { items, nextLink: stringOrNull(page?.['@odata.nextLink']) };
}

/** user-get.md with `$select=id,userPrincipalName,displayName,accountEnabled`. */
export function readEntraUser(body: unknown, matchedBy: MatchAttribute): EntraUser | null {
  const user = asRecord(body);
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
    const item = asRecord(raw);
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
  const device = asRecord(item['device']);
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
    const item = asRecord(raw);
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
  const preferences = asRecord(body);
  if (preferences === null) return null;
  return {
    userPreferredMethodForSecondaryAuthentication: stringOrNull(preferences['userPreferredMethodForSecondaryAuthentication']),
    isSystemPreferredAuthenticationMethodEnabled: booleanOrNull(preferences['isSystemPreferredAuthenticationMethodEnabled']),
  };
}

const POLICY_METHOD_IDS: readonly PolicyMethodId[] = ['Sms', 'Voice', 'MicrosoftAuthenticator', 'SoftwareOath', 'HardwareOath'];

function targetIds(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((target) => stringOrNull(asRecord(target)?.['id'])).filter((id): id is string => id !== null);
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
  const policy = asRecord(body);
  const configurations = Array.isArray(policy?.['authenticationMethodConfigurations']) ? (policy['authenticationMethodConfigurations'] as unknown[]) : [];
  const methods: PolicyMethodConfiguration[] = [];
  let temporaryAccessPass: TemporaryAccessPassPolicy | null = null;
  for (const raw of configurations) {
    const configuration = asRecord(raw);
    const rawId = stringOrNull(configuration?.['id']);
    if (configuration !== null && rawId?.toLowerCase() === 'temporaryaccesspass') temporaryAccessPass = temporaryAccessPassPolicy(configuration);
    const id = POLICY_METHOD_IDS.find((known) => known.toLowerCase() === rawId?.toLowerCase());
    if (configuration === null || id === undefined) continue;
    const officePhone = booleanOrNull(configuration['isOfficePhoneAllowed']);
    methods.push({
      id,
      state: stringOrNull(configuration['state'])?.toLowerCase() === 'enabled' ? 'enabled' : 'disabled',
      includeGroupIds: targetIds(configuration['includeTargets']),
      excludeGroupIds: targetIds(configuration['excludeTargets']),
      ...(id === 'Voice' && officePhone !== null ? { isOfficePhoneAllowed: officePhone } : {}),
    });
  }
  return { methods, temporaryAccessPass };
}

/** beta hardwareoathtokenauthenticationmethoddevice.md, one inventory entry. */
export function readHardwareToken(raw: unknown): EntraHardwareToken | null {
  const device = asRecord(raw);
  const id = stringOrNull(device?.['id']);
  const serialNumber = stringOrNull(device?.['serialNumber']);
  if (device === null || id === null || serialNumber === null) return null;
  return { id, serialNumber, status: stringOrNull(device['status']) ?? 'available', assignedToUserId: stringOrNull(asRecord(device['assignedTo'])?.['id']) };
}

/** The key of the inventory map: serials compare trimmed and case-insensitively, as the tokens file's do (R13). */
export function serialKey(serialNumber: string): string {
  return serialNumber.trim().toLowerCase();
}
