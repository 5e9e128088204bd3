/**
 * The OData query options the tool uses on directory objects: `$select`, `$filter`, `$top`,
 * `$count`, `$search`, `$orderby` and paging with `$skiptoken`. Which `$filter` operators work by
 * default and which need the advanced query parameters (`ConsistencyLevel: eventual` and
 * `$count=true`) comes from microsoftgraph/microsoft-graph-docs-contrib
 * includes/filter-directory-objects.md; the error codes and messages from concepts/aad-advanced-queries.md.
 */
import { graphError, type GraphResponse } from './graph-response.js';

export type FilterOperator = 'eq' | 'ne' | 'in' | 'startsWith' | 'endsWith' | 'ge' | 'le' | 'null';

/** Per property: operators that work by default and operators that need advanced query parameters. */
export interface FilterCapability {
  readonly default: readonly FilterOperator[];
  readonly advanced: readonly FilterOperator[];
}

export interface EntitySchema {
  /** Resource name in Graph's messages, e.g. `User`. */
  readonly resource: string;
  /** Type name in Graph's messages, e.g. `microsoft.graph.user`. */
  readonly type: string;
  /** Every property `$select` accepts, in canonical case. */
  readonly selectable: readonly string[];
  readonly filterable: Readonly<Record<string, FilterCapability>>;
  /** Whether the advanced query parameters exist for this resource (directory objects only). */
  readonly directoryObject: boolean;
}

type Literal = string | number | boolean | null;
export type FilterNode =
  | { readonly kind: 'and' | 'or'; readonly left: FilterNode; readonly right: FilterNode }
  | { readonly kind: 'not'; readonly operand: FilterNode }
  | { readonly kind: 'compare'; readonly op: 'eq' | 'ne' | 'ge' | 'le'; readonly property: string; readonly value: Literal }
  | { readonly kind: 'in'; readonly property: string; readonly values: readonly Literal[] }
  | { readonly kind: 'function'; readonly name: 'startsWith' | 'endsWith'; readonly property: string; readonly value: string };

const TOKEN = /\s*(?:(\()|(\))|(,)|'((?:[^']|'')*)'|([A-Za-z_$][\w$./]*)|(-?\d+(?:\.\d+)?))/y;

class FilterSyntaxError extends Error {}

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let position = 0;
  while (position < text.length) {
    if (text.slice(position).trim() === '') break;
    TOKEN.lastIndex = position;
    const match = TOKEN.exec(text);
    if (match === null) throw new FilterSyntaxError(`unexpected character at position ${position}`);
    const [, open, close, comma, quoted, word, number] = match;
    if (open !== undefined) tokens.push('(');
    else if (close !== undefined) tokens.push(')');
    else if (comma !== undefined) tokens.push(',');
    else if (quoted !== undefined) tokens.push(`'${quoted.replace(/''/g, "'")}`);
    else if (word !== undefined) tokens.push(word);
    else if (number !== undefined) tokens.push(`#${number}`);
    position = TOKEN.lastIndex;
  }
  return tokens;
}

/** Parses a `$filter` expression into a tree. Throws FilterSyntaxError on anything else. */
function parseFilter(text: string): FilterNode {
  const tokens = tokenize(text);
  let index = 0;
  const peek = (): string | undefined => tokens[index];
  const take = (): string => {
    const token = tokens[index];
    if (token === undefined) throw new FilterSyntaxError('the expression ends too early');
    index += 1;
    return token;
  };
  const expect = (token: string): void => {
    if (take() !== token) throw new FilterSyntaxError(`'${token}' expected`);
  };
  const literal = (): Literal => {
    const token = take();
    if (token.startsWith("'")) return token.slice(1);
    if (token.startsWith('#')) return Number(token.slice(1));
    if (token === 'true') return true;
    if (token === 'false') return false;
    if (token === 'null') return null;
    // Unquoted GUIDs are allowed for id comparisons.
    if (/^[0-9a-f-]{36}$/i.test(token)) return token;
    throw new FilterSyntaxError(`a value was expected, not '${token}'`);
  };
  const property = (): string => {
    const token = take();
    if (token.startsWith("'") || token.startsWith('#') || token === '(' || token === ')' || token === ',') {
      throw new FilterSyntaxError(`a property name was expected, not '${token}'`);
    }
    return token;
  };
  const primary = (): FilterNode => {
    const token = peek();
    if (token === undefined) throw new FilterSyntaxError('the expression ends too early');
    if (token === '(') {
      take();
      const inner = orExpression();
      expect(')');
      return inner;
    }
    if (token.toLowerCase() === 'not') {
      take();
      return { kind: 'not', operand: primary() };
    }
    const lower = token.toLowerCase();
    if ((lower === 'startswith' || lower === 'endswith') && tokens[index + 1] === '(') {
      take();
      expect('(');
      const name = property();
      expect(',');
      const value = literal();
      expect(')');
      if (typeof value !== 'string') throw new FilterSyntaxError(`${token} needs a string value`);
      return { kind: 'function', name: lower === 'startswith' ? 'startsWith' : 'endsWith', property: name, value };
    }
    const name = property();
    const op = take().toLowerCase();
    if (op === 'in') {
      expect('(');
      const values = [literal()];
      while (peek() === ',') {
        take();
        values.push(literal());
      }
      expect(')');
      return { kind: 'in', property: name, values };
    }
    if (op !== 'eq' && op !== 'ne' && op !== 'ge' && op !== 'le') throw new FilterSyntaxError(`operator '${op}' is not supported`);
    return { kind: 'compare', op, property: name, value: literal() };
  };
  const andExpression = (): FilterNode => {
    let left = primary();
    while (peek()?.toLowerCase() === 'and') {
      take();
      left = { kind: 'and', left, right: primary() };
    }
    return left;
  };
  const orExpression = (): FilterNode => {
    let left = andExpression();
    while (peek()?.toLowerCase() === 'or') {
      take();
      left = { kind: 'or', left, right: andExpression() };
    }
    return left;
  };
  const tree = orExpression();
  if (index !== tokens.length) throw new FilterSyntaxError(`unexpected '${tokens[index] ?? ''}'`);
  return tree;
}

function advancedOperatorError(operator: string): GraphResponse {
  return graphError(
    400,
    'Request_UnsupportedQuery',
    `Operator '${operator}' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information`,
  );
}

function unsupportedClause(property: string, schema: EntitySchema): GraphResponse {
  return graphError(400, 'Request_UnsupportedQuery', `Unsupported or invalid query filter clause specified for property '${property}' of resource '${schema.resource}'.`);
}

function unknownProperty(property: string, schema: EntitySchema): GraphResponse {
  return graphError(400, 'BadRequest', `Could not find a property named '${property}' on type '${schema.type}'.`);
}

/** Checks every clause against the schema's default/advanced support; returns Graph's error or the canonical tree. */
function checkFilter(node: FilterNode, schema: EntitySchema, advanced: boolean): GraphResponse | FilterNode {
  switch (node.kind) {
    case 'and':
    case 'or': {
      const left = checkFilter(node.left, schema, advanced);
      if (!isFilterNode(left)) return left;
      const right = checkFilter(node.right, schema, advanced);
      if (!isFilterNode(right)) return right;
      return { kind: node.kind, left, right };
    }
    case 'not': {
      if (schema.directoryObject && !advanced) return advancedOperatorError('Not');
      const operand = checkFilter(node.operand, schema, advanced);
      return isFilterNode(operand) ? { kind: 'not', operand } : operand;
    }
    default: {
      const canonical = Object.keys(schema.filterable).find((name) => name.toLowerCase() === node.property.toLowerCase());
      const selectable = schema.selectable.some((name) => name.toLowerCase() === node.property.toLowerCase());
      if (canonical === undefined) return selectable ? unsupportedClause(node.property, schema) : unknownProperty(node.property, schema);
      const capability = schema.filterable[canonical] as FilterCapability;
      const operator: FilterOperator =
        node.kind === 'function' ? node.name : node.kind === 'in' ? 'in' : node.op === 'eq' && node.value === null ? 'null' : node.op;
      if (capability.default.includes(operator)) return { ...node, property: canonical };
      if (capability.advanced.includes(operator)) {
        if (advanced) return { ...node, property: canonical };
        // Graph names the operator when the operator itself is advanced-only, and the property when the property is.
        return operator === 'eq' || operator === 'in' ? unsupportedClause(canonical, schema) : advancedOperatorError(operator);
      }
      return unsupportedClause(canonical, schema);
    }
  }
}

function isFilterNode(value: GraphResponse | FilterNode): value is FilterNode {
  return 'kind' in value;
}

function matches(actual: unknown, expected: Literal): boolean {
  if (typeof actual === 'string' && typeof expected === 'string') return actual.toLowerCase() === expected.toLowerCase();
  return actual === expected;
}

/** Evaluates a checked tree against one object; strings compare case-insensitively as the directory does. */
export function evaluateFilter(node: FilterNode, read: (property: string) => unknown): boolean {
  switch (node.kind) {
    case 'and':
      return evaluateFilter(node.left, read) && evaluateFilter(node.right, read);
    case 'or':
      return evaluateFilter(node.left, read) || evaluateFilter(node.right, read);
    case 'not':
      return !evaluateFilter(node.operand, read);
    case 'in':
      return node.values.some((value) => matches(read(node.property), value));
    case 'function': {
      const actual = read(node.property);
      if (typeof actual !== 'string') return false;
      return node.name === 'startsWith'
        ? actual.toLowerCase().startsWith(node.value.toLowerCase())
        : actual.toLowerCase().endsWith(node.value.toLowerCase());
    }
    case 'compare': {
      const actual = read(node.property);
      if (node.op === 'eq') return matches(actual, node.value);
      if (node.op === 'ne') return !matches(actual, node.value);
      if (typeof actual !== 'string' || typeof node.value !== 'string') return false;
      const order = actual.toLowerCase().localeCompare(node.value.toLowerCase());
      return node.op === 'ge' ? order >= 0 : order <= 0;
    }
  }
}

/** Default page size of directory collections and the `$top` range (user-list.md, concepts/paging.md). */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 999;

export interface CollectionQuery {
  readonly select: readonly string[] | null;
  readonly filter: FilterNode | null;
  readonly top: number | null;
  readonly offset: number;
  /** `$count=true` with `ConsistencyLevel: eventual`: include `@odata.count`. */
  readonly count: boolean;
  readonly search: { readonly property: string; readonly value: string } | null;
  readonly orderBy: { readonly property: string; readonly descending: boolean } | null;
}

/** Reads a query option with or without its `$` prefix (Graph accepts both). */
export function queryOption(query: URLSearchParams, name: string): string | null {
  return query.get(`$${name}`) ?? query.get(name);
}

/** Whether the request carries both advanced query parameters (aad-advanced-queries.md). */
export function isAdvancedQuery(query: URLSearchParams, headers: Readonly<Record<string, string>>): boolean {
  return headers['consistencylevel']?.toLowerCase() === 'eventual' && queryOption(query, 'count')?.toLowerCase() === 'true';
}

/** `$select` against the schema: Graph rejects properties the type does not have. */
export function parseSelect(query: URLSearchParams, schema: EntitySchema): GraphResponse | readonly string[] | null {
  const raw = queryOption(query, 'select');
  if (raw === null || raw.trim() === '') return null;
  const selected: string[] = [];
  for (const name of raw.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const canonical = schema.selectable.find((property) => property.toLowerCase() === name.toLowerCase());
    if (canonical === undefined) return unknownProperty(name, schema);
    if (!selected.includes(canonical)) selected.push(canonical);
  }
  return selected;
}

function encodeSkipToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64url');
}

function decodeSkipToken(token: string): number | null {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    const offset = typeof parsed === 'object' && parsed !== null ? (parsed as { offset?: unknown }).offset : undefined;
    return typeof offset === 'number' && Number.isInteger(offset) && offset >= 0 ? offset : null;
  } catch {
    return null;
  }
}

/** Parses the query options of a collection request, answering Graph's 400 when one is wrong. */
export function parseCollectionQuery(
  query: URLSearchParams,
  headers: Readonly<Record<string, string>>,
  schema: EntitySchema,
): GraphResponse | CollectionQuery {
  const advanced = schema.directoryObject && isAdvancedQuery(query, headers);
  const select = parseSelect(query, schema);
  if (select !== null && !Array.isArray(select)) return select as GraphResponse;

  let filter: FilterNode | null = null;
  const rawFilter = queryOption(query, 'filter');
  if (rawFilter !== null && rawFilter.trim() !== '') {
    let parsed: FilterNode;
    try {
      parsed = parseFilter(rawFilter);
    } catch (error) {
      if (!(error instanceof FilterSyntaxError)) throw error;
      return graphError(400, 'BadRequest', `Invalid filter clause: ${error.message}.`);
    }
    const checked = checkFilter(parsed, schema, advanced);
    if (!isFilterNode(checked)) return checked;
    filter = checked;
  }

  let top: number | null = null;
  const rawTop = queryOption(query, 'top');
  if (rawTop !== null) {
    top = /^\d+$/.test(rawTop) ? Number(rawTop) : NaN;
    if (!Number.isInteger(top) || top < 1 || top > MAX_PAGE_SIZE) {
      return graphError(400, 'Request_BadRequest', `Invalid page size specified: '${rawTop}'. Must be between 1 and ${MAX_PAGE_SIZE} inclusive.`);
    }
  }

  let offset = 0;
  const rawSkipToken = queryOption(query, 'skiptoken') ?? query.get('$skipToken');
  if (rawSkipToken !== null) {
    const decoded = decodeSkipToken(rawSkipToken);
    if (decoded === null) return graphError(400, 'Request_BadRequest', 'The specified page token value has expired or is not valid.');
    offset = decoded;
  }

  let search: CollectionQuery['search'] = null;
  const rawSearch = queryOption(query, 'search');
  if (rawSearch !== null) {
    if (headers['consistencylevel']?.toLowerCase() !== 'eventual') {
      return graphError(400, 'Request_UnsupportedQuery', "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'");
    }
    const match = /^"([^":]+):([^"]*)"$/.exec(rawSearch.trim());
    const property = match === null ? undefined : schema.selectable.find((name) => name.toLowerCase() === (match[1] ?? '').toLowerCase());
    if (match === null || property === undefined) return graphError(400, 'Request_UnsupportedQuery', `Unsupported search clause: ${rawSearch}`);
    search = { property, value: match[2] ?? '' };
  }

  let orderBy: CollectionQuery['orderBy'] = null;
  const rawOrderBy = queryOption(query, 'orderby');
  if (rawOrderBy !== null) {
    const [name = '', direction = 'asc'] = rawOrderBy.trim().split(/\s+/);
    const property = ['displayName', 'userPrincipalName'].find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    if (property === undefined || !['asc', 'desc'].includes(direction.toLowerCase())) {
      return graphError(400, 'Request_UnsupportedQuery', `Order by '${rawOrderBy}' is not supported.`);
    }
    // aad-advanced-queries.md: "$filter and $orderby in the same query" is advanced-only.
    if (filter !== null && schema.directoryObject && !advanced) {
      return graphError(400, 'Request_UnsupportedQuery', 'Sorting not supported for current query.');
    }
    orderBy = { property, descending: direction.toLowerCase() === 'desc' };
  }

  return { select, filter, top, offset, count: advanced, search, orderBy };
}

function sortKey(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextOffset: number | null;
}

/** Filters, searches, sorts and cuts one page out of a collection. */
export function pageOf<T>(all: readonly T[], query: CollectionQuery, read: (item: T, property: string) => unknown): Page<T> & { total: number } {
  let items = all.filter((item) => query.filter === null || evaluateFilter(query.filter, (property) => read(item, property)));
  const search = query.search;
  if (search !== null) {
    items = items.filter((item) => {
      const value = read(item, search.property);
      return typeof value === 'string' && value.toLowerCase().includes(search.value.toLowerCase());
    });
  }
  const orderBy = query.orderBy;
  if (orderBy !== null) {
    items = [...items].sort((a, b) => {
      const order = sortKey(read(a, orderBy.property)).localeCompare(sortKey(read(b, orderBy.property)));
      return orderBy.descending ? -order : order;
    });
  }
  const size = query.top ?? DEFAULT_PAGE_SIZE;
  const page = items.slice(query.offset, query.offset + size);
  const next = query.offset + size;
  return { items: page, nextOffset: next < items.length ? next : null, total: items.length };
}

/** The `@odata.nextLink` for the next page: the same request with `$skiptoken` replaced. */
export function nextLink(requestUrl: URL, nextOffset: number): string {
  const parameters = [...requestUrl.searchParams.entries()].filter(([name]) => !['$skiptoken', 'skiptoken'].includes(name.toLowerCase()));
  parameters.push(['$skiptoken', encodeSkipToken(nextOffset)]);
  // Graph writes system query options with a literal `$` and commas unescaped.
  const query = parameters
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`.replace(/%24/g, '$').replace(/%2C/gi, ','))
    .join('&');
  return `${requestUrl.origin}${requestUrl.pathname}?${query}`;
}

/** Keeps the selected properties, in the order asked for. */
export function project(entity: Readonly<Record<string, unknown>>, select: readonly string[] | null, defaults: readonly string[]): Record<string, unknown> {
  const properties = select ?? defaults;
  const out: Record<string, unknown> = {};
  for (const property of properties) out[property] = entity[property] ?? null;
  return out;
}

