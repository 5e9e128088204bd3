/**
 * A user's authentication methods other than phones: the list of all methods, Microsoft
 * Authenticator and software OATH (read, delete), Temporary Access Pass (create, read) and the
 * beta signInPreferences (get, patch).
 */
import { graphError, jsonResponse, noContent, type GraphResponse } from '../graph-response.js';
import { READ_METHODS, WRITE_METHODS } from '../permissions.js';
import type { GraphRequest, Route, RouteContext, RouteParams } from '../router.js';
import type { Outcome, UserRecord } from '../tenant-store.js';
import {
  authenticatorMethodJson,
  hardwareOathMethodJson,
  passwordMethodJson,
  phoneMethodJson,
  softwareOathMethodJson,
  temporaryAccessPassJson,
} from './method-json.js';
import { isResponse, resolveUser } from './users.js';

const BOTH: Route['versions'] = ['v1.0', 'beta'];
const BASE = 'users/{user}/authentication';

function collection(request: GraphRequest, context: RouteContext, user: UserRecord, segment: string, value: unknown[]): GraphResponse {
  return jsonResponse(200, {
    '@odata.context': `${context.baseUrl}/${request.version}/$metadata#users('${user.id}')/authentication/${segment}`,
    value,
  });
}

function withUser(handler: (user: UserRecord, request: GraphRequest, params: RouteParams, context: RouteContext) => GraphResponse): Route['handle'] {
  return (request, params, context) => {
    const user = resolveUser(params, context);
    return isResponse(user) ? user : handler(user, request, params, context);
  };
}

function deleted(outcome: Outcome<unknown>): GraphResponse {
  return outcome.ok ? noContent() : graphError(outcome.failure.status, outcome.failure.code, outcome.failure.message);
}

export const authenticationMethodRoutes: readonly Route[] = [
  {
    // authentication-list-methods.md: every registered method with its @odata.type; the beta
    // endpoint also lists hardware OATH tokens (beta only), without their `device`.
    method: 'GET',
    path: `${BASE}/methods`,
    versions: BOTH,
    family: 'authenticationMethods',
    permissions: READ_METHODS,
    handle: withUser((user, request, _params, context) => {
      const now = context.clock.now();
      const methods = [
        passwordMethodJson(),
        ...context.store.phones(user).map((phone) => phoneMethodJson(phone, context.maskPhoneNumbers)),
        ...user.authenticators.map(authenticatorMethodJson),
        ...user.softwareOath.map(softwareOathMethodJson),
        ...user.temporaryAccessPasses.map((pass) => temporaryAccessPassJson(pass, now, false, request.version)),
        ...(request.version === 'beta' ? context.store.hardwareMethods(user).map((device) => hardwareOathMethodJson(device, context.store, false)) : []),
      ];
      return collection(request, context, user, 'methods', methods);
    }),
  },
  {
    // microsoftauthenticatorauthenticationmethod-list.md
    method: 'GET',
    path: `${BASE}/microsoftAuthenticatorMethods`,
    versions: BOTH,
    family: 'microsoftAuthenticatorMethods',
    permissions: READ_METHODS,
    handle: withUser((user, request, _params, context) =>
      collection(request, context, user, 'microsoftAuthenticatorMethods', user.authenticators.map(authenticatorMethodJson)),
    ),
  },
  {
    // microsoftauthenticatorauthenticationmethod-get.md
    method: 'GET',
    path: `${BASE}/microsoftAuthenticatorMethods/{method}`,
    versions: BOTH,
    family: 'microsoftAuthenticatorMethods',
    permissions: READ_METHODS,
    handle: withUser((user, _request, params) => {
      const id = params['method'] ?? '';
      const method = user.authenticators.find((candidate) => candidate.id.toLowerCase() === id.toLowerCase());
      return method === undefined
        ? graphError(404, 'itemNotFound', `Microsoft Authenticator method '${id}' was not found for the user.`)
        : jsonResponse(200, authenticatorMethodJson(method));
    }),
  },
  {
    // microsoftauthenticatorauthenticationmethod-delete.md: 204 No Content.
    method: 'DELETE',
    path: `${BASE}/microsoftAuthenticatorMethods/{method}`,
    versions: BOTH,
    family: 'microsoftAuthenticatorMethods',
    permissions: WRITE_METHODS,
    handle: withUser((user, _request, params, context) => deleted(context.store.deleteAuthenticator(user, params['method'] ?? ''))),
  },
  {
    // authentication-list-softwareoathmethods.md
    method: 'GET',
    path: `${BASE}/softwareOathMethods`,
    versions: BOTH,
    family: 'softwareOathMethods',
    permissions: READ_METHODS,
    handle: withUser((user, request, _params, context) =>
      collection(request, context, user, 'softwareOathMethods', user.softwareOath.map(softwareOathMethodJson)),
    ),
  },
  {
    // softwareoathauthenticationmethod-get.md
    method: 'GET',
    path: `${BASE}/softwareOathMethods/{method}`,
    versions: BOTH,
    family: 'softwareOathMethods',
    permissions: READ_METHODS,
    handle: withUser((user, _request, params) => {
      const id = params['method'] ?? '';
      const method = user.softwareOath.find((candidate) => candidate.id.toLowerCase() === id.toLowerCase());
      return method === undefined
        ? graphError(404, 'itemNotFound', `Software OATH method '${id}' was not found for the user.`)
        : jsonResponse(200, softwareOathMethodJson(method));
    }),
  },
  {
    // softwareoathauthenticationmethod-delete.md: 204 No Content.
    method: 'DELETE',
    path: `${BASE}/softwareOathMethods/{method}`,
    versions: BOTH,
    family: 'softwareOathMethods',
    permissions: WRITE_METHODS,
    handle: withUser((user, _request, params, context) => deleted(context.store.deleteSoftwareOath(user, params['method'] ?? ''))),
  },
  {
    // authentication-list-temporaryaccesspassmethods.md: the pass itself is not returned.
    method: 'GET',
    path: `${BASE}/temporaryAccessPassMethods`,
    versions: BOTH,
    family: 'temporaryAccessPassMethods',
    permissions: READ_METHODS,
    handle: withUser((user, request, _params, context) => {
      const now = context.clock.now();
      return collection(request, context, user, 'temporaryAccessPassMethods', user.temporaryAccessPasses.map((pass) => temporaryAccessPassJson(pass, now, false, request.version)));
    }),
  },
  {
    // authentication-post-temporaryaccesspassmethods.md: 201 Created with the pass.
    method: 'POST',
    path: `${BASE}/temporaryAccessPassMethods`,
    versions: BOTH,
    family: 'temporaryAccessPassMethods',
    permissions: WRITE_METHODS,
    handle: withUser((user, request, _params, context) => {
      const created = context.store.createTemporaryAccessPass(user, request.body);
      if (!created.ok) return graphError(created.failure.status, created.failure.code, created.failure.message);
      return jsonResponse(201, temporaryAccessPassJson(created.value, context.clock.now(), true, request.version), {
        location: `${context.baseUrl}/${request.version}/users/${user.id}/authentication/temporaryAccessPassMethods/${created.value.id}`,
      });
    }),
  },
  {
    // beta authentication-get.md, example 1.
    method: 'GET',
    path: `${BASE}/signInPreferences`,
    versions: ['beta'],
    family: 'signInPreferences',
    permissions: READ_METHODS,
    handle: withUser((user, request, _params, context) =>
      jsonResponse(200, {
        '@odata.context': `${context.baseUrl}/${request.version}/$metadata#users('${user.id}')/authentication/signInPreferences`,
        ...user.signInPreferences,
      }),
    ),
  },
  {
    // beta authentication-update.md, example 1: 204 No Content.
    method: 'PATCH',
    path: `${BASE}/signInPreferences`,
    versions: ['beta'],
    family: 'signInPreferences',
    permissions: WRITE_METHODS,
    handle: withUser((user, request, _params, context) => {
      const updated = context.store.updateSignInPreferences(user, request.body);
      return updated.ok ? noContent() : graphError(updated.failure.status, updated.failure.code, updated.failure.message);
    }),
  },
];
