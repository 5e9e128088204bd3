/**
 * Typed descriptions of JSON documents: each builder gives a JSON Schema (draft 2020-12) and,
 * for the compiler, the TypeScript type of the values it describes (`Infer<typeof shape>`). The
 * `--json` documents and the emulator's tenant seed are described once here-style; their types
 * are inferred from the description and their schemas in `schemas/` are written from it, so the
 * type a builder returns and the schema a reader validates against cannot drift apart
 * (docs/decisions.md, "JSON documents: one description, two outputs").
 *
 * Objects are closed (`additionalProperties: false`) and every property is required unless marked
 * `optional`: a value that is sometimes absent is `nullable`, so a reader never guesses.
 */

/** A JSON Schema object as written to `schemas/`. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** A described JSON value. `sample` is never set: it only carries the TypeScript type. */
export interface Shape<T> {
  readonly schema: JsonSchema;
  readonly sample?: T;
}

/** A property an object may leave out. */
export interface OptionalShape<T> extends Shape<T> {
  readonly optional: true;
}

export type Infer<S> = S extends Shape<infer T> ? T : never;

/** What describes a value to a person reading the schema; none of it is checked. */
export interface Annotations {
  readonly title?: string;
  readonly description?: string;
  readonly default?: unknown;
  /** Said instead of the validator's own words when the value fails this shape (e.g. a pattern's meaning). */
  readonly problem?: string;
}

/** The keyword that carries `Annotations.problem` in a schema (validators ignore unknown keywords). */
export const PROBLEM_KEYWORD = 'x-problem';

/** The schema with the annotations added; given ones win over the schema's own. Titles and descriptions come first, for people. */
function annotated(schema: JsonSchema, annotations: Annotations): JsonSchema {
  const { title, description, ...rules } = schema;
  const finalTitle = annotations.title ?? title;
  const finalDescription = annotations.description ?? description;
  return {
    ...(finalTitle === undefined ? {} : { title: finalTitle }),
    ...(finalDescription === undefined ? {} : { description: finalDescription }),
    ...rules,
    ...(annotations.default === undefined ? {} : { default: annotations.default }),
    ...(annotations.problem === undefined ? {} : { [PROBLEM_KEYWORD]: annotations.problem }),
  };
}

function shape<T>(schema: JsonSchema, annotations: Annotations = {}): Shape<T> {
  return { schema: annotated(schema, annotations) };
}

export interface StringRules extends Annotations {
  readonly minLength?: number;
  readonly maxLength?: number;
  /** An ECMAScript regular expression, as JSON Schema's `pattern` (unanchored unless it says ^…$). */
  readonly pattern?: string;
  /** A JSON Schema format checked by the validator, e.g. `date-time`. */
  readonly format?: string;
}

export function string(rules: StringRules = {}): Shape<string> {
  const { minLength, maxLength, pattern, format, ...annotations } = rules;
  return shape(
    {
      type: 'string',
      ...(minLength === undefined ? {} : { minLength }),
      ...(maxLength === undefined ? {} : { maxLength }),
      ...(pattern === undefined ? {} : { pattern }),
      ...(format === undefined ? {} : { format }),
    },
    annotations,
  );
}

export function integer(rules: Annotations & { readonly minimum?: number } = {}): Shape<number> {
  const { minimum, ...annotations } = rules;
  return shape({ type: 'integer', ...(minimum === undefined ? {} : { minimum }) }, annotations);
}

export function number(rules: Annotations & { readonly minimum?: number } = {}): Shape<number> {
  const { minimum, ...annotations } = rules;
  return shape({ type: 'number', ...(minimum === undefined ? {} : { minimum }) }, annotations);
}

export function boolean(annotations: Annotations = {}): Shape<boolean> {
  return shape({ type: 'boolean' }, annotations);
}

/** Exactly this value. */
export function constant<const T extends string | number | boolean>(value: T, annotations: Annotations = {}): Shape<T> {
  return shape({ const: value }, annotations);
}

/** One of these values (strings or numbers); list a union's members with `everyMember` (src/union-members.ts). */
export function enumOf<const T extends string | number>(values: readonly T[], annotations: Annotations = {}): Shape<T> {
  const types = [...new Set(values.map((value) => (typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : 'string')))];
  return shape({ type: types.length === 1 ? types[0] : types, enum: [...values] }, annotations);
}

/** The same shape with a description (or a title, a default, a problem) of its own where it is used. */
export function described<T>(inner: Shape<T>, annotations: Annotations): Shape<T> {
  return shape(inner.schema, annotations);
}

/** The value, or null. */
export function nullable<T>(inner: Shape<T>, annotations: Annotations = {}): Shape<T | null> {
  const { type, enum: values, const: only, ...rest } = inner.schema;
  let schema: JsonSchema;
  if (only !== undefined) schema = { ...rest, enum: [only, null] };
  else if (typeof type === 'string' || Array.isArray(type)) {
    const types: unknown[] = Array.isArray(type) ? [...(type as unknown[]), 'null'] : [type, 'null'];
    schema = { ...rest, type: types, ...(Array.isArray(values) ? { enum: [...(values as unknown[]), null] } : {}) };
  } else schema = { anyOf: [inner.schema, { type: 'null' }] };
  return shape(schema, annotations);
}

export function array<T>(items: Shape<T>, annotations: Annotations & { readonly minItems?: number } = {}): Shape<readonly T[]> {
  const { minItems, ...rest } = annotations;
  return shape({ type: 'array', items: items.schema, ...(minItems === undefined ? {} : { minItems }) }, rest);
}

/** A property the object may leave out (the TypeScript property is optional too). */
export function optional<T>(inner: Shape<T>): OptionalShape<T> {
  return { schema: inner.schema, optional: true };
}

type Properties = Readonly<Record<string, Shape<unknown>>>;
type RequiredKey<P extends Properties> = { [K in keyof P]: P[K] extends OptionalShape<unknown> ? never : K }[keyof P];
type OptionalKey<P extends Properties> = Exclude<keyof P, RequiredKey<P>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type ObjectOf<P extends Properties> = Simplify<
  { readonly [K in RequiredKey<P>]: Infer<P[K]> } & { readonly [K in OptionalKey<P>]?: Infer<P[K]> }
>;

function objectSchema(properties: Properties, additionalProperties: boolean): JsonSchema {
  const required = Object.keys(properties).filter((key) => !('optional' in (properties[key] ?? {})));
  return {
    type: 'object',
    properties: Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, value.schema])),
    ...(required.length === 0 ? {} : { required }),
    additionalProperties,
  };
}

/** An object with exactly these properties (closed: any other property is an error). */
export function object<const P extends Properties>(properties: P, annotations: Annotations = {}): Shape<ObjectOf<P>> {
  return shape(objectSchema(properties, false), annotations);
}

/** An object with these properties and any others, kept as they are. */
export function openObject<const P extends Properties>(properties: P, annotations: Annotations = {}): Shape<Simplify<ObjectOf<P> & { readonly [key: string]: unknown }>> {
  return shape(objectSchema(properties, true), annotations);
}

/**
 * An object used as a map: keys from `keys` (any string when null), each present at most once,
 * values of one shape — e.g. counts by status, where a status nobody has is left out.
 */
export function mapOf<K extends string, V>(keys: readonly K[] | null, values: Shape<V>, annotations: Annotations = {}): Shape<Readonly<Partial<Record<K, V>>>> {
  return shape({ type: 'object', ...(keys === null ? {} : { propertyNames: { enum: [...keys] } }), additionalProperties: values.schema }, annotations);
}

/** An object with every key of `keys`, each a value of one shape — e.g. a count for every status. */
export function recordOf<K extends string, V>(keys: readonly K[], values: Shape<V>, annotations: Annotations = {}): Shape<Readonly<Record<K, V>>> {
  return shape({ type: 'object', properties: Object.fromEntries(keys.map((key) => [key, values.schema])), required: [...keys], additionalProperties: false }, annotations);
}

/** Exactly one of these shapes (their objects must tell each other apart, e.g. by a `kind`). */
export function union<const S extends readonly Shape<unknown>[]>(shapes: S, annotations: Annotations = {}): Shape<Infer<S[number]>> {
  return shape({ oneOf: shapes.map((member) => member.schema) }, annotations);
}

/** JSON Schema's dialect for every schema we write. */
export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** Where our schemas say they live: a name, not a place to fetch from. */
export const SCHEMA_ID_BASE = 'https://mfa-migrate.local/schemas/';

/** A whole document's schema as written to `schemas/<name>.schema.json`. */
export function documentSchema(name: string, described: Shape<unknown>, annotations: { readonly title: string; readonly description: string }): JsonSchema {
  return {
    $schema: JSON_SCHEMA_DIALECT,
    $id: `${SCHEMA_ID_BASE}${name}.schema.json`,
    title: annotations.title,
    description: annotations.description,
    ...described.schema,
  };
}
