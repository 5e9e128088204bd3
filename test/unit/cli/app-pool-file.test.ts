/**
 * `--app-pool <file>`: the apps of one tenant and how each signs in, never a secret. A file that
 * holds one is refused without repeating it; the secret comes from the environment variable the
 * file names. With the tenant options: the pool replaces --auth and --client-id, and
 * --tenant-write-budget caps it (default below Graph's tenant quota).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readAppPoolFile } from '../../../src/cli/app-pool-file.js';
import { addTenantOptions, DEFAULT_TENANT_WRITE_BUDGET, tenantSettingsFrom, type TenantOptions } from '../../../src/cli/tenant-options.js';
import { MigrateError } from '../../../src/errors.js';
import { tempDir } from '../../support/temp-dir.js';

const TENANT = '8f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const APP_1 = 'c0ffee00-0000-4000-8000-000000000001';
const APP_2 = 'c0ffee00-0000-4000-8000-000000000003';
/** The shape of a client secret the Entra admin center generates. */
const ENTRA_SECRET = 'Xq78Q~abcdefghijklmnopqrstuvwxyz0123456.';

let folder: ReturnType<typeof tempDir>;
beforeEach(() => { folder = tempDir(); });
afterEach(() => { folder.remove(); });

function poolFile(document: unknown): string {
  const path = join(folder.dir, 'pool.json');
  writeFileSync(path, typeof document === 'string' ? document : JSON.stringify(document, null, 2));
  return path;
}

function refusal(read: () => unknown): MigrateError {
  try {
    read();
  } catch (error) {
    if (error instanceof MigrateError) return error;
    throw error;
  }
  throw new Error('the pool file was accepted');
}

const TWO_APPS = {
  apps: [
    { name: 'migration-1', clientId: APP_1, clientSecretVariable: 'MFA_APP1_SECRET' },
    { name: 'migration-2', clientId: APP_2, certificatePath: '/etc/mfa/app2.pem', certificatePasswordVariable: 'MFA_APP2_PASSWORD' },
  ],
};

describe('the --app-pool file', () => {
  it('lists each app with the secret of the variable it names, or its certificate', () => {
    const pool = readAppPoolFile(poolFile(TWO_APPS), TENANT, { MFA_APP1_SECRET: 'first-secret', MFA_APP2_PASSWORD: 'pfx-password' });
    expect(pool.apps.map((app) => ({ name: app.name, mode: app.auth.mode, clientId: app.auth.clientId, tenantId: app.auth.tenantId, from: app.credentialSource }))).toEqual([
      { name: 'migration-1', mode: 'secret', clientId: APP_1, tenantId: TENANT, from: 'the environment variable MFA_APP1_SECRET' },
      { name: 'migration-2', mode: 'certificate', clientId: APP_2, tenantId: TENANT, from: 'the certificate /etc/mfa/app2.pem' },
    ]);
    const [first, second] = pool.apps;
    expect(first?.auth.mode === 'secret' ? first.auth.clientSecret.reveal() : null).toBe('first-secret');
    expect(second?.auth.mode === 'certificate' ? second.auth.certificatePassword?.reveal() : null).toBe('pfx-password');
    // Secrets print as [REDACTED] wherever the settings go.
    expect(JSON.stringify(pool)).not.toMatch(/first-secret|pfx-password/);
  });

  it.each([
    ['a clientSecret property', { apps: [{ name: 'a', clientId: APP_1, clientSecret: 'anything at all' }] }, '$.apps[0].clientSecret'],
    ['a password property', { apps: [{ clientId: APP_1, certificatePath: '/x.pem', password: 'hunter2' }] }, '$.apps[0].password'],
    ['a secret pasted as a name', { apps: [{ name: ENTRA_SECRET, clientId: APP_1, clientSecretVariable: 'MFA_APP1_SECRET' }] }, '$.apps[0].name'],
    ['a private key', { apps: [{ clientId: APP_1, certificatePath: '-----BEGIN PRIVATE KEY-----\nMIIEvQ…\n-----END PRIVATE KEY-----' }] }, '$.apps[0].certificatePath'],
  ])('refuses a file holding %s, naming where without repeating it', (_, document, where) => {
    const error = refusal(() => readAppPoolFile(poolFile(document), TENANT, {}));
    expect(error).toMatchObject({ code: 'APP_POOL_HOLDS_SECRET', exitCode: 3 });
    expect(error.message).toContain(where);
    expect(`${error.message} ${error.remedy}`).not.toMatch(/anything at all|hunter2|Xq78Q~|MIIEvQ/);
    expect(error.remedy).toMatch(/rotate/);
  });

  it('refuses a secret given where a variable name belongs, and a secret in a file that is not even JSON', () => {
    const pasted = refusal(() => readAppPoolFile(poolFile({ apps: [{ clientId: APP_1, clientSecretVariable: ENTRA_SECRET }] }), TENANT, {}));
    expect(pasted).toMatchObject({ code: 'APP_POOL_HOLDS_SECRET' });
    expect(pasted.message).not.toContain(ENTRA_SECRET);
    const broken = refusal(() => readAppPoolFile(poolFile(`{"apps": [{"clientId": "${APP_1}", "secret": "${ENTRA_SECRET}"`), TENANT, {}));
    expect(broken).toMatchObject({ code: 'APP_POOL_HOLDS_SECRET' });
    expect(broken.message).not.toContain(ENTRA_SECRET);
  });

  it.each([
    ['not JSON', '{"apps": [\n  {"clientId": }\n]}', /not valid JSON/],
    ['no apps', { pool: [] }, /\$\.apps must be a list/],
    ['an empty list', { apps: [] }, /\$\.apps is empty/],
    ['a client id that is not a GUID', { apps: [{ clientId: 'migration', clientSecretVariable: 'X' }] }, /\$\.apps\[0\]\.clientId must be the Application \(client\) ID/],
    ['both ways to sign in', { apps: [{ clientId: APP_1, clientSecretVariable: 'X', certificatePath: '/x.pem' }] }, /one of them/],
    ['no way to sign in', { apps: [{ clientId: APP_1 }] }, /must say how/],
    ['an unknown property', { apps: [{ clientId: APP_1, clientSecretVariable: 'X', tenant: TENANT }] }, /\$\.apps\[0\]\.tenant is not a property/],
    ['the same app twice', { apps: [{ clientId: APP_1, clientSecretVariable: 'X' }, { name: 'again', clientId: APP_1.toUpperCase(), clientSecretVariable: 'Y' }] }, /listed twice/],
    ['more apps than can help', { apps: Array.from({ length: 11 }, (_, index) => ({ clientId: `c0ffee00-0000-4000-8000-0000000000${String(10 + index)}`, clientSecretVariable: 'X' })) }, /at most 10/],
  ])('refuses %s with APP_POOL_INVALID naming the place', (_, document, message) => {
    const error = refusal(() => readAppPoolFile(poolFile(document), TENANT, { X: 'x', Y: 'y' }));
    expect(error).toMatchObject({ code: 'APP_POOL_INVALID', exitCode: 3 });
    expect(error.message).toMatch(message);
  });

  it('names the variable that is not set, and the file that cannot be read', () => {
    expect(refusal(() => readAppPoolFile(poolFile(TWO_APPS), TENANT, { MFA_APP2_PASSWORD: 'p' }))).toMatchObject({
      code: 'OPTION_MISSING',
      exitCode: 2,
      message: expect.stringMatching(/app "migration-1".*MFA_APP1_SECRET is not set/) as unknown,
    });
    expect(refusal(() => readAppPoolFile(join(folder.dir, 'missing.json'), TENANT, {}))).toMatchObject({ code: 'APP_POOL_UNREADABLE', exitCode: 3, message: expect.stringContaining('ENOENT') as unknown });
  });
});

function parse(args: readonly string[], env: Record<string, string> = {}): TenantOptions {
  const saved = { ...process.env };
  for (const name of ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID']) Reflect.deleteProperty(process.env, name);
  Object.assign(process.env, env);
  try {
    const command = addTenantOptions(new Command('apply').exitOverride().configureOutput({ writeErr: () => undefined }));
    command.parse([...args], { from: 'user' });
    return command.opts<TenantOptions>();
  } finally {
    process.env = saved;
  }
}

describe('--app-pool and --tenant-write-budget among the tenant options', () => {
  const env = { MFA_APP1_SECRET: 's1', MFA_APP2_PASSWORD: 'p2' };

  it('give the gateway every app and the tenant write budget, 15,000 per 5 minutes unless given', () => {
    const path = poolFile(TWO_APPS);
    const settings = tenantSettingsFrom(parse(['--app-pool', path, '--tenant-id', TENANT]), env);
    expect(settings.graph.appPool?.apps.map((app) => app.name)).toEqual(['migration-1', 'migration-2']);
    expect(settings.graph.appPool?.tenantWrites).toEqual({ writesPerWindow: 15_000, writeWindowMs: 300_000 });
    expect(DEFAULT_TENANT_WRITE_BUDGET.writesPerWindow).toBeLessThan(18_000);
    // The first app names the principal where one is asked for.
    expect(settings.graph.auth).toMatchObject({ mode: 'secret', clientId: APP_1 });
    const given = tenantSettingsFrom(parse(['--app-pool', path, '--tenant-id', TENANT, '--tenant-write-budget', '18000/300', '--write-budget', '1500/150']), env);
    expect(given.graph.appPool?.tenantWrites).toEqual({ writesPerWindow: 18_000, writeWindowMs: 300_000 });
    expect(given.graph.limits).toEqual({ writesPerWindow: 1_500, writeWindowMs: 150_000 });
    // AZURE_CLIENT_ID left in the environment is not a --client-id given.
    expect(tenantSettingsFrom(parse(['--app-pool', path], { AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: APP_2 }), { ...env, AZURE_CLIENT_ID: APP_2 }).graph.appPool?.apps).toHaveLength(2);
  });

  it('refuse what signs in another way beside the pool, a pool without a tenant, and a tenant budget without a pool', () => {
    const path = poolFile(TWO_APPS);
    expect(() => tenantSettingsFrom(parse(['--app-pool', path, '--tenant-id', TENANT, '--auth', 'secret']), env)).toThrow(expect.objectContaining({ code: 'OPTION_INVALID', message: expect.stringContaining('--auth secret and --app-pool') as unknown }));
    expect(() => tenantSettingsFrom(parse(['--app-pool', path, '--tenant-id', TENANT, '--client-id', APP_1]), env)).toThrow(expect.objectContaining({ code: 'OPTION_INVALID' }));
    expect(() => tenantSettingsFrom(parse(['--app-pool', path]), env)).toThrow(expect.objectContaining({ code: 'OPTION_MISSING', remedy: expect.stringContaining('AZURE_TENANT_ID') as unknown }));
    expect(() => tenantSettingsFrom(parse(['--tenant-write-budget', '15000/300']), {})).toThrow(expect.objectContaining({ code: 'OPTION_INVALID', message: expect.stringContaining('without --app-pool') as unknown }));
    expect(() => tenantSettingsFrom(parse(['--app-pool', path, '--tenant-id', TENANT, '--tenant-write-budget', 'all']), env)).toThrow(expect.objectContaining({ code: 'OPTION_INVALID', message: expect.stringContaining('--tenant-write-budget "all"') as unknown }));
  });
});
