import { describe, expect, it } from 'vitest';
import { callGraph, ids, startTestEmulator } from '../../support/emulator.js';

const phones = `/v1.0/users/${ids.bob}/authentication/phoneMethods`;
const mobile = { phoneNumber: '+1 2065550102', phoneType: 'mobile' };

async function statusSequence(spec: string, count: number): Promise<number[]> {
  const emulator = await startTestEmulator({ faults: spec });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < count; i += 1) statuses.push((await callGraph(emulator, 'GET', `/v1.0/users/${ids.alice}?$select=id`)).status);
    return statuses;
  } finally {
    await emulator.close();
  }
}

describe('faults on request (deterministic with a seed)', () => {
  it('injects 5xx in the same places for the same seed, elsewhere for another seed', async () => {
    const first = await statusSequence('seed=7,5xx=0.3', 40);
    const again = await statusSequence('seed=7,5xx=0.3', 40);
    const other = await statusSequence('seed=8,5xx=0.3', 40);
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    const failures = first.filter((status) => status >= 500).length;
    expect(failures).toBeGreaterThan(4);
    expect(failures).toBeLessThan(24);
    expect(new Set(first.filter((status) => status >= 500))).toEqual(new Set([500, 503, 504]));
  });

  it('answers a 5xx with a Graph error body before the request is handled', async () => {
    const emulator = await startTestEmulator({ faults: 'seed=1,5xx=1,status=503' });
    try {
      const response = await callGraph(emulator, 'POST', phones, { body: mobile });
      expect(response.status).toBe(503);
      expect(response.body.error).toMatchObject({ code: 'serviceNotAvailable' });
      expect(response.body.error.innerError['request-id']).toBe(response.headers.get('request-id'));
      expect(emulator.stats()).toMatchObject({ writes: 0, writeAttempts: 1, faults: { serverError: 1 }, byStatus: { '503': 1 } });
      expect(emulator.stats().phoneCreates).toEqual({});
    } finally {
      await emulator.close();
    }
  });

  it('drops the connection before handling (nothing written) or after handling (the write is applied, the answer lost)', async () => {
    const dropping = await startTestEmulator({ faults: 'drop=1' });
    try {
      await expect(callGraph(dropping, 'POST', phones, { body: mobile })).rejects.toThrow();
      expect(dropping.stats()).toMatchObject({ writes: 0, faults: { drop: 1 } });
    } finally {
      await dropping.close();
    }
    const losing = await startTestEmulator({ faults: 'lost=1' });
    try {
      await expect(callGraph(losing, 'POST', phones, { body: mobile })).rejects.toThrow();
      expect(losing.stats()).toMatchObject({ writes: 1, faults: { lostResponse: 1 }, phoneCreates: { [`${ids.bob}/mobile`]: 1 } });
    } finally {
      await losing.close();
    }
  });

  it('stalls a request until the client gives up, and still closes promptly', async () => {
    const emulator = await startTestEmulator({ faults: 'stall=1' });
    const started = Date.now();
    await expect(
      fetch(`${emulator.url}/v1.0/users/${ids.alice}`, { headers: { authorization: 'Bearer x' }, signal: AbortSignal.timeout(300) }),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(emulator.stats().faults).toEqual({ stall: 1 });
    const closing = Date.now();
    await emulator.close();
    expect(Date.now() - closing).toBeLessThan(1_000);
  });

  it('adds latency, and the stats see concurrent requests in flight', async () => {
    const emulator = await startTestEmulator({ faults: 'latency=120-150' });
    try {
      const started = Date.now();
      const responses = await Promise.all(Array.from({ length: 5 }, () => callGraph(emulator, 'GET', `/v1.0/users/${ids.alice}`)));
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(120);
      expect(emulator.stats().maxInFlight).toBe(5);
    } finally {
      await emulator.close();
    }
  });

  it('injects 5xx into batch items while the batch answers 200', async () => {
    const emulator = await startTestEmulator({ faults: 'seed=3,5xx=0.5' });
    try {
      // The batch request itself may draw a fault too: retry until the envelope answers.
      let body: { responses: { status: number }[] } | undefined;
      for (let attempt = 0; attempt < 10 && body === undefined; attempt += 1) {
        const response = await callGraph(emulator, 'POST', '/v1.0/$batch', {
          body: { requests: Array.from({ length: 10 }, (_, i) => ({ id: String(i), method: 'GET', url: `/users/${ids.alice}` })) },
        });
        if (response.status === 200) body = response.body as unknown as { responses: { status: number }[] };
      }
      const statuses = (body?.responses ?? []).map((r) => r.status);
      expect(statuses).toHaveLength(10);
      expect(statuses.some((s) => s >= 500)).toBe(true);
      expect(statuses.some((s) => s === 200)).toBe(true);
    } finally {
      await emulator.close();
    }
  });
});
