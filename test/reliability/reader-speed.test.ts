/**
 * Hostile shapes must read in time linear in their size: 100 kB fields, 10,000 columns, fields of
 * doubled quotes or line breaks, and one huge row arriving in small pieces (a pipe gives what its
 * writer wrote). Every run checks that each shape reads whole (its records, short messages); the
 * throughput floor is checked only by `npm run test:soak` (SOAK=1), because a wall-clock rate can
 * fail on a busy machine. A quadratic step shows there as a throughput far below the floor, a
 * tenth of what an ordinary export reads at on a slow machine.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RECORD_BYTES, csvRecords } from '../../src/source/csv-records.js';
import type { Finding } from '../../src/findings.js';
import { readUsersWith } from '../../src/source/users-reader.js';
import { MigrateError } from '../../src/errors.js';
import { soak } from './run-budget.js';

// Ordinary exports read at 30–40 MB/s on a laptop core (bench/csv.bench.ts); quadratic shapes
// measured before the fix read at 0.1 MB/s.
const MIN_MEGABYTES_PER_SECOND = 2;
const BYTES_PER_MEGABYTE = 1_000_000;
const HUNDRED_KB = 100_000;
const TEN_THOUSAND_COLUMNS = 10_000;
// A finding or error is read by a person: a few kilobytes at most, whatever the file holds.
const MAX_MESSAGE_CHARACTERS = 8_000;

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mfa-migrate-speed-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

interface Timed {
  readonly megabytesPerSecond: number;
  readonly findings: readonly Finding[];
  readonly records: number;
}

async function readTimed(name: string, text: string, chunkBytes?: number): Promise<Timed> {
  const path = join(folder, `${name}.csv`);
  await writeFile(path, text);
  const findings: Finding[] = [];
  let records = 0;
  const started = performance.now();
  for await (const item of readUsersWith(path, { encoding: 'auto', columns: {} }, chunkBytes === undefined ? {} : { chunkBytes })) {
    if (item.kind === 'finding') findings.push(item.finding);
    else {
      records++;
      findings.push(...item.record.findings);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return { megabytesPerSecond: Buffer.byteLength(text) / BYTES_PER_MEGABYTE / seconds, findings, records };
}

const rows = (count: number, row: (index: number) => string): string => Array.from({ length: count }, (_unused, index) => row(index)).join('\r\n');
const manyColumns = Array.from({ length: TEN_THOUSAND_COLUMNS }, (_unused, index) => `v${index}`).join(',');

const SHAPES: readonly (readonly [string, () => string, number])[] = [
    ['100 kB unquoted fields', () => `Username,Notes\r\n${rows(60, (i) => `u${i},${'x'.repeat(HUNDRED_KB)}`)}`, 60],
    ['100 kB quoted fields with commas', () => `Username,Notes\r\n${rows(60, (i) => `u${i},"${'a,b '.repeat(HUNDRED_KB / 4)}"`)}`, 60],
    ['100 kB fields of doubled quotes', () => `Username,Notes\r\n${rows(60, (i) => `u${i},"${'""'.repeat(HUNDRED_KB / 2)}"`)}`, 60],
    ['100 kB fields of line breaks', () => `Username,Notes\r\n${rows(60, (i) => `u${i},"${'\r\n'.repeat(HUNDRED_KB / 2)}"`)}`, 60],
    ['100 kB fields of wide characters', () => `Username,Notes\r\n${rows(60, (i) => `u${i},${'中'.repeat(HUNDRED_KB)}`)}`, 60],
    ['a header of 10,000 columns', () => `Username,${manyColumns}\r\n${rows(200, (i) => `u${i},${manyColumns}`)}`, 200],
    ['rows of 10,000 columns under a short header', () => `Username,Notes\r\n${rows(200, (i) => `u${i},${manyColumns}`)}`, 200],
];

/** A users file of three rows just under the 1 MiB record limit. */
function hugeRows(): string {
  const fields = Math.floor((MAX_RECORD_BYTES - 100) / 10);
  return `Username,Notes\n${rows(3, (i) => `u${i},${Array.from({ length: fields }, () => 'abcdefghi').join(',')}`)}\n`;
}
const HUGE_ROW_READ_BYTES = 512;

const PIPED: readonly (readonly [string, (size: number) => string])[] = [
  ['a quoted field', (size) => `h\n"${'x'.repeat(size)}"\nz\n`],
  ['10,000-odd short fields', (size) => `h\n${'abcdefg,'.repeat(size / 8)}\nz\n`],
];

/** 1 MiB of text handed to the tokenizer 100 characters at a time, as a pipe would. */
async function readPiped(text: (size: number) => string): Promise<{ readonly records: number; readonly megabytesPerSecond: number }> {
  const input = text(MAX_RECORD_BYTES - 64);
  async function* pieces(): AsyncGenerator<string, void, undefined> {
    const PIECE_CHARACTERS = 100;
    for (let at = 0; at < input.length; at += PIECE_CHARACTERS) {
      await Promise.resolve();
      yield input.slice(at, at + PIECE_CHARACTERS);
    }
  }
  const started = performance.now();
  let records = 0;
  for await (const batch of csvRecords('pipe.csv', pieces())) records += batch.length;
  const seconds = (performance.now() - started) / 1000;
  return { records, megabytesPerSecond: input.length / BYTES_PER_MEGABYTE / seconds };
}

describe('hostile shapes read whole', () => {
  it.each(SHAPES)('%s', async (name, text, expectedRecords) => {
    const timed = await readTimed(name.replace(/\W+/g, '-'), text());
    expect(timed.records).toBe(expectedRecords);
    for (const finding of timed.findings) expect(finding.message.length).toBeLessThan(MAX_MESSAGE_CHARACTERS);
  });

  it('a row just under the 1 MiB limit, read 512 bytes at a time', async () => {
    expect((await readTimed('huge-row-small-reads', hugeRows(), HUGE_ROW_READ_BYTES)).records).toBe(3);
  });

  it.each(PIPED)('%s of 1 MiB arriving 100 characters at a time, as from a pipe', async (_name, text) => {
    expect((await readPiped(text)).records).toBe(3);
  });
});

describe.runIf(soak)('hostile shapes read in linear time (test:soak)', () => {
  it.each(SHAPES)('%s', async (name, text) => {
    expect((await readTimed(name.replace(/\W+/g, '-'), text())).megabytesPerSecond).toBeGreaterThan(MIN_MEGABYTES_PER_SECOND);
  });

  it('a row just under the 1 MiB limit, read 512 bytes at a time', async () => {
    expect((await readTimed('huge-row-small-reads', hugeRows(), HUGE_ROW_READ_BYTES)).megabytesPerSecond).toBeGreaterThan(MIN_MEGABYTES_PER_SECOND);
  });

  it.each(PIPED)('%s of 1 MiB arriving 100 characters at a time, as from a pipe', async (_name, text) => {
    expect((await readPiped(text)).megabytesPerSecond).toBeGreaterThan(MIN_MEGABYTES_PER_SECOND);
  });
});

describe('messages stay short whatever the file holds', () => {
  it('lists 40 of 10,000 unknown columns and says how many more', async () => {
    const timed = await readTimed('unknown-columns', `Username,${manyColumns}\r\nu1,${manyColumns}\r\n`);
    const notice = timed.findings.find((finding) => finding.code === 'UNKNOWN_COLUMNS');
    expect(notice?.message).toContain('"v39" and 9960 more are not used');
    expect(notice?.message.length).toBeLessThan(MAX_MESSAGE_CHARACTERS);
  });

  it('cuts 100 kB headers and values in findings and errors', async () => {
    const huge = 'Mixed Case words '.repeat(HUNDRED_KB / 17).padEnd(HUNDRED_KB, '.');
    const timed = await readTimed('huge-value', `Username,Method,${huge}\r\nu1,${huge},x\r\n`);
    expect(timed.findings.map((finding) => finding.code)).toEqual(['UNKNOWN_COLUMNS', 'VALUE_UNKNOWN']);
    for (const finding of timed.findings) {
      expect(finding.message.length).toBeLessThan(MAX_MESSAGE_CHARACTERS);
      expect(finding.message).toContain('(100000 characters)');
    }
    // A file without its header row: the first row, 100 long cells, is taken as the header.
    const long = huge.slice(0, HUNDRED_KB / 20);
    const error = await readTimed('headerless', `${rows(2, () => Array.from({ length: 100 }, () => long).join(','))}\r\n`).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MigrateError);
    expect((error as MigrateError).code).toBe('CSV_MISSING_COLUMN');
    expect((error as MigrateError).message).toContain('and 60 more');
    expect((error as MigrateError).message.length).toBeLessThan(MAX_MESSAGE_CHARACTERS);
  });
});
