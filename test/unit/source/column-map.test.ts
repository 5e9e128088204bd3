import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MigrateError } from '../../../src/errors.js';
import { loadColumnMap } from '../../../src/source/column-map.js';
import { matchHeader } from '../../../src/source/header.js';
import { readUsers } from '../../../src/source/users-reader.js';
import { readDevices } from '../../../src/source/devices-reader.js';
import { collect, exportFolder, firstError } from './export-files.js';
import type { ExportFolder } from './export-files.js';

let folder: ExportFolder;
beforeAll(async () => {
  folder = await exportFolder();
});
afterAll(async () => {
  await folder.remove();
});

describe('--columns overrides aliases', () => {
  it('reads a field from the mapped header', async () => {
    const file = await folder.write('mapped.csv', 'Login,Mobile Number,Phone\nalice@contoso.com,07700 900123,425 555 0100\n');
    const { records, findings } = await collect(readUsers(file, { encoding: 'auto', columns: { username: 'Login', phone: 'Mobile Number' } }));
    expect(records[0]?.username).toBe('alice@contoso.com');
    expect(records[0]?.phone).toBe('07700 900123');
    // "Phone" would have been the phone column; with the map it is an unused column.
    expect(findings.map((f) => f.code)).toEqual(['UNKNOWN_COLUMNS']);
    expect(findings[0]?.message).toContain('"Phone"');
  });

  it('matches the mapped header text like any header (case, spaces, _ - .)', () => {
    const layout = matchHeader('users.csv', 'users', ['Username', 'MOBILE_NUMBER'], { phone: 'Mobile Number' });
    expect(layout.indexOf('phone')).toBe(1);
  });

  it('applies a file-qualified key to that file only, over the plain key', () => {
    const columns = { username: 'Login', 'devices.username': 'Account' };
    expect(matchHeader('users.csv', 'users', ['Login'], columns).indexOf('username')).toBe(0);
    expect(matchHeader('devices.csv', 'devices', ['Account', 'Login'], columns).indexOf('username')).toBe(0);
    expect(matchHeader('tokens.csv', 'tokens', ['Serial', 'Seed', 'Login'], { 'users.username': 'Nope' }).indexOf('username')).toBe(-1);
  });

  it('ignores entries for fields the file does not have', () => {
    const layout = matchHeader('devices.csv', 'devices', ['Username'], { phone: 'Mobile Number' });
    expect(layout.indexOf('username')).toBe(0);
  });

  it('stops with exit 3 naming the file, the field and the header when the mapped header is absent', async () => {
    const file = await folder.write('devices.csv', 'Username,Device Name\nalice,iPhone\n');
    const error = await firstError(readDevices(file, { encoding: 'auto', columns: { deviceName: 'Handset' } }));
    expect(error).toBeInstanceOf(MigrateError);
    const migrateError = error as MigrateError;
    expect(migrateError.exitCode).toBe(3);
    expect(migrateError.code).toBe('CSV_MAPPED_COLUMN_MISSING');
    expect(migrateError.message).toContain(file);
    expect(migrateError.message).toContain('deviceName');
    expect(migrateError.message).toContain('"Handset"');
    expect(migrateError.message).toContain('"Device Name"');
    expect(migrateError.remedy).toContain('devices.deviceName');
  });
});

describe('loadColumnMap', () => {
  it('returns canonical keys, prefixes kept and values trimmed', async () => {
    const file = await folder.write('map.json', '\uFEFF{"Phone": " Mobile Number ", "devices.user_name": "Login", "PhoneCallMode": "Call Mode"}');
    await expect(loadColumnMap(file)).resolves.toEqual({ phone: 'Mobile Number', 'devices.username': 'Login', phoneCallMode: 'Call Mode' });
  });

  it.each([
    ['not JSON', '{phone: Mobile}', 'not valid JSON'],
    ['an array', '["phone"]', 'JSON object'],
    ['a number value', '{"phone": 3}', '"phone"'],
    ['an empty header', '{"phone": "  "}', '"phone"'],
    ['an unknown field', '{"fax": "Fax Number"}', '"fax" names no field'],
    ['an unknown file prefix', '{"people.phone": "Mobile"}', '"people" is not users, devices or tokens'],
    ['a field of another file', '{"devices.phone": "Mobile"}', 'the devices export'],
  ])('rejects %s with exit 3', async (_case, content, text) => {
    const file = await folder.write('bad-map.json', content);
    const error = await loadColumnMap(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MigrateError);
    expect((error as MigrateError).exitCode).toBe(3);
    expect((error as MigrateError).code).toBe('COLUMN_MAP_INVALID');
    expect((error as MigrateError).message).toContain(text);
  });

  it('reports a missing map file with exit 3', async () => {
    const error = await loadColumnMap(`${folder.path}/nope.json`).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MigrateError);
    expect((error as MigrateError).code).toBe('COLUMN_MAP_NOT_FOUND');
    expect((error as MigrateError).exitCode).toBe(3);
  });
});
