/**
 * `--app-pool` as an admin runs it: the built CLI against an https emulator whose tenant holds
 * three app registrations, each signing in with the secret of the environment variable its entry
 * names (trusting the emulator's CA through NODE_EXTRA_CA_CERTS). apply exits 0, the `--json`
 * document is valid, the report's run header lists the three apps with the operations each sent,
 * and status reads the run. A pool file holding a secret is refused before anything is sent, and
 * neither the secret nor any other reaches the output.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { poolApps, seedWithPool } from '../support/app-pool.js';
import { sampleSeed } from '../support/emulator.js';
import { jsonDocument } from '../support/json-documents.js';
import { runCli } from '../support/run-cli.js';

const apps = poolApps(3);
const variableOf = (index: number): string => `MFA_POOL_APP${String(index + 1)}_SECRET`;

let dir: string;
let emulator: RunningEmulator;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mfa-migrate-pool-e2e-'));
  emulator = await startEmulator({ tenant: seedWithPool(sampleSeed(), apps), https: true });
  env = {
    NODE_EXTRA_CA_CERTS: emulator.caCertPath ?? '',
    AZURE_TENANT_ID: emulator.tenantId,
    ...Object.fromEntries(apps.map((app, index) => [variableOf(index), app.clientSecret])),
  };
  await writeFile(join(dir, 'pool.json'), JSON.stringify({ apps: apps.map((app, index) => ({ name: app.name, clientId: app.clientId, clientSecretVariable: variableOf(index) })) }, null, 2));
});
afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

function applyArgs(pool: string): string[] {
  return [
    'apply', '--users', 'fixtures/users.csv', '--devices', 'fixtures/devices.csv', '--tokens', 'fixtures/tokens.csv', '--upn-suffix', 'contoso.com',
    '--app-pool', pool, '--graph-url', emulator.url, '--match-attribute', 'onPremisesSamAccountName',
    '--state', join(dir, 'journal.db'), '--reports', join(dir, 'reports'), '--no-progress', '--json',
  ];
}

describe('apply --app-pool', () => {
  it('signs in as every app of the pool, writes through them and lists them in the report', async () => {
    const result = await runCli(applyArgs(join(dir, 'pool.json')), { env, timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    const document = jsonDocument('apply', result.stdout);
    expect(Object.values(document.summary.operationsByKind).flatMap((byStatus) => Object.keys(byStatus))).not.toContain('failed');
    expect(emulator.stats().tokensIssued).toBe(3);

    const report = JSON.parse(await readFile(join(dir, 'reports', document.runId, 'reconciliation.json'), 'utf8')) as { run: { apps: { name: string; clientId: string; operations: number }[] } };
    expect(report.run.apps.map((app) => app.name)).toEqual(apps.map((app) => app.name));
    expect(report.run.apps.filter((app) => app.operations > 0).length).toBeGreaterThan(1);
    const html = await readFile(join(dir, 'reports', document.runId, 'report.html'), 'utf8');
    expect(html).toContain('App pool (3 apps): migration-1');

    const status = await runCli(['status', '--state', join(dir, 'journal.db'), '--json'], { env });
    expect(status.code, status.stderr).toBe(0);
    expect(jsonDocument('status', status.stdout).run.id).toBe(document.runId);
    // No secret of any app in anything printed, in the journal or in a report.
    const written = [result.stdout, result.stderr, status.stdout];
    for (const file of [join(dir, 'journal.db'), join(dir, 'journal.db-wal'), ...(await readdir(join(dir, 'reports', document.runId))).map((name) => join(dir, 'reports', document.runId, name))]) {
      written.push(await readFile(file, 'latin1').catch(() => ''));
    }
    for (const app of apps) expect(written.filter((text) => text.includes(app.clientSecret))).toEqual([]);
    expect(written.join('').length).toBeGreaterThan(10_000);
  }, 90_000);

  it('refuses a pool file that holds a secret, exit 3, without sending anything or printing the secret', async () => {
    const secret = 'Ab1cQ~abcdefghijklmnopqrstuvwxyz0123456789';
    const leaky = join(dir, 'leaky-pool.json');
    await writeFile(leaky, JSON.stringify({ apps: [{ name: 'migration-1', clientId: apps[0]?.clientId, clientSecret: secret }] }));
    const before = emulator.stats().requests;
    const result = await runCli(applyArgs(leaky), { env });
    expect(result.code).toBe(3);
    expect(jsonDocument('error', result.stdout).error).toMatchObject({ code: 'APP_POOL_HOLDS_SECRET', exitCode: 3 });
    expect(`${result.stdout}${result.stderr}`).not.toContain(secret);
    expect(emulator.stats().requests).toBe(before);
  }, 30_000);
});
