import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../src/emulator/server.js';
import { callGraph, ids, sampleSeed, startTestEmulator } from '../../support/emulator.js';

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterEach(() => {
  emulator.reset();
});
afterAll(async () => {
  await emulator.close();
});

const auth = (version: string, user: string, rest: string): string => `/${version}/users/${user}/authentication/${rest}`;

describe('authentication/methods (authentication-list-methods.md)', () => {
  it('lists every registered method with its @odata.type; hardware OATH only on beta', async () => {
    const v1 = await callGraph(emulator, 'GET', auth('v1.0', ids.victor, 'methods'));
    expect(v1.status).toBe(200);
    const types = (v1.body.value as { '@odata.type': string }[]).map((m) => m['@odata.type']);
    expect(types).toEqual([
      '#microsoft.graph.passwordAuthenticationMethod',
      '#microsoft.graph.phoneAuthenticationMethod',
      '#microsoft.graph.phoneAuthenticationMethod',
    ]);
    const beta = await callGraph(emulator, 'GET', auth('beta', ids.victor, 'methods'));
    const hardware = (beta.body.value as Record<string, unknown>[]).find((m) => m['@odata.type'] === '#microsoft.graph.hardwareOathAuthenticationMethod');
    // No reference page shows `device` inline in this list: only the method, with an id of its own.
    expect(Object.keys(hardware ?? {}).sort()).toEqual(['@odata.type', 'createdDateTime', 'id']);
    expect(hardware?.['id']).not.toBe('e1f2a3b4-0000-4000-8000-000000000100');
    // authentication-list-hardwareoathmethods.md shows the device inline: serial and status are read there.
    const tokens = await callGraph(emulator, 'GET', auth('beta', ids.victor, 'hardwareOathMethods'));
    expect(tokens.body.value).toMatchObject([{ id: hardware?.['id'], device: { id: 'e1f2a3b4-0000-4000-8000-000000000100', serialNumber: 'TOTP0100', status: 'activated', secretKey: null } }]);
  });
});

describe('microsoftAuthenticatorMethods and softwareOathMethods (list, get, delete)', () => {
  it('lists, gets and deletes an Authenticator registration', async () => {
    const listed = await callGraph(emulator, 'GET', auth('v1.0', ids.rupert, 'microsoftAuthenticatorMethods'));
    expect(listed.status).toBe(200);
    const value = listed.body.value as Record<string, unknown>[];
    expect(value.map((m) => m['displayName'])).toEqual(['Pixel 7', 'Galaxy S23']);
    // microsoftauthenticatorauthenticationmethod-list.md example response fields.
    expect(Object.keys(value[0] ?? {}).sort()).toEqual(['@odata.type', 'createdDateTime', 'deviceTag', 'displayName', 'id', 'phoneAppVersion']);
    const id = String(value[0]?.['id']);
    expect((await callGraph(emulator, 'GET', auth('v1.0', ids.rupert, `microsoftAuthenticatorMethods/${id}`))).body.displayName).toBe('Pixel 7');
    expect((await callGraph(emulator, 'DELETE', auth('v1.0', ids.rupert, `microsoftAuthenticatorMethods/${id}`))).status).toBe(204);
    expect((await callGraph(emulator, 'GET', auth('v1.0', ids.rupert, `microsoftAuthenticatorMethods/${id}`))).status).toBe(404);
    expect((await callGraph(emulator, 'DELETE', auth('v1.0', ids.rupert, `microsoftAuthenticatorMethods/${id}`))).status).toBe(404);
  });

  it('lists software OATH methods with a null secret and deletes one', async () => {
    const listed = await callGraph(emulator, 'GET', auth('v1.0', ids.yolanda, 'softwareOathMethods'));
    expect(listed.body.value).toEqual([{ '@odata.type': '#microsoft.graph.softwareOathAuthenticationMethod', id: 'c1d2e3f4-0000-4000-8000-000023000000', secretKey: null }]);
    expect((await callGraph(emulator, 'DELETE', auth('v1.0', ids.yolanda, 'softwareOathMethods/c1d2e3f4-0000-4000-8000-000023000000'))).status).toBe(204);
    expect((await callGraph(emulator, 'GET', auth('v1.0', ids.yolanda, 'softwareOathMethods'))).body.value).toEqual([]);
  });
});

describe('temporaryAccessPassMethods (authentication-post-temporaryaccesspassmethods.md)', () => {
  it('creates a pass (201, shown once) within the documented lifetime range', async () => {
    const created = await callGraph(emulator, 'POST', auth('v1.0', ids.bob, 'temporaryAccessPassMethods'), {
      body: { startDateTime: '2020-06-05T00:00:00.000Z', lifetimeInMinutes: 60, isUsableOnce: false },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      '@odata.type': '#microsoft.graph.temporaryAccessPassAuthenticationMethod',
      startDateTime: '2020-06-05T00:00:00.000Z',
      lifetimeInMinutes: 60,
      isUsableOnce: false,
      isUsable: false,
      methodUsabilityReason: 'Expired',
    });
    expect(created.body.temporaryAccessPass).toMatch(/^.{8}$/);
    const listed = await callGraph(emulator, 'GET', auth('v1.0', ids.bob, 'temporaryAccessPassMethods'));
    expect(listed.body.value[0]?.['temporaryAccessPass']).toBeNull();
    const tooShort = await callGraph(emulator, 'POST', auth('v1.0', ids.bob, 'temporaryAccessPassMethods'), { body: { lifetimeInMinutes: 5 } });
    expect(tooShort.status).toBe(400);
  });

  it('leaves isUsable and methodUsabilityReason out of beta answers: the beta type has neither', async () => {
    const created = await callGraph(emulator, 'POST', auth('beta', ids.bob, 'temporaryAccessPassMethods'), { body: { lifetimeInMinutes: 60 } });
    expect(created.status).toBe(201);
    expect(created.body).not.toHaveProperty('isUsable');
    expect(created.body).not.toHaveProperty('methodUsabilityReason');
    const methods = await callGraph(emulator, 'GET', auth('beta', ids.bob, 'methods'));
    const pass = methods.body.value.find((method) => method['@odata.type'] === '#microsoft.graph.temporaryAccessPassAuthenticationMethod');
    expect(pass).toMatchObject({ lifetimeInMinutes: 60 });
    expect(pass).not.toHaveProperty('isUsable');
  });

  it('holds every pass to the policy: lifetime within its minimum and maximum, one-time when it says so', async () => {
    // fixtures/tenant.json: TemporaryAccessPass allows 60 to 480 minutes.
    for (const [lifetimeInMinutes, status] of [[59, 400], [60, 201], [480, 201], [481, 400], [43_200, 400]] as const) {
      const answer = await callGraph(emulator, 'POST', auth('v1.0', ids.bob, 'temporaryAccessPassMethods'), { body: { lifetimeInMinutes } });
      expect([lifetimeInMinutes, answer.status]).toEqual([lifetimeInMinutes, status]);
      if (status === 400) expect(answer.body.error.message).toContain('allows 60 to 480 minutes');
    }
    const seed = sampleSeed() as unknown as { authenticationMethodsPolicy: { authenticationMethodConfigurations: Record<string, unknown>[] } };
    const tap = seed.authenticationMethodsPolicy.authenticationMethodConfigurations.find((configuration) => configuration['id'] === 'TemporaryAccessPass');
    if (tap !== undefined) tap['isUsableOnce'] = true;
    const onceOnly = await startTestEmulator({ tenant: seed });
    try {
      expect((await callGraph(onceOnly, 'POST', auth('v1.0', ids.bob, 'temporaryAccessPassMethods'), { body: { isUsableOnce: false } })).status).toBe(400);
      const created = await callGraph(onceOnly, 'POST', auth('v1.0', ids.bob, 'temporaryAccessPassMethods'), { body: {} });
      expect([created.status, created.body['isUsableOnce']]).toEqual([201, true]);
    } finally {
      await onceOnly.close();
    }
  });
});

describe('signInPreferences (beta authentication-get.md / authentication-update.md)', () => {
  it('reads and updates the default method; 204 on success', async () => {
    const read = await callGraph(emulator, 'GET', auth('beta', ids.trent, 'signInPreferences'));
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ isSystemPreferredAuthenticationMethodEnabled: false, userPreferredMethodForSecondaryAuthentication: 'push' });
    await callGraph(emulator, 'POST', auth('v1.0', ids.trent, 'phoneMethods'), { body: { phoneNumber: '+44 7400123456', phoneType: 'mobile' } });
    const updated = await callGraph(emulator, 'PATCH', auth('beta', ids.trent, 'signInPreferences'), { body: { userPreferredMethodForSecondaryAuthentication: 'sms' } });
    expect(updated.status).toBe(204);
    expect((await callGraph(emulator, 'GET', auth('beta', ids.trent, 'signInPreferences'))).body.userPreferredMethodForSecondaryAuthentication).toBe('sms');
  });

  it('refuses a default the user has no method for, an unknown value, and the v1.0 path', async () => {
    const push = await callGraph(emulator, 'PATCH', auth('beta', ids.bob, 'signInPreferences'), { body: { userPreferredMethodForSecondaryAuthentication: 'push' } });
    expect(push.status).toBe(400);
    const unknown = await callGraph(emulator, 'PATCH', auth('beta', ids.alice, 'signInPreferences'), { body: { userPreferredMethodForSecondaryAuthentication: 'fax' } });
    expect(unknown.status).toBe(400);
    const v1 = await callGraph(emulator, 'GET', auth('v1.0', ids.alice, 'signInPreferences'));
    expect(v1.status).toBe(400);
    expect(v1.body.error.message).toBe("Resource not found for the segment 'signInPreferences'.");
  });
});

describe('authenticationMethodsPolicy (authenticationmethodspolicy-get.md)', () => {
  it('returns the seeded policy, and one configuration by id', async () => {
    const policy = await callGraph(emulator, 'GET', '/v1.0/policies/authenticationMethodsPolicy');
    expect(policy.status).toBe(200);
    expect(policy.body).toMatchObject({ '@odata.context': `${emulator.url}/v1.0/$metadata#authenticationMethodsPolicy`, id: 'authenticationMethodsPolicy' });
    const states = Object.fromEntries((policy.body.authenticationMethodConfigurations as { id: string; state: string }[]).map((c) => [c.id, c.state]));
    expect(states).toMatchObject({ Sms: 'enabled', Voice: 'enabled', Fido2: 'disabled' });
    const sms = await callGraph(emulator, 'GET', '/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Sms');
    expect(sms.body.excludeTargets).toEqual([{ id: 'd1e2f3a4-0000-4000-8000-000000000003', targetType: 'group' }]);
  });

  it('keeps the hardware OATH configuration to beta, the only version that defines its type', async () => {
    const v1 = await callGraph(emulator, 'GET', '/v1.0/policies/authenticationMethodsPolicy');
    expect((v1.body.authenticationMethodConfigurations as { id: string }[]).map((c) => c.id)).not.toContain('HardwareOath');
    expect((await callGraph(emulator, 'GET', '/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/HardwareOath')).status).toBe(404);
    const beta = await callGraph(emulator, 'GET', '/beta/policies/authenticationMethodsPolicy');
    expect((beta.body.authenticationMethodConfigurations as { id: string; state: string }[]).find((c) => c.id === 'HardwareOath')).toMatchObject({
      '@odata.type': '#microsoft.graph.hardwareOathAuthenticationMethodConfiguration',
      state: 'enabled',
    });
  });
});
