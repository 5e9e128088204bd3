/**
 * `--columns map.json`: canonical field → header text, for exports whose headers no alias knows
 * (docs/design.md "Headers and aliases"), e.g. `{"phone": "Mobile Number", "devices.username":
 * "Login"}`.
 */
import { readFile } from 'node:fs/promises';
import { inputError } from '../errors.js';
import { FIELDS_OF, FILE_KINDS } from './fields.js';
import { fieldNamed } from './header.js';
import type { FileKind } from './fields.js';

const REMEDY =
  'Write the map as one JSON object of field name to header text, e.g. {"phone": "Mobile Number"}; prefix a field with users., devices. or tokens. to apply it to one file.';

function knownFields(): string {
  const names = new Set<string>();
  for (const kind of FILE_KINDS) for (const spec of FIELDS_OF[kind]) names.add(spec.name);
  return [...names].join(', ');
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

/**
 * Reads and checks the `--columns` map. Keys are returned as canonical field names (a file prefix
 * kept: `devices.username`); values trimmed. Throws a MigrateError (exit 3) when the file cannot
 * be read, is not a JSON object of strings, or names a field no export has.
 */
export async function loadColumnMap(path: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') {
      throw inputError('COLUMN_MAP_NOT_FOUND', `${path}: the --columns map does not exist.`, 'Check the path given to --columns and run again.', { file: path, cause: error });
    }
    throw inputError('COLUMN_MAP_UNREADABLE', `${path}: the --columns map cannot be read (${code ?? 'read error'}).`, 'Check that the file exists and that this account may read it.', {
      file: path,
      cause: error,
    });
  }
  let parsed: unknown;
  try {
    // A UTF-8 BOM (Notepad writes one) is not JSON.
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw inputError('COLUMN_MAP_INVALID', `${path}: the --columns map is not valid JSON (${error instanceof Error ? error.message : 'parse error'}).`, REMEDY, {
      file: path,
      cause: error,
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw inputError('COLUMN_MAP_INVALID', `${path}: the --columns map must be a JSON object of field name to header text.`, REMEDY, { file: path });
  }
  const map: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== 'string' || value.trim() === '') {
      throw inputError('COLUMN_MAP_INVALID', `${path}: the --columns entry "${key}" must be the header text of a column (a non-empty string).`, REMEDY, { file: path });
    }
    map[canonicalKey(path, key)] = value.trim();
  }
  return map;
}

function canonicalKey(path: string, key: string): string {
  const dot = key.indexOf('.');
  const scope = dot === -1 ? null : key.slice(0, dot).trim().toLowerCase();
  const kinds: readonly FileKind[] = scope === null ? FILE_KINDS : FILE_KINDS.filter((kind) => kind === scope);
  const name = dot === -1 ? key : key.slice(dot + 1);
  for (const kind of kinds) {
    const spec = fieldNamed(kind, name);
    if (spec !== undefined) return scope === null ? spec.name : `${kind}.${spec.name}`;
  }
  const where = scope === null ? 'any export' : kinds.length === 0 ? `any export ("${scope}" is not users, devices or tokens)` : `the ${scope} export`;
  throw inputError('COLUMN_MAP_INVALID', `${path}: the --columns entry "${key}" names no field of ${where}.`, `Use one of the field names: ${knownFields()}. ${REMEDY}`, {
    file: path,
  });
}
