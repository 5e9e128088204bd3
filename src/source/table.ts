/**
 * The generic export reader the three file readers share: open, decode, parse, match the header,
 * then hand over rows one at a time with file-level findings (docs/design.md "Bad rows"). Never
 * holds more than one decoded chunk of rows.
 */
import { inputError } from '../errors.js';
import { finding } from '../findings.js';
import type { Finding } from '../findings.js';
import { csvRecords } from './csv-records.js';
import type { CsvDelimiter, CsvRecord } from './csv-records.js';
import { delimiterName, isPowerShellTypeLine, sniffDelimiter } from './dialect.js';
import { ENCODING_DISPLAY_NAME, openDecodedText } from './decode.js';
import type { TextEncodingName } from './decode.js';
import { listedHeaders, matchHeader } from './header.js';
import type { ColumnLayout } from './header.js';
import type { FileKind } from './fields.js';
import type { ReadOptions } from './records.js';
import type { ValueSite } from './values.js';

/** Knobs tests need and the command line does not offer. */
export interface TableSeams {
  /** Bytes per file read; tiny values make chunks split multi-byte characters. */
  readonly chunkBytes?: number;
}

const NO_FINDINGS: readonly Finding[] = Object.freeze([]);
const REPLACEMENT_CHARACTER = '\uFFFD';
const NUL = '\u0000';

/** One data row: its cells by column, and the findings its values raise. */
export class TableRow implements ValueSite {
  readonly file: string;
  readonly line: number;
  readonly #fields: readonly string[];
  #findings: Finding[] | undefined;

  constructor(file: string, line: number, fields: readonly string[]) {
    this.file = file;
    this.line = line;
    this.#fields = fields;
  }

  /** How many fields the row has; the header's width when it lines up. */
  get fieldCount(): number {
    return this.#fields.length;
  }

  /** True when every field from `index` on is empty (or the row ends before it). */
  emptyFrom(index: number): boolean {
    for (let i = index; i < this.#fields.length; i++) if (this.#fields[i] !== '') return false;
    return true;
  }

  /** The trimmed cell at `index`; '' when the column is absent (-1) or the row is short. */
  cell(index: number): string {
    return index < 0 ? '' : (this.#fields[index] ?? '');
  }

  /** The trimmed cell, or null when empty (records never carry ''). */
  text(index: number): string | null {
    const value = this.cell(index);
    return value === '' ? null : value;
  }

  note(rowFinding: Finding): void {
    (this.#findings ??= []).push(rowFinding);
  }

  get findings(): readonly Finding[] {
    return this.#findings ?? NO_FINDINGS;
  }
}

/**
 * A ROW_INVALID finding for a row of a file that holds secrets (tokens, and devices exported with
 * their OATH secret or push token) whose fields do not line up with the header: an unquoted comma
 * in a name, a field left out. Read by position, its secret would land in another column — kept
 * as a serial number or device name, quoted by a message, stored in the journal — and another
 * column's text would be taken for the secret. Empty fields after the last named column are only
 * commas, so they do not count; text there (under the header's trailing commas or past the
 * header's end) does. Null when the row lines up.
 */
export function unalignedSecretRow(row: TableRow, layout: ColumnLayout, secret: string): Finding | null {
  if (row.fieldCount >= layout.namedWidth && row.emptyFrom(layout.namedWidth)) return null;
  return finding(
    'ROW_INVALID',
    row.file,
    row.line,
    `${row.file} line ${row.line}: the row has ${row.fieldCount} fields but the header has ${layout.namedWidth}, so its ${secret} cannot be told from its other fields — quote fields that contain commas and give every field, then run again; the row was not used.`,
  );
}

export type TableItem = { readonly kind: 'header'; readonly layout: ColumnLayout } | { readonly kind: 'row'; readonly row: TableRow } | { readonly kind: 'finding'; readonly finding: Finding };

function isBlank(fields: readonly string[]): boolean {
  for (const field of fields) if (field !== '') return false;
  return true;
}

function hasCharacter(fields: readonly string[], character: string): boolean {
  for (const field of fields) if (field.includes(character)) return true;
  return false;
}

function checkHeaderEncoding(file: string, header: CsvRecord, encoding: TextEncodingName): void {
  const name = ENCODING_DISPLAY_NAME[encoding];
  if (hasCharacter(header.fields, NUL)) {
    // UTF-16 text read as UTF-8 or Windows-1252 shows a NUL beside every ASCII letter.
    const remedy =
      encoding === 'utf16le' || encoding === 'utf16be'
        ? 'Save the export as UTF-8 (or UTF-16 with a byte-order mark) and run again.'
        : 'Re-run with --encoding utf16le, or save the export as UTF-8.';
    throw inputError('CSV_ENCODING', `${file}: the header holds NUL characters, so the file is not ${name} — it looks like UTF-16 without a byte-order mark.`, remedy, {
      file,
      line: header.line,
    });
  }
  if (hasCharacter(header.fields, REPLACEMENT_CHARACTER)) {
    throw inputError('CSV_ENCODING', `${file}: the header holds bytes that are not valid ${name}, so no column can be matched.`, 'Re-run with --encoding windows1252 (or utf16le), or save the export as UTF-8.', {
      file,
      line: header.line,
    });
  }
}

/** What was read differently from a plain UTF-8, comma-separated file, said once at the header. */
function formatFinding(file: string, line: number, facts: readonly string[]): Finding {
  return finding(
    'FILE_FORMAT_DETECTED',
    file,
    line,
    `${file} line ${line}: ${facts.join('; ')} — if names or numbers look wrong in the report, re-run with --encoding and --delimiter set to how the file was saved.`,
  );
}

/** How much text is held back to find the header line; a longer line is no header (the tokenizer then stops at it). */
const MAX_HEAD_CHARACTERS = 1024 * 1024;
const LINE_BREAK = /\r\n|\n|\r/g;

/**
 * The decoded text with its head held back until the header line is whole, so the separator can
 * be sniffed from it; then every chunk, head first, as it came. Each character of the head is
 * searched once, however small the chunks.
 */
async function headed(chunks: AsyncIterable<string>): Promise<{ readonly head: string; readonly text: AsyncGenerator<string, void, undefined> }> {
  const iterator = chunks[Symbol.asyncIterator]();
  const parts: string[] = [];
  let head = '';
  let lineStart = 0;
  let done = false;
  let found = false;
  while (!found && head.length < MAX_HEAD_CHARACTERS) {
    const next = await iterator.next();
    if (next.done === true) {
      done = true;
      break;
    }
    // A CR that ended the previous chunk may pair with this chunk's LF: search from it again.
    const from = Math.max(lineStart, head.length - 1);
    parts.push(next.value);
    head += next.value;
    LINE_BREAK.lastIndex = from;
    for (let match = LINE_BREAK.exec(head); match !== null; match = LINE_BREAK.exec(head)) {
      const line = head.slice(lineStart, match.index).trim();
      lineStart = match.index + match[0].length;
      if (line !== '' && !isPowerShellTypeLine(line)) {
        found = true;
        break;
      }
    }
  }
  async function* text(): AsyncGenerator<string, void, undefined> {
    try {
      yield* parts;
      if (done) return;
      for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) yield next.value;
    } finally {
      await iterator.return?.();
    }
  }
  return { head: found ? head.slice(0, lineStart) : head, text: text() };
}

function unknownColumnsFinding(file: string, layout: ColumnLayout): Finding {
  const unused = layout.unused;
  const many = unused.length > 1;
  return finding(
    'UNKNOWN_COLUMNS',
    file,
    layout.line,
    `${file} line ${layout.line}: the column${many ? 's' : ''} ${listedHeaders(unused)} ${many ? 'are' : 'is'} not used by mfa-migrate and ${many ? 'were' : 'was'} ignored — map a column with --columns map.json if it holds a field to migrate.`,
  );
}

/**
 * Reads `file` as a `kind` export, in batches (one per decoded chunk). Items come in file order:
 * the header layout first, then rows and findings. Throws MigrateError (exit 3) for a missing,
 * unreadable or empty file, a header that cannot be decoded, a missing required column or a
 * `--columns` entry naming no header.
 */
export async function* readTable(file: string, kind: FileKind, options: ReadOptions, seams: TableSeams = {}): AsyncGenerator<readonly TableItem[], void, undefined> {
  const decoded = await openDecodedText(file, { encoding: options.encoding, ...(seams.chunkBytes === undefined ? {} : { chunkBytes: seams.chunkBytes }) });
  // U+FFFD can only come from a bad byte once the decoder has produced one; until then rows are
  // not searched for it. (A file that holds U+FFFD as text is reported too: that is accepted.)
  // NUL likewise: no text export holds one, but a damaged file does (a block of zeros where a
  // copy or a crash lost data), and a NUL in a username or number would reach Graph and the
  // reports; the header's NULs are the encoding check's (UTF-16 without a BOM).
  const decoding = { replacementSeen: false, nulSeen: false };
  async function* watchedText(): AsyncGenerator<string, void, undefined> {
    for await (const chunk of decoded.chunks) {
      if (!decoding.replacementSeen && chunk.includes(REPLACEMENT_CHARACTER)) decoding.replacementSeen = true;
      if (!decoding.nulSeen && chunk.includes(NUL)) decoding.nulSeen = true;
      yield chunk;
    }
  }
  const encodingName = ENCODING_DISPLAY_NAME[decoded.encoding];
  const { head, text } = await headed(watchedText());
  const delimiter: CsvDelimiter = options.delimiter === undefined || options.delimiter === 'auto' ? sniffDelimiter(head) : options.delimiter;
  const facts: string[] = [];
  if (decoded.guessed) facts.push('it has no byte-order mark and is not valid UTF-8, so it was read as Windows-1252 (what Excel saves as "CSV")');
  if (delimiter !== ',' && (options.delimiter === undefined || options.delimiter === 'auto')) facts.push(`its fields are separated by ${delimiterName(delimiter)}, read as such`);
  // Set while classifying records, read after the loop.
  const progress: { layout: ColumnLayout | null; rowsSeen: boolean } = { layout: null, rowsSeen: false };

  const classify = (record: CsvRecord, items: TableItem[]): void => {
    if (isBlank(record.fields)) return;
    const layout = progress.layout;
    if (layout === null) {
      if (record.fields.length === 1 && isPowerShellTypeLine(record.fields[0] ?? '')) {
        facts.push(`line ${String(record.line)} is PowerShell's "#TYPE …" line (Export-Csv without -NoTypeInformation), skipped`);
        return;
      }
      checkHeaderEncoding(file, record, decoded.encoding);
      progress.layout = matchHeader(file, kind, record.fields, options.columns, record.line);
      items.push({ kind: 'header', layout: progress.layout });
      if (facts.length > 0) items.push({ kind: 'finding', finding: formatFinding(file, record.line, facts) });
      return;
    }
    if (!progress.rowsSeen) {
      progress.rowsSeen = true;
      // Reported with the first row, so a header-only file says FILE_EMPTY and nothing else.
      if (layout.unused.length > 0) items.push({ kind: 'finding', finding: unknownColumnsFinding(file, layout) });
    }
    if (decoding.replacementSeen && hasCharacter(record.fields, REPLACEMENT_CHARACTER)) {
      const message = `${file} line ${record.line}: the row holds bytes that are not valid ${encodingName} — re-run with --encoding windows1252 (or utf16le), or save the export as UTF-8; the row was not used.`;
      items.push({ kind: 'finding', finding: finding('BYTES_UNDECODABLE', file, record.line, message) });
      return;
    }
    if (decoding.nulSeen && hasCharacter(record.fields, NUL)) {
      const message = `${file} line ${record.line}: the row holds NUL bytes, which no text export contains, so the file is probably damaged — export it again from MFA Server; the row was not used.`;
      items.push({ kind: 'finding', finding: finding('BYTES_UNDECODABLE', file, record.line, message) });
      return;
    }
    const row = new TableRow(file, record.line, record.fields);
    if (record.fields.length !== layout.width) {
      const message = `${file} line ${record.line}: the row has ${record.fields.length} fields but the header has ${layout.width} — the fields were read by position; quote fields that contain commas in the export.`;
      row.note(finding('COLUMN_COUNT', file, record.line, message));
    }
    items.push({ kind: 'row', row });
  };

  try {
    for await (const batch of csvRecords(file, text, delimiter)) {
      const items: TableItem[] = [];
      for (const record of batch) classify(record, items);
      if (items.length > 0) yield items;
    }
  } finally {
    // Closes the file when the consumer stops early; a no-op after a full read.
    await text.return();
    await decoded.chunks.return();
  }
  const layout = progress.layout;
  if (layout === null) {
    throw inputError('CSV_EMPTY', `${file}: the file is empty — it has no header row.`, 'Export the file again from MFA Server and check that the export finished.', { file });
  }
  if (!progress.rowsSeen) {
    const message = `${file} line ${layout.line}: the file has a header but no rows — nothing was read from it; check that the export finished.`;
    yield [{ kind: 'finding', finding: finding('FILE_EMPTY', file, layout.line, message) }];
  }
}
