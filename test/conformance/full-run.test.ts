/**
 * Every command of the product, run through the CLI in-process against the in-process emulator,
 * with every request and answer (plain and inside `$batch`) recorded by an observer on the
 * emulator and checked against Microsoft's CSDL of its API version. A new divergence — a request
 * Graph would not understand, or an answer Graph would not give — fails the build.
 *
 * The run: validate; plan with each `--match-attribute` the exports can feed and with `--group` by
 * name and by id; apply with hardware tokens imported and activated and Temporary Access Passes;
 * a second apply; verify of the run and of the exports; status; report; rollback shown, then
 * executed. Preflight's permission probes run on every command that reads Graph (the emulator's
 * development token carries no claims).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { RunningEmulator } from '../../src/emulator/server.js';
import { capturedIo } from '../support/captured-io.js';
import { ids, startTestEmulator } from '../support/emulator.js';
import { ExchangeRecorder, summarise } from './recorder.js';

interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one command in this process, with captured streams, as bin/mfa-migrate.js would. */
async function cli(args: readonly string[]): Promise<CliRun> {
  const io = capturedIo({ NO_COLOR: '1' });
  const code = await main(['node', 'mfa-migrate', ...args], io);
  return { code, stdout: io.out(), stderr: io.err() };
}

/** Each Graph endpoint the product uses; the run must reach every one, so the check cannot pass by recording too little. */
const PRODUCT_ENDPOINTS = [
  'GET /v1.0/users/$count',
  'GET /v1.0/users',
  'GET /v1.0/users/{key}/authentication/methods',
  'GET /v1.0/policies/authenticationMethodsPolicy',
  'GET /v1.0/groups',
  'GET /v1.0/groups/{key}',
  'GET /v1.0/groups/{key}/transitiveMembers',
  'POST /v1.0/$batch',
  'POST /beta/$batch',
  'GET /beta/users',
  'GET /beta/users/{key}',
  'GET /beta/users/{key}/authentication/methods',
  'GET /beta/users/{key}/authentication/signInPreferences',
  'GET /beta/users/{key}/authentication/hardwareOathMethods',
  'GET /beta/policies/authenticationMethodsPolicy',
  'GET /beta/directory/authenticationMethodDevices/hardwareOathDevices',
  'POST /v1.0/users/{key}/authentication/phoneMethods',
  'POST /beta/users/{key}/authentication/phoneMethods',
  'PATCH /beta/users/{key}/authentication/signInPreferences',
  'POST /beta/directory/authenticationMethodDevices/hardwareOathDevices',
  'POST /beta/users/{key}/authentication/hardwareOathMethods',
  'POST /beta/users/{key}/authentication/hardwareOathMethods/{key}/activate',
  'POST /v1.0/users/{key}/authentication/temporaryAccessPassMethods',
  'DELETE /v1.0/users/{key}/authentication/phoneMethods/{key}',
  'DELETE /beta/users/{key}/authentication/phoneMethods/{key}',
  'DELETE /beta/users/{key}/authentication/hardwareOathMethods/{key}',
  'DELETE /beta/directory/authenticationMethodDevices/hardwareOathDevices/{key}',
];

let dir: string;
let emulator: RunningEmulator;
const recorder = new ExchangeRecorder();
const exitCodes: Record<string, number> = {};

function source(): string[] {
  return ['--users', 'fixtures/users.csv', '--devices', 'fixtures/devices.csv', '--tokens', 'fixtures/tokens.csv', '--upn-suffix', 'contoso.com', '--hardware-tokens', 'import-and-activate'];
}

function tenant(state: string): string[] {
  return ['--auth', 'emulator', '--graph-url', emulator.url, '--state', join(dir, state), '--reports', join(dir, 'reports'), '--no-progress'];
}

async function step(name: string, args: readonly string[]): Promise<CliRun> {
  const run = await cli(args);
  exitCodes[name] = run.code;
  return run;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mfa-migrate-conformance-'));
  emulator = await startTestEmulator({ observer: recorder });
  // A users export with SIDs, for --match-attribute onPremisesSecurityIdentifier.
  const sidUsers = join(dir, 'users-sid.csv');
  await writeFile(sidUsers, 'Username,SID,Primary Country Code,Primary Phone,Method\nCONTOSO\\carol,S-1-5-21-1004336348-1177238915-682003330-1103,44,07911 123456,Text message\n');

  await step('validate', ['validate', ...source()]);
  await step('plan by mail', ['plan', ...source(), ...tenant('lookups.db'), '--match-attribute', 'mail']);
  await step('plan by SID', ['plan', '--users', sidUsers, '--upn-suffix', 'contoso.com', ...tenant('lookups.db'), '--match-attribute', 'onPremisesSecurityIdentifier']);
  await step('plan --group name', ['plan', ...source(), ...tenant('groups.db'), '--match-attribute', 'onPremisesSamAccountName', '--group', 'MFA Server users']);
  await step('plan --group id', ['plan', ...source(), ...tenant('groups.db'), '--match-attribute', 'onPremisesSamAccountName', '--group', ids.mfaGroup]);

  const migrate = [...source(), ...tenant('migration.db'), '--match-attribute', 'onPremisesSamAccountName'];
  await step('plan', ['plan', ...migrate]);
  const applied = await step('apply', ['apply', ...migrate, '--json', '--tap-for-reregistration', join(dir, 'passes.csv'), '--tap-lifetime', '120']);
  const applyRun = (JSON.parse(applied.stdout) as { runId: string }).runId;
  await step('second apply', ['apply', ...migrate]);
  await step('verify --run', ['verify', ...tenant('migration.db'), '--run', applyRun]);
  await step('verify --users', ['verify', ...migrate]);
  await step('status', ['status', '--state', join(dir, 'migration.db'), '--run', applyRun]);
  await step('report', ['report', '--state', join(dir, 'migration.db'), '--reports', join(dir, 'reports'), '--run', applyRun]);
  await step('rollback (dry)', ['rollback', ...tenant('migration.db'), '--run', applyRun]);
  await step('rollback --execute', ['rollback', ...tenant('migration.db'), '--run', applyRun, '--execute']);
}, 120_000);

afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

describe('conformance of a full run to Microsoft Graph\'s CSDL', () => {
  it('ran every command to its end', () => {
    expect(exitCodes).toEqual({
      validate: 0,
      'plan by mail': 0,
      'plan by SID': 0,
      'plan --group name': 0,
      'plan --group id': 0,
      plan: 0,
      apply: 0,
      'second apply': 0,
      'verify --run': 0,
      'verify --users': 0,
      status: 0,
      report: 0,
      'rollback (dry)': 0,
      'rollback --execute': 0,
    });
  });

  it('reached every endpoint the product uses', () => {
    const { endpoints } = summarise(recorder.exchanges);
    expect(PRODUCT_ENDPOINTS.filter((endpoint) => !endpoints.has(endpoint))).toEqual([]);
  });

  it('activated hardware tokens and gave out Temporary Access Passes on the way', async () => {
    const passes = await readFile(join(dir, 'passes.csv'), 'utf8');
    expect(passes.trim().split('\n').length).toBeGreaterThan(1);
    const activations = recorder.exchanges.filter((exchange) => exchange.url.endsWith('/activate') && exchange.status === 204);
    expect(activations.length).toBeGreaterThan(0);
  });

  it('finds 0 divergences between what was said and the CSDL', () => {
    const summary = summarise(recorder.exchanges);
    expect(summary.divergences).toEqual([]);
  });
});

