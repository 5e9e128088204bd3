/**
 * The app pool: batches go to the app with the most room, the tenant's write budget caps all apps
 * together, and a 429 backs off the governor its `x-ms-throttle-scope` names — the app's own, or
 * every app's for a limit of the tenant. On a clock the tests move.
 */
import { describe, expect, it } from 'vitest';
import { AppPool, NO_TENANT_LIMITS, throttleScopeOf, type AppLane, type TenantLimits } from '../../../src/graph/app-pool.js';
import { Governor, GRAPH_LIMITS, NO_COST, type GovernorLimits } from '../../../src/graph/governor.js';
import { manualClock } from '../../support/clock.js';

const START_MS = 1_000_000;
const WRITES_20 = { resourceUnits: 20, writes: 20, activations: 0 };
const READ = { resourceUnits: 1, writes: 0, activations: 0 };

function lane(name: string, clock: ReturnType<typeof manualClock>, limits: Partial<GovernorLimits> = {}): AppLane {
  return {
    app: { name, clientId: `${name}-client-id` },
    tokens: { getToken: () => Promise.resolve(`${name}-token`), invalidate: () => undefined },
    transport: { send: () => Promise.reject(new Error('not sent in these tests')), close: () => undefined },
    governor: new Governor({ ...GRAPH_LIMITS, ...limits }, clock),
    principal: { kind: 'application', appId: `${name}-client-id`, appName: name },
  };
}

function pool(names: readonly string[], tenant: TenantLimits, limits: Partial<GovernorLimits> = {}): { apps: AppPool; clock: ReturnType<typeof manualClock> } {
  const clock = manualClock(START_MS);
  return { apps: new AppPool(names.map((name) => lane(name, clock, limits)), tenant, clock), clock };
}

const tenantWrites = (writesPerWindow: number, writeWindowMs = 300_000): TenantLimits => ({ writes: { writesPerWindow, writeWindowMs }, activations: null });

/** Begins a batch and answers it at once without a 429; returns the app it went out as. */
function send(apps: AppPool, cost = WRITES_20): string | null {
  const ticket = apps.begin(cost);
  apps.finish(ticket, { appThrottledForMs: null, tenantThrottledForMs: null, refused: NO_COST });
  return ticket.lane.app.name;
}

describe('x-ms-throttle-scope (throttling-limits.md "Throttled responses requests")', () => {
  it('names the tenant for Tenant/…, and the app for Tenant_Application/…, Application/… or no header', () => {
    expect(throttleScopeOf({ 'x-ms-throttle-scope': 'Tenant/Write/9a3d526c-b3c1-4479-ba74-197b5c5751ae/0785ef7c-2d7a-4542-b048-95bcab406e0b' })).toBe('tenant');
    expect(throttleScopeOf({ 'x-ms-throttle-scope': 'Tenant_Application/ReadWrite/9a3d526c-b3c1-4479-ba74-197b5c5751ae/0785ef7c-2d7a-4542-b048-95bcab406e0b' })).toBe('app');
    expect(throttleScopeOf({ 'x-ms-throttle-scope': 'Application/Write/9a3d526c-b3c1-4479-ba74-197b5c5751ae/x' })).toBe('app');
    expect(throttleScopeOf({})).toBe('app');
  });
});

describe('app pool', () => {
  it('spreads batches evenly over the apps, each to the one with the most write room', () => {
    const { apps } = pool(['one', 'two', 'three'], tenantWrites(18_000), { writesPerWindow: 100 });
    const sentBy = Array.from({ length: 15 }, () => send(apps));
    expect(['one', 'two', 'three'].map((name) => sentBy.filter((sender) => sender === name).length)).toEqual([5, 5, 5]);
    // Every app's window is full now: the next batch waits for Graph's write budget.
    expect(apps.waitFor(WRITES_20)).toMatchObject({ budget: 'writes' });
  });

  it('spreads reads too, before the resource-unit budget is known', () => {
    const { apps } = pool(['one', 'two'], NO_TENANT_LIMITS);
    expect(Array.from({ length: 4 }, () => send(apps, READ))).toEqual(['one', 'two', 'one', 'two']);
  });

  it('holds all apps together to the tenant write budget though each has room of its own', () => {
    const { apps, clock } = pool(['one', 'two', 'three'], tenantWrites(100, 300_000));
    for (let batch = 0; batch < 5; batch += 1) send(apps);
    expect(apps.waitFor(WRITES_20)).toEqual({ ms: 300_000, budget: 'tenantWrites' });
    // Reads are not the tenant's to cap.
    expect(apps.waitFor(READ).ms).toBe(0);
    clock.advance(300_000);
    expect(apps.waitFor(WRITES_20).ms).toBe(0);
  });

  it('backs off only the app a 429 of its own names: the others go on, and take its batches', () => {
    const { apps } = pool(['one', 'two'], tenantWrites(18_000));
    const ticket = apps.begin(WRITES_20);
    expect(ticket.lane.app.name).toBe('one');
    apps.finish(ticket, { appThrottledForMs: 5_000, tenantThrottledForMs: null, refused: WRITES_20 });
    expect(apps.waitFor(WRITES_20).ms).toBe(0);
    expect([send(apps), send(apps), send(apps)]).toEqual(['two', 'two', 'two']);
    const [one, two] = apps.lanes;
    expect(one?.governor.snapshot().concurrency).toBe(2);
    expect(two?.governor.snapshot().concurrency).toBe(4);
  });

  it('backs off every app for a 429 of the tenant: none sends until its Retry-After, and each halves its batches in flight', () => {
    const { apps, clock } = pool(['one', 'two', 'three'], tenantWrites(18_000));
    const ticket = apps.begin(WRITES_20);
    apps.finish(ticket, { appThrottledForMs: null, tenantThrottledForMs: 5_000, refused: WRITES_20 });
    expect(apps.waitFor(WRITES_20)).toEqual({ ms: 5_000, budget: 'throttled' });
    expect(apps.waitFor(READ).ms).toBe(5_000);
    expect(apps.lanes.map((each) => each.governor.snapshot().concurrency)).toEqual([2, 2, 2]);
    clock.advance(5_000);
    expect(apps.waitFor(WRITES_20).ms).toBe(0);
    // The throttled writes were not charged to the tenant's budget.
    expect(apps.writeWindow()).toMatchObject({ usedNow: 0 });
  });

  it('without a pool (one app, no tenant budget) a tenant 429 pauses and halves the one governor, as any 429 did', () => {
    const { apps } = pool(['only'], NO_TENANT_LIMITS);
    const ticket = apps.begin(WRITES_20);
    apps.finish(ticket, { appThrottledForMs: null, tenantThrottledForMs: 2_000, refused: WRITES_20 });
    expect(apps.waitFor(READ)).toEqual({ ms: 2_000, budget: 'throttled' });
    expect(apps.snapshot()).toMatchObject({ concurrency: 2, inFlight: 0 });
  });

  it('keeps activations to the tenant\'s one budget, whichever app sends them', () => {
    const activation = { resourceUnits: 1, writes: 1, activations: 1 };
    const { apps } = pool(['one', 'two'], { writes: null, activations: { activationsPerWindow: 2, activationWindowMs: 300_000 } }, { activationsPerWindow: Number.POSITIVE_INFINITY });
    expect([send(apps, activation), send(apps, activation)]).toEqual(['one', 'two']);
    expect(apps.waitFor(activation)).toEqual({ ms: 300_000, budget: 'activations' });
  });

  it('frees what a batch that did not leave had taken', () => {
    const { apps } = pool(['one'], tenantWrites(20), { writesPerWindow: 20 });
    const ticket = apps.begin(WRITES_20);
    expect(apps.waitFor(WRITES_20).ms).toBeGreaterThan(0);
    apps.cancel(ticket);
    expect(apps.waitFor(WRITES_20).ms).toBe(0);
    expect(apps.snapshot().inFlight).toBe(0);
  });

  it('gives time-left estimates the lower of the apps\' budgets added up and the tenant\'s', () => {
    // Three apps at 3,000 per 150 s (60 writes/s) under a tenant budget of 15,000 per 300 s (50 writes/s);
    // what goes at once is the apps' 9,000, so the tenant's window reads as holding 6,000 already.
    const { apps } = pool(['one', 'two', 'three'], tenantWrites(15_000, 300_000));
    expect(apps.writeWindow()).toEqual({ writesPerWindow: 15_000, windowMs: 300_000, usedNow: 6_000 });
    send(apps);
    expect(apps.writeWindow().usedNow).toBe(6_020);
    // Without a tenant cap below them, the apps' budgets add up.
    const { apps: free } = pool(['one', 'two'], tenantWrites(18_000, 300_000));
    expect(free.writeWindow()).toEqual({ writesPerWindow: 6_000, windowMs: 150_000, usedNow: 0 });
  });
});
