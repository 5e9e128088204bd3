/**
 * Checks a parsed JSON value against one of our schemas with ajv (draft 2020-12, formats from
 * ajv-formats) and says where it is wrong the way a person fixing the file needs it: the path of
 * the value in JSONPath style (`$.users[3].phoneMethods[0].phoneNumber`) and what is expected,
 * in our words rather than the validator's. Every problem is reported, not just the first.
 */
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { isRecord } from '../json-value.js';
import { PROBLEM_KEYWORD, type JsonSchema } from './shape.js';

/** A value that breaks the schema, with the JSONPath of the value at fault. */
export interface SchemaProblem {
  readonly path: string;
  readonly message: string;
}

export type SchemaCheck = (value: unknown) => readonly SchemaProblem[];

const TYPE_WORDS: Readonly<Record<string, string>> = {
  object: 'an object',
  array: 'an array',
  string: 'a string',
  boolean: 'true or false',
  integer: 'a whole number',
  number: 'a number',
  null: 'null',
};

const FORMAT_WORDS: Readonly<Record<string, string>> = {
  'date-time': 'a date and time with a time zone, e.g. 2024-01-02T03:04:05Z',
  uri: 'an absolute URI',
};

/** Compiles the schema once; the returned check is cheap to call. */
export function compileSchema(schema: JsonSchema): SchemaCheck {
  // strict: a keyword the validator does not know is a mistake in our schema, except our own annotation.
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true });
  ajv.addKeyword({ keyword: PROBLEM_KEYWORD, schemaType: 'string' });
  formats.default(ajv, ['date-time', 'uri']);
  const validate = ajv.compile(schema);
  return (value) => (validate(value) ? [] : problemsOf(validate.errors ?? []));
}

/** JSON Pointer (`/users/3/phoneMethods`) to JSONPath (`$.users[3].phoneMethods`). */
export function jsonPath(pointer: string, child?: string): string {
  const segments = pointer === '' ? [] : pointer.slice(1).split('/').map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
  if (child !== undefined) segments.push(child);
  return segments.reduce((path, segment) => {
    if (/^\d+$/.test(segment)) return `${path}[${segment}]`;
    if (/^[A-Za-z_$][\w$]*$/.test(segment)) return `${path}.${segment}`;
    return `${path}[${JSON.stringify(segment)}]`;
  }, '$');
}

function listed(values: readonly unknown[]): string {
  const words = values.map((value) => JSON.stringify(value));
  if (words.length === 1) return words[0] ?? '';
  if (words.length === 2) return `${words[0] ?? ''} or ${words[1] ?? ''}`;
  return `one of ${words.join(', ')}`;
}

function typeWords(type: unknown): string {
  const types = Array.isArray(type) ? type.map(String) : [String(type)];
  return types.map((name) => TYPE_WORDS[name] ?? name).join(' or ');
}

function describe(error: ErrorObject): SchemaProblem {
  const params: Readonly<Record<string, unknown>> = error.params;
  const parent: unknown = error.parentSchema;
  const custom = isRecord(parent) ? parent[PROBLEM_KEYWORD] : undefined;
  const at = jsonPath(error.instancePath);
  switch (error.keyword) {
    case 'required':
      return { path: jsonPath(error.instancePath, String(params['missingProperty'])), message: 'is required but missing' };
    case 'additionalProperties':
      return { path: jsonPath(error.instancePath, String(params['additionalProperty'])), message: 'is not a property this object can have (a typo?)' };
    case 'propertyNames':
      return { path: at, message: `has a key ${JSON.stringify(params['propertyName'])} that is not allowed here` };
    default:
      break;
  }
  if (typeof custom === 'string') return { path: at, message: custom };
  switch (error.keyword) {
    case 'type':
      return { path: at, message: `must be ${typeWords(params['type'])}` };
    case 'enum':
      return { path: at, message: `must be ${listed(Array.isArray(params['allowedValues']) ? params['allowedValues'] : [])}` };
    case 'const':
      return { path: at, message: `must be ${JSON.stringify(params['allowedValue'])}` };
    case 'minLength':
      return { path: at, message: params['limit'] === 1 ? 'must not be empty' : `must be at least ${String(params['limit'])} characters long` };
    case 'maxLength':
      return { path: at, message: `must be at most ${String(params['limit'])} characters long` };
    case 'pattern':
      return { path: at, message: `must match the pattern ${String(params['pattern'])}` };
    case 'format':
      return { path: at, message: `must be ${FORMAT_WORDS[String(params['format'])] ?? `in the format ${String(params['format'])}`}` };
    case 'minimum':
      return { path: at, message: `must be at least ${String(params['limit'])}` };
    case 'minItems':
      return { path: at, message: `must hold at least ${String(params['limit'])} items` };
    case 'oneOf':
    case 'anyOf':
      return { path: at, message: 'matches none of the shapes allowed here' };
    default:
      return { path: at, message: error.message ?? `breaks the schema's ${error.keyword}` };
  }
}

/**
 * One problem per fault. ajv also reports, for a value matching no branch of a `oneOf`, every
 * branch's own complaint, and for a bad map key the key's own check: those restate the summary
 * and are left out.
 */
function problemsOf(errors: readonly ErrorObject[]): SchemaProblem[] {
  const unions = errors.filter((error) => error.keyword === 'oneOf' || error.keyword === 'anyOf').map((error) => `${error.schemaPath}/`);
  const kept = errors.filter((error) => !('propertyName' in error) && !unions.some((prefix) => error.schemaPath.startsWith(prefix)));
  const seen = new Set<string>();
  const problems: SchemaProblem[] = [];
  for (const problem of kept.map(describe)) {
    const key = `${problem.path} ${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}
