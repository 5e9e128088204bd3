/**
 * `sync` as an admin runs it: the built CLI against an in-process emulator. One cycle prints its
 * document and writes its reports; a changed export is synced with only the changed users read
 * and written, and the users who left it are listed (in the document and the report); `--every`
 * runs a cycle per period with one line each and stops cleanly on Ctrl-C between cycles (exit 0)
 * or mid-cycle (exit 6, and the command it prints finishes the cycle); phone numbers on the terminal
 * are masked unless --unmask, and --quiet leaves only the summary.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { compileSchema } from '../../src/json-schema/validator.js';
import { generatedTenant } from '../support/generated-tenant.js';
import { jsonDocument } from '../support/json-documents.js';
import { projectRoot, runCli } from '../support/run-cli.js';

const bin = fileURLToPath(new URL('../../bin/mfa-migrate.js', import.meta.url));
const USERS = 200;

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'mfa-migrate-sync-e2e-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

/** Everyone a mobile (distinct numbers); generated users 1…`count`, minus `leave`, with `changed` numbered anew. */
async function writeExport(file: string, options: { readonly count: number; readonly leave?: readonly number[]; readonly changed?: readonly number[] }): Promise<void> {
  const { upns } = generatedTenant(options.count);
  const rows = upns.flatMap((upn, index) => {
    const n = index + 1;
    if (options.leave?.includes(n) === true) return [];
    const subscriber = (options.changed?.includes(n) === true ? 5000 : 1000) + n;
    return [`${upn},1,425 555 ${String(subscriber).padStart(4, '0')},Phone call,Yes`];
  });
  await writeFile(file, `Username,Primary Country Code,Primary Phone,Method,Enabled\n${rows.join('\n')}\n`);
}

function syncArgs(usersFile: string, graphUrl: string, state: string, ...more: string[]): string[] {
  return ['sync', '--users', usersFile, '--auth', 'emulator', '--graph-url', graphUrl, '--state', state, '--reports', join(dir, 'reports'), '--no-progress', ...more];
}

interface RunningCli {
  readonly signal: (name: NodeJS.Signals) => void;
  readonly done: Promise<{ code: number | null; stderr: string }>;
  readonly stderr: () => string;
}

function startCli(args: readonly string[]): RunningCli {
  const child = spawn(process.execPath, [bin, ...args], { cwd: projectRoot, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stdout.resume();
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => { resolve({ code, stderr }); }));
  return { signal: (name) => child.kill(name), done, stderr: () => stderr };
}

async function waitFor(condition: () => boolean, what: string, detail: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${String(timeoutMs)} ms: ${detail()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Splits the printed resume command the way a POSIX shell would (it quotes with '…'). */
function shellWords(command: string): string[] {
  return [...command.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((match) => (match[1] === undefined ? match[2] ?? '' : match[1].replaceAll("'\\''", "'")));
}

describe('mfa-migrate sync', () => {
  it('migrates everyone first, then reads and writes only what changed and lists who left, in the document and the report', async () => {
    const emulator: RunningEmulator = await startEmulator({ tenant: generatedTenant(USERS).seed, throttle: 'off' });
    const usersFile = join(dir, 'users.csv');
    const state = join(dir, 'once.db');
    try {
      await writeExport(usersFile, { count: USERS });
      const first = await runCli(syncArgs(usersFile, emulator.url, state, '--json'), { timeoutMs: 60_000 });
      expect(first.code, first.stderr).toBe(0);
      const firstDocument = jsonDocument('sync', first.stdout);
      expect(firstDocument.summary.sync).toMatchObject({ inExport: USERS, new: USERS, unchanged: 0 });
      expect(firstDocument.nextRunAt).toBeNull();
      expect(first.stderr).toMatch(/Reports \(phone numbers masked\): \S+report\.html/);

      await writeExport(usersFile, { count: USERS, leave: [3, 4], changed: [10, 11, 12] });
      const reads = emulator.stats().requests;
      const second = await runCli(syncArgs(usersFile, emulator.url, state, '--json'), { timeoutMs: 60_000 });
      expect(second.code, second.stderr).toBe(0);
      const document = jsonDocument('sync', second.stdout);
      // Every fifth generated user had another mobile in Entra before the first cycle: conflicts,
      // read again each cycle — but user 10, one of them, changed, and counts as changed.
      const conflicts = firstDocument.summary.usersByFinalStatus.conflict ?? 0;
      expect(conflicts).toBe(USERS / 5);
      expect(document.summary.sync).toMatchObject({ inExport: USERS - 2, new: 0, changed: 3, retried: conflicts - 1, rechecked: 0, unchanged: USERS - 2 - 3 - (conflicts - 1) });
      expect(document.left.map((user) => user.username)).toEqual(['bench.user3@contoso.com', 'bench.user4@contoso.com']);
      expect(document.users.map((user) => user.username).filter((name) => ['bench.user10@contoso.com', 'bench.user11@contoso.com', 'bench.user12@contoso.com'].includes(name))).toHaveLength(3);
      // 11 and 12: the number the first cycle wrote follows the export (R17); 10's is its own, a conflict still.
      expect(document.summary.operationsThisCycle).toMatchObject({ done: 2, failed: 0 });
      expect(document.users.find((user) => user.username === 'bench.user10@contoso.com')?.status).toBe('conflict');
      // Only the users it chose were read: far fewer requests than a cycle reading everyone.
      expect(emulator.stats().requests - reads).toBeLessThan(20);

      const reportPath = /Reports \(phone numbers masked\): (\S+report\.html)/.exec(second.stderr)?.[1] ?? '';
      const reconciliation = JSON.parse(readFileSync(reportPath.replace(/report\.html$/, 'reconciliation.json'), 'utf8')) as { summary: { sync: { left: { username: string }[] } | null } };
      const check = compileSchema(JSON.parse(readFileSync(join(projectRoot, 'schemas', 'reconciliation.schema.json'), 'utf8')) as Record<string, unknown>);
      expect(check(reconciliation)).toEqual([]);
      expect(reconciliation.summary.sync?.left.map((user) => user.username)).toEqual(['bench.user3@contoso.com', 'bench.user4@contoso.com']);
      expect(readFileSync(reportPath, 'utf8')).toContain('No longer in the export (2)');

      const status = jsonDocument('status', (await runCli(['status', '--state', state, '--json'])).stdout);
      expect(status.run).toMatchObject({ command: 'sync', status: 'finished' });
    } finally {
      await emulator.close();
    }
  }, 120_000);

  it('masks phone numbers on the terminal unless --unmask, and --quiet prints only the summary', async () => {
    const emulator: RunningEmulator = await startEmulator({ tenant: generatedTenant(10).seed, throttle: 'off' });
    const usersFile = join(dir, 'masking.csv');
    const state = join(dir, 'masking.db');
    try {
      await writeExport(usersFile, { count: 10 });
      const masked = await runCli(syncArgs(usersFile, emulator.url, state), { timeoutMs: 60_000 });
      expect(masked.code, masked.stderr).toBe(0);
      // Every fifth generated user holds another mobile in Entra: a conflict line naming both numbers.
      expect(masked.stdout).toMatch(/bench\.user5@contoso\.com +conflict: .*not the export's \+1 •+1005/);
      expect(masked.stdout.replace(/\s/g, '')).not.toContain('+14255551005');

      await writeExport(usersFile, { count: 10, changed: [1] });
      const unmasked = await runCli(syncArgs(usersFile, emulator.url, state, '--unmask'), { timeoutMs: 60_000 });
      expect(unmasked.code, unmasked.stderr).toBe(0);
      expect(unmasked.stdout.replace(/\s/g, '')).toContain('+14255551005');

      await writeExport(usersFile, { count: 10, changed: [1, 2] });
      const quiet = await runCli(syncArgs(usersFile, emulator.url, state, '--quiet'), { timeoutMs: 60_000 });
      expect(quiet.code, quiet.stderr).toBe(0);
      expect(quiet.stdout).toBe('');
      expect(quiet.stderr).toMatch(/Reports \(phone numbers masked\)/);
    } finally {
      await emulator.close();
    }
  }, 120_000);

  it('--every: a line and the reports per cycle; Ctrl-C between cycles stops cleanly (exit 0)', async () => {
    const emulator = await startEmulator({ tenant: generatedTenant(20).seed, throttle: 'off' });
    const usersFile = join(dir, 'every.csv');
    const state = join(dir, 'every.db');
    try {
      await writeExport(usersFile, { count: 20 });
      const running = startCli(syncArgs(usersFile, emulator.url, state, '--every', '1s'));
      await waitFor(() => (running.stderr().match(/ — next run at /g) ?? []).length >= 2, 'two cycle lines', running.stderr);
      running.signal('SIGINT');
      const stopped = await running.done;
      expect(stopped.code, stopped.stderr).toBe(0);
      expect(stopped.stderr).toContain('Stopped between cycles');
      const lines = stopped.stderr.split('\n').filter((line) => / sync \d{8}-\d{6}-[0-9a-f]{4}: /.test(line));
      expect(lines.length).toBeGreaterThanOrEqual(2);
      expect(lines[0]).toMatch(/20 to check \(20 new, 0 changed, 0 retried, 0 rechecked\), \d+ written, 0 failed — next run at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
      // Every cycle leaves its reports, each in the folder of its own run.
      const reportFolders = [...stopped.stderr.matchAll(/Reports \(phone numbers masked\): (\S+)report\.html/g)].map((match) => match[1]);
      expect(reportFolders.length).toBeGreaterThanOrEqual(lines.length);
      expect(new Set(reportFolders).size).toBe(reportFolders.length);
      for (const folder of reportFolders) expect(existsSync(`${folder ?? ''}report.html`)).toBe(true);

      const bad = await runCli(syncArgs(usersFile, emulator.url, state, '--every', '0s'));
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('OPTION_INVALID');
    } finally {
      await emulator.close();
    }
  }, 60_000);

  it('Ctrl-C mid-cycle: exit 6, and the printed command finishes the interrupted cycle first', async () => {
    // Slow writes (40 a second), so Ctrl-C lands while the first cycle writes.
    const emulator = await startEmulator({ tenant: generatedTenant(USERS).seed, throttle: { timeScale: 1, writesPerWindow: 40, writeWindowSeconds: 1 } });
    const usersFile = join(dir, 'interrupt.csv');
    const state = join(dir, 'interrupt.db');
    try {
      await writeExport(usersFile, { count: USERS });
      const running = startCli(syncArgs(usersFile, emulator.url, state, '--every', '1h', '--write-budget', '40/1'));
      await waitFor(() => emulator.stats().writes > 0, 'writes', running.stderr);
      running.signal('SIGINT');
      const stopped = await running.done;
      expect(stopped.code, stopped.stderr).toBe(6);
      expect(stopped.stderr).toContain('SYNC_INTERRUPTED');
      const resume = /Resume it with: (mfa-migrate .+)/.exec(stopped.stderr)?.[1] ?? '';
      expect(shellWords(resume).slice(1)).toEqual(syncArgs(usersFile, emulator.url, state, '--every', '1h', '--write-budget', '40/1'));
      const interrupted = jsonDocument('status', (await runCli(['status', '--state', state, '--json'])).stdout);
      expect(interrupted.run).toMatchObject({ command: 'sync', status: 'interrupted' });

      // The same sync without --every: one cycle, which first finishes the interrupted one.
      const resumed = await runCli(syncArgs(usersFile, emulator.url, state, '--write-budget', '40/1'), { timeoutMs: 60_000 });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stderr).toContain(`Finished interrupted sync run ${interrupted.run.id} first`);
      const finished = jsonDocument('status', (await runCli(['status', '--state', state, '--json', '--run', interrupted.run.id])).stdout);
      expect(finished).toMatchObject({ run: { status: 'finished' }, operations: { remaining: 0 } });
      for (const count of Object.values(emulator.stats().phoneCreates)) expect(count).toBe(1);
    } finally {
      await emulator.close();
    }
  }, 120_000);
});
