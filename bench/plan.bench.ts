/**
 * Benchmark: the `plan` step (`runPlan`: validate the users export, read each user's Entra state
 * through the gateway, diff, record in the journal) against the Graph emulator with Graph's read
 * budget for a large tenant: 8,000 resource units (RU) per 10 s per app+tenant
 * (concepts/throttling-limits.md, "Identity and access service limits", L = above 500 users).
 * A user found by UPN costs three 1-RU GETs, so the budget caps `plan` at about 8,000 / 3 ≈ 2,667
 * users per 10 s window. Target: users per second ≥ 90 % of that RU ceiling.
 *
 * The fraction is, as in graph-reads.bench.ts, RU charged (the emulator's `x-ms-resource-unit` on
 * every answered call) ÷ the most a client could have been charged in the run: the budget is a
 * sliding window, so between a first request and a last answer T ms apart at most
 * budget × (floor(T / W) + 1) units fit. The figure moves in steps of whole windows: a run's
 * R units take at least ceil(R / budget) windows' worth (the first window starts empty and admits
 * a burst), so no client can score more than R ÷ (budget × ceil(R / budget)) — the "best" column;
 * a run that reaches it lost no window. The plain rate (RU per window ÷ budget) is printed beside
 * it; the first window's burst lifts it above 100 % in short runs.
 *
 * Mode measured: the tool's production default. The CLI's `plan` passes no read limits
 * (src/cli/tenant-options.ts), so the gateway's preflight counts the tenant's users
 * (GET /users/$count) and paces reads under that size's budget; here it is told only the scaled
 * window lengths and learns the 8,000 itself ("tenant size" rows). `--adaptive` adds rows with the
 * budget unknown (resourceUnitsPerWindow: null), where only 429s slow the gateway down.
 *
 * Time scaling: `--time-scale` multiplies the emulator's windows and the gateway is told the same
 * windows. At scale 0.1 one 10 s window lasts 1 s, so the budget is 8,000 RU per second and every
 * per-second figure is 10× what a real tenant allows: on a real tenant divide users/s by 10 (in
 * general multiply by the scale). Network latency is not scaled, so a scaled run needs 1 / scale
 * times more batches in flight than Graph would: it is harsher on the gateway, not kinder.
 *
 * Defaults: 10,000 users (≈ 30,000 RU, 3.75 windows: a paced client can score 93.8 %) at scale
 * 0.2 (2 s windows, 4,000 RU/s, a ceiling of ≈ 1,333 users/s), about 8 s a run. Not 0.1: its
 * ceiling of ≈ 2,667 users/s needs more than one core of this process (≈ 0.35–0.4 CPU ms per
 * user for validate, gateway, diff and journal on one thread), so it measures the tool's CPU at
 * 10× Graph's rate, not its pacing; at Graph's own rate (≈ 267 users/s) that is ≈ 0.1 of a core.
 * Not 20,000 users: the emulator's start-up grows with users × mobiles (each seeded mobile is
 * checked against every user): ≈ 6 s at 9,000 users, and at 20,000 it missed startEmulatorChild's
 * 30 s on a busy 2-core machine.
 *
 * The emulator runs as a child process (apply.bench.ts), so CPU seconds and peak RSS are the
 * tool's alone; the emulator's CPU and the rest of the machine's are reported beside them.
 *
 *   npm run build && node dist/bench/plan.bench.js              # 10,000 users, scale 0.2, 2 runs
 *   node dist/bench/plan.bench.js --users 3000 --runs 1 --adaptive
 *   node dist/bench/plan.bench.js --users 6000 --time-scale 0.1 --runs 1   # CPU-bound, see above
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { resolveGraphConfig } from '../src/graph/config.js';
import { createGraphGateway } from '../src/graph/gateway.js';
import {
  ACTIVATION_WINDOW_MS,
  MAX_BATCH_REQUESTS,
  MAX_BATCHES_IN_FLIGHT,
  MEDIUM_TENANT_MAX_USERS,
  RESOURCE_UNIT_WINDOW_MS,
  RESOURCE_UNITS_LARGE_TENANT,
  WRITE_WINDOW_MS,
  WRITES_PER_WINDOW,
} from '../src/graph/limits.js';
import { openJournal } from '../src/journal/journal.js';
import { memoryLog } from '../src/log.js';
import { silentProgress } from '../src/migrate/deps.js';
import { systemClock } from '../src/clock.js';
import { runPlan } from '../src/migrate/plan.js';
import type { PlanStatus } from '../src/plan/operations.js';
import {
  emulatorStats,
  planInput,
  projectRoot,
  ResourceMeter,
  round,
  startEmulatorChild,
  stopEmulatorChild,
  usersCsv,
  type EmulatorChild,
} from './apply.bench.js';
import { generatedTenant } from '../test/support/generated-tenant.js';
import { formatTable } from './table.js';

/** Target from the task: users per second ≥ 90 % of the RU ceiling. */
const TARGET_BUDGET_FRACTION = 0.9;
/** Resolution of the event-loop delay histogram: fine enough to see one journal commit. */
const EVENT_LOOP_RESOLUTION_MS = 10;
/** A process using this share of one core or more is taken as CPU-bound (Node runs JavaScript on one thread). */
const CPU_BOUND_CORE_SHARE = 0.8;
/** The machine counts as saturated above this share of all its cores busy. */
const MACHINE_SATURATED_SHARE = 0.9;
/** Idle time or start-up above this share of the run is named as a cause. */
const NOTABLE_SHARE_OF_RUN = 0.05;
/** Mean batches in flight above this share of the governor's ceiling: concurrency, not the budget, set the pace. */
const CONCURRENCY_BOUND_SHARE = 0.9;

export interface PlanBenchOptions {
  /** Generated users in the tenant and in the users export; above 500 makes the tenant large (L). */
  readonly users: number;
  /** Emulator and gateway time scale: 0.1 makes the 10 s read window 1 s. */
  readonly timeScale: number;
  /** True: the gateway learns the budget from the tenant's size (production). False: unknown, 429s only. */
  readonly budgetKnown: boolean;
}

export interface PlanMeasurement {
  readonly mode: 'tenant size' | 'adaptive';
  readonly users: number;
  readonly timeScale: number;
  /** Users the plan recorded (every status). */
  readonly usersPlanned: number;
  readonly byStatus: Readonly<Record<PlanStatus, number>>;
  /** First Graph request sent → last answer. */
  readonly seconds: number;
  /** Of `seconds`, the part before the first `$batch` left: preflight, policy and group reads. */
  readonly startupSeconds: number;
  readonly usersPerSecond: number;
  readonly resourceUnits: number;
  readonly resourceUnitsPerUser: number;
  readonly budgetPerWindow: number;
  readonly windowMs: number;
  /** The budget the gateway paced with at the end (null: it never knew one). */
  readonly governorBudgetPerWindow: number | null;
  /** (budget per scaled second) ÷ RU per user. */
  readonly ceilingUsersPerSecond: number;
  /** RU charged ÷ (budget × (floor(T / W) + 1)): users/s as a share of the ceiling. */
  readonly budgetFraction: number;
  /** RU charged per window of the run ÷ budget. */
  readonly budgetRate: number;
  /** The most `budgetFraction` any client could reach with this run's RU: R ÷ (budget × ceil(R / budget)). */
  readonly bestFraction: number;
  /** 429s the emulator answered during the plan, whole requests and batch items alike. */
  readonly throttled: number;
  /** Throttled requests repeated before their Retry-After, as the emulator saw them: must be 0. */
  readonly earlyRetries: number;
  /** Calls the gateway sent before the time it had been told to wait: must be 0. */
  readonly sentBeforeRetryAfter: number;
  readonly requests: number;
  readonly maxBatchesInFlight: number;
  /** Time-weighted mean of requests in flight from first sent to last answer. */
  readonly meanBatchesInFlight: number;
  /** Time with no request in flight after the first `$batch` left. */
  readonly idleSeconds: number;
  /** The part of idleSeconds when the RU window had room for a full batch: the tool's own gaps. */
  readonly idleUnderBudgetSeconds: number;
  readonly eventLoopDelayP99Ms: number;
  readonly eventLoopDelayMaxMs: number;
  readonly cpuSeconds: number;
  readonly cpuSecondsPer1000Users: number;
  readonly peakRssMiB: number;
  /** The emulator child's CPU over the plan (null off Linux). */
  readonly emulatorCpuSeconds: number | null;
  /** CPU the rest of the machine used over the plan (null off Linux). */
  readonly otherCpuSeconds: number | null;
  /** Wall time of `runPlan`, over which the CPU figures are taken. */
  readonly planWallSeconds: number;
  /** Empty when the target is met; otherwise what held the rate down, most likely first. */
  readonly heldBackBy: readonly string[];
}

/** What the gateway's observer saw: RU charged, requests in flight over time, idle gaps. */
class ReadTimeline {
  firstSent = Number.POSITIVE_INFINITY;
  firstBatchSent = Number.POSITIVE_INFINITY;
  lastAnswered = 0;
  resourceUnits = 0;
  requests = 0;
  sentBeforeRetryAfter = 0;
  inFlight = 0;
  maxInFlight = 0;
  /** ∫ requests in flight dt, for the time-weighted mean. */
  inFlightMs = 0;
  idleMs = 0;
  idleUnderBudgetMs = 0;
  #lastEventAt = Number.NaN;
  #idle: { readonly since: number; readonly budgetFreeAt: number } | null = null;
  readonly #answers: { readonly at: number; readonly resourceUnits: number }[] = [];

  constructor(
    readonly budgetPerWindow: number,
    readonly windowMs: number,
  ) {}

  #advance(at: number): void {
    if (!Number.isNaN(this.#lastEventAt)) this.inFlightMs += this.inFlight * Math.max(0, at - this.#lastEventAt);
    this.#lastEventAt = at;
  }

  sent(at: number, kind: 'batch' | 'single', calls: readonly { readonly notBefore: number }[]): void {
    this.#advance(at);
    this.firstSent = Math.min(this.firstSent, at);
    if (kind === 'batch') this.firstBatchSent = Math.min(this.firstBatchSent, at);
    this.sentBeforeRetryAfter += calls.filter((call) => call.notBefore > at).length;
    if (this.#idle !== null) {
      this.idleMs += at - this.#idle.since;
      this.idleUnderBudgetMs += Math.max(0, at - Math.max(this.#idle.since, this.#idle.budgetFreeAt));
    }
    this.#idle = null;
    this.requests += 1;
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
  }

  answered(at: number, resourceUnits: number): void {
    this.#advance(at);
    this.inFlight -= 1;
    this.lastAnswered = Math.max(this.lastAnswered, at);
    this.resourceUnits += resourceUnits;
    this.#answers.push({ at, resourceUnits });
    if (this.inFlight === 0 && at >= this.firstBatchSent) this.#idle = { since: at, budgetFreeAt: this.#budgetFreeAt(at) };
  }

  /**
   * When the RU window next has room for a full batch of 1-RU reads, judged from the units
   * answered (newest first: once they exceed the room, the window frees when the one that tipped
   * it expires). With nothing in flight, only expiry changes it until the next send.
   */
  #budgetFreeAt(now: number): number {
    const room = this.budgetPerWindow - MAX_BATCH_REQUESTS;
    let used = 0;
    for (let index = this.#answers.length - 1; index >= 0; index -= 1) {
      const answer = this.#answers[index];
      if (answer === undefined || answer.at <= now - this.windowMs) break;
      used += answer.resourceUnits;
      if (used > room) return answer.at + this.windowMs;
    }
    return now;
  }
}

/** Why a run missed the target, from its diagnostics; most likely cause first. */
function causesOfMiss(row: Omit<PlanMeasurement, 'heldBackBy'>): string[] {
  const causes: string[] = [];
  const cores = availableParallelism();
  const wall = Math.max(row.planWallSeconds, Number.EPSILON);
  const toolShare = row.cpuSeconds / wall;
  const emulatorShare = row.emulatorCpuSeconds === null ? null : row.emulatorCpuSeconds / wall;
  if (emulatorShare !== null && emulatorShare >= CPU_BOUND_CORE_SHARE) {
    causes.push(`the emulator's CPU: ${emulatorShare.toFixed(2)} of a core over the plan (it answers on one thread)`);
  }
  if (toolShare >= CPU_BOUND_CORE_SHARE) {
    causes.push(`this process's CPU: ${toolShare.toFixed(2)} of a core over the plan (validate, gateway, diff and journal share one thread; event-loop delay p99 ${row.eventLoopDelayP99Ms.toFixed(0)} ms)`);
  }
  if (row.emulatorCpuSeconds !== null && row.otherCpuSeconds !== null) {
    const machineShare = (row.cpuSeconds + row.emulatorCpuSeconds + row.otherCpuSeconds) / (wall * cores);
    if (machineShare >= MACHINE_SATURATED_SHARE) {
      causes.push(`the machine's ${String(cores)} cores were ${(machineShare * 100).toFixed(0)} % busy (other processes ${row.otherCpuSeconds.toFixed(2)} CPU s)`);
    }
  }
  if (row.meanBatchesInFlight >= CONCURRENCY_BOUND_SHARE * MAX_BATCHES_IN_FLIGHT) {
    causes.push(`concurrency: ${row.meanBatchesInFlight.toFixed(1)} of at most ${String(MAX_BATCHES_IN_FLIGHT)} batches in flight on average, so latency set the pace`);
  }
  if (row.idleUnderBudgetSeconds >= NOTABLE_SHARE_OF_RUN * row.seconds) {
    causes.push(`idle gaps: nothing in flight for ${row.idleUnderBudgetSeconds.toFixed(2)} s while the RU window had room`);
  }
  if (row.startupSeconds >= NOTABLE_SHARE_OF_RUN * row.seconds) {
    causes.push(`start-up: ${row.startupSeconds.toFixed(2)} s of preflight, policy and group reads before the first user batch`);
  }
  if (row.throttled > 0) causes.push(`${String(row.throttled)} calls answered 429`);
  if (row.bestFraction < TARGET_BUDGET_FRACTION) {
    const windowsNeeded = Math.ceil(row.resourceUnits / row.budgetPerWindow);
    const lastWindowFull = row.resourceUnits / row.budgetPerWindow - (windowsNeeded - 1);
    causes.push(`run length: ${String(row.resourceUnits)} RU need ${String(windowsNeeded)} windows, the last ${(lastWindowFull * 100).toFixed(0)} % full, so no client scores above ${(row.bestFraction * 100).toFixed(1)} %; give more --users`);
  }
  if (causes.length === 0) causes.push('no single cause stood out; see bench/results/plan.json');
  return causes;
}

export async function measurePlan(options: PlanBenchOptions): Promise<PlanMeasurement> {
  const root = projectRoot();
  const dir = await mkdtemp(join(tmpdir(), 'mfa-migrate-plan-bench-'));
  const windowMs = RESOURCE_UNIT_WINDOW_MS * options.timeScale;
  const budget = RESOURCE_UNITS_LARGE_TENANT;
  let emulator: EmulatorChild | null = null;
  try {
    const tenantFile = join(dir, 'tenant.json');
    const throttleFile = join(dir, 'throttle.json');
    const usersFile = join(dir, 'users.csv');
    {
      // Scoped so the seed (the emulator's data, not the tool's) can be collected before RSS is sampled.
      const { seed, upns } = generatedTenant(options.users);
      await writeFile(tenantFile, JSON.stringify(seed));
      await writeFile(usersFile, usersCsv(upns));
    }
    // Explicit L budget: the bench is about a large tenant whatever the emulator's size rules say.
    await writeFile(throttleFile, JSON.stringify({ timeScale: options.timeScale, resourceUnitsPerWindow: budget }));
    emulator = await startEmulatorChild(root, tenantFile, throttleFile);
    const config = resolveGraphConfig({
      graphUrl: emulator.url,
      auth: { mode: 'emulator' },
      // Every window scaled as the emulator's. Leaving resourceUnitsPerWindow out is what the CLI
      // does: preflight then sets it from the tenant's size. null keeps it unknown.
      limits: {
        ...(options.budgetKnown ? {} : { resourceUnitsPerWindow: null }),
        resourceUnitWindowMs: windowMs,
        writesPerWindow: WRITES_PER_WINDOW,
        writeWindowMs: WRITE_WINDOW_MS * options.timeScale,
        activationWindowMs: ACTIVATION_WINDOW_MS * options.timeScale,
      },
    });
    const timeline = new ReadTimeline(budget, windowMs);
    const graph = createGraphGateway(config, {
      clock: systemClock,
      log: memoryLog(),
      observer: {
        sent: (event) => { timeline.sent(event.at, event.kind, event.calls); },
        answered: (event) => { timeline.answered(event.at, event.resourceUnits); },
      },
    });
    const journal = openJournal(join(dir, 'mfa-migrate.db'), { clock: systemClock });
    let meter: ResourceMeter | null = null;
    const loopDelay = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
    try {
      const statsBefore = await emulatorStats(emulator.url);
      meter = new ResourceMeter(emulator.process.pid);
      loopDelay.enable();
      const wallStarted = performance.now();
      const planned = await runPlan(planInput(usersFile, emulator.url), { graph, journal, log: memoryLog(), clock: systemClock, progress: silentProgress });
      const planWallSeconds = (performance.now() - wallStarted) / 1000;
      const use = meter.stop();
      loopDelay.disable();
      const statsAfter = await emulatorStats(emulator.url);

      const elapsedMs = Math.max(1, timeline.lastAnswered - timeline.firstSent);
      const windows = elapsedMs / windowMs;
      const usersPlanned = planned.summary.users;
      const resourceUnitsPerUser = usersPlanned > 0 ? timeline.resourceUnits / usersPlanned : Number.NaN;
      const measured: Omit<PlanMeasurement, 'heldBackBy'> = {
        mode: options.budgetKnown ? 'tenant size' : 'adaptive',
        users: options.users,
        timeScale: options.timeScale,
        usersPlanned,
        byStatus: { ...planned.summary.byStatus },
        seconds: round(elapsedMs / 1000, 3),
        startupSeconds: round((timeline.firstBatchSent - timeline.firstSent) / 1000, 3),
        usersPerSecond: Math.round((usersPlanned * 1000) / elapsedMs),
        resourceUnits: timeline.resourceUnits,
        resourceUnitsPerUser: round(resourceUnitsPerUser, 3),
        budgetPerWindow: budget,
        windowMs,
        governorBudgetPerWindow: graph.governorSnapshot().resourceUnitsPerWindow,
        ceilingUsersPerSecond: Math.round(budget / (windowMs / 1000) / resourceUnitsPerUser),
        budgetFraction: round(timeline.resourceUnits / (budget * (Math.floor(windows) + 1)), 3),
        budgetRate: round(timeline.resourceUnits / (budget * windows), 3),
        bestFraction: round(timeline.resourceUnits / (budget * Math.ceil(timeline.resourceUnits / budget)), 3),
        throttled: statsAfter.throttled - statsBefore.throttled,
        earlyRetries: statsAfter.earlyRetries - statsBefore.earlyRetries,
        sentBeforeRetryAfter: timeline.sentBeforeRetryAfter,
        requests: timeline.requests,
        maxBatchesInFlight: timeline.maxInFlight,
        meanBatchesInFlight: round(timeline.inFlightMs / elapsedMs, 1),
        idleSeconds: round(timeline.idleMs / 1000, 3),
        idleUnderBudgetSeconds: round(timeline.idleUnderBudgetMs / 1000, 3),
        eventLoopDelayP99Ms: round(loopDelay.percentile(99) / 1e6, 1),
        eventLoopDelayMaxMs: round(loopDelay.max / 1e6, 1),
        cpuSeconds: round(use.cpuSeconds, 2),
        cpuSecondsPer1000Users: usersPlanned > 0 ? round((use.cpuSeconds * 1000) / usersPlanned, 3) : Number.NaN,
        peakRssMiB: use.peakRssMiB,
        emulatorCpuSeconds: use.emulatorCpuSeconds,
        otherCpuSeconds: use.otherCpuSeconds,
        planWallSeconds: round(planWallSeconds, 3),
      };
      return { ...measured, heldBackBy: measured.budgetFraction >= TARGET_BUDGET_FRACTION ? [] : causesOfMiss(measured) };
    } finally {
      meter?.stop();
      loopDelay.disable();
      graph.close();
      journal.close();
    }
  } finally {
    if (emulator !== null) await stopEmulatorChild(emulator.process);
    await rm(dir, { recursive: true, force: true });
  }
}

function percent(fraction: number): string {
  return Number.isNaN(fraction) ? 'n/a' : `${(fraction * 100).toFixed(1)} %`;
}

function printTable(rows: readonly PlanMeasurement[]): void {
  const header = ['mode', 'users', 'planned', 'seconds', 'users/s', 'RU charged', 'RU/user', 'ceiling users/s', 'users/s ÷ ceiling', 'rate ÷ budget', 'best', '429s', 'early retries', 'peak RSS MiB', 'CPU s/1k users', 'emu CPU s', 'other CPU s', 'idle s (budget free)', 'mean/max in flight', 'loop p99/max ms'];
  const lines = rows.map((row) => [
    row.mode,
    String(row.users),
    String(row.usersPlanned),
    row.seconds.toFixed(2),
    String(row.usersPerSecond),
    String(row.resourceUnits),
    row.resourceUnitsPerUser.toFixed(2),
    String(row.ceilingUsersPerSecond),
    percent(row.budgetFraction),
    percent(row.budgetRate),
    percent(row.bestFraction),
    String(row.throttled),
    String(row.earlyRetries),
    row.peakRssMiB.toFixed(1),
    row.cpuSecondsPer1000Users.toFixed(3),
    row.emulatorCpuSeconds === null ? 'n/a' : row.emulatorCpuSeconds.toFixed(2),
    row.otherCpuSeconds === null ? 'n/a' : row.otherCpuSeconds.toFixed(2),
    `${row.idleSeconds.toFixed(2)} (${row.idleUnderBudgetSeconds.toFixed(2)})`,
    `${row.meanBatchesInFlight.toFixed(1)}/${String(row.maxBatchesInFlight)}`,
    `${row.eventLoopDelayP99Ms.toFixed(1)}/${row.eventLoopDelayMaxMs.toFixed(1)}`,
  ]);
  process.stdout.write(formatTable(header, lines));
  for (const [index, row] of rows.entries()) {
    const verdict = row.budgetFraction >= TARGET_BUDGET_FRACTION ? 'PASS' : 'MISS';
    const checks = [
      `${verdict}: users/s ${percent(row.budgetFraction)} of the RU ceiling ${row.budgetFraction >= TARGET_BUDGET_FRACTION ? '≥' : '<'} ${percent(TARGET_BUDGET_FRACTION)}`,
      `gateway paced at ${row.governorBudgetPerWindow === null ? 'no known budget' : `${String(row.governorBudgetPerWindow)} RU`} per ${String(row.windowMs)} ms`,
      `early retries ${String(row.earlyRetries)}, sent before Retry-After ${String(row.sentBeforeRetryAfter)}${row.earlyRetries === 0 && row.sentBeforeRetryAfter === 0 ? '' : ' (must be 0)'}`,
      `failed users ${String(row.byStatus.failed)}`,
      `start-up ${row.startupSeconds.toFixed(2)} s`,
    ];
    process.stdout.write(`run ${String(index + 1)} (${row.mode}): ${checks.join('; ')}\n`);
    if (row.heldBackBy.length > 0) process.stdout.write(`  held back by: ${row.heldBackBy.join('; ')}\n`);
  }
}

function loadAverage(): string {
  return loadavg().map((load) => load.toFixed(2)).join(' ');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      users: { type: 'string', default: '10000' },
      'time-scale': { type: 'string', default: '0.2' },
      runs: { type: 'string', default: '2' },
      adaptive: { type: 'boolean', default: false },
    },
  });
  const users = Number(values.users);
  const timeScale = Number(values['time-scale']);
  const runs = Number(values.runs);
  if (!Number.isInteger(users) || users <= MEDIUM_TENANT_MAX_USERS || !(timeScale > 0) || !Number.isInteger(runs) || runs <= 0) {
    throw new Error(`--users takes an integer above ${String(MEDIUM_TENANT_MAX_USERS)} (a large tenant, 8,000 RU per 10 s), --runs a positive integer, --time-scale a positive number.`);
  }
  process.stdout.write(`$ node ${process.argv.slice(1).join(' ')}  (users ${String(users)}, time scale ${String(timeScale)}, runs ${String(runs)}${values.adaptive ? ', with adaptive' : ''}; load average ${loadAverage()})\n`);
  const rows: PlanMeasurement[] = [];
  for (let run = 0; run < runs; run += 1) {
    rows.push(await measurePlan({ users, timeScale, budgetKnown: true }));
    if (values.adaptive) rows.push(await measurePlan({ users, timeScale, budgetKnown: false }));
  }
  printTable(rows);
  process.stdout.write(`load average after: ${loadAverage()}\n`);
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/plan.json', `${JSON.stringify({ measuredAt: new Date().toISOString(), node: process.version, command: process.argv.slice(1), loadAverage: loadavg(), results: rows }, null, 2)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
