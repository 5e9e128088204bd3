import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addTenantOptions, tenantSettingsFrom, type TenantOptions } from '../../../src/cli/tenant-options.js';

const TENANT = '8f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const CLIENT = 'c0ffee00-0000-4000-8000-000000000001';

function parse(args: readonly string[], env: Record<string, string> = {}): TenantOptions {
  const saved = { ...process.env };
  // commander reads option environment variables from process.env at parse time.
  for (const name of ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID']) Reflect.deleteProperty(process.env, name);
  Object.assign(process.env, env);
  try {
    const command = addTenantOptions(new Command('plan').exitOverride().configureOutput({ writeErr: () => undefined }));
    command.parse([...args], { from: 'user' });
    return command.opts<TenantOptions>();
  } finally {
    process.env = saved;
  }
}

describe('tenant options', () => {
  it('defaults to DefaultAzureCredential in the global cloud', () => {
    const settings = tenantSettingsFrom(parse([]), {});
    expect(settings.graph).toMatchObject({ graphRoot: 'https://graph.microsoft.com', authorityHost: 'https://login.microsoftonline.com', auth: { mode: 'default', tenantId: null, clientId: null } });
    expect(settings).toMatchObject({ group: null, only: null });
  });

  it('takes tenant and client from AZURE_TENANT_ID / AZURE_CLIENT_ID and the secret only from AZURE_CLIENT_SECRET', () => {
    const env = { AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT, AZURE_CLIENT_SECRET: 'top-secret' };
    const settings = tenantSettingsFrom(parse(['--auth', 'secret', '--cloud', 'usgov'], env), env);
    expect(settings.graph.auth).toMatchObject({ mode: 'secret', tenantId: TENANT, clientId: CLIENT });
    expect(settings.graph.graphRoot).toBe('https://graph.microsoft.us');
    expect(JSON.stringify(settings)).not.toContain('top-secret');
    expect(() => tenantSettingsFrom(parse(['--auth', 'secret', '--tenant-id', TENANT, '--client-id', CLIENT]), {})).toThrow(expect.objectContaining({ code: 'OPTION_MISSING', exitCode: 2, remedy: expect.stringContaining('AZURE_CLIENT_SECRET') as unknown }));
    expect(() => tenantSettingsFrom(parse(['--auth', 'certificate', '--client-id', CLIENT]), {})).toThrow(expect.objectContaining({ code: 'OPTION_MISSING', message: expect.stringContaining('tenant') as unknown }));
  });

  it('refuses malformed ids, unknown choices, empty filters and the development token off this machine', () => {
    expect(() => tenantSettingsFrom(parse(['--tenant-id', 'not a tenant']), {})).toThrow(expect.objectContaining({ code: 'OPTION_INVALID' }));
    expect(() => tenantSettingsFrom(parse(['--client-id', 'app-name']), {})).toThrow(expect.objectContaining({ code: 'OPTION_INVALID' }));
    expect(() => parse(['--cloud', 'germany'])).toThrow(/--cloud "germany" is not one of global, usgov, dod, china/);
    expect(() => parse(['--match-attribute', 'upn'])).toThrow(/onPremisesSamAccountName/);
    expect(() => tenantSettingsFrom(parse(['--group', ' ']), {})).toThrow(expect.objectContaining({ code: 'OPTION_INVALID' }));
    expect(() => tenantSettingsFrom(parse(['--auth', 'emulator', '--graph-url', 'https://graph.contoso.com']), {})).toThrow(expect.objectContaining({ code: 'AUTH_EMULATOR_NOT_LOOPBACK', exitCode: 2 }));
  });

  it('passes an emulator, the match attribute and the user filters to the gateway config', () => {
    const settings = tenantSettingsFrom(parse(['--auth', 'emulator', '--graph-url', 'http://127.0.0.1:8080', '--match-attribute', 'onPremisesSamAccountName', '--group', 'MFA Server users', '--only', 'pilot.txt']), {});
    expect(settings.graph).toMatchObject({ graphRoot: 'http://127.0.0.1:8080', auth: { mode: 'emulator' }, matchAttribute: 'onPremisesSamAccountName' });
    expect(settings).toMatchObject({ group: 'MFA Server users', only: 'pilot.txt' });
  });

  it('shows the environment variables in the help', () => {
    // Help wraps long descriptions; compare with the line breaks folded.
    const help = addTenantOptions(new Command('plan')).helpInformation().replace(/\s+/g, ' ');
    expect(help).toContain('env: AZURE_TENANT_ID');
    expect(help).toContain('env: AZURE_CLIENT_ID');
    expect(help).toContain('choices: "secret", "certificate", "device-code", "azure-cli", "managed-identity", "default", "emulator", default: "default"');
  });
});
