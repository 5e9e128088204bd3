/**
 * How the emulator writes authentication method resources, field for field as the resource pages
 * of microsoftgraph/microsoft-graph-docs-contrib show them (api-reference/v1.0/resources/ and
 * api-reference/beta/resources/ for hardware OATH).
 */
import type { GraphVersion } from '../router.js';
import type { SeedAuthenticatorMethod } from '../seed.js';
import { PASSWORD_METHOD_ID, PHONE_METHOD_IDS, type DeviceRecord, type PhoneRecord, type TemporaryAccessPassRecord, type TenantStore } from '../tenant-store.js';

/**
 * The masked form delegated authentication administrators see (authentication-list-methods.md:
 * "The authentication administrator only sees masked phone numbers"): country code and the last
 * two digits kept.
 */
export function maskPhoneNumber(phoneNumber: string): string {
  const match = /^(\+\d+ )(\d+)(x\d+)?$/.exec(phoneNumber);
  if (match === null) return phoneNumber;
  const [, countryCode = '', national = '', extension = ''] = match;
  return `${countryCode}${'X'.repeat(Math.max(0, national.length - 2))}${national.slice(-2)}${extension}`;
}

/** phoneauthenticationmethod.md */
export function phoneMethodJson(phone: PhoneRecord, masked: boolean): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.phoneAuthenticationMethod',
    id: PHONE_METHOD_IDS[phone.phoneType],
    phoneNumber: masked ? maskPhoneNumber(phone.phoneNumber) : phone.phoneNumber,
    phoneType: phone.phoneType,
    smsSignInState: phone.smsSignInState,
  };
}

/** microsoftauthenticatorauthenticationmethod.md */
export function authenticatorMethodJson(method: SeedAuthenticatorMethod): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod',
    id: method.id,
    displayName: method.displayName,
    deviceTag: method.deviceTag,
    phoneAppVersion: method.phoneAppVersion,
    createdDateTime: method.createdDateTime,
  };
}

/** softwareoathauthenticationmethod.md: the secret is never returned. */
export function softwareOathMethodJson(method: { readonly id: string }): Record<string, unknown> {
  return { '@odata.type': '#microsoft.graph.softwareOathAuthenticationMethod', id: method.id, secretKey: null };
}

/**
 * temporaryaccesspassauthenticationmethod.md. The pass itself is shown only in the create
 * response, as Graph does. `isUsable` and `methodUsabilityReason` are v1.0 properties: the beta
 * type does not have them (beta CSDL), so beta answers leave them out.
 */
export function temporaryAccessPassJson(pass: TemporaryAccessPassRecord, now: number, withPass: boolean, version: GraphVersion): Record<string, unknown> {
  const start = Date.parse(pass.startDateTime);
  const end = start + pass.lifetimeInMinutes * 60_000;
  const reason = now < start ? 'NotYetValid' : now >= end ? 'Expired' : 'EnabledByPolicy';
  return {
    '@odata.type': '#microsoft.graph.temporaryAccessPassAuthenticationMethod',
    id: pass.id,
    temporaryAccessPass: withPass ? pass.temporaryAccessPass : null,
    createdDateTime: pass.createdDateTime,
    startDateTime: pass.startDateTime,
    lifetimeInMinutes: pass.lifetimeInMinutes,
    isUsableOnce: pass.isUsableOnce,
    ...(version === 'v1.0' ? { isUsable: reason === 'EnabledByPolicy', methodUsabilityReason: reason } : {}),
  };
}

/** passwordauthenticationmethod.md: every cloud user has one; the password is never returned. */
export function passwordMethodJson(): Record<string, unknown> {
  return { '@odata.type': '#microsoft.graph.passwordAuthenticationMethod', id: PASSWORD_METHOD_ID, password: null, createdDateTime: null };
}

/** beta hardwareoathtokenauthenticationmethoddevice.md: `secretKey` is answered as null. */
export function deviceJson(device: DeviceRecord, store: TenantStore): Record<string, unknown> {
  const assignee = device.assignedTo === null ? undefined : store.findUser(device.assignedTo);
  return {
    '@odata.type': '#microsoft.graph.hardwareOathTokenAuthenticationMethodDevice',
    id: device.id,
    displayName: device.displayName,
    serialNumber: device.serialNumber,
    manufacturer: device.manufacturer,
    model: device.model,
    secretKey: null,
    timeIntervalInSeconds: device.timeIntervalInSeconds,
    status: device.status,
    lastUsedDateTime: device.lastUsedDateTime,
    hashFunction: device.hashFunction,
    assignedTo: assignee === undefined ? null : { id: assignee.id, displayName: assignee.displayName },
  };
}

/**
 * beta hardwareoathauthenticationmethod.md: the method has an id of its own (not the device's).
 * `device` is a navigation property: inline only where a reference page shows it so — the
 * hardwareOathMethods list and get (authentication-list-hardwareoathmethods.md,
 * hardwareoathauthenticationmethod-get.md) — never in the list of all methods.
 */
export function hardwareOathMethodJson(device: DeviceRecord, store: TenantStore, withDevice: boolean): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.hardwareOathAuthenticationMethod',
    id: device.methodId,
    createdDateTime: device.assignedDateTime,
    ...(withDevice ? { device: deviceJson(device, store) } : {}),
  };
}
