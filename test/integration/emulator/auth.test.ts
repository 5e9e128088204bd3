import { spawn } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../src/emulator/server.js';
import { projectRoot } from '../../support/run-cli.js';
import { callGraph, ids, startTestEmulator } from '../../support/emulator.js';

const APP = { clientId: 'c0ffee00-0000-4000-8000-000000000001', clientSecret: 'emulator-development-secret' };

async function requestToken(emulator: RunningEmulator, form: Record<string, string>, tenant: string = emulator.tenantId): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${emulator.url}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('bearer tokens over http', () => {
  let emulator: RunningEmulator;
  let now = Date.parse('2026-11-28T12:00:00Z');
  beforeAll(async () => {
    emulator = await startTestEmulator({ clock: { now: () => now } });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('answers 401 InvalidAuthenticationToken "Access token is empty." without a bearer token', async () => {
    for (const headers of [{}, { authorization: 'Bearer ' }, { authorization: 'Basic abc' }]) {
      const response = await callGraph(emulator, 'GET', `/v1.0/users/${ids.alice}`, { token: null, headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="", authorization_uri="https:\/\/login\.microsoftonline\.com\/common\/oauth2\/authorize", client_id="00000003-0000-0000-c000-000000000000"$/);
      expect(response.body).toEqual({
        error: {
          code: 'InvalidAuthenticationToken',
          message: 'Access token is empty.',
          innerError: { date: expect.any(String) as unknown, 'request-id': response.headers.get('request-id'), 'client-request-id': response.headers.get('client-request-id') },
        },
      });
    }
  });

  it('accepts any non-empty bearer token with the seed app\'s permissions', async () => {
    expect((await callGraph(emulator, 'GET', `/v1.0/users/${ids.alice}`, { token: 'anything' })).status).toBe(200);
  });

  it('issues client-credentials tokens, refusing a wrong secret, a wrong scope and an unknown tenant', async () => {
    const granted = await requestToken(emulator, { grant_type: 'client_credentials', client_id: APP.clientId, client_secret: APP.clientSecret, scope: 'https://graph.microsoft.com/.default' });
    expect(granted.status).toBe(200);
    expect(granted.body).toMatchObject({ token_type: 'Bearer', expires_in: 3599 });
    const claims = JSON.parse(Buffer.from(String(granted.body['access_token']).split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(claims).toMatchObject({ tid: emulator.tenantId, appid: APP.clientId, aud: 'https://graph.microsoft.com', roles: emulator.seed.app.roles });

    const secret = await requestToken(emulator, { grant_type: 'client_credentials', client_id: APP.clientId, client_secret: 'wrong', scope: 'https://graph.microsoft.com/.default' });
    expect(secret.status).toBe(401);
    expect(secret.body).toMatchObject({ error: 'invalid_client', error_codes: [7000215] });
    const scope = await requestToken(emulator, { grant_type: 'client_credentials', client_id: APP.clientId, client_secret: APP.clientSecret, scope: 'User.Read.All' });
    expect(scope.body).toMatchObject({ error: 'invalid_scope' });
    const tenant = await requestToken(emulator, { grant_type: 'client_credentials', client_id: APP.clientId, client_secret: APP.clientSecret, scope: 'https://graph.microsoft.com/.default' }, 'fabrikam.com');
    expect(tenant.status).toBe(400);
    expect(emulator.stats().tokensIssued).toBe(1);
  });

  it('answers 403 Authorization_RequestDenied when the token lacks the permission the endpoint needs', async () => {
    const token = emulator.issueToken(ids.readOnlyApp);
    expect((await callGraph(emulator, 'GET', `/v1.0/users/${ids.alice}/authentication/phoneMethods`, { token })).status).toBe(200);
    const write = await callGraph(emulator, 'POST', `/v1.0/users/${ids.bob}/authentication/phoneMethods`, { token, body: { phoneNumber: '+1 2065550102', phoneType: 'mobile' } });
    expect(write.status).toBe(403);
    expect(write.body.error).toMatchObject({ code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' });
    expect((await callGraph(emulator, 'GET', '/v1.0/policies/authenticationMethodsPolicy', { token })).status).toBe(403);
    expect((await callGraph(emulator, 'GET', `/v1.0/groups/${ids.mfaGroup}/transitiveMembers`, { token })).status).toBe(403);
    expect(emulator.stats().writes).toBe(0);
  });

  it('refuses an issued token once it has expired', async () => {
    const token = emulator.issueToken();
    expect((await callGraph(emulator, 'GET', `/v1.0/users/${ids.alice}`, { token })).status).toBe(200);
    now += 3_600_000;
    const expired = await callGraph(emulator, 'GET', `/v1.0/users/${ids.alice}`, { token });
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toBe('Lifetime validation failed, the token is expired.');
  });
});

/** Runs a script in a fresh Node process that trusts the emulator's CA the way an admin would: NODE_EXTRA_CA_CERTS. */
function runTrustingNode(script: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: projectRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('https with the token endpoint', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startTestEmulator({ https: true });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('lets @azure/identity ClientSecretCredential get a token and @microsoft/microsoft-graph-client read a user with it', async () => {
    expect(emulator.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const script = `
      import { ClientSecretCredential } from '@azure/identity';
      import { Client } from '@microsoft/microsoft-graph-client';
      import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';
      const settings = JSON.parse(process.env.EMULATOR_SETTINGS);
      const credential = new ClientSecretCredential(settings.tenantId, settings.clientId, settings.clientSecret, {
        authorityHost: settings.url,
        disableInstanceDiscovery: true,
      });
      const token = await credential.getToken('https://graph.microsoft.com/.default');
      const authProvider = new TokenCredentialAuthenticationProvider(credential, { scopes: ['https://graph.microsoft.com/.default'] });
      const client = Client.initWithMiddleware({ authProvider, baseUrl: settings.url, defaultVersion: 'v1.0', customHosts: new Set(['127.0.0.1']) });
      const user = await client.api('/users/dave@contoso.com').select(['id', 'userPrincipalName']).get();
      console.log(JSON.stringify({ jwtParts: token.token.split('.').length, expiresInMs: token.expiresOnTimestamp - Date.now(), user }));
    `;
    const result = await runTrustingNode(script, {
      NODE_EXTRA_CA_CERTS: emulator.caCertPath ?? '',
      EMULATOR_SETTINGS: JSON.stringify({ url: emulator.url, tenantId: emulator.tenantId, ...APP }),
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout) as { jwtParts: number; expiresInMs: number; user: Record<string, unknown> };
    expect(output.jwtParts).toBe(3);
    expect(output.expiresInMs).toBeGreaterThan(3_000_000);
    expect(output.user).toMatchObject({ id: ids.dave, userPrincipalName: 'dave@contoso.com' });
    expect(emulator.stats()).toMatchObject({ tokensIssued: 1, byStatus: { '200': 1 } });
  });

  it('refuses development tokens over https: only issued tokens are accepted', async () => {
    const ca = emulator.caCertPem ?? '';
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpsRequest(`${emulator.url}/v1.0/users/${ids.alice}`, { ca, headers: { authorization: 'Bearer development-token' } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.end();
    });
    expect(status).toBe(401);
    await expect(fetch(`${emulator.url}/v1.0/users/${ids.alice}`)).rejects.toThrow();
  });
});
