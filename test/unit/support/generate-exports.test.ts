import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEVICES_HEADER,
  generateExports,
  parseGeneratorArgs,
  TOKENS_HEADER,
  USERS_HEADER,
  type GenerateOptions,
  type GeneratedFiles,
} from '../../support/generate-exports.js';

const USERS = 2_000;

let tempRoot = '';

function options(name: string, overrides: Partial<GenerateOptions> = {}): GenerateOptions {
  return {
    users: USERS,
    outDir: path.join(tempRoot, name),
    seed: 42,
    devicesPerUser: 1,
    tokenShare: 0.05,
    encoding: 'utf8',
    ...overrides,
  };
}

function records(text: string): Record<string, string>[] {
  return parse<Record<string, string>>(text, { columns: true, skip_empty_lines: true });
}

/** Digits at the end of "1", "+44" or "United Kingdom +44"; empty means the default, 1. */
function callingCode(field: string): string {
  return /(\d+)\s*$/.exec(field)?.[1] ?? '1';
}

function isValidNumber(phone: string, countryCodeField: string): boolean {
  const parsed = parsePhoneNumberFromString(phone.trim(), { defaultCallingCode: callingCode(countryCodeField) });
  return parsed?.isValid() ?? false;
}

let utf8: GeneratedFiles;
let usersText = '';
let users: Record<string, string>[] = [];
let devices: Record<string, string>[] = [];
let tokens: Record<string, string>[] = [];

beforeAll(async () => {
  tempRoot = await mkdtemp(path.join(os.tmpdir(), 'mfa-migrate-generate-'));
  utf8 = await generateExports(options('utf8'));
  usersText = await readFile(utf8.users, 'utf8');
  users = records(usersText);
  devices = records(await readFile(utf8.devices, 'utf8'));
  tokens = records(await readFile(utf8.tokens, 'utf8'));
});

afterAll(async () => {
  await rm(tempRoot, { recursive: true, force: true });
});

describe('generateExports', () => {
  it('writes the MFA Server and Entra headers exactly', async () => {
    expect(usersText.split('\n')[0]).toBe(
      'Username,First Name,Last Name,Email,Primary Country Code,Primary Phone,Primary Extension,'
      + 'Backup Country Code,Backup Phone,Backup Extension,Method,Phone Call Mode,Text Message Mode,'
      + 'Mobile App Mode,Enabled,OATH Token Serial,Language',
    );
    expect((await readFile(utf8.devices, 'utf8')).split('\n')[0]).toBe(DEVICES_HEADER.join(','));
    expect((await readFile(utf8.tokens, 'utf8')).split('\n')[0]).toBe(
      'upn,serial number,secret key,time interval,manufacturer,model',
    );
    expect(Object.keys(users[0] ?? {})).toEqual([...USERS_HEADER]);
    expect(TOKENS_HEADER).toHaveLength(6);
  });

  it('reports row counts that match the files', () => {
    expect(users).toHaveLength(USERS);
    expect(utf8.counts.users).toBe(USERS);
    expect(utf8.counts.devices).toBe(devices.length);
    expect(utf8.counts.tokens).toBe(tokens.length);
    // ≈ users × devicesPerUser, ≈1 % bad rows, ≈5 % hardware tokens.
    expect(devices.length).toBeGreaterThan(USERS * 0.85);
    expect(devices.length).toBeLessThan(USERS * 1.15);
    expect(utf8.counts.badRows).toBeGreaterThan(USERS * 0.004);
    expect(utf8.counts.badRows).toBeLessThan(USERS * 0.02);
    expect(tokens.length).toBeGreaterThan(USERS * 0.03);
    expect(tokens.length).toBeLessThan(USERS * 0.07);
  });

  it('is deterministic: the same seed gives identical bytes, another seed other data', async () => {
    const again = await generateExports(options('utf8-again'));
    const other = await generateExports(options('utf8-other-seed', { seed: 7 }));
    for (const file of ['users', 'devices', 'tokens'] as const) {
      expect((await readFile(again[file])).equals(await readFile(utf8[file]))).toBe(true);
    }
    expect((await readFile(other.users)).equals(await readFile(utf8.users))).toBe(false);
    expect(again.counts).toEqual(utf8.counts);
  });

  it('writes valid phone numbers for their country, except the deliberately short ones', () => {
    let invalidPrimary = 0;
    for (const user of users) {
      const phone = user['Primary Phone'] ?? '';
      if (!isValidNumber(phone, user['Primary Country Code'] ?? '')) {
        invalidPrimary++;
        // The PHONE_INVALID bad row: 5 digits, possibly followed by an extension.
        expect(phone.trim().split(/\s+x|\s+ext\./)[0]).toMatch(/^\d{5}$/);
      }
      const backup = user['Backup Phone'] ?? '';
      if (backup !== '') expect(isValidNumber(backup, user['Backup Country Code'] ?? '')).toBe(true);
    }
    expect(invalidPrimary).toBeGreaterThan(0);
    expect(invalidPrimary).toBeLessThanOrEqual(utf8.counts.badRows);
  });

  it('mixes username shapes, countries, methods and the awkward rows the readers and mapping rules handle', () => {
    const share = (test: (user: Record<string, string>) => boolean): number =>
      users.filter(test).length / users.length;
    expect(share((u) => (u.Username ?? '').includes('@'))).toBeCloseTo(0.7, 1);
    expect(share((u) => (u.Username ?? '').startsWith('CONTOSO\\'))).toBeCloseTo(0.2, 1);
    expect(share((u) => u.Method === 'Phone call')).toBeCloseTo(0.45, 1);
    expect(share((u) => u.Method === 'OATH token')).toBeCloseTo(0.05, 1);
    expect(share((u) => callingCode(u['Primary Country Code'] ?? '') === '1')).toBeCloseTo(0.55, 1);
    expect(share((u) => u.Enabled === 'Yes')).toBeGreaterThan(0.94);
    const present = (test: (user: Record<string, string>) => boolean): boolean => users.some(test);
    expect(present((u) => u.Username === '')).toBe(true);
    expect(present((u) => u.Method === 'Fax')).toBe(true);
    expect(present((u) => (u['Last Name'] ?? '').includes(', '))).toBe(true);
    expect(present((u) => /^[A-Za-z ]+ \+\d+$/.test(u['Primary Country Code'] ?? ''))).toBe(true);
    expect(present((u) => /^\d+$/.test(u['Primary Extension'] ?? ''))).toBe(true);
    expect(present((u) => /^(PIN|OTP \+ PIN)$/.test(u['Phone Call Mode'] ?? '') || /PIN/.test(u['Text Message Mode'] ?? ''))).toBe(true);
    expect(present((u) => /^TOTP\d{9}$/.test(u['OATH Token Serial'] ?? '') && u.Method === 'OATH token')).toBe(true);
    const seen = new Set<string>();
    let duplicates = 0;
    for (const user of users) {
      const key = (user.Username ?? '').toLowerCase();
      if (key === '') continue;
      if (seen.has(key)) {
        duplicates++;
        expect(users.some((earlier) => earlier.Username?.toLowerCase() === key && earlier.Username !== user.Username)).toBe(true);
      }
      seen.add(key);
    }
    expect(duplicates).toBeGreaterThan(0);
    expect(duplicates).toBeLessThan(utf8.counts.badRows);
  });

  it('gives devices to the users as written, with case-only duplicate names and a few orphans', () => {
    const usernames = new Set(users.map((u) => u.Username ?? ''));
    const orphans = devices.filter((d) => !usernames.has(d.Username ?? ''));
    expect(orphans.length).toBeLessThan(devices.length * 0.02);
    const namesByUser = new Map<string, string[]>();
    for (const device of devices) {
      const names = namesByUser.get(device.Username ?? '') ?? [];
      names.push(device['Device Name'] ?? '');
      namesByUser.set(device.Username ?? '', names);
    }
    const caseOnlyDuplicates = [...namesByUser.values()].filter((names) =>
      new Set(names.map((name) => name.toLowerCase())).size < new Set(names).size);
    expect(caseOnlyDuplicates.length).toBeGreaterThan(0);
    const dateShapes = /^(\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d{2}:\d{2} [AP]M|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)$/;
    for (const device of devices) expect(device.Activated).toMatch(dateShapes);
    expect(devices.some((d) => d.Activated?.includes('T'))).toBe(true);
    expect(devices.filter((d) => d['OATH Secret Key'] !== '').every((d) => /^[A-Z2-7]{32}$/.test(d['OATH Secret Key'] ?? ''))).toBe(true);
  });

  it('writes one seed per claimed serial, Base32 or hex, with missing and invalid seeds', () => {
    const serials = new Set(users.map((u) => u['OATH Token Serial'] ?? '').filter((s) => s !== ''));
    const seeded = new Set(tokens.map((t) => t['serial number'] ?? ''));
    expect(seeded.size).toBe(tokens.length);
    for (const token of tokens) {
      expect(token['serial number']).toMatch(/^TOTP\d{9}$/);
      expect(token['time interval']).toMatch(/^(30|60)$/);
      expect(token.manufacturer).toBe('Contoso');
      expect(token.model).toBe('Hardware Key');
      expect(token['secret key']).toMatch(/^([A-Z2-7]{32}|[0-9a-f]{40}|.*[!?%*&~].*)$/);
    }
    const upnEmpty = tokens.filter((t) => t.upn === '').length / tokens.length;
    expect(upnEmpty).toBeGreaterThan(0.3);
    expect(upnEmpty).toBeLessThan(0.7);
    const claimed = tokens.filter((t) => serials.has(t['serial number'] ?? '')).length;
    expect(claimed / tokens.length).toBeGreaterThan(0.9);
    expect([...serials].filter((serial) => !seeded.has(serial)).length).toBeLessThan(serials.size * 0.1);
  });

  it('writes utf16le with a BOM and CRLF, and utf8 with neither, holding the same rows', async () => {
    const utf16 = await generateExports(options('utf16le', { encoding: 'utf16le' }));
    expect(utf16.counts).toEqual(utf8.counts);
    for (const file of ['users', 'devices', 'tokens'] as const) {
      const bytes = await readFile(utf16[file]);
      expect([bytes[0], bytes[1]]).toEqual([0xff, 0xfe]);
      const text = bytes.subarray(2).toString('utf16le');
      expect(text).not.toMatch(/[^\r]\n/);
      expect(text.endsWith('\r\n')).toBe(true);
      const utf8Bytes = await readFile(utf8[file]);
      expect([utf8Bytes[0], utf8Bytes[1], utf8Bytes[2]]).not.toEqual([0xef, 0xbb, 0xbf]);
      const utf8Text = utf8Bytes.toString('utf8');
      expect(utf8Text).not.toContain('\r');
      expect(text.replace(/\r\n/g, '\n')).toBe(utf8Text);
    }
  });
});

describe('parseGeneratorArgs', () => {
  it('reads the options with their defaults', () => {
    expect(parseGeneratorArgs(['--users', '100000', '--out', 'bench/data/100k'])).toEqual({
      users: 100_000, outDir: 'bench/data/100k', seed: 42, devicesPerUser: 1, tokenShare: 0.05, encoding: 'utf8',
    });
    expect(parseGeneratorArgs(['--users', '5', '--out', 'x', '--seed', '7', '--devices-per-user', '2.5', '--encoding', 'utf16le']))
      .toMatchObject({ seed: 7, devicesPerUser: 2.5, encoding: 'utf16le' });
  });

  it('refuses missing or malformed options', () => {
    expect(() => parseGeneratorArgs(['--out', 'x'])).toThrow(/--users is required/);
    expect(() => parseGeneratorArgs(['--users', '1e', '--out', 'x'])).toThrow(/--users must be a whole number/);
    expect(() => parseGeneratorArgs(['--users', '5', '--out', 'x', '--encoding', 'latin1'])).toThrow(/utf8 or utf16le/);
    expect(() => parseGeneratorArgs(['--users', '5', '--out', 'x', '--devices-per-user', '9'])).toThrow(/between 0 and 7/);
    expect(() => parseGeneratorArgs(['--users', '5', '--out', 'x', '--colour'])).toThrow(/--colour/);
  });
});
