/**
 * The typed descriptions give the JSON Schema they promise, and the validator names each fault by
 * its JSONPath in our words.
 */
import { describe, expect, it } from 'vitest';
import { array, constant, enumOf, integer, mapOf, nullable, object, optional, recordOf, string, union, type Infer } from '../../../src/json-schema/shape.js';
import { compileSchema, jsonPath } from '../../../src/json-schema/validator.js';

const COLOURS = ['red', 'green'] as const;
const thing = object({
  name: string({ minLength: 1 }),
  colour: enumOf(COLOURS),
  size: nullable(integer({ minimum: 0 })),
  note: optional(string()),
  tags: array(string({ pattern: '^x', problem: 'must start with x' })),
  counts: mapOf(COLOURS, integer()),
  every: recordOf(COLOURS, integer()),
  shape: union([object({ kind: constant('a'), a: integer() }), object({ kind: constant('b'), b: string() })]),
  tint: nullable(enumOf(COLOURS)),
});
const sample: Infer<typeof thing> = { name: 'x', colour: 'red', size: null, tags: ['x1'], counts: { red: 1 }, every: { red: 1, green: 0 }, shape: { kind: 'b', b: 'y' }, tint: null };
const check = compileSchema(thing.schema);

describe('typed descriptions', () => {
  it('close objects and require every property not marked optional', () => {
    expect(thing.schema).toMatchObject({ type: 'object', additionalProperties: false, required: ['name', 'colour', 'size', 'tags', 'counts', 'every', 'shape', 'tint'] });
  });

  it('write nullable values as a type list, enumerations with null included', () => {
    const properties = thing.schema['properties'] as Record<string, unknown>;
    expect(properties['size']).toEqual({ type: ['integer', 'null'], minimum: 0 });
    expect(properties['tint']).toEqual({ type: ['string', 'null'], enum: ['red', 'green', null] });
  });

  it('accept a value of the inferred type, with or without its optional properties', () => {
    expect(check(sample)).toEqual([]);
    expect(check({ ...sample, note: 'n' })).toEqual([]);
  });
});

describe('validator messages', () => {
  it('name the JSONPath of each fault and say what is expected', () => {
    const faults = check({ name: '', colour: 'blue', size: -1, extra: 1, tags: ['y'], counts: { blue: 1, red: 'x' }, every: { red: 1 }, shape: { kind: 'c' }, tint: 'x' });
    expect(faults.map((fault) => `${fault.path} ${fault.message}`)).toEqual([
      '$.extra is not a property this object can have (a typo?)',
      '$.name must not be empty',
      '$.colour must be "red" or "green"',
      '$.size must be at least 0',
      '$.tags[0] must start with x',
      '$.counts has a key "blue" that is not allowed here',
      '$.counts.red must be a whole number',
      '$.every.green is required but missing',
      '$.shape matches none of the shapes allowed here',
      '$.tint must be one of "red", "green", null',
    ]);
  });

  it('writes JSON Pointers as JSONPath', () => {
    expect(jsonPath('')).toBe('$');
    expect(jsonPath('/users/3/phoneMethods/0')).toBe('$.users[3].phoneMethods[0]');
    expect(jsonPath('/a~1b/c d', 'e')).toBe('$["a/b"]["c d"].e');
  });
});
