/**
 * Benchmark: `apply` throughput against the Graph emulator with Graph's write quota (3,000 writes
 * per 150 s, concepts/throttling-limits.md) time-scaled. Targets (issue): writes per second after
 * the first window ≥ 95 % of the write ceiling, and ≤ 1 % of calls answered 429 after the first
 * window. Also reported: CPU seconds per 1,000 writes and peak RSS of this process (the tool's
 * side only: the emulator runs as a child process so its CPU and memory are not counted), and the
 * journal's size scaled to 100,000 users.
 *
 * The write window is sliding and starts empty, so the first window admits a burst of 3,000 at
 * once; the sustained rate is therefore measured only from t0 + window on (t0: the first write
 * batch leaves), where no client can exceed 3,000 per window. Edges make it read a little over
 * 100 % at best: answers just after t0 + window and the final partial window both count. The
 * "full windows" figure leaves the partial last window out. Diagnostics beside them say what held
 * the rate down: idle time while the quota had room, event-loop stalls, requests without an
 * answer, and the CPU the emulator and other processes took from the same cores.
 *
 * Defaults: 6,000 users (≈ 12,800 writes) at time scale 0.02 (3 s windows, 1,000 writes/s) span
 * about 4.3 windows. Scale 0.01 (2,000 writes/s) also holds every whole window at the ceiling
 * since the emulator counts each mobile number's holders instead of scanning every user.
 *
 * `--apps N` runs apply through an app pool of N apps of the same tenant (added to the seed, each
 * signing in at the emulator's token endpoint): each keeps Graph's 3,000 writes per 150 s, and the
 * tenant's 18,000 writes per 5 minutes for all apps caps them together — in the emulator, and in
 * the pool's governor as `--tenant-write-budget` (Graph's whole quota here, as no other app writes
 * to the emulated tenant; `--tenant-write-budget` lowers it). The ceiling is the lower of N × the
 * app's and the tenant's: 60 writes/s for three apps, both ways. Users and time scale grow with N
 * unless given (6,000 × N users, scale 0.02 × N), so the run spans as many windows at the same
 * 1,000 writes/s of real time as one app does: the machine's load stays that of the one-app run.
 * The first app window (every app's burst of 3,000) is left out as above; whole windows are those
 * of the binding limit (the tenant's when it is the lower, else the app's). The last line is
 * `tenant ceiling: NN.N %`, the whole windows' rate against that ceiling (the lowest of the runs).
 *
 *   npm run bench:apply
 *   node dist/bench/apply.bench.js --users 6000 --time-scale 0.01 --runs 3
 *   npm run bench:apply -- --apps 3
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { StatsSnapshot } from '../src/emulator/stats.js';
import { resolveGraphConfig } from '../src/graph/config.js';
import { createGraphGateway, type GraphGateway } from '../src/graph/gateway.js';
import type { CredentialFactory } from '../src/graph/credentials.js';
import { MAX_BATCH_REQUESTS, TENANT_WRITE_WINDOW_MS, TENANT_WRITES_PER_WINDOW, WRITE_WINDOW_MS, WRITES_PER_WINDOW } from '../src/graph/limits.js';
import { openJournal } from '../src/journal/journal.js';
import { memoryLog } from '../src/log.js';
import { runApply } from '../src/migrate/apply.js';
import { silentProgress } from '../src/migrate/deps.js';
import { systemClock } from '../src/clock.js';
import { runPlan, type PlanInput } from '../src/migrate/plan.js';
import { poolApps, poolConfig, seedWithPool, type PoolApp } from '../test/support/app-pool.js';
import { generatedTenant } from '../test/support/generated-tenant.js';
import { formatTable } from './table.js';

/** node:http publishes every failed client request here (diagnostics_channel, Node ≥ 20). */
const HTTP_CLIENT_ERROR_CHANNEL = 'http.client.request.error';
/** How often the tool's event loop is probed for lateness: fine enough to see one fsync-long stall. */
const EVENT_LOOP_PROBE_INTERVAL_MS = 5;
/** How often the tool's resident set size is sampled for its peak. */
const RSS_SAMPLE_INTERVAL_MS = 100;
/** The journal size is reported per this many users (the issue's unit). */
const JOURNAL_SIZE_PER_USERS = 100_000;
/** How long the emulator child may take to print its URL before the run is abandoned. */
const EMULATOR_START_TIMEOUT_MS = 30_000;
/** Linux's USER_HZ: /proc/PID/stat counts CPU time in these ticks (proc(5)). */
const PROC_TICKS_PER_SECOND = 100;
/** First 7-digit subscriber number handed out: every user gets a distinct, valid NANP number from here on. */
const FIRST_SUBSCRIBER_NUMBER = 2_000_000;

/** One app's defaults; with --apps N the users and the time scale are N times these. */
const DEFAULT_USERS_PER_APP = 6_000;
const DEFAULT_TIME_SCALE_PER_APP = 0.02;

/** Targets from the issue. */
const TARGET_SUSTAINED_FRACTION = 0.95;
const TARGET_THROTTLED_SHARE = 0.01;

export interface ApplyBenchOptions {
  /** Generated users added to the sample tenant; every fifth already has a mobile (a conflict, not a write). */
  readonly users: number;
  /** Emulator and governor time scale: 0.01 makes the 150 s write window 1.5 s. */
  readonly timeScale: number;
  /** Apps apply writes through: 1 is one app (`--client-id`), more an app pool (`--app-pool`). */
  readonly apps: number;
  /** The pool's `--tenant-write-budget`, writes per (unscaled) 5 minutes; Graph's whole 18,000 unless given. */
  readonly tenantWriteBudget: number;
}

export interface ApplyMeasurement {
  readonly users: number;
  readonly timeScale: number;
  readonly apps: number;
  /** The app's write window (scaled): the first one is every app's burst, left out of the sustained figures. */
  readonly windowMs: number;
  /** The window whole windows are counted in: the binding limit's (the tenant's when it is the lower ceiling). */
  readonly sliceMs: number;
  /** Graph's ceiling in scaled time: 3,000 writes per window per app, or the tenant's budget when lower. */
  readonly ceilingWritesPerSecond: number;
  /** What the plan decided to send, by operation kind. */
  readonly plannedOperations: Readonly<Record<string, number>>;
  /** Operations apply recorded as done, failed (must be 0) and skipped. */
  readonly done: number;
  readonly failed: number;
  readonly skipped: number;
  /** Writes the emulator carried out during the apply: must equal `done`. */
  readonly emulatorWrites: number;
  readonly planSeconds: number;
  /** First write batch sent → last answer. */
  readonly writeSeconds: number;
  readonly windows: number;
  readonly writesPerSecond: number;
  /** Writes per second over the whole write phase ÷ the ceiling (above 1 is the first window's burst). */
  readonly overallFraction: number;
  /** Writes answered after t0 + window, per second of that span, ÷ the ceiling. */
  readonly sustainedFraction: number;
  /**
   * The same over whole windows only (t0 + window to t0 + k × window): the last, partial window
   * replays the first window's ramp-up (the window slides), which the figure above counts as slowness.
   */
  readonly fullWindowsFraction: number;
  /** Calls answered 429 (whole requests or inside batches) after t0 + window ÷ all calls answered then. */
  readonly throttledShareAfterFirstWindow: number;
  readonly throttledCalls: number;
  readonly answeredCalls: number;
  /** Successful writes answered in each slice (sliceMs) from t0, as a share of the ceiling's writes per slice. */
  readonly writesPerWindowSlice: readonly number[];
  /** Successful writes answered per app of the pool, by name (one entry for one app). */
  readonly writesPerApp: Readonly<Record<string, number>>;
  /** Time in the write phase with no request in flight: waiting for the quota, or round ends and journal work. */
  readonly idleSeconds: number;
  /** The part of idleSeconds when the write window had room for another batch: the tool's own gaps. */
  readonly idleUnderQuotaSeconds: number;
  readonly batches: number;
  /** Requests that got no answer (the gateway retries them after a backoff of ≥ 1 s; see transportErrors). */
  readonly unanswered: number;
  /** HTTP client errors during the apply by code (node:http's `http.client.request.error` channel), e.g. ECONNRESET. */
  readonly transportErrors: Readonly<Record<string, number>>;
  /** Most requests in flight; a request that got no answer is never subtracted, so failures inflate it. */
  readonly maxBatchesInFlight: number;
  /**
   * How late the tool's event loop ran a timer during the write phase (p99 and max, ms): the
   * journal's synchronous commits block it, and a blocked loop sends the next batch late when the
   * window frees.
   */
  readonly eventLoopDelayP99Ms: number;
  readonly eventLoopDelayMaxMs: number;
  readonly cpuSecondsPer1000Writes: number;
  readonly peakRssMiB: number;
  /** The emulator child's CPU over the apply (from /proc; null elsewhere): it shares the machine's cores. */
  readonly emulatorCpuSeconds: number | null;
  /** CPU other processes on the machine used during the apply (busy time minus ours and the emulator's); null off Linux. */
  readonly otherCpuSeconds: number | null;
  readonly journalBytes: number;
  readonly journalMiBPer100kUsers: number;
  readonly emulatorStats: {
    readonly requests: number;
    readonly throttled: number;
    readonly throttledInBatch: number;
    readonly throttledByScope: Readonly<Record<string, number>>;
    readonly batches: number;
    readonly byStatus: Readonly<Record<string, number>>;
  };
}

/** The folder holding bin/mfa-migrate.js and fixtures/, from bench/ (tsx) or dist/bench/ (built). */
export function projectRoot(): string {
  for (const relative of ['..', '../..']) {
    const candidate = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(join(candidate, 'bin', 'mfa-migrate.js')) && existsSync(join(candidate, 'fixtures'))) return candidate;
  }
  throw new Error('bin/mfa-migrate.js not found above the bench folder.');
}

/**
 * A mobile for everyone and a backup for every third user (as test/reliability/crash-resume.test.ts):
 * chains of 2–3 dependent writes. Numbers are unique, as real users' are, so the emulator's
 * one-sign-in-mobile-per-number rule never fires.
 */
export function usersCsv(upns: readonly string[]): string {
  const rows = upns.map((upn, index) => {
    const subscriber = String(FIRST_SUBSCRIBER_NUMBER + index);
    const phone = `425 ${subscriber}`;
    const backup = index % 3 === 0 ? `206 ${subscriber}` : '';
    return `${upn},1,${phone},1,${backup},Phone call,Yes`;
  });
  return `Username,Primary Country Code,Primary Phone,Backup Country Code,Backup Phone,Method,Enabled\n${rows.join('\n')}\n`;
}

export interface EmulatorChild {
  readonly url: string;
  readonly process: ChildProcess;
}

/** Runs `mfa-migrate emulator` as a child, so its CPU and memory stay out of the tool's figures. */
export async function startEmulatorChild(root: string, tenantFile: string, throttleFile: string): Promise<EmulatorChild> {
  const child = spawn(process.execPath, ['bin/mfa-migrate.js', 'emulator', '--tenant', tenantFile, '--throttle', throttleFile, '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      // Not left behind: an emulator still loading a large seed would hold a core for minutes.
      child.kill('SIGKILL');
      reject(new Error(`the emulator printed no URL within ${String(EMULATOR_START_TIMEOUT_MS)} ms: ${stderr}`));
    }, EMULATOR_START_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const newline = stdout.indexOf('\n');
      if (newline >= 0) {
        clearTimeout(timer);
        resolve(stdout.slice(0, newline).trim());
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the emulator exited (${String(code)}) before printing its URL: ${stderr}`));
    });
  });
  return { url, process: child };
}

export async function stopEmulatorChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
  child.kill('SIGTERM');
  await exited;
}

export async function emulatorStats(url: string): Promise<StatsSnapshot> {
  const response = await fetch(`${url}/_emulator/stats`);
  if (!response.ok) throw new Error(`GET ${url}/_emulator/stats answered ${String(response.status)}`);
  return (await response.json()) as StatsSnapshot;
}

/** CPU seconds (user + system) a process has used, from /proc/PID/stat fields 14 and 15; null off Linux. */
function childCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / PROC_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Per-key growth of a cumulative count between two snapshots, leaving out keys that did not grow. */
function countsSince(before: Readonly<Record<string, number>>, after: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([key, count]): [string, number] => [key, count - (before[key] ?? 0)]).filter(([, grown]) => grown > 0));
}

/**
 * CPU seconds the whole machine spent busy (every field of /proc/stat's "cpu" line except idle and
 * iowait, proc(5)); null off Linux. Busy time that is neither ours nor the emulator's is other
 * processes competing for the same cores, which slows both sides.
 */
function machineBusyCpuSeconds(): number | null {
  try {
    const [cpuLine = ''] = readFileSync('/proc/stat', 'utf8').split('\n', 1);
    const [, user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpuLine.trim().split(/\s+/).map(Number);
    return (user + nice + system + irq + softirq + steal) / PROC_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** What one measured step cost: this process's CPU and peak memory, the emulator child's CPU, other processes'. */
export interface ResourceUse {
  readonly cpuSeconds: number;
  readonly peakRssMiB: number;
  /** null off Linux. */
  readonly emulatorCpuSeconds: number | null;
  /** Busy machine time that is neither ours nor the emulator's; null off Linux. */
  readonly otherCpuSeconds: number | null;
}

/** Measures from construction to `stop()`: CPU of this process and of the emulator child, and this process's peak RSS. */
export class ResourceMeter {
  readonly #emulatorPid: number | undefined;
  readonly #emulatorCpuBefore: number | null;
  readonly #machineBefore: number | null;
  readonly #cpuBefore = process.cpuUsage();
  readonly #sampler: NodeJS.Timeout;
  #peakRss = process.memoryUsage().rss;
  #use: ResourceUse | null = null;

  constructor(emulatorPid: number | undefined) {
    this.#emulatorPid = emulatorPid;
    this.#emulatorCpuBefore = childCpuSeconds(emulatorPid);
    this.#machineBefore = machineBusyCpuSeconds();
    this.#sampler = setInterval(() => { this.#peakRss = Math.max(this.#peakRss, process.memoryUsage().rss); }, RSS_SAMPLE_INTERVAL_MS);
  }

  /** Ends the measurement (again: the same figures, so a `finally` may call it too). */
  stop(): ResourceUse {
    if (this.#use !== null) return this.#use;
    const cpu = process.cpuUsage(this.#cpuBefore);
    clearInterval(this.#sampler);
    const peakRss = Math.max(this.#peakRss, process.memoryUsage().rss);
    const emulatorCpuAfter = childCpuSeconds(this.#emulatorPid);
    const machineAfter = machineBusyCpuSeconds();
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const emulatorCpuSeconds = this.#emulatorCpuBefore === null || emulatorCpuAfter === null ? null : emulatorCpuAfter - this.#emulatorCpuBefore;
    this.#use = {
      cpuSeconds,
      peakRssMiB: round(peakRss / 2 ** 20, 1),
      emulatorCpuSeconds: emulatorCpuSeconds === null ? null : round(emulatorCpuSeconds, 2),
      otherCpuSeconds: this.#machineBefore === null || machineAfter === null || emulatorCpuSeconds === null ? null : round(Math.max(0, machineAfter - this.#machineBefore - cpuSeconds - emulatorCpuSeconds), 2),
    };
    return this.#use;
  }
}

function fileBytes(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

export function planInput(usersFile: string, graphUrl: string): PlanInput {
  return {
    files: { users: usersFile, devices: null, tokens: null },
    columns: {},
    columnsFile: null,
    only: null,
    options: {
      encoding: 'auto', delimiter: 'auto', defaultCountryCode: '1', upnSuffix: null, includeDisabled: false, tokenSecretEncoding: 'auto', hardwareTokens: 'off',
      phoneConflict: 'keep', defaultMethod: 'if-unset', group: null, matchAttribute: null,
    },
    run: { tenantId: null, graphUrl, options: {} },
  };
}

/**
 * The credential of a pool app in the benchmark: the client-credentials grant at the emulator
 * child's token endpoint (served over http too; @azure/identity insists on an https authority, and
 * the benchmark keeps the one-app run's plain http), one token per app for the whole run.
 */
function emulatorTokenEndpoint(url: string, tenantId: string, apps: readonly PoolApp[]): CredentialFactory {
  return (settings) => ({
    getToken: async () => {
      const app = apps.find((candidate) => 'clientId' in settings && candidate.clientId === settings.clientId);
      if (app === undefined) throw new Error('not an app of the benchmark\'s pool');
      const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret, scope: 'https://graph.microsoft.com/.default' });
      const response = await fetch(`${url}/${tenantId}/oauth2/v2.0/token`, { method: 'POST', body: form });
      const answer = (await response.json()) as { access_token?: string; expires_in?: number };
      if (!response.ok || answer.access_token === undefined) throw new Error(`the emulator's token endpoint answered ${String(response.status)}`);
      return { token: answer.access_token, expiresOnTimestamp: Date.now() + (answer.expires_in ?? 3_599) * 1000 };
    },
  });
}

/** What the executor observer saw during the write phase. */
class WriteTimeline {
  firstBatchSent = Number.POSITIVE_INFINITY;
  lastAnswered = 0;
  batches = 0;
  inFlight = 0;
  maxInFlight = 0;
  idleMs = 0;
  /** Idle while the write window had room for a full batch: time lost to the tool itself, not to the quota. */
  idleUnderQuotaMs = 0;
  #idle: { readonly since: number; readonly quotaFreeAt: number } | null = null;
  readonly answers: { readonly at: number; readonly ok: number; readonly throttled: number; readonly calls: number }[] = [];
  readonly okPerApp = new Map<string, number>();

  /** `writesPerWindow`: what every app together may write per `windowMs` (the apps' quota, for the idle diagnostic). */
  constructor(readonly windowMs: number, readonly writesPerWindow: number) {}

  sent(at: number, kind: 'batch' | 'single'): void {
    if (kind === 'batch') this.firstBatchSent = Math.min(this.firstBatchSent, at);
    if (this.#idle !== null) {
      this.idleMs += at - this.#idle.since;
      this.idleUnderQuotaMs += Math.max(0, at - Math.max(this.#idle.since, this.#idle.quotaFreeAt));
    }
    this.#idle = null;
    this.batches += 1;
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
  }

  answered(at: number, statuses: readonly number[], app: string): void {
    this.inFlight -= 1;
    this.lastAnswered = Math.max(this.lastAnswered, at);
    const ok = statuses.filter((status) => status >= 200 && status < 300).length;
    this.okPerApp.set(app, (this.okPerApp.get(app) ?? 0) + ok);
    this.answers.push({
      at,
      ok,
      throttled: statuses.filter((status) => status === 429).length,
      calls: statuses.length,
    });
    if (this.inFlight === 0 && at >= this.firstBatchSent) this.#idle = { since: at, quotaFreeAt: this.#quotaFreeAt(at) };
  }

  /**
   * When the write window next has room for a full batch, judged as the governor does from writes
   * answered (newest first: once they exceed the room, the window frees when the one that tipped
   * it expires). With nothing in flight, only expiry changes it until the next send.
   */
  #quotaFreeAt(now: number): number {
    const room = this.writesPerWindow - MAX_BATCH_REQUESTS;
    let used = 0;
    for (let index = this.answers.length - 1; index >= 0; index -= 1) {
      const answer = this.answers[index];
      if (answer === undefined || answer.at <= now - this.windowMs) break;
      used += answer.ok;
      if (used > room) return answer.at + this.windowMs;
    }
    return now;
  }
}

/** A timer every few milliseconds, recording how late each tick ran. */
class EventLoopProbe {
  readonly #ticks: { readonly at: number; readonly lateMs: number }[] = [];
  readonly #timer: NodeJS.Timeout;

  constructor() {
    let expected = performance.now() + EVENT_LOOP_PROBE_INTERVAL_MS;
    this.#timer = setInterval(() => {
      const now = performance.now();
      this.#ticks.push({ at: systemClock.now(), lateMs: Math.max(0, now - expected) });
      expected = now + EVENT_LOOP_PROBE_INTERVAL_MS;
    }, EVENT_LOOP_PROBE_INTERVAL_MS);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Lateness of the ticks between two clock times, smallest first. */
  latenessBetween(from: number, to: number): number[] {
    return this.#ticks.filter((tick) => tick.at >= from && tick.at <= to).map((tick) => tick.lateMs).sort((a, b) => a - b);
  }
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export async function measureApply(options: ApplyBenchOptions): Promise<ApplyMeasurement> {
  const root = projectRoot();
  const dir = await mkdtemp(join(tmpdir(), 'mfa-migrate-apply-bench-'));
  const windowMs = WRITE_WINDOW_MS * options.timeScale;
  const pooled = options.apps > 1;
  const tenantWindowMs = TENANT_WRITE_WINDOW_MS * options.timeScale;
  const appsPerMs = (options.apps * WRITES_PER_WINDOW) / windowMs;
  const tenantPerMs = options.tenantWriteBudget / tenantWindowMs;
  const tenantBinds = pooled && tenantPerMs < appsPerMs;
  const ceilingPerMs = tenantBinds ? tenantPerMs : appsPerMs;
  const sliceMs = tenantBinds ? tenantWindowMs : windowMs;
  const apps = pooled ? poolApps(options.apps) : [];
  let emulator: EmulatorChild | null = null;
  try {
    const tenantFile = join(dir, 'tenant.json');
    const throttleFile = join(dir, 'throttle.json');
    const usersFile = join(dir, 'users.csv');
    const journalFile = join(dir, 'mfa-migrate.db');
    {
      // Scoped so the seed (the emulator's data, not the tool's) can be collected before RSS is sampled.
      const { seed, upns } = generatedTenant(options.users);
      await writeFile(tenantFile, JSON.stringify(pooled ? seedWithPool(seed, apps) : seed));
      await writeFile(usersFile, usersCsv(upns));
    }
    // resourceUnitsPerWindow null: the tenant's size sets the read budget; writes keep Graph's 3,000
    // per window per app and 18,000 per 5 minutes for the tenant.
    await writeFile(throttleFile, JSON.stringify({ timeScale: options.timeScale, resourceUnitsPerWindow: null }));
    emulator = await startEmulatorChild(root, tenantFile, throttleFile);
    const tenantId = (JSON.parse(await readFile(tenantFile, 'utf8')) as { tenant: { id: string } }).tenant.id;
    const appPool = pooled ? poolConfig(tenantId, apps, { writesPerWindow: options.tenantWriteBudget, writeWindowMs: tenantWindowMs }) : null;
    const config = resolveGraphConfig({
      graphUrl: emulator.url,
      auth: appPool?.apps[0]?.auth ?? { mode: 'emulator' },
      appPool,
      limits: { writesPerWindow: WRITES_PER_WINDOW, writeWindowMs: windowMs, resourceUnitsPerWindow: null },
    });
    const credentials = pooled ? { credentials: emulatorTokenEndpoint(emulator.url, tenantId, apps) } : {};
    const input = planInput(usersFile, emulator.url);
    const journal = openJournal(journalFile, { clock: systemClock });
    let graph: GraphGateway | null = null;
    let meter: ResourceMeter | null = null;
    try {
      // Plan with a gateway of its own, as `plan` then `apply` would run: the apply starts with a fresh governor.
      const planStarted = performance.now();
      const planGraph = createGraphGateway(config, { clock: systemClock, log: memoryLog(), ...credentials });
      let planRunId: string;
      let plannedOperations: Readonly<Record<string, number>>;
      try {
        const planned = await runPlan(input, { graph: planGraph, journal, log: memoryLog(), clock: systemClock, progress: silentProgress });
        planRunId = planned.run.id;
        plannedOperations = planned.summary.operations;
      } finally {
        planGraph.close();
      }
      const planSeconds = (performance.now() - planStarted) / 1000;

      const timeline = new WriteTimeline(windowMs, options.apps * WRITES_PER_WINDOW);
      graph = createGraphGateway(config, {
        clock: systemClock,
        log: memoryLog(),
        ...credentials,
        observer: {
          sent: (event) => { timeline.sent(event.at, event.kind); },
          answered: (event) => { timeline.answered(event.at, event.statuses, event.app.name ?? 'the app'); },
        },
      });
      const statsBefore = await emulatorStats(emulator.url);
      const loopProbe = new EventLoopProbe();
      const transportErrors: Record<string, number> = {};
      const onRequestError = (message: unknown): void => {
        const error = typeof message === 'object' && message !== null && 'error' in message ? message.error : undefined;
        const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : 'unknown';
        transportErrors[code] = (transportErrors[code] ?? 0) + 1;
      };
      subscribe(HTTP_CLIENT_ERROR_CHANNEL, onRequestError);
      meter = new ResourceMeter(emulator.process.pid);
      const result = await runApply({ plan: input, planRunId }, { graph, journal, log: memoryLog(), clock: systemClock, progress: silentProgress });
      const use = meter.stop();
      loopProbe.stop();
      unsubscribe(HTTP_CLIENT_ERROR_CHANNEL, onRequestError);
      const statsAfter = await emulatorStats(emulator.url);
      graph.close();
      graph = null;
      journal.close();
      const journalBytes = fileBytes(journalFile) + fileBytes(`${journalFile}-wal`);

      const t0 = timeline.firstBatchSent;
      const tEnd = timeline.lastAnswered;
      const firstWindowEnd = t0 + windowMs;
      const writeMs = Math.max(1, tEnd - t0);
      const later = timeline.answers.filter((answer) => answer.at > firstWindowEnd);
      const writesLater = later.reduce((sum, answer) => sum + answer.ok, 0);
      const throttledLater = later.reduce((sum, answer) => sum + answer.throttled, 0);
      const answeredLater = later.reduce((sum, answer) => sum + answer.calls, 0);
      // Whole windows of the binding limit after the first app window (for one app: the app's windows from t0).
      const wholeWindows = Math.floor(Math.max(0, tEnd - firstWindowEnd) / sliceMs);
      const wholeWindowsEnd = firstWindowEnd + wholeWindows * sliceMs;
      const writesInWholeWindows = timeline.answers
        .filter((answer) => answer.at >= firstWindowEnd && answer.at < wholeWindowsEnd)
        .reduce((sum, answer) => sum + answer.ok, 0);
      const slices: number[] = [];
      for (const answer of timeline.answers) {
        if (answer.at < t0) continue;
        const slice = Math.floor((answer.at - t0) / sliceMs);
        while (slices.length <= slice) slices.push(0);
        slices[slice] = (slices[slice] ?? 0) + answer.ok;
      }
      const loopLateness = loopProbe.latenessBetween(t0, tEnd);
      const done = result.operations.done;
      return {
        users: options.users,
        timeScale: options.timeScale,
        apps: options.apps,
        windowMs,
        sliceMs,
        plannedOperations,
        ceilingWritesPerSecond: round(ceilingPerMs * 1000, 1),
        done,
        failed: result.operations.failed,
        skipped: result.operations.skipped,
        emulatorWrites: statsAfter.writes - statsBefore.writes,
        planSeconds: round(planSeconds, 2),
        writeSeconds: round(writeMs / 1000, 2),
        windows: round(writeMs / windowMs, 2),
        writesPerSecond: Math.round((done * 1000) / writeMs),
        overallFraction: round(done / writeMs / ceilingPerMs, 3),
        sustainedFraction: tEnd > firstWindowEnd ? round(writesLater / (tEnd - firstWindowEnd) / ceilingPerMs, 3) : Number.NaN,
        fullWindowsFraction: wholeWindows >= 1 ? round(writesInWholeWindows / (wholeWindows * sliceMs * ceilingPerMs), 3) : Number.NaN,
        throttledShareAfterFirstWindow: answeredLater > 0 ? round(throttledLater / answeredLater, 4) : 0,
        throttledCalls: throttledLater,
        answeredCalls: answeredLater,
        writesPerWindowSlice: slices.map((writes) => round(writes / (sliceMs * ceilingPerMs), 3)),
        writesPerApp: Object.fromEntries(timeline.okPerApp),
        idleSeconds: round(timeline.idleMs / 1000, 2),
        idleUnderQuotaSeconds: round(timeline.idleUnderQuotaMs / 1000, 2),
        batches: timeline.batches,
        unanswered: timeline.batches - timeline.answers.length,
        transportErrors,
        maxBatchesInFlight: timeline.maxInFlight,
        eventLoopDelayP99Ms: round(loopLateness.at(Math.floor(loopLateness.length * 0.99)) ?? 0, 1),
        eventLoopDelayMaxMs: round(loopLateness.at(-1) ?? 0, 1),
        cpuSecondsPer1000Writes: done > 0 ? round((use.cpuSeconds * 1000) / done, 3) : Number.NaN,
        peakRssMiB: use.peakRssMiB,
        emulatorCpuSeconds: use.emulatorCpuSeconds,
        otherCpuSeconds: use.otherCpuSeconds,
        journalBytes,
        journalMiBPer100kUsers: round((journalBytes / options.users) * JOURNAL_SIZE_PER_USERS / 2 ** 20, 1),
        emulatorStats: {
          requests: statsAfter.requests - statsBefore.requests,
          throttled: statsAfter.throttled - statsBefore.throttled,
          throttledInBatch: statsAfter.throttledInBatch - statsBefore.throttledInBatch,
          throttledByScope: countsSince(statsBefore.throttledByScope, statsAfter.throttledByScope),
          batches: statsAfter.batches - statsBefore.batches,
          byStatus: countsSince(statsBefore.byStatus, statsAfter.byStatus),
        },
      };
    } finally {
      meter?.stop();
      graph?.close();
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

function printTable(rows: readonly ApplyMeasurement[]): void {
  const header = ['users', 'apps', 'window ms', 'ceiling w/s', 'done', 'failed', 'emu writes', 'plan s', 'write s', 'windows', 'writes/s', 'overall/ceil', 'sustained/ceil', 'full windows/ceil', '429 after w1', 'idle s', 'idle, quota free s', 'batches', 'no answer', 'max in flight', 'loop delay p99/max ms', 'CPU s/1k writes', 'peak RSS MiB', 'emu CPU s', 'other CPU s', 'journal MiB/100k'];
  const lines = rows.map((row) => [
    String(row.users),
    String(row.apps),
    String(row.windowMs),
    String(row.ceilingWritesPerSecond),
    String(row.done),
    String(row.failed),
    String(row.emulatorWrites),
    row.planSeconds.toFixed(2),
    row.writeSeconds.toFixed(2),
    row.windows.toFixed(1),
    String(row.writesPerSecond),
    percent(row.overallFraction),
    percent(row.sustainedFraction),
    percent(row.fullWindowsFraction),
    `${percent(row.throttledShareAfterFirstWindow)} (${String(row.throttledCalls)}/${String(row.answeredCalls)})`,
    row.idleSeconds.toFixed(2),
    row.idleUnderQuotaSeconds.toFixed(2),
    String(row.batches),
    Object.keys(row.transportErrors).length === 0 ? String(row.unanswered) : `${String(row.unanswered)} (${Object.entries(row.transportErrors).map(([code, count]) => `${code}×${String(count)}`).join(' ')})`,
    String(row.maxBatchesInFlight),
    `${row.eventLoopDelayP99Ms.toFixed(1)}/${row.eventLoopDelayMaxMs.toFixed(1)}`,
    row.cpuSecondsPer1000Writes.toFixed(3),
    row.peakRssMiB.toFixed(1),
    row.emulatorCpuSeconds === null ? 'n/a' : row.emulatorCpuSeconds.toFixed(2),
    row.otherCpuSeconds === null ? 'n/a' : row.otherCpuSeconds.toFixed(2),
    row.journalMiBPer100kUsers.toFixed(1),
  ]);
  process.stdout.write(formatTable(header, lines));
  for (const [index, row] of rows.entries()) {
    const verdicts = [
      `sustained ${percent(row.sustainedFraction)} ${row.sustainedFraction >= TARGET_SUSTAINED_FRACTION ? '≥' : '<'} ${percent(TARGET_SUSTAINED_FRACTION)} (whole windows ${percent(row.fullWindowsFraction)})`,
      `429 share ${percent(row.throttledShareAfterFirstWindow)} ${row.throttledShareAfterFirstWindow <= TARGET_THROTTLED_SHARE ? '≤' : '>'} ${percent(TARGET_THROTTLED_SHARE)}`,
      `correct: ${row.failed === 0 && row.emulatorWrites === row.done ? 'yes' : 'NO'} (failed ${String(row.failed)}, emulator writes ${String(row.emulatorWrites)} vs done ${String(row.done)})`,
    ];
    const sliceName = row.apps === 1 ? 'writes per window slice ÷ 3,000' : `writes per ${String(row.sliceMs / 1000)} s slice ÷ the ceiling's`;
    const perApp = row.apps === 1 ? '' : `; writes per app: ${Object.entries(row.writesPerApp).map(([app, writes]) => `${app} ${String(writes)}`).join(', ')}; 429 by scope: ${JSON.stringify(row.emulatorStats.throttledByScope)}`;
    process.stdout.write(`run ${String(index + 1)}: ${verdicts.join('; ')}; ${sliceName}: ${row.writesPerWindowSlice.map((share) => share.toFixed(2)).join(' ')}${perApp}\n`);
  }
  // An app pool's figure of merit, on the last line: the whole windows' rate against the ceiling, the lowest of the runs.
  if (rows.some((row) => row.apps > 1)) {
    const lowest = Math.min(...rows.map((row) => row.fullWindowsFraction));
    process.stdout.write(`tenant ceiling: ${Number.isNaN(lowest) ? 'n/a' : (lowest * 100).toFixed(1)} %\n`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      users: { type: 'string' },
      'time-scale': { type: 'string' },
      runs: { type: 'string', default: '1' },
      apps: { type: 'string', default: '1' },
      'tenant-write-budget': { type: 'string', default: String(TENANT_WRITES_PER_WINDOW) },
    },
  });
  const apps = Number(values.apps);
  // As many windows at the same real-time rate as one app: users and scale grow with the apps.
  const options: ApplyBenchOptions = {
    users: Number(values.users ?? String(DEFAULT_USERS_PER_APP * apps)),
    timeScale: Number(values['time-scale'] ?? String(DEFAULT_TIME_SCALE_PER_APP * apps)),
    apps,
    tenantWriteBudget: Number(values['tenant-write-budget']),
  };
  const runs = Number(values.runs);
  if (!Number.isInteger(options.users) || options.users <= 0 || !(options.timeScale > 0) || !Number.isInteger(runs) || runs <= 0 || !Number.isInteger(apps) || apps < 1 || !(options.tenantWriteBudget > 0)) {
    throw new Error('--users, --runs and --apps take positive integers, --time-scale and --tenant-write-budget (writes per 5 minutes) positive numbers.');
  }
  process.stdout.write(`$ node ${process.argv.slice(1).join(' ')}  (users ${String(options.users)}, time scale ${String(options.timeScale)}, apps ${String(apps)}${apps > 1 ? `, tenant write budget ${String(options.tenantWriteBudget)} per 5 min` : ''}, runs ${String(runs)})\n`);
  const rows: ApplyMeasurement[] = [];
  for (let run = 0; run < runs; run += 1) rows.push(await measureApply(options));
  printTable(rows);
  await mkdir('bench/results', { recursive: true });
  await writeFile(apps === 1 ? 'bench/results/apply.json' : `bench/results/apply-${String(apps)}-apps.json`, `${JSON.stringify({ measuredAt: new Date().toISOString(), node: process.version, command: process.argv.slice(1), results: rows }, null, 2)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
