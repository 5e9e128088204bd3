/**
 * Hardware OATH tokens (beta): the tenant inventory under
 * `/directory/authenticationMethodDevices/hardwareOathDevices` and a user's
 * `hardwareOathMethods` (assign, activate, deactivate, unassign). Pages in
 * api-reference/beta/api/: authenticationmethoddevice-post-hardwareoathdevices.md,
 * authenticationmethoddevice-list-hardwareoathdevices.md,
 * authenticationmethoddevice-delete-hardwareoathdevices.md,
 * authentication-post-hardwareoathmethods.md, hardwareoathauthenticationmethod-activate.md,
 * hardwareoathauthenticationmethod-deactivate.md, authentication-delete-hardwareoathmethods.md.
 */
import { graphError, jsonResponse, noContent, type GraphResponse } from '../graph-response.js';
import { nextLink, pageOf, parseCollectionQuery, project, type EntitySchema } from '../odata-query.js';
import { READ_METHODS, READ_TOKEN_INVENTORY, WRITE_METHODS, WRITE_TOKEN_INVENTORY } from '../permissions.js';
import type { Route } from '../router.js';
import type { DeviceRecord, Outcome } from '../tenant-store.js';
import { deviceJson, hardwareOathMethodJson } from './method-json.js';
import { isResponse, resolveUser } from './users.js';

const BETA: Route['versions'] = ['beta'];
const INVENTORY = 'directory/authenticationMethodDevices/hardwareOathDevices';
const METHODS = 'users/{user}/authentication/hardwareOathMethods';

const DEVICE_PROPERTIES = [
  'id',
  'displayName',
  'serialNumber',
  'manufacturer',
  'model',
  'secretKey',
  'timeIntervalInSeconds',
  'status',
  'lastUsedDateTime',
  'hashFunction',
  'assignedTo',
] as const;

/** The list page: "This method supports $select, $filter (eq) and $top". Not a directory object: no advanced queries. */
const DEVICE_SCHEMA: EntitySchema = {
  resource: 'HardwareOathTokenAuthenticationMethodDevice',
  type: 'microsoft.graph.hardwareOathTokenAuthenticationMethodDevice',
  directoryObject: false,
  selectable: DEVICE_PROPERTIES,
  filterable: Object.fromEntries(['id', 'displayName', 'serialNumber', 'manufacturer', 'model', 'status', 'hashFunction'].map((p) => [p, { default: ['eq'], advanced: [] }])),
};

function answer(outcome: Outcome<unknown>, success: () => GraphResponse): GraphResponse {
  return outcome.ok ? success() : graphError(outcome.failure.status, outcome.failure.code, outcome.failure.message);
}

export const hardwareOathRoutes: readonly Route[] = [
  {
    // authenticationmethoddevice-list-hardwareoathdevices.md
    method: 'GET',
    path: INVENTORY,
    versions: BETA,
    family: 'hardwareOathDevices',
    permissions: READ_TOKEN_INVENTORY,
    handle: (request, _params, context) => {
      const query = parseCollectionQuery(request.query, request.headers, DEVICE_SCHEMA);
      if ('status' in query) return query;
      const page = pageOf(context.store.devices(), query, (device: DeviceRecord, property) => deviceJson(device, context.store)[property]);
      return jsonResponse(200, {
        '@odata.context': `${context.baseUrl}/beta/$metadata#directory/authenticationMethodDevices/hardwareOathDevices`,
        ...(page.nextOffset === null ? {} : { '@odata.nextLink': nextLink(request.url, page.nextOffset) }),
        value: page.items.map((device) => {
          const json = deviceJson(device, context.store);
          return query.select === null ? json : { '@odata.type': json['@odata.type'], ...project(json, query.select, DEVICE_PROPERTIES) };
        }),
      });
    },
  },
  {
    // hardwareoathtokenauthenticationmethoddevice-get.md
    method: 'GET',
    path: `${INVENTORY}/{device}`,
    versions: BETA,
    family: 'hardwareOathDevices',
    permissions: READ_TOKEN_INVENTORY,
    handle: (_request, params, context) => {
      const id = params['device'] ?? '';
      const device = context.store.findDevice(id);
      return device === undefined ? graphError(404, 'itemNotFound', `Hardware OATH token '${id}' was not found.`) : jsonResponse(200, deviceJson(device, context.store));
    },
  },
  {
    // authenticationmethoddevice-post-hardwareoathdevices.md: 201 Created, secretKey answered as null.
    method: 'POST',
    path: INVENTORY,
    versions: BETA,
    family: 'hardwareOathDevices',
    permissions: WRITE_TOKEN_INVENTORY,
    handle: (request, _params, context) => {
      const created = context.store.createDevice(request.body);
      if (!created.ok) return graphError(created.failure.status, created.failure.code, created.failure.message);
      return jsonResponse(201, deviceJson(created.value, context.store), { location: `${context.baseUrl}/beta/${INVENTORY}/${created.value.id}` });
    },
  },
  {
    // authenticationmethoddevice-delete-hardwareoathdevices.md: "Token needs to be unassigned."
    method: 'DELETE',
    path: `${INVENTORY}/{device}`,
    versions: BETA,
    family: 'hardwareOathDevices',
    permissions: WRITE_TOKEN_INVENTORY,
    handle: (_request, params, context) => answer(context.store.deleteDevice(params['device'] ?? ''), noContent),
  },
  {
    // authentication-list-hardwareoathmethods.md
    method: 'GET',
    path: METHODS,
    versions: BETA,
    family: 'hardwareOathMethods',
    permissions: READ_METHODS,
    handle: (request, params, context) => {
      const user = resolveUser(params, context);
      if (isResponse(user)) return user;
      return jsonResponse(200, {
        '@odata.context': `${context.baseUrl}/${request.version}/$metadata#users('${user.id}')/authentication/hardwareOathMethods`,
        value: context.store.hardwareMethods(user).map((device) => hardwareOathMethodJson(device, context.store, true)),
      });
    },
  },
  {
    // hardwareoathauthenticationmethod-get.md
    method: 'GET',
    path: `${METHODS}/{method}`,
    versions: BETA,
    family: 'hardwareOathMethods',
    permissions: READ_METHODS,
    handle: (_request, params, context) => {
      const user = resolveUser(params, context);
      if (isResponse(user)) return user;
      const id = params['method'] ?? '';
      const device = context.store.hardwareMethod(user, id);
      return device === undefined
        ? graphError(404, 'itemNotFound', `Hardware OATH method '${id}' was not found for the user.`)
        : jsonResponse(200, hardwareOathMethodJson(device, context.store, true));
    },
  },
  {
    // authentication-post-hardwareoathmethods.md: assign without activation, 201 Created with the
    // method, whose id is not the device's (the page's example answers another id).
    method: 'POST',
    path: METHODS,
    versions: BETA,
    family: 'hardwareOathMethods',
    permissions: WRITE_METHODS,
    handle: (request, params, context) => {
      const user = resolveUser(params, context);
      if (isResponse(user)) return user;
      const assigned = context.store.assignDevice(user, request.body);
      if (!assigned.ok) return graphError(assigned.failure.status, assigned.failure.code, assigned.failure.message);
      return jsonResponse(
        201,
        hardwareOathMethodJson(assigned.value, context.store, false),
        { location: `${context.baseUrl}/beta/users/${user.id}/authentication/hardwareOathMethods/${assigned.value.methodId ?? ''}` },
      );
    },
  },
  {
    // hardwareoathauthenticationmethod-activate.md: verificationCode checked against the token's seed; 204.
    method: 'POST',
    path: `${METHODS}/{method}/activate`,
    versions: BETA,
    family: 'hardwareOathMethods',
    permissions: WRITE_METHODS,
    activation: true,
    handle: (request, params, context) => {
      const user = resolveUser(params, context);
      if (isResponse(user)) return user;
      const activated = context.store.activateDevice(user, params['method'] ?? '', request.body);
      if (activated.ok) context.stats.hardwareActivated();
      return answer(activated, noContent);
    },
  },
  {
    // hardwareoathauthenticationmethod-deactivate.md: 204, the token stays assigned.
    method: 'POST',
    path: `${METHODS}/{method}/deactivate`,
    versions: BETA,
    family: 'hardwareOathMethods',
    permissions: WRITE_METHODS,
    handle: (_request, params, context) => {
      const user = resolveUser(params, context);
      if (isResponse(user)) return user;
      return answer(context.store.deactivateDevice(user, params['method'] ?? ''), noContent);
    },
  },
  {
    // authentication-delete-hardwareoathmethods.md: unassign, 204.
    method: 'DELETE',
    path: `${METHODS}/{method}`,
    versions: BETA,
    family: 'hardwareOathMethods',
    permissions: WRITE_METHODS,
    handle: (_request, params, context) => {
      const user = resolveUser(params, context);
      if (isResponse(user)) return user;
      return answer(context.store.unassignDevice(user, params['method'] ?? ''), noContent);
    },
  },
];
