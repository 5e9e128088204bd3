import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../src/emulator/server.js';
import { callGraph, ids, startTestEmulator, type GraphBody } from '../../support/emulator.js';

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startTestEmulator({ batchOrderSeed: 42 });
});
afterEach(() => {
  emulator.reset();
});
afterAll(async () => {
  await emulator.close();
});

interface InnerResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: { error?: { code: string; message: string } } & Record<string, unknown>;
}

const get = (id: string, url: string): Record<string, unknown> => ({ id, method: 'GET', url });
const json = { 'Content-Type': 'application/json' };

async function batch(requests: unknown[], target: RunningEmulator = emulator, version = 'v1.0'): Promise<{ status: number; responses: InnerResponse[]; body: GraphBody }> {
  const response = await callGraph(target, 'POST', `/${version}/$batch`, { body: { requests } });
  return { status: response.status, responses: (response.body['responses'] ?? []) as InnerResponse[], body: response.body };
}

describe('$batch (concepts/json-batching.md)', () => {
  it('answers 200 with each inner status, headers and body, relative URLs with or without a slash', async () => {
    const result = await batch([
      get('1', `/users/${ids.alice}?$select=id`),
      get('2', 'users/walter.white@contoso.com'),
      { id: '3', method: 'POST', url: `/users/${ids.bob}/authentication/phoneMethods`, headers: json, body: { phoneNumber: '+1 2065550102', phoneType: 'mobile' } },
      get('4', `/users/${ids.alice}/authentication/signInPreferences`),
    ]);
    expect(result.status).toBe(200);
    const byId = new Map(result.responses.map((r) => [r.id, r]));
    expect(byId.get('1')).toMatchObject({ status: 200, body: { id: ids.alice } });
    expect(byId.get('1')?.headers['Content-Type']).toContain('application/json');
    expect(byId.get('2')).toMatchObject({ status: 404, body: { error: { code: 'Request_ResourceNotFound' } } });
    expect(byId.get('3')?.status).toBe(201);
    expect(byId.get('3')?.headers['Location']).toBe(`${emulator.url}/v1.0/users/${ids.bob}/authentication/phoneMethods/${ids.mobile}`);
    // signInPreferences is beta-only: inside a v1.0 batch it is an unknown segment.
    expect(byId.get('4')?.status).toBe(400);
    expect(emulator.stats().batches).toBe(1);
  });

  it('refuses more than 20 requests, duplicate ids (case-insensitive), unknown dependsOn, a body without Content-Type', async () => {
    const many = await batch(Array.from({ length: 21 }, (_, i) => get(String(i), '/users?$top=1')));
    expect(many.status).toBe(400);
    expect(many.body.error.code).toBe('BadRequest');
    const twenty = await batch(Array.from({ length: 20 }, (_, i) => get(String(i), '/users?$top=1')));
    expect(twenty.status).toBe(200);
    expect(twenty.responses).toHaveLength(20);

    const duplicate = await batch([get('a', '/users?$top=1'), get('A', '/users?$top=1')]);
    expect(duplicate.status).toBe(400);
    const unknown = await batch([{ ...get('1', '/users?$top=1'), dependsOn: ['9'] }]);
    expect(unknown.status).toBe(400);
    const noType = await batch([{ id: '1', method: 'POST', url: `/users/${ids.bob}/authentication/phoneMethods`, body: { phoneNumber: '+1 2065550102', phoneType: 'mobile' } }]);
    expect(noType.status).toBe(400);
    expect(noType.body.error.message).toBe('Write request id : 1 does not contain Content-Type header or body.');
    expect((emulator.state() as { users: { id: string; phoneMethods: unknown[] }[] }).users.find((u) => u.id === ids.bob)?.phoneMethods).toEqual([]);
  });

  it('runs dependsOn chains in order, and fails dependents of a failed request with 424', async () => {
    const phones = `/users/${ids.bob}/authentication/phoneMethods`;
    const ok = await batch([
      { id: 'mobile', method: 'POST', url: phones, headers: json, body: { phoneNumber: '+1 2065550102', phoneType: 'mobile' } },
      { id: 'alternate', dependsOn: ['mobile'], method: 'POST', url: phones, headers: json, body: { phoneNumber: '+1 2065550103', phoneType: 'alternateMobile' } },
      { id: 'read', dependsOn: ['alternate'], method: 'GET', url: phones },
    ]);
    const okById = new Map(ok.responses.map((r) => [r.id, r]));
    expect([okById.get('mobile')?.status, okById.get('alternate')?.status, okById.get('read')?.status]).toEqual([201, 201, 200]);
    expect((okById.get('read')?.body?.['value'] as unknown[]).length).toBe(2);

    const failing = await batch([
      { id: '1', method: 'POST', url: `/users/${ids.judy}/authentication/phoneMethods`, headers: json, body: { phoneNumber: '425 555 0109', phoneType: 'mobile' } },
      { id: '2', dependsOn: ['1'], method: 'POST', url: `/users/${ids.judy}/authentication/phoneMethods`, headers: json, body: { phoneNumber: '+1 4255550109', phoneType: 'alternateMobile' } },
      { id: '3', dependsOn: ['2'], method: 'GET', url: `/users/${ids.judy}/authentication/phoneMethods` },
    ]);
    expect(failing.status).toBe(200);
    const byId = new Map(failing.responses.map((r) => [r.id, r]));
    expect(byId.get('1')?.status).toBe(400);
    expect(byId.get('2')).toMatchObject({ status: 424, body: { error: { code: 'FailedDependency' } } });
    expect(byId.get('3')?.status).toBe(424);
    expect(emulator.stats().writeAttempts).toBe(3);
  });

  it('answers in a shuffled order that the seed repeats', async () => {
    const requests = Array.from({ length: 12 }, (_, i) => get(String(i + 1), `/users?$top=1&$select=id`));
    const first = (await batch(requests)).responses.map((r) => r.id);
    expect([...first].sort((a, b) => Number(a) - Number(b))).toEqual(requests.map((r) => r['id']));
    expect(first).not.toEqual(requests.map((r) => r['id']));
    const twin = await startTestEmulator({ batchOrderSeed: 42 });
    try {
      expect((await batch(requests, twin)).responses.map((r) => r.id)).toEqual(first);
    } finally {
      await twin.close();
    }
  });
});
