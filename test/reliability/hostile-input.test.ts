/**
 * The three readers against hostile exports (a bad row never stops the file:
 * docs/design.md "Bad rows"). For files built with known good and bad rows, the reader must give
 * exactly the good rows as records and each bad row as a finding at its line; for anything at all
 * (random bytes, CSV soup), it must end — with items or with a MigrateError of exit 3 naming the
 * file — and never hang or throw anything else. Each input is bounded in time (see watchdog.ts).
 * `npm run test:soak` runs 20x.
 */
import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MigrateError } from '../../src/errors.js';
import { FINDINGS } from '../../src/findings.js';
import type { Finding } from '../../src/findings.js';
import { readDevicesWith } from '../../src/source/devices-reader.js';
import type { ReadItem, ReadOptions, SourceEncoding } from '../../src/source/records.js';
import type { TableSeams } from '../../src/source/table.js';
import { readTokensWith } from '../../src/source/tokens-reader.js';
import { readUsersWith } from '../../src/source/users-reader.js';
import { hostileFile } from './hostile-csv.js';
import type { ExpectedItem, ExportKind, FileEncoding } from './hostile-csv.js';
import { InputTally, runs, seed } from './run-budget.js';
import { Watchdog, withDeadline } from './watchdog.js';

// An input reads in milliseconds; these only catch a reader that never ends.
const INPUT_DEADLINE_MS = 15_000;
const WATCHDOG_MS = 45_000;
// Whole-property limits for vitest: generous, so only a real hang trips them (and SOAK runs long).
const PROPERTY_TIMEOUT_MS = runs(1) * 120_000;

// A message is read by a person: a few kilobytes at most, whatever the file holds.
const MAX_MESSAGE_CHARACTERS = 8_000;
// The codes a reader may stop with (exit 3, naming the file: docs/design.md "File-level errors").
const FILE_ERROR_CODES = new Set(['CSV_EMPTY', 'CSV_ENCODING', 'CSV_MISSING_COLUMN', 'CSV_QUOTE_NOT_CLOSED', 'CSV_ROW_TOO_LARGE']);

let folder: string;
let watchdog: Watchdog;
const tally = new InputTally();

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mfa-migrate-hostile-'));
  watchdog = Watchdog.start();
});
afterAll(async () => {
  watchdog.stop();
  await rm(folder, { recursive: true, force: true });
  console.info(tally.summary('hostile-input'));
});

/** What the properties compare of a record: where it came from, its id, its findings. */
interface RecordView {
  readonly line: number;
  readonly file: string;
  readonly id: string;
  readonly findings: readonly Finding[];
}

async function* viewed<T extends Omit<RecordView, 'id'>>(items: AsyncIterable<ReadItem<T>>, id: (record: T) => string): AsyncGenerator<ReadItem<RecordView>, void, undefined> {
  for await (const item of items) {
    yield item.kind === 'record' ? { kind: 'record', record: { line: item.record.line, file: item.record.file, id: id(item.record), findings: item.record.findings } } : item;
  }
}

function reader(kind: ExportKind, path: string, options: ReadOptions, seams: TableSeams): AsyncIterable<ReadItem<RecordView>> {
  if (kind === 'users') return viewed(readUsersWith(path, options, seams), (user) => user.username);
  if (kind === 'devices') return viewed(readDevicesWith(path, options, seams), (device) => device.username);
  return viewed(readTokensWith(path, options, seams), (token) => token.serialNumber);
}

interface Outcome {
  readonly items: readonly ExpectedItem[];
  readonly error: MigrateError | null;
  /** Findings with the file they name and their message, for the checks every finding must pass. */
  readonly findings: readonly Finding[];
  readonly files: readonly string[];
}

async function readAll(kind: ExportKind, path: string, options: ReadOptions, seams: TableSeams): Promise<Outcome> {
  const items: ExpectedItem[] = [];
  const findings: Finding[] = [];
  const files: string[] = [];
  try {
    for await (const item of reader(kind, path, options, seams)) {
      if (item.kind === 'finding') {
        findings.push(item.finding);
        items.push({ kind: 'finding', code: item.finding.code, line: item.finding.line });
      } else {
        files.push(item.record.file);
        findings.push(...item.record.findings);
        items.push({ kind: 'record', line: item.record.line, id: item.record.id, findings: item.record.findings.map((f) => [f.code, f.line] as const) });
      }
    }
  } catch (error) {
    // Anything but our own error is a failure of the property, with the input shrunk.
    if (!(error instanceof MigrateError)) throw error;
    return { items, error, findings, files };
  }
  return { items, error: null, findings, files };
}

// Small reads split characters, line breaks and quotes across chunks; a file of 100 kB fields
// read a byte at a time would only test the file system's speed, so big files read in 4 KiB.
const chunkSizes = fc.constantFrom<number | undefined>(undefined, undefined, 1, 2, 3, 7, 64, 4096);
const SMALL_READS_UP_TO_BYTES = 20_000;
const SMALL_READ_FLOOR_BYTES = 4096;

function seamsFor(bytes: Uint8Array, chunkBytes: number | undefined): TableSeams {
  if (chunkBytes === undefined) return {};
  return { chunkBytes: bytes.length > SMALL_READS_UP_TO_BYTES ? Math.max(chunkBytes, SMALL_READ_FLOOR_BYTES) : chunkBytes };
}

/** Writes `bytes`, reads them under both deadlines, and checks what every outcome must satisfy. */
async function tryInput(property: string, kind: ExportKind, bytes: Uint8Array, options: ReadOptions, chunkBytes: number | undefined): Promise<Outcome> {
  const run = tally.count(property);
  const label = `property "${property}" input ${run} (HOSTILE_SEED=${seed})`;
  const path = join(folder, `${kind}.csv`);
  await writeFile(path, bytes);
  await watchdog.arm(label, WATCHDOG_MS);
  let outcome: Outcome;
  try {
    outcome = await withDeadline(readAll(kind, path, options, seamsFor(bytes, chunkBytes)), INPUT_DEADLINE_MS, label);
  } finally {
    await watchdog.disarm();
  }

  if (outcome.error !== null) {
    expect(outcome.error.exitCode).toBe(3);
    expect(FILE_ERROR_CODES).toContain(outcome.error.code);
    expect(outcome.error.file).toBe(path);
    expect(outcome.error.message).toContain(path);
    expect(outcome.error.remedy).not.toBe('');
    expect(outcome.error.message.length).toBeLessThan(MAX_MESSAGE_CHARACTERS);
  }
  for (const finding of outcome.findings) {
    expect(finding.file).toBe(path);
    expect(finding.line).toBeGreaterThanOrEqual(1);
    expect(finding.message.length).toBeLessThan(MAX_MESSAGE_CHARACTERS);
    expect(Object.keys(FINDINGS)).toContain(finding.code);
    expect(finding.message.startsWith(`${path} line ${finding.line}: `)).toBe(true);
  }
  for (const file of outcome.files) expect(file).toBe(path);
  const recordLines = outcome.items.flatMap((item) => (item.kind === 'record' ? [item.line] : []));
  expect(recordLines).toEqual([...new Set(recordLines)].sort((a, b) => a - b));
  return outcome;
}

const PROPERTY_RUNS = runs(150);

/**
 * UTF-8 files without a byte-order mark are read with --encoding utf8, so a row of invalid bytes
 * is that row's BYTES_UNDECODABLE; under `auto` such a file is not valid UTF-8 and is read whole
 * as Windows-1252 (tested in test/unit/source/encodings.test.ts).
 */
function forcedFor(encoding: FileEncoding): SourceEncoding {
  return encoding === 'utf8' ? 'utf8' : 'auto';
}
const KINDS: readonly ExportKind[] = ['users', 'devices', 'tokens'];

describe.each(KINDS)('the %s reader on hostile files', (kind) => {
  it(
    'gives every good row as a record and every bad row as a finding, at its line',
    async () => {
      await fc.assert(
        fc.asyncProperty(hostileFile(kind), chunkSizes, async (file, chunkBytes) => {
          const outcome = await tryInput(`${kind}: known rows`, kind, file.bytes, { encoding: forcedFor(file.encoding), columns: {} }, chunkBytes);
          expect(outcome.error).toBeNull();
          expect(outcome.items).toEqual(file.expected);
        }),
        { numRuns: PROPERTY_RUNS, seed },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'reads every row before a quote that never closes, then stops at its line with exit 3',
    async () => {
      await fc.assert(
        fc.asyncProperty(hostileFile(kind, { unclosedQuote: true }), chunkSizes, async (file, chunkBytes) => {
          const outcome = await tryInput(`${kind}: unclosed quote`, kind, file.bytes, { encoding: forcedFor(file.encoding), columns: {} }, chunkBytes);
          expect(outcome.error?.code).toBe('CSV_QUOTE_NOT_CLOSED');
          expect(outcome.error?.line).toBe(file.unclosedQuoteLine);
          expect(outcome.error?.message).toContain(`line ${String(file.unclosedQuoteLine)}:`);
          expect(outcome.items).toEqual(file.expected);
        }),
        { numRuns: runs(60), seed },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

const forcedEncodings = fc.constantFrom<SourceEncoding>('auto', 'auto', 'utf8', 'utf16le', 'windows1252');
const anyKind = fc.constantFrom(...KINDS);
// Prefixes that get random bytes past the first hurdles: a byte-order mark, a valid header.
const prefixes = fc.constantFrom<readonly number[]>(
  [],
  [0xef, 0xbb, 0xbf],
  [0xff, 0xfe],
  [0xfe, 0xff],
  [...Buffer.from('Username,Method,Device Name,serial number,secret key\n')],
  [0xff, 0xfe, ...Buffer.from('Username,serial number,secret key\r\n', 'utf16le')],
);

describe('every reader on anything at all', () => {
  it(
    'ends with items or a MigrateError naming the file, for random bytes',
    async () => {
      await fc.assert(
        fc.asyncProperty(anyKind, prefixes, fc.uint8Array({ maxLength: 4000 }), forcedEncodings, chunkSizes, async (kind, prefix, body, encoding, chunkBytes) => {
          await tryInput('random bytes', kind, Buffer.concat([Buffer.from(prefix), body]), { encoding, columns: {} }, chunkBytes);
        }),
        { numRuns: runs(200), seed },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  // CSV's own characters in any order: quotes that open and close anywhere, every line break.
  const soupPiece = fc.constantFrom(',', '"', '""', '\n', '\r', '\r\n', ' ', 'a', 'r1', '\u0000', '\uFEFF', '\uFFFD', 'é', '𝄞', 'x'.repeat(5000));
  const soup = fc.array(soupPiece, { maxLength: 200 }).map((pieces) => pieces.join(''));
  const soupHeader = fc.constantFrom('Username,Method,Activated', 'serial number,secret key,time interval', '"Username"\r', '');

  it(
    'ends with items or a MigrateError naming the file, for CSV soup in any encoding',
    async () => {
      await fc.assert(
        fc.asyncProperty(anyKind, soupHeader, soup, fc.constantFrom('utf8', 'utf16le'), chunkSizes, async (kind, header, text, encoding, chunkBytes) => {
          const body = encoding === 'utf8' ? Buffer.from(`${header}\n${text}`) : Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${header}\n${text}`, 'utf16le')]);
          await tryInput('CSV soup', kind, body, { encoding: 'auto', columns: {} }, chunkBytes);
        }),
        { numRuns: runs(200), seed },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it.each<{ readonly problem: string; readonly bytes: readonly number[]; readonly code: string; readonly encoding?: SourceEncoding }>([
    { problem: 'an empty file', bytes: [], code: 'CSV_EMPTY' },
    { problem: 'a UTF-8 byte-order mark alone', bytes: [0xef, 0xbb, 0xbf], code: 'CSV_EMPTY' },
    { problem: 'a UTF-16LE byte-order mark alone', bytes: [0xff, 0xfe], code: 'CSV_EMPTY' },
    { problem: 'a UTF-16BE byte-order mark and one stray byte', bytes: [0xfe, 0xff, 0x41], code: 'CSV_ENCODING' },
    { problem: 'blank lines of every kind', bytes: [...Buffer.from('\r\n\n\r  \t\r\n,,\n')], code: 'CSV_EMPTY' },
    { problem: 'UTF-16 without a byte-order mark', bytes: [...Buffer.from('Username\r\nalice\r\n', 'utf16le')], code: 'CSV_ENCODING' },
    { problem: 'a header of invalid UTF-8 read as UTF-8', bytes: [0x55, 0x73, 0xff, 0x65, 0x72, 0x0a], code: 'CSV_ENCODING', encoding: 'utf8' },
    { problem: 'a header of invalid UTF-8 read as Windows-1252 (auto)', bytes: [0x55, 0x73, 0xff, 0x65, 0x72, 0x0a], code: 'CSV_MISSING_COLUMN' },
    { problem: 'a header that is one unclosed quote', bytes: [...Buffer.from('"Username,Method\nalice,SMS\n')], code: 'CSV_QUOTE_NOT_CLOSED' },
  ])('stops with exit 3 on $problem, for every reader', async ({ bytes, code, encoding }) => {
    for (const kind of KINDS) {
      const outcome = await tryInput('fixed file problems', kind, Buffer.from(bytes), { encoding: encoding ?? 'auto', columns: {} }, undefined);
      expect(outcome.error?.code).toBe(code);
    }
  });

  it.each(KINDS)('gives FILE_EMPTY for a %s file that is a header only, with or without a line end', async (kind) => {
    const header = { users: 'Username', devices: 'User Name,Device Name', tokens: 'Serial,Seed' }[kind];
    for (const text of [header, `${header}\r\n`, `\n\n${header}\n\n`]) {
      const outcome = await tryInput('fixed file problems', kind, Buffer.from(text), { encoding: 'auto', columns: {} }, undefined);
      expect(outcome.error).toBeNull();
      expect(outcome.items).toEqual([{ kind: 'finding', code: 'FILE_EMPTY', line: text.startsWith('\n') ? 3 : 1 }]);
    }
  });
});
