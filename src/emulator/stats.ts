/**
 * What the emulator saw, for `/_emulator/stats`, tests and benchmarks. Definitions:
 * - `requests`: HTTP requests to Graph paths (`/v1.0`, `/beta`; a `$batch` counts once; the token
 *   endpoint and `/_emulator` are not counted).
 * - `operations`: every answered request, every request inside a batch, and each batch itself
 *   (family `batch`).
 * - `writeAttempts`: POST/PATCH/PUT/DELETE operations, whatever happened to them.
 * - `writes`: write operations that reached their handler (not throttled, faulted or refused by auth).
 * - `throttled`: 429 answers, whole requests and batch items alike (`throttledInBatch` of them inside).
 * - `throttledByScope`: the 429s of the budgets by the scope and limit they named (`Tenant_Application/Write`,
 *   `Tenant/Write`, …: the first two parts of `x-ms-throttle-scope`); injected 429s name none.
 * - `earlyRetries`: requests that repeated a throttled request (same app, method, URL and body)
 *   before the Retry-After it had been given had passed; a well-behaved client has none.
 * - `byMethod`, `byFamily`, `byStatus`: operations by HTTP method, path family and final status.
 * - `faults`: injected faults by kind (`serverError`, `throttled`, `drop`, `stall`, `lostResponse`),
 *   and `lostAfterWrite`: the lost answers of requests that had carried out a write.
 * - `maxInFlight`: most HTTP requests being handled at the same time.
 * - `phoneCreates`: successful phone method creations per `userId/phoneType`, to prove none was written twice.
 */
export interface StatsSnapshot {
  readonly requests: number;
  readonly operations: number;
  readonly writes: number;
  readonly writeAttempts: number;
  readonly throttled: number;
  readonly throttledInBatch: number;
  readonly throttledByScope: Readonly<Record<string, number>>;
  readonly earlyRetries: number;
  readonly batches: number;
  readonly faults: Readonly<Record<string, number>>;
  readonly byMethod: Readonly<Record<string, number>>;
  readonly byFamily: Readonly<Record<string, number>>;
  readonly byStatus: Readonly<Record<string, number>>;
  readonly inFlight: number;
  readonly maxInFlight: number;
  readonly hardwareActivations: number;
  readonly tokensIssued: number;
  readonly phoneCreates: Readonly<Record<string, number>>;
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

export class EmulatorStats {
  #requests = 0;
  #operations = 0;
  #writes = 0;
  #writeAttempts = 0;
  #throttled = 0;
  #throttledInBatch = 0;
  #throttledByScope: Record<string, number> = {};
  #earlyRetries = 0;
  #batches = 0;
  #faults: Record<string, number> = {};
  #byMethod: Record<string, number> = {};
  #byFamily: Record<string, number> = {};
  #byStatus: Record<string, number> = {};
  #inFlight = 0;
  #maxInFlight = 0;
  #hardwareActivations = 0;
  #tokensIssued = 0;
  #phoneCreates: Record<string, number> = {};

  reset(): void {
    this.#requests = 0;
    this.#operations = 0;
    this.#writes = 0;
    this.#writeAttempts = 0;
    this.#throttled = 0;
    this.#throttledInBatch = 0;
    this.#throttledByScope = {};
    this.#earlyRetries = 0;
    this.#batches = 0;
    this.#faults = {};
    this.#byMethod = {};
    this.#byFamily = {};
    this.#byStatus = {};
    this.#maxInFlight = this.#inFlight;
    this.#hardwareActivations = 0;
    this.#tokensIssued = 0;
    this.#phoneCreates = {};
  }

  requestStarted(): void {
    this.#requests += 1;
    this.#inFlight += 1;
    this.#maxInFlight = Math.max(this.#maxInFlight, this.#inFlight);
  }

  requestFinished(): void {
    this.#inFlight -= 1;
  }

  batchReceived(): void {
    this.#batches += 1;
  }

  fault(kind: string): void {
    bump(this.#faults, kind);
  }

  writeAttempted(): void {
    this.#writeAttempts += 1;
  }

  writeExecuted(): void {
    this.#writes += 1;
  }

  /** One finished Graph operation (a request, or a request inside a batch). */
  operation(method: string, family: string, status: number, inBatch: boolean): void {
    this.#operations += 1;
    bump(this.#byMethod, method);
    bump(this.#byFamily, family);
    bump(this.#byStatus, String(status));
    if (status === 429) {
      this.#throttled += 1;
      if (inBatch) this.#throttledInBatch += 1;
    }
  }

  /** A budget answered 429; `scope` is its `x-ms-throttle-scope`. */
  throttledBy(scope: string): void {
    bump(this.#throttledByScope, scope.split('/').slice(0, 2).join('/'));
  }

  earlyRetry(): void {
    this.#earlyRetries += 1;
  }

  hardwareActivated(): void {
    this.#hardwareActivations += 1;
  }

  tokenIssued(): void {
    this.#tokensIssued += 1;
  }

  phoneCreated(userId: string, phoneType: string): void {
    bump(this.#phoneCreates, `${userId}/${phoneType}`);
  }

  snapshot(): StatsSnapshot {
    return {
      requests: this.#requests,
      operations: this.#operations,
      writes: this.#writes,
      writeAttempts: this.#writeAttempts,
      throttled: this.#throttled,
      throttledInBatch: this.#throttledInBatch,
      throttledByScope: { ...this.#throttledByScope },
      earlyRetries: this.#earlyRetries,
      batches: this.#batches,
      faults: { ...this.#faults },
      byMethod: { ...this.#byMethod },
      byFamily: { ...this.#byFamily },
      byStatus: { ...this.#byStatus },
      inFlight: this.#inFlight,
      maxInFlight: this.#maxInFlight,
      hardwareActivations: this.#hardwareActivations,
      tokensIssued: this.#tokensIssued,
      phoneCreates: { ...this.#phoneCreates },
    };
  }
}
