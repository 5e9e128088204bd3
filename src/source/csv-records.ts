/**
 * Generic CSV records over decoded text, each with the line it starts on. Knows nothing about
 * users, devices or tokens.
 */
import { inputError } from '../errors.js';
import type { MigrateError } from '../errors.js';

/**
 * A row longer than this is a quote that never closes, not data; the cap bounds memory. Counted
 * in UTF-16 code units of the row's text (one per byte for ASCII exports).
 */
export const MAX_RECORD_BYTES = 1024 * 1024;

export interface CsvRecord {
  /** 1-based line of the record's first physical line (blank lines count as lines). */
  readonly line: number;
  /** Field values, trimmed of surrounding white space. */
  readonly fields: readonly string[];
}

const TAB = 9;
const LF = 10;
const FF = 12;
const CR = 13;
const SPACE = 32;
const QUOTE = 34;
const COMMA = 44;
const SEMICOLON = 59;
const NUL = 0;
const NBSP = 0xa0;
const LATIN1_MAX = 0xff;

// Fields read as csv-parse 6 read them (relax_quotes, ltrim, no rtrim, CRLF/LF/CR rows): it was
// replaced for speed only, and a property test holds this reader to it. A quoted field followed
// by anything but a comma or a line end keeps both quotes and that text (`"abc"def` stays as it
// is), so `"Quinn, Jr."  ` (spaces after the closing quote) would keep its quotes: they are
// removed here. A field can only begin with a quote through this path, except a quoted field
// whose own text starts with `"` and ends with `"` + spaces.
const QUOTED_THEN_SPACES = /^"([\s\S]*)"[ \t]+$/;

function cleanField(raw: string): string {
  if (raw.charCodeAt(0) === QUOTE) {
    const quoted = QUOTED_THEN_SPACES.exec(raw);
    if (quoted?.[1] !== undefined) return quoted[1].trim();
  }
  return raw.trim();
}

// V8 makes a substring of 13 or more characters a view that keeps its whole chunk (64 KiB) alive.
// Fields outlive their chunk (validate indexes a million devices by username), so a view each
// would keep the whole file in memory; prefixing a character and slicing it off copies the field.
const SHORTEST_STRING_VIEW = 13;

function detached(value: string): string {
  return value.length < SHORTEST_STRING_VIEW ? value : ` ${value}`.slice(1);
}

const QUOTE_REMEDY = 'Close the quote in the export (a quote inside a field is written as two quotes "") and run again.';

function quoteNotClosed(file: string, line: number): MigrateError {
  return inputError('CSV_QUOTE_NOT_CLOSED', `${file} line ${line}: a quoted field in this row is never closed, so the rest of the file cannot be read.`, QUOTE_REMEDY, { file, line });
}

function rowTooLarge(file: string, line: number): MigrateError {
  return inputError(
    'CSV_ROW_TOO_LARGE',
    `${file} line ${line}: the row is longer than ${MAX_RECORD_BYTES / 1024} KiB, which means a quoted field is never closed; the rest of the file cannot be read.`,
    QUOTE_REMEDY,
    { file, line },
  );
}

/** Where a scan of one stretch of text stopped. */
interface ScanEnd {
  /** Index of the first character not yet read into a record (the unfinished record's start). */
  readonly rest: number;
  /** Line the record at `rest` starts on. */
  readonly line: number;
  /** Why reading cannot go on at `rest`, if it cannot. */
  readonly failure: 'row-too-large' | 'quote-not-closed' | null;
}

// Line breaks in text[from, to): CRLF, LF or a lone CR each count once.
function lineBreaksIn(text: string, from: number, to: number): number {
  let breaks = 0;
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code > CR) continue;
    if (code === LF) breaks++;
    else if (code === CR) {
      breaks++;
      if (text.charCodeAt(i + 1) === LF && i + 1 < to) i++;
    }
  }
  return breaks;
}

/** The characters a field may be separated by: Excel writes `;` where the list separator is `;`, and tab for "Text (Tab delimited)". */
export type CsvDelimiter = ',' | ';' | '\t';

/** The delimiter's code and the highest of it, CR and LF: one comparison skips every other character. */
interface Separator {
  readonly code: number;
  readonly limit: number;
}

function separatorOf(delimiter: CsvDelimiter): Separator {
  const code = delimiter === ',' ? COMMA : delimiter === ';' ? SEMICOLON : TAB;
  return { code, limit: Math.max(code, CR) };
}

// Index of the first delimiter, CR or LF at or after `from`, or text.length.
function unquotedEnd(text: string, from: number, separator: Separator): number {
  const end = text.length;
  let pos = from;
  while (pos < end) {
    const code = text.charCodeAt(pos);
    if (code <= separator.limit && (code === separator.code || code === LF || code === CR)) break;
    pos++;
  }
  return pos;
}

function isLatin1(text: string, from: number, to: number): boolean {
  let seen = 0;
  for (let i = from; i < to; i++) seen |= text.charCodeAt(i);
  return seen <= LATIN1_MAX;
}

// The Latin-1 characters String.prototype.trim removes: TAB, LF, VT, FF, CR, space and NBSP.
function isTrimmed(code: number): boolean {
  return code === SPACE || (code >= TAB && code <= CR) || code === NBSP;
}

// Where a scan stops when the record at `recordStart`, read up to `readTo`, runs past the end of
// the text: only a quote still open can do that when no text follows.
function unfinished(recordStart: number, readTo: number, line: number, final: boolean): ScanEnd {
  if (readTo - recordStart > MAX_RECORD_BYTES) return { rest: recordStart, line, failure: 'row-too-large' };
  return { rest: recordStart, line, failure: final ? 'quote-not-closed' : null };
}

/** Reads records chunk by chunk, carrying an unfinished record over to the next chunk. */
class RecordScanner {
  readonly #file: string;
  readonly #separator: Separator;
  // The unfinished record the last chunk ended in; at most MAX_RECORD_BYTES long.
  #carry = '';
  // Chunks received since, not yet scanned: see read.
  #held: string[] = [];
  #heldLength = 0;
  #line = 1;
  // The text being scanned, one byte per character (the low byte, so only Latin-1 stretches are
  // right): fields are copied out of it as compact one-byte strings, see #field.
  #latin1 = Buffer.alloc(0);

  constructor(file: string, delimiter: CsvDelimiter) {
    this.#file = file;
    this.#separator = separatorOf(delimiter);
  }

  /** Appends the records `chunk` completes to `batch`; returns why reading must stop, if it must. */
  read(chunk: string, final: boolean, batch: CsvRecord[]): MigrateError | null {
    // An unfinished record is scanned again from its start with each chunk. Chunks much shorter
    // than the record (a pipe gives what its writer wrote) would make that quadratic — a 1 MiB
    // row in 100-character chunks is rescanned 10,000 times — so chunks are held until they are
    // as long as the record so far: each rescan then reads at most twice the new text.
    if (!final && this.#carry.length > this.#heldLength + chunk.length) {
      this.#held.push(chunk);
      this.#heldLength += chunk.length;
      return null;
    }
    const fresh = this.#held.length === 0 ? chunk : this.#held.join('') + chunk;
    this.#held = [];
    this.#heldLength = 0;
    const text = this.#carry === '' ? fresh : this.#carry + fresh;
    const scanned = this.#scan(text, final, batch);
    this.#carry = scanned.rest === text.length ? '' : text.slice(scanned.rest);
    this.#line = scanned.line;
    if (scanned.failure === 'row-too-large') return rowTooLarge(this.#file, scanned.line);
    if (scanned.failure === 'quote-not-closed') return quoteNotClosed(this.#file, scanned.line);
    return null;
  }

  /**
   * Reads the complete records of `text` into `batch`. `final` says no text follows; otherwise the
   * record whose end (or a quote's meaning) depends on the next chunk is left unread from its
   * first character, to be read again with that chunk.
   */
  #scan(text: string, final: boolean, batch: CsvRecord[]): ScanEnd {
    const end = text.length;
    const separator = this.#separator;
    // Tab separates fields in a tab-delimited file, so it is not white space before a field there.
    const skipsTab = separator.code !== TAB;
    if (this.#latin1.length < end) this.#latin1 = Buffer.allocUnsafe(Math.max(end, 2 * this.#latin1.length));
    this.#latin1.write(text, 0, 'latin1');
    let pos = 0;
    let line = this.#line;
    while (pos < end) {
      const recordStart = pos;
      const fields: string[] = [];
      let breaks = 0;
      // Where the record's text ends, before its line break.
      let recordEnd = pos;
      for (;;) {
        // Spaces, tabs and form feeds before a field are dropped, so `  "a, b"` is quoted.
        let code = text.charCodeAt(pos);
        while (code === SPACE || (code === TAB && skipsTab) || code === FF) code = text.charCodeAt(++pos);
        let value: string;
        if (code === QUOTE) {
          const contentStart = pos + 1;
          // Text before the last doubled quote, each `""` read as `"`; '' while there is none.
          let unescaped = '';
          let partStart = contentStart;
          let quote = contentStart;
          for (;;) {
            quote = text.indexOf('"', quote);
            if (quote === -1) return unfinished(recordStart, end, line, final);
            if (text.charCodeAt(quote + 1) !== QUOTE) break;
            unescaped += text.slice(partStart, quote + 1);
            quote += 2;
            partStart = quote;
          }
          breaks += lineBreaksIn(text, contentStart, quote);
          pos = quote + 1;
          const after = text.charCodeAt(pos);
          if (pos === end || after === separator.code || after === LF || after === CR) {
            value = partStart === contentStart ? this.#field(text, contentStart, quote, isLatin1(text, contentStart, quote)) : detached(cleanField(unescaped + text.slice(partStart, quote)));
          } else {
            // Text after the closing quote stays in the field. csv-parse ends the quote at a NUL
            // as at a comma (it tests the next byte for falsiness) and drops the quotes; UTF-16
            // read as UTF-8 is full of NULs, so that case is kept alike.
            const content = unescaped + text.slice(partStart, quote);
            const fieldEnd = unquotedEnd(text, pos, separator);
            value = detached(cleanField(after === NUL ? content + text.slice(pos, fieldEnd) : `"${content}"${text.slice(pos, fieldEnd)}`));
            pos = fieldEnd;
          }
        } else {
          // A last line of nothing but spaces is not a record (as with csv-parse).
          if (pos === end && final && fields.length === 0) return { rest: end, line, failure: null };
          const fieldStart = pos;
          let seen = 0;
          while (pos < end) {
            code = text.charCodeAt(pos);
            // One comparison rejects letters and digits, which is nearly every character.
            if (code <= separator.limit && (code === separator.code || code === LF || code === CR)) break;
            seen |= code;
            pos++;
          }
          value = this.#field(text, fieldStart, pos, seen <= LATIN1_MAX);
        }
        // The field may go on in the next chunk (and a quote's meaning depends on what follows it).
        if (pos === end && !final) return unfinished(recordStart, end, line, final);
        fields.push(value);
        recordEnd = pos;
        const ending = text.charCodeAt(pos);
        if (ending === separator.code) {
          pos++;
          continue;
        }
        if (ending === CR) {
          // A CR that ends the chunk may be the first half of a CRLF.
          if (pos + 1 === end && !final) return unfinished(recordStart, pos, line, final);
          pos += text.charCodeAt(pos + 1) === LF ? 2 : 1;
        } else if (ending === LF) {
          pos++;
        }
        break;
      }
      if (recordEnd - recordStart > MAX_RECORD_BYTES) return { rest: recordStart, line, failure: 'row-too-large' };
      batch.push({ line, fields });
      line += 1 + breaks;
    }
    return { rest: end, line, failure: null };
  }

  // text[from, to) trimmed, as a string of its own (not a view that keeps the chunk alive, see
  // detached). A chunk holding any character above U+00FF is two bytes a character, and so is
  // every copy of its text; a field that is all Latin-1 (`latin1`) is copied from #latin1 instead,
  // so it takes one.
  #field(text: string, from: number, to: number, latin1: boolean): string {
    if (!latin1) return detached(text.slice(from, to).trim());
    let start = from;
    let stop = to;
    while (start < stop && isTrimmed(text.charCodeAt(start))) start++;
    while (stop > start && isTrimmed(text.charCodeAt(stop - 1))) stop--;
    return stop - start < SHORTEST_STRING_VIEW ? text.slice(start, stop) : this.#latin1.toString('latin1', start, stop);
  }
}

/**
 * Streams the CSV records of decoded `text` in batches (one per decoded chunk, so memory stays
 * bounded and no promise is paid per record), header and blank lines included (a blank line is
 * one empty field), each with the line it starts on. Throws a MigrateError (exit 3) when a quote
 * never closes, after the records before it; errors of `text` pass through unchanged.
 */
export async function* csvRecords(file: string, text: AsyncIterable<string>, delimiter: CsvDelimiter = ','): AsyncGenerator<readonly CsvRecord[], void, undefined> {
  const reader = new RecordScanner(file, delimiter);
  for await (const chunk of text) {
    const batch: CsvRecord[] = [];
    const failure = reader.read(chunk, false, batch);
    if (batch.length > 0) yield batch;
    if (failure !== null) throw failure;
  }
  const batch: CsvRecord[] = [];
  const failure = reader.read('', true, batch);
  if (batch.length > 0) yield batch;
  if (failure !== null) throw failure;
}
