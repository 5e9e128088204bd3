/**
 * The throttle governor (docs/design.md "Throttling governor"). Two mechanisms:
 *
 * - Budgets it knows: sliding windows for Graph's write quota, the resource-unit quota of the
 *   tenant's size (once known) and hardware-token activations. A batch leaves only when its cost
 *   fits every window. Charges are re-stamped with the time the answer arrived, which is never
 *   earlier than Graph's own admission, so our windows free up no sooner than Graph's do.
 * - Adaptation to what it does not know (the budget is shared with nothing but may be lower under
 *   load, concepts/throttling-limits.md: "It is possible to receive 429 … even when the following
 *   limits are not reached"): a 429 halves the batches in flight and pauses every request until
 *   its Retry-After; a streak of answered batches adds one back.
 */
import type { Clock } from '../clock.js';
import {
  ACTIVATION_WINDOW_MS,
  ACTIVATIONS_PER_WINDOW,
  INITIAL_BATCHES_IN_FLIGHT,
  MAX_BATCHES_IN_FLIGHT,
  MEDIUM_TENANT_MAX_USERS,
  RESOURCE_UNIT_WINDOW_MS,
  RESOURCE_UNITS_LARGE_TENANT,
  RESOURCE_UNITS_MEDIUM_TENANT,
  RESOURCE_UNITS_SMALL_TENANT,
  SMALL_TENANT_MAX_USERS,
  SUCCESS_STREAK_TO_GROW,
  WRITE_WINDOW_MS,
  WRITES_PER_WINDOW,
} from './limits.js';

export interface GovernorLimits {
  /** Resource units per window; null until the tenant's size is known (then only adaptation applies). */
  readonly resourceUnitsPerWindow: number | null;
  readonly resourceUnitWindowMs: number;
  readonly writesPerWindow: number;
  readonly writeWindowMs: number;
  readonly activationsPerWindow: number;
  readonly activationWindowMs: number;
  readonly initialConcurrency: number;
  readonly maxConcurrency: number;
  readonly successStreakToGrow: number;
}

export const GRAPH_LIMITS: GovernorLimits = {
  resourceUnitsPerWindow: null,
  resourceUnitWindowMs: RESOURCE_UNIT_WINDOW_MS,
  writesPerWindow: WRITES_PER_WINDOW,
  writeWindowMs: WRITE_WINDOW_MS,
  activationsPerWindow: ACTIVATIONS_PER_WINDOW,
  activationWindowMs: ACTIVATION_WINDOW_MS,
  initialConcurrency: INITIAL_BATCHES_IN_FLIGHT,
  maxConcurrency: MAX_BATCHES_IN_FLIGHT,
  successStreakToGrow: SUCCESS_STREAK_TO_GROW,
};

/** throttling-limits.md: S under 50 users, M 50–500, L above 500. */
export function resourceUnitsForTenantSize(userCount: number): number {
  if (userCount <= SMALL_TENANT_MAX_USERS) return RESOURCE_UNITS_SMALL_TENANT;
  if (userCount <= MEDIUM_TENANT_MAX_USERS) return RESOURCE_UNITS_MEDIUM_TENANT;
  return RESOURCE_UNITS_LARGE_TENANT;
}

export interface RequestCost {
  readonly resourceUnits: number;
  readonly writes: number;
  readonly activations: number;
}

export const NO_COST: RequestCost = { resourceUnits: 0, writes: 0, activations: 0 };

export function addCosts(a: RequestCost, b: RequestCost): RequestCost {
  return { resourceUnits: a.resourceUnits + b.resourceUnits, writes: a.writes + b.writes, activations: a.activations + b.activations };
}

/**
 * throttling-limits.md "base request costs" for the paths we call (any other identity path costs
 * 1, and every write also 1 write), then "Other factors": `$select` −1, `$expand` +1, `$top`
 * under 20 −1, never below 1.
 */
export function estimateCost(method: string, path: string): RequestCost {
  const [pathPart = '', queryPart = ''] = path.split('?', 2);
  const segments = pathPart.split('/').filter((segment) => segment !== '').map((segment) => segment.toLowerCase());
  const write = method.toUpperCase() !== 'GET';
  let resourceUnits = 1;
  if (!write) {
    const [first, , third] = segments;
    if (segments.length === 1 && first === 'users') resourceUnits = 2;
    else if (first === 'groups' && third === 'transitivemembers') resourceUnits = 5;
    else if (first === 'groups' && third === 'members') resourceUnits = 3;
    const query = new URLSearchParams(queryPart);
    if (query.has('$select')) resourceUnits -= 1;
    if (query.has('$expand')) resourceUnits += 1;
    const top = Number(query.get('$top'));
    if (Number.isInteger(top) && top > 0 && top < 20) resourceUnits -= 1;
  }
  // Activations have their own budget, per tenant (hardwareoathauthenticationmethod-activate.md).
  const activation = write && segments.includes('hardwareoathmethods') && segments.at(-1) === 'activate';
  return { resourceUnits: Math.max(1, resourceUnits), writes: write ? 1 : 0, activations: activation ? 1 : 0 };
}

/** One batch's charge against a window; re-stamped and reduced when its answer arrives. */
export interface Charge {
  time: number;
  amount: number;
}

/** Charges younger than the window; the sum is what is used. */
export class SlidingWindow {
  #charges: Charge[] = [];

  constructor(
    readonly capacity: number,
    readonly windowMs: number,
  ) {}

  #expire(now: number): void {
    if (this.#charges.some((charge) => charge.time <= now - this.windowMs)) {
      this.#charges = this.#charges.filter((charge) => charge.time > now - this.windowMs);
    }
  }

  used(now: number): number {
    this.#expire(now);
    return this.#charges.reduce((sum, charge) => sum + charge.amount, 0);
  }

  /** Milliseconds until `amount` more fits; 0 when it fits now. An amount above capacity waits for an empty window. */
  waitMs(now: number, amount: number): number {
    if (amount <= 0) return 0;
    this.#expire(now);
    let used = this.used(now);
    if (used + Math.min(amount, this.capacity) <= this.capacity) return 0;
    const byAge = [...this.#charges].sort((a, b) => a.time - b.time);
    for (const charge of byAge) {
      used -= charge.amount;
      if (used + Math.min(amount, this.capacity) <= this.capacity) return Math.max(1, charge.time + this.windowMs - now);
    }
    return this.windowMs;
  }

  charge(now: number, amount: number): Charge {
    const charge = { time: now, amount };
    if (amount > 0) this.#charges.push(charge);
    return charge;
  }

  /** The answer arrived: count the charge from now (never earlier than Graph counted it), minus what Graph refused. */
  settle(charge: Charge, now: number, refund: number): void {
    charge.time = Math.max(charge.time, now);
    charge.amount = Math.max(0, charge.amount - refund);
  }
}

/** What the governor lent one batch, returned when its answer arrives. */
export interface Ticket {
  readonly dispatchedAt: number;
  readonly cost: RequestCost;
  readonly charges: { readonly resourceUnits: Charge | null; readonly writes: Charge; readonly activations: Charge };
}

/** What can hold a batch back: the pause after a 429, or one of the budgets (`tenantWrites`: the app pool's, all apps together). */
export type BudgetName = 'throttled' | 'resourceUnits' | 'writes' | 'tenantWrites' | 'activations';

/** The write budget and how much of it the last window used. */
export interface WriteWindow {
  readonly writesPerWindow: number;
  readonly windowMs: number;
  /** Writes charged in the window ending now. */
  readonly usedNow: number;
}

export interface GovernorSnapshot {
  readonly concurrency: number;
  readonly inFlight: number;
  readonly pausedUntil: number;
  readonly resourceUnitsPerWindow: number | null;
}

export class Governor {
  readonly #limits: GovernorLimits;
  readonly #clock: Clock;
  #resourceUnits: SlidingWindow | null;
  readonly #writes: SlidingWindow;
  readonly #activations: SlidingWindow;
  #concurrency: number;
  #inFlight = 0;
  #pausedUntil = 0;
  #lastDecreaseAt = Number.NEGATIVE_INFINITY;
  #streak = 0;

  constructor(limits: GovernorLimits, clock: Clock) {
    this.#limits = limits;
    this.#clock = clock;
    this.#resourceUnits = limits.resourceUnitsPerWindow === null ? null : new SlidingWindow(limits.resourceUnitsPerWindow, limits.resourceUnitWindowMs);
    this.#writes = new SlidingWindow(limits.writesPerWindow, limits.writeWindowMs);
    this.#activations = new SlidingWindow(limits.activationsPerWindow, limits.activationWindowMs);
    this.#concurrency = Math.max(1, Math.min(limits.initialConcurrency, limits.maxConcurrency));
  }

  /** The tenant's size is known: pace reads under its resource-unit budget from now on. */
  useResourceUnitBudget(resourceUnitsPerWindow: number): void {
    this.#resourceUnits = new SlidingWindow(resourceUnitsPerWindow, this.#limits.resourceUnitWindowMs);
  }

  snapshot(): GovernorSnapshot {
    return {
      concurrency: this.#concurrency,
      inFlight: this.#inFlight,
      pausedUntil: this.#pausedUntil,
      resourceUnitsPerWindow: this.#resourceUnits?.capacity ?? null,
    };
  }

  /** Whether another batch may be in flight now (independent of its cost). */
  hasSlot(): boolean {
    return this.#inFlight < this.#concurrency;
  }

  /** Milliseconds until a batch of this cost may leave: the pause after a 429, then every budget. 0 = now. */
  waitMs(cost: RequestCost): number {
    return this.waitFor(cost).ms;
  }

  /** As waitMs, with the budget that holds the batch back longest (null when it may leave now): what progress tells the admin. */
  waitFor(cost: RequestCost): { readonly ms: number; readonly budget: BudgetName | null } {
    const now = this.#clock.now();
    const waits: readonly [BudgetName, number][] = [
      ['throttled', this.#pausedUntil - now],
      ['resourceUnits', this.#resourceUnits?.waitMs(now, cost.resourceUnits) ?? 0],
      ['writes', this.#writes.waitMs(now, cost.writes)],
      ['activations', this.#activations.waitMs(now, cost.activations)],
    ];
    let longest: { ms: number; budget: BudgetName | null } = { ms: 0, budget: null };
    for (const [budget, ms] of waits) if (ms > longest.ms) longest = { ms, budget };
    return longest;
  }

  /** The write budget this run keeps to (Graph's 3,000 per 150 s, or `--write-budget`) and the writes charged in its window now. */
  writeWindow(): WriteWindow {
    return { writesPerWindow: this.#writes.capacity, windowMs: this.#writes.windowMs, usedNow: this.#writes.used(this.#clock.now()) };
  }

  /** A batch leaves now. */
  begin(cost: RequestCost): Ticket {
    const now = this.#clock.now();
    this.#inFlight += 1;
    return {
      dispatchedAt: now,
      cost,
      charges: {
        resourceUnits: this.#resourceUnits?.charge(now, cost.resourceUnits) ?? null,
        writes: this.#writes.charge(now, cost.writes),
        activations: this.#activations.charge(now, cost.activations),
      },
    };
  }

  /**
   * The batch was answered (or failed). `throttledForMs`: the largest Retry-After of its 429s, or
   * null when nothing in it was throttled; `refused`: the cost Graph did not charge (throttled
   * requests, and everything when no answer came).
   */
  finish(ticket: Ticket, outcome: { readonly throttledForMs: number | null; readonly refused: RequestCost }): void {
    const now = this.#clock.now();
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    const { charges } = ticket;
    if (charges.resourceUnits !== null) this.#resourceUnits?.settle(charges.resourceUnits, now, outcome.refused.resourceUnits);
    this.#writes.settle(charges.writes, now, outcome.refused.writes);
    this.#activations.settle(charges.activations, now, outcome.refused.activations);
    if (outcome.throttledForMs !== null) {
      this.#pausedUntil = Math.max(this.#pausedUntil, now + outcome.throttledForMs);
      // Halve once per episode: batches that left before the last decrease tell nothing new.
      if (ticket.dispatchedAt >= this.#lastDecreaseAt) {
        this.#concurrency = Math.max(1, Math.floor(this.#concurrency / 2));
        this.#lastDecreaseAt = now;
      }
      this.#streak = 0;
      return;
    }
    this.#streak += 1;
    if (this.#streak >= this.#limits.successStreakToGrow && this.#concurrency < this.#limits.maxConcurrency) {
      this.#concurrency += 1;
      this.#streak = 0;
    }
  }

  /**
   * A limit all apps share (the tenant's) answered 429 to a batch that left at `dispatchedAt`:
   * halve the batches in flight once per episode, as after a 429 of this app's own budgets; the
   * pause itself is the tenant's (app-pool.ts).
   */
  backOff(dispatchedAt: number): void {
    this.#streak = 0;
    if (dispatchedAt < this.#lastDecreaseAt) return;
    this.#concurrency = Math.max(1, Math.floor(this.#concurrency / 2));
    this.#lastDecreaseAt = this.#clock.now();
  }

  /**
   * How much of its budgets is left after a batch of this cost, as a share (0–1) of the tightest
   * one it touches: writes for a write, resource units (when known) for a read. What an app pool
   * compares to give a batch to the app with the most room.
   */
  room(cost: RequestCost): number {
    const now = this.#clock.now();
    const share = (window: SlidingWindow, amount: number): number => (window.capacity - window.used(now) - amount) / window.capacity;
    let room = 1;
    if (cost.writes > 0) room = Math.min(room, share(this.#writes, cost.writes));
    if (cost.resourceUnits > 0 && this.#resourceUnits !== null) room = Math.min(room, share(this.#resourceUnits, cost.resourceUnits));
    return room;
  }

  /** A batch that was to leave did not (the journal could not record it): free its slot and charges as if it never began. */
  cancel(ticket: Ticket): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    const now = this.#clock.now();
    if (ticket.charges.resourceUnits !== null) this.#resourceUnits?.settle(ticket.charges.resourceUnits, now, ticket.cost.resourceUnits);
    this.#writes.settle(ticket.charges.writes, now, ticket.cost.writes);
    this.#activations.settle(ticket.charges.activations, now, ticket.cost.activations);
  }

  /** A batch failed without any answer (network): free its slot; nothing was learnt about throttling. */
  abandon(ticket: Ticket): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    const now = this.#clock.now();
    if (ticket.charges.resourceUnits !== null) this.#resourceUnits?.settle(ticket.charges.resourceUnits, now, 0);
    this.#writes.settle(ticket.charges.writes, now, 0);
    this.#activations.settle(ticket.charges.activations, now, 0);
  }
}
