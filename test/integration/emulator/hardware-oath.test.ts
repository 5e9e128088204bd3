import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../src/emulator/server.js';
import { totp } from '../../../src/emulator/totp.js';
import { callGraph, ids, startTestEmulator } from '../../support/emulator.js';

const INVENTORY = '/beta/directory/authenticationMethodDevices/hardwareOathDevices';
const SECRET = '6PJ4UKIW33NNXYZAEHQNFUFTZF7WFTFB';
let now = Date.parse('2026-11-28T12:00:00Z');
const clock = { now: () => now };

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startTestEmulator({ clock });
});
afterAll(async () => {
  await emulator.close();
});

describe('hardware OATH inventory (authenticationmethoddevice-*-hardwareoathdevices.md)', () => {
  it('creates a token (201, secretKey answered null), refuses a duplicate serial and bad fields', async () => {
    const created = await callGraph(emulator, 'POST', INVENTORY, {
      body: { displayName: 'Token 1', serialNumber: 'TOTP123456', manufacturer: 'Contoso', model: 'Hardware Token 1000', secretKey: SECRET, timeIntervalInSeconds: 30, hashFunction: 'hmacsha1' },
    });
    expect(created.status).toBe(201);
    // The documented example response, field for field.
    expect(created.body).toEqual({
      '@odata.type': '#microsoft.graph.hardwareOathTokenAuthenticationMethodDevice',
      id: expect.any(String) as unknown,
      displayName: 'Token 1',
      serialNumber: 'TOTP123456',
      manufacturer: 'Contoso',
      model: 'Hardware Token 1000',
      secretKey: null,
      timeIntervalInSeconds: 30,
      status: 'available',
      lastUsedDateTime: null,
      assignedTo: null,
      hashFunction: 'hmacsha1',
    });
    const duplicate = await callGraph(emulator, 'POST', INVENTORY, {
      body: { serialNumber: 'TOTP123456', manufacturer: 'Contoso', model: 'M', secretKey: SECRET, timeIntervalInSeconds: 30 },
    });
    expect(duplicate.status).toBe(409);
    for (const body of [
      { serialNumber: 'X1', manufacturer: 'Contoso', model: 'M', secretKey: SECRET, timeIntervalInSeconds: 45 },
      { serialNumber: 'X2', manufacturer: 'Contoso', model: 'M', secretKey: 'not base32!', timeIntervalInSeconds: 30 },
      { serialNumber: 'X3', manufacturer: 'Contoso', model: 'M', secretKey: SECRET, timeIntervalInSeconds: 30, hashFunction: 'md5' },
      { manufacturer: 'Contoso', model: 'M', secretKey: SECRET, timeIntervalInSeconds: 30 },
    ]) {
      expect((await callGraph(emulator, 'POST', INVENTORY, { body })).status, JSON.stringify(body)).toBe(400);
    }
    expect((await callGraph(emulator, 'POST', INVENTORY.replace('/beta/', '/v1.0/'), { body: {} })).status).toBe(400);
  });

  it('lists the inventory and filters by serial number and status', async () => {
    const all = await callGraph(emulator, 'GET', INVENTORY);
    expect((all.body.value as { serialNumber: string }[]).map((d) => d.serialNumber)).toEqual(expect.arrayContaining(['TOTP0002', 'TOTP0005', 'TOTP0100']));
    const bySerial = await callGraph(emulator, 'GET', `${INVENTORY}?$filter=${encodeURIComponent("serialNumber eq 'TOTP0005'")}`);
    expect(bySerial.body.value).toHaveLength(1);
    expect(bySerial.body.value[0]).toMatchObject({ serialNumber: 'TOTP0005', timeIntervalInSeconds: 60, status: 'available', secretKey: null });
    const activated = await callGraph(emulator, 'GET', `${INVENTORY}?$filter=${encodeURIComponent("status eq 'activated'")}&$select=serialNumber,assignedTo`);
    expect(activated.body.value).toEqual([
      { '@odata.type': '#microsoft.graph.hardwareOathTokenAuthenticationMethodDevice', serialNumber: 'TOTP0100', assignedTo: { id: ids.victor, displayName: 'Victor Vance' } },
    ]);
  });
});

describe("a user's hardwareOathMethods (assign, activate, deactivate, unassign)", () => {
  it('assigns, refuses a wrong code (failedActivation), activates with the TOTP the token shows, deactivates, unassigns', async () => {
    const created = await callGraph(emulator, 'POST', INVENTORY, {
      body: { serialNumber: 'TOTP777', manufacturer: 'Contoso', model: 'M', secretKey: SECRET, timeIntervalInSeconds: 30, hashFunction: 'hmacsha256' },
    });
    const deviceId = String(created.body.id);
    const methods = `/beta/users/${ids.judy}/authentication/hardwareOathMethods`;
    const assigned = await callGraph(emulator, 'POST', methods, { body: { device: { id: deviceId } } });
    expect(assigned.status).toBe(201);
    // The method has an id of its own, as the page's example answers: never the device's.
    const methodId = String(assigned.body.id);
    expect(methodId).not.toBe(deviceId);
    expect(assigned.body).toEqual({ '@odata.type': '#microsoft.graph.hardwareOathAuthenticationMethod', id: methodId, createdDateTime: '2026-11-28T12:00:00.000Z' });
    expect(assigned.headers.get('location')).toBe(`${emulator.url}${methods}/${methodId}`);
    expect((await callGraph(emulator, 'POST', `/beta/users/${ids.bob}/authentication/hardwareOathMethods`, { body: { device: { id: deviceId } } })).status).toBe(400);
    // A method URL built from the device id addresses nothing.
    expect((await callGraph(emulator, 'POST', `${methods}/${deviceId}/activate`, { body: { verificationCode: totp(SECRET, now, 30, 'hmacsha256') } })).status).toBe(404);
    expect((await callGraph(emulator, 'GET', `${methods}/${methodId}`)).body).toMatchObject({ id: methodId, device: { id: deviceId, serialNumber: 'TOTP777', status: 'assigned' } });

    const code = totp(SECRET, now, 30, 'hmacsha256');
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const refused = await callGraph(emulator, 'POST', `${methods}/${methodId}/activate`, { body: { verificationCode: wrong } });
    expect(refused.status).toBe(400);
    expect((await callGraph(emulator, 'GET', `${INVENTORY}/${deviceId}`)).body.status).toBe('failedActivation');

    now += 29_000; // still within the ±1 step RFC 6238 allows
    const activated = await callGraph(emulator, 'POST', `${methods}/${methodId}/activate`, { body: { verificationCode: code, displayName: 'Judy key' } });
    expect(activated.status).toBe(204);
    expect((await callGraph(emulator, 'GET', `${INVENTORY}/${deviceId}`)).body).toMatchObject({ status: 'activated', displayName: 'Judy key', assignedTo: { id: ids.judy } });
    expect(emulator.stats().hardwareActivations).toBe(1);
    const listed = await callGraph(emulator, 'GET', methods);
    expect(listed.body.value).toHaveLength(1);

    expect((await callGraph(emulator, 'POST', `${methods}/${methodId}/deactivate`)).status).toBe(204);
    expect((await callGraph(emulator, 'GET', `${INVENTORY}/${deviceId}`)).body.status).toBe('assigned');
    expect((await callGraph(emulator, 'DELETE', `${INVENTORY}/${deviceId}`)).status).toBe(400);
    expect((await callGraph(emulator, 'DELETE', `${methods}/${deviceId}`)).status).toBe(404);
    expect((await callGraph(emulator, 'DELETE', `${methods}/${methodId}`)).status).toBe(204);
    expect((await callGraph(emulator, 'GET', `${INVENTORY}/${deviceId}`)).body).toMatchObject({ status: 'available', assignedTo: null });
    expect((await callGraph(emulator, 'DELETE', `${INVENTORY}/${deviceId}`)).status).toBe(204);
    expect((await callGraph(emulator, 'GET', `${INVENTORY}/${deviceId}`)).status).toBe(404);
  });

  it('counts activations against 200 per 5 minutes (scaled: 2 per 3 s here)', async () => {
    const limited = await startTestEmulator({ clock, throttle: { activationsPerWindow: 2, timeScale: 0.01 } });
    try {
      const statuses: number[] = [];
      for (const serial of ['A1', 'A2', 'A3']) {
        const device = await callGraph(limited, 'POST', INVENTORY, { body: { serialNumber: serial, manufacturer: 'C', model: 'M', secretKey: SECRET, timeIntervalInSeconds: 30 } });
        const id = String(device.body.id);
        const assigned = await callGraph(limited, 'POST', `/beta/users/${ids.judy}/authentication/hardwareOathMethods`, { body: { device: { id } } });
        const activated = await callGraph(limited, 'POST', `/beta/users/${ids.judy}/authentication/hardwareOathMethods/${String(assigned.body.id)}/activate`, {
          body: { verificationCode: totp(SECRET, now) },
        });
        statuses.push(activated.status);
        if (activated.status === 429) {
          expect(activated.headers.get('x-ms-throttle-information')).toBe('HardwareOathActivationLimitExceeded');
          expect(Number(activated.headers.get('retry-after'))).toBeCloseTo(3, 3);
        }
      }
      expect(statuses).toEqual([204, 204, 429]);
    } finally {
      await limited.close();
    }
  });

  it('needs Policy.ReadWrite.AuthenticationMethod to add tokens to the inventory', async () => {
    const token = emulator.issueToken(ids.readOnlyApp);
    const refused = await callGraph(emulator, 'POST', INVENTORY, { token, body: { serialNumber: 'RO1', manufacturer: 'C', model: 'M', secretKey: SECRET, timeIntervalInSeconds: 30 } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('Authorization_RequestDenied');
  });
});
