/**
 * Exports as admins really make them: saved from European Excel (";" and Windows-1252), from
 * Excel as "Unicode Text" (tab-separated UTF-16LE), by PowerShell 5.1's Export-Csv (a "#TYPE"
 * line first, every field quoted), with phones Excel turned into scientific notation, and a users
 * file that names no method column at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MigrateError } from '../../../src/errors.js';
import { mapUser } from '../../../src/mapping/map-user.js';
import { readUsers } from '../../../src/source/users-reader.js';
import { AUTO, collect, exportFolder, firstError, type ExportFolder } from './export-files.js';
import { aContext, someOptions } from '../../support/source-builders.js';

let folder: ExportFolder;
beforeAll(async () => { folder = await exportFolder(); });
afterAll(async () => { await folder.remove(); });

/** Text as Windows-1252 bytes (Latin-1 covers every character used here). */
function windows1252(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

const EUROPEAN_EXCEL = [
  'Username;First Name;Last Name;Primary Country Code;Primary Phone;Method;Enabled',
  'alice@contoso.com;Aliçe;Dupont;33;06 12 34 56 78;Text message;Yes',
  'bjorn@contoso.com;Björn;Åberg;46;070-123 45 67;Phone call;Yes',
  'francois@contoso.com;François;Lefèvre;33;"06 12 34 56 79";Phone call;Yes',
  'zoe@contoso.com;Zoë;Ñúñez;34;612 34 56 78;Phone call;Yes',
].join('\r\n');

describe('a users file saved from European Excel', () => {
  it('is read whole as Windows-1252 and ";"-separated, every user kept, saying so once', async () => {
    const file = await folder.write('excel-eu.csv', windows1252(`${EUROPEAN_EXCEL}\r\n`));
    const { records, findings } = await collect(readUsers(file, AUTO));
    expect(records.map((record) => [record.line, record.firstName, record.lastName, record.phone])).toEqual([
      [2, 'Aliçe', 'Dupont', '06 12 34 56 78'],
      [3, 'Björn', 'Åberg', '070-123 45 67'],
      [4, 'François', 'Lefèvre', '06 12 34 56 79'],
      [5, 'Zoë', 'Ñúñez', '612 34 56 78'],
    ]);
    expect(findings.map((item) => item.code)).toEqual(['FILE_FORMAT_DETECTED']);
    expect(findings[0]).toMatchObject({ severity: 'notice', line: 1 });
    expect(findings[0]?.message).toContain('read as Windows-1252');
    expect(findings[0]?.message).toContain('separated by ";"');
  });

  it('as UTF-8 (Excel "CSV UTF-8") is read as UTF-8, saying only the separator', async () => {
    const file = await folder.write('excel-eu-utf8.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(EUROPEAN_EXCEL, 'utf8')]));
    const { records, findings } = await collect(readUsers(file, AUTO));
    expect(records.map((record) => record.firstName)).toEqual(['Aliçe', 'Björn', 'François', 'Zoë']);
    expect(findings.map((item) => item.message)).toEqual([expect.stringContaining('separated by ";"')]);
    expect(findings[0]?.message).not.toContain('Windows-1252');
  });

  it('with --delimiter "," forced, its header is one column and the missing Username is named', async () => {
    const file = await folder.write('excel-eu-forced.csv', windows1252(EUROPEAN_EXCEL));
    const error = await firstError(readUsers(file, { ...AUTO, delimiter: ',' }));
    expect(error).toBeInstanceOf(MigrateError);
    expect((error as MigrateError).code).toBe('CSV_MISSING_COLUMN');
    expect((error as MigrateError).message).toContain('"Username;First Name;');
  });
});

describe('other tools admins save exports with', () => {
  it('Excel "Unicode Text": tab-separated UTF-16LE with a byte-order mark', async () => {
    const text = 'Username\tPrimary Country Code\tPrimary Phone\tBackup Phone\tMethod\r\nalice@contoso.com\t1\t(425) 555-0100\t\tPhone call\r\n';
    const file = await folder.write('unicode-text.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const { records, findings } = await collect(readUsers(file, AUTO));
    expect(records.map((record) => [record.username, record.phone, record.backupPhone, record.method])).toEqual([['alice@contoso.com', '(425) 555-0100', null, 'phoneCall']]);
    expect(findings.map((item) => item.message)).toEqual([expect.stringContaining('separated by tab')]);
  });

  it('PowerShell 5.1 Export-Csv: the "#TYPE" line is skipped with a notice, the quoted header is on line 2', async () => {
    const text = [
      '#TYPE System.Management.Automation.PSCustomObject',
      '"Username","Primary Phone","Primary Country Code","Method","Enabled"',
      '"alice@contoso.com","(425) 555-0100","1","Phone call","True"',
      '"bob@contoso.com","","","Mobile app","False"',
    ].join('\r\n');
    const file = await folder.write('powershell.csv', `${text}\r\n`);
    const { records, findings } = await collect(readUsers(file, AUTO));
    expect(records.map((record) => [record.line, record.username, record.enabled])).toEqual([
      [3, 'alice@contoso.com', true],
      [4, 'bob@contoso.com', false],
    ]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ code: 'FILE_FORMAT_DETECTED', line: 2 });
    expect(findings[0]?.message).toContain('line 1 is PowerShell\'s "#TYPE');
  });

  it('a users file with no phone, method or token column stops with exit 3 naming the headers found', async () => {
    const file = await folder.write('no-methods.csv', 'Username,First Name,Last Name,Email\r\nalice@contoso.com,Alice,Anders,alice@contoso.com\r\n');
    const error = await firstError(readUsers(file, AUTO, { methodColumns: true }));
    expect(error).toBeInstanceOf(MigrateError);
    expect(error).toMatchObject({ code: 'CSV_NO_METHOD_COLUMNS', exitCode: 3, line: 1 });
    expect((error as MigrateError).message).toContain('headers found: "Username", "First Name", "Last Name", "Email"');
  });
});

describe('a phone Excel stored as a number', () => {
  it('is PHONE_EXCEL_DAMAGED, saying how to export it as text, and the other phone is kept', async () => {
    const file = await folder.write('scientific.csv', 'Username,Primary Country Code,Primary Phone,Backup Country Code,Backup Phone,Method\r\nalice@contoso.com,44,4.47911E+11,1,(425) 555-0100,Phone call\r\n');
    const { records } = await collect(readUsers(file, AUTO));
    const [record] = records;
    if (record === undefined) throw new Error('no record');
    const desired = mapUser(record, aContext(), someOptions());
    expect(desired.issues.map((issue) => issue.code)).toContain('PHONE_EXCEL_DAMAGED');
    const issue = desired.issues.find((item) => item.code === 'PHONE_EXCEL_DAMAGED');
    expect(issue?.message).toContain('"4.47911E+11"');
    expect(issue?.message).toContain('Data > From Text/CSV');
    expect(issue?.message).not.toContain('fix it in MFA Server');
    expect(desired.phones.mobile).toBe('+1 4255550100');
  });
});
