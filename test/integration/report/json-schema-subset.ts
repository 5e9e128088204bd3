/**
 * A small JSON Schema (draft 2020-12) validator for the keywords schemas/reconciliation.schema.json
 * uses. The project has no validator dependency (ajv in node_modules is eslint's draft-07 copy), and
 * the schema is small. A keyword this subset does not implement is an error, so the schema cannot
 * silently rely on a check that never runs.
 */

type Schema = boolean | { readonly [keyword: string]: unknown };

/** Keywords that only describe. */
const ANNOTATIONS = new Set(['$schema', '$id', '$defs', 'title', 'description', 'format']);
const CHECKED = new Set([
  '$ref', 'type', 'enum', 'const', 'properties', 'required', 'additionalProperties', 'propertyNames', 'items', 'minimum', 'minLength', 'pattern', 'anyOf',
]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isObject(value);
    default:
      throw new Error(`unknown type ${type}`);
  }
}

/** Every violation as `path: problem`; empty when the value is valid. */
export function validateAgainstSchema(root: Schema, value: unknown): string[] {
  const resolve = (ref: string): Schema => {
    const match = /^#\/\$defs\/([^/]+)$/.exec(ref);
    const defs = isObject(root) ? root['$defs'] : undefined;
    const target = match?.[1] === undefined || !isObject(defs) ? undefined : defs[match[1]];
    if (typeof target !== 'boolean' && !isObject(target)) throw new Error(`cannot resolve ${ref}`);
    return target;
  };
  const check = (schema: Schema, at: unknown, path: string, errors: string[]): void => {
    if (schema === true) return;
    if (schema === false) {
      errors.push(`${path}: no value is allowed here`);
      return;
    }
    for (const keyword of Object.keys(schema)) {
      if (!ANNOTATIONS.has(keyword) && !CHECKED.has(keyword)) throw new Error(`${path}: keyword ${keyword} is not implemented by this validator`);
    }
    const ref = schema['$ref'];
    if (typeof ref === 'string') check(resolve(ref), at, path, errors);
    const type = schema['type'];
    if (type !== undefined) {
      const types = (Array.isArray(type) ? type : [type]).map((name: unknown) => {
        if (typeof name !== 'string') throw new Error(`${path}: type must be a string or strings`);
        return name;
      });
      if (!types.some((name) => typeMatches(name, at))) {
        errors.push(`${path}: ${JSON.stringify(at)} is not ${types.join(' or ')}`);
        return;
      }
    }
    const allowed = schema['enum'];
    if (Array.isArray(allowed) && !allowed.includes(at)) errors.push(`${path}: ${JSON.stringify(at)} is not one of ${JSON.stringify(allowed)}`);
    if ('const' in schema && schema['const'] !== at) errors.push(`${path}: ${JSON.stringify(at)} is not ${JSON.stringify(schema['const'])}`);
    const anyOf = schema['anyOf'];
    if (Array.isArray(anyOf)) {
      const passes = anyOf.some((option) => {
        const optionErrors: string[] = [];
        check(option as Schema, at, path, optionErrors);
        return optionErrors.length === 0;
      });
      if (!passes) errors.push(`${path}: matches none of anyOf`);
    }
    if (typeof at === 'number' && typeof schema['minimum'] === 'number' && at < schema['minimum']) errors.push(`${path}: ${at} < ${schema['minimum']}`);
    if (typeof at === 'string') {
      if (typeof schema['minLength'] === 'number' && at.length < schema['minLength']) errors.push(`${path}: shorter than ${schema['minLength']}`);
      if (typeof schema['pattern'] === 'string' && !new RegExp(schema['pattern'], 'u').test(at)) errors.push(`${path}: ${JSON.stringify(at)} does not match ${schema['pattern']}`);
    }
    if (Array.isArray(at) && schema['items'] !== undefined) {
      const items = schema['items'] as Schema;
      at.forEach((item, index) => { check(items, item, `${path}[${index}]`, errors); });
    }
    if (isObject(at)) {
      const required = schema['required'];
      if (Array.isArray(required)) for (const name of required.map(String)) if (!(name in at)) errors.push(`${path}: ${name} is required`);
      const properties = isObject(schema['properties']) ? schema['properties'] : {};
      const additional = schema['additionalProperties'] as Schema | undefined;
      const names = schema['propertyNames'] as Schema | undefined;
      for (const [name, property] of Object.entries(at)) {
        if (names !== undefined) check(names, name, `${path}.${name} (name)`, errors);
        const own = properties[name];
        if (own !== undefined) check(own as Schema, property, `${path}.${name}`, errors);
        else if (additional !== undefined) check(additional, property, `${path}.${name}`, errors);
      }
    }
  };
  const errors: string[] = [];
  check(root, value, '$', errors);
  return errors;
}
