/**
 * Faults on request, so the gateway's retries and the journal's crash recovery can be rehearsed:
 * 5xx answers, latency, connections dropped before the request is handled, responses lost after
 * a write was applied, and requests that are never answered. Every decision comes from a seeded
 * generator keyed by the request's sequence number, so a sequential client sees the same faults
 * on every run with the same seed.
 */
import { usageError } from '../errors.js';
import { randomForEvent } from './seeded-random.js';

export interface FaultConfig {
  readonly seed: number;
  /** Share of requests answered with a 5xx before they are handled. */
  readonly serverErrorRate: number;
  readonly serverErrorStatuses: readonly number[];
  /** Extra delay before answering, uniform in [min, max] milliseconds. */
  readonly latencyMs: { readonly min: number; readonly max: number } | null;
  /** Share of connections destroyed before the request is handled. */
  readonly dropRate: number;
  /** Share of requests handled (writes applied) whose response is then lost with the connection. */
  readonly lostResponseRate: number;
  /** The answers of this many requests that carried out a write are lost: the first ones, deterministically. */
  readonly lostWriteAnswers: number;
  /** Share of requests never answered (until the client gives up or the emulator stops). */
  readonly stallRate: number;
  /** Share of requests answered 429 whatever the budgets (Graph's global and service limits). */
  readonly throttleRate: number;
  /** The `Retry-After` of those 429s, in seconds; Graph sends whole ones, fractions test the parsing. */
  readonly retryAfterSeconds: number;
  /**
   * Phone numbers (`+` and digits, extension left out) Graph answers 400 for, as it does for a
   * number it finds invalid though it looks right (a country rule our numbering plan lacks).
   */
  readonly refusedPhoneNumbers: readonly string[];
}

export const NO_FAULTS: FaultConfig = {
  seed: 1,
  serverErrorRate: 0,
  serverErrorStatuses: [500, 503, 504],
  latencyMs: null,
  dropRate: 0,
  lostResponseRate: 0,
  lostWriteAnswers: 0,
  stallRate: 0,
  throttleRate: 0,
  retryAfterSeconds: 1,
  refusedPhoneNumbers: [],
};

export type FaultKind = 'none' | 'serverError' | 'throttled' | 'drop' | 'lostResponse' | 'stall';

export interface FaultPlan {
  readonly kind: FaultKind;
  readonly status: number;
  readonly latencyMs: number;
}

export const FAULT_SPEC_HELP =
  'comma-separated key=value: seed=N, 5xx=RATE, status=500|503|504, latency=MS or MIN-MAX, drop=RATE, lost=RATE, stall=RATE, 429=RATE (rates 0–1), lostWrites=COUNT (the first COUNT answers to requests that made a write), retryAfter=SECONDS, reject=+NUMBER|+NUMBER (phone numbers answered 400), e.g. seed=7,5xx=0.05,latency=20-80,drop=0.01,stall=0.005';

function rate(key: string, value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0 || parsed > 1) {
    throw usageError('EMULATOR_FAULTS_INVALID', `--faults: ${key}=${value} is not a rate between 0 and 1.`, `Write the faults as ${FAULT_SPEC_HELP}.`);
  }
  return parsed;
}

/** Parses the compact `--faults` spec; throws a usage error naming the bad part. */
export function parseFaultSpec(spec: string): FaultConfig {
  const config: { -readonly [K in keyof FaultConfig]: FaultConfig[K] } = { ...NO_FAULTS };
  for (const part of spec.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const [key = '', value = ''] = part.split('=', 2).map((p) => p.trim());
    switch (key) {
      case 'seed':
        if (!/^\d+$/.test(value)) throw usageError('EMULATOR_FAULTS_INVALID', `--faults: seed=${value} is not a whole number.`, `Write the faults as ${FAULT_SPEC_HELP}.`);
        config.seed = Number(value);
        break;
      case '5xx':
        config.serverErrorRate = rate(key, value);
        break;
      case 'status': {
        const statuses = value.split('|').map(Number);
        if (statuses.length === 0 || statuses.some((s) => !Number.isInteger(s) || s < 500 || s > 599)) {
          throw usageError('EMULATOR_FAULTS_INVALID', `--faults: status=${value} must list 5xx codes separated by "|".`, `Write the faults as ${FAULT_SPEC_HELP}.`);
        }
        config.serverErrorStatuses = statuses;
        break;
      }
      case 'latency': {
        const match = /^(\d+)(?:-(\d+))?$/.exec(value);
        const min = Number(match?.[1]);
        const max = match?.[2] === undefined ? min : Number(match[2]);
        if (match === null || max < min) {
          throw usageError('EMULATOR_FAULTS_INVALID', `--faults: latency=${value} must be milliseconds, or MIN-MAX with MIN ≤ MAX.`, `Write the faults as ${FAULT_SPEC_HELP}.`);
        }
        config.latencyMs = { min, max };
        break;
      }
      case 'drop':
        config.dropRate = rate(key, value);
        break;
      case 'lost':
        config.lostResponseRate = rate(key, value);
        break;
      case 'lostWrites':
        if (!/^\d+$/.test(value)) throw usageError('EMULATOR_FAULTS_INVALID', `--faults: lostWrites=${value} is not a whole number.`, `Write the faults as ${FAULT_SPEC_HELP}.`);
        config.lostWriteAnswers = Number(value);
        break;
      case 'stall':
        config.stallRate = rate(key, value);
        break;
      case '429':
        config.throttleRate = rate(key, value);
        break;
      case 'retryAfter': {
        const seconds = Number(value);
        if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= 0 || seconds > 300) {
          throw usageError('EMULATOR_FAULTS_INVALID', `--faults: retryAfter=${value} must be seconds above 0 and at most 300.`, `Write the faults as ${FAULT_SPEC_HELP}.`);
        }
        config.retryAfterSeconds = seconds;
        break;
      }
      case 'reject': {
        const numbers = value.split('|').map((number) => number.replace(/[\s()-]/g, ''));
        if (numbers.some((number) => !/^\+[1-9]\d{4,17}$/.test(number))) {
          throw usageError('EMULATOR_FAULTS_INVALID', `--faults: reject=${value} must list numbers like +14255550100 separated by "|".`, `Write the faults as ${FAULT_SPEC_HELP}.`);
        }
        config.refusedPhoneNumbers = numbers;
        break;
      }
      default:
        throw usageError('EMULATOR_FAULTS_INVALID', `--faults: "${part}" is not a fault setting.`, `Write the faults as ${FAULT_SPEC_HELP}.`);
    }
  }
  if (config.serverErrorRate + config.throttleRate + config.dropRate + config.lostResponseRate + config.stallRate > 1) {
    throw usageError('EMULATOR_FAULTS_INVALID', '--faults: the rates of 5xx, 429, drop, lost and stall add up to more than 1.', 'Lower the rates so their sum is at most 1.');
  }
  return config;
}

export class FaultInjector {
  readonly #config: FaultConfig;
  #sequence = 0;
  #lostWritesLeft: number;

  constructor(config: FaultConfig | null) {
    this.#config = config ?? NO_FAULTS;
    this.#lostWritesLeft = this.#config.lostWriteAnswers;
  }

  /** The `Retry-After` of injected 429s. */
  get retryAfterSeconds(): number {
    return this.#config.retryAfterSeconds;
  }

  reset(): void {
    this.#sequence = 0;
    this.#lostWritesLeft = this.#config.lostWriteAnswers;
  }

  /** Whether the answer of a request that made a write is to be lost (`lostWrites=`); counts it. */
  loseWriteAnswer(): boolean {
    if (this.#lostWritesLeft === 0) return false;
    this.#lostWritesLeft -= 1;
    return true;
  }

  /**
   * The fault for the next request. Requests inside `$batch` (`inner`) can only get a 5xx, a
   * 429 or latency: a connection belongs to the whole batch.
   */
  next(inner: boolean): FaultPlan {
    const config = this.#config;
    const random = randomForEvent(config.seed, this.#sequence);
    this.#sequence += 1;
    const latencyMs = config.latencyMs === null ? 0 : random.between(config.latencyMs.min, config.latencyMs.max);
    const draw = random.next();
    const status = config.serverErrorStatuses[random.between(0, config.serverErrorStatuses.length - 1)] ?? 500;
    let threshold = 0;
    const bands: [FaultKind, number][] = inner
      ? [
          ['serverError', config.serverErrorRate],
          ['throttled', config.throttleRate],
        ]
      : [
          ['drop', config.dropRate],
          ['stall', config.stallRate],
          ['lostResponse', config.lostResponseRate],
          ['serverError', config.serverErrorRate],
          ['throttled', config.throttleRate],
        ];
    for (const [kind, share] of bands) {
      threshold += share;
      if (draw < threshold) return { kind, status, latencyMs };
    }
    return { kind: 'none', status, latencyMs };
  }
}
