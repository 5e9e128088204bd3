/**
 * The crash test (docs/design.md "Resume and reconcile"): the built CLI's `apply` killed with
 * SIGKILL at random moments (start-up, planning, reconciling, writing, journaling), many times in a
 * row, resumed each time by running the same command again, then once to the end. The tenant must
 * end exactly as a run without kills leaves it, no phone may be written twice, the journal must
 * pass SQLite's integrity check after every kill, and every user must be accounted for.
 * Default: 20 kills over 200 users (~50 s). `npm run test:soak`: 50 kills over 2,000 users.
 * CRASH_SEED replays the kill moments a failure printed.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedTenant } from '../support/generated-tenant.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { openJournal } from '../../src/journal/journal.js';
import { systemClock } from '../../src/clock.js';
import { runCli } from '../support/run-cli.js';
import { soak } from './run-budget.js';

const USERS = soak ? 2_000 : 200;
/**
 * Writes per second for both the emulator and --write-budget: the writing lasts ~20 s (~80 s
 * under soak), longer than the kills let the runs progress, so every kill lands mid-migration.
 */
const WRITES_PER_SECOND = soak ? 50 : 25;
const KILLS = soak ? 50 : 20;
/** Kill moments: some during start-up and planning, most during writing. */
const KILL_AFTER_MS = soak ? { min: 500, max: 3_000 } : { min: 400, max: 2_000 };
const TEST_TIMEOUT_MS = soak ? 20 * 60_000 : 180_000;

let dir: string;
let usersFile: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mfa-migrate-crash-'));
  usersFile = join(dir, 'users.csv');
  const { upns } = generatedTenant(USERS);
  // A mobile for everyone and a backup for every third user: chains of 2–3 dependent writes.
  const rows = upns.map((upn, index) => {
    const phone = `425 555 ${(1000 + index).toString()}`;
    const backup = index % 3 === 0 ? `206 555 ${(1000 + index).toString()}` : '';
    return `${upn},1,${phone},1,${backup},Phone call,Yes`;
  });
  await writeFile(usersFile, `Username,Primary Country Code,Primary Phone,Backup Country Code,Backup Phone,Method,Enabled\n${rows.join('\n')}\n`);
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

function tenantState(emulator: RunningEmulator): unknown {
  const state = emulator.state() as { users: { userPrincipalName: string; phoneMethods: unknown[]; signInPreferences: unknown }[] };
  return state.users.map((user) => ({ upn: user.userPrincipalName, phones: user.phoneMethods, preferences: user.signInPreferences }));
}

/** mulberry32: the kill moments are reproducible from the seed printed on failure. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

async function startTenant(throttled: boolean): Promise<RunningEmulator> {
  if (!throttled) return startEmulator({ tenant: generatedTenant(USERS).seed, throttle: 'off' });
  // A low write limit and some latency stretch a run so that kills land inside it; the kills are the fault.
  return startEmulator({ tenant: generatedTenant(USERS).seed, throttle: { timeScale: 1, writesPerWindow: WRITES_PER_SECOND, writeWindowSeconds: 1 }, faults: 'seed=3,latency=4-12' });
}

function applyArgs(emulator: RunningEmulator, state: string, throttled = true): string[] {
  const args = ['apply', '--users', usersFile, '--auth', 'emulator', '--graph-url', emulator.url, '--state', state, '--reports', join(dir, 'reports'), '--no-progress', '--log-level', 'warn'];
  return throttled ? [...args, '--write-budget', `${String(WRITES_PER_SECOND)}/1`] : args;
}

describe('apply killed with SIGKILL', () => {
  it(`ends in the exact expected state after ${String(KILLS)} kills and resumes`, async () => {
    const reference = await startTenant(false);
    let expected: unknown;
    try {
      const clean = await runCli(applyArgs(reference, join(dir, 'reference.db'), false), { timeoutMs: TEST_TIMEOUT_MS / 4 });
      expect(clean.code, clean.stderr).toBe(0);
      expected = tenantState(reference);
    } finally {
      await reference.close();
    }

    const emulator = await startTenant(true);
    const state = join(dir, 'crash.db');
    const seed = process.env['CRASH_SEED'] === undefined ? Date.now() % 100_000 : Number(process.env['CRASH_SEED']);
    const random = seededRandom(seed);
    const outcomes: string[] = [];
    try {
      let killed = 0;
      // Until KILLS kills have landed; a run that ends on its own (exit 0) finished the migration.
      for (let run = 1; killed < KILLS && run <= 3 * KILLS; run += 1) {
        const after = Math.round(KILL_AFTER_MS.min + random() * (KILL_AFTER_MS.max - KILL_AFTER_MS.min));
        const result = await runCli(applyArgs(emulator, state), { timeoutMs: after });
        outcomes.push(`${String(after)}ms:${result.code === null ? 'killed' : `exit ${String(result.code)}`}`);
        // Anything but a kill or success is a failure.
        expect(result.code === null || result.code === 0, `seed ${String(seed)} run ${String(run)}: ${result.stderr}`).toBe(true);
        // On a loaded machine a kill can land before the CLI has created the journal: nothing to
        // check, and not a kill mid-migration.
        if (result.code === null && !existsSync(state)) continue;
        const db = new Database(state, { readonly: true, fileMustExist: true });
        try {
          expect(db.pragma('integrity_check', { simple: true }), `seed ${String(seed)} run ${String(run)}`).toBe('ok');
        } finally {
          db.close();
        }
        if (result.code === 0) break;
        killed += 1;
      }
      // Every kill landed before the migration was complete.
      expect(killed, `seed ${String(seed)}: ${outcomes.join(' ')}`).toBe(KILLS);
      const last = await runCli(applyArgs(emulator, state), { timeoutMs: TEST_TIMEOUT_MS / 2 });
      expect(last.code, `seed ${String(seed)}, ${outcomes.join(' ')}: ${last.stderr}`).toBe(0);

      expect(tenantState(emulator)).toEqual(expected);
      for (const [phone, count] of Object.entries(emulator.stats().phoneCreates)) expect(count, `${phone} (seed ${String(seed)})`).toBe(1);
      console.log(`crash and resume: ${String(USERS)} users, ${String(killed)} runs killed by SIGKILL mid-migration (integrity_check ok after each), then one to the end; seed ${String(seed)}${soak ? ' (SOAK)' : ''}`);

      const journal = openJournal(state, { clock: systemClock });
      try {
        // Every apply run either finished or was closed; the last one accounts for every user.
        const latest = journal.latestRun({ command: 'apply' });
        expect(latest?.status).toBe('finished');
        const users = [...journal.iterateUsers(latest?.id ?? '')];
        expect(users).toHaveLength(USERS);
        // Every fifth generated user holds another mobile already: kept as a conflict (--phone-conflict keep).
        const byStatus: Record<string, number> = {};
        for (const user of users) byStatus[user.finalStatus ?? 'none'] = (byStatus[user.finalStatus ?? 'none'] ?? 0) + 1;
        expect(Object.keys(byStatus).filter((status) => !['migrated', 'unchanged', 'conflict'].includes(status)), JSON.stringify(byStatus)).toEqual([]);
        const unfinished = [...new Set([...(['running', 'interrupted'] as const)].map((status) => journal.latestRun({ command: 'apply', status })?.id ?? null))].filter((id) => id !== null);
        expect(unfinished).toEqual([]);
      } finally {
        journal.close();
      }
    } finally {
      await emulator.close();
    }
  }, TEST_TIMEOUT_MS);
});
