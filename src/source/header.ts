/**
 * Matching a file's header row to canonical fields: `--columns` entries first, then aliases
 * (docs/design.md "Headers and aliases"). A missing required column or a map entry naming an absent
 * header stops with exit 3.
 */
import { inputError } from '../errors.js';
import { ALIAS_INDEX, FIELDS_OF, FILE_KINDS, normalizeHeader } from './fields.js';
import type { FieldSpec, FileKind } from './fields.js';
import { quotedValue } from './quoted-value.js';

/** Where each canonical field sits in a file, and what the file holds besides. */
export interface ColumnLayout {
  /** The header row's line: 1, or later when blank lines come first. */
  readonly line: number;
  /** Number of columns in the header row. */
  readonly width: number;
  /** Columns up to the last one with a name: trailing commas in the header add unnamed ones. */
  readonly namedWidth: number;
  /** Column index of a canonical field, or -1 when the file has no such column. */
  indexOf(field: string): number;
  /** The header text as written in the file, for messages (the canonical name when absent). */
  headerOf(field: string): string;
  /** Header columns no field uses, described for the UNKNOWN_COLUMNS notice (each already quoted). */
  readonly unused: readonly string[];
  /** Every header text, quoted and listed for a message ("headers found: …"). */
  readonly headersFound: string;
}

// A header of 10,000 columns (or a headerless file of long rows) must not make a message of
// megabytes: the first ones name the problem well enough.
const MAX_HEADERS_LISTED = 40;

/** `descriptions` joined with commas, at most MAX_HEADERS_LISTED of them, then how many more. */
export function listedHeaders(descriptions: readonly string[]): string {
  if (descriptions.length === 0) return '(none)';
  const shown = descriptions.slice(0, MAX_HEADERS_LISTED).join(', ');
  return descriptions.length > MAX_HEADERS_LISTED ? `${shown} and ${descriptions.length - MAX_HEADERS_LISTED} more` : shown;
}

// A file without a header row gives its first data row as the header: quotedValue keeps a seed
// or push token in it out of the message.
function quoteList(texts: readonly string[]): string {
  return listedHeaders([...texts.slice(0, MAX_HEADERS_LISTED).map(quotedValue), ...texts.slice(MAX_HEADERS_LISTED)]);
}

function joinList(texts: readonly string[], conjunction: 'or' | 'and'): string {
  if (texts.length <= 1) return texts.join('');
  return `${texts.slice(0, -1).join(', ')} ${conjunction} ${texts[texts.length - 1] ?? ''}`;
}

/**
 * The `--columns` entries that apply to `kind`, canonical field → header text. A key is a field
 * name (`phone`), which applies to every file that has the field, or a file-qualified one
 * (`devices.username`), which applies to that file only and wins over the plain key.
 */
export function columnMapFor(kind: FileKind, columns: Readonly<Record<string, string>>): Map<FieldSpec, string> {
  const plain = new Map<FieldSpec, string>();
  const qualified = new Map<FieldSpec, string>();
  for (const [key, header] of Object.entries(columns)) {
    const dot = key.indexOf('.');
    const scope = dot === -1 ? null : key.slice(0, dot).trim().toLowerCase();
    if (scope !== null && !FILE_KINDS.some((fileKind) => fileKind === scope)) continue;
    if (scope !== null && scope !== kind) continue;
    const spec = fieldNamed(kind, dot === -1 ? key : key.slice(dot + 1));
    if (spec === undefined) continue;
    (scope === null ? plain : qualified).set(spec, header);
  }
  for (const [spec, header] of qualified) plain.set(spec, header);
  return plain;
}

/** The field of `kind` whose canonical name is `name` (normalised like a header). */
export function fieldNamed(kind: FileKind, name: string): FieldSpec | undefined {
  const wanted = normalizeHeader(name);
  return FIELDS_OF[kind].find((spec) => normalizeHeader(spec.name) === wanted);
}

/** Matches `headers` (trimmed header texts, on `line`) of `file`; throws MigrateError exit 3 as described above. */
export function matchHeader(file: string, kind: FileKind, headers: readonly string[], columns: Readonly<Record<string, string>>, line = 1): ColumnLayout {
  const normalized = headers.map(normalizeHeader);
  const columnOf = new Map<string, number>();
  const claimed = new Set<number>();

  for (const [spec, headerText] of columnMapFor(kind, columns)) {
    const wanted = normalizeHeader(headerText);
    const index = normalized.indexOf(wanted);
    if (index === -1 || wanted === '') {
      throw inputError(
        'CSV_MAPPED_COLUMN_MISSING',
        `${file}: --columns maps ${spec.name} to ${quotedValue(headerText)}, but the file has no such column (headers found: ${quoteList(headers)}).`,
        `Correct the header text of "${spec.name}" in the --columns map, or, if the entry is meant for another export, qualify its key with that file ("users.${spec.name}", "devices.${spec.name}" or "tokens.${spec.name}").`,
        { file, line },
      );
    }
    columnOf.set(spec.name, index);
    claimed.add(index);
  }

  const unused: string[] = [];
  const aliases = ALIAS_INDEX[kind];
  for (let index = 0; index < headers.length; index++) {
    if (claimed.has(index)) continue;
    const key = normalized[index] ?? '';
    const header = headers[index] ?? '';
    // Unnamed columns come from trailing commas in the header; they hold nothing to report.
    if (key === '') continue;
    const spec = aliases.get(key);
    if (spec === undefined) {
      unused.push(quotedValue(header));
    } else if (columnOf.has(spec.name)) {
      unused.push(`${quotedValue(header)} (${spec.name} is read from ${quotedValue(headers[columnOf.get(spec.name) ?? 0] ?? '')})`);
    } else {
      columnOf.set(spec.name, index);
    }
  }

  const missing = FIELDS_OF[kind].filter((spec) => spec.required && !columnOf.has(spec.name));
  if (missing.length > 0) {
    const names = missing.map((spec) => spec.aliases[0] ?? spec.name);
    const accepted = missing.map((spec) => `${spec.aliases[0] ?? spec.name}: ${joinList(spec.aliases.map((alias) => `"${alias}"`), 'or')}`).join('; ');
    const example = missing.map((spec) => `"${spec.name}": "<your header>"`).join(', ');
    throw inputError(
      'CSV_MISSING_COLUMN',
      `${file}: the ${joinList(names, 'and')} column${names.length > 1 ? 's are' : ' is'} missing (headers found: ${quoteList(headers)}).`,
      `Name the column as one of the accepted headers (${accepted}), or map it with --columns map.json ({${example}}).`,
      { file, line },
    );
  }

  let namedWidth = headers.length;
  while (namedWidth > 0 && headers[namedWidth - 1] === '') namedWidth--;
  return {
    line,
    width: headers.length,
    namedWidth,
    unused,
    headersFound: quoteList(headers),
    indexOf: (fieldName) => columnOf.get(fieldName) ?? -1,
    headerOf: (fieldName) => {
      const index = columnOf.get(fieldName);
      return index === undefined ? fieldName : (headers[index] ?? fieldName);
    },
  };
}
