/**
 * Checks a JSON value against a CSDL type in the OData JSON format (OData JSON Format 4.01):
 * primitive types by their JSON representation, enum members by name, structured types property
 * by property — every name must be a property the type (or the type `@odata.type` names, which
 * must derive from it) declares, in the API version of the request. Navigation properties may
 * appear inline in a request (deep insert, or a reference as hardwareOathMethods' `device`), but
 * in a response only where `$expand` asked for them or a reference page documents them inline.
 */
import { derivesFrom, findNavigation, findProperty, inGlobalBeta, type GraphModel, type TypeRef } from './model.js';

export interface ValueProblem {
  /** JSON path inside the body: `value[2].device.status`. */
  readonly at: string;
  readonly message: string;
}

/**
 * Which navigation properties may appear inline, by name, with what may appear inside them;
 * `any` in a request body (deep insert and references are the client's choice).
 */
export interface InlineNavigation {
  readonly allowed: ReadonlyMap<string, InlineNavigation> | 'any';
}

export const NO_INLINE_NAVIGATION: InlineNavigation = { allowed: new Map() };
export const ANY_INLINE_NAVIGATION: InlineNavigation = { allowed: 'any' };

function inlineChild(inline: InlineNavigation, name: string): InlineNavigation | undefined {
  return inline.allowed === 'any' ? ANY_INLINE_NAVIGATION : inline.allowed.get(name);
}

export interface ValueCheck {
  readonly model: GraphModel;
  readonly direction: 'request' | 'response';
  readonly problems: ValueProblem[];
  /** Names global beta holds that the national-cloud CSDL lacks: not divergences, not checked either. */
  readonly unchecked: string[];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** OData ABNF dateTimeOffsetValue: a date, a time and Z or an offset. */
const DATE_TIME_OFFSET = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const DATE = /^-?\d{4,}-\d{2}-\d{2}$/;
const TIME_OF_DAY = /^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const DURATION = /^-?P(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const INTEGER_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  'Edm.Byte': [0, 255],
  'Edm.SByte': [-128, 127],
  'Edm.Int16': [-32_768, 32_767],
  'Edm.Int32': [-2_147_483_648, 2_147_483_647],
  'Edm.Int64': [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'string' ? `the string ${JSON.stringify(value)}` : `${typeof value} ${JSON.stringify(value)}`;
}

function primitiveProblem(name: string, value: unknown): string | null {
  const range = INTEGER_RANGES[name];
  if (range !== undefined) return typeof value === 'number' && Number.isInteger(value) && value >= range[0] && value <= range[1] ? null : `${describe(value)} is not an ${name}`;
  switch (name) {
    case 'Edm.String':
      return typeof value === 'string' ? null : `${describe(value)} is not an Edm.String`;
    case 'Edm.Boolean':
      return typeof value === 'boolean' ? null : `${describe(value)} is not an Edm.Boolean`;
    case 'Edm.Guid':
      return typeof value === 'string' && GUID.test(value) ? null : `${describe(value)} is not an Edm.Guid`;
    case 'Edm.DateTimeOffset':
      return typeof value === 'string' && DATE_TIME_OFFSET.test(value) && !Number.isNaN(Date.parse(value)) ? null : `${describe(value)} is not an Edm.DateTimeOffset`;
    case 'Edm.Date':
      return typeof value === 'string' && DATE.test(value) ? null : `${describe(value)} is not an Edm.Date`;
    case 'Edm.TimeOfDay':
      return typeof value === 'string' && TIME_OF_DAY.test(value) ? null : `${describe(value)} is not an Edm.TimeOfDay`;
    case 'Edm.Duration':
      return typeof value === 'string' && DURATION.test(value) ? null : `${describe(value)} is not an Edm.Duration`;
    case 'Edm.Binary':
      return typeof value === 'string' && BASE64.test(value) ? null : `${describe(value)} is not an Edm.Binary (base64)`;
    case 'Edm.Double':
    case 'Edm.Single':
    case 'Edm.Decimal':
      return typeof value === 'number' || value === 'NaN' || value === 'INF' || value === '-INF' ? null : `${describe(value)} is not an ${name}`;
    case 'Edm.Untyped':
    case 'Edm.Stream':
      return null;
    default:
      return `the CSDL type ${name} is unknown to this checker`;
  }
}

/** Checks `value` as an instance of `type` (nullable unless the CSDL says otherwise). */
export function checkValue(check: ValueCheck, value: unknown, type: TypeRef, nullable: boolean, at: string, inline: InlineNavigation): void {
  if (value === null) {
    if (type.collection) check.problems.push({ at, message: `a collection is never null (${type.name})` });
    else if (!nullable) check.problems.push({ at, message: `null where the CSDL says Nullable="false" (${type.name})` });
    return;
  }
  if (type.collection) {
    if (!Array.isArray(value)) {
      check.problems.push({ at, message: `${describe(value)} where Collection(${type.name}) is expected` });
      return;
    }
    value.forEach((item: unknown, index) => { checkValue(check, item, { collection: false, name: type.name }, nullable, `${at}[${String(index)}]`, inline); });
    return;
  }
  if (type.name.startsWith('Edm.')) {
    const problem = primitiveProblem(type.name, value);
    if (problem !== null) check.problems.push({ at, message: problem });
    return;
  }
  const enumeration = check.model.enums.get(type.name);
  if (enumeration !== undefined) {
    if (typeof value !== 'string') {
      check.problems.push({ at, message: `${describe(value)} is not a member name of ${type.name}` });
      return;
    }
    const members = enumeration.isFlags ? value.split(',').map((member) => member.trim()) : [value];
    for (const member of members) {
      if (!enumeration.members.has(member)) check.problems.push({ at, message: `'${member}' is not a member of ${type.name} in Graph ${check.model.version} (members: ${[...enumeration.members].join(', ')})` });
    }
    return;
  }
  if (check.model.types.has(type.name)) {
    checkStructured(check, value, type.name, at, inline);
    return;
  }
  if (check.model.globalTypes !== null && inGlobalBeta(check.model, type.name)) {
    check.unchecked.push(`${at}: ${type.name}`);
    return;
  }
  check.problems.push({ at, message: `the type ${type.name} is not defined in Graph ${check.model.version}` });
}

/** `@odata.type` as a qualified name; null after a problem; UNCHECKED when only global beta knows it. */
const UNCHECKED = Symbol('unchecked');

function namedType(check: ValueCheck, raw: unknown, expected: string, at: string): string | typeof UNCHECKED | null {
  if (typeof raw !== 'string' || !raw.startsWith('#')) {
    check.problems.push({ at: `${at}.@odata.type`, message: `${describe(raw)} is not a type name of the form "#microsoft.graph.type"` });
    return null;
  }
  const name = raw.slice(1);
  if (!check.model.types.has(name)) {
    if (check.model.globalTypes !== null && inGlobalBeta(check.model, name)) {
      check.unchecked.push(`${at}: ${name}`);
      return UNCHECKED;
    }
    check.problems.push({ at: `${at}.@odata.type`, message: `the type ${name} is not defined in Graph ${check.model.version}` });
    return null;
  }
  if (!derivesFrom(check.model, name, expected)) {
    check.problems.push({ at: `${at}.@odata.type`, message: `${name} does not derive from ${expected}, the type this place holds` });
    return null;
  }
  return name;
}

/** Instance annotations OData JSON defines for a structured value; anything else starting with '@' is refused. */
function isODataAnnotation(key: string): boolean {
  return key.startsWith('@odata.');
}

export function checkStructured(check: ValueCheck, value: unknown, expected: string, at: string, inline: InlineNavigation): void {
  if (!isObject(value)) {
    check.problems.push({ at, message: `${describe(value)} where an object of ${expected} is expected` });
    return;
  }
  let actual = expected;
  if ('@odata.type' in value) {
    const named = namedType(check, value['@odata.type'], expected, at);
    if (named === UNCHECKED) return;
    if (named !== null) actual = named;
  } else if (check.direction === 'response' && check.model.types.get(expected)?.abstract === true) {
    check.problems.push({ at, message: `an instance of the abstract type ${expected} without @odata.type: a client cannot tell which type it is` });
  }
  const open = check.model.types.get(actual)?.openType === true;
  for (const [key, property] of Object.entries(value)) {
    const where = `${at}.${key}`;
    if (key.startsWith('@')) {
      if (!isODataAnnotation(key)) check.problems.push({ at: where, message: `'${key}' is not an OData instance annotation` });
      continue;
    }
    const annotated = key.indexOf('@');
    if (annotated > 0) {
      // `property@odata.context`, `property@odata.nextLink`: annotations of a property the type must have.
      const name = key.slice(0, annotated);
      if (!isODataAnnotation(key.slice(annotated)) || (findProperty(check.model, actual, name) === undefined && findNavigation(check.model, actual, name) === undefined)) {
        check.problems.push({ at: where, message: `'${key}' annotates no property of ${actual}` });
      }
      continue;
    }
    const structural = findProperty(check.model, actual, key);
    if (structural !== undefined) {
      checkValue(check, property, structural.type, structural.nullable, where, inline.allowed === 'any' ? ANY_INLINE_NAVIGATION : NO_INLINE_NAVIGATION);
      continue;
    }
    const navigation = findNavigation(check.model, actual, key);
    if (navigation !== undefined) {
      const nested = inlineChild(inline, key);
      if (check.direction === 'response' && nested === undefined) {
        check.problems.push({ at: where, message: `the navigation property ${key} of ${actual} is inline, but the request did not $expand it and no reference page documents it inline` });
        continue;
      }
      checkValue(check, property, navigation.definition.type, true, where, nested ?? NO_INLINE_NAVIGATION);
      continue;
    }
    if (check.model.globalTypes !== null && inGlobalBeta(check.model, actual, key)) {
      check.unchecked.push(`${where}: ${actual}/${key}`);
      continue;
    }
    // Open types take dynamic properties; Graph's are directory extension attributes only.
    if (open && key.startsWith('extension_')) continue;
    check.problems.push({ at: where, message: `${actual} has no property '${key}' in Graph ${check.model.version}` });
  }
}
