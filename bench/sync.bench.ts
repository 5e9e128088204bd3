/**
 * Benchmark: `sync` after 1 % of the exports changed, against a full `plan` of the same exports.
 * Targets (issue): sync sends at most 2 % of the resource units (RU) the full plan sends and takes
 * at most 5 % of its time, and writes exactly the changed users' operations.
 *
 * 1. A tenant of N generated users without methods, and N/400 more the export does not hold yet;
 *    an export of the N users (every user a mobile, every third a backup phone, Phone call).
 * 2. apply of it against an emulator child without throttling (setting the scene, not measured).
 *    The emulator's state after it becomes the seed of the measured tenant.
 * 3. The export changed for 1 % of the users, in four equal parts: a new mobile number (R17
 *    updates the number the apply wrote), another method (Text message: R17 updates the default
 *    the apply set), rows removed (listed as no longer in the export, never touched), and rows
 *    added for the Entra users the export lacked.
 * 4. Against an emulator child with Graph's large-tenant budget (8,000 RU per 10 s), time-scaled
 *    as bench/plan.bench.ts (default 0.2: 2 s windows): a full `plan` of the changed export
 *    (runPlan, GETs only), then, a window later so the budget is whole again, `sync` of it
 *    (runSync: compare, read, write, record), with a new gateway as a new command would have.
 *    RU are what the emulator charged for every request answered (x-ms-resource-unit), writes
 *    included; time is each step's wall time, from its call to its return.
 * 5. The writes sync made must be exactly the operations the full plan planned (user, kind,
 *    target, number), and none for the unchanged users.
 *
 * Time scaling shrinks Graph's windows, not the tool's CPU: at 0.2 the full plan's 100,000 users
 * take ~75 s where Graph would take ~6 min, while sync's reading of the whole export (~2 s) is not
 * scaled. The time fraction is therefore harsher here than on the real service; the table also
 * gives both times at Graph's real rate (the plan's scaled time ÷ scale; sync's wall time, whose
 * Graph part fits in the first window's burst).
 *
 *   npm run bench:sync                                   # 100,000 users, scale 0.2
 *   node dist/bench/sync.bench.js --users 20000 --time-scale 0.2
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { systemClock } from '../src/clock.js';
import { resolveGraphConfig } from '../src/graph/config.js';
import { createGraphGateway, type GraphGateway } from '../src/graph/gateway.js';
import { ACTIVATION_WINDOW_MS, MEDIUM_TENANT_MAX_USERS, RESOURCE_UNIT_WINDOW_MS, RESOURCE_UNITS_LARGE_TENANT, WRITE_WINDOW_MS, WRITES_PER_WINDOW } from '../src/graph/limits.js';
import { openJournal, type Journal } from '../src/journal/journal.js';
import { memoryLog } from '../src/log.js';
import { runApply } from '../src/migrate/apply.js';
import { silentProgress } from '../src/migrate/deps.js';
import { runPlan, type PlanInput } from '../src/migrate/plan.js';
import { runSync, type SyncCycleResult } from '../src/migrate/sync.js';
import type { StoredOperation } from '../src/run-records.js';
import { generatedTenant } from '../test/support/generated-tenant.js';
import { emulatorStats, planInput, projectRoot, ResourceMeter, round, startEmulatorChild, stopEmulatorChild, type EmulatorChild } from './apply.bench.js';
import { formatTable } from './table.js';

/** Targets from the issue. */
const TARGET_RESOURCE_UNIT_SHARE = 0.02;
const TARGET_TIME_SHARE = 0.05;
/** Share of the export's users changed, in four equal parts (new number, new method, removed, added). */
const DEFAULT_CHANGE_SHARE = 0.01;
/** First 7-digit subscriber number: every user a distinct, valid NANP number from here on. */
const FIRST_SUBSCRIBER = 2_000_000;
/** Changed numbers are moved this far: still distinct, never another user's. */
const CHANGED_NUMBER_OFFSET = 5_000_000;
/** Graph's windows shrunk this much for the unmeasured first apply: no pacing to speak of. */
const SETUP_TIME_SCALE = 0.0001;
/** The recheck interval of the measured sync: longer than the benchmark, so no unchanged user is read. */
const RECHECK_AFTER_MS = 7 * 86_400_000;

interface Change {
  readonly newNumber: ReadonlySet<number>;
  readonly newMethod: ReadonlySet<number>;
  readonly removed: ReadonlySet<number>;
  /** Generated users past N the export now holds. */
  readonly added: number;
}

function exportRow(upn: string, index: number, change: Change | null): string {
  const subscriber = FIRST_SUBSCRIBER + index + (change?.newNumber.has(index) === true ? CHANGED_NUMBER_OFFSET : 0);
  const backup = index % 3 === 0 ? `206 ${String(FIRST_SUBSCRIBER + index)}` : '';
  const method = change?.newMethod.has(index) === true ? 'Text message' : 'Phone call';
  return `${upn},1,425 ${String(subscriber)},1,${backup},${method},Yes`;
}

function usersExport(upns: readonly string[], users: number, change: Change | null): string {
  const rows: string[] = [];
  for (let index = 0; index < users + (change?.added ?? 0); index += 1) {
    const upn = upns[index];
    if (upn === undefined || change?.removed.has(index) === true) continue;
    rows.push(exportRow(upn, index, change));
  }
  return `Username,Primary Country Code,Primary Phone,Backup Country Code,Backup Phone,Method,Enabled\n${rows.join('\n')}\n`;
}

/** Every `stride`-th user from `offset`: spread through the export, as real changes are. */
function spread(users: number, count: number, offset: number): Set<number> {
  const stride = Math.max(1, Math.floor(users / Math.max(1, count)));
  const picked = new Set<number>();
  for (let index = offset; picked.size < count && index < users; index += stride) picked.add(index);
  return picked;
}

interface Measured {
  readonly wallSeconds: number;
  readonly resourceUnits: number;
  readonly requests: number;
  readonly cpuSeconds: number;
  readonly peakRssMiB: number;
}

/** A gateway as the CLI builds one for the scaled emulator, counting the RU charged and the requests answered. */
function countingGateway(url: string, timeScale: number): { readonly graph: GraphGateway; readonly counts: { resourceUnits: number; requests: number } } {
  const counts = { resourceUnits: 0, requests: 0 };
  const config = resolveGraphConfig({
    graphUrl: url,
    auth: { mode: 'emulator' },
    limits: {
      resourceUnitWindowMs: RESOURCE_UNIT_WINDOW_MS * timeScale,
      writesPerWindow: WRITES_PER_WINDOW,
      writeWindowMs: WRITE_WINDOW_MS * timeScale,
      activationWindowMs: ACTIVATION_WINDOW_MS * timeScale,
    },
  });
  const graph = createGraphGateway(config, {
    clock: systemClock,
    log: memoryLog(),
    observer: {
      answered: (event) => {
        counts.resourceUnits += event.resourceUnits;
        counts.requests += 1;
      },
    },
  });
  return { graph, counts };
}

async function measure<T>(emulator: EmulatorChild, timeScale: number, step: (graph: GraphGateway) => Promise<T>): Promise<{ readonly result: T; readonly measured: Measured }> {
  const { graph, counts } = countingGateway(emulator.url, timeScale);
  const meter = new ResourceMeter(emulator.process.pid);
  try {
    const started = performance.now();
    const result = await step(graph);
    const wallSeconds = (performance.now() - started) / 1000;
    const use = meter.stop();
    return { result, measured: { wallSeconds: round(wallSeconds, 2), resourceUnits: counts.resourceUnits, requests: counts.requests, cpuSeconds: round(use.cpuSeconds, 2), peakRssMiB: use.peakRssMiB } };
  } finally {
    meter.stop();
    graph.close();
  }
}

/** An operation as the comparison sees it: who, what, to which value. */
function operationKey(username: string, operation: Pick<StoredOperation, 'kind' | 'target'> & { readonly phoneNumber?: string }): string {
  return `${username.toLowerCase()} ${operation.kind} ${operation.target} ${operation.phoneNumber ?? ''}`;
}

function writesOf(journal: Journal, runId: string, status: 'planned' | 'done'): Set<string> {
  const keys = new Set<string>();
  for (const user of journal.iterateUsers(runId)) {
    for (const operation of user.operations) if (operation.status === status) keys.add(operationKey(user.username, operation));
  }
  return keys;
}

export interface SyncBenchOptions {
  readonly users: number;
  readonly timeScale: number;
  readonly changeShare: number;
}

export interface SyncMeasurement {
  readonly users: number;
  readonly timeScale: number;
  readonly changed: { readonly newNumber: number; readonly newMethod: number; readonly removed: number; readonly added: number };
  readonly setupSeconds: number;
  readonly plan: Measured & { readonly usersPlanned: number; readonly operations: number };
  readonly sync: Measured & { readonly usersRead: number; readonly unchanged: number; readonly left: number; readonly written: number; readonly failed: number };
  readonly resourceUnitShare: number;
  readonly timeShare: number;
  /** At Graph's real rate: the plan's wall time ÷ scale (it is Graph-bound), sync's wall time as is. */
  readonly realPlanSeconds: number;
  readonly realTimeShare: number;
  /** Writes of sync the full plan did not plan, and planned writes sync did not make: both must be empty. */
  readonly unexpectedWrites: readonly string[];
  readonly missingWrites: readonly string[];
  /** Writes to users outside the change: must be 0. */
  readonly writesToUnchangedUsers: number;
}

export async function measureSync(options: SyncBenchOptions): Promise<SyncMeasurement> {
  const root = projectRoot();
  const dir = await mkdtemp(join(tmpdir(), 'mfa-migrate-sync-bench-'));
  const perPart = Math.max(1, Math.round((options.users * options.changeShare) / 4));
  const change: Change = {
    newNumber: spread(options.users, perPart, 1),
    newMethod: spread(options.users, perPart, 2),
    removed: spread(options.users, perPart, 3),
    added: perPart,
  };
  const { seed, upns } = generatedTenant(options.users + perPart);
  const generated = new Set(upns);
  // A clean tenant: no generated user holds a phone, so the first apply leaves every user final (no conflict to retry).
  for (const user of (seed as { users: Record<string, unknown>[] }).users) {
    if (generated.has(String(user['userPrincipalName']))) delete user['phoneMethods'];
  }
  const usersFile = join(dir, 'users.csv');
  const journalPath = join(dir, 'mfa-migrate.db');
  const input = (graphUrl: string): PlanInput => ({ ...planInput(usersFile, graphUrl), run: { tenantId: null, graphUrl: 'bench', options: {} } });
  let emulator: EmulatorChild | null = null;
  try {
    // 2. The first apply, unthrottled: it sets the scene.
    const setupStarted = performance.now();
    await writeFile(join(dir, 'tenant.json'), JSON.stringify(seed));
    await writeFile(usersFile, usersExport(upns, options.users, null));
    emulator = await startEmulatorChild(root, join(dir, 'tenant.json'), 'off');
    {
      // The gateway paces by Graph's limits whatever the emulator does: windows this short leave it unpaced.
      const { graph } = countingGateway(emulator.url, SETUP_TIME_SCALE);
      const journal = openJournal(journalPath, { clock: systemClock });
      try {
        const applied = await runApply({ plan: input(emulator.url), planRunId: null }, { graph, journal, log: memoryLog(), clock: systemClock, progress: silentProgress });
        if (applied.operations.failed + applied.operations.skipped > 0 || (applied.usersByFinalStatus.migrated ?? 0) !== options.users) {
          throw new Error(`the first apply did not migrate everyone: ${JSON.stringify(applied.usersByFinalStatus)}, ${JSON.stringify(applied.operations)}`);
        }
      } finally {
        graph.close();
        journal.close();
      }
    }
    const state = await (await fetch(`${emulator.url}/_emulator/state`)).json() as { users: { userPrincipalName: string; phoneMethods: { phoneType: string; phoneNumber: string }[]; signInPreferences: unknown }[] };
    await stopEmulatorChild(emulator.process);
    emulator = null;
    const after = new Map(state.users.map((user) => [user.userPrincipalName, user]));
    for (const user of (seed as { users: Record<string, unknown>[] }).users) {
      const now = after.get(String(user['userPrincipalName']));
      if (now === undefined) continue;
      user['phoneMethods'] = now.phoneMethods.map((phone) => ({ phoneType: phone.phoneType, phoneNumber: phone.phoneNumber }));
      user['signInPreferences'] = now.signInPreferences;
    }
    await writeFile(join(dir, 'migrated.json'), JSON.stringify(seed));
    // 3. The export changes for 1 %.
    await writeFile(usersFile, usersExport(upns, options.users, change));
    const setupSeconds = (performance.now() - setupStarted) / 1000;

    // 4. The measured tenant: Graph's large-tenant budget, time-scaled.
    await writeFile(join(dir, 'throttle.json'), JSON.stringify({ timeScale: options.timeScale, resourceUnitsPerWindow: RESOURCE_UNITS_LARGE_TENANT }));
    emulator = await startEmulatorChild(root, join(dir, 'migrated.json'), join(dir, 'throttle.json'));
    const child = emulator;
    const journal = openJournal(journalPath, { clock: systemClock });
    try {
      const deps = { journal, log: memoryLog(), clock: systemClock, progress: silentProgress };
      const plan = await measure(child, options.timeScale, (graph) => runPlan(input(child.url), { ...deps, graph }));
      const planned = writesOf(journal, plan.result.run.id, 'planned');
      // A window without requests: the sync starts with the whole budget, as the plan did.
      await new Promise((resolve) => setTimeout(resolve, RESOURCE_UNIT_WINDOW_MS * options.timeScale + 100));
      const statsBefore = await emulatorStats(child.url);
      const sync = await measure(child, options.timeScale, async (graph) => {
        const outcome = await runSync({ plan: input(child.url), recheckAfterMs: RECHECK_AFTER_MS, recorded: {} }, { ...deps, graph }, null, { cycle: () => Promise.resolve(), cycleFailed: (error) => { throw error; } });
        if (outcome.lastCycle === null) throw new Error('sync ran no cycle');
        return outcome.lastCycle;
      });
      const statsAfter = await emulatorStats(child.url);
      const cycle: SyncCycleResult = sync.result;
      const written = writesOf(journal, cycle.run.id, 'done');
      const changedUsers = new Set<string>([
        ...[...change.newNumber, ...change.newMethod].map((index) => upns[index] ?? ''),
        ...upns.slice(options.users, options.users + change.added),
      ].map((upn) => upn.toLowerCase()));
      const writesToUnchangedUsers = [...written].filter((key) => !changedUsers.has(key.split(' ')[0] ?? '')).length;
      const realPlanSeconds = plan.measured.wallSeconds / options.timeScale;
      return {
        users: options.users,
        timeScale: options.timeScale,
        changed: { newNumber: change.newNumber.size, newMethod: change.newMethod.size, removed: change.removed.size, added: change.added },
        setupSeconds: round(setupSeconds, 1),
        plan: { ...plan.measured, usersPlanned: plan.result.summary.users, operations: planned.size },
        sync: {
          ...sync.measured,
          usersRead: cycle.counts.new + cycle.counts.changed + cycle.counts.retried + cycle.counts.rechecked,
          unchanged: cycle.counts.unchanged,
          left: cycle.left.length,
          written: statsAfter.writes - statsBefore.writes,
          failed: cycle.executed?.operations.failed ?? 0,
        },
        resourceUnitShare: round(sync.measured.resourceUnits / plan.measured.resourceUnits, 4),
        timeShare: round(sync.measured.wallSeconds / plan.measured.wallSeconds, 4),
        realPlanSeconds: round(realPlanSeconds, 1),
        realTimeShare: round(sync.measured.wallSeconds / realPlanSeconds, 4),
        unexpectedWrites: [...written].filter((key) => !planned.has(key)).slice(0, 20),
        missingWrites: [...planned].filter((key) => !written.has(key)).slice(0, 20),
        writesToUnchangedUsers,
      };
    } finally {
      journal.close();
    }
  } finally {
    if (emulator !== null) await stopEmulatorChild(emulator.process);
    await rm(dir, { recursive: true, force: true });
  }
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(2)} %`;
}

function printTable(rows: readonly SyncMeasurement[]): void {
  const header = ['users', 'changed', 'step', 'users read', 'RU charged', 'requests', 'wall s', 'CPU s', 'peak RSS MiB', 'writes'];
  const lines = rows.flatMap((row) => {
    const changed = `${String(row.changed.newNumber)} number, ${String(row.changed.newMethod)} method, ${String(row.changed.removed)} removed, ${String(row.changed.added)} added`;
    return [
      [String(row.users), changed, 'full plan', String(row.plan.usersPlanned), String(row.plan.resourceUnits), String(row.plan.requests), row.plan.wallSeconds.toFixed(2), row.plan.cpuSeconds.toFixed(2), row.plan.peakRssMiB.toFixed(0), `${String(row.plan.operations)} planned`],
      ['', '', 'sync', `${String(row.sync.usersRead)} (${String(row.sync.unchanged)} unchanged not read, ${String(row.sync.left)} left)`, String(row.sync.resourceUnits), String(row.sync.requests), row.sync.wallSeconds.toFixed(2), row.sync.cpuSeconds.toFixed(2), row.sync.peakRssMiB.toFixed(0), `${String(row.sync.written)} done, ${String(row.sync.failed)} failed`],
    ];
  });
  process.stdout.write(formatTable(header, lines));
  for (const row of rows) {
    const ru = row.resourceUnitShare <= TARGET_RESOURCE_UNIT_SHARE;
    const time = row.timeShare <= TARGET_TIME_SHARE;
    const exact = row.unexpectedWrites.length === 0 && row.missingWrites.length === 0 && row.writesToUnchangedUsers === 0;
    process.stdout.write([
      `${ru ? 'PASS' : 'MISS'}: sync's RU ${percent(row.resourceUnitShare)} of the full plan's (target ≤ ${percent(TARGET_RESOURCE_UNIT_SHARE)})`,
      `${time ? 'PASS' : 'MISS'}: sync's time ${percent(row.timeShare)} of the full plan's at scale ${String(row.timeScale)} (target ≤ ${percent(TARGET_TIME_SHARE)}); at Graph's real rate ${percent(row.realTimeShare)} (plan ≈ ${row.realPlanSeconds.toFixed(0)} s)`,
      `${exact ? 'PASS' : 'MISS'}: sync wrote exactly the full plan's operations (${String(row.plan.operations)}), none to an unchanged user${exact ? '' : ` — unexpected ${JSON.stringify(row.unexpectedWrites)}, missing ${JSON.stringify(row.missingWrites)}, to unchanged users ${String(row.writesToUnchangedUsers)}`}`,
      `setting the scene (first apply, unthrottled): ${row.setupSeconds.toFixed(0)} s`,
    ].join('\n') + '\n');
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      users: { type: 'string', default: '100000' },
      'time-scale': { type: 'string', default: '0.2' },
      'change-share': { type: 'string', default: String(DEFAULT_CHANGE_SHARE) },
      runs: { type: 'string', default: '1' },
    },
  });
  const users = Number(values.users);
  const timeScale = Number(values['time-scale']);
  const changeShare = Number(values['change-share']);
  const runs = Number(values.runs);
  if (!Number.isInteger(users) || users <= MEDIUM_TENANT_MAX_USERS || !(timeScale > 0) || !(changeShare > 0 && changeShare < 0.25) || !Number.isInteger(runs) || runs <= 0) {
    throw new Error(`--users takes an integer above ${String(MEDIUM_TENANT_MAX_USERS)} (a large tenant), --time-scale a positive number, --change-share a fraction below 0.25, --runs a positive integer.`);
  }
  const load = (): string => loadavg().map((value) => value.toFixed(2)).join(' ');
  process.stdout.write(`$ node ${process.argv.slice(1).join(' ')}  (users ${String(users)}, time scale ${String(timeScale)}, change ${String(changeShare)}; load average ${load()})\n`);
  const rows: SyncMeasurement[] = [];
  for (let run = 0; run < runs; run += 1) rows.push(await measureSync({ users, timeScale, changeShare }));
  printTable(rows);
  process.stdout.write(`load average after: ${load()}\n`);
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/sync.json', `${JSON.stringify({ measuredAt: new Date().toISOString(), node: process.version, command: process.argv.slice(1), loadAverage: loadavg(), results: rows }, null, 2)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
