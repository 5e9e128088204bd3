/**
 * Graph's URL space as the emulator knows it: each route names its method, path, versions, the
 * application permissions that allow it, its path family (for stats) and its base resource-unit
 * cost (concepts/throttling-limits.md). Matching is case-insensitive on literal segments, as
 * Graph's is. A path Graph does not know is answered as Graph answers it: 400 "Resource not found
 * for the segment"; a known path with another method: 405.
 */
import type { Clock } from './clock.js';
import { errors, type GraphResponse } from './graph-response.js';
import type { EmulatorStats } from './stats.js';
import type { TenantStore } from './tenant-store.js';

export type GraphVersion = 'v1.0' | 'beta';
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
export const GRAPH_VERSIONS: readonly GraphVersion[] = ['v1.0', 'beta'];
export const WRITE_METHODS: readonly string[] = ['POST', 'PATCH', 'PUT', 'DELETE'];

/** One Graph operation: a request, or a request inside `$batch`. */
export interface GraphRequest {
  readonly method: string;
  readonly version: GraphVersion;
  /** Decoded path segments below the version. */
  readonly segments: readonly string[];
  /** The full URL as the emulator serves it (for `@odata.nextLink` and `Location`). */
  readonly url: URL;
  readonly query: URLSearchParams;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

export interface RouteContext {
  readonly store: TenantStore;
  readonly clock: Clock;
  readonly stats: EmulatorStats;
  /** `http(s)://127.0.0.1:PORT`, no trailing slash. */
  readonly baseUrl: string;
  /** Answer phone numbers masked, as Graph does for delegated authentication administrators. */
  readonly maskPhoneNumbers: boolean;
}

export type RouteParams = Readonly<Record<string, string>>;

export interface Route {
  readonly method: HttpMethod;
  /** Below the version, `{name}` for a parameter: `users/{user}/authentication/phoneMethods`. */
  readonly path: string;
  readonly versions: readonly GraphVersion[];
  /** Path family for stats: `users`, `phoneMethods`, `hardwareOathDevices`… */
  readonly family: string;
  /** Application permissions of which the caller needs one (the page's "Permissions" table). */
  readonly permissions: readonly string[];
  /** Base resource-unit cost when not 1 (throttling-limits.md "base request costs"). */
  readonly resourceUnits?: number;
  /** Counts against the hardware OATH activation limit. */
  readonly activation?: boolean;
  readonly handle: (request: GraphRequest, params: RouteParams, context: RouteContext) => GraphResponse;
}

export type RouteMatch =
  | { readonly route: Route; readonly params: RouteParams }
  | { readonly error: GraphResponse; readonly family: string };

function matchSegments(pattern: readonly string[], segments: readonly string[]): { matched: number; params: Record<string, string> } {
  const params: Record<string, string> = {};
  let matched = 0;
  for (; matched < pattern.length && matched < segments.length; matched += 1) {
    const expected = pattern[matched] ?? '';
    const actual = segments[matched] ?? '';
    if (expected.startsWith('{') && expected.endsWith('}')) {
      // A parameter never swallows a `$` system segment such as `$count`.
      if (actual.startsWith('$')) break;
      params[expected.slice(1, -1)] = actual;
    } else if (expected.toLowerCase() !== actual.toLowerCase()) {
      break;
    }
  }
  return { matched, params };
}

export class Router {
  readonly #routes: readonly (Route & { readonly pattern: readonly string[] })[];

  constructor(routes: readonly Route[]) {
    this.#routes = routes.map((route) => ({ ...route, pattern: route.path.split('/') }));
  }

  match(method: string, version: GraphVersion, segments: readonly string[]): RouteMatch {
    let deepest = 0;
    let familyAtPath: string | null = null;
    for (const route of this.#routes) {
      if (!route.versions.includes(version)) continue;
      const { matched, params } = matchSegments(route.pattern, segments);
      if (matched === route.pattern.length && matched === segments.length) {
        if (route.method === method.toUpperCase()) return { route, params };
        familyAtPath = route.family;
      }
      deepest = Math.max(deepest, matched);
    }
    if (familyAtPath !== null) return { error: errors.methodNotAllowed(), family: familyAtPath };
    return { error: errors.segmentNotFound(segments[deepest] ?? segments[segments.length - 1] ?? ''), family: 'unknown' };
  }

  /** The family of a path, whatever the method (for requests refused before routing). */
  familyOf(version: GraphVersion, segments: readonly string[]): string {
    const match = this.match('GET', version, segments);
    if ('route' in match) return match.route.family;
    for (const method of WRITE_METHODS) {
      const write = this.match(method, version, segments);
      if ('route' in write) return write.route.family;
    }
    return match.family;
  }
}
