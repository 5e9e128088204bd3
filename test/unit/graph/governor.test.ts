import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { estimateCost, Governor, GRAPH_LIMITS, NO_COST, resourceUnitsForTenantSize, SlidingWindow, type GovernorLimits } from '../../../src/graph/governor.js';
import { WRITE_WINDOW_MS, WRITES_PER_WINDOW } from '../../../src/graph/limits.js';
import { manualClock } from '../../support/clock.js';

/** Where the governor tests' clocks start: any time will do, as long as it is not 0. */
const START_MS = 1_000_000;

const READ = { resourceUnits: 1, writes: 0, activations: 0 };

function governor(limits: Partial<GovernorLimits> = {}, clock = manualClock(START_MS)): { governor: Governor; clock: ReturnType<typeof manualClock> } {
  return { governor: new Governor({ ...GRAPH_LIMITS, ...limits }, clock), clock };
}

describe('request cost (throttling-limits.md base costs and other factors)', () => {
  it('charges the base cost of the paths we call, $select and small $top lowering it, never below 1', () => {
    expect(estimateCost('GET', '/users')).toEqual({ resourceUnits: 2, writes: 0, activations: 0 });
    expect(estimateCost('GET', '/users?$select=id&$top=2')).toMatchObject({ resourceUnits: 1 });
    expect(estimateCost('GET', '/users/x@contoso.com?$select=id')).toMatchObject({ resourceUnits: 1 });
    expect(estimateCost('GET', '/groups/g/transitiveMembers?$select=id&$top=999')).toMatchObject({ resourceUnits: 4 });
    expect(estimateCost('GET', '/groups/g/members')).toMatchObject({ resourceUnits: 3 });
    expect(estimateCost('GET', '/users/x?$expand=manager')).toMatchObject({ resourceUnits: 2 });
  });

  it('counts a write for every POST, PATCH, PUT and DELETE, and a hardware-token activation against its own budget', () => {
    expect(estimateCost('PATCH', '/users/x/authentication/phoneMethods/id')).toEqual({ resourceUnits: 1, writes: 1, activations: 0 });
    expect(estimateCost('POST', '/users/x/authentication/hardwareOathMethods/d/activate')).toEqual({ resourceUnits: 1, writes: 1, activations: 1 });
  });

  it('sizes the resource-unit budget by tenant size: S under 50 users, M 50–500, L above 500', () => {
    expect([49, 50, 500, 501].map(resourceUnitsForTenantSize)).toEqual([3_500, 5_000, 5_000, 8_000]);
  });
});

describe('sliding window', () => {
  it('tells how long until an amount fits, and counts a settled charge from its answer', () => {
    const window = new SlidingWindow(10, 1_000);
    window.charge(0, 6);
    const late = window.charge(500, 4);
    expect(window.waitMs(600, 1)).toBe(400);
    expect(window.waitMs(600, 5)).toBe(400);
    expect(window.waitMs(600, 7)).toBe(900);
    window.settle(late, 800, 3);
    expect(window.used(900)).toBe(7);
    expect(window.waitMs(1_000, 4)).toBe(0);
    expect(window.used(1_801)).toBe(0);
  });

  it('never lets more than the capacity into any window, whatever the arrival times', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 5 })), { minLength: 1, maxLength: 200 }), (arrivals) => {
        const window = new SlidingWindow(12, 1_000);
        const admitted: [number, number][] = [];
        let now = 0;
        for (const [gap, amount] of arrivals) {
          now += gap;
          now += window.waitMs(now, amount);
          window.charge(now, amount);
          admitted.push([now, amount]);
        }
        for (const [start] of admitted) {
          const inWindow = admitted.filter(([time]) => time >= start && time < start + 1_000).reduce((sum, [, amount]) => sum + amount, 0);
          expect(inWindow).toBeLessThanOrEqual(12);
        }
      }),
    );
  });
});

describe('governor', () => {
  it('keeps writes under 3,000 per 150 s before Graph has to say so', () => {
    expect([WRITES_PER_WINDOW, WRITE_WINDOW_MS]).toEqual([3_000, 150_000]);
    const { governor: g, clock } = governor({ maxConcurrency: 1_000, initialConcurrency: 1_000 });
    const batch = { resourceUnits: 20, writes: 20, activations: 0 };
    for (let n = 0; n < 150; n += 1) g.finish(g.begin(batch), { throttledForMs: null, refused: NO_COST });
    expect(g.waitMs(batch)).toBe(WRITE_WINDOW_MS);
    clock.advance(WRITE_WINDOW_MS);
    expect(g.waitMs(batch)).toBe(0);
  });

  it('paces reads under the resource-unit budget once the tenant size is known', () => {
    const { governor: g, clock } = governor();
    g.useResourceUnitBudget(40);
    g.finish(g.begin({ resourceUnits: 40, writes: 0, activations: 0 }), { throttledForMs: null, refused: NO_COST });
    expect(g.waitMs(READ)).toBe(10_000);
    clock.advance(10_000);
    expect(g.waitMs(READ)).toBe(0);
  });

  it('gives back what Graph refused: a throttled batch does not use the budget', () => {
    const { governor: g } = governor();
    g.useResourceUnitBudget(20);
    const ticket = g.begin({ resourceUnits: 20, writes: 0, activations: 0 });
    g.finish(ticket, { throttledForMs: 0, refused: { resourceUnits: 15, writes: 0, activations: 0 } });
    expect(g.waitMs({ resourceUnits: 15, writes: 0, activations: 0 })).toBe(0);
  });

  it('halves the batches in flight once per 429 episode and pauses everything for the Retry-After', () => {
    const { governor: g, clock } = governor({ initialConcurrency: 8 });
    const tickets = Array.from({ length: 8 }, () => g.begin(READ));
    expect(g.hasSlot()).toBe(false);
    clock.advance(5);
    // Every batch of the same burst comes back throttled: one decrease, not eight.
    for (const ticket of tickets) g.finish(ticket, { throttledForMs: 2_000, refused: READ });
    expect(g.snapshot()).toMatchObject({ concurrency: 4, inFlight: 0 });
    expect(g.waitMs(READ)).toBe(2_000);
    clock.advance(2_000);
    expect(g.waitMs(READ)).toBe(0);
    // A batch sent after the decrease that is throttled again halves again, down to 1.
    for (const expected of [2, 1, 1]) {
      g.finish(g.begin(READ), { throttledForMs: 10, refused: READ });
      expect(g.snapshot().concurrency).toBe(expected);
      clock.advance(10);
    }
  });

  it('adds a batch in flight after a streak of answered batches, up to the ceiling', () => {
    const { governor: g } = governor({ initialConcurrency: 1, maxConcurrency: 3, successStreakToGrow: 4 });
    for (let n = 0; n < 12; n += 1) g.finish(g.begin(READ), { throttledForMs: null, refused: NO_COST });
    expect(g.snapshot().concurrency).toBe(3);
  });

  it('frees the slot of a batch that got no answer, keeping its charge (Graph may have counted it)', () => {
    const { governor: g } = governor({ initialConcurrency: 1 });
    g.useResourceUnitBudget(20);
    g.abandon(g.begin({ resourceUnits: 20, writes: 0, activations: 0 }));
    expect(g.hasSlot()).toBe(true);
    expect(g.waitMs(READ)).toBeGreaterThan(0);
  });
});
