/**
 * Graph's documented limits and the gateway's own retry bounds, each a named constant with its
 * unit (docs/design.md "Limits"). Graph pages are in microsoftgraph/microsoft-graph-docs-contrib.
 */

/** concepts/json-batching.md "Batch size limitations": a `$batch` holds at most 20 requests. */
export const MAX_BATCH_REQUESTS = 20;

/**
 * concepts/throttling-limits.md "Identity and access service limits": resource units per
 * application+tenant pair per 10 seconds, by tenant size (S under 50 users, M 50–500, L above 500).
 */
export const RESOURCE_UNITS_SMALL_TENANT = 3_500;
export const RESOURCE_UNITS_MEDIUM_TENANT = 5_000;
export const RESOURCE_UNITS_LARGE_TENANT = 8_000;
export const RESOURCE_UNIT_WINDOW_MS = 10_000;
/** Largest user count of an S tenant and of an M tenant (same page, note below the table). */
export const SMALL_TENANT_MAX_USERS = 49;
export const MEDIUM_TENANT_MAX_USERS = 500;

/** Same page: write quota per application+tenant pair, 3,000 requests per 2 minutes 30 seconds. */
export const WRITES_PER_WINDOW = 3_000;
export const WRITE_WINDOW_MS = 150_000;

/**
 * Same page, "tenant" row: the write quota of a tenant for all applications together, 18,000
 * requests per 5 minutes. One app cannot reach it (3,000 per 150 s is 6,000 per 5 minutes); an
 * app pool of three can.
 */
export const TENANT_WRITES_PER_WINDOW = 18_000;
export const TENANT_WRITE_WINDOW_MS = 300_000;

/**
 * docs/design.md "Throttling governor": hardware OATH token activations, 200 per 5 minutes per
 * tenant.
 */
export const ACTIVATIONS_PER_WINDOW = 200;
export const ACTIVATION_WINDOW_MS = 300_000;

/** How long one HTTP request may take before it is abandoned and retried. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
/** Tries of one HTTP request that fails without an answer (network error, timeout). */
export const MAX_TRANSPORT_ATTEMPTS = 5;
/** Tries of one request answered 5xx. */
export const MAX_SERVER_ERROR_ATTEMPTS = 5;
/** Exponential backoff when Graph gives no Retry-After: first delay and cap, in milliseconds. */
export const RETRY_BASE_DELAY_MS = 1_000;
export const RETRY_MAX_DELAY_MS = 30_000;
/** A request throttled for longer than this in total is given up (GRAPH_THROTTLED_TOO_LONG). */
export const MAX_THROTTLE_WAIT_MS = 15 * 60_000;

/**
 * Batches in flight. Graph documents no concurrency limit for identity APIs; these are the
 * governor's start and ceiling (docs/design.md "Throttling governor"), and a success streak of this
 * many batches adds one.
 */
export const INITIAL_BATCHES_IN_FLIGHT = 4;
export const MAX_BATCHES_IN_FLIGHT = 16;
export const SUCCESS_STREAK_TO_GROW = 4;

/** user-list.md, group-list-transitivemembers.md: `$top` accepts 1–999 on directory collections. */
export const MAX_PAGE_SIZE = 999;

/** Users whose reads are under way at once in a bulk read: enough to keep every batch slot full. */
export const USERS_IN_FLIGHT = 400;

/**
 * Sends of one write after which an answer still in doubt is taken as final: each doubt costs a
 * read of the user and one more send, and a write Graph really refuses must not loop. As many as
 * the gateway gives any request without an answer; a Graph that answers nothing at all stops the
 * run sooner, when the read-back itself cannot get through (GRAPH_UNREACHABLE).
 */
export const MAX_SENDS_IN_DOUBT = MAX_TRANSPORT_ATTEMPTS;
