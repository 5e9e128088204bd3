/**
 * The app registrations the gateway signs in as, and the budget they share. Graph's identity and
 * access limits (microsoftgraph/microsoft-graph-docs-contrib concepts/throttling-limits.md,
 * "Identity and access service limits") are per application and tenant — 3,000 writes per 150 s,
 * resource units per 10 s by tenant size — except the tenant's own write quota, 18,000 writes per
 * 5 minutes for all applications together. So several apps of one tenant, each with the same
 * permissions, can write faster than one, up to the tenant's quota:
 *
 * - each app (a lane) has its own credential and token cache, its own transport (connections) and
 *   its own governor (governor.ts) for its writes and resource units;
 * - above them the tenant's budget: a sliding window of writes (`--tenant-write-budget`) and the
 *   hardware token activations, which Entra counts per tenant; a batch leaves only when its cost
 *   fits both its app's budgets and the tenant's;
 * - each batch goes to the app with the most room (ties in turn), so reads and writes spread;
 * - a 429 is attributed by its `x-ms-throttle-scope` (concepts/throttling-limits.md, "Throttled
 *   responses requests"): `Tenant/…` is a limit every app shares, so every app pauses until its
 *   Retry-After and halves its batches in flight; `Tenant_Application/…`, `Application/…` or no
 *   header at all is the app's own, and only that app backs off.
 *
 * Without `--app-pool` the pool has one lane and no tenant budget: the one governor decides as
 * before, and a tenant-scope 429 pauses and halves it as any 429 did.
 */
import type { Clock } from '../clock.js';
import type { PrincipalDescription } from './graph-errors.js';
import { SlidingWindow, type BudgetName, type Charge, type Governor, type GovernorSnapshot, type RequestCost, type Ticket, type WriteWindow } from './governor.js';
import type { HttpTransport, TokenSource } from './http-client.js';

/** Who sent a request: an app of `--app-pool`, or the one app the command signs in as. */
export interface SendingApp {
  /** The app's name in the pool file; null for the app of `--client-id`. */
  readonly name: string | null;
  /** Its application (client) id; null when not known (the emulator's development token carries none). */
  readonly clientId: string | null;
}

/** One app registration: what it signs in with, what carries its requests and what paces them. */
export interface AppLane {
  /** Learnt from the token at preflight when the settings did not say (`--auth default`). */
  app: SendingApp;
  readonly tokens: TokenSource;
  readonly transport: HttpTransport;
  readonly governor: Governor;
  /** Who the app's token says it is (preflight reads it), for messages naming a missing permission. */
  principal: PrincipalDescription;
}

/** Where a 429's limit lies: this app's own budgets, or a limit every app of the tenant shares. */
export type ThrottleScope = 'app' | 'tenant';

/**
 * `x-ms-throttle-scope: <Scope>/<Limit>/<ApplicationId>/<TenantId>` (throttling-limits.md):
 * `Tenant` is "all requests for the current tenant, regardless of the application"; anything else
 * (`Tenant_Application`, `Application`) or no header at all is taken as this app's own limit.
 */
export function throttleScopeOf(headers: Readonly<Record<string, string>>): ThrottleScope {
  const scope = headers['x-ms-throttle-scope']?.split('/', 1)[0]?.trim().toLowerCase();
  return scope === 'tenant' ? 'tenant' : 'app';
}

/** The tenant's budgets above the apps; null leaves a budget to the apps' governors. */
export interface TenantLimits {
  /** `--tenant-write-budget`: writes all the pool's apps together may send per window. */
  readonly writes: { readonly writesPerWindow: number; readonly writeWindowMs: number } | null;
  /** Hardware token activations, counted per tenant (200 per 5 minutes). */
  readonly activations: { readonly activationsPerWindow: number; readonly activationWindowMs: number } | null;
}

export const NO_TENANT_LIMITS: TenantLimits = { writes: null, activations: null };

/** What the pool lent one batch: its app's ticket and the tenant's charges. */
export interface PoolTicket {
  readonly lane: AppLane;
  readonly ticket: Ticket;
  readonly tenantCharges: { readonly writes: Charge | null; readonly activations: Charge | null };
}

/** How a batch's answer went, by the scope of its 429s. */
export interface PoolOutcome {
  /** Largest Retry-After of 429s of the app's own limits (or of none named), or of 5xx that gave one; null when none. */
  readonly appThrottledForMs: number | null;
  /** Largest Retry-After of 429s of a limit the tenant's apps share; null when none. */
  readonly tenantThrottledForMs: number | null;
  /** The cost Graph did not charge (throttled requests, and everything when no answer came). */
  readonly refused: RequestCost;
}

export class AppPool {
  readonly lanes: readonly AppLane[];
  readonly #clock: Clock;
  readonly #tenantWrites: SlidingWindow | null;
  readonly #tenantActivations: SlidingWindow | null;
  #pausedUntil = 0;
  /** The lane looked at first when several have the same room: ties go round. */
  #turn = 0;

  constructor(lanes: readonly AppLane[], limits: TenantLimits, clock: Clock) {
    if (lanes.length === 0) throw new Error('An app pool needs at least one app.');
    this.lanes = lanes;
    this.#clock = clock;
    this.#tenantWrites = limits.writes === null ? null : new SlidingWindow(limits.writes.writesPerWindow, limits.writes.writeWindowMs);
    this.#tenantActivations = limits.activations === null ? null : new SlidingWindow(limits.activations.activationsPerWindow, limits.activations.activationWindowMs);
  }

  /** Whether some app may have another batch in flight now. */
  hasSlot(): boolean {
    return this.lanes.some((lane) => lane.governor.hasSlot());
  }

  /**
   * Milliseconds until a batch of this cost may leave through some app, with what holds it back
   * longest: the tenant's pause or budgets, else the app with a free slot that waits least.
   */
  waitFor(cost: RequestCost): { readonly ms: number; readonly budget: BudgetName | null } {
    const now = this.#clock.now();
    const waits: [BudgetName, number][] = [
      ['throttled', this.#pausedUntil - now],
      ['tenantWrites', this.#tenantWrites?.waitMs(now, cost.writes) ?? 0],
      ['activations', this.#tenantActivations?.waitMs(now, cost.activations) ?? 0],
    ];
    const open = this.lanes.filter((lane) => lane.governor.hasSlot());
    let soonest: { ms: number; budget: BudgetName | null } | null = null;
    for (const lane of open.length === 0 ? this.lanes : open) {
      const wait = lane.governor.waitFor(cost);
      if (soonest === null || wait.ms < soonest.ms) soonest = wait;
    }
    let longest: { ms: number; budget: BudgetName | null } = { ms: 0, budget: null };
    for (const [budget, ms] of waits) if (ms > longest.ms) longest = { ms, budget };
    if (soonest !== null && soonest.ms > longest.ms) longest = soonest;
    return longest;
  }

  /** A batch leaves now, through the app with a free slot and the most room left (waitFor said it may). */
  begin(cost: RequestCost): PoolTicket {
    const lane = this.#choose(cost);
    const now = this.#clock.now();
    return {
      lane,
      ticket: lane.governor.begin(cost),
      tenantCharges: {
        writes: this.#tenantWrites?.charge(now, cost.writes) ?? null,
        activations: this.#tenantActivations?.charge(now, cost.activations) ?? null,
      },
    };
  }

  /** The batch was answered: its app's governor settles its own 429s, the tenant's 429s pause every app. */
  finish(pooled: PoolTicket, outcome: PoolOutcome): void {
    pooled.lane.governor.finish(pooled.ticket, { throttledForMs: outcome.appThrottledForMs, refused: outcome.refused });
    this.#settleTenant(pooled, outcome.refused);
    if (outcome.tenantThrottledForMs !== null) {
      this.#pausedUntil = Math.max(this.#pausedUntil, this.#clock.now() + outcome.tenantThrottledForMs);
      for (const lane of this.lanes) lane.governor.backOff(pooled.ticket.dispatchedAt);
    }
  }

  /** No answer came (network): the charges stand, the slot is free. */
  abandon(pooled: PoolTicket): void {
    pooled.lane.governor.abandon(pooled.ticket);
    this.#settleTenant(pooled, { resourceUnits: 0, writes: 0, activations: 0 });
  }

  /** The batch did not leave after all. */
  cancel(pooled: PoolTicket): void {
    pooled.lane.governor.cancel(pooled.ticket);
    this.#settleTenant(pooled, pooled.ticket.cost);
  }

  /** The tenant's size is known: every app paces its reads under that resource-unit budget. */
  useResourceUnitBudget(resourceUnitsPerWindow: number): void {
    for (const lane of this.lanes) lane.governor.useResourceUnitBudget(resourceUnitsPerWindow);
  }

  /** The apps' governors together, for progress lines and the benchmark. */
  snapshot(): GovernorSnapshot {
    const snapshots = this.lanes.map((lane) => lane.governor.snapshot());
    return {
      concurrency: snapshots.reduce((sum, snapshot) => sum + snapshot.concurrency, 0),
      inFlight: snapshots.reduce((sum, snapshot) => sum + snapshot.inFlight, 0),
      pausedUntil: Math.max(this.#pausedUntil, ...snapshots.map((snapshot) => snapshot.pausedUntil)),
      resourceUnitsPerWindow: snapshots[0]?.resourceUnitsPerWindow ?? null,
    };
  }

  /**
   * The write budget the pool keeps to, as one window for time-left estimates: the apps' budgets
   * added up, or the tenant's when that is the lower rate; `usedNow` is what leaves the room the
   * tighter of the two still has.
   */
  writeWindow(): WriteWindow {
    const windows = this.lanes.map((lane) => lane.governor.writeWindow());
    const windowMs = Math.max(...windows.map((window) => window.windowMs));
    // Each app's budget over the longest app window, so budgets of other windows add up.
    const appsPerWindow = windows.reduce((sum, window) => sum + (window.writesPerWindow * windowMs) / window.windowMs, 0);
    const appsRoom = windows.reduce((sum, window) => sum + Math.max(0, window.writesPerWindow - window.usedNow), 0);
    const apps: WriteWindow = { writesPerWindow: appsPerWindow, windowMs, usedNow: appsPerWindow - appsRoom };
    const tenant = this.#tenantWrites;
    if (tenant === null) return apps;
    const tenantRoom = Math.max(0, tenant.capacity - tenant.used(this.#clock.now()));
    const tenantIsLower = tenant.capacity / tenant.windowMs < apps.writesPerWindow / apps.windowMs;
    const budget = tenantIsLower ? { writesPerWindow: tenant.capacity, windowMs: tenant.windowMs } : { writesPerWindow: apps.writesPerWindow, windowMs: apps.windowMs };
    return { ...budget, usedNow: budget.writesPerWindow - Math.min(appsRoom, tenantRoom) };
  }

  #choose(cost: RequestCost): AppLane {
    const count = this.lanes.length;
    let best: { lane: AppLane; room: number } | null = null;
    for (let offset = 0; offset < count; offset += 1) {
      const lane = this.lanes[(this.#turn + offset) % count];
      if (lane === undefined || !lane.governor.hasSlot() || lane.governor.waitMs(cost) > 0) continue;
      const room = lane.governor.room(cost);
      if (best === null || room > best.room) best = { lane, room };
    }
    this.#turn = (this.#turn + 1) % count;
    return best?.lane ?? this.lanes.find((lane) => lane.governor.hasSlot()) ?? (this.lanes[0] as AppLane);
  }

  #settleTenant(pooled: PoolTicket, refused: RequestCost): void {
    const now = this.#clock.now();
    const { writes, activations } = pooled.tenantCharges;
    if (writes !== null) this.#tenantWrites?.settle(writes, now, refused.writes);
    if (activations !== null) this.#tenantActivations?.settle(activations, now, refused.activations);
  }
}
