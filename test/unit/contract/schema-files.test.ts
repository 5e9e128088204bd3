/**
 * schemas/*.schema.json are written from the typed descriptions in src/ (emulator/seed-schema.ts,
 * cli/render/json-documents.ts): each committed file must equal what its description gives, so a
 * change to a document or to the seed format is a visible diff. `npm run generate` rewrites them.
 */
import { describe, expect, it } from 'vitest';
import { JSON_DOCUMENT_SCHEMAS } from '../../../src/cli/render/json-documents.js';
import { TENANT_SEED_SCHEMA } from '../../../src/emulator/seed-schema.js';
import type { JsonSchema } from '../../../src/json-schema/shape.js';
import { compileSchema } from '../../../src/json-schema/validator.js';

const GENERATED: readonly (readonly [string, JsonSchema])[] = [['emulator-tenant', TENANT_SEED_SCHEMA], ...Object.entries(JSON_DOCUMENT_SCHEMAS)];

describe('schemas/ written from the descriptions', () => {
  it.each(GENERATED)('schemas/%s.schema.json is its description, as committed', async (name, schema) => {
    await expect(`${JSON.stringify(schema, null, 2)}\n`).toMatchFileSnapshot(`../../../schemas/${name}.schema.json`);
  });

  it.each(GENERATED)('schemas/%s.schema.json compiles under draft 2020-12 in strict mode', (_name, schema) => {
    expect(() => compileSchema(schema)).not.toThrow();
  });
});
