/**
 * Sends Graph calls, packed into `$batch` requests of up to 20 (or alone, when a call must not be
 * batched), with several batches in flight under the governor, and retries what may be retried:
 *
 * - an inner 429 or 5xx (and the 424s of requests that depended on it) is re-queued after the
 *   largest inner Retry-After of its batch (concepts/json-batching.md, concepts/throttling.md),
 *   or an exponential backoff with jitter when none was given;
 * - an inner 4xx is final, with Graph's code, message and request-id;
 * - a whole-request 429/5xx is waited out the same way; a 401 refreshes the token once;
 * - no answer (network error, timeout) is retried a bounded number of times with backoff, then
 *   every call of the batch fails with GRAPH_UNREACHABLE.
 *
 * No request leaves before the time it was told to wait: each call carries `notBefore`, and the
 * governor pauses every call after a 429.
 */
import type { MigrateError } from '../errors.js';
import type { Clock } from '../clock.js';
import { buildBatchBody, readBatchAnswers, type BatchAnswer, type HttpMethod } from './batch-body.js';
import { addCosts, estimateCost, NO_COST, type Governor, type RequestCost, type Ticket } from './governor.js';
import { graphFailure, readGraphError, serviceError, throttledTooLong, unreachable, type GraphErrorInfo, type PermissionRequirement, type PrincipalDescription } from './graph-errors.js';
import { TransportError, type GraphVersion, type HttpResponse, type HttpTransport, type TokenSource } from './http-client.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, MAX_BATCH_REQUESTS, MAX_SERVER_ERROR_ATTEMPTS, MAX_THROTTLE_WAIT_MS, MAX_TRANSPORT_ATTEMPTS, RETRY_BASE_DELAY_MS, RETRY_MAX_DELAY_MS } from './limits.js';
import { backoffDelayMs, parseRetryAfterMs } from './retry-after.js';

/** One Graph operation, as the gateway's typed methods describe it. */
export interface GraphCall {
  readonly method: HttpMethod;
  readonly version: GraphVersion;
  /** Below the version, query encoded: `/users/{id}/authentication/methods`. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** Names this call for `dependsOn` among the calls submitted together. */
  readonly key?: string;
  /** Keys of calls submitted together that must succeed first (json-batching.md "dependsOn"); they share a batch. */
  readonly dependsOn?: readonly string[];
  /** Cost against the governor's budgets; estimated from method and path when absent. */
  readonly cost?: RequestCost;
  /** Called just before each attempt leaves: the journal marks an operation `sent` here (DESIGN §6). */
  readonly beforeSend?: (attempt: number) => void;
  /**
   * A call that got no answer (connection lost, timeout) may have been carried out. `retry`
   * (default) sends it again: right for reads and for writes that do the same twice. `report`
   * resolves it unanswered (`answered: false`, status 0) for the caller to read back first —
   * apply's writes, whose journal knows how (apply-reconcile.ts).
   */
  readonly whenUnanswered?: 'retry' | 'report';
  /** What the call does, for messages: "reading the authentication methods policy". */
  readonly doing: string;
  /** The permission it needs, named when Graph answers 403. */
  readonly permission?: PermissionRequirement;
}

export interface GraphCallResult {
  /** False only for a `whenUnanswered: 'report'` call that got no answer; its status is then 0. */
  readonly answered: boolean;
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON, the text when it is not JSON, or undefined when empty. */
  readonly body: unknown;
  readonly requestId: string | null;
  readonly attempts: number;
  /** Set for a status of 400 or more, and for calls given up (throttled too long, 5xx every time). */
  readonly error: MigrateError | null;
}

export interface ExecutorSettings {
  readonly requestTimeoutMs: number;
  readonly maxTransportAttempts: number;
  readonly maxServerErrorAttempts: number;
  readonly maxThrottleWaitMs: number;
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
}

export const DEFAULT_EXECUTOR_SETTINGS: ExecutorSettings = {
  requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
  maxTransportAttempts: MAX_TRANSPORT_ATTEMPTS,
  maxServerErrorAttempts: MAX_SERVER_ERROR_ATTEMPTS,
  maxThrottleWaitMs: MAX_THROTTLE_WAIT_MS,
  retryBaseDelayMs: RETRY_BASE_DELAY_MS,
  retryMaxDelayMs: RETRY_MAX_DELAY_MS,
};

/** What tests and the benchmark watch; never needed to use the gateway. */
export interface ExecutorObserver {
  /** A request left: a `$batch` or a single call, with each call's attempt and the earliest time it was allowed. */
  sent?(event: { readonly at: number; readonly kind: 'batch' | 'single'; readonly calls: readonly { readonly attempt: number; readonly notBefore: number }[] }): void;
  /** Its answer arrived: statuses of the calls, resource units Graph charged (x-ms-resource-unit), the wait asked for. */
  answered?(event: { readonly at: number; readonly statuses: readonly number[]; readonly resourceUnits: number; readonly retryAfterMs: number | null }): void;
}

export interface ExecutorDependencies {
  readonly transport: HttpTransport;
  readonly tokens: TokenSource;
  readonly governor: Governor;
  readonly clock: Clock;
  readonly random: () => number;
  readonly settings: ExecutorSettings;
  /** Graph root, for messages. */
  readonly target: string;
  readonly principal: () => PrincipalDescription;
  readonly observer?: ExecutorObserver;
}

interface PendingCall {
  readonly call: GraphCall;
  readonly cost: RequestCost;
  /** Unique among the calls of one unit; the batch id is assigned per send. */
  readonly key: string;
  dependsOn: string[];
  attempts: number;
  serverErrors: number;
  throttledMs: number;
  tokenRefreshed: boolean;
  notBefore: number;
  readonly resolve: (result: GraphCallResult) => void;
  readonly reject: (error: unknown) => void;
}

/** Calls that must travel in one request: one alone, or calls chained by dependsOn. */
interface Unit {
  readonly calls: PendingCall[];
  readonly version: GraphVersion;
  readonly single: boolean;
  transportFailures: number;
  /** Sent: no longer waiting. */
  taken: boolean;
}

const RETRYABLE_SERVER_STATUSES = new Set([500, 502, 503, 504]);

function parseBody(text: string, contentType: string | undefined): unknown {
  if (text === '') return undefined;
  if (contentType === undefined || contentType.includes('json') || /^[[{]/.test(text.trim())) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

function closedError(): Error {
  return new Error('The Graph gateway was closed before the call was answered.');
}

function notBeforeOf(unit: Unit): number {
  return Math.max(...unit.calls.map((pending) => pending.notBefore));
}

function costOf(unit: Unit): RequestCost {
  return unit.calls.reduce((sum, pending) => addCosts(sum, pending.cost), NO_COST);
}

export class BatchExecutor {
  readonly #deps: ExecutorDependencies;
  /** Re-queued units, oldest first: looked at before fresh ones (usually few). */
  #retries: Unit[] = [];
  /** Units never sent, in submission order; sent ones are marked `taken` and skipped until compacted. */
  #fresh: Unit[] = [];
  #freshHead = 0;
  #timer: NodeJS.Timeout | null = null;
  #timerAt = Number.POSITIVE_INFINITY;
  #pumpScheduled = false;
  #closed = false;

  constructor(deps: ExecutorDependencies) {
    this.#deps = deps;
  }

  /** Sends the calls in `$batch` requests; calls linked by dependsOn travel together. Resolves in the calls' order. */
  run(calls: readonly GraphCall[]): Promise<GraphCallResult[]> {
    return Promise.all(this.submit(calls));
  }

  /** Like run, but one promise per call, so a caller can act on each as it completes. */
  submit(calls: readonly GraphCall[]): Promise<GraphCallResult>[] {
    const promises: Promise<GraphCallResult>[] = [];
    const pendings = calls.map((call, index) => {
      let settle: { resolve: (result: GraphCallResult) => void; reject: (error: unknown) => void } | undefined;
      promises.push(new Promise<GraphCallResult>((resolve, reject) => { settle = { resolve, reject }; }));
      if (settle === undefined) throw new Error('unreachable: the Promise executor runs synchronously');
      const pending: PendingCall = {
        call,
        cost: call.cost ?? estimateCost(call.method, call.path),
        key: call.key ?? `#${index}`,
        dependsOn: [...(call.dependsOn ?? [])],
        attempts: 0,
        serverErrors: 0,
        throttledMs: 0,
        tokenRefreshed: false,
        notBefore: 0,
        resolve: settle.resolve,
        reject: settle.reject,
      };
      return pending;
    });
    for (const unit of this.#units(pendings)) this.#fresh.push(unit);
    this.#schedulePump();
    return promises;
  }

  /** One call sent on its own, not inside `$batch` (paging links, `$count`, preflight probes). */
  single(call: GraphCall): Promise<GraphCallResult> {
    return new Promise<GraphCallResult>((resolve, reject) => {
      const pending: PendingCall = {
        call,
        cost: call.cost ?? estimateCost(call.method, call.path),
        key: '#0',
        dependsOn: [],
        attempts: 0,
        serverErrors: 0,
        throttledMs: 0,
        tokenRefreshed: false,
        notBefore: 0,
        resolve,
        reject,
      };
      this.#fresh.push({ calls: [pending], version: call.version, single: true, transportFailures: 0, taken: false });
      this.#schedulePump();
    });
  }

  /** Stops timers; calls still queued, or re-queued later, are rejected. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const waiting = [...this.#waiting()];
    this.#retries = [];
    this.#fresh = [];
    this.#freshHead = 0;
    for (const unit of waiting) for (const pending of unit.calls) pending.reject(closedError());
  }

  /** Groups calls connected by dependsOn; each group must fit in one batch. */
  #units(pendings: readonly PendingCall[]): Unit[] {
    const byKey = new Map(pendings.map((pending) => [pending.key.toLowerCase(), pending]));
    if (byKey.size !== pendings.length) throw new Error('Calls submitted together need unique keys.');
    const parent = new Map<PendingCall, PendingCall>();
    const root = (pending: PendingCall): PendingCall => {
      let current = pending;
      for (let next = parent.get(current); next !== undefined && next !== current; next = parent.get(current)) current = next;
      return current;
    };
    for (const pending of pendings) {
      for (const key of pending.dependsOn) {
        const dependency = byKey.get(key.toLowerCase());
        if (dependency === undefined) throw new Error(`Call ${pending.key} depends on ${key}, which was not submitted with it.`);
        parent.set(root(pending), root(dependency));
      }
    }
    const groups = new Map<PendingCall, PendingCall[]>();
    for (const pending of pendings) {
      const group = groups.get(root(pending)) ?? [];
      group.push(pending);
      groups.set(root(pending), group);
    }
    return [...groups.values()].map((calls) => {
      if (calls.length > MAX_BATCH_REQUESTS) throw new Error(`${calls.length} calls chained by dependsOn cannot share one $batch (at most ${MAX_BATCH_REQUESTS}).`);
      const versions = new Set(calls.map((pending) => pending.call.version));
      if (versions.size > 1) throw new Error('Calls chained by dependsOn must use the same Graph version.');
      return { calls, version: calls[0]?.call.version ?? 'v1.0', single: false, transportFailures: 0, taken: false };
    });
  }

  #schedulePump(): void {
    if (this.#pumpScheduled || this.#closed) return;
    this.#pumpScheduled = true;
    // Let callers that submit in a loop fill the queue before batches are cut.
    setImmediate(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  #wakeAt(at: number): void {
    if (this.#closed || at >= this.#timerAt) return;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#timerAt = Number.POSITIVE_INFINITY;
      this.#pump();
    }, Math.max(0, at - this.#deps.clock.now()));
  }

  /** Units waiting to be sent: re-queued ones first, then fresh ones in order. */
  *#waiting(): Generator<Unit> {
    yield* this.#retries;
    for (let index = this.#freshHead; index < this.#fresh.length; index += 1) {
      const unit = this.#fresh[index];
      if (unit !== undefined && !unit.taken) yield unit;
    }
  }

  #pump(): void {
    const { governor, clock } = this.#deps;
    while (!this.#closed && governor.hasSlot()) {
      const now = clock.now();
      const { picked, earliest } = this.#pick(now);
      if (picked.length === 0) {
        if (earliest !== Number.POSITIVE_INFINITY) this.#wakeAt(earliest);
        return;
      }
      const wait = governor.waitMs(picked.reduce((sum, unit) => addCosts(sum, costOf(unit)), NO_COST));
      if (wait > 0) {
        this.#wakeAt(now + wait);
        return;
      }
      this.#take(picked);
      void this.#dispatch(picked);
    }
  }

  /**
   * The oldest unit whose calls may leave now and, for batches, more such units of its version
   * while they fit in 20. When none may leave, `earliest` is when the first one may.
   */
  #pick(now: number): { picked: Unit[]; earliest: number } {
    const picked: Unit[] = [];
    let earliest = Number.POSITIVE_INFINITY;
    let size = 0;
    for (const unit of this.#waiting()) {
      const notBefore = notBeforeOf(unit);
      if (notBefore > now) {
        earliest = Math.min(earliest, notBefore);
        continue;
      }
      const [first] = picked;
      if (first === undefined) {
        picked.push(unit);
        size = unit.calls.length;
        if (unit.single) break;
        continue;
      }
      if (unit.single || unit.version !== first.version || size + unit.calls.length > MAX_BATCH_REQUESTS) continue;
      picked.push(unit);
      size += unit.calls.length;
      if (size === MAX_BATCH_REQUESTS) break;
    }
    return { picked, earliest };
  }

  #take(units: readonly Unit[]): void {
    for (const unit of units) unit.taken = true;
    this.#retries = this.#retries.filter((unit) => !unit.taken);
    while (this.#fresh[this.#freshHead]?.taken === true) this.#freshHead += 1;
    if (this.#freshHead > 4_096 && this.#freshHead * 2 > this.#fresh.length) {
      this.#fresh = this.#fresh.slice(this.#freshHead);
      this.#freshHead = 0;
    }
  }

  async #dispatch(units: readonly Unit[]): Promise<void> {
    const { governor, clock, observer } = this.#deps;
    const calls = units.flatMap((unit) => unit.calls);
    const ticket = governor.begin(units.reduce((sum, unit) => addCosts(sum, costOf(unit)), NO_COST));
    const single = units.length === 1 && units[0]?.single === true;
    for (const pending of calls) {
      pending.attempts += 1;
      pending.call.beforeSend?.(pending.attempts);
    }
    observer?.sent?.({ at: clock.now(), kind: single ? 'single' : 'batch', calls: calls.map((pending) => ({ attempt: pending.attempts, notBefore: pending.notBefore })) });
    try {
      if (single) await this.#sendSingle(units[0] as Unit, ticket);
      else await this.#sendBatch(units, ticket);
    } catch (error) {
      // A bug in reading an answer must not leave callers waiting forever.
      for (const pending of calls) pending.reject(error);
    } finally {
      this.#schedulePump();
    }
  }

  #request(unitsVersion: GraphVersion, call: Pick<GraphCall, 'method' | 'path' | 'headers' | 'body'>): Parameters<HttpTransport['send']>[0] {
    return {
      method: call.method,
      version: unitsVersion,
      path: call.path,
      headers: call.headers ?? {},
      body: call.body,
      timeoutMs: this.#deps.settings.requestTimeoutMs,
    };
  }

  async #sendSingle(unit: Unit, ticket: Ticket): Promise<void> {
    const pending = unit.calls[0];
    if (pending === undefined) return;
    await this.#exchange([unit], ticket, this.#request(unit.version, pending.call), true);
  }

  async #sendBatch(units: readonly Unit[], ticket: Ticket): Promise<void> {
    const ids = new Map<PendingCall, string>();
    let next = 1;
    for (const unit of units) for (const pending of unit.calls) ids.set(pending, String(next++));
    const idOf = (pending: PendingCall): string => ids.get(pending) ?? '';
    const items = units.flatMap((unit) => {
      const keyToId = new Map(unit.calls.map((pending) => [pending.key.toLowerCase(), idOf(pending)]));
      return unit.calls.map((pending) => ({
        id: idOf(pending),
        method: pending.call.method,
        url: pending.call.path,
        ...(pending.call.headers === undefined ? {} : { headers: pending.call.headers }),
        ...(pending.call.body === undefined ? {} : { body: pending.call.body }),
        dependsOn: pending.dependsOn.map((key) => keyToId.get(key.toLowerCase()) ?? key),
      }));
    });
    const response = await this.#exchange(
      units,
      ticket,
      {
        method: 'POST',
        version: units[0]?.version ?? 'v1.0',
        path: '/$batch',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: buildBatchBody(items),
        timeoutMs: this.#deps.settings.requestTimeoutMs,
      },
      false,
    );
    if (response === null) return;
    const parsed = readBatchAnswers(parseBody(response.bodyText, response.headers['content-type']));
    // 200 without a readable batch body: as if Graph had failed every request (retried).
    const answers = parsed ?? new Map<string, BatchAnswer>(units.flatMap((unit) => unit.calls.map((pending): [string, BatchAnswer] => [idOf(pending), { id: idOf(pending), status: 502, headers: {}, body: response.bodyText }])));
    const retryAfterMs = this.#finishBatch(ticket, units, answers, idOf);
    // One clock reading for the whole answer: calls re-queued by it leave together, in one batch,
    // even when settling the units takes a few milliseconds on a busy machine.
    const answeredAt = this.#deps.clock.now();
    for (const unit of units) this.#settleUnit(unit, (pending) => answers.get(idOf(pending).toLowerCase()), retryAfterMs, answeredAt);
  }

  /**
   * One HTTP exchange. Whole-request outcomes are handled here: no answer, 401 (token refreshed
   * once), 429/5xx (waited out, or given up), any answer to a single call, and a final error for a
   * whole batch. Returns the response only when it is a batch's 200, to be read call by call.
   */
  async #exchange(units: readonly Unit[], ticket: Ticket, request: Parameters<HttpTransport['send']>[0], single: boolean): Promise<HttpResponse | null> {
    const { transport, governor, clock, random, settings, observer } = this.#deps;
    const calls = units.flatMap((unit) => unit.calls);
    let response: HttpResponse;
    try {
      response = await transport.send(request);
    } catch (error) {
      governor.abandon(ticket);
      if (!(error instanceof TransportError)) throw error;
      for (const unit of units) {
        unit.transportFailures += 1;
        if (unit.calls.some((pending) => pending.call.whenUnanswered === 'report')) {
          // The unit's calls are chained: report them all, the caller reads back what was done.
          const failure = unreachable(this.#deps.target, unit.calls[0]?.call.doing ?? 'calling Graph', error, unit.transportFailures);
          for (const pending of unit.calls) pending.resolve({ answered: false, status: 0, headers: {}, body: undefined, requestId: null, attempts: pending.attempts, error: failure });
        } else if (unit.transportFailures >= settings.maxTransportAttempts) {
          const failure = unreachable(this.#deps.target, unit.calls[0]?.call.doing ?? 'calling Graph', error, unit.transportFailures);
          for (const pending of unit.calls) pending.reject(failure);
        } else {
          this.#requeue(unit, clock.now() + backoffDelayMs(unit.transportFailures, random, settings.retryBaseDelayMs, settings.retryMaxDelayMs));
        }
      }
      return null;
    }
    if (!single && response.status === 200) return response;

    const now = clock.now();
    const body = parseBody(response.bodyText, response.headers['content-type']);
    const graph = readGraphError(response.status, response.headers, body);
    const retryAfterMs = parseRetryAfterMs(response.headers['retry-after'], now);
    const charged = Number(response.headers['x-ms-resource-unit']);
    const tell = (throttledForMs: number | null): void => {
      observer?.answered?.({ at: now, statuses: calls.map(() => response.status), resourceUnits: Number.isFinite(charged) ? charged : 0, retryAfterMs: throttledForMs });
    };

    if (response.status === 429 || RETRYABLE_SERVER_STATUSES.has(response.status)) {
      const wait = retryAfterMs ?? backoffDelayMs(Math.max(...calls.map((pending) => pending.attempts)), random, settings.retryBaseDelayMs, settings.retryMaxDelayMs);
      const throttledForMs = response.status === 429 || retryAfterMs !== null ? wait : null;
      governor.finish(ticket, { throttledForMs, refused: response.status === 429 ? ticket.cost : NO_COST });
      tell(throttledForMs);
      for (const unit of units) {
        const givenUp = this.#retryOrGiveUp(unit.calls, response.status, wait, graph);
        const again = this.#withoutDependentsOf(unit.calls.filter((pending) => !givenUp.includes(pending)), graph);
        if (again.length > 0) this.#requeue({ ...unit, calls: again }, now + wait);
      }
      return null;
    }
    governor.finish(ticket, { throttledForMs: null, refused: response.status === 401 ? ticket.cost : NO_COST });
    tell(null);
    if (response.status === 401 && calls.some((pending) => !pending.tokenRefreshed)) {
      // An expired or revoked token: fetch a new one and try once more.
      this.#deps.tokens.invalidate();
      for (const pending of calls) pending.tokenRefreshed = true;
      for (const unit of units) this.#requeue(unit, now);
      return null;
    }
    for (const pending of calls) pending.resolve(this.#result(pending, response.status, response.headers, body, response.status >= 400 ? graph : null));
    return null;
  }

  /** Counts a retry of each call; returns those given up, already resolved with their error. */
  /**
   * Calls out of tries leave the unit; a call that depends on one of them can no longer be sent
   * (its dependsOn would name a request missing from the next batch), so it fails as Graph would
   * answer it: 424 Failed Dependency (json-batching.md), to a fixpoint along the chain.
   */
  #withoutDependentsOf(remaining: readonly PendingCall[], graph: GraphErrorInfo): PendingCall[] {
    let kept = [...remaining];
    for (let shrunk = true; shrunk; ) {
      shrunk = false;
      const keys = new Set(kept.map((pending) => pending.key.toLowerCase()));
      for (const pending of kept) {
        if (pending.dependsOn.every((key) => keys.has(key.toLowerCase()))) continue;
        pending.resolve(this.#result(pending, 424, {}, undefined, { status: 424, code: 'failedDependency', message: 'An earlier request this one depends on failed.', requestId: graph.requestId }));
        kept = kept.filter((candidate) => candidate !== pending);
        shrunk = true;
        break;
      }
    }
    return kept;
  }

  #retryOrGiveUp(calls: readonly PendingCall[], status: number, waitMs: number, graph: GraphErrorInfo): PendingCall[] {
    const { settings } = this.#deps;
    const givenUp: PendingCall[] = [];
    for (const pending of calls) {
      let error: MigrateError | null = null;
      if (status === 429) {
        pending.throttledMs += waitMs;
        if (pending.throttledMs > settings.maxThrottleWaitMs) error = throttledTooLong(pending.call.doing, graph);
      } else {
        pending.serverErrors += 1;
        if (pending.serverErrors >= settings.maxServerErrorAttempts) error = serviceError(pending.call.doing, graph);
      }
      if (error !== null) {
        pending.resolve({ answered: true, status, headers: {}, body: undefined, requestId: graph.requestId, attempts: pending.attempts, error });
        givenUp.push(pending);
      }
    }
    return givenUp;
  }

  /** Returns the batch's slot and charges to the governor; the wait before its retries (largest inner Retry-After, or backoff when a 429 gave none). */
  #finishBatch(ticket: Ticket, units: readonly Unit[], answers: ReadonlyMap<string, BatchAnswer>, idOf: (pending: PendingCall) => string): number | null {
    const { governor, clock, random, settings, observer } = this.#deps;
    const now = clock.now();
    let refused = NO_COST;
    let resourceUnits = 0;
    let throttled = false;
    let retryAfterMs: number | null = null;
    const statuses: number[] = [];
    for (const pending of units.flatMap((unit) => unit.calls)) {
      const answer = answers.get(idOf(pending).toLowerCase());
      statuses.push(answer?.status ?? 0);
      // Graph does not charge what it throttled or did not run.
      if (answer === undefined || answer.status === 429 || answer.status === 424) refused = addCosts(refused, pending.cost);
      if (answer === undefined) continue;
      const charged = Number(answer.headers['x-ms-resource-unit']);
      if (Number.isFinite(charged)) resourceUnits += charged;
      if (answer.status === 429) throttled = true;
      if (answer.status === 429 || RETRYABLE_SERVER_STATUSES.has(answer.status)) {
        const wait = parseRetryAfterMs(answer.headers['retry-after'], now);
        if (wait !== null) retryAfterMs = Math.max(retryAfterMs ?? 0, wait);
      }
    }
    const attempts = Math.max(1, ...units.flatMap((unit) => unit.calls.map((pending) => pending.attempts)));
    if (throttled) retryAfterMs ??= backoffDelayMs(attempts, random, settings.retryBaseDelayMs, settings.retryMaxDelayMs);
    governor.finish(ticket, { throttledForMs: retryAfterMs, refused });
    observer?.answered?.({ at: now, statuses, resourceUnits, retryAfterMs });
    return retryAfterMs;
  }

  /**
   * Reads a unit's answers one by one: final ones resolve their call; 429/5xx/unanswered ones,
   * with the 424s that depended on them, go back to the queue together after the batch's
   * largest Retry-After, or a backoff when none was given.
   */
  #settleUnit(unit: Unit, answerOf: (pending: PendingCall) => BatchAnswer | undefined, retryAfterMs: number | null, answeredAt: number): void {
    const { random, settings } = this.#deps;
    const retryable = (status: number | undefined): boolean => status === undefined || status === 429 || RETRYABLE_SERVER_STATUSES.has(status);
    const byKey = new Map(unit.calls.map((pending) => [pending.key.toLowerCase(), pending]));
    const dependsOnAny = (pending: PendingCall, set: ReadonlySet<PendingCall>): boolean =>
      pending.dependsOn.some((key) => {
        const dependency = byKey.get(key.toLowerCase());
        return dependency !== undefined && set.has(dependency);
      });

    const attempts = Math.max(1, ...unit.calls.map((pending) => pending.attempts));
    const wait = retryAfterMs ?? backoffDelayMs(attempts, random, settings.retryBaseDelayMs, settings.retryMaxDelayMs);
    // Calls Graph failed in a way worth retrying, minus those out of tries (resolved with their error).
    const retry = new Set<PendingCall>();
    for (const pending of unit.calls) {
      const answer = answerOf(pending);
      if (!retryable(answer?.status)) continue;
      const status = answer?.status ?? 502;
      const graph = readGraphError(status, answer?.headers ?? {}, answer?.body);
      if (this.#retryOrGiveUp([pending], status, wait, graph).length === 0) retry.add(pending);
    }
    // 424s whose dependency is retried go with it (to a fixpoint along dependsOn chains).
    for (let grown = true; grown; ) {
      grown = false;
      for (const pending of unit.calls) {
        if (!retry.has(pending) && answerOf(pending)?.status === 424 && dependsOnAny(pending, retry)) {
          retry.add(pending);
          grown = true;
        }
      }
    }
    for (const pending of unit.calls) {
      const answer = answerOf(pending);
      if (retry.has(pending) || answer === undefined || retryable(answer.status)) continue;
      pending.resolve(this.#result(pending, answer.status, answer.headers, answer.body, answer.status >= 400 ? readGraphError(answer.status, answer.headers, answer.body) : null));
    }
    if (retry.size === 0) return;
    const calls = unit.calls.filter((pending) => retry.has(pending));
    const kept = new Set(calls.map((pending) => pending.key.toLowerCase()));
    for (const pending of calls) pending.dependsOn = pending.dependsOn.filter((key) => kept.has(key.toLowerCase()));
    this.#requeue({ ...unit, calls }, answeredAt + wait);
  }

  #result(pending: PendingCall, status: number, headers: Readonly<Record<string, string>>, body: unknown, graph: GraphErrorInfo | null): GraphCallResult {
    return {
      answered: true,
      status,
      headers,
      body,
      requestId: graph?.requestId ?? headers['request-id'] ?? null,
      attempts: pending.attempts,
      error:
        graph === null
          ? null
          : graphFailure(graph, {
              doing: pending.call.doing,
              ...(pending.call.permission === undefined ? {} : { permission: pending.call.permission }),
              principal: this.#deps.principal(),
            }),
    };
  }

  #requeue(unit: Unit, notBefore: number): void {
    if (this.#closed) {
      for (const pending of unit.calls) pending.reject(closedError());
      return;
    }
    for (const pending of unit.calls) pending.notBefore = Math.max(pending.notBefore, notBefore);
    this.#retries.push({ ...unit, taken: false });
    this.#schedulePump();
  }
}
