import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MigrateError } from '../../../src/errors.js';
import { csvRecords } from '../../../src/source/csv-records.js';
import { readUsers, readUsersWith } from '../../../src/source/users-reader.js';
import { AUTO, collect, exportFolder, firstError } from './export-files.js';
import type { ExportFolder } from './export-files.js';

let folder: ExportFolder;
beforeAll(async () => {
  folder = await exportFolder();
});
afterAll(async () => {
  await folder.remove();
});

async function* chunksOf(text: string, size: number): AsyncGenerator<string, void, undefined> {
  for (let i = 0; i < text.length; i += size) {
    await Promise.resolve();
    yield text.slice(i, i + size);
  }
}

async function recordsOf(text: string, size = 1 << 16): Promise<[number, readonly string[]][]> {
  const out: [number, readonly string[]][] = [];
  for await (const batch of csvRecords('t.csv', chunksOf(text, size))) for (const record of batch) out.push([record.line, record.fields]);
  return out;
}

describe('record start lines', () => {
  const lines = [
    'h1,h2', //                       1
    '', //                            2 (blank)
    'a,"b, with comma"', //           3
    'c,"multi', //                    4
    'line', //                        5
    'value"', //                      6
    '', //                            7
    '   ', //                         8 (spaces only)
    '"crlf\r\ninside\r\nquotes",x', // 9–11
    'after,crlf', //                  12
    '"lone\rcr",y', //                13–14
    'last,row', //                    15
  ];
  const text = lines.join('\n');

  it.each([1, 2, 3, 5, 64, 1 << 16])('numbers every record by its first physical line (chunks of %i)', async (size) => {
    const records = (await recordsOf(text, size)).filter(([, fields]) => fields.some((field) => field !== ''));
    expect(records).toEqual([
      [1, ['h1', 'h2']],
      [3, ['a', 'b, with comma']],
      [4, ['c', 'multi\nline\nvalue']],
      [9, ['crlf\r\ninside\r\nquotes', 'x']],
      [12, ['after', 'crlf']],
      [13, ['lone\rcr', 'y']],
      [15, ['last', 'row']],
    ]);
  });

  it('counts CRLF files the same as LF files', async () => {
    const records = (await recordsOf(lines.join('\r\n'), 3)).filter(([, fields]) => fields.some((field) => field !== ''));
    expect(records.map(([line]) => line)).toEqual([1, 3, 4, 9, 12, 13, 15]);
  });

  it('splits rows on any mix of CRLF, LF and CR', async () => {
    expect(await recordsOf('h\r\n1\n2\r3\r\n4')).toEqual([
      [1, ['h']],
      [2, ['1']],
      [3, ['2']],
      [4, ['3']],
      [5, ['4']],
    ]);
  });

  it('gives the right lines through the users reader, blank lines included', async () => {
    const file = await folder.write(
      'lines.csv',
      'Username,First Name,Last Name\r\n\r\nalice,"Alice\r\nAnn",Anders\r\n\r\n\r\nbob,Bob,"Brown, Jr."\r\n   \r\n,,\r\ncarol,Carol,Clarke',
    );
    for (const chunkBytes of [1, 4, 4096]) {
      const { records, findings } = await collect(readUsersWith(file, AUTO, { chunkBytes }));
      expect(findings).toEqual([]);
      expect(records.map((r) => [r.line, r.username, r.firstName, r.lastName])).toEqual([
        [3, 'alice', 'Alice\r\nAnn', 'Anders'],
        [7, 'bob', 'Bob', 'Brown, Jr.'],
        [10, 'carol', 'Carol', 'Clarke'],
      ]);
    }
  });
});

describe('fields', () => {
  it('trims surrounding spaces and tabs, inside and outside quotes', async () => {
    expect(await recordsOf('  a  ,\t"b"  , " c " ,d\t\n')).toEqual([[1, ['a', 'b', 'c', 'd']]]);
  });

  it('keeps doubled quotes as one quote', async () => {
    expect(await recordsOf('"say ""hi""",x\n')).toEqual([[1, ['say "hi"', 'x']]]);
  });

  it('reads a stray quote inside an unquoted field as text, and text after a closing quote without losing the file', async () => {
    expect(await recordsOf('5" tablet,x\n"abc"def,y\nnext,z\n')).toEqual([
      [1, ['5" tablet', 'x']],
      [2, ['"abc"def', 'y']],
      [3, ['next', 'z']],
    ]);
  });

  it('stops with exit 3 at the line of a quote that never closes', async () => {
    const error = await recordsOf('h\nok\n"open,\nmore\nrows\n').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MigrateError);
    expect((error as MigrateError).code).toBe('CSV_QUOTE_NOT_CLOSED');
    expect((error as MigrateError).exitCode).toBe(3);
    expect((error as MigrateError).line).toBe(3);
    expect((error as MigrateError).message).toContain('t.csv line 3');
  });

  it('stops with exit 3 instead of buffering an endless unclosed quote', async () => {
    const error = await recordsOf(`h\n"${'x'.repeat(1_100_000)}`, 1 << 16).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MigrateError);
    expect((error as MigrateError).code).toBe('CSV_ROW_TOO_LARGE');
    expect((error as MigrateError).line).toBe(2);
  });
});

describe('rows', () => {
  it('flags a row with a different field count and reads it by position', async () => {
    const file = await folder.write('count.csv', 'Username,First Name,Last Name\nalice,Alice,Anders,extra\nbob,Bob\ncarol,Carol,Clarke\n');
    const { records } = await collect(readUsers(file, AUTO));
    expect(records.map((r) => [r.line, r.username, r.firstName, r.lastName, r.findings.map((f) => f.code)])).toEqual([
      [2, 'alice', 'Alice', 'Anders', ['COLUMN_COUNT']],
      [3, 'bob', 'Bob', null, ['COLUMN_COUNT']],
      [4, 'carol', 'Carol', 'Clarke', []],
    ]);
    expect(records[0]?.findings[0]).toMatchObject({ severity: 'warning', line: 2, file });
    expect(records[0]?.findings[0]?.message).toContain('4 fields but the header has 3');
  });

  it('skips rows whose fields are all empty, silently', async () => {
    const file = await folder.write('empty-rows.csv', 'Username,First Name\n,\n , \n"",""\nalice,Alice\n');
    const { records, findings } = await collect(readUsers(file, AUTO));
    expect(findings).toEqual([]);
    expect(records.map((r) => [r.line, r.username])).toEqual([[5, 'alice']]);
  });

  it('keeps a row without a username, as \'\', for R16 to reject', async () => {
    const file = await folder.write('no-username.csv', 'Username,First Name\n,Nameless\n');
    const { records } = await collect(readUsers(file, AUTO));
    expect(records.map((r) => [r.line, r.username, r.firstName])).toEqual([[2, '', 'Nameless']]);
  });

  it('closes the file when the consumer stops early', async () => {
    const file = await folder.write('early.csv', `Username\n${Array.from({ length: 5000 }, (_, i) => `user${i}`).join('\n')}\n`);
    const seen: string[] = [];
    for await (const item of readUsersWith(file, AUTO, { chunkBytes: 64 })) {
      if (item.kind === 'record') seen.push(item.record.username);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual(['user0', 'user1', 'user2']);
    // The folder can be removed afterwards, and a second read sees the whole file.
    const { records } = await collect(readUsers(file, AUTO));
    expect(records).toHaveLength(5000);
  });

  it('throws lazily, from the first next()', async () => {
    const items = readUsers(`${folder.path}/missing.csv`, AUTO);
    const error = await firstError(items);
    expect(error).toBeInstanceOf(MigrateError);
  });
});
