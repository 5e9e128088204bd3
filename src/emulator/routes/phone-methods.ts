/**
 * Phone authentication methods: list, get, create, update, delete, with Graph's rules (fixed id
 * per type, one phone per type, alternateMobile only beside a mobile, the mobile not deletable
 * while an alternateMobile exists, the number format). Pages: api-reference/v1.0/api/
 * authentication-list-phonemethods.md, phoneauthenticationmethod-get.md,
 * authentication-post-phonemethods.md, phoneauthenticationmethod-update.md,
 * phoneauthenticationmethod-delete.md.
 */
import { graphError, jsonResponse, noContent, type GraphResponse } from '../graph-response.js';
import { READ_METHODS, WRITE_METHODS } from '../permissions.js';
import type { Route } from '../router.js';
import { PHONE_METHOD_IDS, type Failure } from '../tenant-store.js';
import { phoneMethodJson } from './method-json.js';
import { isResponse, resolveUser } from './users.js';

const BOTH: Route['versions'] = ['v1.0', 'beta'];
const PATH = 'users/{user}/authentication/phoneMethods';

function failure(f: Failure): GraphResponse {
  return graphError(f.status, f.code, f.message);
}

export const phoneMethodRoutes: readonly Route[] = [
  {
    // authentication-list-phonemethods.md
    method: 'GET',
    path: PATH,
    versions: BOTH,
    family: 'phoneMethods',
    permissions: READ_METHODS,
    handle: (request, params, context) => {
      const user = resolveUser(params, context);
      if (isResponse(user)) return user;
      return jsonResponse(200, {
        '@odata.context': `${context.baseUrl}/${request.version}/$metadata#users('${user.id}')/authentication/phoneMethods`,
        value: context.store.phones(user).map((phone) => phoneMethodJson(phone, context.maskPhoneNumbers)),
      });
    },
  },
  {
    // phoneauthenticationmethod-get.md
    method: 'GET',
    path: `${PATH}/{method}`,
    versions: BOTH,
    family: 'phoneMethods',
    permissions: READ_METHODS,
    handle: (_request, params, context) => {
      const user = resolveUser(params, context);
      if (isResponse(user)) return user;
      const methodId = params['method'] ?? '';
      const type = context.store.phoneTypeOfId(methodId);
      const phone = type === undefined ? undefined : user.phones.get(type);
      if (phone === undefined) return graphError(404, 'itemNotFound', `Phone method '${methodId}' was not found for the user.`);
      return jsonResponse(200, phoneMethodJson(phone, context.maskPhoneNumbers));
    },
  },
  {
    // authentication-post-phonemethods.md: 201 Created and the new object.
    method: 'POST',
    path: PATH,
    versions: BOTH,
    family: 'phoneMethods',
    permissions: WRITE_METHODS,
    handle: (request, params, context) => {
      const user = resolveUser(params, context);
      if (isResponse(user)) return user;
      const created = context.store.addPhone(user, request.body);
      if (!created.ok) return failure(created.failure);
      context.stats.phoneCreated(user.id, created.value.phoneType);
      const id = PHONE_METHOD_IDS[created.value.phoneType];
      return jsonResponse(201, phoneMethodJson(created.value, context.maskPhoneNumbers), {
        location: `${context.baseUrl}/${request.version}/users/${user.id}/authentication/phoneMethods/${id}`,
      });
    },
  },
  {
    // phoneauthenticationmethod-update.md: 204 No Content.
    method: 'PATCH',
    path: `${PATH}/{method}`,
    versions: BOTH,
    family: 'phoneMethods',
    permissions: WRITE_METHODS,
    handle: (request, params, context) => {
      const user = resolveUser(params, context);
      if (isResponse(user)) return user;
      const updated = context.store.updatePhone(user, params['method'] ?? '', request.body);
      return updated.ok ? noContent() : failure(updated.failure);
    },
  },
  {
    // phoneauthenticationmethod-delete.md: 204 No Content.
    method: 'DELETE',
    path: `${PATH}/{method}`,
    versions: BOTH,
    family: 'phoneMethods',
    permissions: WRITE_METHODS,
    handle: (_request, params, context) => {
      const user = resolveUser(params, context);
      if (isResponse(user)) return user;
      const deleted = context.store.deletePhone(user, params['method'] ?? '');
      return deleted.ok ? noContent() : failure(deleted.failure);
    },
  },
];
