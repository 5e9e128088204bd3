/**
 * Seeds in bad rows never reach a message (docs/design.md "Bad rows"). A seed file or devices
 * export is broken in the ways real ones are — a field left out, an unquoted comma, bad bytes, a
 * NUL, an unclosed quote, the header row missing, columns named in the wrong order — with a random
 * seed in Base32 or hex (any case, grouped or padded), and no finding, error, remedy or record
 * shows any 80 bits of it. The second part runs the built CLI (validate, then plan against the
 * emulator) on such files and searches stdout, stderr and the journal file.
 */
import fc from 'fast-check';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/server.js';
import { MigrateError } from '../../src/errors.js';
import { readDevices } from '../../src/source/devices-reader.js';
import type { ReadOptions } from '../../src/source/records.js';
import { readTokens } from '../../src/source/tokens-reader.js';
import { startTestEmulator } from '../support/emulator.js';
import { runCli } from '../support/run-cli.js';
import { InputTally, runs, seed } from './run-budget.js';
import { seedBytes, seedForms, seedShownIn, written } from './seed-forms.js';
import { withDeadline } from './watchdog.js';

const INPUT_DEADLINE_MS = 15_000;
const AUTO: ReadOptions = { encoding: 'auto', columns: {} };

let folder: string;
const tally = new InputTally();
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mfa-migrate-seeds-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
  console.info(tally.summary('seed-secrecy'));
});

const TOKENS_HEADER = 'serial number,secret key,time interval,hash function,Notes';
const DEVICES_HEADER = 'Username,Device Name,OATH Secret Key,Activated,Last Used';

/** A broken file holding the seed `s`, and whether reading it must stop (exit 3). */
interface Breakage {
  readonly name: string;
  readonly kind: 'tokens' | 'devices';
  readonly file: (s: string) => (string | Uint8Array)[];
  readonly columns?: Readonly<Record<string, string>>;
}

const BREAKAGES: readonly Breakage[] = [
  { name: 'a row without its trailing fields', kind: 'tokens', file: (s) => [TOKENS_HEADER, '\nT1,', s, '\n'] },
  { name: 'the serial left out, so the seed moves into its place', kind: 'tokens', file: (s) => [TOKENS_HEADER, '\n', s, ',30,sha1,n\n'] },
  { name: 'an unquoted comma before the seed', kind: 'tokens', file: (s) => [TOKENS_HEADER, '\nT1,Key, v2,', s, ',30,sha1\n'] },
  { name: 'extra fields after the seed', kind: 'tokens', file: (s) => [TOKENS_HEADER, '\nT1,', s, ',30,sha1,n,', s, '\n'] },
  { name: 'columns named in the wrong order (seed under interval and hash)', kind: 'tokens', file: (s) => [TOKENS_HEADER, '\nT1,x,', s, ',', s, ',n\n'] },
  { name: 'invalid UTF-8 inside the seed', kind: 'tokens', file: (s) => [TOKENS_HEADER, '\nT1,', s.slice(0, 8), Buffer.from([0xff]), s.slice(8), ',30,,n\n'] },
  { name: 'a NUL after the seed', kind: 'tokens', file: (s) => [TOKENS_HEADER, '\nT1,', s, '\u0000,30,,n\n'] },
  { name: 'a quote opened before the seed and never closed', kind: 'tokens', file: (s) => [TOKENS_HEADER, '\nT0,JBSWY3DPEHPK3PXP,30,,n\nT1,"', s, ',30,,n\n'] },
  { name: 'no header row (the first row is taken for it)', kind: 'tokens', file: (s) => ['T1,', s, ',30,sha1,n\nT2,', s, ',30,,n\n'] },
  { name: 'no header row, with --columns', kind: 'tokens', file: (s) => ['T1,', s, ',30\n'], columns: { secretKey: 'Seed Value' } },
  { name: 'the seed in the header row', kind: 'tokens', file: (s) => ['serial number,secret key,', s, '\nT1,JBSWY3DPEHPK3PXP,x\n'] },
  { name: 'the header row repeated mid-file with a seed in it', kind: 'tokens', file: (s) => [TOKENS_HEADER, '\nT1,', s, ',30,,n\n', TOKENS_HEADER, ',', s, '\n'] },
  { name: 'a device name with an unquoted comma', kind: 'devices', file: (s) => [DEVICES_HEADER, '\ndave,iPhone, 14,', s, ',2024-01-01,\n'] },
  { name: 'a device row with fields left out', kind: 'devices', file: (s) => [DEVICES_HEADER, '\ndave,', s, ',2024-01-01\n'] },
  { name: 'a device seed under the Activated column', kind: 'devices', file: (s) => [DEVICES_HEADER, '\ndave,iPhone,x,', s, ',', s, '\n'] },
  { name: 'a devices file without its header row', kind: 'devices', file: (s) => ['dave,iPhone,', s, ',2024-01-01,\n'] },
];

function bytesOf(parts: readonly (string | Uint8Array)[]): Buffer {
  return Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part)));
}

/** Everything a person or a file could be shown of reading `path`: messages, remedies, records. */
async function everythingShown(breakage: Breakage, path: string): Promise<string[]> {
  const options: ReadOptions = { ...AUTO, columns: breakage.columns ?? {} };
  const shown: string[] = [];
  try {
    const items = breakage.kind === 'tokens' ? readTokens(path, options) : readDevices(path, options);
    for await (const item of items) shown.push(JSON.stringify(item), inspect(item, { depth: 10 }));
  } catch (error) {
    if (!(error instanceof MigrateError)) throw error;
    expect(error.exitCode).toBe(3);
    expect(error.message).toContain(path);
    shown.push(error.message, error.remedy, JSON.stringify(error), inspect(error, { depth: 10 }), String(error));
  }
  return shown;
}

describe('a seed in a broken row is never shown', () => {
  it.each(BREAKAGES)('$kind file: $name', async (breakage) => {
    await fc.assert(
      fc.asyncProperty(seedBytes, seedForms, async (bytes, form) => {
        tally.count(`${breakage.kind}: ${breakage.name}`);
        const path = join(folder, `${breakage.kind}.csv`);
        await writeFile(path, bytesOf(breakage.file(written(bytes, form))));
        const shown = await withDeadline(everythingShown(breakage, path), INPUT_DEADLINE_MS, `${breakage.name} (HOSTILE_SEED=${seed})`);
        for (const text of shown) expect(seedShownIn(text, bytes)).toBeNull();
      }),
      { numRuns: runs(25), seed },
    );
  });
});

describe('the built CLI never shows or stores a seed of a broken seed file', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startTestEmulator();
  });
  afterAll(async () => {
    await emulator.close();
  });

  // Fixed seeds, one per form, so the check is the same every run.
  const base32Seed = Uint8Array.from({ length: 20 }, (_unused, index) => (index * 37 + 11) % 256);
  const hexSeed = Uint8Array.from({ length: 32 }, (_unused, index) => (index * 53 + 7) % 256);

  it('validate and plan print no part of a seed, and plan stores none in the journal', async () => {
    const b32 = written(base32Seed, 'base32-spaced');
    const hexText = written(hexSeed, 'hex-upper');
    const users = [
      'Username,Primary Country Code,Primary Phone,Method,OATH Token Serial',
      'alice.anders@contoso.com,1,425 555 0100,OATH token,T1',
      'bob.brown@contoso.com,1,425 555 0101,OATH token,T2',
      'carol.clarke@contoso.com,1,425 555 0102,OATH token,T3',
      'dave,1,425 555 0103,OATH token,T4',
      'erin,1,425 555 0104,OATH token,T5',
      '',
    ].join('\r\n');
    const tokens = Buffer.concat([
      Buffer.from(
        [
          'upn,serial number,secret key,time interval,hash function,manufacturer,model',
          // A seed that is not Base32 or hex, one too long, one under the interval and hash columns.
          `,T1,${b32}!!,30,,Contoso,Key`,
          `,T2,${hexText.repeat(3)},30,,Contoso,Key`,
          `,T3,x,${b32},${hexText},Contoso,Key`,
          // The serial left out, so the seed moves into the serial's place; extra fields.
          `,${b32},30,,Contoso,Key`,
          `,T4,${hexText},30,,Contoso,Key,${hexText}`,
          '',
        ].join('\r\n'),
      ),
      Buffer.from(`,T5,${b32.slice(0, 10)}`),
      Buffer.from([0xc3]),
      Buffer.from(`${b32.slice(10)},30,,Contoso,Key\r\n,T6,"${hexText},30\r\n`),
    ]);
    const devices = `Username,Device Name,OATH Secret Key,Activated\r\ndave,iPhone, 14,${b32},2024-01-01\r\nerin,Pixel,x,${hexText}\r\n`;
    const usersPath = join(folder, 'cli-users.csv');
    const tokensPath = join(folder, 'cli-tokens.csv');
    const devicesPath = join(folder, 'cli-devices.csv');
    await writeFile(usersPath, users);
    await writeFile(tokensPath, tokens);
    await writeFile(devicesPath, devices);
    const source = ['--users', usersPath, '--devices', devicesPath, '--upn-suffix', 'contoso.com'];

    // The unclosed quote on the last row stops the tokens file (exit 3): its message must not show the seed either.
    const stopped = await runCli(['validate', ...source, '--tokens', tokensPath, '--json', '--no-progress']);
    expect(stopped.code).toBe(3);
    expect(stopped.stderr).toContain('CSV_QUOTE_NOT_CLOSED');
    const shown = [stopped.stdout, stopped.stderr];

    const readable = join(folder, 'cli-tokens-readable.csv');
    await writeFile(readable, tokens.subarray(0, tokens.lastIndexOf(Buffer.from(',T6,'))));
    // Read as UTF-8 (--encoding utf8), the bad byte spoils its row: BYTES_UNDECODABLE. Without
    // --encoding the whole file is not valid UTF-8 and is read as Windows-1252: the byte is a
    // letter inside the seed, which makes it TOKEN_SEED_INVALID. Neither shows the seed.
    const validated = await runCli(['validate', ...source, '--tokens', readable, '--encoding', 'utf8', '--json', '--no-progress']);
    expect(validated.code).toBe(0);
    expect(validated.stdout).toContain('TOKEN_SEED_INVALID');
    expect(validated.stdout).toContain('ROW_INVALID');
    expect(validated.stdout).toContain('BYTES_UNDECODABLE');
    shown.push(validated.stdout, validated.stderr);
    const detected = await runCli(['validate', ...source, '--tokens', readable, '--json', '--no-progress']);
    expect(detected.code).toBe(0);
    expect(detected.stdout).toContain('FILE_FORMAT_DETECTED');
    expect(detected.stdout).not.toContain('BYTES_UNDECODABLE');
    shown.push(detected.stdout, detected.stderr);

    const state = join(folder, 'seeds.db');
    const planned = await runCli(['plan', ...source, '--tokens', readable, '--auth', 'emulator', '--graph-url', emulator.url, '--state', state, '--json', '--no-progress']);
    expect(planned.code).toBe(0);
    shown.push(planned.stdout, planned.stderr);
    for (const file of [state, `${state}-wal`]) {
      const stored = await readFile(file).catch(() => Buffer.alloc(0));
      shown.push(stored.toString('latin1'), stored.toString('utf16le'));
    }
    for (const text of shown) {
      expect(seedShownIn(text, base32Seed)).toBeNull();
      expect(seedShownIn(text, hexSeed)).toBeNull();
    }
  }, 60_000);
});
