/**
 * Sign-in and failure paths end to end against the emulator: missing permissions (from token
 * claims, from a 403, and probed for a token without claims), the real @azure/identity
 * ClientSecretCredential over https, a wrong secret, an unknown tenant, and a Graph that cannot be
 * reached. Each ends with a clear message, a remedy and the exit code of
 * docs/design.md "Exit codes".
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../src/emulator/server.js';
import { MigrateError } from '../../../src/errors.js';
import { memoryLog } from '../../../src/log.js';
import { Secret } from '../../../src/secret.js';
import { ids, sampleSeed, startTestEmulator } from '../../support/emulator.js';
import { emulatorGateway, fixedTokenCredentials, lookup, readAll } from './gateway-fixture.js';

const APP = { clientId: 'c0ffee00-0000-4000-8000-000000000001', clientSecret: 'emulator-development-secret' };
const PLAN = { writes: false, group: false, hardwareTokenWrites: false } as const;

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function failure(promise: Promise<unknown>): Promise<MigrateError> {
  const error: unknown = await promise.then(() => null, (reason: unknown) => reason);
  if (!(error instanceof MigrateError)) throw new Error(`expected a MigrateError, got ${String(error)}`);
  return error;
}

describe('permissions', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startTestEmulator();
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('stops before any user is read when the token lacks a permission, naming it (read-only app: Policy.Read.All)', async () => {
    const token = emulator.issueToken(ids.readOnlyApp);
    const graph = emulatorGateway(emulator, {
      auth: { mode: 'secret', tenantId: emulator.seed.tenant.id, clientId: ids.readOnlyApp, clientSecret: new Secret('unused') },
      credentials: fixedTokenCredentials(token),
    });
    const before = emulator.stats().requests;
    try {
      const error = await failure(graph.preflight(PLAN));
      expect(error).toMatchObject({ code: 'GRAPH_PERMISSION_MISSING', exitCode: 5 });
      expect(error.message).toContain('Policy.Read.All');
      expect(error.message).not.toMatch(/User\.Read\.All|UserAuthenticationMethod/);
      expect(error.message).toContain(ids.readOnlyApp);
      expect(error.remedy).toContain('Grant admin consent');
      expect(emulator.stats().requests).toBe(before);
      // The same app reaching the policy anyway gets Graph's 403, mapped to the same error with its request-id.
      const refused = await failure(graph.readTenantPolicy());
      expect(refused).toMatchObject({ code: 'GRAPH_PERMISSION_MISSING', exitCode: 5, graphCode: 'Authorization_RequestDenied' });
      expect(refused.message).toContain('Policy.Read.All');
      expect(refused.requestId).toMatch(/^[0-9a-f-]{36}$/);
      // Its token never shows.
      expect(JSON.stringify(refused.toJSON())).not.toContain(token);
      expect(refused.message).not.toContain(token);
    } finally {
      graph.close();
    }
  });

  it('probes with cheap reads when the token has no claims (development token), naming what Graph refused', async () => {
    const seed = sampleSeed();
    seed.app['roles'] = ['User.Read.All', 'UserAuthenticationMethod.Read.All'];
    const limited = await startTestEmulator({ tenant: seed });
    const graph = emulatorGateway(limited);
    try {
      const error = await failure(graph.preflight({ ...PLAN, group: true }));
      expect(error).toMatchObject({ code: 'GRAPH_PERMISSION_MISSING', exitCode: 5 });
      expect(error.message).toContain('Policy.Read.All');
      expect(error.message).toContain('GroupMember.Read.All');
      expect(error.message).not.toContain('UserAuthenticationMethod');
    } finally {
      graph.close();
      await limited.close();
    }
  });
});

describe('@azure/identity over https (ClientSecretCredential against the emulator\'s token endpoint)', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startTestEmulator({ https: true });
  });
  afterAll(async () => {
    await emulator.close();
  });

  const secretAuth = (overrides: { tenantId?: string; clientSecret?: string } = {}) => ({
    mode: 'secret' as const,
    tenantId: overrides.tenantId ?? emulator.tenantId,
    clientId: APP.clientId,
    clientSecret: new Secret(overrides.clientSecret ?? APP.clientSecret),
  });

  it('signs in, checks the roles claim and reads users with one token', async () => {
    const graph = emulatorGateway(emulator, { auth: secretAuth() });
    try {
      const preflight = await graph.preflight(PLAN);
      expect(preflight).toMatchObject({ principal: { kind: 'application', appId: APP.clientId, tenantId: emulator.tenantId }, tenantUserCount: 30 });
      expect(preflight.permissions).toContain('UserAuthenticationMethod.ReadWrite.All');
      const dave = await graph.resolveUser(lookup('dave@contoso.com'));
      expect(dave).toMatchObject({ id: ids.dave });
      if (dave === null) return;
      expect((await graph.readUserState(dave)).authenticators.map((method) => method.displayName)).toEqual(['iPhone 14']);
      expect(emulator.stats().tokensIssued).toBe(1);
    } finally {
      graph.close();
    }
  });

  it('names a wrong client secret (AADSTS7000215) with exit 5 and the remedy', async () => {
    const graph = emulatorGateway(emulator, { auth: secretAuth({ clientSecret: 'not-the-secret-7x' }) });
    try {
      const error = await failure(graph.preflight(PLAN));
      expect(error).toMatchObject({ code: 'GRAPH_AUTH_FAILED', exitCode: 5, graphCode: 'AADSTS7000215' });
      expect(error.message).toContain('client secret is wrong');
      expect(error.remedy).toContain('AZURE_CLIENT_SECRET');
      expect(JSON.stringify(error.toJSON())).not.toContain('not-the-secret-7x');
    } finally {
      graph.close();
    }
  });

  it('names a tenant that does not exist (AADSTS90002)', async () => {
    const graph = emulatorGateway(emulator, { auth: secretAuth({ tenantId: 'fabrikam.com' }) });
    try {
      const error = await failure(graph.preflight(PLAN));
      expect(error).toMatchObject({ code: 'GRAPH_AUTH_FAILED', exitCode: 5, graphCode: 'AADSTS90002' });
      expect(error.remedy).toContain('--tenant-id');
    } finally {
      graph.close();
    }
  });
});

describe('Graph unreachable', () => {
  it('retries a closed port a bounded number of times, then stops with GRAPH_UNREACHABLE (exit 6) naming the host', async () => {
    const port = await closedPort();
    const log = memoryLog();
    const graph = emulatorGateway({ url: `http://127.0.0.1:${port}`, caCertPem: null }, { log, executor: { maxTransportAttempts: 3, retryBaseDelayMs: 10, retryMaxDelayMs: 40 } });
    const started = Date.now();
    try {
      const error = await failure(graph.preflight(PLAN));
      expect(error).toMatchObject({ code: 'GRAPH_UNREACHABLE', exitCode: 6 });
      expect(error.message).toContain(`http://127.0.0.1:${port}`);
      expect(error.message).toContain('3 attempts');
      expect(error.message).toContain('ECONNREFUSED');
      expect(error.remedy).toContain('run the same command again');
      expect(Date.now() - started).toBeLessThan(5_000);
      // A bulk read ends the same way instead of failing every user one by one.
      const reading = readAll(graph, [lookup('alice.anders@contoso.com'), lookup('bob.brown@contoso.com')]);
      expect(await failure(reading)).toMatchObject({ code: 'GRAPH_UNREACHABLE' });
    } finally {
      graph.close();
    }
  });

  it('says which sign-in host cannot be reached when the token endpoint is down', async () => {
    const port = await closedPort();
    const graph = emulatorGateway(
      { url: `https://127.0.0.1:${port}`, caCertPem: null },
      { auth: { mode: 'secret', tenantId: '8f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b', clientId: APP.clientId, clientSecret: new Secret(APP.clientSecret) } },
    );
    try {
      const error = await failure(graph.preflight(PLAN));
      expect(error).toMatchObject({ code: 'GRAPH_UNREACHABLE', exitCode: 6 });
      expect(error.message).toContain(`https://127.0.0.1:${port}`);
    } finally {
      graph.close();
    }
  }, 20_000);
});
