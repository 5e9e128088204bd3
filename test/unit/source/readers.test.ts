import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import { Secret } from '../../../src/secret.js';
import { readUsers } from '../../../src/source/users-reader.js';
import { readDevices } from '../../../src/source/devices-reader.js';
import { readTokens } from '../../../src/source/tokens-reader.js';
import type { SourceUser } from '../../../src/source/records.js';
import { AUTO, collect, exportFolder } from './export-files.js';
import type { ExportFolder } from './export-files.js';

let folder: ExportFolder;
beforeAll(async () => {
  folder = await exportFolder();
});
afterAll(async () => {
  await folder.remove();
});

describe('readUsers', () => {
  it('yields typed, trimmed records with null for absent values', async () => {
    const path = await folder.write(
      'users.csv',
      [
        'Username,First Name,Last Name,Email,Primary Country Code,Primary Phone,Primary Extension,Backup Country Code,Backup Phone,Backup Extension,Method,Phone Call Mode,Text Message Mode,Mobile App Mode,Enabled,OATH Token Serial,SID,Object GUID,Language',
        '  carol@contoso.com , Carol ,Clarke,,United Kingdom +44,07911 123456,,,,,Text message,,OTP + PIN,,Disabled,,S-1-5-21-9,,English',
      ].join('\r\n'),
    );
    const { records, findings } = await collect(readUsers(path, AUTO));
    expect(findings.map((f) => f.code)).toEqual(['LANGUAGE_NOT_MIGRATED']);
    const expected: SourceUser = {
      file: path,
      line: 2,
      username: 'carol@contoso.com',
      firstName: 'Carol',
      lastName: 'Clarke',
      email: null,
      countryCode: '44',
      phone: '07911 123456',
      extension: null,
      backupCountryCode: null,
      backupPhone: null,
      backupExtension: null,
      method: 'textMessage',
      phoneCallMode: null,
      textMessageMode: 'otpPin',
      mobileAppMode: null,
      enabled: false,
      oathTokenSerial: null,
      sid: 'S-1-5-21-9',
      objectGuid: null,
      language: 'English',
      findings: [],
    };
    expect(records).toEqual([expected]);
  });

  it('gives method "Fax" a VALUE_UNKNOWN on the record, with file and line, and a null method', async () => {
    const path = await folder.write('fax.csv', 'Username,Method,Enabled\nalice,Phone call,\nsybil,Fax,Maybe\n');
    const { records, findings } = await collect(readUsers(path, AUTO));
    expect(findings).toEqual([]);
    expect(records.map((r) => [r.username, r.method, r.enabled])).toEqual([
      ['alice', 'phoneCall', true],
      ['sybil', null, true],
    ]);
    expect(records[1]?.findings.map((f) => [f.code, f.file, f.line])).toEqual([
      ['VALUE_UNKNOWN', path, 3],
      ['VALUE_UNKNOWN', path, 3],
    ]);
    expect(records[1]?.findings[0]?.message).toBe(
      `${path} line 3: Method "Fax" is not a known MFA Server method (Phone call, Text message, Mobile app, OATH token) — the user's default method will be chosen from what is available.`,
    );
  });
});

describe('readDevices', () => {
  const SEED = 'JBSWY3DPEHPK3PXPDAVE';
  const TOKEN = 'apns-3f9a2c-private';

  it('keeps whether a secret was present, never the secret or the device token', async () => {
    const path = await folder.write(
      'devices.csv',
      `Username,Device Name,Device Token,Notification Type,OATH Secret Key,OS,App Version,Activated,Last Used\ndave,iPhone 14,${TOKEN},APNS,${SEED},iOS 17.2,6.8.1,3/14/2023 9:15:02 AM,2025-01-15T10:00:00Z\nerin,Pixel,,GCM,,Android 14,6.8.0,,\n`,
    );
    const { records, findings } = await collect(readDevices(path, AUTO));
    expect(findings).toEqual([]);
    expect(records).toEqual([
      {
        file: path,
        line: 2,
        username: 'dave',
        deviceName: 'iPhone 14',
        notificationType: 'APNS',
        hasOathSecret: true,
        os: 'iOS 17.2',
        appVersion: '6.8.1',
        activatedAt: new Date('2023-03-14T09:15:02Z'),
        lastUsedAt: new Date('2025-01-15T10:00:00Z'),
        findings: [],
      },
      {
        file: path,
        line: 3,
        username: 'erin',
        deviceName: 'Pixel',
        notificationType: 'GCM',
        hasOathSecret: false,
        os: 'Android 14',
        appVersion: '6.8.0',
        activatedAt: null,
        lastUsedAt: null,
        findings: [],
      },
    ]);
    const printed = `${JSON.stringify(records)} ${inspect(records, { depth: 10 })}`;
    expect(printed).not.toContain(SEED);
    expect(printed).not.toContain(TOKEN);
  });

  it('gives a bad date DATE_INVALID naming the column and the value, and reads on', async () => {
    const path = await folder.write('bad-date.csv', 'Username,Device Name,Activated,Last Authenticated\nivan,Galaxy,yesterday,1/2/2024 9:00:00 AM\n');
    const { records } = await collect(readDevices(path, AUTO));
    expect(records[0]?.activatedAt).toBeNull();
    expect(records[0]?.lastUsedAt).toEqual(new Date('2024-01-02T09:00:00Z'));
    expect(records[0]?.findings).toMatchObject([{ code: 'DATE_INVALID', line: 2, file: path }]);
    expect(records[0]?.findings[0]?.message).toContain('Activated "yesterday"');
  });
});

describe('readTokens', () => {
  const SEED = 'MZXW6YTBOJUWU23MNU4DCMZRGQYTGMZQ';

  it('wraps the seed in a Secret and applies the defaults', async () => {
    const path = await folder.write('tokens.csv', `upn,serial number,secret key,time interval,manufacturer,model\n,TOTP0001,${SEED},,Contoso,Key\nrupert@contoso.com,TOTP0005,${SEED},60,,\n,TOTP0006,,sixty,,\n`);
    const { records, findings } = await collect(readTokens(path, AUTO));
    expect(findings).toEqual([]);
    expect(records.map((r) => [r.line, r.username, r.serialNumber, r.secretKey?.reveal() ?? null, r.timeInterval, r.manufacturer, r.model, r.hashFunction])).toEqual([
      [2, null, 'TOTP0001', SEED, 30, 'Contoso', 'Key', 'hmacsha1'],
      [3, 'rupert@contoso.com', 'TOTP0005', SEED, 60, null, null, 'hmacsha1'],
      [4, null, 'TOTP0006', null, 'sixty', null, null, 'hmacsha1'],
    ]);
    expect(records[0]?.secretKey).toBeInstanceOf(Secret);
  });

  it('never shows the seed in JSON, String(), util.inspect of records or in any finding', async () => {
    const bytes = Buffer.concat([
      Buffer.from(`serial number,secret key,hash function,Notes\nTOTP1,${SEED},HMAC-SHA256,x\nTOTP2,${SEED},,x,extra,${SEED}\n"TOTP3","${SEED}`),
      Buffer.from([0xff]),
      Buffer.from(`",,x\nTOTP4,  ${SEED}  ,MD5,x\n`),
    ]);
    const path = await folder.write('tokens-secret.csv', bytes);
    // Read as UTF-8 (--encoding utf8), so the bad byte spoils its row only; under auto the whole file would be Windows-1252.
    const { records, findings, items } = await collect(readTokens(path, { ...AUTO, encoding: 'utf8' }));
    expect(records.map((r) => [r.serialNumber, r.hashFunction])).toEqual([
      ['TOTP1', 'hmacsha256'],
      ['TOTP4', 'MD5'],
    ]);
    expect(records[1]?.secretKey?.reveal()).toBe(SEED);
    expect(findings.map((f) => [f.code, f.line])).toEqual([
      ['UNKNOWN_COLUMNS', 1],
      ['ROW_INVALID', 3],
      ['BYTES_UNDECODABLE', 4],
    ]);
    const printed = [
      JSON.stringify(items),
      inspect(items, { depth: 10 }),
      records.map((r) => String(r.secretKey)).join(' '),
      records.map((r) => `${JSON.stringify(r)} ${inspect(r)}`).join(' '),
      findings.map((f) => f.message).join(' '),
      records.flatMap((r) => r.findings.map((f) => f.message)).join(' '),
    ].join('\n');
    expect(printed).not.toContain(SEED);
    expect(printed).toContain('[REDACTED]');
  });
});

describe('rows of files that hold secrets must line up with the header', () => {
  const SEED = 'MZXW6YTBOJUWU23MNU4DCMZRGQYTGMZQ';

  it('rejects a tokens row with a field left out or an extra field (ROW_INVALID), and reads one with only trailing commas', async () => {
    const path = await folder.write(
      'tokens-aligned.csv',
      `serial number,secret key,time interval,,\n${SEED},30\nTOTP2,${SEED},30,,,,\nTOTP3,${SEED}\nTOTP4,Key, v2,${SEED},30\nTOTP5,${SEED},30,extra\n`,
    );
    const { records, items } = await collect(readTokens(path, AUTO));
    expect(items.map((item) => (item.kind === 'record' ? item.record.serialNumber : `${item.finding.code}@${item.finding.line}`))).toEqual([
      'ROW_INVALID@2',
      'TOTP2',
      'ROW_INVALID@4',
      'ROW_INVALID@5',
      'ROW_INVALID@6',
    ]);
    // Trailing commas are not fields out of place, but still not the header's width.
    expect(records[0]?.findings.map((f) => f.code)).toEqual(['COLUMN_COUNT']);
    const rejection = items[0]?.kind === 'finding' ? items[0].finding : undefined;
    expect(rejection?.message).toBe(
      `${path} line 2: the row has 2 fields but the header has 3, so its seed cannot be told from its other fields — quote fields that contain commas and give every field, then run again; the row was not used.`,
    );
  });

  it('rejects a devices row that does not line up only when the file has a secret column', async () => {
    const withSecret = await folder.write('devices-secret.csv', `Username,Device Name,OATH Secret Key,Activated\ndave,iPhone, 14,${SEED},2024-01-01\nerin,Pixel,,\n`);
    const secretItems = (await collect(readDevices(withSecret, AUTO))).items;
    expect(secretItems.map((item) => (item.kind === 'record' ? item.record.username : `${item.finding.code}@${item.finding.line}`))).toEqual(['ROW_INVALID@2', 'erin']);

    const withToken = await folder.write('devices-token.csv', 'Username,Device Token,Device Name\ndave,apns-1,iPhone, 14\n');
    expect((await collect(readDevices(withToken, AUTO))).findings.map((f) => f.code)).toEqual(['ROW_INVALID']);

    const plain = await folder.write('devices-plain.csv', 'Username,Device Name,Activated\ndave,iPhone, 14,2024-01-01\n');
    const { records } = await collect(readDevices(plain, AUTO));
    expect(records.map((r) => [r.username, r.deviceName, r.findings.map((f) => f.code)])).toEqual([['dave', 'iPhone', ['COLUMN_COUNT', 'DATE_INVALID']]]);
  });
});

describe('NUL characters', () => {
  it('make a row BYTES_UNDECODABLE at its line (a damaged file), and the rows around it are read', async () => {
    const path = await folder.write('nul.csv', 'Username,Method\nalice,SMS\nbob\u0000,SMS\n\u0000\u0000\u0000\ncarol,"SMS"\u0000x\ndave,SMS\n');
    const { items } = await collect(readUsers(path, AUTO));
    expect(items.map((item) => (item.kind === 'record' ? `${item.record.username}@${item.record.line}` : `${item.finding.code}@${item.finding.line}`))).toEqual([
      'alice@2',
      'BYTES_UNDECODABLE@3',
      'BYTES_UNDECODABLE@4',
      'BYTES_UNDECODABLE@5',
      'dave@6',
    ]);
    const finding = items[1]?.kind === 'finding' ? items[1].finding : undefined;
    expect(finding?.message).toBe(`${path} line 3: the row holds NUL bytes, which no text export contains, so the file is probably damaged — export it again from MFA Server; the row was not used.`);
  });
});
