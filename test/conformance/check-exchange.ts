/**
 * Holds one recorded Graph exchange — a request the product sent and the answer the emulator gave,
 * plain or inside `$batch` — to Microsoft's CSDL of its API version:
 * - the path resolves (entity sets, singletons, keys, navigation, casts, bound operations,
 *   `$count`, `$batch`) and the HTTP method fits what it addresses, with the capability
 *   restrictions the CSDL annotates (Insertable, Updatable, Deletable…);
 * - query options name real properties, and `ConsistencyLevel: eventual` with `$count` is there
 *   where concepts/aad-advanced-queries.md says Graph needs the advanced query parameters;
 * - request bodies name only real properties (or an action's parameters) with the right JSON
 *   types and enum members;
 * - answers name only real properties of the version's types, `$select` is honoured, and no
 *   navigation property is inline unless `$expand` asked for it or a reference page documents it
 *   inline (DOCUMENTED_INLINE_NAVIGATION); status codes fit the method; errors have Graph's shape.
 */
import type { EmulatorExchange } from '../../src/emulator/server.js';
import { derivesFrom, findNavigation, findProperty, graphModel, type ApiVersion, type GraphModel, type Restrictions } from './csdl/model.js';
import { ANY_INLINE_NAVIGATION, checkStructured, checkValue, NO_INLINE_NAVIGATION, type InlineNavigation, type ValueCheck } from './csdl/check-value.js';
import { resolvePath, type Resource } from './csdl/resolve-path.js';

/** One request and its answer, as the emulator saw them (its observer's record). */
export type RecordedExchange = EmulatorExchange;

export interface Divergence {
  /** `GET /beta/users/{key}/authentication/methods` */
  readonly endpoint: string;
  readonly side: 'request' | 'response';
  readonly rule: 'path' | 'method' | 'query' | 'header' | 'body' | 'status';
  readonly message: string;
}

export interface ExchangeCheck {
  readonly endpoint: string;
  readonly divergences: readonly Divergence[];
  /** Names only global beta knows (the national-cloud CSDL lacks their types): present in Graph, not checked further. */
  readonly unchecked: readonly string[];
}

/** Where a reference page shows a navigation property inline in an answer without `$expand`. */
interface DocumentedInline {
  readonly versions: readonly ApiVersion[];
  readonly method: string;
  readonly template: string;
  /** Navigation paths below the answer's item: `a`, `a/b`. */
  readonly navigation: readonly string[];
  readonly source: string;
}

export const DOCUMENTED_INLINE_NAVIGATION: readonly DocumentedInline[] = [
  {
    versions: ['v1.0', 'beta'],
    method: 'GET',
    template: 'policies/authenticationMethodsPolicy',
    navigation: ['authenticationMethodConfigurations', 'authenticationMethodConfigurations/includeTargets'],
    source: 'api-reference/{v1.0,beta}/api/authenticationmethodspolicy-get.md, response example',
  },
  {
    versions: ['beta'],
    method: 'GET',
    template: 'users/{key}/authentication/hardwareOathMethods',
    navigation: ['device'],
    source: 'api-reference/beta/api/authentication-list-hardwareoathmethods.md, response example',
  },
  {
    versions: ['beta'],
    method: 'GET',
    template: 'users/{key}/authentication/hardwareOathMethods/{key}',
    navigation: ['device'],
    source: 'api-reference/beta/api/hardwareoathauthenticationmethod-get.md, response example',
  },
];

/** Query options Graph defines (concepts/query-parameters.md); `$skiptoken` is the opaque paging token of `@odata.nextLink`. */
const SYSTEM_QUERY_OPTIONS = new Set(['$select', '$filter', '$expand', '$top', '$skip', '$count', '$orderby', '$search', '$skiptoken', '$format']);

/**
 * User properties whose `eq` filter needs the advanced query parameters (includes/filter-directory-objects.md:
 * the "eq" column marked Advanced).
 */
const USER_EQ_NEEDS_ADVANCED = new Set([
  'companyName', 'employeeHireDate', 'employeeType', 'mobilePhone', 'officeLocation', 'onPremisesExtensionAttributes', 'onPremisesImmutableId',
  'onPremisesLastSyncDateTime', 'onPremisesSamAccountName', 'passwordPolicies', 'postalCode', 'preferredLanguage', 'showInAddressList', 'streetAddress',
]);

const FILTER_KEYWORDS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'and', 'or', 'not', 'in', 'has', 'true', 'false', 'null', 'startswith', 'endswith', 'contains', 'any', 'all']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function splitUrl(url: string): { version: ApiVersion | null; segments: string[]; query: URLSearchParams } {
  const parsed = new URL(url);
  const parts = parsed.pathname.split('/').filter((part) => part !== '').map((part) => decodeURIComponent(part));
  const [version, ...segments] = parts;
  return { version: version === 'v1.0' || version === 'beta' ? version : null, segments, query: parsed.searchParams };
}

/** The item type a query option applies to. */
function itemType(resource: Resource): string | null {
  switch (resource.kind) {
    case 'collection':
    case 'entity':
      return resource.type;
    case 'count':
      return resource.of;
    default:
      return null;
  }
}

function restrictionsOf(model: GraphModel, resource: Resource): Restrictions {
  const merged: { -readonly [K in keyof Restrictions]: Restrictions[K] } = {};
  const targets = 'targets' in resource ? [...resource.targets] : [];
  const type = itemType(resource);
  if (type !== null) targets.push(type);
  for (const target of targets) Object.assign(merged, model.restrictions.get(target));
  return merged;
}

function allowedMethods(model: GraphModel, resource: Resource): string[] {
  const can = restrictionsOf(model, resource);
  const readable = can.readable !== false;
  switch (resource.kind) {
    case 'batch':
      return ['POST'];
    case 'collection':
      return [...(readable ? ['GET'] : []), ...(can.insertable === false ? [] : ['POST'])];
    case 'entity':
      return [...(readable ? ['GET'] : []), ...(can.updatable === false ? [] : ['PATCH']), ...(resource.keyed && can.deletable !== false ? ['DELETE'] : [])];
    case 'value':
      return [...(readable ? ['GET'] : []), ...(can.updatable === false ? [] : ['PATCH', 'PUT'])];
    case 'count':
      return can.countable === false ? [] : ['GET'];
    case 'operation':
      return [resource.operation.kind === 'action' ? 'POST' : 'GET'];
  }
}

/** The filter's property names and whether it uses an operator that needs the advanced query parameters. */
function readFilter(filter: string): { readonly properties: string[]; readonly advancedOperator: string | null; readonly comparedWithEq: string[] } {
  const properties: string[] = [];
  const comparedWithEq: string[] = [];
  let advancedOperator: string | null = null;
  const tokens = filter.replace(/'(?:[^']|'')*'/g, "''").match(/[A-Za-z_][\w./]*|\S/g) ?? [];
  const lambdaVariables = new Set<string>();
  tokens.forEach((token, index) => {
    const lower = token.toLowerCase();
    if (lower === 'ne' || lower === 'not' || lower === 'endswith') advancedOperator ??= lower;
    if (!/^[A-Za-z_]/.test(token) || FILTER_KEYWORDS.has(lower)) return;
    if (tokens[index + 1] === ':') {
      lambdaVariables.add(token);
      return;
    }
    if (tokens[index + 1] === '(') return;
    const head = token.split('/')[0] ?? token;
    if (lambdaVariables.has(head) || /^[0-9a-f]{8}-/i.test(token)) return;
    properties.push(head);
    if (tokens[index + 1]?.toLowerCase() === 'eq' || tokens[index + 1]?.toLowerCase() === 'in') comparedWithEq.push(head);
  });
  return { properties, advancedOperator, comparedWithEq };
}

function selectedNames(query: URLSearchParams): string[] | null {
  const select = query.get('$select');
  return select === null ? null : select.split(',').map((name) => name.trim()).filter((name) => name !== '');
}

/** `$expand=a,b($select=x)` → the tree of inline navigation it allows. */
function expandTree(query: URLSearchParams): Map<string, InlineNavigation> {
  const tree = new Map<string, InlineNavigation>();
  const expand = query.get('$expand');
  if (expand === null) return tree;
  let depth = 0;
  let current = '';
  const names: string[] = [];
  for (const character of `${expand},`) {
    if (character === '(') depth += 1;
    if (character === ')') depth -= 1;
    if (character === ',' && depth === 0) {
      names.push(current.replace(/\(.*$/, '').trim());
      current = '';
    } else current += character;
  }
  for (const name of names) addPath(tree, name);
  return tree;
}

function addPath(tree: Map<string, InlineNavigation>, path: string): void {
  const [head, ...rest] = path.split('/');
  if (head === undefined || head === '') return;
  let child = tree.get(head);
  if (child === undefined) {
    child = { allowed: new Map() };
    tree.set(head, child);
  }
  if (rest.length > 0 && child.allowed !== 'any') addPath(child.allowed as Map<string, InlineNavigation>, rest.join('/'));
}

function inlineFor(version: ApiVersion, method: string, template: string, query: URLSearchParams): InlineNavigation {
  const tree = expandTree(query);
  for (const documented of DOCUMENTED_INLINE_NAVIGATION) {
    if (documented.method === method && documented.template === template && documented.versions.includes(version)) {
      for (const path of documented.navigation) addPath(tree, path);
    }
  }
  return { allowed: tree };
}

class ExchangeChecker {
  readonly divergences: Divergence[] = [];
  readonly unchecked: string[] = [];
  readonly #endpoint: string;

  constructor(endpoint: string) {
    this.#endpoint = endpoint;
  }

  add(side: Divergence['side'], rule: Divergence['rule'], message: string): void {
    this.divergences.push({ endpoint: this.#endpoint, side, rule, message });
  }

  values(model: GraphModel, direction: ValueCheck['direction']): ValueCheck {
    return { model, direction, problems: [], unchecked: this.unchecked };
  }

  flush(check: ValueCheck, side: Divergence['side']): void {
    for (const problem of check.problems) this.add(side, 'body', `${problem.at}: ${problem.message}`);
  }
}

function checkQuery(checker: ExchangeChecker, model: GraphModel, resource: Resource, exchange: RecordedExchange, query: URLSearchParams): void {
  const type = itemType(resource);
  const isCollection = resource.kind === 'collection';
  for (const name of new Set(query.keys())) {
    if (!name.startsWith('$') || !SYSTEM_QUERY_OPTIONS.has(name)) {
      checker.add('request', 'query', `'${name}' is not an OData system query option Graph supports (${[...SYSTEM_QUERY_OPTIONS].join(', ')})`);
      continue;
    }
    if (type === null) checker.add('request', 'query', `${name} on a resource that is not an entity or collection`);
  }
  if (type === null) return;
  const known = (property: string): boolean => findProperty(model, type, property) !== undefined || findNavigation(model, type, property) !== undefined;
  for (const property of selectedNames(query) ?? []) {
    if (!known(property)) checker.add('request', 'query', `$select names '${property}', which ${type} does not have in Graph ${model.version}`);
  }
  for (const property of [...expandTree(query).keys()]) {
    if (findNavigation(model, type, property) === undefined) checker.add('request', 'query', `$expand names '${property}', which is not a navigation property of ${type}`);
  }
  const filter = query.get('$filter');
  const read = filter === null ? null : readFilter(filter);
  for (const property of read?.properties ?? []) {
    if (!known(property)) checker.add('request', 'query', `$filter names '${property}', which ${type} does not have in Graph ${model.version}`);
  }
  const orderby = query.get('$orderby');
  for (const clause of orderby?.split(',') ?? []) {
    const property = clause.trim().split(/\s+/)[0] ?? '';
    if (!known(property.split('/')[0] ?? property)) checker.add('request', 'query', `$orderby names '${property}', which ${type} does not have`);
  }
  for (const option of ['$top', '$skip']) {
    const value = query.get(option);
    if (value !== null && !/^\d+$/.test(value)) checker.add('request', 'query', `${option}=${value} is not a non-negative integer`);
    if (value !== null && !isCollection) checker.add('request', 'query', `${option} on a single resource`);
  }
  const count = query.get('$count');
  if (count !== null && count !== 'true' && count !== 'false') checker.add('request', 'query', `$count=${count} is neither true nor false`);
  if (count !== null && !isCollection) checker.add('request', 'query', '$count=true on a single resource');

  // concepts/aad-advanced-queries.md: directory objects need ConsistencyLevel: eventual and $count for these.
  if (!derivesFrom(model, type, 'microsoft.graph.directoryObject')) return;
  const reasons: string[] = [];
  if (resource.kind === 'count') reasons.push('the $count segment');
  if (count === 'true') reasons.push('$count=true');
  if (query.has('$search')) reasons.push('$search');
  if (read?.advancedOperator != null) reasons.push(`the ${read.advancedOperator} operator in $filter`);
  if (filter !== null && orderby !== null) reasons.push('$filter with $orderby');
  if (type === 'microsoft.graph.user' || derivesFrom(model, type, 'microsoft.graph.user')) {
    for (const property of read?.comparedWithEq ?? []) if (USER_EQ_NEEDS_ADVANCED.has(property)) reasons.push(`$filter on ${property} (includes/filter-directory-objects.md)`);
  }
  if (reasons.length === 0) return;
  if (exchange.requestHeaders['consistencylevel']?.toLowerCase() !== 'eventual') {
    checker.add('request', 'header', `${reasons.join(', ')} needs the header ConsistencyLevel: eventual (concepts/aad-advanced-queries.md)`);
  }
  const onlySearch = reasons.length === 1 && reasons[0] === '$search';
  if (!onlySearch && resource.kind !== 'count' && count !== 'true') {
    checker.add('request', 'query', `${reasons.join(', ')} needs $count=true besides ConsistencyLevel: eventual (concepts/aad-advanced-queries.md)`);
  }
}

function checkRequestBody(checker: ExchangeChecker, model: GraphModel, resource: Resource, exchange: RecordedExchange): void {
  const body = exchange.requestBody;
  const method = exchange.method.toUpperCase();
  if (method === 'GET' || method === 'DELETE') {
    if (body !== undefined) checker.add('request', 'body', `a ${method} carries a body`);
    return;
  }
  const values = checker.values(model, 'request');
  switch (resource.kind) {
    case 'collection':
    case 'entity':
      checkStructured(values, body, resource.type, 'body', ANY_INLINE_NAVIGATION);
      break;
    case 'value':
      checkValue(values, body, resource.type, true, 'body', ANY_INLINE_NAVIGATION);
      break;
    case 'operation': {
      const parameters = resource.operation.parameters;
      if (body === undefined && parameters.length === 0) break;
      if (!isObject(body)) {
        values.problems.push({ at: 'body', message: `the action ${resource.operation.name} takes an object of its parameters` });
        break;
      }
      for (const [name, value] of Object.entries(body)) {
        const parameter = parameters.find((candidate) => candidate.name === name);
        if (parameter === undefined) values.problems.push({ at: `body.${name}`, message: `the action ${resource.operation.name} has no parameter '${name}' (parameters: ${parameters.map((p) => p.name).join(', ')})` });
        else checkValue(values, value, parameter.type, parameter.nullable, `body.${name}`, ANY_INLINE_NAVIGATION);
      }
      break;
    }
    case 'batch':
      checkBatchRequest(values, body);
      break;
    case 'count':
      values.problems.push({ at: 'body', message: '$count takes no body' });
      break;
  }
  checker.flush(values, 'request');
}

/** concepts/json-batching.md: `{"requests": [{id, method, url, headers?, body?, dependsOn?}]}`, at most 20. */
function checkBatchRequest(values: ValueCheck, body: unknown): void {
  if (!isObject(body) || !Array.isArray(body['requests']) || Object.keys(body).length !== 1) {
    values.problems.push({ at: 'body', message: 'a $batch body is {"requests": [...]} and nothing else' });
    return;
  }
  const requests = body['requests'] as unknown[];
  if (requests.length > 20) values.problems.push({ at: 'body.requests', message: `${String(requests.length)} requests; $batch takes at most 20` });
  requests.forEach((request, index) => {
    const at = `body.requests[${String(index)}]`;
    if (!isObject(request)) {
      values.problems.push({ at, message: 'not an object' });
      return;
    }
    for (const key of Object.keys(request)) if (!['id', 'method', 'url', 'headers', 'body', 'dependsOn'].includes(key)) values.problems.push({ at: `${at}.${key}`, message: `'${key}' is not a $batch request property` });
    if (typeof request['id'] !== 'string' || typeof request['method'] !== 'string' || typeof request['url'] !== 'string') values.problems.push({ at, message: 'id, method and url are strings and required' });
    if (typeof request['url'] === 'string' && /^https?:/i.test(request['url'])) values.problems.push({ at: `${at}.url`, message: 'a $batch url is relative to the version' });
    if (request['body'] !== undefined && !(isObject(request['headers']) && Object.keys(request['headers']).some((name) => name.toLowerCase() === 'content-type'))) {
      values.problems.push({ at, message: 'a request with a body needs a Content-Type header' });
    }
    if (request['dependsOn'] !== undefined && !(Array.isArray(request['dependsOn']) && request['dependsOn'].every((id) => typeof id === 'string'))) values.problems.push({ at: `${at}.dependsOn`, message: 'dependsOn is an array of request ids' });
  });
}

function checkBatchResponse(values: ValueCheck, body: unknown): void {
  if (!isObject(body) || !Array.isArray(body['responses'])) {
    values.problems.push({ at: 'body', message: 'a $batch answer is {"responses": [...]}' });
    return;
  }
  (body['responses'] as unknown[]).forEach((response, index) => {
    const at = `body.responses[${String(index)}]`;
    if (!isObject(response) || typeof response['id'] !== 'string' || typeof response['status'] !== 'number') values.problems.push({ at, message: 'each response has a string id and a numeric status' });
    else for (const key of Object.keys(response)) if (!['id', 'status', 'headers', 'body'].includes(key)) values.problems.push({ at: `${at}.${key}`, message: `'${key}' is not a $batch response property` });
  });
}

/** concepts/errors.md: `{"error": {"code", "message", "innerError"?, "details"?}}`. */
function checkErrorBody(values: ValueCheck, body: unknown): void {
  const error = isObject(body) ? body['error'] : undefined;
  if (!isObject(body) || Object.keys(body).length !== 1 || !isObject(error) || typeof error['code'] !== 'string' || typeof error['message'] !== 'string') {
    values.problems.push({ at: 'body', message: 'an error answer is {"error": {"code": string, "message": string, …}}' });
    return;
  }
  for (const key of Object.keys(error)) if (!['code', 'message', 'innerError', 'details', 'target'].includes(key)) values.problems.push({ at: `body.error.${key}`, message: `'${key}' is not part of Graph's error resource` });
}

function expectedStatuses(method: string, resource: Resource): number[] {
  if (resource.kind === 'operation') return resource.operation.returnType === null ? [204] : [200];
  switch (method) {
    case 'GET':
      return [200];
    case 'POST':
      return resource.kind === 'batch' ? [200] : [201, 204];
    case 'PATCH':
    case 'PUT':
      return [200, 204];
    case 'DELETE':
      return [204];
    default:
      return [];
  }
}

function checkSelected(values: ValueCheck, item: unknown, selected: readonly string[] | null, at: string): void {
  if (selected === null || !isObject(item)) return;
  for (const key of Object.keys(item)) {
    if (key.includes('@') || selected.includes(key)) continue;
    values.problems.push({ at: `${at}.${key}`, message: `'${key}' was not in $select (${selected.join(',')})` });
  }
}

function checkResponseBody(checker: ExchangeChecker, model: GraphModel, resource: Resource, exchange: RecordedExchange, template: string, query: URLSearchParams): void {
  const method = exchange.method.toUpperCase();
  const body = exchange.responseBody;
  const values = checker.values(model, 'response');
  if (exchange.status >= 400) {
    checkErrorBody(values, body);
    checker.flush(values, 'response');
    return;
  }
  const statuses = expectedStatuses(method, resource);
  if (!statuses.includes(exchange.status)) checker.add('response', 'status', `${String(exchange.status)} answers a ${method} here; Graph answers ${statuses.join(' or ')}`);
  if (exchange.status === 204) {
    if (body !== undefined && body !== '') checker.add('response', 'body', '204 No Content with a body');
    return;
  }
  const inline = method === 'GET' ? inlineFor(model.version, method, template, query) : NO_INLINE_NAVIGATION;
  const selected = selectedNames(query);
  switch (resource.kind) {
    case 'batch':
      checkBatchResponse(values, body);
      break;
    case 'count':
      if (!(typeof body === 'number' || (typeof body === 'string' && /^\d+$/.test(body.trim())))) values.problems.push({ at: 'body', message: '$count answers a plain integer' });
      break;
    case 'collection':
      if (method === 'GET') {
        if (!isObject(body) || !Array.isArray(body['value'])) {
          values.problems.push({ at: 'body', message: 'a collection answer is {"value": [...]}' });
          break;
        }
        for (const key of Object.keys(body)) if (key !== 'value' && !key.startsWith('@odata.')) values.problems.push({ at: `body.${key}`, message: `'${key}' in a collection answer` });
        (body['value'] as unknown[]).forEach((item, index) => {
          const at = `body.value[${String(index)}]`;
          checkStructured(values, item, resource.type, at, inline);
          checkSelected(values, item, selected, at);
        });
      } else {
        checkStructured(values, body, resource.type, 'body', NO_INLINE_NAVIGATION);
      }
      break;
    case 'entity':
      checkStructured(values, body, resource.type, 'body', inline);
      checkSelected(values, body, selected, 'body');
      break;
    case 'value':
      if (!resource.type.collection && model.types.has(resource.type.name)) checkStructured(values, body, resource.type.name, 'body', NO_INLINE_NAVIGATION);
      else if (isObject(body) && 'value' in body) checkValue(values, body['value'], resource.type, true, 'body.value', NO_INLINE_NAVIGATION);
      else values.problems.push({ at: 'body', message: 'a property answer is {"value": …}' });
      break;
    case 'operation': {
      const returnType = resource.operation.returnType;
      if (returnType !== null) checkValue(values, isObject(body) && 'value' in body ? body['value'] : body, returnType, true, 'body', NO_INLINE_NAVIGATION);
      break;
    }
  }
  checker.flush(values, 'response');
}

/** Checks one exchange against the CSDL of its version (read once per process). */
export function checkExchange(exchange: RecordedExchange, modelOf: (version: ApiVersion) => GraphModel = graphModel): ExchangeCheck {
  const method = exchange.method.toUpperCase();
  const { version, segments, query } = splitUrl(exchange.url);
  if (version === null) {
    const checker = new ExchangeChecker(`${method} ${new URL(exchange.url).pathname}`);
    checker.add('request', 'path', 'the path does not start with a Graph version (/v1.0 or /beta)');
    return { endpoint: `${method} ${new URL(exchange.url).pathname}`, divergences: checker.divergences, unchecked: [] };
  }
  const model = modelOf(version);
  const resolution = resolvePath(model, segments);
  const endpoint = `${method} /${version}/${resolution.template}`;
  const checker = new ExchangeChecker(endpoint);
  if (resolution.ok === 'unchecked') return { endpoint, divergences: [], unchecked: [resolution.reason] };
  if (!resolution.ok) {
    checker.add('request', 'path', resolution.reason);
    return { endpoint, divergences: checker.divergences, unchecked: [] };
  }
  const { resource } = resolution;
  const allowed = allowedMethods(model, resource);
  if (!allowed.includes(method)) {
    checker.add('request', 'method', `${method} does not fit ${resolution.template} (${resource.kind}); the CSDL allows ${allowed.join(', ') || 'nothing'}`);
    return { endpoint, divergences: checker.divergences, unchecked: checker.unchecked };
  }
  checkQuery(checker, model, resource, exchange, query);
  checkRequestBody(checker, model, resource, exchange);
  checkResponseBody(checker, model, resource, exchange, resolution.template, query);
  return { endpoint, divergences: checker.divergences, unchecked: checker.unchecked };
}
