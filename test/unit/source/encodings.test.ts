import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MigrateError } from '../../../src/errors.js';
import { readUsers, readUsersWith } from '../../../src/source/users-reader.js';
import { AUTO, collect, exportFolder, firstError, utf16be, utf16le } from './export-files.js';
import type { ExportFolder } from './export-files.js';

let folder: ExportFolder;
beforeAll(async () => {
  folder = await exportFolder();
});
afterAll(async () => {
  await folder.remove();
});

const HEADER = 'User Name,First Name,Last Name';
const ROWS = ['jose@contoso.com,José,Muñoz', 'bjorn@contoso.com,Björn,Øster', 'li@contoso.com,李,雷 𝄞'];
const TEXT = `${HEADER}\n${ROWS.join('\n')}\n`;
const EXPECTED = [
  { line: 2, username: 'jose@contoso.com', firstName: 'José', lastName: 'Muñoz' },
  { line: 3, username: 'bjorn@contoso.com', firstName: 'Björn', lastName: 'Øster' },
  { line: 4, username: 'li@contoso.com', firstName: '李', lastName: '雷 𝄞' },
];

function names(records: readonly { line: number; username: string; firstName: string | null; lastName: string | null }[]): unknown[] {
  return records.map(({ line, username, firstName, lastName }) => ({ line, username, firstName, lastName }));
}

describe('encoding detection', () => {
  it.each([
    ['UTF-8 without BOM', () => Buffer.from(TEXT, 'utf8')],
    ['UTF-8 with BOM', () => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT, 'utf8')])],
    ['UTF-16LE with BOM and CRLF', () => utf16le(TEXT.replace(/\n/g, '\r\n'))],
    ['UTF-16BE with BOM', () => utf16be(TEXT)],
  ])('reads %s', async (name, bytes) => {
    const file = await folder.write(`${name}.csv`, bytes());
    const { records, findings } = await collect(readUsers(file, AUTO));
    expect(findings).toEqual([]);
    expect(names(records)).toEqual(EXPECTED);
  });

  it('lets a BOM win over --encoding (one flag covers all three files)', async () => {
    const file = await folder.write('bom-wins.csv', utf16le(TEXT));
    const { records } = await collect(readUsers(file, { encoding: 'windows1252', columns: {} }));
    expect(names(records)).toEqual(EXPECTED);
  });

  it('reads Windows-1252 when forced', async () => {
    const file = await folder.write('cp1252.csv', Buffer.from([...Buffer.from('Username,First Name\nrene@contoso.com,Ren'), 0xe9, ...Buffer.from('\n')]));
    const { records, findings } = await collect(readUsers(file, { encoding: 'windows1252', columns: {} }));
    expect(findings).toEqual([]);
    expect(records.map((r) => r.firstName)).toEqual(['René']);
  });

  it('reads UTF-16LE without BOM when forced with --encoding utf16le', async () => {
    const file = await folder.write('utf16-forced.csv', utf16le(TEXT, false));
    const { records } = await collect(readUsers(file, { encoding: 'utf16le', columns: {} }));
    expect(names(records)).toEqual(EXPECTED);
  });

  it('stops with exit 3 and suggests --encoding utf16le for UTF-16 without BOM', async () => {
    const file = await folder.write('utf16-nobom.csv', utf16le(TEXT, false));
    const error = await firstError(readUsers(file, AUTO));
    expect(error).toBeInstanceOf(MigrateError);
    expect((error as MigrateError).exitCode).toBe(3);
    expect((error as MigrateError).code).toBe('CSV_ENCODING');
    expect((error as MigrateError).message).toContain(file);
    expect((error as MigrateError).remedy).toContain('--encoding utf16le');
  });

  it('stops with exit 3 when the header itself is undecodable in the encoding given', async () => {
    const file = await folder.write('bad-header.csv', Buffer.from([...Buffer.from('Username,Pr'), 0xe9, ...Buffer.from('nom\nalice,Alice\n')]));
    const error = await firstError(readUsers(file, { ...AUTO, encoding: 'utf8' }));
    expect(error).toBeInstanceOf(MigrateError);
    expect((error as MigrateError).exitCode).toBe(3);
    expect((error as MigrateError).code).toBe('CSV_ENCODING');
    expect((error as MigrateError).remedy).toContain('--encoding windows1252');
  });
});

describe('undecodable bytes in a row', () => {
  it('turns the row into BYTES_UNDECODABLE with its line and reads on', async () => {
    const bytes = Buffer.concat([
      Buffer.from('Username,First Name\nalice@contoso.com,Alice\n"rene@contoso.com","Ren'),
      Buffer.from([0xe9]),
      Buffer.from('\nsecond line of the same row"\ncarol@contoso.com,Carol\n'),
    ]);
    const file = await folder.write('bad-row.csv', bytes);
    const { records, findings, items } = await collect(readUsers(file, { ...AUTO, encoding: 'utf8' }));
    expect(records.map((r) => [r.line, r.username])).toEqual([
      [2, 'alice@contoso.com'],
      [5, 'carol@contoso.com'],
    ]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ code: 'BYTES_UNDECODABLE', severity: 'error', file, line: 3 });
    expect(findings[0]?.message).toContain(`${file} line 3`);
    expect(findings[0]?.message).toContain('--encoding windows1252');
    // In file order: the finding sits between the two records.
    expect(items.map((item) => item.kind)).toEqual(['record', 'finding', 'record']);
  });

  it('reports a lone UTF-16 surrogate the same way', async () => {
    const text = Buffer.from('Username\nalice\nX\ncarol\n', 'utf16le');
    // Replace the "X" code unit by an unpaired high surrogate (D800).
    const index = text.indexOf(Buffer.from('X', 'utf16le'));
    text[index] = 0x00;
    text[index + 1] = 0xd8;
    const file = await folder.write('surrogate.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), text]));
    const { records, findings } = await collect(readUsers(file, AUTO));
    expect(records.map((r) => r.username)).toEqual(['alice', 'carol']);
    expect(findings.map((f) => [f.code, f.line])).toEqual([['BYTES_UNDECODABLE', 3]]);
    expect(findings[0]?.message).toContain('UTF-16LE');
  });
});

describe('chunk boundaries', () => {
  // Every chunk size from 1 to 9 bytes splits some multi-byte character or UTF-16 code unit
  // (and the 4-byte 𝄞 / surrogate pair) between reads.
  const encodings = [
    ['UTF-8', () => Buffer.from(TEXT, 'utf8')],
    ['UTF-8 BOM', () => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT, 'utf8')])],
    ['UTF-16LE', () => utf16le(TEXT.replace(/\n/g, '\r\n'))],
    ['UTF-16BE', () => utf16be(TEXT)],
  ] as const;
  const cases = encodings.flatMap(([name, bytes]) => [1, 2, 3, 4, 5, 7, 9].map((size) => [name, size, bytes] as const));

  it.each(cases)('%s read %i bytes at a time', async (name, size, bytes) => {
    const file = await folder.write(`chunks-${name}.csv`, bytes());
    const { records, findings } = await collect(readUsersWith(file, AUTO, { chunkBytes: size }));
    expect(findings).toEqual([]);
    expect(names(records)).toEqual(EXPECTED);
  });
});
