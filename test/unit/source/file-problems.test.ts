import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MigrateError } from '../../../src/errors.js';
import { readUsers } from '../../../src/source/users-reader.js';
import { readDevices } from '../../../src/source/devices-reader.js';
import { readTokens } from '../../../src/source/tokens-reader.js';
import { AUTO, collect, exportFolder, firstError } from './export-files.js';
import type { ExportFolder } from './export-files.js';

let folder: ExportFolder;
beforeAll(async () => {
  folder = await exportFolder();
});
afterAll(async () => {
  await folder.remove();
});

async function inputFailure(items: AsyncIterable<unknown>): Promise<MigrateError> {
  const error = await firstError(items);
  expect(error).toBeInstanceOf(MigrateError);
  const migrateError = error as MigrateError;
  expect(migrateError.exitCode).toBe(3);
  expect(migrateError.remedy).not.toBe('');
  return migrateError;
}

describe('file-level problems stop with exit 3', () => {
  it('a missing file', async () => {
    const path = join(folder.path, 'no-such-users.csv');
    const error = await inputFailure(readUsers(path, AUTO));
    expect(error.code).toBe('CSV_FILE_NOT_FOUND');
    expect(error.message).toContain(path);
    expect(error.file).toBe(path);
  });

  it('a folder instead of a file', async () => {
    const path = join(folder.path, 'a-folder.csv');
    await mkdir(path);
    const error = await inputFailure(readDevices(path, AUTO));
    expect(error.code).toBe('CSV_NOT_A_FILE');
    expect(error.message).toContain(path);
  });

  it.runIf(process.getuid?.() !== 0)('an unreadable file', async () => {
    const path = await folder.write('locked.csv', 'Username\nalice\n');
    await chmod(path, 0o000);
    const error = await inputFailure(readUsers(path, AUTO));
    expect(error.code).toBe('CSV_UNREADABLE');
  });

  // Reading /proc/self/mem at offset 0 fails with EIO: a real read error that root cannot bypass.
  it.runIf(process.platform === 'linux')('a file whose bytes cannot be read', async () => {
    const error = await inputFailure(readUsers('/proc/self/mem', AUTO));
    expect(error.code).toBe('CSV_UNREADABLE');
    expect(error.message).toContain('/proc/self/mem');
    expect(error.message).toContain('EIO');
  });

  it.each([
    ['a completely empty file', ''],
    ['a file with only a BOM', '\uFEFF'],
    ['a file with only blank lines', '\n\r\n  \n'],
  ])('%s', async (_case, content) => {
    const path = await folder.write('empty.csv', content);
    const error = await inputFailure(readTokens(path, AUTO));
    expect(error.code).toBe('CSV_EMPTY');
    expect(error.message).toContain(path);
  });

  it('a users file without a Username column names the column, the headers found and the aliases', async () => {
    const path = await folder.write('no-username.csv', 'Login,First Name,Phone\nalice,Alice,1\n');
    const error = await inputFailure(readUsers(path, AUTO));
    expect(error.code).toBe('CSV_MISSING_COLUMN');
    expect(error.message).toContain(path);
    expect(error.message).toContain('Username column is missing');
    expect(error.message).toContain('"Login", "First Name", "Phone"');
    expect(error.remedy).toContain('"User Name"');
    expect(error.remedy).toContain('"userPrincipalName"');
    expect(error.remedy).toContain('--columns');
  });

  it('a devices file without a Username column', async () => {
    const path = await folder.write('devices-no-user.csv', 'Device Name\niPhone\n');
    const error = await inputFailure(readDevices(path, AUTO));
    expect(error.code).toBe('CSV_MISSING_COLUMN');
    expect(error.message).toContain('Username');
  });

  it('a tokens file without serial number and secret key names both', async () => {
    const path = await folder.write('tokens-bare.csv', 'upn,model\nalice,Key\n');
    const error = await inputFailure(readTokens(path, AUTO));
    expect(error.code).toBe('CSV_MISSING_COLUMN');
    expect(error.message).toContain('serial number and secret key columns are missing');
    expect(error.remedy).toContain('"Seed"');
  });

  it('a tokens file without the secret key column', async () => {
    const path = await folder.write('tokens-no-secret.csv', 'serial number\nTOTP1\n');
    const error = await inputFailure(readTokens(path, AUTO));
    expect(error.message).toContain('secret key column is missing');
  });
});

describe('file-level findings', () => {
  it('a header-only file yields FILE_EMPTY at line 1 and nothing else', async () => {
    const path = await folder.write('header-only.csv', 'Username,Fax Number,Language\r\n\r\n');
    const { items } = await collect(readUsers(path, AUTO));
    expect(items).toEqual([{ kind: 'finding', finding: expect.objectContaining({ code: 'FILE_EMPTY', line: 1, file: path, severity: 'warning' }) as unknown }]);
  });

  it('lists unknown columns once, at line 1, before the first record', async () => {
    const path = await folder.write('unknown.csv', 'Username,Fax Number,Pager\nalice,1,2\nbob,3,4\n');
    const { items } = await collect(readUsers(path, AUTO));
    expect(items.map((item) => (item.kind === 'record' ? item.record.username : item.finding.code))).toEqual(['UNKNOWN_COLUMNS', 'alice', 'bob']);
    const notice = items[0]?.kind === 'finding' ? items[0].finding : undefined;
    expect(notice).toMatchObject({ line: 1, severity: 'notice', file: path });
    expect(notice?.message).toContain('"Fax Number", "Pager"');
  });

  it('notes a second column for one field as unused', async () => {
    const path = await folder.write('twice.csv', 'Username,Phone,Phone Number\nalice,1,2\n');
    const { records, findings } = await collect(readUsers(path, AUTO));
    expect(records[0]?.phone).toBe('1');
    expect(findings[0]?.message).toContain('"Phone Number" (phone is read from "Phone")');
  });

  it('ignores unnamed columns from trailing commas without a notice', async () => {
    const path = await folder.write('trailing.csv', 'Username,First Name,\nalice,Alice,\n');
    const { records, findings } = await collect(readUsers(path, AUTO));
    expect(findings).toEqual([]);
    expect(records.map((r) => r.firstName)).toEqual(['Alice']);
  });

  it('notes the Language column once for the file, not per row, and only when it holds values', async () => {
    const withValues = await folder.write('language.csv', 'Username,Language\nalice,\nbob,English\ncarol,French\n');
    const { items } = await collect(readUsers(withValues, AUTO));
    expect(items.map((item) => (item.kind === 'record' ? item.record.username : item.finding.code))).toEqual(['alice', 'LANGUAGE_NOT_MIGRATED', 'bob', 'carol']);
    const notice = items[1]?.kind === 'finding' ? items[1].finding : undefined;
    expect(notice).toMatchObject({ line: 1, severity: 'notice', file: withValues });

    const empty = await folder.write('language-empty.csv', 'Username,Language\nalice,\n');
    expect((await collect(readUsers(empty, AUTO))).findings).toEqual([]);
  });
});

describe('a header after blank lines', () => {
  it('gives file findings and errors the header\'s line, not line 1', async () => {
    const headerOnly = await folder.write('late-header-only.csv', '\r\n  \r\nUsername,Language\r\n');
    expect((await collect(readUsers(headerOnly, AUTO))).findings.map((f) => [f.code, f.line])).toEqual([['FILE_EMPTY', 3]]);

    const withRows = await folder.write('late-header.csv', '\n\nUsername,Language,Pager\nalice,English,1\n');
    const { findings } = await collect(readUsers(withRows, AUTO));
    expect(findings.map((f) => [f.code, f.line])).toEqual([
      ['UNKNOWN_COLUMNS', 3],
      ['LANGUAGE_NOT_MIGRATED', 3],
    ]);
    expect(findings.every((f) => f.message.startsWith(`${withRows} line 3: `))).toBe(true);

    const missing = await folder.write('late-missing.csv', '\n\nLogin\nalice\n');
    const error = await inputFailure(readUsers(missing, AUTO));
    expect([error.code, error.line]).toEqual(['CSV_MISSING_COLUMN', 3]);
  });
});

describe('a file without its header row', () => {
  it('does not quote a seed of the first row in the missing-column error', async () => {
    const seed = 'MZXW6YTBOJUWU23MNU4DCMZRGQYTGMZQ';
    const path = await folder.write('tokens-headerless.csv', `TOTP1,${seed},30,Contoso\n`);
    const error = await inputFailure(readTokens(path, AUTO));
    expect(error.code).toBe('CSV_MISSING_COLUMN');
    expect(error.message).toContain('(headers found: "TOTP1", (a 32-character value shaped like a secret key, not shown), "30", "Contoso")');
    expect(error.message).not.toContain(seed);
  });
});
