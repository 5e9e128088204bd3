import { mkdtemp, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeBase32 } from '../../src/base32.js';
import type { ValidateDocument } from '../../src/cli/render/json-documents.js';
import { jsonDocument } from '../support/json-documents.js';
import { runCli } from '../support/run-cli.js';

const fixtures = ['--users', 'fixtures/users.csv', '--devices', 'fixtures/devices.csv', '--tokens', 'fixtures/tokens.csv'];

type UserEntry = ValidateDocument['users'][number];

function codes(user: UserEntry | undefined): string[] {
  return (user?.issues ?? []).map((issue) => issue.code);
}

describe('mfa-migrate validate (built CLI)', () => {
  it('prints the validate document for the sample exports and exits 0 with rejected rows', async () => {
    // --unmask: these are the numbers mapping made (a test of the masking is in reports-and-terminal.test.ts).
    const result = await runCli(['validate', ...fixtures, '--upn-suffix', 'contoso.com', '--json', '--unmask']);
    expect(result.code).toBe(0);
    const document = jsonDocument('validate', result.stdout);
    expect(Object.keys(document)).toEqual(['summary', 'users', 'fileIssues']);
    const byLine = new Map(document.users.map((user) => [user.line, user]));

    expect(document.summary.users).toBe(document.users.length);
    expect(document.summary.ready + document.summary.skipped + document.summary.rejected).toBe(document.summary.users);
    expect(document.summary.rejected).toBeGreaterThan(0);

    const alice = byLine.get(2);
    expect(alice).toMatchObject({
      username: 'alice.anders@contoso.com',
      upn: 'alice.anders@contoso.com',
      status: 'ready',
      phones: { mobile: '+1 4255550100', alternateMobile: null, office: null },
      defaultMethod: 'voiceMobile',
    });
    // R3 + R5: an extension sends the primary to office, and the backup becomes the mobile.
    expect(byLine.get(3)).toMatchObject({
      phones: { mobile: '+1 2065550102', alternateMobile: null, office: '+1 4255550101x123' },
      defaultMethod: 'voiceOffice',
    });
    expect(codes(byLine.get(3))).toContain('BACKUP_PROMOTED_TO_MOBILE');
    // R14: DOMAIN\sam with --upn-suffix; country written as text; R10 PIN mode.
    expect(byLine.get(4)).toMatchObject({ upn: 'carol@contoso.com', phones: { mobile: '+44 7911123456' }, defaultMethod: 'sms' });
    expect(codes(byLine.get(4))).toContain('PIN_MODE_NOT_MIGRATED');
    // R6 duplicate backup; R12 a kept device.
    expect(byLine.get(5)).toMatchObject({ upn: 'dave@contoso.com', phones: { mobile: '+49 15123456789', alternateMobile: null } });
    expect(codes(byLine.get(5))).toContain('DUPLICATE_PHONE');
    expect(byLine.get(5)?.devices).toEqual([{ name: 'iPhone 14', status: 'kept' }]);
    // R1 invalid primary: the backup is still migrated.
    expect(codes(byLine.get(6))).toEqual(expect.arrayContaining(['PHONE_INVALID', 'BACKUP_PROMOTED_TO_MOBILE']));
    expect(byLine.get(6)?.phones.mobile).toBe('+1 2065550103');
    // R2 an extension with "," or "#".
    expect(codes(byLine.get(7))).toContain('EXTENSION_UNSUPPORTED');
    expect(byLine.get(7)?.phones).toEqual({ mobile: null, alternateMobile: null, office: null });
    // R3 text message drops the extension.
    expect(byLine.get(8)).toMatchObject({ phones: { mobile: '+1 4255550105', office: null }, defaultMethod: 'sms' });
    expect(codes(byLine.get(8))).toContain('EXTENSION_DROPPED');
    // R4 the office slot is taken by the primary.
    expect(byLine.get(9)?.phones.office).toBe('+1 4255550106x200');
    expect(codes(byLine.get(9))).toContain('BACKUP_PHONE_SKIPPED');
    // R13 seeds: hex seed imported; missing; invalid; one serial claimed twice.
    expect(byLine.get(11)).toMatchObject({ hardwareTokens: [{ serialNumber: 'TOTP0001' }], defaultMethod: 'oath' });
    expect(codes(byLine.get(12))).toEqual(expect.arrayContaining(['TOKEN_SEED_MISSING', 'DEFAULT_METHOD_FALLBACK']));
    expect(codes(byLine.get(13))).toContain('TOKEN_SEED_INVALID');
    expect(codes(byLine.get(14))).toContain('TOKEN_SERIAL_CONFLICT');
    expect(codes(byLine.get(15))).toContain('TOKEN_SERIAL_CONFLICT');
    expect(byLine.get(14)?.hardwareTokens).toEqual([]);
    // R11 disabled, R16 no username, R15 duplicate username (case-insensitive).
    expect(byLine.get(16)).toMatchObject({ status: 'skipped' });
    expect(codes(byLine.get(16))).toContain('USER_DISABLED');
    expect(byLine.get(17)).toMatchObject({ status: 'rejected' });
    expect(codes(byLine.get(17))).toContain('ROW_INVALID');
    expect(byLine.get(18)).toMatchObject({ status: 'rejected' });
    expect(codes(byLine.get(18))).toContain('DUPLICATE_USER');
    // R12 device limit: 7 distinct names, a token planned → 4 kept.
    const rupert = byLine.get(20);
    expect(rupert?.devices.filter((device) => device.status === 'kept')).toHaveLength(4);
    expect(rupert?.devices.filter((device) => device.status === 'dropped')).toHaveLength(3);
    expect(codes(rupert)).toContain('DEVICE_LIMIT');
    // Unknown method value.
    expect(codes(byLine.get(21))).toContain('VALUE_UNKNOWN');
    // Quoted comma and line break: the next rows keep their real line numbers; spaces trimmed.
    expect(byLine.get(28)?.username).toBe('quentin.quinn@contoso.com');
    expect(byLine.get(30)).toMatchObject({ username: 'uma.underwood@contoso.com', phones: { mobile: '+1 6045550111' } });
    expect(byLine.get(32)?.username).toBe('mike.morgan@contoso.com');

    const fileCodes = document.fileIssues.map((issue) => `${issue.code}@${issue.file}:${issue.line}`);
    expect(fileCodes).toContain('ORPHAN_DEVICE@fixtures/devices.csv:13');
    expect(fileCodes).toContain('TOKEN_UNCLAIMED@fixtures/tokens.csv:6');
    expect(codes(byLine.get(10))).toContain('DATE_INVALID');
    // Summary counts are the issues listed.
    const listed = [...document.users.flatMap((user) => user.issues), ...document.fileIssues];
    const counted = Object.values(document.summary.issues).reduce((sum, count) => sum + count, 0);
    expect(counted).toBe(listed.length);
  });

  it('summarises on stderr by status and code with the first issues at file:line', async () => {
    const result = await runCli(['validate', ...fixtures, '--upn-suffix', 'contoso.com']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/ready \d+ {3}skipped 1 {3}rejected \d+/);
    expect(result.stderr).toContain('PHONE_INVALID');
    expect(result.stderr).toMatch(/fixtures\/users\.csv:6 PHONE_INVALID/);
    expect(result.stderr).toContain('number matching');
  });

  it('never prints an OATH secret from the tokens or devices file, with or without --json', async () => {
    const secrets = await knownSecrets();
    expect(secrets.length).toBeGreaterThan(10);
    for (const extra of [['--json'], [], ['--json', '--log-level', 'debug'], ['--log-level', 'debug']]) {
      const result = await runCli(['validate', ...fixtures, '--upn-suffix', 'contoso.com', ...extra]);
      if (extra.includes('--json')) jsonDocument('validate', result.stdout);
      const output = result.stdout + result.stderr;
      for (const secret of secrets) expect(output).not.toContain(secret);
    }
  });

  it('reads a UTF-16LE export with CRLF and other header aliases', async () => {
    const result = await runCli(['validate', '--users', 'fixtures/users-utf16le.csv', '--upn-suffix', 'contoso.com', '--json', '--unmask']);
    expect(result.code).toBe(0);
    const document = jsonDocument('validate', result.stdout);
    expect(document.users.map((user) => user.upn)).toEqual(['jose.munoz@contoso.com', 'bjorn@contoso.com', 'francois.dupre@contoso.com']);
    expect(document.users[0]?.phones.mobile).toBe('+34 612345678');
    expect(document.users[1]?.phones.mobile).toBe('+46 701234567');
    expect(document.users[2]?.status).toBe('skipped');
  });

  it('exits 3 naming the column when Username is missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mfa-e2e-'));
    const file = join(dir, 'users.csv');
    await writeFile(file, 'First Name,Primary Phone\nAlice,425 555 0100\n');
    const result = await runCli(['validate', '--users', file]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('Username');
    expect(result.stderr).toContain(file);
  });

  it('exits 3 for a missing file and for a directory, naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mfa-e2e-'));
    await mkdir(join(dir, 'folder.csv'));
    for (const path of [join(dir, 'absent.csv'), join(dir, 'folder.csv')]) {
      const result = await runCli(['validate', '--users', path]);
      expect(result.code).toBe(3);
      expect(result.stderr).toContain(path);
    }
  });

  it('exits 2 on an unknown option and on a bad option value', async () => {
    expect((await runCli(['validate', '--users', 'fixtures/users.csv', '--frobnicate'])).code).toBe(2);
    const unknownWithJson = await runCli(['validate', '--users', 'fixtures/users.csv', '--frobnicate', '--json']);
    expect(unknownWithJson.code).toBe(2);
    expect(jsonDocument('error', unknownWithJson.stdout).error).toMatchObject({ code: 'USAGE', exitCode: 2 });
    const bad = await runCli(['validate', '--users', 'fixtures/users.csv', '--encoding', 'ebcdic']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('utf16le');
    const badCountry = await runCli(['validate', '--users', 'fixtures/users.csv', '--default-country-code', 'UK']);
    expect(badCountry.code).toBe(2);
    expect(badCountry.stderr).toContain('--default-country-code');
  });

  it('with --json an input error is one JSON document on stdout too', async () => {
    const result = await runCli(['validate', '--users', 'fixtures/absent.csv', '--json']);
    expect(result.code).toBe(3);
    const document = jsonDocument('error', result.stdout);
    expect(document.error.exitCode).toBe(3);
    expect(document.error.remedy.length).toBeGreaterThan(10);
  });
});

/** Every seed in the sample files, in the forms a leak could take. */
async function knownSecrets(): Promise<string[]> {
  const tokens = (await readFile('fixtures/tokens.csv', 'utf8')).trim().split('\n').slice(1).map((row) => row.split(',')[2] ?? '');
  const devices = (await readFile('fixtures/devices.csv', 'utf8')).trim().split('\n').slice(1).map((row) => row.split(',')[4] ?? '');
  const forms = new Set<string>();
  for (const secret of [...tokens, ...devices].filter((value) => value.length >= 8)) {
    forms.add(secret);
    forms.add(secret.toLowerCase());
    if (/^[0-9a-f]+$/i.test(secret)) forms.add(encodeBase32(Buffer.from(secret, 'hex')));
    forms.add(Buffer.from(secret).toString('base64'));
  }
  return [...forms];
}

