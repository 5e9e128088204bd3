/**
 * The apply write calls against the in-process emulator (real HTTP, `$batch`): a user's phones and
 * preferred method chained by dependsOn in one executeBatch, a hardware token created, assigned
 * and activated with a code computed from its seed, and a 424 for a call whose dependency failed.
 */
import { describe, expect, it } from 'vitest';
import { activateHardwareTokenCall, addPhoneCall, assignHardwareTokenCall, createHardwareTokenCall, setPreferredMethodCall, type HardwareTokenDescription } from '../../../src/graph/write-calls.js';
import { Secret } from '../../../src/secret.js';
import { ids, startTestEmulator } from '../../support/emulator.js';
import { emulatorGateway } from '../graph/gateway-fixture.js';

interface UserSnapshot {
  readonly id: string;
  readonly phoneMethods: readonly { readonly phoneType: string; readonly phoneNumber: string }[];
  readonly hardwareOathMethods: readonly { readonly serialNumber: string; readonly status: string }[];
  readonly signInPreferences: { readonly userPreferredMethodForSecondaryAuthentication: string | null };
}

function userOf(state: Record<string, unknown>, id: string): UserSnapshot {
  const users = state['users'] as readonly UserSnapshot[];
  const user = users.find((candidate) => candidate.id === id);
  if (user === undefined) throw new Error(`user ${id} missing from the emulator state`);
  return user;
}

const SEED_BASE32 = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

describe('apply write calls', () => {
  it('adds mobile then alternateMobile then the preferred method, chained in one batch', async () => {
    const emulator = await startTestEmulator();
    const graph = emulatorGateway(emulator);
    const sent: string[] = [];
    try {
      const results = await graph.executeBatch([
        addPhoneCall(ids.bob, 'mobile', '+1 4255550100', { key: 'm', version: 'beta', beforeSend: () => sent.push('m') }),
        addPhoneCall(ids.bob, 'alternateMobile', '+1 4255550101', { key: 'a', dependsOn: ['m'], version: 'beta', beforeSend: () => sent.push('a') }),
        setPreferredMethodCall(ids.bob, 'sms', { key: 'p', dependsOn: ['a'], beforeSend: () => sent.push('p') }),
      ]);
      expect(results.map((result) => result.status)).toEqual([201, 201, 204]);
      expect(sent).toEqual(['m', 'a', 'p']);
      const bob = userOf(emulator.state(), ids.bob);
      expect(bob.phoneMethods.map((phone) => [phone.phoneType, phone.phoneNumber])).toEqual([
        ['mobile', '+1 4255550100'],
        ['alternateMobile', '+1 4255550101'],
      ]);
      expect(bob.signInPreferences.userPreferredMethodForSecondaryAuthentication).toBe('sms');
      expect(emulator.stats().phoneCreates).toMatchObject({ [`${ids.bob}/mobile`]: 1, [`${ids.bob}/alternateMobile`]: 1 });
    } finally {
      graph.close();
      await emulator.close();
    }
  });

  it('answers 424 for the calls chained after one that failed, with Graph code on the failure', async () => {
    const emulator = await startTestEmulator();
    const graph = emulatorGateway(emulator);
    try {
      const results = await graph.executeBatch([
        // Alice already holds a mobile (fixtures/tenant.json): Graph refuses a second one.
        addPhoneCall(ids.alice, 'mobile', '+1 4255550199', { key: 'm', version: 'beta' }),
        setPreferredMethodCall(ids.alice, 'sms', { key: 'p', dependsOn: ['m'] }),
      ]);
      expect(results[0]?.status).toBeGreaterThanOrEqual(400);
      expect(results[0]?.error?.code).toBeDefined();
      expect(results[1]?.status).toBe(424);
    } finally {
      graph.close();
      await emulator.close();
    }
  });

  it('creates, assigns and activates a hardware token with a TOTP code from its seed, never echoing the seed', async () => {
    const emulator = await startTestEmulator();
    const graph = emulatorGateway(emulator);
    const token: HardwareTokenDescription = {
      serialNumber: 'TOTP9001',
      manufacturer: 'Contoso',
      model: 'OTP-6',
      seed: new Secret(SEED_BASE32),
      timeIntervalInSeconds: 30,
      hashFunction: 'hmacsha1',
      displayName: null,
    };
    try {
      const [created] = await graph.executeBatch([createHardwareTokenCall(token, { key: 'c' })]);
      expect(created?.status).toBe(201);
      const deviceId = (created?.body as { id: string }).id;
      const [assigned] = await graph.executeBatch([assignHardwareTokenCall(ids.bob, deviceId, token.serialNumber, { key: 's' })]);
      expect(assigned?.status).toBe(201);
      const methodId = (assigned?.body as { id: string }).id;
      const [activated] = await graph.executeBatch([activateHardwareTokenCall(ids.bob, methodId, token, Date.now(), { key: 'v' })]);
      expect(activated?.status).toBe(204);
      const bob = userOf(emulator.state(), ids.bob);
      expect(bob.hardwareOathMethods).toEqual([expect.objectContaining({ serialNumber: 'TOTP9001', status: 'activated' })]);
      expect(JSON.stringify(token)).not.toContain(SEED_BASE32);
      expect(JSON.stringify(created)).not.toContain(SEED_BASE32);
    } finally {
      graph.close();
      await emulator.close();
    }
  });
});
