/**
 * Generators of hostile export files whose right reading is known: each data row is built as
 * good or bad in a known way, and its line is counted as it is laid out, so a property can say
 * exactly which records and findings the reader must give, at which lines.
 *
 * What makes a file hostile: any mix of CR, LF and CRLF; blank and whitespace lines; quoted fields
 * with commas, doubled quotes and line breaks; stray quotes inside fields; 100 kB fields; 10,000
 * columns; U+FEFF (a byte-order mark) inside the file; NULs; bytes invalid in the file's encoding
 * (bad UTF-8, lone UTF-16 surrogates, a UTF-16 file of odd length); UTF-8, UTF-16LE and UTF-16BE.
 */
import fc from 'fast-check';

export type ExportKind = 'users' | 'devices' | 'tokens';
export type FileEncoding = 'utf8' | 'utf8-bom' | 'utf16le' | 'utf16be';

/** A row as a property expects it back: a record (its id, line and findings) or a finding. */
export type ExpectedItem =
  | { readonly kind: 'record'; readonly line: number; readonly id: string; readonly findings: readonly (readonly [string, number])[] }
  | { readonly kind: 'finding'; readonly code: string; readonly line: number };

/** Text, or bytes that are invalid in the file's encoding (one variant of several), or one stray byte. */
type Piece = { readonly text: string } | { readonly invalid: number } | { readonly oddByte: true };

/**
 * How a data row is bad. `good` rows must come back as records without findings; `value` rows
 * with an unreadable value (VALUE_UNKNOWN, DATE_INVALID); `columns` rows with too few or too many
 * fields; `trailingComma` rows with one empty field too many; `bytes` and `nul` rows are not read.
 */
export type RowKind = 'good' | 'value' | 'columns' | 'trailingComma' | 'bytes' | 'nul';

interface Row {
  readonly kind: RowKind | 'blank';
  readonly id: string;
  readonly pieces: readonly Piece[];
  readonly end: string;
}

export interface HostileFile {
  /** How fast-check prints the file in a counterexample: kind, encoding, size and the start of its text. */
  readonly [fc.toStringMethod]: () => string;
  readonly kind: ExportKind;
  readonly encoding: FileEncoding;
  readonly bytes: Uint8Array;
  readonly expected: readonly ExpectedItem[];
  /** The line the unclosed quote starts on, for files built to end in one. */
  readonly unclosedQuoteLine: number | null;
}

// Bytes no UTF-8 decoder accepts. Each is surrounded by ASCII, so the decoder resynchronises on
// the next character and no line break is swallowed.
const INVALID_UTF8: readonly (readonly number[])[] = [
  [0xff],
  [0x80], // a continuation byte without a lead byte
  [0xc3], // a two-byte character cut short
  [0xe2, 0x82], // a three-byte character cut short
  [0xc0, 0xaf], // an overlong '/'
  [0xed, 0xa0, 0x80], // a UTF-16 surrogate written as UTF-8
  [0xf4, 0x90, 0x80, 0x80], // beyond U+10FFFF
  [0xff, 0xfe], // a UTF-16LE byte-order mark in the middle of a UTF-8 file
];
// Lone surrogate code units: valid UTF-16 only in pairs.
const INVALID_UTF16: readonly number[] = [0xd800, 0xdbff, 0xdc00, 0xdfff];

const BOM: Readonly<Record<FileEncoding, readonly number[]>> = {
  utf8: [],
  'utf8-bom': [0xef, 0xbb, 0xbf],
  utf16le: [0xff, 0xfe],
  utf16be: [0xfe, 0xff],
};

function utf16(text: string, bigEndian: boolean): Buffer {
  const bytes = Buffer.from(text, 'utf16le');
  if (bigEndian) bytes.swap16();
  return bytes;
}

function encodePiece(piece: Piece, encoding: FileEncoding): Uint8Array {
  const wide = encoding === 'utf16le' || encoding === 'utf16be';
  if ('text' in piece) return wide ? utf16(piece.text, encoding === 'utf16be') : Buffer.from(piece.text, 'utf8');
  if ('oddByte' in piece) return Buffer.from([0x41]);
  if (!wide) return Buffer.from(INVALID_UTF8[piece.invalid % INVALID_UTF8.length] ?? [0xff]);
  const unit = INVALID_UTF16[piece.invalid % INVALID_UTF16.length] ?? 0xd800;
  return encoding === 'utf16be' ? Buffer.from([unit >> 8, unit & 0xff]) : Buffer.from([unit & 0xff, unit >> 8]);
}

/** Counts lines as a reader must: CRLF, a lone CR and a lone LF each end one line. */
class LineCounter {
  #line = 1;
  #afterCr = false;

  get line(): number {
    return this.#line;
  }

  add(piece: Piece): void {
    if (!('text' in piece)) {
      this.#afterCr = false;
      return;
    }
    for (const character of piece.text) {
      if (character === '\n') {
        if (!this.#afterCr) this.#line++;
        this.#afterCr = false;
      } else if (character === '\r') {
        this.#line++;
        this.#afterCr = true;
      } else {
        this.#afterCr = false;
      }
    }
  }
}

// ----- Field text -----

const lineEnd = fc.constantFrom('\n', '\r\n', '\r');
// Characters of unquoted text: letters, digits, spaces, tabs, a stray quote (not first), wide and
// astral characters, no-break space, U+FEFF, ESC. Never a comma, CR or LF.
const plainCharacter = fc.constantFrom('a', 'Z', '0', '7', ' ', '\t', '.', '@', '"', 'é', 'ß', '中', '𝄞', '\u00a0', '\uFEFF', '\u001b');
const plainText = fc.array(plainCharacter, { maxLength: 10 }).map((characters) => characters.join(''));
const quotedCharacter = fc.oneof(plainCharacter.filter((character) => character !== '"'), fc.constantFrom(',', '\r', '\n', '\r\n', '""'));
const quotedContent = fc.array(quotedCharacter, { maxLength: 12 }).map((characters) => characters.join(''));
const spaces = fc.constantFrom('', ' ', '  ', '\t', ' \t ');
/** A field of 100,000 characters: a long free-text note, or a whole file pasted into a cell. */
export const HUGE_FIELD_CHARACTERS = 100_000;

/** An ignored column's text: anything a CSV writer (or a person) can put there. */
const notesText: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: plainText.map((text) => `n${text}`) },
  { weight: 4, arbitrary: fc.tuple(spaces, quotedContent, spaces).map(([before, content, after]) => `${before}"${content}"${after}`) },
  // Text after the closing quote: kept as it is (relaxed quotes).
  { weight: 1, arbitrary: fc.tuple(quotedContent, plainText).map(([content, after]) => `"${content}"x${after}`) },
  { weight: 1, arbitrary: fc.constantFrom('x'.repeat(HUGE_FIELD_CHARACTERS), `"${'y,\r\n'.repeat(HUGE_FIELD_CHARACTERS / 4)}"`) },
  { weight: 1, arbitrary: fc.constant('') },
);
/** Notes without any quote, for the rows after an unclosed quote (a quote there would close it). */
const quotelessNotes = fc.array(plainCharacter.filter((character) => character !== '"'), { maxLength: 10 }).map((characters) => `n${characters.join('')}`);

/** A row id as an export may write it: spaced, quoted, or after a byte-order mark. */
const idDecoration = fc.constantFrom<(id: string) => string>(
  (id) => id,
  (id) => `  ${id}\t`,
  (id) => `"${id}"`,
  (id) => ` "${id}"  `,
  (id) => `\uFEFF${id}`,
);

/** Notes holding a NUL or invalid bytes, unquoted or quoted. */
const badNotes = (kind: 'bytes' | 'nul'): fc.Arbitrary<readonly Piece[]> =>
  fc.tuple(plainText, plainText, fc.nat(64), fc.boolean(), fc.boolean()).map(([before, after, variant, quoted, afterQuote]): readonly Piece[] => {
    const clean = (text: string): string => text.replaceAll('"', '');
    const bad: Piece = kind === 'nul' ? { text: '\u0000' } : { invalid: variant };
    // `"abc"<NUL>def`: the tokenizer's own path for a NUL right after a closing quote.
    if (kind === 'nul' && afterQuote) return [{ text: `"${clean(before)}"` }, bad, { text: `x${clean(after)}` }];
    if (quoted) return [{ text: `"x${clean(before)}` }, bad, { text: `x${clean(after)}"` }];
    return [{ text: `n${before}x` }, bad, { text: `x${after}` }];
  });

// ----- Columns of each export -----

interface ExportShape {
  /** Header texts, as aliases an export may use (any case, spacing or quoting). */
  readonly header: fc.Arbitrary<readonly string[]>;
  /** The fields between the id and the notes, for a row that must read without findings. */
  readonly goodMiddle: fc.Arbitrary<readonly string[]>;
  /** The same fields with a value the reader cannot read, and the finding it must give; null when the export has none. */
  readonly badMiddle: fc.Arbitrary<readonly string[]> | null;
  readonly valueFinding: string | null;
}

const quotedSometimes = (texts: readonly string[]): fc.Arbitrary<string> => fc.tuple(fc.constantFrom(...texts), fc.boolean()).map(([text, quoted]) => (quoted ? `"${text}"` : text));
const usernameHeader = quotedSometimes(['Username', 'User Name', 'UPN', 'userPrincipalName', 'USERNAME', 'user_name', ' Username ']);

const SHAPES: Readonly<Record<ExportKind, ExportShape>> = {
  users: {
    header: fc.tuple(usernameHeader, quotedSometimes(['Method', 'Default Method', 'default-method'])),
    goodMiddle: fc.constantFrom('', 'Phone call', 'Text message', 'SMS', ' Mobile app ', 'OATH token', '"Phone call"').map((method) => [method]),
    badMiddle: fc.constantFrom('Fax', 'Carrier pigeon', '"Fax, urgent"', 'x'.repeat(HUGE_FIELD_CHARACTERS)).map((method) => [method]),
    valueFinding: 'VALUE_UNKNOWN',
  },
  devices: {
    header: fc.tuple(usernameHeader, quotedSometimes(['Device Name', 'Name', 'Device']), quotedSometimes(['Activated', 'Activation Date', 'Last Used'])),
    goodMiddle: fc.tuple(plainText.map((name) => `d${name.replaceAll('"', '')}`), fc.constantFrom('', '2024-05-01T10:00:00Z', '3/14/2023 9:15:02 AM', '2023-03-14')),
    badMiddle: fc.tuple(fc.constant('Pixel'), fc.constantFrom('yesterday', '2024-13-45', '31/31/2024', '2/30/2024 1:00:00 PM')),
    valueFinding: 'DATE_INVALID',
  },
  tokens: {
    header: fc.tuple(quotedSometimes(['serial number', 'Serial', 'Serial Number', 'SERIAL_NUMBER']), quotedSometimes(['secret key', 'Secret', 'Seed', 'Key'])),
    goodMiddle: fc.constantFrom('JBSWY3DPEHPK3PXP', '3132333435363738393031323334353637383930', '', 'not a seed').map((seed) => [seed]),
    badMiddle: null,
    valueFinding: null,
  },
};

// A header with 10,000 more columns than the tool reads.
const WIDE_HEADER_COLUMNS = 10_000;

interface RowDraft {
  readonly kind: RowKind | 'blank';
  readonly decorate: (id: string) => string;
  readonly middle: readonly string[];
  readonly notes: readonly Piece[];
  readonly end: string;
  /** For `columns` rows: fields left out (negative) or added. */
  readonly columnChange: number;
}

function rowDraft(shape: ExportShape, options: { readonly quoteless: boolean }): fc.Arbitrary<RowDraft> {
  const notes = (options.quoteless ? quotelessNotes : notesText).map((text): readonly Piece[] => [{ text }]);
  const kinds: RowKind[] = ['good', 'good', 'good', 'columns', 'trailingComma', 'bytes', 'nul'];
  if (shape.badMiddle !== null) kinds.push('value');
  return fc.constantFrom(...kinds, 'blank' as const).chain((kind) => {
    const middle = kind === 'value' && shape.badMiddle !== null ? shape.badMiddle : shape.goodMiddle;
    const rowNotes = kind === 'bytes' || kind === 'nul' ? badNotes(kind) : notes;
    const decorate = options.quoteless ? fc.constant((id: string) => id) : idDecoration;
    return fc.record({
      kind: fc.constant(kind),
      decorate,
      middle,
      notes: rowNotes,
      end: lineEnd,
      columnChange: fc.constantFrom(-1, 1, 2, WIDE_HEADER_COLUMNS),
    });
  });
}

const BLANK_LINES = ['', '   ', ',,', '\t', '\uFEFF', ' , '];

function laidOut(draft: RowDraft, index: number, wideColumns: number): Row {
  if (draft.kind === 'blank') return { kind: 'blank', id: '', pieces: [{ text: BLANK_LINES[index % BLANK_LINES.length] ?? '' }], end: draft.end };
  const id = `r${index}`;
  const pieces: Piece[] = [{ text: [draft.decorate(id), ...draft.middle].join(',') }];
  const widthPadding = ','.repeat(wideColumns);
  if (draft.kind === 'columns' && draft.columnChange < 0) {
    // The notes (and the wide header's columns) left out.
  } else {
    pieces.push({ text: ',' }, ...draft.notes, { text: widthPadding });
    if (draft.kind === 'columns') pieces.push({ text: ',extra'.repeat(draft.columnChange) });
    if (draft.kind === 'trailingComma') pieces.push({ text: ',' });
  }
  return { kind: draft.kind, id, pieces, end: draft.end };
}

function expectedFor(kind: ExportKind, shape: ExportShape, row: Row, line: number): ExpectedItem | null {
  switch (row.kind) {
    case 'blank':
      return null;
    case 'bytes':
    case 'nul':
      return { kind: 'finding', code: 'BYTES_UNDECODABLE', line };
    case 'columns':
      return kind === 'tokens' ? { kind: 'finding', code: 'ROW_INVALID', line } : { kind: 'record', line, id: row.id, findings: [['COLUMN_COUNT', line]] };
    case 'trailingComma':
      return { kind: 'record', line, id: row.id, findings: [['COLUMN_COUNT', line]] };
    case 'value':
      return { kind: 'record', line, id: row.id, findings: [[shape.valueFinding ?? '', line]] };
    case 'good':
      return { kind: 'record', line, id: row.id, findings: [] };
  }
}

interface FileDraft {
  readonly encoding: FileEncoding;
  readonly blankBefore: readonly string[];
  readonly header: readonly string[];
  readonly headerEnd: string;
  readonly wide: boolean;
  readonly rows: readonly RowDraft[];
  readonly lastEnd: string;
  readonly oddByte: boolean;
  readonly unclosed: { readonly rowsAfter: readonly RowDraft[]; readonly at: RowDraft } | null;
}

function build(kind: ExportKind, draft: FileDraft): HostileFile {
  const shape = SHAPES[kind];
  const wideColumns = draft.wide ? WIDE_HEADER_COLUMNS : 0;
  const pieces: Piece[] = [];
  const counter = new LineCounter();
  const add = (added: readonly Piece[]): void => {
    for (const piece of added) {
      pieces.push(piece);
      counter.add(piece);
    }
  };
  for (const blank of draft.blankBefore) add([{ text: blank }]);
  const headerLine = counter.line;
  const extraHeaders = Array.from({ length: wideColumns }, (_unused, index) => `c${index}`);
  add([{ text: [...draft.header, 'Notes', ...extraHeaders].join(',') + draft.headerEnd }]);

  const rows = draft.rows.map((row, index) => laidOut(row, index, wideColumns));
  const expected: ExpectedItem[] = [];
  let dataRows = 0;
  const expectRow = (row: Row, line: number): void => {
    const item = expectedFor(kind, shape, row, line);
    if (item === null) return;
    // The header's unknown columns (Notes) are noted once, before the first row.
    if (dataRows === 0) expected.push({ kind: 'finding', code: 'UNKNOWN_COLUMNS', line: headerLine });
    dataRows++;
    expected.push(item);
  };

  let unclosedQuoteLine: number | null = null;
  rows.forEach((row, index) => {
    const last = index === rows.length - 1 && draft.unclosed === null && !draft.oddByte;
    const line = counter.line;
    add([...row.pieces, { text: last ? draft.lastEnd : row.end }]);
    expectRow(row, line);
  });
  if (draft.unclosed !== null) {
    // A quote opened at the start of a field and never closed: every row before it is read, then
    // the reader stops at its line. The rows after it hold no quote, so nothing closes it.
    unclosedQuoteLine = counter.line;
    const quoteless = (piece: Piece): Piece => ('text' in piece ? { text: piece.text.replaceAll('"', '') } : piece);
    const at = laidOut(draft.unclosed.at, rows.length, 0);
    add([{ text: `r${rows.length},"open` }, ...at.pieces.slice(1).map(quoteless), { text: at.end }]);
    draft.unclosed.rowsAfter.forEach((row, index) => {
      add([...laidOut(row, rows.length + 1 + index, 0).pieces.map(quoteless), { text: row.end }]);
    });
  } else if (draft.oddByte) {
    // One byte more than whole UTF-16 code units: the decoder makes it U+FFFD on a line of its own.
    const line = counter.line;
    add([{ oddByte: true }]);
    expectRow({ kind: 'bytes', id: '', pieces: [], end: '' }, line);
  }
  if (dataRows === 0 && draft.unclosed === null) expected.push({ kind: 'finding', code: 'FILE_EMPTY', line: headerLine });

  const bytes = Buffer.concat([Buffer.from(BOM[draft.encoding]), ...pieces.map((piece) => encodePiece(piece, draft.encoding))]);
  const describe = (): string => {
    const text = pieces.map((piece) => ('text' in piece ? piece.text : 'invalid' in piece ? '<invalid bytes>' : '<odd byte>')).join('');
    const shown = text.length > PREVIEW_CHARACTERS ? `${text.slice(0, PREVIEW_CHARACTERS)}… (${text.length} characters)` : text;
    return `${kind} file, ${draft.encoding}, ${bytes.length} bytes: ${JSON.stringify(shown)}`;
  };
  return { [fc.toStringMethod]: describe, kind, encoding: draft.encoding, bytes, expected, unclosedQuoteLine };
}

// Long enough to see a row or two of a failing file, short enough for a 100 kB field.
const PREVIEW_CHARACTERS = 600;

const encodings = fc.constantFrom<FileEncoding>('utf8', 'utf8-bom', 'utf16le', 'utf16be');

/** A file of `kind` with known good and bad rows, and what reading it must give. */
export function hostileFile(kind: ExportKind, options: { readonly unclosedQuote: boolean } = { unclosedQuote: false }): fc.Arbitrary<HostileFile> {
  const shape = SHAPES[kind];
  return fc
    .record({
      encoding: encodings,
      blankBefore: fc.array(fc.constantFrom('\n', '\r\n', '\r', '  \n'), { maxLength: 2 }),
      header: shape.header,
      headerEnd: lineEnd,
      // One file in 20; shrinks to a narrow header.
      wide: fc.integer({ min: 0, max: 19 }).map((dice) => dice === 19),
      rows: fc.array(rowDraft(shape, { quoteless: false }), { maxLength: 25 }),
      lastEnd: fc.constantFrom('', '\n', '\r\n', '\r'),
      oddByte: fc.boolean(),
      unclosed: options.unclosedQuote
        ? fc.record({ at: rowDraft(shape, { quoteless: true }), rowsAfter: fc.array(rowDraft(shape, { quoteless: true }), { maxLength: 5 }) })
        : fc.constant(null),
    })
    .map((draft) => build(kind, { ...draft, oddByte: draft.oddByte && (draft.encoding === 'utf16le' || draft.encoding === 'utf16be') }));
}
