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
 * authentication-list-methods.md. Hardware OATH methods carry their token's serial only when the
 * `device` is expanded; otherwise `serialOfDevice` (the tenant inventory) is asked by id.
 */
export function readMethods(body: unknown, serialOfDevice: (deviceId: string) => string | null = () => null): MethodsRead {
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
      case 'microsoft.graph.hardwareoathauthenticationmethod': {
        const device = recordOrNull(item['device']);
        const deviceId = stringOrNull(device?.['id']) ?? id;
        hardwareOath.push({ id, serialNumber: stringOrNull(device?.['serialNumber']) ?? serialOfDevice(deviceId), status: stringOrNull(device?.['status']) });
        break;
      }
      default:
        // password, temporaryAccessPass, fido2, email…: not ours to migrate or compare.
        break;
    }
  }
  return { phones, authenticators, softwareOath, hardwareOath };
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

/** authenticationmethodspolicy-get.md: the method configurations R9 needs, others dropped. */
export function readTenantPolicy(body: unknown): TenantPolicy {
  const policy = recordOrNull(body);
  const configurations = Array.isArray(policy?.['authenticationMethodConfigurations']) ? (policy['authenticationMethodConfigurations'] as unknown[]) : [];
  const methods: PolicyMethodConfiguration[] = [];
  for (const raw of configurations) {
    const configuration = recordOrNull(raw);
    const rawId = stringOrNull(configuration?.['id']);
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
  return { methods };
}

/** beta hardwareoathtokenauthenticationmethoddevice.md, one inventory entry. */
export function readHardwareToken(raw: unknown): EntraHardwareToken | null {
  const device = recordOrNull(raw);
  const id = stringOrNull(device?.['id']);
  const serialNumber = stringOrNull(device?.['serialNumber']);
  if (device === null || id === null || serialNumber === null) return null;
  return { id, serialNumber, status: stringOrNull(device['status']) ?? 'available', assignedToUserId: stringOrNull(recordOrNull(device['assignedTo'])?.['id']) };
}

/** The key of the inventory map: serials compare trimmed and case-insensitively, as the tokens file's do (R13). */
export function serialKey(serialNumber: string): string {
  return serialNumber.trim().toLowerCase();
}
