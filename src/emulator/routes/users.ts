/**
 * Users: get by id or userPrincipalName, list with `$select`, `$filter`, `$count`, `$search`,
 * `$top` and paging (api-reference/v1.0/api/user-get.md, user-list.md; filter support from
 * includes/filter-directory-objects.md).
 */
import { errors, jsonResponse, textResponse, type GraphResponse } from '../graph-response.js';
import { nextLink, pageOf, parseCollectionQuery, parseSelect, project, type EntitySchema } from '../odata-query.js';
import { READ_USERS } from '../permissions.js';
import type { GraphRequest, Route, RouteContext, RouteParams } from '../router.js';
import type { UserRecord } from '../tenant-store.js';

/** Returned when `$select` is absent (user-get.md "Optional query parameters"). */
export const USER_DEFAULT_PROPERTIES = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
] as const;

export const USER_SCHEMA: EntitySchema = {
  resource: 'User',
  type: 'microsoft.graph.user',
  directoryObject: true,
  selectable: [...USER_DEFAULT_PROPERTIES, 'accountEnabled', 'employeeId', 'onPremisesSamAccountName', 'onPremisesSecurityIdentifier'],
  // includes/filter-directory-objects.md, rows for these properties. `in` works by default
  // wherever `eq` does (aad-advanced-queries.md).
  filterable: {
    id: { default: ['eq', 'in'], advanced: ['ne'] },
    accountEnabled: { default: ['eq', 'in'], advanced: ['ne', 'ge', 'le'] },
    displayName: { default: ['eq', 'in', 'startsWith'], advanced: ['ne', 'null'] },
    givenName: { default: ['eq', 'in', 'startsWith', 'ge', 'le'], advanced: ['ne', 'null'] },
    surname: { default: ['eq', 'in', 'startsWith', 'ge', 'le'], advanced: ['ne', 'null'] },
    mail: { default: ['eq', 'in', 'startsWith', 'ge', 'le'], advanced: ['ne', 'endsWith', 'null'] },
    userPrincipalName: { default: ['eq', 'in', 'startsWith', 'le'], advanced: ['ne', 'endsWith'] },
    employeeId: { default: ['eq', 'in', 'startsWith'], advanced: ['ne', 'le', 'null'] },
    onPremisesSecurityIdentifier: { default: ['eq', 'in'], advanced: ['ne', 'null'] },
    onPremisesSamAccountName: { default: [], advanced: ['eq', 'ne', 'in', 'ge', 'le', 'startsWith'] },
  },
};

export function userJson(user: UserRecord): Record<string, unknown> {
  return {
    id: user.id,
    businessPhones: [],
    displayName: user.displayName,
    givenName: user.givenName,
    jobTitle: null,
    mail: user.mail,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    surname: user.surname,
    userPrincipalName: user.userPrincipalName,
    accountEnabled: user.accountEnabled,
    employeeId: user.employeeId,
    onPremisesSamAccountName: user.onPremisesSamAccountName,
    onPremisesSecurityIdentifier: user.onPremisesSecurityIdentifier,
  };
}

/** The user a `/users/{id | userPrincipalName}/…` path names, or Graph's 404. */
export function resolveUser(params: RouteParams, context: RouteContext): UserRecord | GraphResponse {
  const key = params['user'] ?? '';
  return context.store.findUser(key) ?? errors.resourceNotFound(key);
}

export function isResponse(value: UserRecord | GraphResponse): value is GraphResponse {
  return 'status' in value;
}

function metadata(context: RouteContext, request: GraphRequest, entitySet: string, select: readonly string[] | null): string {
  return `${context.baseUrl}/${request.version}/$metadata#${entitySet}${select === null ? '' : `(${select.join(',')})`}`;
}

export const userRoutes: readonly Route[] = [
  {
    // user-list.md, example 3: `GET /users/$count` needs ConsistencyLevel: eventual
    // (aad-advanced-queries.md: "$count is not currently supported." without it).
    method: 'GET',
    path: 'users/$count',
    versions: ['v1.0', 'beta'],
    family: 'users',
    permissions: READ_USERS,
    handle: (request, _params, context) => {
      if (request.headers['consistencylevel']?.toLowerCase() !== 'eventual') {
        return errors.countNotSupported();
      }
      return textResponse(200, String(context.store.userCount));
    },
  },
  {
    // user-list.md
    method: 'GET',
    path: 'users',
    versions: ['v1.0', 'beta'],
    family: 'users',
    permissions: READ_USERS,
    resourceUnits: 2,
    handle: (request, _params, context) => {
      const query = parseCollectionQuery(request.query, request.headers, USER_SCHEMA);
      if ('status' in query) return query;
      const page = pageOf(context.store.users(), query, (user, property) => userJson(user)[property]);
      return jsonResponse(200, {
        '@odata.context': metadata(context, request, 'users', query.select),
        ...(query.count ? { '@odata.count': page.total } : {}),
        ...(page.nextOffset === null ? {} : { '@odata.nextLink': nextLink(request.url, page.nextOffset) }),
        value: page.items.map((user) => project(userJson(user), query.select, USER_DEFAULT_PROPERTIES)),
      });
    },
  },
  {
    // user-get.md
    method: 'GET',
    path: 'users/{user}',
    versions: ['v1.0', 'beta'],
    family: 'users',
    permissions: READ_USERS,
    handle: (request, params, context) => {
      const select = parseSelect(request.query, USER_SCHEMA);
      if (select !== null && !Array.isArray(select)) return select as GraphResponse;
      const user = resolveUser(params, context);
      if (isResponse(user)) return user;
      const selected = select as readonly string[] | null;
      return jsonResponse(200, {
        '@odata.context': `${metadata(context, request, 'users', selected)}/$entity`,
        ...project(userJson(user), selected, USER_DEFAULT_PROPERTIES),
      });
    },
  },
];

