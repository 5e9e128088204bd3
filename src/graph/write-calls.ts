/**
 * The writes apply sends, one builder per operation, each returning a GraphCall for
 * `GraphGateway.executeBatch` (which packs, paces and retries them). Paths and bodies follow
 * microsoftgraph/microsoft-graph-docs-contrib api-reference pages cited on each builder. Seeds are
 * revealed only while a body is built, never kept on the call's description.
 */
import type { DefaultMethod, GraphPhoneNumber, PhoneType } from '../mapping/desired-state.js';
import type { Secret } from '../secret.js';
import type { GraphCall } from './batch-executor.js';
import type { GraphVersion } from './http-client.js';
import { WRITE_METHODS, WRITE_TOKEN_INVENTORY } from './permissions.js';
import { totpCode, type TotpHashFunction } from './totp-code.js';

/** Graph's fixed phone method ids (api-reference/v1.0/resources/phoneauthenticationmethod.md). */
export const PHONE_METHOD_IDS: Readonly<Record<PhoneType, string>> = {
  mobile: '3179e48a-750b-4051-897c-87b9720928f7',
  alternateMobile: 'b6332ec1-7057-4abe-9331-3d72feddfe41',
  office: 'e37fc753-ff3b-4958-9484-eaa9425c82bc',
};

/** Each write costs one write and one resource unit; activations also count against 200 per 5 min (throttling-limits.md). */
const WRITE_COST = { resourceUnits: 1, writes: 1, activations: 0 } as const;
const ACTIVATION_COST = { resourceUnits: 1, writes: 1, activations: 1 } as const;

/** What every builder takes besides its own data: batch chaining and the journal hook. */
export interface WriteCallLink {
  readonly key: string;
  readonly dependsOn?: readonly string[];
  readonly beforeSend?: (attempt: number) => void;
}

/**
 * A `$batch` is sent to one version, and dependsOn works only inside one batch
 * (concepts/json-batching.md), while signInPreferences is beta only. Phone writes default to v1.0
 * and take `beta` (the same resource there) when chained before a preferred-method write.
 */
export interface PhoneWriteLink extends WriteCallLink {
  readonly version?: GraphVersion;
}

function userPath(userId: string, rest: string): string {
  return `/users/${encodeURIComponent(userId)}/authentication/${rest}`;
}

function linked(link: WriteCallLink): Pick<GraphCall, 'key' | 'dependsOn' | 'beforeSend'> {
  return {
    key: link.key,
    ...(link.dependsOn === undefined ? {} : { dependsOn: link.dependsOn }),
    ...(link.beforeSend === undefined ? {} : { beforeSend: link.beforeSend }),
  };
}

/** api-reference/v1.0/api/authentication-post-phonemethods.md: 201 with the method (id fixed per type). */
export function addPhoneCall(userId: string, phoneType: PhoneType, phoneNumber: GraphPhoneNumber, link: PhoneWriteLink): GraphCall {
  return {
    method: 'POST',
    version: link.version ?? 'v1.0',
    path: userPath(userId, 'phoneMethods'),
    body: { phoneNumber, phoneType },
    cost: WRITE_COST,
    doing: `adding the ${phoneType} phone`,
    permission: WRITE_METHODS,
    ...linked(link),
  };
}

/** api-reference/v1.0/api/phoneauthenticationmethod-update.md: PATCH by the type's fixed id, 204. */
export function updatePhoneCall(userId: string, phoneType: PhoneType, phoneNumber: GraphPhoneNumber, link: PhoneWriteLink): GraphCall {
  return {
    method: 'PATCH',
    version: link.version ?? 'v1.0',
    path: userPath(userId, `phoneMethods/${PHONE_METHOD_IDS[phoneType]}`),
    body: { phoneNumber, phoneType },
    cost: WRITE_COST,
    doing: `updating the ${phoneType} phone`,
    permission: WRITE_METHODS,
    ...linked(link),
  };
}

/** api-reference/v1.0/api/phoneauthenticationmethod-delete.md: 204 (rollback). */
export function deletePhoneCall(userId: string, phoneType: PhoneType, link: PhoneWriteLink): GraphCall {
  return {
    method: 'DELETE',
    version: link.version ?? 'v1.0',
    path: userPath(userId, `phoneMethods/${PHONE_METHOD_IDS[phoneType]}`),
    cost: WRITE_COST,
    doing: `deleting the ${phoneType} phone`,
    permission: WRITE_METHODS,
    ...linked(link),
  };
}

/**
 * api-reference/beta/api/authentication-patch-signinpreferences.md: the user's preferred method is
 * beta only; the method must already be registered, hence the dependsOn on the user's method writes.
 */
export function setPreferredMethodCall(userId: string, method: DefaultMethod, link: WriteCallLink): GraphCall {
  return {
    method: 'PATCH',
    version: 'beta',
    path: userPath(userId, 'signInPreferences'),
    body: { userPreferredMethodForSecondaryAuthentication: method },
    cost: WRITE_COST,
    doing: `setting the preferred method to ${method}`,
    permission: WRITE_METHODS,
    ...linked(link),
  };
}

export interface HardwareTokenDescription {
  readonly serialNumber: string;
  readonly manufacturer: string;
  readonly model: string;
  readonly seed: Secret;
  readonly timeIntervalInSeconds: 30 | 60;
  readonly hashFunction: TotpHashFunction;
  readonly displayName: string | null;
}

/**
 * api-reference/beta/api/authenticationmethoddevice-post-hardwareoathdevices.md: 201 with the
 * device (secretKey answered as null). The seed leaves only in this body.
 */
export function createHardwareTokenCall(token: HardwareTokenDescription, link: WriteCallLink): GraphCall {
  return {
    method: 'POST',
    version: 'beta',
    path: '/directory/authenticationMethodDevices/hardwareOathDevices',
    body: {
      serialNumber: token.serialNumber,
      manufacturer: token.manufacturer,
      model: token.model,
      secretKey: token.seed.reveal(),
      timeIntervalInSeconds: token.timeIntervalInSeconds,
      hashFunction: token.hashFunction,
      ...(token.displayName === null ? {} : { displayName: token.displayName }),
    },
    cost: WRITE_COST,
    doing: `creating hardware token ${token.serialNumber} in the inventory`,
    permission: WRITE_TOKEN_INVENTORY,
    ...linked(link),
  };
}

/**
 * api-reference/beta/api/authentication-post-hardwareoathmethods.md: assigns an inventory token by
 * its device id, 201 with the user's new hardwareOathAuthenticationMethod — whose id (not the
 * device's) activate and unassign address. When the device is created in the same batch its id is
 * not known yet, so the caller sends assign after create's answer, and activate after assign's
 * (dependsOn cannot carry a response value).
 */
export function assignHardwareTokenCall(userId: string, deviceId: string, serialNumber: string, link: WriteCallLink): GraphCall {
  return {
    method: 'POST',
    version: 'beta',
    path: userPath(userId, 'hardwareOathMethods'),
    body: { device: { id: deviceId } },
    cost: WRITE_COST,
    doing: `assigning hardware token ${serialNumber}`,
    permission: WRITE_METHODS,
    ...linked(link),
  };
}

/**
 * api-reference/beta/api/hardwareoathauthenticationmethod-activate.md: the user's method (its id as
 * the assign answered or the user's hardwareOathMethods list shows it); `verificationCode` is the
 * code the token shows now, computed from the seed at build time; 204. Counts as an activation.
 */
export function activateHardwareTokenCall(userId: string, methodId: string, token: HardwareTokenDescription, nowMs: number, link: WriteCallLink): GraphCall {
  return {
    method: 'POST',
    version: 'beta',
    path: userPath(userId, `hardwareOathMethods/${encodeURIComponent(methodId)}/activate`),
    body: { verificationCode: totpCode(token.seed, nowMs, token.timeIntervalInSeconds, token.hashFunction) },
    cost: ACTIVATION_COST,
    doing: `activating hardware token ${token.serialNumber}`,
    permission: WRITE_METHODS,
    ...linked(link),
  };
}

/** api-reference/beta/api/authentication-delete-hardwareoathmethods.md: unassigns the token from the user by the method's id, 204 (rollback). */
export function unassignHardwareTokenCall(userId: string, methodId: string, serialNumber: string, link: WriteCallLink): GraphCall {
  return {
    method: 'DELETE',
    version: 'beta',
    path: userPath(userId, `hardwareOathMethods/${encodeURIComponent(methodId)}`),
    cost: WRITE_COST,
    doing: `unassigning hardware token ${serialNumber}`,
    permission: WRITE_METHODS,
    ...linked(link),
  };
}

/**
 * api-reference/beta/api/hardwareoathauthenticationmethod-deactivate.md: the token stays assigned
 * to the user but no longer signs them in; no body, 204 (rollback of an activation).
 */
export function deactivateHardwareTokenCall(userId: string, methodId: string, serialNumber: string, link: WriteCallLink): GraphCall {
  return {
    method: 'POST',
    version: 'beta',
    path: userPath(userId, `hardwareOathMethods/${encodeURIComponent(methodId)}/deactivate`),
    cost: WRITE_COST,
    doing: `deactivating hardware token ${serialNumber}`,
    permission: WRITE_METHODS,
    ...linked(link),
  };
}

/** api-reference/beta/api/hardwareoathtokenauthenticationmethoddevice-delete.md: removes an unassigned token from the inventory, 204 (rollback). */
export function deleteHardwareTokenCall(deviceId: string, serialNumber: string, link: WriteCallLink): GraphCall {
  return {
    method: 'DELETE',
    version: 'beta',
    path: `/directory/authenticationMethodDevices/hardwareOathDevices/${encodeURIComponent(deviceId)}`,
    cost: WRITE_COST,
    doing: `deleting hardware token ${serialNumber} from the inventory`,
    permission: WRITE_TOKEN_INVENTORY,
    ...linked(link),
  };
}

/**
 * api-reference/v1.0/api/authentication-post-temporaryaccesspassmethods.md: 201 with the pass in
 * `temporaryAccessPass` — the only answer that carries it. Lifetime and usability default to the
 * tenant's Temporary Access Pass policy when not given.
 */
export function createTemporaryAccessPassCall(userId: string, lifetimeInMinutes: number | null, link: WriteCallLink): GraphCall {
  return {
    method: 'POST',
    version: 'v1.0',
    path: userPath(userId, 'temporaryAccessPassMethods'),
    body: lifetimeInMinutes === null ? {} : { lifetimeInMinutes },
    cost: WRITE_COST,
    doing: 'creating a Temporary Access Pass',
    permission: WRITE_METHODS,
    ...linked(link),
  };
}
