/**
 * Secrets never leave where they belong (docs/design.md "Security", docs/security.md). Known
 * secrets are seeded — fresh OATH seeds for the hardware tokens (the tokens file and the emulator's
 * inventory), fresh Authenticator secrets in the devices export, a fresh client secret for the app
 * — and every command of the built CLI runs against an https emulator with `--auth secret`, with
 * `--json` and without, at every log level. Then stdout, stderr (the tool's only log), every report
 * file and the journal (with its -wal) are searched for each secret in plain text, Base32, hex and
 * base64, for any access token (a JWT), and for the Temporary Access Passes apply made, which may
 * only be in the file the admin asked for. Journal and report files must be 0600 in 0700 folders.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { sampleSeed, tenantFixturePath } from '../support/emulator.js';
import { jsonDocument } from '../support/json-documents.js';
import { projectRoot, runCli, type CliResult } from '../support/run-cli.js';
import { soak } from './run-budget.js';
import { encodeBase32 } from '../../src/base32.js';
import { unzipText } from '../support/xlsx.js';
import { hex, seedShownIn, written } from './seed-forms.js';

/**
 * The quick run takes the quietest and the most verbose level (a level only filters lines of the
 * next one); `npm run test:soak` every level.
 */
const LOG_LEVELS = soak ? (['error', 'warn', 'info', 'debug'] as const) : (['error', 'debug'] as const);
const OUTPUT_MODES = [false, true] as const;
/** Any JWT: a base64url JSON header, a dot, a base64url JSON payload. */
const ACCESS_TOKEN = /eyJ[\w-]{10,}\.eyJ[\w-]{10,}/;
/** Base64 pieces this long (12 bytes) of a secret count as showing it. */
const BASE64_WINDOW = 16;

/** Fresh OATH seeds for the fixture tokens the tool imports (TOTP0001, TOTP0004) and the one already in Entra's inventory (TOTP0005). */
const tokenSeeds = { TOTP0001: randomBytes(20), TOTP0004: randomBytes(20), TOTP0005: randomBytes(20) };
/** Fresh Authenticator secrets for the rows of fixtures/devices.csv. */
const deviceSeeds: Buffer[] = [];
const clientSecret = `mfa~${randomBytes(24).toString('base64url')}`;

let dir: string;
let emulator: RunningEmulator;
let source: string[];
let env: NodeJS.ProcessEnv;
const scanned = { outputs: 0, files: 0, bytes: 0, workbooks: 0 };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mfa-migrate-secrets-'));
  const tokens = [
    'upn,serial number,secret key,time interval,manufacturer,model',
    `,TOTP0001,${hex(tokenSeeds.TOTP0001)},30,Contoso,Hardware Key`,
    `,TOTP0004,${written(tokenSeeds.TOTP0004, 'base32-spaced')},30,Contoso,Hardware Key`,
    `rupert.reyes@contoso.com,TOTP0005,${encodeBase32(tokenSeeds.TOTP0005)},60,Contoso,Hardware Key`,
    '',
  ].join('\r\n');
  const devicesFixture = await readFile(join(projectRoot, 'fixtures', 'devices.csv'), 'utf8');
  const devices = devicesFixture
    .split('\n')
    .map((row, index) => {
      if (index === 0 || row.trim() === '') return row;
      const fields = row.split(',');
      const secret = randomBytes(20);
      deviceSeeds.push(secret);
      fields[4] = encodeBase32(secret);
      return fields.join(',');
    })
    .join('\n');
  await writeFile(join(dir, 'tokens.csv'), tokens);
  await writeFile(join(dir, 'devices.csv'), devices);
  await copyFile(join(projectRoot, 'fixtures', 'users.csv'), join(dir, 'users.csv'));

  const seed = sampleSeed() as ReturnType<typeof sampleSeed> & { hardwareOathDevices: { serialNumber: string; secretKey: string }[] };
  seed.app['clientSecret'] = clientSecret;
  for (const device of seed.hardwareOathDevices) if (device.serialNumber === 'TOTP0005') device.secretKey = encodeBase32(tokenSeeds.TOTP0005);
  emulator = await startEmulator({ tenant: seed, https: true });
  source = ['--users', join(dir, 'users.csv'), '--devices', join(dir, 'devices.csv'), '--tokens', join(dir, 'tokens.csv'), '--upn-suffix', 'contoso.com', '--hardware-tokens', 'import-and-activate'];
  env = {
    AZURE_TENANT_ID: emulator.tenantId,
    AZURE_CLIENT_ID: String(seed.app['clientId']),
    AZURE_CLIENT_SECRET: clientSecret,
    NODE_EXTRA_CA_CERTS: emulator.caCertPath ?? '',
  };
});

afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

/** The forms a secret of these bytes could take in an output. */
function base64Pieces(bytes: Uint8Array): string[] {
  const pieces: string[] = [];
  // Base64 depends on where the bytes start within a 3-byte group: try the three alignments.
  for (const skip of [0, 1, 2]) {
    for (const alphabet of ['base64', 'base64url'] as const) {
      const text = Buffer.from(bytes.subarray(skip)).toString(alphabet).replace(/=+$/, '');
      // Skip the first and last characters, which mix in neighbouring bytes.
      for (let start = 1; start + BASE64_WINDOW < text.length; start += 4) pieces.push(text.slice(start, start + BASE64_WINDOW));
    }
  }
  return pieces;
}

function clientSecretForms(): string[] {
  const bytes = Buffer.from(clientSecret, 'utf8');
  return [clientSecret, bytes.toString('base64').replace(/=+$/, ''), bytes.toString('base64url'), bytes.toString('hex'), encodeBase32(bytes)];
}

/** What `text` gives away, by name; empty when nothing. */
function leaks(text: string, passes: readonly string[]): string[] {
  const found: string[] = [];
  const upper = text.toUpperCase();
  for (const form of clientSecretForms()) if (text.includes(form) || upper.includes(form.toUpperCase())) found.push('client secret');
  const seeds: [string, Uint8Array][] = [...Object.entries(tokenSeeds), ...deviceSeeds.map((bytes, index): [string, Uint8Array] => [`device secret ${String(index + 1)}`, bytes])];
  for (const [name, bytes] of seeds) {
    if (seedShownIn(text, bytes) !== null) found.push(`${name} (Base32 or hex)`);
    if (base64Pieces(bytes).some((piece) => text.includes(piece))) found.push(`${name} (base64)`);
  }
  if (ACCESS_TOKEN.test(text)) found.push('an access token');
  for (const pass of passes) if (text.includes(pass)) found.push('a Temporary Access Pass');
  return [...new Set(found)];
}

/** Every file below `folder`, with its path. */
async function filesBelow(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/**
 * A file's bytes as every text a secret could be read in from it. A workbook is a zip of XML
 * parts, compressed: its parts are scanned unzipped.
 */
async function texts(path: string): Promise<string> {
  const bytes = await readFile(path);
  scanned.files += 1;
  scanned.bytes += bytes.length;
  if (path.endsWith('.xlsx')) {
    scanned.workbooks += 1;
    return [...(await unzipText(path)).values()].join('\n');
  }
  return [bytes.toString('utf8'), bytes.toString('latin1'), bytes.toString('utf16le')].join('\n');
}

async function passesIn(tapFile: string): Promise<string[]> {
  const text = await readFile(tapFile, 'utf8').catch(() => '');
  const [header = '', ...rows] = text.split('\n').filter((row) => row !== '');
  const column = header.split(',').indexOf('temporaryAccessPass');
  return rows.map((row) => row.split(',')[column] ?? '').filter((pass) => pass.length >= 8);
}

describe('no secret in any output, journal or report', () => {
  it('the scan finds each secret in each form it looks for', () => {
    const seed = tokenSeeds.TOTP0004;
    const shown = [
      `key ${clientSecret}.`,
      `basic ${Buffer.from(`id:${clientSecret}`).toString('base64')}`,
      Buffer.from(clientSecret).toString('hex').toUpperCase(),
      `"${written(seed, 'base32-lower')}"`,
      hex(seed.subarray(3, 15)),
      Buffer.from(seed).toString('base64'),
      `x${Buffer.from(seed.subarray(1)).toString('base64url')}`,
      'Bearer eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJodHRwcyJ9.c2ln',
      'TAP: Abc123!xyz9',
    ];
    const names = shown.map((text) => leaks(text, ['Abc123!xyz9']));
    expect(names.map((found) => found.length > 0)).toEqual(shown.map(() => true));
    expect(leaks('a 30 s TOTP token, +1 ••••••0100, run 20261201-031500-a1b2', [])).toEqual([]);
  });

  it('the scan reads the cells of a workbook, which are compressed on disk', async () => {
    const path = join(dir, 'planted.xlsx');
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('users').addRow(['user', clientSecret]);
    await workbook.xlsx.writeFile(path);
    expect((await readFile(path)).includes(clientSecret)).toBe(false);
    expect(leaks(await texts(path), [])).toEqual(['client secret']);
  });

  it.each(LOG_LEVELS.flatMap((level) => OUTPUT_MODES.map((json) => ({ level, json }))))(
    'every command at --log-level $level, --json $json',
    async ({ level, json }) => {
      const name = `${level}-${json ? 'json' : 'text'}`;
      const state = join(dir, `${name}.db`);
      const reports = join(dir, `${name}-reports`);
      const tapFile = join(dir, `${name}-passes.csv`);
      const tenant = ['--auth', 'secret', '--graph-url', emulator.url, '--match-attribute', 'onPremisesSamAccountName'];
      const common = ['--state', state, '--reports', reports, '--log-level', level, '--no-progress', ...(json ? ['--json'] : [])];
      const results: { readonly command: string; readonly result: CliResult }[] = [];
      const run = async (args: readonly string[]): Promise<CliResult> => {
        const result = await runCli(args, { env, timeoutMs: 60_000 });
        results.push({ command: args.slice(0, 2).join(' '), result });
        return result;
      };
      await run(['validate', ...source, ...common]);
      await run(['plan', ...source, ...tenant, ...common]);
      await run(['apply', ...source, ...tenant, ...common, '--tap-for-reregistration', tapFile]);
      await run(['status', '--state', state, ...(json ? ['--json'] : [])]);
      const applyRun = jsonDocument('status', (await run(['status', '--state', state, '--json'])).stdout).run;
      expect(applyRun.command).toBe('apply');
      await run(['verify', ...tenant, ...common]);
      await run(['report', ...common, '--unmask']);
      await run(['rollback', '--run', applyRun.id, ...tenant, ...common]);
      await run(['rollback', '--run', applyRun.id, ...tenant, ...common, '--execute']);
      for (const { command, result } of results) expect([0, 4], `${command}: ${result.stderr}`).toContain(result.code);

      const passes = await passesIn(tapFile);
      expect(passes.length, 'apply made Temporary Access Passes to look for').toBeGreaterThan(0);
      const outputs = results.flatMap(({ command, result }) => [
        { where: `${command} stdout`, text: result.stdout },
        { where: `${command} stderr`, text: result.stderr },
      ]);
      scanned.outputs += outputs.length;
      const files = [...(await filesBelow(reports)), state, `${state}-wal`].filter((path, index, all) => all.indexOf(path) === index);
      for (const file of files) {
        const exists = await stat(file).then(() => true, () => false);
        if (exists) outputs.push({ where: file, text: await texts(file) });
      }
      // The TAP file holds the passes, and nothing else secret.
      outputs.push({ where: tapFile, text: (await texts(tapFile)).split(/\r?\n/).filter((line) => !passes.some((pass) => line.includes(pass))).join('\n') });
      const found = outputs.flatMap(({ where, text }) => leaks(text, passes).map((leak) => `${leak} in ${where}`));
      expect(found).toEqual([]);
      // validate, plan, apply, verify and the rollback each left a workbook, and each was read.
      expect(files.filter((file) => file.endsWith('.xlsx')).length).toBeGreaterThanOrEqual(4);

      // Private files in private folders.
      expect((await stat(state)).mode & 0o777).toBe(0o600);
      expect((await stat(tapFile)).mode & 0o777).toBe(0o600);
      for (const file of await filesBelow(reports)) expect((await stat(file)).mode & 0o777, file).toBe(0o600);
      for (const runFolder of await readdir(reports)) expect((await stat(join(reports, runFolder))).mode & 0o777).toBe(0o700);
    },
    120_000,
  );

  it('demo and the emulator command, at debug, show no secret of their tenant file', async () => {
    const fixture = JSON.parse(await readFile(tenantFixturePath, 'utf8')) as { app: { clientSecret: string }; hardwareOathDevices: { secretKey: string }[] };
    const secrets = [fixture.app.clientSecret, ...fixture.hardwareOathDevices.map((device) => device.secretKey)];
    const outputs: string[] = [];
    for (const json of OUTPUT_MODES) {
      const demo = await runCli(['demo', '--state', join(dir, `demo-${String(json)}.db`), '--reports', join(dir, 'demo-reports'), ...(json ? ['--json'] : [])], { timeoutMs: 60_000 });
      expect(demo.code, demo.stderr).toBe(0);
      outputs.push(demo.stdout, demo.stderr);
    }
    // Serves until stopped: give it time to start and print, then stop it.
    const served = await runCli(['emulator', '--tenant', tenantFixturePath, '--https'], { timeoutMs: 3_000 });
    expect(served.stdout).toMatch(/^https:\/\/127\.0\.0\.1:\d+/);
    outputs.push(served.stdout, served.stderr);
    scanned.outputs += outputs.length;
    for (const text of outputs) {
      for (const secret of secrets) expect(text).not.toContain(secret);
      expect(text).not.toMatch(ACCESS_TOKEN);
    }
  }, 120_000);

  afterAll(() => {
    console.log(
      `secret scan: ${String(1 + Object.keys(tokenSeeds).length + deviceSeeds.length)} seeded secrets, every Temporary Access Pass and every access token, in ${String(scanned.outputs)} outputs and ${String(scanned.files)} files (${(scanned.bytes / 1e6).toFixed(1)} MB; ${String(scanned.workbooks)} workbooks unzipped)`,
    );
  });
});
