/**
 * Benchmark: the peer baseline. How admins script this migration today — a loop over the users,
 * one Graph call at a time, no `$batch`, no concurrency — against mfa-migrate (`plan` then
 * `apply`, in-process as bench/apply.bench.ts runs them), in the same run, against the same
 * emulator setup. The speed-up is peer seconds ÷ our seconds.
 *
 * The peer script (below, over plain `fetch`, not our gateway) does per user: GET the user by UPN,
 * GET its phone methods, POST the mobile when it has none and the alternate mobile when the export
 * has a backup phone, then PATCH beta signInPreferences to voiceMobile. On a 429 it waits the
 * Retry-After and repeats the call; on a 5xx it waits 1 s and repeats.
 *
 * Why the conditions are fair:
 * - Each side gets a fresh emulator seeded from the same generated tenant (bench/graph-reads.bench.ts)
 *   and reads the same users.csv (bench/apply.bench.ts: a mobile each, a backup for every third).
 *   Both emulators run in this process (`startEmulator`), one side after the other, so both share
 *   the same machine load; the CPU column is this process's (side + emulator) over the side's run.
 * - Graph's real limits in real time (`--throttle realistic`, time scale 1): 3,000 writes per
 *   150 s, and resource units per 10 s by tenant size (5,000 for the 330 users of the default
 *   tenant, 8,000 above 500). Our gateway runs with the CLI's default limits.
 * - The same latency on every HTTP request (`--faults latency=80`). The emulator sleeps it once
 *   for the HTTP request and again for each request inside a `$batch`: items without `dependsOn`
 *   sleep in parallel, a `dependsOn` chain (mobile → alternate mobile → preferred method) sleeps
 *   once per link. A batch therefore costs two to four single calls' latency, never less than
 *   one: no round trip is hidden from our side, and none is charged twice to the peer. Graph
 *   also fans a batch's items out to its services in parallel, so this is the model closest to it.
 * - The same work: the generated users have no preferred method, so under the default
 *   `--default-method if-unset` our plan sets voiceMobile (their MFA Server method, "Phone call"
 *   on the primary phone) for every user that holds a mobile afterwards — every user here. The
 *   peer does the same, without reading the preference first (a GET per user more for a script
 *   that must not overwrite one; left out, in the peer's favour). The run checks the planned
 *   operations against the peer's writes and compares both emulators' final state: they must be
 *   equal, or the run exits 1.
 *
 * How to read the ratio: at the default 300 users ours sends ~640 writes, far under the 3,000
 * the first write window admits at once, so BOTH sides are latency-bound here and the measured
 * ratio compares round trips (batched and concurrent vs one at a time), not what a large migration
 * gains. The projection rows (see `projectRow`) give that: at 10,000 users and more ours is held
 * by Graph's write quota, the peer by its latency, and the ratio shrinks to roughly 20 ÷ the
 * peer's writes per second (the peer gets nowhere near the write ceiling at 80 ms per call).
 *
 *   npm run build && node dist/bench/peer-baseline.bench.js              # 300 users, 80 ms
 *   node dist/bench/peer-baseline.bench.js --users 30 --latency-ms 150
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startEmulator, type RunningEmulator } from '../src/emulator/server.js';
import type { StatsSnapshot } from '../src/emulator/stats.js';
import { resolveGraphConfig } from '../src/graph/config.js';
import { EMULATOR_DEVELOPMENT_TOKEN } from '../src/graph/credentials.js';
import { createGraphGateway } from '../src/graph/gateway.js';
import { RESOURCE_UNIT_WINDOW_MS, RESOURCE_UNITS_LARGE_TENANT, WRITE_WINDOW_MS, WRITES_PER_WINDOW } from '../src/graph/limits.js';
import { openJournal } from '../src/journal/journal.js';
import { memoryLog } from '../src/log.js';
import { runApply } from '../src/migrate/apply.js';
import { silentProgress } from '../src/migrate/deps.js';
import { systemClock } from '../src/clock.js';
import { runPlan } from '../src/migrate/plan.js';
import { planInput, projectRoot, round, usersCsv } from './apply.bench.js';
import { generatedTenant } from '../test/support/generated-tenant.js';
import { formatTable } from './table.js';
import { isRecord } from '../src/json-value.js';

/** Latency the emulator adds to every request (and every `$batch` item) unless --latency-ms says otherwise. */
const DEFAULT_LATENCY_MS = 80;
const DEFAULT_USERS = 300;
/** Tenant sizes the projection extrapolates to. */
const PROJECTED_USERS: readonly number[] = [10_000, 100_000];
/** Graph's sustained write ceiling, writes per second: 3,000 per 150 s (throttling-limits.md). */
const WRITE_CEILING_PER_SECOND = WRITES_PER_WINDOW / (WRITE_WINDOW_MS / 1000);
/** A large tenant's read budget per second: 8,000 RU per 10 s (throttling-limits.md), what 10,000+ users get. */
const LARGE_TENANT_RESOURCE_UNITS_PER_SECOND = RESOURCE_UNITS_LARGE_TENANT / (RESOURCE_UNIT_WINDOW_MS / 1000);
/** The peer's tries of one call before it gives up on it: a bound, so a broken emulator fails the run instead of hanging it. */
const PEER_MAX_ATTEMPTS = 10;
/** The peer's wait after a 5xx, and after a 429 whose Retry-After it cannot read. */
const PEER_RETRY_DELAY_MS = 1_000;
/** The preferred method both sides set (the users' MFA Server method is "Phone call" on the primary phone). */
const PREFERRED_METHOD = 'voiceMobile';

export interface PeerBaselineOptions {
  readonly users: number;
  readonly latencyMs: number;
}

export interface SideMeasurement {
  readonly side: 'peer script' | 'mfa-migrate';
  /** End to end: CSV read to last answer; for ours plan + apply. */
  readonly seconds: number;
  /** Ours only: the plan's share of `seconds`. */
  readonly planSeconds: number | null;
  /** HTTP requests to Graph paths as the emulator counted them (a `$batch` counts once). */
  readonly httpRequests: number;
  /** Graph operations: plain requests plus the requests inside batches. */
  readonly graphCalls: number;
  readonly batches: number;
  /** Writes the emulator carried out. */
  readonly writes: number;
  readonly usersPerSecond: number;
  readonly writesPerSecond: number;
  /** 429 answers, whole requests and batch items. */
  readonly throttled: number;
  /** Resource units Graph charged (x-ms-resource-unit of admitted requests). */
  readonly resourceUnits: number;
  /** Ours only: the plan's share of `resourceUnits`. */
  readonly planResourceUnits: number | null;
  /** Calls that ended in an error: apply operations failed (ours), calls answered 4xx/5xx for good (peer). */
  readonly failed: number;
  /** CPU of this process (the side and its in-process emulator) over the side's run. */
  readonly cpuSeconds: number;
  /** Operations by final status and by path family, as the emulator counted them. */
  readonly emulatorStatus: Readonly<Record<string, number>>;
  readonly emulatorFamilies: Readonly<Record<string, number>>;
}

export interface ProjectionRow {
  readonly users: number;
  readonly writes: number;
  readonly peerSeconds: number;
  readonly peerBound: string;
  readonly oursSeconds: number;
  readonly oursBound: string;
  readonly speedUp: number;
}

export interface PeerBaselineResult {
  readonly users: number;
  readonly latencyMs: number;
  readonly peer: SideMeasurement;
  readonly ours: SideMeasurement;
  readonly speedUp: number;
  readonly plannedOperations: Readonly<Record<string, number>>;
  /** Peer writes by kind, to set beside the plan's operations. */
  readonly peerWrites: { readonly mobile: number; readonly alternateMobile: number; readonly preferredMethod: number };
  readonly finalStatesEqual: boolean;
  /** The first user whose final state differs, when they do. */
  readonly firstDifference: string | null;
  readonly projection: readonly ProjectionRow[];
}

/** A Graph phone number from an MFA Server country code and number: `+{cc} {digits}`. */
function graphPhoneNumber(countryCode: string, phone: string): string | null {
  const digits = phone.replace(/\D/g, '');
  return digits === '' ? null : `+${countryCode.replace(/\D/g, '')} ${digits}`;
}

interface PeerUserRow {
  readonly upn: string;
  readonly mobile: string | null;
  readonly alternateMobile: string | null;
}

/** The columns the peer needs from the MFA Server users export (unquoted, as usersCsv writes it). */
function peerUserRows(csv: string): PeerUserRow[] {
  const [headerLine = '', ...lines] = csv.trim().split(/\r?\n/);
  const header = headerLine.split(',');
  const column = (name: string): number => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`users.csv has no "${name}" column.`);
    return index;
  };
  const [upn, primaryCode, primary, backupCode, backup] = ['Username', 'Primary Country Code', 'Primary Phone', 'Backup Country Code', 'Backup Phone'].map(column);
  return lines.map((line) => {
    const cells = line.split(',');
    const cell = (index: number | undefined): string => (index === undefined ? '' : (cells[index] ?? ''));
    return {
      upn: cell(upn),
      mobile: graphPhoneNumber(cell(primaryCode), cell(primary)),
      alternateMobile: graphPhoneNumber(cell(backupCode), cell(backup)),
    };
  });
}

interface PeerAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** The peer's Graph access: one call at a time over fetch, waiting out 429s and 5xx as scripts do. */
class PeerGraphClient {
  requests = 0;
  throttled = 0;
  resourceUnits = 0;

  constructor(
    readonly graphUrl: string,
    readonly token: string,
  ) {}

  async call(method: string, path: string, body?: unknown): Promise<PeerAnswer> {
    for (let attempt = 1; ; attempt += 1) {
      const response = await fetch(`${this.graphUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      this.requests += 1;
      const charged = Number(response.headers.get('x-ms-resource-unit'));
      if (Number.isFinite(charged)) this.resourceUnits += charged;
      const retryable = response.status === 429 || response.status >= 500;
      if (retryable && attempt < PEER_MAX_ATTEMPTS) {
        if (response.status === 429) this.throttled += 1;
        const retryAfterSeconds = Number(response.headers.get('retry-after'));
        await delay(response.status === 429 && retryAfterSeconds > 0 ? retryAfterSeconds * 1000 : PEER_RETRY_DELAY_MS);
        continue;
      }
      return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
    }
  }
}


function phoneTypesOf(body: unknown): Set<string> {
  const value = isRecord(body) ? body['value'] : undefined;
  const types = new Set<string>();
  if (Array.isArray(value)) for (const phone of value) if (isRecord(phone) && typeof phone['phoneType'] === 'string') types.add(phone['phoneType']);
  return types;
}

interface PeerRun {
  readonly writes: { mobile: number; alternateMobile: number; preferredMethod: number };
  failed: number;
}

/** The peer script itself: each user in turn, each call awaited before the next. */
async function runPeerScript(client: PeerGraphClient, csv: string): Promise<PeerRun> {
  const run: PeerRun = { writes: { mobile: 0, alternateMobile: 0, preferredMethod: 0 }, failed: 0 };
  const succeeded = (answer: PeerAnswer): boolean => {
    if (answer.status >= 200 && answer.status < 300) return true;
    run.failed += 1;
    return false;
  };
  for (const row of peerUserRows(csv)) {
    const user = await client.call('GET', `/v1.0/users/${encodeURIComponent(row.upn)}`);
    const id = isRecord(user.body) ? user.body['id'] : undefined;
    if (!succeeded(user) || typeof id !== 'string') continue;
    const methodsPath = `/v1.0/users/${encodeURIComponent(id)}/authentication/phoneMethods`;
    const phones = await client.call('GET', methodsPath);
    if (!succeeded(phones)) continue;
    const held = phoneTypesOf(phones.body);
    if (row.mobile !== null && !held.has('mobile') && succeeded(await client.call('POST', methodsPath, { phoneNumber: row.mobile, phoneType: 'mobile' }))) {
      held.add('mobile');
      run.writes.mobile += 1;
    }
    // Graph accepts an alternate mobile only beside a mobile (phoneauthenticationmethod.md).
    if (row.alternateMobile !== null && held.has('mobile') && !held.has('alternateMobile')) {
      if (succeeded(await client.call('POST', methodsPath, { phoneNumber: row.alternateMobile, phoneType: 'alternateMobile' }))) run.writes.alternateMobile += 1;
    }
    if (held.has('mobile')) {
      const preferences = `/beta/users/${encodeURIComponent(id)}/authentication/signInPreferences`;
      if (succeeded(await client.call('PATCH', preferences, { userPreferredMethodForSecondaryAuthentication: PREFERRED_METHOD }))) run.writes.preferredMethod += 1;
    }
  }
  return run;
}

function emulatorFor(seedJson: string, latencyMs: number): Promise<RunningEmulator> {
  // A fresh parse per side: the emulator's store must not share objects with the other side's.
  return startEmulator({ tenant: JSON.parse(seedJson) as object, throttle: 'realistic', faults: `latency=${String(latencyMs)}` });
}

function cpuSecondsSince(before: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}

function sideFigures(
  side: SideMeasurement['side'],
  users: number,
  seconds: number,
  stats: StatsSnapshot,
  rest: Pick<SideMeasurement, 'planSeconds' | 'resourceUnits' | 'planResourceUnits' | 'failed' | 'cpuSeconds'>,
): SideMeasurement {
  return {
    side,
    seconds: round(seconds, 2),
    httpRequests: stats.requests,
    graphCalls: stats.operations - stats.batches,
    batches: stats.batches,
    writes: stats.writes,
    usersPerSecond: round(users / seconds, 2),
    writesPerSecond: round(stats.writes / seconds, 2),
    throttled: stats.throttled,
    emulatorStatus: stats.byStatus,
    emulatorFamilies: stats.byFamily,
    ...rest,
  };
}

interface SideRun {
  readonly measurement: SideMeasurement;
  readonly finalState: Record<string, unknown>;
}

async function measurePeer(options: PeerBaselineOptions, seedJson: string, csv: string): Promise<SideRun & { readonly writes: PeerRun['writes'] }> {
  const emulator = await emulatorFor(seedJson, options.latencyMs);
  try {
    const client = new PeerGraphClient(emulator.url, EMULATOR_DEVELOPMENT_TOKEN);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const run = await runPeerScript(client, csv);
    const seconds = (performance.now() - started) / 1000;
    const cpuSeconds = cpuSecondsSince(cpuBefore);
    const measurement = sideFigures('peer script', options.users, seconds, emulator.stats(), {
      planSeconds: null,
      resourceUnits: client.resourceUnits,
      planResourceUnits: null,
      failed: run.failed,
      cpuSeconds: round(cpuSeconds, 2),
    });
    return { measurement, finalState: emulator.state(), writes: run.writes };
  } finally {
    await emulator.close();
  }
}

async function measureOurs(options: PeerBaselineOptions, seedJson: string, csv: string): Promise<SideRun & { readonly plannedOperations: Readonly<Record<string, number>> }> {
  const emulator = await emulatorFor(seedJson, options.latencyMs);
  const dir = await mkdtemp(join(tmpdir(), 'mfa-migrate-peer-baseline-'));
  try {
    const usersFile = join(dir, 'users.csv');
    await writeFile(usersFile, csv);
    const input = planInput(usersFile, emulator.url);
    // The CLI's defaults: `--auth emulator --graph-url URL`, Graph's documented limits.
    const config = resolveGraphConfig({ graphUrl: emulator.url, auth: { mode: 'emulator' } });
    let resourceUnits = 0;
    const observer = { answered: (event: { readonly resourceUnits: number }): void => { resourceUnits += event.resourceUnits; } };
    const journal = openJournal(join(dir, 'mfa-migrate.db'), { clock: systemClock });
    try {
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      // Plan and apply with a gateway each, as `plan` then `apply --plan RUN` would run.
      const planGraph = createGraphGateway(config, { clock: systemClock, log: memoryLog(), observer });
      let planned: Awaited<ReturnType<typeof runPlan>>;
      try {
        planned = await runPlan(input, { graph: planGraph, journal, log: memoryLog(), clock: systemClock, progress: silentProgress });
      } finally {
        planGraph.close();
      }
      const planSeconds = (performance.now() - started) / 1000;
      const planResourceUnits = resourceUnits;
      const graph = createGraphGateway(config, { clock: systemClock, log: memoryLog(), observer });
      let failed: number;
      try {
        const applied = await runApply({ plan: input, planRunId: planned.run.id }, { graph, journal, log: memoryLog(), clock: systemClock, progress: silentProgress });
        failed = applied.operations.failed;
      } finally {
        graph.close();
      }
      const seconds = (performance.now() - started) / 1000;
      const cpuSeconds = cpuSecondsSince(cpuBefore);
      const measurement = sideFigures('mfa-migrate', options.users, seconds, emulator.stats(), {
        planSeconds: round(planSeconds, 2),
        resourceUnits,
        planResourceUnits,
        failed,
        cpuSeconds: round(cpuSeconds, 2),
      });
      const plannedOperations: Readonly<Record<string, number>> = { ...planned.summary.operations };
      return { measurement, finalState: emulator.state(), plannedOperations };
    } finally {
      journal.close();
    }
  } finally {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The emulator's state without what it stamps at start-up: a seeded assigned hardware token without
 * an assignedDateTime gets the emulator's start time, so two fresh emulators differ there though
 * neither side touches tokens (hardware tokens are off in the plan, and the peer sends none).
 */
function comparableState(state: Record<string, unknown>): Record<string, unknown> {
  const devices = state['hardwareOathDevices'];
  if (!Array.isArray(devices)) return state;
  return { ...state, hardwareOathDevices: devices.map((device: unknown) => (isRecord(device) ? { ...device, assignedDateTime: '(stamped at start-up)' } : device)) };
}

/** The first user whose final state differs between the two emulators, or the part of the tenant that does. */
function firstDifference(peerState: Record<string, unknown>, ourState: Record<string, unknown>): string | null {
  const peer = comparableState(peerState);
  const ours = comparableState(ourState);
  if (JSON.stringify(peer) === JSON.stringify(ours)) return null;
  const usersOf = (state: Record<string, unknown>): unknown[] => (Array.isArray(state['users']) ? (state['users'] as unknown[]) : []);
  const peerUsers = usersOf(peer);
  const ourUsers = usersOf(ours);
  for (let index = 0; index < Math.max(peerUsers.length, ourUsers.length); index += 1) {
    const peerUser = JSON.stringify(peerUsers[index]);
    const ourUser = JSON.stringify(ourUsers[index]);
    if (peerUser !== ourUser) return `user ${String(index)}: peer ${peerUser} — ours ${ourUser}`;
  }
  const part = Object.keys(peer).find((key) => JSON.stringify(peer[key]) !== JSON.stringify(ours[key]));
  return `tenant part "${part ?? '?'}" differs`;
}

/**
 * Both sides extrapolated to a real tenant of `users` (a large tenant: 8,000 RU per 10 s), at the
 * same per-call latency. Each side takes the slowest of its bounds, and the row says which:
 * - peer: latency-bound and linear, its measured seconds per user × users. It is held by the write
 *   ceiling only if its measured writes per second reach 20 (then writes ÷ 20), by the read budget
 *   only if its resource units per second reach 800.
 * - ours, plan: the measured plan seconds per user × users (its fixed start-up cost scaled too, so
 *   a little high), or the large tenant's read budget, RU per user × users ÷ 800 per second.
 * - ours, apply: the first write window admits a burst of 3,000, after which Graph's write ceiling
 *   holds it at 20 writes per second: (writes − 3,000) ÷ 20 s — a lower bound, since the sliding
 *   window lets the last partial window's writes through only as the first window's expire — or,
 *   if slower, the measured apply seconds per write × writes (latency-bound, as at 300 users).
 */
export function projectRow(users: number, measured: { readonly users: number; readonly peer: SideMeasurement; readonly ours: SideMeasurement }): ProjectionRow {
  const scale = users / measured.users;
  const { peer, ours } = measured;
  const writes = Math.round(ours.writes * scale);

  const peerLatency = peer.seconds * scale;
  const peerQuota = peer.writesPerSecond >= WRITE_CEILING_PER_SECOND ? Math.max(0, peer.writes * scale - WRITES_PER_WINDOW) / WRITE_CEILING_PER_SECOND : 0;
  const peerReads = (peer.resourceUnits * scale) / LARGE_TENANT_RESOURCE_UNITS_PER_SECOND;
  const peerSeconds = Math.max(peerLatency, peerQuota, peerReads);
  const peerBound = peerSeconds === peerLatency ? 'latency' : peerSeconds === peerQuota ? 'write quota' : 'read budget';

  const planSeconds = ours.planSeconds ?? 0;
  const planLatency = planSeconds * scale;
  const planReads = ((ours.planResourceUnits ?? 0) * scale) / LARGE_TENANT_RESOURCE_UNITS_PER_SECOND;
  const applySeconds = ours.seconds - planSeconds;
  const applyLatency = ours.writes > 0 ? (applySeconds / ours.writes) * writes : applySeconds * scale;
  const applyQuota = Math.max(0, writes - WRITES_PER_WINDOW) / WRITE_CEILING_PER_SECOND;
  const oursSeconds = Math.max(planLatency, planReads) + Math.max(applyLatency, applyQuota);
  const oursBound = `plan ${planReads > planLatency ? 'read budget' : 'latency'}, apply ${applyQuota > applyLatency ? 'write quota' : 'latency'}`;

  return { users, writes, peerSeconds: Math.round(peerSeconds), peerBound, oursSeconds: Math.round(oursSeconds), oursBound, speedUp: round(peerSeconds / oursSeconds, 1) };
}

export async function measurePeerBaseline(options: PeerBaselineOptions): Promise<PeerBaselineResult> {
  const { seed, upns } = generatedTenant(options.users);
  const seedJson = JSON.stringify(seed);
  const csv = usersCsv(upns);
  const ours = await measureOurs(options, seedJson, csv);
  const peer = await measurePeer(options, seedJson, csv);
  const speedUp = round(peer.measurement.seconds / ours.measurement.seconds, 1);
  const measured = { users: options.users, peer: peer.measurement, ours: ours.measurement };
  const difference = firstDifference(peer.finalState, ours.finalState);
  return {
    users: options.users,
    latencyMs: options.latencyMs,
    peer: peer.measurement,
    ours: ours.measurement,
    speedUp,
    plannedOperations: ours.plannedOperations,
    peerWrites: peer.writes,
    finalStatesEqual: difference === null,
    firstDifference: difference,
    projection: PROJECTED_USERS.map((users) => projectRow(users, measured)),
  };
}

/** 4,321 s → "4321 s (1 h 12 min)". */
function duration(seconds: number): string {
  if (seconds < 120) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const minutes = Math.round(seconds / 60);
  const spelled = minutes < 60 ? `${String(minutes)} min` : `${String(Math.floor(minutes / 60))} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `${String(Math.round(seconds))} s (${spelled})`;
}

function printResult(result: PeerBaselineResult): void {
  const sideRow = (side: SideMeasurement, speedUp: string): string[] => [
    side.side,
    side.seconds.toFixed(2),
    side.planSeconds === null ? '—' : side.planSeconds.toFixed(2),
    String(side.httpRequests),
    String(side.graphCalls),
    String(side.writes),
    side.usersPerSecond.toFixed(2),
    side.writesPerSecond.toFixed(2),
    String(side.throttled),
    String(side.resourceUnits),
    String(side.failed),
    side.cpuSeconds.toFixed(2),
    speedUp,
  ];
  process.stdout.write(
    formatTable(
      ['side', 'wall s', 'plan s', 'HTTP requests', 'Graph calls', 'writes', 'users/s', 'writes/s', '429s', 'RU', 'failed', 'CPU s', 'speed-up'],
      [sideRow(result.peer, '1.0×'), sideRow(result.ours, `${result.speedUp.toFixed(1)}×`)],
    ),
  );
  const planned = Object.entries(result.plannedOperations).map(([kind, count]) => `${kind} ${String(count)}`).join(', ');
  const { mobile, alternateMobile, preferredMethod } = result.peerWrites;
  const oursApplySeconds = result.ours.seconds - (result.ours.planSeconds ?? 0);
  const oursBound =
    result.ours.writes < WRITES_PER_WINDOW
      ? `latency-bound here: its ${String(result.ours.writes)} writes fit the first window's burst of ${String(WRITES_PER_WINDOW)}, so the write quota never held it (apply ${oursApplySeconds.toFixed(2)} s of round trips and its own work)`
      : `past the first window's ${String(WRITES_PER_WINDOW)} writes, so Graph's write quota held part of its run`;
  const peerBound =
    result.peer.writesPerSecond < WRITE_CEILING_PER_SECOND
      ? `latency-bound (${result.peer.writesPerSecond.toFixed(2)} writes/s, under the ceiling of ${String(WRITE_CEILING_PER_SECOND)})`
      : `faster than the write ceiling here (${result.peer.writesPerSecond.toFixed(2)} writes/s against ${String(WRITE_CEILING_PER_SECOND)}), so the projection caps it`;
  process.stdout.write(`mfa-migrate is ${oursBound}; the peer is ${peerBound}.\n`);
  process.stdout.write(`same work: plan ${planned}; peer mobile ${String(mobile)}, alternateMobile ${String(alternateMobile)}, preferred ${String(preferredMethod)}; final emulator states ${result.finalStatesEqual ? 'equal' : `DIFFER — ${result.firstDifference ?? ''}`}\n\n`);
  process.stdout.write(
    `projection to a real (large) tenant at ${String(result.latencyMs)} ms per call; write ceiling ${String(WRITE_CEILING_PER_SECOND)}/s after a first burst of ${String(WRITES_PER_WINDOW)}:\n`,
  );
  process.stdout.write(
    formatTable(
      ['users', 'writes', 'peer', 'peer bound', 'mfa-migrate', 'mfa-migrate bound', 'speed-up'],
      result.projection.map((row) => [String(row.users), String(row.writes), duration(row.peerSeconds), row.peerBound, duration(row.oursSeconds), row.oursBound, `${row.speedUp.toFixed(1)}×`]),
    ),
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      users: { type: 'string', default: String(DEFAULT_USERS) },
      'latency-ms': { type: 'string', default: String(DEFAULT_LATENCY_MS) },
    },
  });
  const options: PeerBaselineOptions = { users: Number(values.users), latencyMs: Number(values['latency-ms']) };
  if (!Number.isInteger(options.users) || options.users <= 0 || !Number.isInteger(options.latencyMs) || options.latencyMs < 0) {
    throw new Error('--users takes a positive integer, --latency-ms a whole number of milliseconds (0 or more).');
  }
  const loadBefore = loadavg();
  process.stdout.write(`$ node ${process.argv.slice(1).join(' ')}  (users ${String(options.users)}, latency ${String(options.latencyMs)} ms, throttle realistic, load ${loadBefore.map((load) => load.toFixed(2)).join(' ')})\n`);
  const result = await measurePeerBaseline(options);
  const loadAfter = loadavg();
  printResult(result);
  process.stdout.write(`load average after: ${loadAfter.map((load) => load.toFixed(2)).join(' ')}\n`);
  const resultsDir = join(projectRoot(), 'bench', 'results');
  await mkdir(resultsDir, { recursive: true });
  await writeFile(
    join(resultsDir, 'peer-baseline.json'),
    `${JSON.stringify({ measuredAt: new Date().toISOString(), node: process.version, command: process.argv.slice(1), loadAverage: { before: loadBefore, after: loadAfter }, result }, null, 2)}\n`,
  );
  if (!result.finalStatesEqual || result.ours.failed > 0 || result.peer.failed > 0) {
    process.stderr.write('The two sides did not do the same work (see above): the ratio is not comparable.\n');
    process.exitCode = 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
