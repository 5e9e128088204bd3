/**
 * One Graph operation through the policies every request meets, in Graph's order: faults inside a
 * batch, routing, throttling (concepts/throttling-limits.md), permissions, then the handler. Used
 * for plain requests and for each request inside `$batch` alike, so throttling, faults and
 * permissions apply per item as Graph applies them (concepts/json-batching.md: "Requests in a
 * batch are evaluated individually against the applicable throttling limits").
 */
import type { Principal } from './auth.js';
import { hasAnyRole } from './auth.js';
import type { Clock } from './clock.js';
import type { FaultInjector } from './faults.js';
import { errors, graphError, type GraphResponse } from './graph-response.js';
import { queryOption } from './odata-query.js';
import { GRAPH_VERSIONS, WRITE_METHODS, type GraphRequest, type GraphVersion, type Route, type RouteContext, type Router } from './router.js';
import type { EmulatorStats } from './stats.js';
import type { RequestCost, ThrottleModel } from './throttle.js';

export interface Operation {
  readonly method: string;
  /** Full URL, `{baseUrl}/{version}/…`. */
  readonly url: URL;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly inBatch: boolean;
  /** When the HTTP request carrying it arrived (for a batch item, the batch's arrival). */
  readonly receivedAt: number;
}

export interface PipelineDependencies {
  readonly router: Router;
  readonly throttle: ThrottleModel;
  readonly faults: FaultInjector;
  readonly stats: EmulatorStats;
  readonly clock: Clock;
  readonly context: RouteContext;
  /** Waits for injected latency (real time: latency is felt by the client, not scaled). */
  readonly sleep: (ms: number) => Promise<void>;
}

/** `/v1.0/users/x` → version and decoded segments below it; null when the version is not Graph's. */
export function splitGraphPath(pathname: string): { version: GraphVersion; segments: string[] } | null {
  const parts = pathname.split('/').filter((part) => part !== '');
  const version = GRAPH_VERSIONS.find((candidate) => candidate === parts[0]);
  if (version === undefined) return null;
  return {
    version,
    segments: parts.slice(1).map((part) => {
      try {
        return decodeURIComponent(part);
      } catch {
        return part;
      }
    }),
  };
}

/**
 * Resource units and write cost of a request (throttling-limits.md "base request costs" and
 * "Other factors": `$select` −1, `$top` under 20 −1, never below 1).
 */
export function costOf(route: Route, method: string, query: URLSearchParams): RequestCost {
  const write = WRITE_METHODS.includes(method);
  let resourceUnits = route.resourceUnits ?? 1;
  if (!write) {
    if (queryOption(query, 'select') !== null) resourceUnits -= 1;
    const top = Number(queryOption(query, 'top'));
    if (Number.isInteger(top) && top > 0 && top < 20) resourceUnits -= 1;
  }
  return { resourceUnits: Math.max(1, resourceUnits), writes: write ? 1 : 0, activations: route.activation === true ? 1 : 0 };
}

/** Throttled requests remembered for early-retry counting; past this, expired entries are dropped. */
const TOLD_TO_WAIT_PRUNE_AT = 10_000;

export class GraphPipeline {
  readonly #deps: PipelineDependencies;
  /** Throttled requests (app, method, URL, body) → when the Retry-After given to them ends. */
  #toldToWait = new Map<string, number>();

  constructor(deps: PipelineDependencies) {
    this.#deps = deps;
  }

  /** Forgets throttled requests (emulator reset). */
  reset(): void {
    this.#toldToWait = new Map();
  }

  /**
   * Counts a request that repeats a throttled one before the Retry-After it was given
   * (concepts/throttling.md: wait that long before retrying), then remembers when this one may
   * come back if it was throttled now. Identity is app, method, URL and body, so a retry is told
   * apart from other requests that merely arrive while the app is throttled.
   */
  #noteRetry(appId: string, operation: Operation, throttledUntil: number | null): void {
    const key = `${appId} ${operation.method.toUpperCase()} ${operation.url.pathname}${operation.url.search} ${operation.body === undefined ? '' : JSON.stringify(operation.body)}`;
    const told = this.#toldToWait.get(key);
    if (told !== undefined && operation.receivedAt < told) this.#deps.stats.earlyRetry();
    if (throttledUntil === null) {
      this.#toldToWait.delete(key);
      return;
    }
    this.#toldToWait.set(key, throttledUntil);
    if (this.#toldToWait.size > TOLD_TO_WAIT_PRUNE_AT) {
      const now = this.#deps.clock.now();
      for (const [stale, until] of this.#toldToWait) if (until <= now) this.#toldToWait.delete(stale);
    }
  }

  async execute(operation: Operation, principal: Principal): Promise<GraphResponse> {
    const { stats } = this.#deps;
    const method = operation.method.toUpperCase();
    const path = splitGraphPath(operation.url.pathname);
    if (path === null) {
      const response = errors.segmentNotFound(operation.url.pathname.split('/').filter((p) => p !== '')[0] ?? '');
      stats.operation(method, 'unknown', response.status, operation.inBatch);
      return response;
    }
    const write = WRITE_METHODS.includes(method);
    if (write) stats.writeAttempted();
    const { response, family } = await this.#run(operation, method, path.version, path.segments, principal, write);
    stats.operation(method, family, response.status, operation.inBatch);
    return response;
  }

  async #run(
    operation: Operation,
    method: string,
    version: GraphVersion,
    segments: readonly string[],
    principal: Principal,
    write: boolean,
  ): Promise<{ response: GraphResponse; family: string }> {
    const { router, throttle, faults, stats, context, sleep } = this.#deps;
    if (operation.inBatch) {
      const fault = faults.next(true);
      if (fault.latencyMs > 0) await sleep(fault.latencyMs);
      if (fault.kind === 'serverError') {
        stats.fault('serverError');
        return { response: serverError(fault.status), family: router.familyOf(version, segments) };
      }
      if (fault.kind === 'throttled') {
        stats.fault('throttled');
        this.#noteRetry(principal.appId, operation, this.#deps.clock.now() + faults.retryAfterSeconds * 1000);
        return { response: injectedThrottle(faults.retryAfterSeconds), family: router.familyOf(version, segments) };
      }
    }
    const match = router.match(method, version, segments);
    if ('error' in match) return { response: match.error, family: match.family };
    const { route, params } = match;

    const cost = costOf(route, method, operation.url.searchParams);
    const decision = throttle.admit(principal.appId, cost);
    this.#noteRetry(principal.appId, operation, decision.throttled ? decision.retryAt : null);
    if (decision.throttled) {
      this.#deps.stats.throttledBy(decision.scope);
      return {
        family: route.family,
        response: graphError(429, 'Request_ThrottledTemporarily', `Your request is throttled temporarily. Please try after ${decision.retryAfterSeconds} seconds.`, {
          'retry-after': String(decision.retryAfterSeconds),
          'x-ms-throttle-scope': decision.scope,
          'x-ms-throttle-information': decision.information,
        }),
      };
    }
    if (!hasAnyRole(principal, route.permissions)) return { response: errors.insufficientPrivileges(), family: route.family };

    const request: GraphRequest = {
      method,
      version,
      segments,
      url: operation.url,
      query: operation.url.searchParams,
      headers: operation.headers,
      body: operation.body,
    };
    let response: GraphResponse;
    try {
      response = route.handle(request, params, context);
    } catch (cause) {
      response = graphError(500, 'generalException', `The emulator failed while handling the request: ${(cause as Error).message}`);
    }
    if (write) stats.writeExecuted();
    const headers: Record<string, string> = { ...response.headers, 'x-ms-resource-unit': String(cost.resourceUnits) };
    // throttling-limits.md: returned only above 0.8 of the limit.
    if (decision.limitRatio > 0.8) headers['x-ms-throttle-limit-percentage'] = decision.limitRatio.toFixed(2);
    return { response: { ...response, headers }, family: route.family };
  }
}

/** A 429 of a limit outside the app's budgets (Graph's global limits), as the `429=` fault gives it. */
export function injectedThrottle(retryAfterSeconds: number): GraphResponse {
  return graphError(429, 'TooManyRequests', `Too many requests. Please try after ${retryAfterSeconds} seconds.`, { 'retry-after': String(retryAfterSeconds) });
}

/** A 5xx as Graph's gateway answers when a backend fails or is unavailable (concepts/errors.md). */
export function serverError(status: number): GraphResponse {
  const code = status === 503 ? 'serviceNotAvailable' : status === 504 ? 'GatewayTimeout' : 'generalException';
  const message =
    status === 503
      ? 'The service is temporarily unavailable. Try the request again after a delay.'
      : status === 504
        ? 'The server did not receive a timely response from the upstream server.'
        : 'An unspecified error has occurred.';
  return graphError(status, code, message);
}
