import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readThrottleConfig, resourceUnitBudget, ThrottleModel, REALISTIC_THROTTLE } from '../../../src/emulator/throttle.js';

const WRITE = { resourceUnits: 1, writes: 1, activations: 0 };

describe('throttle model', () => {
  it('sizes the resource-unit budget by tenant size (S < 50, M 50–500, L > 500 users)', () => {
    expect([resourceUnitBudget(49), resourceUnitBudget(50), resourceUnitBudget(500), resourceUnitBudget(501)]).toEqual([3_500, 5_000, 5_000, 8_000]);
  });

  it('never admits more than the write budget in any window, whatever the arrival times', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 300 }), fc.integer({ min: 1, max: 20 }), (gaps, budget) => {
        let now = 0;
        const model = new ThrottleModel({ ...REALISTIC_THROTTLE, timeScale: 0.01, writesPerWindow: budget, resourceUnitsPerWindow: 1_000_000 }, 't', 10, { now: () => now });
        const admitted: number[] = [];
        for (const gap of gaps) {
          now += gap;
          if (!model.admit('app', WRITE).throttled) admitted.push(now);
        }
        // 150 s × 0.01 = 1500 ms windows.
        for (let i = 0, j = 0; i < admitted.length; i += 1) {
          while ((admitted[i] ?? 0) - (admitted[j] ?? 0) >= 1_500) j += 1;
          expect(i - j + 1).toBeLessThanOrEqual(budget);
        }
      }),
    );
  });

  it('tells the exact wait, and admits again once it has passed', () => {
    let now = 1_000;
    const model = new ThrottleModel({ ...REALISTIC_THROTTLE, timeScale: 0.01, writesPerWindow: 2 }, 't', 10, { now: () => now });
    expect(model.admit('app', WRITE).throttled).toBe(false);
    now += 500;
    expect(model.admit('app', WRITE).throttled).toBe(false);
    now += 250;
    expect(model.admit('app', WRITE)).toMatchObject({ throttled: true, retryAfterSeconds: 0.75, limit: 'Write' });
    now += 750;
    expect(model.admit('app', WRITE).throttled).toBe(false);
    // Another app has its own budget.
    expect(model.admit('other', WRITE).throttled).toBe(false);
  });

  it('holds every app of the tenant to the tenant\'s write quota, named by the Tenant scope, and blocks them all until it frees', () => {
    let now = 1_000;
    // 150 s × 0.01 = 1.5 s app windows of 3 writes; 300 s × 0.01 = 3 s tenant windows of 5 writes.
    const model = new ThrottleModel({ ...REALISTIC_THROTTLE, timeScale: 0.01, writesPerWindow: 3, tenantWritesPerWindow: 5 }, 'tenant-id', 10, { now: () => now });
    for (let index = 0; index < 3; index += 1) expect(model.admit('app-a', WRITE).throttled).toBe(false);
    // A's own quota: Tenant_Application, and only A waits.
    expect(model.admit('app-a', WRITE)).toMatchObject({ throttled: true, limit: 'Write', scope: 'Tenant_Application/Write/app-a/tenant-id' });
    now += 10;
    expect(model.admit('app-b', WRITE).throttled).toBe(false);
    expect(model.admit('app-b', WRITE).throttled).toBe(false);
    // Five writes in the tenant's window: the sixth, from an app with room of its own, meets the tenant's quota.
    expect(model.admit('app-c', WRITE)).toMatchObject({ throttled: true, limit: 'TenantWrite', scope: 'Tenant/Write/app-c/tenant-id', information: 'WriteLimitExceeded', retryAfterSeconds: 2.99 });
    // Every app waits for the tenant's Retry-After, reads too are not charged to it.
    expect(model.admit('app-b', WRITE)).toMatchObject({ throttled: true, limit: 'TenantWrite' });
    expect(model.admit('app-b', { resourceUnits: 1, writes: 0, activations: 0 }).throttled).toBe(false);
    now = 1_000 + 3_000;
    expect(model.admit('app-c', WRITE).throttled).toBe(false);
  });

  it('reads a throttle file and refuses unknown keys and bad values', () => {
    expect(readThrottleConfig({ timeScale: 0.1, writesPerWindow: 300, resourceUnitsPerWindow: null })).toEqual({
      config: { timeScale: 0.1, writesPerWindow: 300, resourceUnitsPerWindow: null },
      problems: [],
    });
    expect(readThrottleConfig({ writesPerWindow: 0, timescale: 1 }).problems).toEqual([
      '"writesPerWindow" must be a positive integer',
      expect.stringContaining('"timescale" is not a throttle setting') as unknown,
    ]);
  });
});
