/**
 * The gateway's reads against the emulator seeded with fixtures/tenant.json (`--auth emulator`
 * over http): resolving users, their current methods, the policy, a group and the token inventory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../src/emulator/server.js';
import type { GraphGateway, UserLookup, UserReadResult } from '../../../src/graph/gateway.js';
import { ids, sampleSeed, startTestEmulator } from '../../support/emulator.js';
import { emulatorGateway, lookup, readAll as readEvery } from './gateway-fixture.js';

let emulator: RunningEmulator;
let graph: GraphGateway;

beforeAll(async () => {
  emulator = await startTestEmulator();
  graph = emulatorGateway(emulator, { matchAttribute: 'onPremisesSamAccountName' });
});

afterAll(async () => {
  graph.close();
  await emulator.close();
});

async function readAll(gateway: GraphGateway, lookups: readonly UserLookup[]): Promise<Map<string, UserReadResult>> {
  return new Map((await readEvery(gateway, lookups)).map((result) => [result.key, result]));
}

describe('resolving users (R14)', () => {
  it('finds alice by UPN', async () => {
    expect(await graph.resolveUser(lookup('alice.anders@contoso.com'))).toEqual({
      id: ids.alice,
      userPrincipalName: 'alice.anders@contoso.com',
      displayName: 'Alice Anders',
      accountEnabled: true,
      matchedBy: 'userPrincipalName',
    });
  });

  it('finds carol only by onPremisesSamAccountName, with the advanced query Graph requires for it', async () => {
    const before = emulator.stats().byStatus['400'] ?? 0;
    expect(await graph.resolveUser(lookup('carol@contoso.com', { samAccountName: 'carol' }))).toMatchObject({ id: ids.carol, matchedBy: 'onPremisesSamAccountName' });
    expect(await graph.resolveUser(lookup(null, { samAccountName: 'CAROL' }))).toMatchObject({ id: ids.carol });
    expect(emulator.stats().byStatus['400'] ?? 0).toBe(before);
  });

  it('answers null for walter, who is not in the tenant by UPN or by attribute', async () => {
    expect(await graph.resolveUser(lookup('walter@contoso.com', { samAccountName: 'walter' }))).toBeNull();
    expect(await graph.resolveUser(lookup("o'brien@contoso.com", { samAccountName: "o'brien" }))).toBeNull();
  });

  it('reports several matches as that user\'s error instead of guessing', async () => {
    const seed = sampleSeed();
    for (const user of seed.users.slice(0, 2)) user['mail'] = 'shared@contoso.com';
    const twins = await startTestEmulator({ tenant: seed });
    const gateway = emulatorGateway(twins, { matchAttribute: 'mail' });
    try {
      const results = await readAll(gateway, [lookup('shared@fabrikam.com', { email: 'shared@contoso.com' }), lookup('bob.brown@contoso.com')]);
      expect(results.get('shared@fabrikam.com')).toMatchObject({ user: null, state: null, error: { code: 'GRAPH_USER_AMBIGUOUS', exitCode: 4 } });
      expect(results.get('shared@fabrikam.com')?.error?.message).toContain('alice.anders@contoso.com');
      expect(results.get('bob.brown@contoso.com')).toMatchObject({ user: { id: ids.bob }, error: null });
    } finally {
      gateway.close();
      await twins.close();
    }
  });
});

describe('reading current state', () => {
  it('reads dave\'s Authenticator, yolanda\'s software OATH, grace\'s mobile and victor\'s hardware token in one bulk read', async () => {
    const inventory = await graph.readHardwareTokenInventory();
    const results = await readAll(
      graph,
      [
        ...['dave@contoso.com', 'yolanda.young@contoso.com', 'grace.green@contoso.com', 'victor.vance@contoso.com'].map((upn) => lookup(upn)),
        lookup('carol@contoso.com', { samAccountName: 'carol' }),
        lookup('walter@contoso.com'),
      ],
    );
    expect(results.get('dave@contoso.com')?.state?.authenticators).toEqual([
      { id: 'b1c2d3e4-0000-4000-8000-000004000000', displayName: 'iPhone 14', deviceTag: 'SoftwareTokenActivated', phoneAppVersion: '6.8.1', createdDateTime: '2023-03-14T09:15:02Z' },
    ]);
    expect(results.get('yolanda.young@contoso.com')?.state).toMatchObject({ softwareOath: [{ id: expect.any(String) as unknown }], signInPreferences: { userPreferredMethodForSecondaryAuthentication: 'oath' } });
    expect(results.get('grace.green@contoso.com')?.state).toMatchObject({
      phones: [{ id: ids.mobile, phoneType: 'mobile', phoneNumber: '+1 4255559999' }],
      signInPreferences: { userPreferredMethodForSecondaryAuthentication: 'sms', isSystemPreferredAuthenticationMethodEnabled: false },
    });
    // The list of all methods carries no device: serial and status come from victor's hardwareOathMethods, under the method's own id.
    const victorsMethod = (emulator.state() as { users: { id: string; hardwareOathMethods: { id: string }[] }[] }).users.find((user) => user.id === ids.victor)?.hardwareOathMethods[0]?.id;
    expect(victorsMethod).not.toBe('e1f2a3b4-0000-4000-8000-000000000100');
    expect(results.get('victor.vance@contoso.com')?.state?.hardwareOath).toEqual([{ id: victorsMethod, serialNumber: 'TOTP0100', status: 'activated' }]);
    expect(results.get('carol@contoso.com')).toMatchObject({ user: { id: ids.carol, matchedBy: 'onPremisesSamAccountName' }, state: { phones: [] }, error: null });
    expect(results.get('walter@contoso.com')).toEqual({ key: 'walter@contoso.com', user: null, state: null, error: null });
    expect(inventory.get('totp0100')).toMatchObject({ assignedToUserId: ids.victor });
  });

  it('reads a single resolved user the same way', async () => {
    const alice = await graph.resolveUser(lookup('alice.anders@contoso.com'));
    if (alice === null) throw new Error('alice not found');
    expect(await graph.readUserState(alice)).toMatchObject({ user: alice, phones: [{ phoneType: 'mobile', phoneNumber: '+1 4255550100' }], authenticators: [], signInPreferences: { userPreferredMethodForSecondaryAuthentication: 'voiceMobile' } });
  });

  it('reads every fixture user with three requests each, 20 to a batch, and one more for each holder of a hardware token', async () => {
    const fresh = await startTestEmulator();
    const gateway = emulatorGateway(fresh);
    try {
      const seed = sampleSeed();
      const upns = seed.users.map((user) => String(user['userPrincipalName']));
      const holders = new Set((seed['hardwareOathDevices'] as { assignedTo?: string }[]).flatMap((device) => (device.assignedTo === undefined ? [] : [device.assignedTo]))).size;
      expect(holders).toBe(1);
      const results = await readAll(gateway, upns.map((upn) => lookup(upn)));
      expect([...results.values()].filter((result) => result.state !== null)).toHaveLength(upns.length);
      const stats = fresh.stats();
      expect(stats.byFamily['batch']).toBe(Math.ceil((upns.length * 3) / 20) + holders);
      expect(stats.operations - stats.batches).toBe(upns.length * 3 + holders);
      expect(stats.byFamily['hardwareOathMethods']).toBe(holders);
    } finally {
      gateway.close();
      await fresh.close();
    }
  });
});

describe('tenant reads', () => {
  it('reads the authentication methods policy into what R9 needs, and the Temporary Access Pass rules', async () => {
    const policy = await graph.readTenantPolicy();
    expect(policy.methods.map((method) => method.id)).toEqual(['MicrosoftAuthenticator', 'Sms', 'Voice', 'SoftwareOath', 'HardwareOath']);
    expect(policy.methods.find((method) => method.id === 'Sms')).toEqual({ id: 'Sms', state: 'enabled', includeGroupIds: ['all_users'], excludeGroupIds: ['d1e2f3a4-0000-4000-8000-000000000003'] });
    expect(policy.methods.find((method) => method.id === 'Voice')?.isOfficePhoneAllowed).toBe(true);
    expect(policy.temporaryAccessPass).toEqual({ state: 'enabled', minimumLifetimeInMinutes: 60, maximumLifetimeInMinutes: 480, defaultLifetimeInMinutes: 60, isUsableOnce: false });
  });

  it('sees a tenant that disables hardware OATH tokens: the policy is read from beta, the version that defines that configuration', async () => {
    const seed = sampleSeed() as unknown as { authenticationMethodsPolicy: { authenticationMethodConfigurations: Record<string, unknown>[] } };
    const hardware = seed.authenticationMethodsPolicy.authenticationMethodConfigurations.find((configuration) => configuration['id'] === 'HardwareOath');
    if (hardware === undefined) throw new Error('the sample policy has no HardwareOath configuration');
    hardware['state'] = 'disabled';
    const strict = await startTestEmulator({ tenant: seed });
    const gateway = emulatorGateway(strict);
    try {
      // A v1.0 answer has no HardwareOath configuration at all (the emulator follows the v1.0 CSDL), so only a beta read sees this.
      expect((await gateway.readTenantPolicy()).methods.find((method) => method.id === 'HardwareOath')).toMatchObject({ state: 'disabled' });
    } finally {
      gateway.close();
      await strict.close();
    }
  });

  it('lists a group\'s users, nested groups included, by display name or id, across pages', async () => {
    const finance = await graph.readGroupMemberIds('Finance');
    expect([...finance].sort()).toEqual([ids.victor, ids.yolanda, 'a1b2c3d4-0000-4000-8000-000000000028'].sort());
    const all = await graph.readGroupMemberIds(ids.mfaGroup);
    // 26 direct users plus Finance's, without Finance itself.
    expect(all.size).toBe(27);
    expect(all.has(ids.financeGroup)).toBe(false);
  });

  it('follows @odata.nextLink when a group has more members than one page', async () => {
    const seed = sampleSeed();
    const members: string[] = [];
    for (let n = 0; n < 1_050; n += 1) {
      const id = `b0b0b0b0-0000-4000-8000-${n.toString().padStart(12, '0')}`;
      members.push(id);
      seed.users.push({ id, userPrincipalName: `member${n}@contoso.com`, displayName: `Member ${n}`, accountEnabled: true });
    }
    (seed['groups'] as Record<string, unknown>[]).push({ id: 'd1e2f3a4-0000-4000-8000-0000000000ff', displayName: 'Big group', members });
    const big = await startTestEmulator({ tenant: seed });
    const gateway = emulatorGateway(big);
    try {
      expect((await gateway.readGroupMemberIds('Big group')).size).toBe(1_050);
      expect(big.stats().byFamily['groups']).toBe(3);
    } finally {
      gateway.close();
      await big.close();
    }
  });

  it('says clearly when --group names no group, or more than one', async () => {
    await expect(graph.readGroupMemberIds('Nobody')).rejects.toMatchObject({ code: 'GRAPH_GROUP_NOT_FOUND', exitCode: 2 });
    await expect(graph.readGroupMemberIds('d1e2f3a4-0000-4000-8000-0000000000aa')).rejects.toMatchObject({ code: 'GRAPH_GROUP_NOT_FOUND' });
  });

  it('reads the hardware OATH token inventory keyed by serial', async () => {
    const inventory = await graph.readHardwareTokenInventory();
    expect([...inventory.keys()].sort()).toEqual(['totp0002', 'totp0005', 'totp0100', 'totp0200']);
    expect(inventory.get('totp0002')).toEqual({ id: 'e1f2a3b4-0000-4000-8000-000000000002', serialNumber: 'TOTP0002', status: 'available', assignedToUserId: null });
  });

  it('preflight reads the tenant size to pace reads under its resource-unit budget', async () => {
    const result = await graph.preflight({ writes: false, group: true, hardwareTokenWrites: false });
    expect(result).toMatchObject({ tenantUserCount: 30, permissions: null });
    expect(graph.governorSnapshot().resourceUnitsPerWindow).toBe(3_500);
  });
});
