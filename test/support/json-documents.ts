/**
 * Every `--json` output the CLI tests read goes through `jsonDocument`: the text must be one JSON
 * document that follows its committed schema (schemas/<name>.schema.json, the public contract),
 * and the test then reads it with the document's own type.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type {
  ApplyDocument,
  DemoDocument,
  ErrorDocument,
  JsonDocumentName,
  PlanDocument,
  ReportDocument,
  RollbackDocument,
  StatusDocument,
  SyncDocument,
  ValidateDocument,
  VerifyDocument,
} from '../../src/cli/render/json-documents.js';
import { compileSchema, type SchemaCheck } from '../../src/json-schema/validator.js';
import { projectRoot } from './run-cli.js';

interface Documents {
  readonly validate: ValidateDocument;
  readonly plan: PlanDocument;
  readonly apply: ApplyDocument;
  readonly sync: SyncDocument;
  readonly status: StatusDocument;
  readonly verify: VerifyDocument;
  readonly report: ReportDocument;
  readonly rollback: RollbackDocument;
  readonly demo: DemoDocument;
  readonly error: ErrorDocument;
}

const checks = new Map<JsonDocumentName, SchemaCheck>();

function checkOf(name: JsonDocumentName): SchemaCheck {
  let check = checks.get(name);
  if (check === undefined) {
    check = compileSchema(JSON.parse(readFileSync(join(projectRoot, 'schemas', `${name}.schema.json`), 'utf8')) as Record<string, unknown>);
    checks.set(name, check);
  }
  return check;
}

/** `stdout` of a `--json` command, checked against schemas/<name>.schema.json and parsed. */
export function jsonDocument<N extends JsonDocumentName>(name: N, stdout: string): Documents[N] {
  const value: unknown = JSON.parse(stdout);
  expect(checkOf(name)(value), `--json output against schemas/${name}.schema.json`).toEqual([]);
  // Checked against the schema written from the same description as Documents[N].
  return value as Documents[N];
}
