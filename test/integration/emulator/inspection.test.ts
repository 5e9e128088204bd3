import { describe, expect, it } from 'vitest';
import { callGraph, ids, startTestEmulator } from '../../support/emulator.js';

describe('/_emulator inspection endpoints', () => {
  it('reports stats as JSON, shows the state with secrets redacted, and resets to the seed', async () => {
    const emulator = await startTestEmulator({ throttle: { timeScale: 0.01, writesPerWindow: 1 } });
    try {
      await callGraph(emulator, 'POST', `/v1.0/users/${ids.bob}/authentication/phoneMethods`, { body: { phoneNumber: '+1 2065550102', phoneType: 'mobile' } });
      await callGraph(emulator, 'POST', `/v1.0/users/${ids.bob}/authentication/phoneMethods`, { body: { phoneNumber: '+1 2065550103', phoneType: 'office' } });
      await callGraph(emulator, 'GET', `/v1.0/users/${ids.bob}/authentication/phoneMethods`);
      await callGraph(emulator, 'GET', '/v1.0/nothing');

      const stats = (await (await fetch(`${emulator.url}/_emulator/stats`)).json()) as Record<string, unknown>;
      expect(stats).toMatchObject({
        requests: 4,
        operations: 4,
        writes: 1,
        writeAttempts: 2,
        throttled: 1,
        byMethod: { POST: 2, GET: 2 },
        byFamily: { phoneMethods: 3, unknown: 1 },
        byStatus: { '201': 1, '429': 1, '200': 1, '400': 1 },
        maxInFlight: 1,
        phoneCreates: { [`${ids.bob}/mobile`]: 1 },
      });

      const state = (await (await fetch(`${emulator.url}/_emulator/state`)).json()) as {
        users: { id: string; phoneMethods: { phoneType: string }[] }[];
        hardwareOathDevices: { serialNumber: string; secretKey: string }[];
      };
      expect(state.users.find((u) => u.id === ids.bob)?.phoneMethods.map((p) => p.phoneType)).toEqual(['mobile']);
      expect(new Set(state.hardwareOathDevices.map((d) => d.secretKey))).toEqual(new Set(['[REDACTED]']));
      expect(JSON.stringify(state)).not.toContain('KRUGKIDROVUWG2ZAMJZG653OEBTG66BA');

      expect((await fetch(`${emulator.url}/_emulator/reset`, { method: 'POST' })).status).toBe(204);
      expect(emulator.stats()).toMatchObject({ requests: 0, writes: 0, throttled: 0 });
      expect((await callGraph(emulator, 'GET', `/v1.0/users/${ids.bob}/authentication/phoneMethods`)).body.value).toEqual([]);
      // The write window starts again too.
      expect((await callGraph(emulator, 'POST', `/v1.0/users/${ids.bob}/authentication/phoneMethods`, { body: { phoneNumber: '+1 2065550102', phoneType: 'mobile' } })).status).toBe(201);
    } finally {
      await emulator.close();
    }
  });
});
