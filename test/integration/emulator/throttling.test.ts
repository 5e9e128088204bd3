/**
 * Graph's throttling as the emulator applies it, on a clock the tests move by hand: every
 * assertion is a count (writes admitted per window, 429s, Retry-After values), never a speed, so
 * a busy machine cannot change the outcome.
 */
import { describe, expect, it } from 'vitest';
import { manualClock } from '../../support/clock.js';
import { callGraph, ids, startTestEmulator } from '../../support/emulator.js';

const APP = 'c0ffee00-0000-4000-8000-000000000001';
const TENANT = '8f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const aliceMobile = `/v1.0/users/${ids.alice}/authentication/phoneMethods/${ids.mobile}`;
const rewrite = { phoneNumber: '+1 4255550100' };
const START = Date.parse('2026-11-28T12:00:00Z');

/** Graph's write window (throttling-limits.md: 3,000 writes per 150 s per app and tenant). */
const WRITE_WINDOW_MS = 150_000;

describe('write limit (throttling-limits.md: 3,000 writes per 150 s per app+tenant)', () => {
  it('gives a closed-loop writer at most the write budget in any window, and counts every 429 it sent', async () => {
    const BUDGET = 40;
    // The writer sends one request every 250 ms of the emulator's clock and waits out each Retry-After.
    const STEP_MS = 250;
    const clock = manualClock(START);
    const emulator = await startTestEmulator({ clock, throttle: { timeScale: 1, writesPerWindow: BUDGET } });
    const successes: number[] = [];
    let throttled = 0;
    let sample: Headers | undefined;
    try {
      while (clock.now() < START + 2.5 * WRITE_WINDOW_MS) {
        const response = await callGraph(emulator, 'PATCH', aliceMobile, { body: rewrite });
        if (response.status === 204) {
          successes.push(clock.now());
          clock.advance(STEP_MS);
        } else {
          expect(response.status).toBe(429);
          throttled += 1;
          sample ??= response.headers;
          clock.advance(Number(response.headers.get('retry-after')) * 1000);
        }
      }
      const stats = emulator.stats();
      expect(stats.throttled).toBe(throttled);
      expect(stats.writes).toBe(successes.length);
      expect(stats.writeAttempts).toBe(successes.length + throttled);
      expect(stats.earlyRetries).toBe(0);
    } finally {
      await emulator.close();
    }
    // In 2.5 windows: three times the budget, each burst ended by one 429 whose Retry-After is
    // exactly the wait until the burst's first write leaves the window; never more in any window.
    expect(successes).toHaveLength(3 * BUDGET);
    expect(throttled).toBe(3);
    let worst = 0;
    for (let i = 0, j = 0; i < successes.length; i += 1) {
      while ((successes[i] ?? 0) - (successes[j] ?? 0) >= WRITE_WINDOW_MS) j += 1;
      worst = Math.max(worst, i - j + 1);
    }
    expect(worst).toBe(BUDGET);
    expect(sample?.get('retry-after')).toMatch(/^\d+(\.\d+)?$/);
    expect(sample?.get('x-ms-throttle-scope')).toBe(`Tenant_Application/Write/${APP}/${TENANT}`);
    expect(sample?.get('x-ms-throttle-information')).toBe('WriteLimitExceeded');
  });

  it('throttles again a client that retries before its Retry-After, and admits it once the time has passed', async () => {
    const clock = manualClock(START);
    const emulator = await startTestEmulator({ clock, throttle: { timeScale: 1, writesPerWindow: 2 } });
    try {
      expect((await callGraph(emulator, 'PATCH', aliceMobile, { body: rewrite })).status).toBe(204);
      clock.advance(400);
      expect((await callGraph(emulator, 'PATCH', aliceMobile, { body: rewrite })).status).toBe(204);
      clock.advance(100);
      const throttled = await callGraph(emulator, 'PATCH', aliceMobile, { body: rewrite });
      expect(throttled.status).toBe(429);
      // 149.5 s until the first write leaves the window, announced in whole seconds as Graph does.
      expect(throttled.headers.get('retry-after')).toBe('150');
      expect(throttled.body.error).toMatchObject({ code: 'Request_ThrottledTemporarily', message: 'Your request is throttled temporarily. Please try after 150 seconds.' });
      // At +149.7 s the window has room again, but the client was told 150 s: still throttled.
      clock.advance(149_700);
      const early = await callGraph(emulator, 'PATCH', aliceMobile, { body: rewrite });
      expect(early.status).toBe(429);
      expect(early.headers.get('retry-after')).toBe('1');
      clock.advance(300);
      expect((await callGraph(emulator, 'PATCH', aliceMobile, { body: rewrite })).status).toBe(204);
      expect(emulator.stats()).toMatchObject({ throttled: 2, earlyRetries: 1, writes: 3, writeAttempts: 5 });
    } finally {
      await emulator.close();
    }
  });
});

describe('throttling inside $batch (json-batching.md: requests evaluated individually)', () => {
  it('answers 429 with Retry-After on the items over the limit while the batch answers 200', async () => {
    const clock = manualClock(START);
    const emulator = await startTestEmulator({ clock, throttle: { timeScale: 0.01, writesPerWindow: 5 } });
    try {
      const requests = Array.from({ length: 8 }, (_, i) => ({
        id: String(i + 1),
        method: 'PATCH',
        url: `/users/${ids.alice}/authentication/phoneMethods/${ids.mobile}`,
        headers: { 'Content-Type': 'application/json' },
        body: rewrite,
      }));
      const response = await callGraph(emulator, 'POST', '/v1.0/$batch', { body: { requests } });
      expect(response.status).toBe(200);
      const inner = (response.body.responses as { id: string; status: number; headers: Record<string, string> }[]).sort((a, b) => Number(a.id) - Number(b.id));
      expect(inner.map((r) => r.status)).toEqual([204, 204, 204, 204, 204, 429, 429, 429]);
      for (const item of inner.filter((r) => r.status === 429)) {
        expect(item.headers['Retry-After']).toBe('1.5');
        expect(item.headers['x-ms-throttle-information']).toBe('WriteLimitExceeded');
      }
      expect(emulator.stats()).toMatchObject({ throttled: 3, throttledInBatch: 3, writes: 5 });
    } finally {
      await emulator.close();
    }
  });
});

describe('resource units (throttling-limits.md: 3,500/5,000/8,000 per 10 s by tenant size)', () => {
  it('charges each request its cost and throttles reads over the budget', async () => {
    const clock = manualClock(START);
    const emulator = await startTestEmulator({ clock, throttle: { timeScale: 1, resourceUnitsPerWindow: 6 } });
    try {
      // GET users costs 2 (base cost table); GET users/{id} costs 1.
      const list = await callGraph(emulator, 'GET', '/v1.0/users');
      expect(list.headers.get('x-ms-resource-unit')).toBe('2');
      const statuses: number[] = [];
      let last: Headers | undefined;
      for (let i = 0; i < 5; i += 1) {
        const response = await callGraph(emulator, 'GET', `/v1.0/users/${ids.alice}`);
        statuses.push(response.status);
        last = response.headers;
        if (i === 3) expect(response.headers.get('x-ms-throttle-limit-percentage')).toBe('1.00');
      }
      expect(statuses).toEqual([200, 200, 200, 200, 429]);
      expect(last?.get('x-ms-throttle-information')).toBe('ResourceUnitLimitExceeded');
      expect(last?.get('x-ms-throttle-scope')).toBe(`Tenant_Application/ReadWrite/${APP}/${TENANT}`);
      expect(last?.get('retry-after')).toBe('10');
      clock.advance(10_000);
      expect((await callGraph(emulator, 'GET', `/v1.0/users/${ids.alice}`)).status).toBe(200);
    } finally {
      await emulator.close();
    }
  });
});
