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
 * governor pauses every call after a 429. With several apps (app-pool.ts) each request goes
 * through the app with the most room, signed with that app's token; a 429 backs off that app, or
 * every app when its `x-ms-throttle-scope` names the tenant.
 *
 * The executor is the only code that packs calls into `$batch` requests. A caller that must know
 * which request carries its calls gives them a CallListener: told once per HTTP request just
 * before it leaves (the journal marks exactly those operations `sent`, in one transaction) and
 * once per answer with the calls it settled. `stop()` (Ctrl-C) lets nothing leave any more —
 * waiting calls resolve at once as stopped — while requests already on the wire are awaited.
 */
import { interruptedError, type MigrateError } from '../errors.js';
import type { Clock } from '../clock.js';
import { buildBatchBody, readBatchAnswers, type BatchAnswer, type HttpMethod } from './batch-body.js';
import { throttleScopeOf, type AppLane, type AppPool, type PoolTicket, type SendingApp, type ThrottleScope } from './app-pool.js';
import { addCosts, estimateCost, NO_COST, type BudgetName, type RequestCost } from './governor.js';
import { certificateUntrusted, graphFailure, isCertificateFailure, readGraphError, serviceError, throttledTooLong, unreachable, type GraphErrorInfo, type PermissionRequirement } from './graph-errors.js';
import { TransportError, type GraphVersion, type HttpResponse, type HttpTransport } from './http-client.js';
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
  /**
   * Instead of `body`: built anew just before each send, e.g. an activation's code, computed from
   * the token's seed as late as possible (a code is valid for one time step).
   */
  readonly bodyAtSend?: () => unknown;
  /** Names this call for `dependsOn` among the calls submitted together. */
  readonly key?: string;
  /** Keys of calls submitted together that must succeed first (json-batching.md "dependsOn"); they share a batch. */
  readonly dependsOn?: readonly string[];
  /** Cost against the governor's budgets; estimated from method and path when absent. */
  readonly cost?: RequestCost;
  /** Told when the request carrying this call leaves and when its answer settles it (the journal's hooks). */
  readonly listener?: CallListener;
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
  /** False for a `whenUnanswered: 'report'` call that got no answer (status 0), or that stop() kept from leaving. */
  readonly answered: boolean;
  /**
   * stop() kept this `whenUnanswered: 'report'` call from leaving (again): `status` is then the
   * status of its last answer (429, 5xx, 424…), or 0 when it never left. Calls that do not report
   * are rejected with INTERRUPTED instead.
   */
  readonly stopped: boolean;
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON, the text when it is not JSON, or undefined when empty. */
  readonly body: unknown;
  readonly requestId: string | null;
  readonly attempts: number;
  /** Set for a status of 400 or more, and for calls given up (throttled too long, 5xx every time). */
  readonly error: MigrateError | null;
  /** The app whose request brought this result; null when no request did (stopped before it left). */
  readonly app: SendingApp | null;
}

/** One call of a request that is about to leave, with how many times it has left before this one. */
export interface SentCall {
  readonly call: GraphCall;
  /** 1 for its first send. */
  readonly attempt: number;
}

export interface SettledCall {
  readonly call: GraphCall;
  readonly result: GraphCallResult;
}

/**
 * A caller's hooks on its calls. Both are called synchronously, never for a call of another
 * listener, and must not throw out of `settled` (it is told after the calls' promises resolved).
 */
export interface CallListener {
  /**
   * Just before the HTTP request leaves, once per request, with this listener's calls in it and the
   * app it goes out as. A throw keeps the whole request from leaving: its calls are rejected with the error.
   */
  beforeSend(calls: readonly SentCall[], app: SendingApp): void;
  /** Once per answer (or per stop), with this listener's calls it settled, in submission order. */
  settled(calls: readonly SettledCall[]): void;
}

/** Why nothing leaves now: a budget of the governor, the pause after a 429, or a Retry-After / backoff before a retry. */
export type WaitReason = BudgetName | 'retry';

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
  sent?(event: { readonly at: number; readonly kind: 'batch' | 'single'; readonly calls: readonly { readonly attempt: number; readonly notBefore: number }[]; readonly app: SendingApp }): void;
  /** Its answer arrived: statuses of the calls, resource units Graph charged (x-ms-resource-unit), the wait asked for. */
  answered?(event: {
    readonly at: number;
    readonly statuses: readonly number[];
    readonly resourceUnits: number;
    readonly retryAfterMs: number | null;
    /** The app the request went out as. */
    readonly app: SendingApp;
    /** Whose limit its 429s named: the tenant's when any did (`x-ms-throttle-scope: Tenant/…`), else the app's; null without a 429. */
    readonly throttleScope: ThrottleScope | null;
  }): void;
  /** Calls wait and nothing may leave before `until` (epoch ms) because of `reason`; null when sending goes on. Told on changes only. */
  waiting?(event: { readonly at: number; readonly until: number; readonly reason: WaitReason } | null): void;
}

export interface ExecutorDependencies {
  /** The apps requests go out as, each with its token, transport and governor, and the tenant's budget above them. */
  readonly apps: AppPool;
  readonly clock: Clock;
  readonly random: () => number;
  readonly settings: ExecutorSettings;
  /** Graph root, for messages. */
  readonly target: string;
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
  /** Status of the last answer that sent it back to the queue; 0 while it has none. */
  lastStatus: number;
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

function bodyOf(call: GraphCall): unknown {
  return call.bodyAtSend === undefined ? call.body : call.bodyAtSend();
}

/**
 * Settles calls and tells their listeners once, after everything one answer (or one stop) settles:
 * one `settled` per listener per answer, so a journal records each answer in one transaction.
 */
class Settlement {
  readonly #byListener = new Map<CallListener, SettledCall[]>();

  resolve(pending: PendingCall, result: GraphCallResult): void {
    pending.resolve(result);
    const listener = pending.call.listener;
    if (listener === undefined) return;
    const settled = this.#byListener.get(listener);
    if (settled === undefined) this.#byListener.set(listener, [{ call: pending.call, result }]);
    else settled.push({ call: pending.call, result });
  }

  tell(): void {
    const byListener = [...this.#byListener];
    this.#byListener.clear();
    for (const [listener, calls] of byListener) listener.settled(calls);
  }
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
  #stopped = false;
  /** HTTP requests sent and not answered yet. */
  #inFlight = 0;
  /** The last wait told to the observer, to tell changes only. */
  #toldWait: { until: number; reason: WaitReason } | null = null;

  constructor(deps: ExecutorDependencies) {
    this.#deps = deps;
  }

  /** HTTP requests that have left and not been answered yet: what a stop still waits for. */
  get requestsInFlight(): number {
    return this.#inFlight;
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
      return this.#pending(call, call.key ?? `#${index}`, settle.resolve, settle.reject);
    });
    this.#enqueue(this.#units(pendings));
    return promises;
  }

  /** One call sent on its own, not inside `$batch` (paging links, `$count`, preflight probes). */
  single(call: GraphCall): Promise<GraphCallResult> {
    return new Promise<GraphCallResult>((resolve, reject) => {
      const pending = this.#pending(call, '#0', resolve, reject);
      this.#enqueue([{ calls: [pending], version: call.version, single: true, transportFailures: 0, taken: false }]);
    });
  }

  /**
   * Ctrl-C: from now on nothing leaves. Calls waiting to be sent (or sent again) settle at once —
   * `whenUnanswered: 'report'` calls as stopped, others rejected with INTERRUPTED — and so does
   * anything submitted later. Requests already on the wire are answered and settled as usual.
   * Returns how many requests are on the wire.
   */
  stop(): number {
    if (this.#stopped || this.#closed) return this.#inFlight;
    this.#stopped = true;
    this.#clearTimer();
    const waiting = [...this.#waiting()];
    this.#retries = [];
    this.#fresh = [];
    this.#freshHead = 0;
    const settlement = new Settlement();
    for (const unit of waiting) this.#settleStopped(unit, settlement);
    settlement.tell();
    this.#tellWaiting(null);
    return this.#inFlight;
  }

  /** Stops timers; calls still queued, or re-queued later, are rejected. */
  close(): void {
    this.#closed = true;
    this.#clearTimer();
    const waiting = [...this.#waiting()];
    this.#retries = [];
    this.#fresh = [];
    this.#freshHead = 0;
    for (const unit of waiting) for (const pending of unit.calls) pending.reject(closedError());
  }

  #pending(call: GraphCall, key: string, resolve: (result: GraphCallResult) => void, reject: (error: unknown) => void): PendingCall {
    return {
      call,
      cost: call.cost ?? estimateCost(call.method, call.path),
      key,
      dependsOn: [...(call.dependsOn ?? [])],
      attempts: 0,
      serverErrors: 0,
      throttledMs: 0,
      tokenRefreshed: false,
      notBefore: 0,
      lastStatus: 0,
      resolve,
      reject,
    };
  }

  #enqueue(units: readonly Unit[]): void {
    if (this.#stopped || this.#closed) {
      const settlement = new Settlement();
      for (const unit of units) {
        if (this.#closed) for (const pending of unit.calls) pending.reject(closedError());
        else this.#settleStopped(unit, settlement);
      }
      settlement.tell();
      return;
    }
    for (const unit of units) this.#fresh.push(unit);
    this.#schedulePump();
  }

  /** A unit stop() keeps from leaving: report-calls resolve as stopped with their last answer's status, the others are rejected. */
  #settleStopped(unit: Unit, settlement: Settlement): void {
    for (const pending of unit.calls) {
      if (pending.call.whenUnanswered === 'report') {
        settlement.resolve(pending, { answered: false, stopped: true, status: pending.lastStatus, headers: {}, body: undefined, requestId: null, attempts: pending.attempts, error: null, app: null });
      } else {
        pending.reject(interruptedError(pending.call.doing));
      }
    }
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
    if (this.#pumpScheduled || this.#closed || this.#stopped) return;
    this.#pumpScheduled = true;
    // Let callers that submit in a loop fill the queue before batches are cut.
    setImmediate(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  #clearTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  #wakeAt(at: number): void {
    if (this.#closed || this.#stopped || at >= this.#timerAt) return;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#timerAt = Number.POSITIVE_INFINITY;
      this.#pump();
    }, Math.max(0, at - this.#deps.clock.now()));
  }

  #tellWaiting(wait: { readonly until: number; readonly reason: WaitReason } | null): void {
    const told = this.#toldWait;
    if (wait === null ? told === null : told !== null && told.reason === wait.reason && Math.abs(told.until - wait.until) < 1_000) return;
    this.#toldWait = wait === null ? null : { ...wait };
    this.#deps.observer?.waiting?.(wait === null ? null : { at: this.#deps.clock.now(), ...wait });
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
    const { apps, clock } = this.#deps;
    while (!this.#closed && !this.#stopped && apps.hasSlot()) {
      const now = clock.now();
      const { picked, earliest } = this.#pick(now);
      if (picked.length === 0) {
        if (earliest !== Number.POSITIVE_INFINITY) {
          this.#wakeAt(earliest);
          this.#tellWaiting({ until: earliest, reason: 'retry' });
        } else {
          this.#tellWaiting(null);
        }
        return;
      }
      const wait = apps.waitFor(picked.reduce((sum, unit) => addCosts(sum, costOf(unit)), NO_COST));
      if (wait.ms > 0) {
        this.#wakeAt(now + wait.ms);
        this.#tellWaiting({ until: now + wait.ms, reason: wait.budget ?? 'retry' });
        return;
      }
      this.#tellWaiting(null);
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

  /** Tells each listener which of its calls this request carries, and as which app; false (calls rejected) when one refused. */
  #beforeSend(calls: readonly PendingCall[], app: SendingApp): boolean {
    const byListener = new Map<CallListener, SentCall[]>();
    for (const pending of calls) {
      const listener = pending.call.listener;
      if (listener === undefined) continue;
      const sent = { call: pending.call, attempt: pending.attempts + 1 };
      const list = byListener.get(listener);
      if (list === undefined) byListener.set(listener, [sent]);
      else list.push(sent);
    }
    try {
      for (const [listener, sent] of byListener) listener.beforeSend(sent, app);
      return true;
    } catch (error) {
      // Nothing left: a journal that cannot record `sent` must not let the request go.
      for (const pending of calls) pending.reject(error);
      return false;
    }
  }

  async #dispatch(units: readonly Unit[]): Promise<void> {
    const { apps, clock, observer } = this.#deps;
    const calls = units.flatMap((unit) => unit.calls);
    const ticket = apps.begin(units.reduce((sum, unit) => addCosts(sum, costOf(unit)), NO_COST));
    if (!this.#beforeSend(calls, ticket.lane.app)) {
      apps.cancel(ticket);
      this.#schedulePump();
      return;
    }
    const single = units.length === 1 && units[0]?.single === true;
    for (const pending of calls) pending.attempts += 1;
    observer?.sent?.({ at: clock.now(), kind: single ? 'single' : 'batch', calls: calls.map((pending) => ({ attempt: pending.attempts, notBefore: pending.notBefore })), app: ticket.lane.app });
    const settlement = new Settlement();
    this.#inFlight += 1;
    try {
      if (single) await this.#sendSingle(units[0] as Unit, ticket, settlement);
      else await this.#sendBatch(units, ticket, settlement);
    } catch (error) {
      // A bug in reading an answer must not leave callers waiting forever.
      for (const pending of calls) pending.reject(error);
    } finally {
      this.#inFlight -= 1;
      settlement.tell();
      this.#schedulePump();
    }
  }

  #request(unitsVersion: GraphVersion, call: GraphCall): Parameters<HttpTransport['send']>[0] {
    return {
      method: call.method,
      version: unitsVersion,
      path: call.path,
      headers: call.headers ?? {},
      body: bodyOf(call),
      timeoutMs: this.#deps.settings.requestTimeoutMs,
    };
  }

  async #sendSingle(unit: Unit, ticket: PoolTicket, settlement: Settlement): Promise<void> {
    const pending = unit.calls[0];
    if (pending === undefined) return;
    await this.#exchange([unit], ticket, this.#request(unit.version, pending.call), true, settlement);
  }

  async #sendBatch(units: readonly Unit[], ticket: PoolTicket, settlement: Settlement): Promise<void> {
    const ids = new Map<PendingCall, string>();
    let next = 1;
    for (const unit of units) for (const pending of unit.calls) ids.set(pending, String(next++));
    const idOf = (pending: PendingCall): string => ids.get(pending) ?? '';
    const items = units.flatMap((unit) => {
      const keyToId = new Map(unit.calls.map((pending) => [pending.key.toLowerCase(), idOf(pending)]));
      return unit.calls.map((pending) => {
        const body = bodyOf(pending.call);
        return {
          id: idOf(pending),
          method: pending.call.method,
          url: pending.call.path,
          ...(pending.call.headers === undefined ? {} : { headers: pending.call.headers }),
          ...(body === undefined ? {} : { body }),
          dependsOn: pending.dependsOn.map((key) => keyToId.get(key.toLowerCase()) ?? key),
        };
      });
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
      settlement,
    );
    if (response === null) return;
    const parsed = readBatchAnswers(parseBody(response.bodyText, response.headers['content-type']));
    // 200 without a readable batch body: as if Graph had failed every request (retried).
    const answers = parsed ?? new Map<string, BatchAnswer>(units.flatMap((unit) => unit.calls.map((pending): [string, BatchAnswer] => [idOf(pending), { id: idOf(pending), status: 502, headers: {}, body: response.bodyText }])));
    const retryAfterMs = this.#finishBatch(ticket, units, answers, idOf);
    // One clock reading for the whole answer: calls re-queued by it leave together, in one batch,
    // even when settling the units takes a few milliseconds on a busy machine.
    const answeredAt = this.#deps.clock.now();
    for (const unit of units) this.#settleUnit(unit, (pending) => answers.get(idOf(pending).toLowerCase()), retryAfterMs, answeredAt, ticket.lane, settlement);
  }

  /**
   * One HTTP exchange. Whole-request outcomes are handled here: no answer, 401 (token refreshed
   * once), 429/5xx (waited out, or given up), any answer to a single call, and a final error for a
   * whole batch. Returns the response only when it is a batch's 200, to be read call by call.
   */
  async #exchange(units: readonly Unit[], ticket: PoolTicket, request: Parameters<HttpTransport['send']>[0], single: boolean, settlement: Settlement): Promise<HttpResponse | null> {
    const { apps, clock, random, settings, observer } = this.#deps;
    const { lane } = ticket;
    const calls = units.flatMap((unit) => unit.calls);
    let response: HttpResponse;
    try {
      response = await lane.transport.send(request);
    } catch (error) {
      apps.abandon(ticket);
      if (!(error instanceof TransportError)) throw error;
      if (isCertificateFailure(error)) {
        // Fails the same every time: no retry, every call of the request gets the reason.
        const failure = certificateUntrusted(this.#deps.target, error);
        for (const pending of calls) pending.reject(failure);
        return null;
      }
      for (const unit of units) {
        unit.transportFailures += 1;
        if (unit.calls.some((pending) => pending.call.whenUnanswered === 'report')) {
          // The unit's calls are chained: report them all, the caller reads back what was done.
          const failure = unreachable(this.#deps.target, unit.calls[0]?.call.doing ?? 'calling Graph', error, unit.transportFailures);
          for (const pending of unit.calls) settlement.resolve(pending, { answered: false, stopped: false, status: 0, headers: {}, body: undefined, requestId: null, attempts: pending.attempts, error: failure, app: lane.app });
        } else if (unit.transportFailures >= settings.maxTransportAttempts) {
          const failure = unreachable(this.#deps.target, unit.calls[0]?.call.doing ?? 'calling Graph', error, unit.transportFailures);
          for (const pending of unit.calls) pending.reject(failure);
        } else {
          this.#requeue(unit, clock.now() + backoffDelayMs(unit.transportFailures, random, settings.retryBaseDelayMs, settings.retryMaxDelayMs), settlement);
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
      const throttleScope = response.status === 429 ? throttleScopeOf(response.headers) : null;
      observer?.answered?.({ at: now, statuses: calls.map(() => response.status), resourceUnits: Number.isFinite(charged) ? charged : 0, retryAfterMs: throttledForMs, app: lane.app, throttleScope });
    };

    if (response.status === 429 || RETRYABLE_SERVER_STATUSES.has(response.status)) {
      const wait = retryAfterMs ?? backoffDelayMs(Math.max(...calls.map((pending) => pending.attempts)), random, settings.retryBaseDelayMs, settings.retryMaxDelayMs);
      const throttledForMs = response.status === 429 || retryAfterMs !== null ? wait : null;
      const tenantWide = response.status === 429 && throttleScopeOf(response.headers) === 'tenant';
      apps.finish(ticket, { appThrottledForMs: tenantWide ? null : throttledForMs, tenantThrottledForMs: tenantWide ? throttledForMs : null, refused: response.status === 429 ? ticket.ticket.cost : NO_COST });
      tell(throttledForMs);
      for (const unit of units) {
        const givenUp = this.#retryOrGiveUp(unit.calls, response.status, wait, graph, lane, settlement);
        const again = this.#withoutDependentsOf(unit.calls.filter((pending) => !givenUp.includes(pending)), graph, lane, settlement);
        for (const pending of again) pending.lastStatus = response.status;
        if (again.length > 0) this.#requeue({ ...unit, calls: again }, now + wait, settlement);
      }
      return null;
    }
    apps.finish(ticket, { appThrottledForMs: null, tenantThrottledForMs: null, refused: response.status === 401 ? ticket.ticket.cost : NO_COST });
    tell(null);
    if (response.status === 401 && calls.some((pending) => !pending.tokenRefreshed)) {
      // An expired or revoked token: fetch a new one and try once more.
      lane.tokens.invalidate();
      for (const pending of calls) {
        pending.tokenRefreshed = true;
        pending.lastStatus = 401;
      }
      for (const unit of units) this.#requeue(unit, now, settlement);
      return null;
    }
    for (const pending of calls) settlement.resolve(pending, this.#result(pending, response.status, response.headers, body, response.status >= 400 ? graph : null, lane));
    return null;
  }

  /**
   * Calls out of tries leave the unit; a call that depends on one of them can no longer be sent
   * (its dependsOn would name a request missing from the next batch), so it fails as Graph would
   * answer it: 424 Failed Dependency (json-batching.md), to a fixpoint along the chain.
   */
  #withoutDependentsOf(remaining: readonly PendingCall[], graph: GraphErrorInfo, lane: AppLane, settlement: Settlement): PendingCall[] {
    let kept = [...remaining];
    for (let shrunk = true; shrunk; ) {
      shrunk = false;
      const keys = new Set(kept.map((pending) => pending.key.toLowerCase()));
      for (const pending of kept) {
        if (pending.dependsOn.every((key) => keys.has(key.toLowerCase()))) continue;
        settlement.resolve(pending, this.#result(pending, 424, {}, undefined, { status: 424, code: 'failedDependency', message: 'An earlier request this one depends on failed.', requestId: graph.requestId }, lane));
        kept = kept.filter((candidate) => candidate !== pending);
        shrunk = true;
        break;
      }
    }
    return kept;
  }

  /** Counts a retry of each call; returns those given up, already resolved with their error. */
  #retryOrGiveUp(calls: readonly PendingCall[], status: number, waitMs: number, graph: GraphErrorInfo, lane: AppLane, settlement: Settlement): PendingCall[] {
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
        settlement.resolve(pending, { answered: true, stopped: false, status, headers: {}, body: undefined, requestId: graph.requestId, attempts: pending.attempts, error, app: lane.app });
        givenUp.push(pending);
      }
    }
    return givenUp;
  }

  /**
   * Returns the batch's slot and charges to the pool, its 429s to the governor of their scope (the
   * app's, or the tenant's); the wait before its retries (largest inner Retry-After, or backoff
   * when a 429 gave none).
   */
  #finishBatch(ticket: PoolTicket, units: readonly Unit[], answers: ReadonlyMap<string, BatchAnswer>, idOf: (pending: PendingCall) => string): number | null {
    const { apps, clock, random, settings, observer } = this.#deps;
    const now = clock.now();
    let refused = NO_COST;
    let resourceUnits = 0;
    let throttled = false;
    let tenantWide = false;
    let retryAfterMs: number | null = null;
    let tenantRetryAfterMs: number | null = null;
    const statuses: number[] = [];
    for (const pending of units.flatMap((unit) => unit.calls)) {
      const answer = answers.get(idOf(pending).toLowerCase());
      statuses.push(answer?.status ?? 0);
      // Graph does not charge what it throttled or did not run.
      if (answer === undefined || answer.status === 429 || answer.status === 424) refused = addCosts(refused, pending.cost);
      if (answer === undefined) continue;
      const charged = Number(answer.headers['x-ms-resource-unit']);
      if (Number.isFinite(charged)) resourceUnits += charged;
      const tenantScope = answer.status === 429 && throttleScopeOf(answer.headers) === 'tenant';
      if (answer.status === 429) {
        if (tenantScope) tenantWide = true;
        else throttled = true;
      }
      if (answer.status === 429 || RETRYABLE_SERVER_STATUSES.has(answer.status)) {
        const wait = parseRetryAfterMs(answer.headers['retry-after'], now);
        if (wait !== null && tenantScope) tenantRetryAfterMs = Math.max(tenantRetryAfterMs ?? 0, wait);
        else if (wait !== null) retryAfterMs = Math.max(retryAfterMs ?? 0, wait);
      }
    }
    const attempts = Math.max(1, ...units.flatMap((unit) => unit.calls.map((pending) => pending.attempts)));
    const backoff = (): number => backoffDelayMs(attempts, random, settings.retryBaseDelayMs, settings.retryMaxDelayMs);
    if (throttled) retryAfterMs ??= backoff();
    if (tenantWide) tenantRetryAfterMs ??= backoff();
    apps.finish(ticket, { appThrottledForMs: retryAfterMs, tenantThrottledForMs: tenantRetryAfterMs, refused });
    // The calls sent back wait for the largest Retry-After of either scope.
    const waitMs = retryAfterMs === null && tenantRetryAfterMs === null ? null : Math.max(retryAfterMs ?? 0, tenantRetryAfterMs ?? 0);
    observer?.answered?.({ at: now, statuses, resourceUnits, retryAfterMs: waitMs, app: ticket.lane.app, throttleScope: tenantWide ? 'tenant' : throttled ? 'app' : null });
    return waitMs;
  }

  /**
   * Reads a unit's answers one by one: final ones resolve their call; 429/5xx/unanswered ones,
   * with the 424s that depended on them, go back to the queue together after the batch's
   * largest Retry-After, or a backoff when none was given.
   */
  #settleUnit(unit: Unit, answerOf: (pending: PendingCall) => BatchAnswer | undefined, retryAfterMs: number | null, answeredAt: number, lane: AppLane, settlement: Settlement): void {
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
      if (this.#retryOrGiveUp([pending], status, wait, graph, lane, settlement).length === 0) {
        retry.add(pending);
        pending.lastStatus = status;
      }
    }
    // 424s whose dependency is retried go with it (to a fixpoint along dependsOn chains).
    for (let grown = true; grown; ) {
      grown = false;
      for (const pending of unit.calls) {
        if (!retry.has(pending) && answerOf(pending)?.status === 424 && dependsOnAny(pending, retry)) {
          retry.add(pending);
          pending.lastStatus = 424;
          grown = true;
        }
      }
    }
    for (const pending of unit.calls) {
      const answer = answerOf(pending);
      if (retry.has(pending) || answer === undefined || retryable(answer.status)) continue;
      settlement.resolve(pending, this.#result(pending, answer.status, answer.headers, answer.body, answer.status >= 400 ? readGraphError(answer.status, answer.headers, answer.body) : null, lane));
    }
    if (retry.size === 0) return;
    const calls = unit.calls.filter((pending) => retry.has(pending));
    const kept = new Set(calls.map((pending) => pending.key.toLowerCase()));
    for (const pending of calls) pending.dependsOn = pending.dependsOn.filter((key) => kept.has(key.toLowerCase()));
    this.#requeue({ ...unit, calls }, answeredAt + wait, settlement);
  }

  #result(pending: PendingCall, status: number, headers: Readonly<Record<string, string>>, body: unknown, graph: GraphErrorInfo | null, lane: AppLane): GraphCallResult {
    return {
      answered: true,
      stopped: false,
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
              principal: lane.principal,
            }),
      app: lane.app,
    };
  }

  #requeue(unit: Unit, notBefore: number, settlement: Settlement): void {
    if (this.#closed) {
      for (const pending of unit.calls) pending.reject(closedError());
      return;
    }
    if (this.#stopped) {
      this.#settleStopped(unit, settlement);
      return;
    }
    for (const pending of unit.calls) pending.notBefore = Math.max(pending.notBefore, notBefore);
    this.#retries.push({ ...unit, taken: false });
    this.#schedulePump();
  }
}
