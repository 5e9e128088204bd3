import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_FIELDS, FIELDS_OF, TOKEN_FIELDS, USER_FIELDS, normalizeHeader } from '../../../src/source/fields.js';
import type { FieldSpec, FileKind } from '../../../src/source/fields.js';
import { matchHeader } from '../../../src/source/header.js';
import { readUsers } from '../../../src/source/users-reader.js';
import { readDevices } from '../../../src/source/devices-reader.js';
import { readTokens } from '../../../src/source/tokens-reader.js';
import { AUTO, collect, exportFolder } from './export-files.js';
import type { ExportFolder } from './export-files.js';

/** A header with the file's required columns (by their first alias) plus `extra`. */
function headerWith(kind: FileKind, extra: string, field: FieldSpec): string[] {
  const required = FIELDS_OF[kind].filter((spec) => spec.required && spec !== field).map((spec) => spec.aliases[0] ?? spec.name);
  return [...required, extra];
}

describe('header normalisation', () => {
  it.each([
    ['User Name', 'username'],
    ['user_name', 'username'],
    ['USERNAME', 'username'],
    ['user-name', 'username'],
    ['User.Name', 'username'],
    ['  Phone   Call _Mode ', 'phonecallmode'],
  ])('%j normalises to %j', (header, normalized) => {
    expect(normalizeHeader(header)).toBe(normalized);
  });

  it.each(['User Name', 'user_name', 'USERNAME', 'user-name', 'User.Name', 'userprincipalname', 'U.P.N'])('%j is the users username column', (header) => {
    const layout = matchHeader('users.csv', 'users', ['First Name', header], {});
    expect(layout.indexOf('username')).toBe(1);
    expect(layout.headerOf('username')).toBe(header);
  });
});

describe.each([
  ['users', USER_FIELDS],
  ['devices', DEVICE_FIELDS],
  ['tokens', TOKEN_FIELDS],
] as const)('every alias of the %s file', (kind, fields) => {
  const cases = fields.flatMap((spec) => [spec.name, ...spec.aliases].flatMap((alias) => [[spec.name, alias, spec] as const, [spec.name, alias.toUpperCase().replace(/ /g, '_'), spec] as const]));
  it.each(cases)('%s ← %j', (_name, alias, spec) => {
    const header = headerWith(kind, alias, spec);
    const layout = matchHeader(`${kind}.csv`, kind, header, {});
    expect(layout.indexOf(spec.name)).toBe(header.length - 1);
    expect(layout.unused).toEqual([]);
  });
});

// The same aliases end to end: the value in the aliased column lands in the record.
describe('aliases reach the records', () => {
  let folder: ExportFolder;
  beforeAll(async () => {
    folder = await exportFolder();
  });
  afterAll(async () => {
    await folder.remove();
  });

  const userValues: Record<string, readonly [string, unknown]> = {
    username: ['alice@contoso.com', 'alice@contoso.com'],
    firstName: ['Alice', 'Alice'],
    lastName: ['Anders', 'Anders'],
    email: ['alice@contoso.com', 'alice@contoso.com'],
    countryCode: ['+44', '44'],
    phone: ['425 555 0100', '425 555 0100'],
    extension: ['123', '123'],
    backupCountryCode: ['49', '49'],
    backupPhone: ['206 555 0102', '206 555 0102'],
    backupExtension: ['77', '77'],
    method: ['SMS', 'textMessage'],
    phoneCallMode: ['PIN', 'pin'],
    textMessageMode: ['OTP + PIN', 'otpPin'],
    mobileAppMode: ['Standard', 'standard'],
    enabled: ['No', false],
    oathTokenSerial: ['TOTP0001', 'TOTP0001'],
    sid: ['S-1-5-21-1', 'S-1-5-21-1'],
    objectGuid: ['6f9619ff-8b86-d011-b42d-00cf4fc964ff', '6f9619ff-8b86-d011-b42d-00cf4fc964ff'],
    language: ['English', 'English'],
  };

  it.each(USER_FIELDS.flatMap((spec) => spec.aliases.map((alias) => [spec.name, alias] as const)))('users %s ← %j', async (name, alias) => {
    const [value, expected] = userValues[name] ?? ['', ''];
    const header = name === 'username' ? [alias] : ['Username', alias];
    const row = name === 'username' ? [value] : ['bob@contoso.com', value];
    const file = await folder.write(`users-${name}-${alias}.csv`, `${header.join(',')}\n${row.join(',')}\n`);
    const { records } = await collect(readUsers(file, AUTO));
    expect(records).toHaveLength(1);
    expect(records[0]?.[name as keyof (typeof records)[0]]).toEqual(expected);
  });

  it.each(DEVICE_FIELDS.flatMap((spec) => spec.aliases.map((alias) => [spec.name, alias] as const)))('devices %s ← %j', async (name, alias) => {
    const header = name === 'username' ? [alias, 'Device Name'] : ['Username', alias];
    const value = name === 'activatedAt' || name === 'lastUsedAt' ? '3/14/2023 9:15:02 AM' : 'VALUE1';
    const row = name === 'username' ? ['alice@contoso.com', 'iPhone'] : ['alice@contoso.com', value];
    const file = await folder.write(`devices-${name}-${alias}.csv`, `${header.join(',')}\n${row.join(',')}\n`);
    const { records, findings } = await collect(readDevices(file, AUTO));
    expect(findings).toEqual([]);
    const record = records[0];
    if (record === undefined) throw new Error('no record');
    switch (name) {
      case 'username':
        expect(record.username).toBe('alice@contoso.com');
        break;
      case 'oathSecretKey':
        expect(record.hasOathSecret).toBe(true);
        break;
      case 'deviceToken':
        // Recognised (not an unknown column) and not kept anywhere in the record.
        expect(JSON.stringify(record)).not.toContain('VALUE1');
        break;
      case 'activatedAt':
      case 'lastUsedAt':
        expect(record[name]?.toISOString()).toBe('2023-03-14T09:15:02.000Z');
        break;
      default:
        expect(record[name]).toBe('VALUE1');
    }
  });

  it.each(TOKEN_FIELDS.flatMap((spec) => spec.aliases.map((alias) => [spec.name, alias] as const)))('tokens %s ← %j', async (name, alias) => {
    const values: Record<string, readonly [string, unknown]> = {
      username: ['alice@contoso.com', 'alice@contoso.com'],
      serialNumber: ['TOTP0009', 'TOTP0009'],
      secretKey: ['JBSWY3DPEHPK3PXP', 'JBSWY3DPEHPK3PXP'],
      timeInterval: ['60', 60],
      manufacturer: ['Contoso', 'Contoso'],
      model: ['Key', 'Key'],
      hashFunction: ['HMAC-SHA256', 'hmacsha256'],
    };
    const [value, expected] = values[name] ?? ['', ''];
    const base: Record<string, string> = { serialNumber: 'serial number', secretKey: 'secret key' };
    const columns = { ...base, [name]: alias };
    const cells: Record<string, string> = { serialNumber: 'TOTP0001', secretKey: 'GEZDGNBV', [name]: value };
    const order = Object.keys(columns);
    const file = await folder.write(`tokens-${name}-${alias}.csv`, `${order.map((key) => columns[key]).join(',')}\n${order.map((key) => cells[key]).join(',')}\n`);
    const { records, findings } = await collect(readTokens(file, AUTO));
    expect(findings).toEqual([]);
    const record = records[0];
    if (record === undefined) throw new Error('no record');
    const actual = name === 'secretKey' ? record.secretKey?.reveal() : record[name as keyof typeof record];
    expect(actual).toEqual(expected);
  });
});
