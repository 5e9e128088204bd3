/**
 * The tokenizer of csvRecords against the csv-parse implementation it replaced: same records,
 * same lines, same errors, however the text is cut into chunks.
 */
import fc from 'fast-check';
import { serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { MigrateError } from '../../../src/errors.js';
import { MAX_RECORD_BYTES, csvRecords } from '../../../src/source/csv-records.js';
import type { CsvDelimiter, CsvRecord } from '../../../src/source/csv-records.js';
import { csvParseRecords } from '../../support/csv-parse-records.js';

type Reader = (file: string, text: AsyncIterable<string>, delimiter?: CsvDelimiter) => AsyncGenerator<readonly CsvRecord[], void, undefined>;

interface Outcome {
  readonly records: [number, readonly string[]][];
  readonly error: { readonly code: string; readonly line: number | undefined } | null;
}

async function* fromChunks(chunks: readonly string[]): AsyncGenerator<string, void, undefined> {
  for (const chunk of chunks) {
    await Promise.resolve();
    yield chunk;
  }
}

async function outcomeOf(read: Reader, chunks: readonly string[], delimiter: CsvDelimiter = ','): Promise<Outcome> {
  const records: [number, readonly string[]][] = [];
  try {
    for await (const batch of read('t.csv', fromChunks(chunks), delimiter)) for (const record of batch) records.push([record.line, record.fields]);
  } catch (error) {
    if (!(error instanceof MigrateError)) throw error;
    return { records, error: { code: error.code, line: error.line } };
  }
  return { records, error: null };
}

// Cuts `text` at the given fractions of its length (duplicates dropped, so no chunk is empty).
function cut(text: string, fractions: readonly number[]): string[] {
  const points = [...new Set(fractions.map((fraction) => Math.floor(fraction * text.length)))].filter((point) => point > 0 && point < text.length).sort((a, b) => a - b);
  const chunks: string[] = [];
  let from = 0;
  for (const point of points) {
    chunks.push(text.slice(from, point));
    from = point;
  }
  chunks.push(text.slice(from));
  return chunks;
}

// The text of the first `lines` physical lines, each line break included.
function firstLines(text: string, lines: number): string {
  if (lines === 0) return '';
  let seen = 0;
  for (let i = 0; i < text.length && seen < lines; i++) {
    if (text[i] === '\n' || text[i] === '\r') {
      if (text[i] === '\r' && text[i + 1] === '\n') i++;
      seen++;
      if (seen === lines) return text.slice(0, i + 1);
    }
  }
  return text;
}

const lineBreak = fc.constantFrom('\n', '\r\n', '\r');
// BMP only: the oracle encodes each chunk to UTF-8 alone, which would mangle a split surrogate pair.
const textChar = fc.constantFrom('a', 'b', 'Z', '1', ' ', '\t', '\f', '\v', '\u00a0', 'é', '中', '\0', '@', '.');
const plain = fc.string({ unit: textChar, maxLength: 8 });
const quotedChar = fc.oneof(textChar, fc.constantFrom(',', '"', '\n', '\r', '\r\n'));
const spaces = fc.string({ unit: fc.constantFrom(' ', '\t', '\f'), maxLength: 3 });

const field = fc.oneof(
  plain,
  // A quote inside an unquoted field is a literal.
  fc.tuple(plain, fc.string({ unit: fc.oneof(textChar, fc.constant('"')), maxLength: 6 })).map(([head, tail]) => `x${head}"${tail}`),
  // Quoted, with doubled quotes, commas and line breaks inside and spaces around.
  fc.tuple(spaces, fc.string({ unit: quotedChar, maxLength: 10 }), spaces).map(([before, inside, after]) => `${before}"${inside.replaceAll('"', '""')}"${after}`),
  // Text after a closing quote (relax_quotes keeps both quotes), and stray quotes in it.
  fc.tuple(fc.string({ unit: quotedChar, maxLength: 6 }), fc.string({ unit: fc.oneof(textChar, fc.constant('"')), maxLength: 6 })).map(([inside, after]) => `"${inside.replaceAll('"', '""')}"x${after}`),
);
const record = fc.oneof(fc.array(field, { minLength: 1, maxLength: 5 }).map((fields) => fields.join(',')), fc.constant(''), spaces);
const wellFormed = fc
  .tuple(fc.array(fc.tuple(record, lineBreak), { maxLength: 12 }), record)
  .map(([rows, last]) => rows.map(([row, end]) => row + end).join('') + last);
// Anything at all from CSV's own characters: unclosed quotes included.
const anyText = fc.string({ unit: fc.oneof(textChar, fc.constantFrom(',', '"', '""', '\n', '\r', '\r\n')), maxLength: 60 });
const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 });

async function expectSameAsCsvParse(text: string, fractions: readonly number[], delimiter: CsvDelimiter = ','): Promise<void> {
  const chunks = cut(text, fractions);
  const ours = await outcomeOf(csvRecords, chunks, delimiter);
  const theirs = await outcomeOf(csvParseRecords, chunks, delimiter);
  if (theirs.error === null) {
    expect(ours).toEqual(theirs);
    return;
  }
  // csv-parse fails with the records it had buffered unread and the line after the last record
  // read, which depends on the chunks; ours reads every record before the broken one and names
  // its line. So: same error, and our records are csv-parse's for the text before that line.
  expect(ours.error?.code).toBe(theirs.error.code);
  const brokenLine = ours.error?.line ?? 1;
  const before = await outcomeOf(csvParseRecords, [firstLines(text, brokenLine - 1)], delimiter);
  expect(before.error).toBeNull();
  expect(ours.records).toEqual(before.records);
  expect(theirs.records).toEqual(ours.records.slice(0, theirs.records.length));
}

describe('csvRecords reads like csv-parse', () => {
  it('on well-formed CSV, in any chunks', async () => {
    await fc.assert(
      fc.asyncProperty(wellFormed, cuts, async (text, fractions) => {
        await expectSameAsCsvParse(text, fractions);
      }),
      { numRuns: 3000 },
    );
  });

  it('on any text of CSV characters, unclosed quotes included, in any chunks', async () => {
    await fc.assert(
      fc.asyncProperty(anyText, cuts, async (text, fractions) => {
        await expectSameAsCsvParse(text, fractions);
      }),
      { numRuns: 3000 },
    );
  });

  it('on semicolon-separated CSV (European Excel), in any chunks', async () => {
    // The same texts with every comma a semicolon and every semicolon a comma: commas are then text.
    const swap = (text: string): string => text.replace(/[,;]/g, (character) => (character === ',' ? ';' : ','));
    await fc.assert(
      fc.asyncProperty(fc.oneof(wellFormed, anyText), cuts, async (text, fractions) => {
        await expectSameAsCsvParse(swap(text), fractions, ';');
      }),
      { numRuns: 2000 },
    );
  });

  it('reads tab-separated text with empty fields, where a tab is a separator and not white space', async () => {
    const chunks = ['Username\tPhone\t\tMethod\r\n', 'alice\t"425, 555"\t\tText message\r\n\t\tx\t\r\n'];
    expect(await outcomeOf(csvRecords, chunks, '\t')).toEqual({
      records: [
        [1, ['Username', 'Phone', '', 'Method']],
        [2, ['alice', '425, 555', '', 'Text message']],
        [3, ['', '', 'x', '']],
      ],
      error: null,
    });
  });

  it.each([
    ['a CRLF split between chunks', ['a,b\r', '\nc,d\r', '\n']],
    ['a quote at a chunk end', ['"a""', '"b",c\n"d"', '"e"\n']],
    ['a closing quote at a chunk end before a CR', ['"a\r\nb"', '\r', '\nc']],
    ['one character per chunk', 'h,"x\r\ny"\r\n\r\n  "q" ,5" tablet\r"z""",w'.split('')],
  ])('on %s', async (_case, chunks) => {
    expect(await outcomeOf(csvRecords, chunks)).toEqual(await outcomeOf(csvParseRecords, chunks));
  });
});

describe('csvRecords edges', () => {
  it('skips empty chunks', async () => {
    expect(await outcomeOf(csvRecords, ['', 'a,', '', 'b\r', '', '\nc', ''])).toEqual({
      records: [
        [1, ['a', 'b']],
        [2, ['c']],
      ],
      error: null,
    });
  });

  it('reads every record before an unclosed quote and names the quote\'s line', async () => {
    expect(await outcomeOf(csvRecords, ['a\n"b\nc'])).toEqual({ records: [[1, ['a']]], error: { code: 'CSV_QUOTE_NOT_CLOSED', line: 2 } });
  });

  it('accepts a row of exactly MAX_RECORD_BYTES and stops at one more', async () => {
    const fits = `"${'x'.repeat(MAX_RECORD_BYTES - 2)}"`;
    const atLimit = await outcomeOf(csvRecords, cut(`h\n${fits}\nz\n`, [0.25, 0.5, 0.75]));
    expect(atLimit.error).toBeNull();
    expect(atLimit.records.map(([line]) => line)).toEqual([1, 2, 3]);
    const over = await outcomeOf(csvRecords, cut(`h\n${fits}x\nz\n`, [0.25, 0.5, 0.75]));
    expect(over).toEqual({ records: [[1, ['h']]], error: { code: 'CSV_ROW_TOO_LARGE', line: 2 } });
  });

  // A field left as a view of its chunk, or two bytes a character because the chunk holds one
  // wide character, multiplies the memory of every value a caller keeps (the devices index).
  it('copies Latin-1 fields out of a chunk holding wider characters as one-byte strings', async () => {
    const chunk = `李,${'a'.repeat(20)},"${'b'.repeat(20)}",short\n`;
    const { records } = await outcomeOf(csvRecords, [chunk]);
    const fields = records[0]?.[1] ?? [];
    expect(fields).toEqual(['李', 'a'.repeat(20), 'b'.repeat(20), 'short']);
    // V8's serializer tags a one-byte string '"' (0x22) and a two-byte one 'c' (0x63).
    expect(fields.slice(1, 3).map((field) => serialize(field)[2])).toEqual([0x22, 0x22]);
  });

  it('passes errors of the text through unchanged', async () => {
    const failure = new Error('disk gone');
    async function* failing(): AsyncGenerator<string, void, undefined> {
      await Promise.resolve();
      yield 'a,b\n';
      throw failure;
    }
    const read = async (): Promise<void> => {
      for await (const batch of csvRecords('t.csv', failing())) expect(batch).toHaveLength(1);
    };
    await expect(read()).rejects.toBe(failure);
  });
});
