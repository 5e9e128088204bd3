/**
 * The csv-parse-based `csvRecords` that src/source/csv-records.ts replaced, kept verbatim as the
 * oracle of the tokenizer's property test and the baseline of bench/csv.bench.ts.
 */
import { parse } from 'csv-parse';
import type { Parser } from 'csv-parse';
import { inputError } from '../../src/errors.js';
import type { MigrateError } from '../../src/errors.js';
import { MAX_RECORD_BYTES } from '../../src/source/csv-records.js';
import type { CsvDelimiter, CsvRecord } from '../../src/source/csv-records.js';

const CR = 13;
const LF = 10;
const QUOTE = 34;

// csv-parse with `relax_quotes` turns `"Quinn, Jr."  ` (spaces after the closing quote) into
// `"Quinn, Jr."  `, quotes kept, because only `rtrim` would accept the spaces — and `rtrim`
// makes `"abc"x` a fatal parser error that drops the rest of the file. So `rtrim` stays off and
// the quotes of that one shape are removed here. A field can only begin with a quote through
// this path, except a quoted field whose own text starts with `"` and ends with `"` + spaces.
const QUOTED_THEN_SPACES = /^"([\s\S]*)"[ \t]+$/;

function cleanField(raw: string): string {
  if (raw.charCodeAt(0) === QUOTE) {
    const quoted = QUOTED_THEN_SPACES.exec(raw);
    if (quoted?.[1] !== undefined) return quoted[1].trim();
  }
  return raw.trim();
}

// Line breaks inside a record's (quoted) fields: CRLF, LF or a lone CR each count once.
function lineBreaks(fields: readonly string[]): number {
  let breaks = 0;
  for (const field of fields) {
    // Only quoted fields hold line breaks (every break outside quotes ends the record).
    if (!field.includes('\n') && !field.includes('\r')) continue;
    for (let i = 0; i < field.length; i++) {
      const code = field.charCodeAt(i);
      if (code === CR) {
        breaks++;
        if (field.charCodeAt(i + 1) === LF) i++;
      } else if (code === LF) {
        breaks++;
      }
    }
  }
  return breaks;
}

// csv-parse errors carry the field being read (a seed, say), so none is kept as a cause or quoted.
function parserFailure(file: string, error: unknown, line: number): MigrateError {
  const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : 'unknown';
  const remedy = 'Close the quote in the export (a quote inside a field is written as two quotes "") and run again.';
  if (code === 'CSV_QUOTE_NOT_CLOSED') {
    return inputError('CSV_QUOTE_NOT_CLOSED', `${file} line ${line}: a quoted field in this row is never closed, so the rest of the file cannot be read.`, remedy, { file, line });
  }
  if (code === 'CSV_MAX_RECORD_SIZE') {
    return inputError(
      'CSV_ROW_TOO_LARGE',
      `${file} line ${line}: the row is longer than ${MAX_RECORD_BYTES / 1024} KiB, which means a quoted field is never closed; the rest of the file cannot be read.`,
      remedy,
      { file, line },
    );
  }
  return inputError('CSV_UNREADABLE', `${file} line ${line}: the CSV cannot be read from this row on (${code}).`, 'Open the file in a text editor at that line, correct it and run again.', {
    file,
    line,
  });
}

// Resolves when the parser has records to read, has ended or has failed.
function parserSignal(parser: Parser): Promise<void> {
  return new Promise((resolve) => {
    const settle = (): void => {
      parser.off('readable', settle);
      parser.off('end', settle);
      parser.off('error', settle);
      parser.off('close', settle);
      resolve();
    };
    parser.on('readable', settle);
    parser.on('end', settle);
    parser.on('error', settle);
    parser.on('close', settle);
  });
}

/** The records of `text` as the csv-parse implementation read them (same contract as `csvRecords`). */
export async function* csvParseRecords(file: string, text: AsyncIterable<string>, delimiter: CsvDelimiter = ','): AsyncGenerator<readonly CsvRecord[], void, undefined> {
  const parser = parse({
    delimiter,
    bom: false,
    relax_column_count: true,
    relax_quotes: true,
    // Blank lines come out as one empty field, so every line is accounted for and a record's
    // first line is simply counted; the table reader skips them. (csv-parse's own line count costs
    // an object per record and counts a CRLF inside quotes twice.)
    skip_empty_lines: false,
    // Leading spaces before an opening quote are allowed; trailing ones are handled by cleanField.
    ltrim: true,
    // All three line ends, so a file mixing them (hand-edited exports) still splits into rows.
    record_delimiter: ['\r\n', '\n', '\r'],
    max_record_size: MAX_RECORD_BYTES,
  });
  // Set by the parser's events, read by the loop below.
  const parserState: { failure: unknown; ended: boolean } = { failure: undefined, ended: false };
  parser.on('error', (error: unknown) => {
    parserState.failure ??= error;
  });
  parser.on('end', () => {
    parserState.ended = true;
  });
  let line = 1;
  const take = (): CsvRecord[] => {
    if (parserState.failure !== undefined) throw parserFailure(file, parserState.failure, line);
    const batch: CsvRecord[] = [];
    // csv-parse parses a written chunk synchronously, so its records are readable right away.
    for (let record = parser.read() as string[] | null; record !== null; record = parser.read() as string[] | null) {
      const start = line;
      line += 1 + lineBreaks(record);
      const fields = new Array<string>(record.length);
      for (let i = 0; i < record.length; i++) fields[i] = cleanField(record[i] ?? '');
      batch.push({ line: start, fields });
    }
    return batch;
  };
  try {
    for await (const chunk of text) {
      parser.write(chunk);
      const batch = take();
      if (batch.length > 0) yield batch;
    }
    parser.end();
    for (;;) {
      const batch = take();
      if (batch.length > 0) yield batch;
      if (parserState.ended) break;
      await parserSignal(parser);
    }
  } finally {
    parser.destroy();
  }
}
