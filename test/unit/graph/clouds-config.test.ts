import { describe, expect, it } from 'vitest';
import { CLOUDS, graphScope, isLoopbackUrl } from '../../../src/graph/clouds.js';
import { resolveGraphConfig } from '../../../src/graph/config.js';
import { Secret } from '../../../src/secret.js';

const SECRET = { mode: 'secret' as const, tenantId: 'contoso.onmicrosoft.com', clientId: 'c0ffee00-0000-4000-8000-000000000001', clientSecret: new Secret('s') };

describe('clouds (concepts/deployments.md)', () => {
  it('gives each cloud its Graph root and authority host', () => {
    expect(Object.values(CLOUDS).map((cloud) => [cloud.name, cloud.graphRoot, cloud.authorityHost])).toEqual([
      ['global', 'https://graph.microsoft.com', 'https://login.microsoftonline.com'],
      ['usgov', 'https://graph.microsoft.us', 'https://login.microsoftonline.us'],
      ['dod', 'https://dod-graph.microsoft.us', 'https://login.microsoftonline.us'],
      ['china', 'https://microsoftgraph.chinacloudapi.cn', 'https://login.chinacloudapi.cn'],
    ]);
    expect(graphScope(CLOUDS.usgov)).toBe('https://graph.microsoft.us/.default');
  });

  it('knows loopback addresses', () => {
    for (const url of ['http://127.0.0.1:8080', 'http://localhost', 'https://[::1]:443', 'http://127.1.2.3']) expect(isLoopbackUrl(new URL(url)), url).toBe(true);
    for (const url of ['http://10.0.0.1', 'https://graph.microsoft.com', 'http://127.0.0.1.example.com']) expect(isLoopbackUrl(new URL(url)), url).toBe(false);
  });
});

describe('gateway config', () => {
  it('uses the cloud\'s endpoints, and the emulator for both Graph and sign-in with --graph-url', () => {
    expect(resolveGraphConfig({ cloud: 'china', auth: SECRET })).toMatchObject({
      graphRoot: 'https://microsoftgraph.chinacloudapi.cn',
      authorityHost: 'https://login.chinacloudapi.cn',
      scope: 'https://microsoftgraph.chinacloudapi.cn/.default',
      disableInstanceDiscovery: false,
    });
    expect(resolveGraphConfig({ graphUrl: 'https://127.0.0.1:8443/', auth: SECRET })).toMatchObject({
      graphRoot: 'https://127.0.0.1:8443',
      authorityHost: 'https://127.0.0.1:8443',
      scope: 'https://graph.microsoft.com/.default',
      disableInstanceDiscovery: true,
    });
  });

  it('sends the development token only to this machine, and no token over plain http to another', () => {
    expect(resolveGraphConfig({ graphUrl: 'http://127.0.0.1:8080', auth: { mode: 'emulator' } }).graphRoot).toBe('http://127.0.0.1:8080');
    expect(() => resolveGraphConfig({ graphUrl: 'https://emulator.contoso.com', auth: { mode: 'emulator' } })).toThrow(expect.objectContaining({ code: 'AUTH_EMULATOR_NOT_LOOPBACK', exitCode: 2 }));
    expect(() => resolveGraphConfig({ auth: { mode: 'emulator' } })).toThrow(expect.objectContaining({ code: 'AUTH_EMULATOR_NOT_LOOPBACK' }));
    expect(() => resolveGraphConfig({ graphUrl: 'http://10.1.2.3:8080', auth: SECRET })).toThrow(expect.objectContaining({ code: 'OPTION_INVALID', exitCode: 2 }));
    expect(() => resolveGraphConfig({ graphUrl: 'http://127.0.0.1:8080/v1.0', auth: SECRET })).toThrow(/path or query/);
    expect(() => resolveGraphConfig({ graphUrl: 'ftp://127.0.0.1', auth: SECRET })).toThrow(/not an http/);
  });
});
