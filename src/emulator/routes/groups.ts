/**
 * Groups: get, list by name, and transitive members for `--group`
 * (api-reference/v1.0/api/group-get.md, group-list.md, group-list-transitivemembers.md).
 */
import { errors, graphError, jsonResponse, textResponse, type GraphResponse } from '../graph-response.js';
import { isAdvancedQuery, nextLink, pageOf, parseCollectionQuery, parseSelect, project, type EntitySchema } from '../odata-query.js';
import { READ_GROUP_MEMBERS, READ_GROUPS } from '../permissions.js';
import type { GraphRequest, Route, RouteContext, RouteParams } from '../router.js';
import type { SeedGroup } from '../seed.js';
import type { TenantStore, UserRecord } from '../tenant-store.js';
import { USER_DEFAULT_PROPERTIES, USER_SCHEMA, userJson } from './users.js';

const GROUP_DEFAULT_PROPERTIES = ['id', 'displayName', 'description', 'groupTypes', 'mail', 'mailEnabled', 'mailNickname', 'securityEnabled'] as const;

const GROUP_SCHEMA: EntitySchema = {
  resource: 'Group',
  type: 'microsoft.graph.group',
  directoryObject: true,
  selectable: GROUP_DEFAULT_PROPERTIES,
  filterable: {
    id: { default: ['eq', 'in'], advanced: ['ne'] },
    displayName: { default: ['eq', 'in', 'startsWith'], advanced: ['ne', 'null'] },
    mail: { default: ['eq', 'in', 'startsWith'], advanced: ['ne', 'endsWith'] },
  },
};

/**
 * group-list-transitivemembers.md: "This header and $count are required when using the $search,
 * $filter, $orderby, or OData cast query parameters" — every filter here is advanced-only.
 */
const MEMBER_SCHEMA: EntitySchema = {
  resource: 'DirectoryObject',
  type: 'microsoft.graph.directoryObject',
  directoryObject: true,
  selectable: [...new Set([...USER_SCHEMA.selectable, ...GROUP_DEFAULT_PROPERTIES])],
  filterable: Object.fromEntries(
    Object.entries(USER_SCHEMA.filterable).map(([property, capability]) => [property, { default: [], advanced: [...capability.default, ...capability.advanced] }]),
  ),
};

function groupJson(group: SeedGroup): Record<string, unknown> {
  return {
    id: group.id,
    displayName: group.displayName,
    description: null,
    groupTypes: [],
    mail: null,
    mailEnabled: false,
    mailNickname: group.displayName.replace(/[^A-Za-z0-9]/g, ''),
    securityEnabled: true,
  };
}

function resolveGroup(params: RouteParams, store: TenantStore): SeedGroup | GraphResponse {
  const id = params['group'] ?? '';
  return store.findGroup(id) ?? errors.resourceNotFound(id);
}

type Member = { kind: 'user'; user: UserRecord } | { kind: 'group'; group: SeedGroup };

function memberJson(member: Member): Record<string, unknown> {
  return member.kind === 'user' ? userJson(member.user) : groupJson(member.group);
}

function listMembers(request: GraphRequest, params: RouteParams, context: RouteContext, cast: 'user' | 'group' | null): GraphResponse {
  const group = resolveGroup(params, context.store);
  if ('status' in group) return group;
  if (cast !== null && !isAdvancedQuery(request.query, request.headers)) {
    return graphError(400, 'Request_UnsupportedQuery', 'OData cast on transitiveMembers requires the ConsistencyLevel:eventual header and $count=true. Refer to https://aka.ms/graph-docs/advanced-queries for more information');
  }
  const query = parseCollectionQuery(request.query, request.headers, MEMBER_SCHEMA);
  if ('status' in query) return query;
  const members = context.store.transitiveMembers(group).filter((member) => cast === null || member.kind === cast);
  const page = pageOf(members, query, (member, property) => memberJson(member)[property]);
  return jsonResponse(200, {
    '@odata.context': `${context.baseUrl}/${request.version}/$metadata#${cast === 'group' ? 'groups' : cast === 'user' ? 'users' : 'directoryObjects'}`,
    ...(query.count ? { '@odata.count': page.total } : {}),
    ...(page.nextOffset === null ? {} : { '@odata.nextLink': nextLink(request.url, page.nextOffset) }),
    value: page.items.map((member) => ({
      '@odata.type': member.kind === 'user' ? '#microsoft.graph.user' : '#microsoft.graph.group',
      ...project(memberJson(member), query.select, member.kind === 'user' ? USER_DEFAULT_PROPERTIES : GROUP_DEFAULT_PROPERTIES),
    })),
  });
}

export const groupRoutes: readonly Route[] = [
  {
    // group-list.md
    method: 'GET',
    path: 'groups',
    versions: ['v1.0', 'beta'],
    family: 'groups',
    permissions: READ_GROUPS,
    handle: (request, _params, context) => {
      const query = parseCollectionQuery(request.query, request.headers, GROUP_SCHEMA);
      if ('status' in query) return query;
      const page = pageOf(context.store.groups(), query, (group, property) => groupJson(group)[property]);
      return jsonResponse(200, {
        '@odata.context': `${context.baseUrl}/${request.version}/$metadata#groups`,
        ...(query.count ? { '@odata.count': page.total } : {}),
        ...(page.nextOffset === null ? {} : { '@odata.nextLink': nextLink(request.url, page.nextOffset) }),
        value: page.items.map((group) => project(groupJson(group), query.select, GROUP_DEFAULT_PROPERTIES)),
      });
    },
  },
  {
    // group-get.md
    method: 'GET',
    path: 'groups/{group}',
    versions: ['v1.0', 'beta'],
    family: 'groups',
    permissions: READ_GROUPS,
    handle: (request, params, context) => {
      const select = parseSelect(request.query, GROUP_SCHEMA);
      if (select !== null && !Array.isArray(select)) return select as GraphResponse;
      const group = resolveGroup(params, context.store);
      if ('status' in group) return group;
      return jsonResponse(200, {
        '@odata.context': `${context.baseUrl}/${request.version}/$metadata#groups/$entity`,
        ...project(groupJson(group), select as readonly string[] | null, GROUP_DEFAULT_PROPERTIES),
      });
    },
  },
  {
    // group-list-transitivemembers.md, example 2: the count needs ConsistencyLevel: eventual.
    method: 'GET',
    path: 'groups/{group}/transitiveMembers/$count',
    versions: ['v1.0', 'beta'],
    family: 'groups',
    permissions: READ_GROUP_MEMBERS,
    resourceUnits: 5,
    handle: (request, params, context) => {
      if (request.headers['consistencylevel']?.toLowerCase() !== 'eventual') return errors.countNotSupported();
      const group = resolveGroup(params, context.store);
      if ('status' in group) return group;
      return textResponse(200, String(context.store.transitiveMembers(group).length));
    },
  },
  {
    // group-list-transitivemembers.md; base cost 5 resource units (throttling-limits.md).
    method: 'GET',
    path: 'groups/{group}/transitiveMembers',
    versions: ['v1.0', 'beta'],
    family: 'groups',
    permissions: READ_GROUP_MEMBERS,
    resourceUnits: 5,
    handle: (request, params, context) => listMembers(request, params, context, null),
  },
  {
    // group-list-transitivemembers.md, examples 3–5: OData cast.
    method: 'GET',
    path: 'groups/{group}/transitiveMembers/microsoft.graph.user',
    versions: ['v1.0', 'beta'],
    family: 'groups',
    permissions: READ_GROUP_MEMBERS,
    resourceUnits: 5,
    handle: (request, params, context) => listMembers(request, params, context, 'user'),
  },
  {
    method: 'GET',
    path: 'groups/{group}/transitiveMembers/microsoft.graph.group',
    versions: ['v1.0', 'beta'],
    family: 'groups',
    permissions: READ_GROUP_MEMBERS,
    resourceUnits: 5,
    handle: (request, params, context) => listMembers(request, params, context, 'group'),
  },
];
