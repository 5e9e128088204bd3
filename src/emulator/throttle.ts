/**
 * Graph's identity and access throttling, as microsoftgraph/microsoft-graph-docs-contrib
 * concepts/throttling-limits.md ("Identity and access service limits") describes it: per
 * application+tenant a resource-unit quota per 10 seconds by tenant size and a write quota of
 * 3,000 per 2 minutes 30 seconds; per tenant, for all apps together, a write quota of 18,000 per
 * 5 minutes; plus Entra's 200 hardware OATH activations per 5 minutes per tenant
 * (docs/design.md "Throttling model"). Each 429 names the limit's scope as Graph does
 * (`x-ms-throttle-scope: Tenant_Application/…` for an app's own quota, `Tenant/…` for one all
 * apps share). Budgets are sliding windows: in no window of the configured length does the
 * emulator accept more than the budget — the strictest reading of the documented quotas, so a
 * client that stays under them here stays under them in Graph. A client that retries before the
 * `Retry-After` it was given is throttled again (concepts/throttling.md: "If the request fails
 * again with a 429 error code, you are still being throttled").
 */
import type { Clock } from './clock.js';

/** Resource units per 10 s by tenant size: S under 50 users, M 50–500, L above 500 (throttling-limits.md). */
export const RESOURCE_UNITS_SMALL = 3_500;
export const RESOURCE_UNITS_MEDIUM = 5_000;
export const RESOURCE_UNITS_LARGE = 8_000;
export const RESOURCE_UNIT_WINDOW_SECONDS = 10;
/** Write quota per application+tenant (throttling-limits.md). */
export const WRITES_PER_WINDOW = 3_000;
export const WRITE_WINDOW_SECONDS = 150;
/** Write quota per tenant, all applications together (throttling-limits.md, "tenant" row). */
export const TENANT_WRITES_PER_WINDOW = 18_000;
export const TENANT_WRITE_WINDOW_SECONDS = 300;
/** Hardware OATH token activations per tenant (docs/design.md "Throttling model"). */
export const ACTIVATIONS_PER_WINDOW = 200;
export const ACTIVATION_WINDOW_SECONDS = 300;

export interface ThrottleConfig {
  /** Multiplies every window: 0.01 runs the 150 s write window in 1.5 s. 1 is Graph's own time. */
  readonly timeScale: number;
  /** Resource units per window; null takes the budget of the tenant's size. */
  readonly resourceUnitsPerWindow: number | null;
  readonly resourceUnitWindowSeconds: number;
  readonly writesPerWindow: number;
  readonly writeWindowSeconds: number;
  /** Writes all apps together may make in the tenant per window. */
  readonly tenantWritesPerWindow: number;
  readonly tenantWriteWindowSeconds: number;
  readonly activationsPerWindow: number;
  readonly activationWindowSeconds: number;
}

export const REALISTIC_THROTTLE: ThrottleConfig = {
  timeScale: 1,
  resourceUnitsPerWindow: null,
  resourceUnitWindowSeconds: RESOURCE_UNIT_WINDOW_SECONDS,
  writesPerWindow: WRITES_PER_WINDOW,
  writeWindowSeconds: WRITE_WINDOW_SECONDS,
  tenantWritesPerWindow: TENANT_WRITES_PER_WINDOW,
  tenantWriteWindowSeconds: TENANT_WRITE_WINDOW_SECONDS,
  activationsPerWindow: ACTIVATIONS_PER_WINDOW,
  activationWindowSeconds: ACTIVATION_WINDOW_SECONDS,
};

/** `off`, `realistic`, or realistic with some fields replaced. */
export type ThrottleSetting = 'off' | 'realistic' | Partial<ThrottleConfig>;

export function resolveThrottle(setting: ThrottleSetting): ThrottleConfig | null {
  if (setting === 'off') return null;
  if (setting === 'realistic') return REALISTIC_THROTTLE;
  return { ...REALISTIC_THROTTLE, ...setting };
}

/** Checks a throttle configuration read from JSON; returns the problems as sentences. */
export function readThrottleConfig(document: unknown): { config: Partial<ThrottleConfig>; problems: string[] } {
  const problems: string[] = [];
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return { config: {}, problems: ['the document must be a JSON object'] };
  const source = document as Record<string, unknown>;
  const config: Record<string, number | null> = {};
  const keys = Object.keys(REALISTIC_THROTTLE);
  for (const [key, value] of Object.entries(source)) {
    if (key === '$schema') continue;
    if (!keys.includes(key)) {
      problems.push(`"${key}" is not a throttle setting (known: ${keys.join(', ')})`);
      continue;
    }
    if (key === 'resourceUnitsPerWindow' && value === null) {
      config[key] = null;
    } else if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (key !== 'timeScale' && !Number.isInteger(value))) {
      problems.push(`"${key}" must be a positive ${key === 'timeScale' ? 'number' : 'integer'}`);
    } else {
      config[key] = value;
    }
  }
  return { config, problems };
}

export function resourceUnitBudget(userCount: number): number {
  if (userCount < 50) return RESOURCE_UNITS_SMALL;
  if (userCount <= 500) return RESOURCE_UNITS_MEDIUM;
  return RESOURCE_UNITS_LARGE;
}

/** What one request costs against each limit. */
export interface RequestCost {
  readonly resourceUnits: number;
  readonly writes: number;
  readonly activations: number;
}

type LimitName = 'ResourceUnit' | 'Write' | 'TenantWrite' | 'Activation';

/** Limits every app of the tenant shares: one budget, and a 429 of it holds back every app (scope `Tenant`). */
const TENANT_LIMITS: ReadonlySet<LimitName> = new Set(['TenantWrite', 'Activation']);

export type ThrottleDecision =
  | { readonly throttled: false; readonly limitRatio: number }
  | {
      readonly throttled: true;
      /** Seconds, possibly fractional when time is scaled. */
      readonly retryAfterSeconds: number;
      /** When the emulator admits this app again (ms since the epoch); the announced seconds round it up. */
      readonly retryAt: number;
      readonly limit: LimitName;
      /** `x-ms-throttle-scope` and `x-ms-throttle-information` header values (throttling-limits.md). */
      readonly scope: string;
      readonly information: string;
    };

/** Costs recorded in time order; the sum of those younger than the window is what is used. */
class SlidingWindowBudget {
  #times: number[] = [];
  #costs: number[] = [];
  #head = 0;
  #used = 0;

  constructor(
    readonly capacity: number,
    readonly windowMs: number,
  ) {}

  #expire(now: number): void {
    while (this.#head < this.#times.length && (this.#times[this.#head] ?? 0) <= now - this.windowMs) {
      this.#used -= this.#costs[this.#head] ?? 0;
      this.#head += 1;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#times.length) {
      this.#times = this.#times.slice(this.#head);
      this.#costs = this.#costs.slice(this.#head);
      this.#head = 0;
    }
  }

  used(now: number): number {
    this.#expire(now);
    return this.#used;
  }

  /** Milliseconds until `cost` fits; 0 when it fits now. */
  waitMs(now: number, cost: number): number {
    this.#expire(now);
    if (this.#used + cost <= this.capacity) return 0;
    if (cost > this.capacity) return this.windowMs;
    let freed = 0;
    for (let i = this.#head; i < this.#times.length; i += 1) {
      freed += this.#costs[i] ?? 0;
      if (this.#used - freed + cost <= this.capacity) return (this.#times[i] ?? now) + this.windowMs - now;
    }
    return this.windowMs;
  }

  add(now: number, cost: number): void {
    this.#times.push(now);
    this.#costs.push(cost);
    this.#used += cost;
  }
}

type Budgets = Readonly<Record<LimitName, SlidingWindowBudget>>;

const INFORMATION: Readonly<Record<LimitName, string>> = {
  ResourceUnit: 'ResourceUnitLimitExceeded',
  Write: 'WriteLimitExceeded',
  TenantWrite: 'WriteLimitExceeded',
  Activation: 'HardwareOathActivationLimitExceeded',
};

export class ThrottleModel {
  readonly #config: ThrottleConfig | null;
  readonly #tenantId: string;
  readonly #resourceUnits: number;
  readonly #clock: Clock;
  #budgets = new Map<string, Budgets>();
  #tenantBudgets: { readonly TenantWrite: SlidingWindowBudget; readonly Activation: SlidingWindowBudget } | null = null;
  /** When each app (or, for a tenant limit, every app) may call again after a 429, per limit. */
  #blockedUntil = new Map<string, number>();

  constructor(config: ThrottleConfig | null, tenantId: string, userCount: number, clock: Clock) {
    this.#config = config;
    this.#tenantId = tenantId;
    this.#resourceUnits = config?.resourceUnitsPerWindow ?? resourceUnitBudget(userCount);
    this.#clock = clock;
  }

  get config(): ThrottleConfig | null {
    return this.#config;
  }

  reset(): void {
    this.#budgets = new Map();
    this.#tenantBudgets = null;
    this.#blockedUntil = new Map();
  }

  #windowMs(seconds: number, config: ThrottleConfig): number {
    return seconds * 1000 * config.timeScale;
  }

  #budgetsOf(appId: string, config: ThrottleConfig): Budgets {
    let budgets = this.#budgets.get(appId);
    if (budgets === undefined) {
      // The tenant's write quota and hardware activations are counted per tenant: every app shares them.
      this.#tenantBudgets ??= {
        TenantWrite: new SlidingWindowBudget(config.tenantWritesPerWindow, this.#windowMs(config.tenantWriteWindowSeconds, config)),
        Activation: new SlidingWindowBudget(config.activationsPerWindow, this.#windowMs(config.activationWindowSeconds, config)),
      };
      budgets = {
        ResourceUnit: new SlidingWindowBudget(this.#resourceUnits, this.#windowMs(config.resourceUnitWindowSeconds, config)),
        Write: new SlidingWindowBudget(config.writesPerWindow, this.#windowMs(config.writeWindowSeconds, config)),
        ...this.#tenantBudgets,
      };
      this.#budgets.set(appId, budgets);
    }
    return budgets;
  }

  /** throttling-limits.md "Throttled responses requests": `<Scope>/<Limit>/<ApplicationId>/<TenantId>`. */
  #scope(limit: LimitName, appId: string): string {
    if (TENANT_LIMITS.has(limit)) return `Tenant/Write/${appId}/${this.#tenantId}`;
    return `Tenant_Application/${limit === 'Write' ? 'Write' : 'ReadWrite'}/${appId}/${this.#tenantId}`;
  }

  /** Whose block a 429 of this limit sets: the app's own, or the tenant's (every app waits). */
  #blockKey(limit: LimitName, appId: string): string {
    return TENANT_LIMITS.has(limit) ? `tenant/${limit}` : `${appId}/${limit}`;
  }

  /** Graph sends whole seconds; scaled time needs fractions to stay meaningful. */
  #announce(waitMs: number, config: ThrottleConfig): number {
    const seconds = waitMs / 1000;
    return config.timeScale >= 1 ? Math.max(1, Math.ceil(seconds)) : Math.max(0.001, Math.ceil(seconds * 1000) / 1000);
  }

  /** Decides one request; an admitted request is charged against every limit it touches. */
  admit(appId: string, cost: RequestCost): ThrottleDecision {
    const config = this.#config;
    if (config === null) return { throttled: false, limitRatio: 0 };
    const now = this.#clock.now();
    const budgets = this.#budgetsOf(appId, config);
    const charges: [LimitName, number][] = [
      ['ResourceUnit', cost.resourceUnits],
      ['Write', cost.writes],
      ['TenantWrite', cost.writes],
      ['Activation', cost.activations],
    ];
    const applicable = charges.filter(([, amount]) => amount > 0);

    for (const [limit] of applicable) {
      const until = this.#blockedUntil.get(this.#blockKey(limit, appId)) ?? 0;
      if (until > now) {
        return { throttled: true, retryAfterSeconds: this.#announce(until - now, config), retryAt: until, limit, scope: this.#scope(limit, appId), information: INFORMATION[limit] };
      }
    }
    let worst: { limit: LimitName; waitMs: number } | null = null;
    for (const [limit, amount] of applicable) {
      const waitMs = budgets[limit].waitMs(now, amount);
      if (waitMs > 0 && (worst === null || waitMs > worst.waitMs)) worst = { limit, waitMs };
    }
    if (worst !== null) {
      const retryAfterSeconds = this.#announce(worst.waitMs, config);
      this.#blockedUntil.set(this.#blockKey(worst.limit, appId), now + retryAfterSeconds * 1000);
      return { throttled: true, retryAfterSeconds, retryAt: now + retryAfterSeconds * 1000, limit: worst.limit, scope: this.#scope(worst.limit, appId), information: INFORMATION[worst.limit] };
    }
    let limitRatio = 0;
    for (const [limit, amount] of applicable) {
      const budget = budgets[limit];
      budget.add(now, amount);
      limitRatio = Math.max(limitRatio, budget.used(now) / budget.capacity);
    }
    return { throttled: false, limitRatio };
  }
}
